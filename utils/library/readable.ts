/**
 * `Download readable archive` of the library page: the whole vault, or the artifacts of a selection and
 * their conversations, rendered (utils/readable) into a ZIP of disk-backable Blob parts. Runs in the
 * page's readable-archive worker (utils/readable-page/worker.ts), never on the page's main thread.
 */
import { createBlobSink } from '@/utils/archive';
import { dexieVault } from '@/utils/reconcile/dexie-vault';
import { renderReadableArchive, vaultInput, zipOutput, type RenderProgress, type RenderSummary } from '@/utils/readable';
import type { NamePattern } from '@/utils/files/name-pattern';
import type { VaultDb } from '@/utils/vault';

export interface WriteReadableOptions {
  artifactIds?: ReadonlySet<string>;
  namePattern?: NamePattern;
  signal?: AbortSignal;
  onProgress?: (p: RenderProgress) => void;
}

export async function writeReadableArchive(db: VaultDb, opts: WriteReadableOptions = {}): Promise<{ blob: Blob; summary: RenderSummary }> {
  const sink = createBlobSink();
  const out = zipOutput(sink.writable);
  try {
    const summary = await renderReadableArchive(await vaultInput(dexieVault(db), { artifactIds: opts.artifactIds }), out, {
      namePattern: opts.namePattern, signal: opts.signal, onProgress: opts.onProgress,
    });
    await out.writer.close();
    return { blob: sink.toBlob('application/zip'), summary };
  } catch (error) {
    await out.writer.abort(error).catch(() => undefined);
    throw error;
  }
}
