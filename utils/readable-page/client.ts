/**
 * The page's handle on one readable archive of the vault: a dedicated worker (`worker.ts`, bundled by Vite
 * as a file of the extension, like the reconcile worker) renders it; the page only shows progress and
 * saves the Blob. `cancel` stops the render (the worker is then ended).
 */
import type { RenderProgress, RenderSummary } from '@/utils/readable';
import type { PageToWorker, WorkerToPage } from './protocol';

/** Why the archive was not written: `cancelled` when the person stopped it. */
export class ReadableRunError extends Error {
  override readonly name = 'ReadableRunError';
  constructor(message: string, readonly cancelled = false) {
    super(message);
  }
}

export interface ReadableRequest {
  /** Only these artifacts and their conversations; the whole vault when absent. */
  artifactIds?: ReadonlySet<string>;
  /** The `File names` pattern as the setting holds it (the worker parses it, its default when it does not parse). */
  namePattern?: string;
  onProgress?: (p: RenderProgress) => void;
  signal?: AbortSignal;
}

export const renderReadableInWorker = (request: ReadableRequest): Promise<{ blob: Blob; summary: RenderSummary }> =>
  connect(new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }), request);

function connect(worker: Worker, { artifactIds, namePattern, onProgress, signal }: ReadableRequest): Promise<{ blob: Blob; summary: RenderSummary }> {
  return new Promise((resolve, reject) => {
    const end = () => {
      signal?.removeEventListener('abort', cancel);
      worker.terminate();
    };
    const cancel = () => worker.postMessage({ type: 'cancel' } satisfies PageToWorker);
    worker.onmessage = (e: MessageEvent<WorkerToPage>) => {
      const m = e.data;
      if (m.type === 'progress') onProgress?.(m.progress);
      else {
        end();
        if (m.type === 'done') resolve({ blob: m.blob, summary: m.summary });
        else reject(new ReadableRunError(m.type === 'cancelled' ? 'Cancelled.' : m.message, m.type === 'cancelled'));
      }
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      end();
      reject(new ReadableRunError(`The readable archive worker stopped: ${e.message || 'unknown error'}`));
    };
    if (signal?.aborted) {
      end();
      reject(new ReadableRunError('Cancelled.', true));
      return;
    }
    signal?.addEventListener('abort', cancel, { once: true });
    worker.postMessage({ type: 'render', artifactIds: artifactIds ? [...artifactIds] : undefined, namePattern } satisfies PageToWorker);
  });
}
