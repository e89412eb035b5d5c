/**
 * What the library page needs from the vault, as one injectable object: the page takes a `LibraryApi`
 * so component tests run it over a fake-indexeddb vault and the benchmark can count blob reads.
 * Listing returns records only (utils/library/listing.ts); bytes are fetched one SHA-256 at a time, when a
 * tile scrolls into view or a download asks for them.
 */
import { createZipWriter } from '@/utils/zip';
import type { ArtifactRecord, ConversationRecord, VaultDb } from '@/utils/vault';
import { deleteArtifact, getBlob, getVaultDb } from '@/utils/vault';
import { createBlobSink, restoreVaultArchive, writeVaultArchive, type RestoreResult } from '@/utils/archive';
import type { RenderProgress, RenderSummary } from '@/utils/readable';
import { renderReadableInWorker } from '@/utils/readable-page/client';
import { listAllArtifacts, listConversationsById, listNewestArtifacts } from './listing';
import { safeFileName } from '@/utils/files/safe-file-name';
import type { NamePattern } from '@/utils/files/name-pattern';
import { UniqueNames } from '@/utils/reconcile/unique-names';
import { artifactCopy, type CopyOptions } from './download';

export interface LibraryApi {
  /** Every artifact record, in no particular order. */
  listArtifacts(): Promise<ArtifactRecord[]>;
  /** The newest `limit` artifacts in gallery order: what the first screen shows (all of them when fewer). */
  listNewestArtifacts(limit: number): Promise<ArtifactRecord[]>;
  /** All conversations, or only those with the given ids. */
  listConversations(ids?: readonly string[]): Promise<ConversationRecord[]>;
  getBlob(sha256: string): Promise<Blob | null>;
  deleteArtifact(id: string): Promise<boolean>;
  /** The whole vault as a vault archive (docs/FORMATS.md section 1). */
  writeBackup(): Promise<Blob>;
  restoreBackup(file: Blob): Promise<RestoreResult>;
  /**
   * The readable archive (docs/FORMATS.md section 5) of the whole vault, or of the artifacts `artifactIds`
   * names and their conversations; rendered in a worker (utils/readable-page/) and streamed into a Blob of
   * parts the browser can keep on disk. Rejects with a `ReadableRunError` (cancelled when `signal` aborts it).
   */
  writeReadable(
    artifactIds?: ReadonlySet<string>,
    namePattern?: NamePattern,
    run?: { onProgress?: (p: RenderProgress) => void; signal?: AbortSignal },
  ): Promise<{ blob: Blob; summary: RenderSummary }>;
  /**
   * The selected artifacts' copies in a ZIP, one folder per conversation, named and (when asked) given their
   * prompt as `copy` says; `notes` names each file whose prompt could not be written, and why.
   */
  zipSelection(records: readonly ArtifactRecord[], titles: ReadonlyMap<string, string | null>, copy: CopyOptions): Promise<{ blob: Blob; notes: string[] }>;
}

export function createLibraryApi(db: VaultDb = getVaultDb()): LibraryApi {
  // Open the vault while the page renders its shell (Dexie would open on the first query); a failure
  // surfaces on that query.
  db.open().catch(() => undefined);
  return {
    listArtifacts: () => listAllArtifacts(db),
    listNewestArtifacts: (limit) => listNewestArtifacts(db, limit),
    listConversations: (ids) => listConversationsById(db, ids),
    getBlob: (sha256) => getBlob(db, sha256),
    deleteArtifact: (id) => deleteArtifact(db, id),
    async writeBackup() {
      const sink = createBlobSink();
      await writeVaultArchive(db, sink.writable);
      return sink.toBlob();
    },
    restoreBackup: (file) => restoreVaultArchive(db, file),
    // The worker opens the extension's vault itself (`getVaultDb`), as the reconcile worker does.
    writeReadable: (artifactIds, namePattern, run = {}) => renderReadableInWorker({ artifactIds, namePattern: namePattern?.source, ...run }),
    zipSelection: (records, titles, copy) => zipSelection(db, records, titles, copy),
  };
}

/**
 * Streams the saved artifacts among `records` into a ZIP (stored: people pick images and finished files,
 * and speed matters more than a few percent), one blob at a time. Folder and file names are unique per
 * folder (`UniqueNames`), so a folder and a file can never take the same member path.
 */
async function zipSelection(
  db: VaultDb,
  records: readonly ArtifactRecord[],
  titles: ReadonlyMap<string, string | null>,
  copy: CopyOptions,
): Promise<{ blob: Blob; notes: string[] }> {
  const sink = createBlobSink();
  const zip = createZipWriter(sink.writable);
  const folders = new Map<string, string>();
  const names = new UniqueNames();
  const notes: string[] = [];
  for (const r of records) {
    if (r.status !== 'saved' || r.sha256 === null) continue;
    const blob = await getBlob(db, r.sha256);
    if (!blob) continue;
    const title = titles.get(r.conversationId) ?? r.conversationTitle;
    let folder = folders.get(r.conversationId);
    if (folder === undefined) {
      folder = names.nextPath(safeFileName(title ?? r.conversationId, 'conversation', 80));
      folders.set(r.conversationId, folder);
    }
    const made = await artifactCopy(r, blob, title, copy);
    const path = names.next(folder, made.name);
    if (made.note) notes.push(`${path}: ${made.note}`);
    await zip.add(path, made.blob, { lastModified: r.capturedAt !== null ? new Date(r.capturedAt) : undefined });
  }
  await zip.close();
  return { blob: sink.toBlob(), notes };
}
