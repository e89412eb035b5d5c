/**
 * The library page's readable-archive worker (started by `client.ts`): it opens the vault itself (same
 * extension origin, read only) and renders the archive there (utils/library/readable.ts), so markdown-it,
 * the ZIP writer and the blob reads never hold the page's main thread. Nothing here writes to the vault.
 */
import { getVaultDb } from '@/utils/vault';
import { writeReadableArchive } from '@/utils/library/readable';
import { namePatternOrDefault } from '@/utils/files/name-pattern';
import type { RenderProgress } from '@/utils/readable';
import type { PageToWorker, WorkerToPage } from './protocol';

/** The worker's global scope (the project's TypeScript lib is DOM, not WebWorker). */
const scope = self as unknown as { postMessage(m: WorkerToPage): void; onmessage: ((e: MessageEvent<PageToWorker>) => void) | null };
const send = (m: WorkerToPage) => scope.postMessage(m);

/** At most one progress message per interval, so the page re-renders a few times a second at most. */
function throttled(intervalMs = 100): (p: RenderProgress) => void {
  let last = -Infinity;
  return (p) => {
    const now = performance.now();
    if (now - last < intervalMs) return;
    last = now;
    send({ type: 'progress', progress: p });
  };
}

const abort = new AbortController();
let started = false;

async function render(artifactIds: string[] | undefined, namePattern: string | undefined): Promise<void> {
  try {
    const { blob, summary } = await writeReadableArchive(getVaultDb(), {
      artifactIds: artifactIds ? new Set(artifactIds) : undefined,
      namePattern: namePatternOrDefault(namePattern),
      signal: abort.signal,
      onProgress: throttled(),
    });
    send({ type: 'done', blob, summary });
  } catch (error) {
    send(abort.signal.aborted ? { type: 'cancelled' } : { type: 'failed', message: error instanceof Error ? error.message : String(error) });
  }
}

scope.onmessage = (e: MessageEvent<PageToWorker>) => {
  const m = e.data;
  if (m.type === 'render' && !started) {
    started = true;
    void render(m.artifactIds, m.namePattern);
  } else if (m.type === 'cancel') abort.abort();
};
