/**
 * The messages between the library page and its readable-archive worker (`worker.ts`): the page asks for
 * the archive of the whole vault or of a selection, the worker answers with throttled progress, then the
 * archive as a Blob of disk-backable parts (or why not). One archive per worker.
 */
import type { RenderProgress, RenderSummary } from '@/utils/readable';

export type PageToWorker =
  /** Render the vault (or only the artifacts `artifactIds` names, and their conversations). */
  | { type: 'render'; artifactIds?: string[]; namePattern?: string }
  /** Stop rendering; answered by `cancelled`. */
  | { type: 'cancel' };

export type WorkerToPage =
  | { type: 'progress'; progress: RenderProgress }
  | { type: 'done'; blob: Blob; summary: RenderSummary }
  | { type: 'cancelled' }
  | { type: 'failed'; message: string };
