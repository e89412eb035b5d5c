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
import { dexieVault } from '@/utils/reconcile/dexie-vault';
import { renderReadableArchive, vaultInput, zipOutput, type RenderSummary } from '@/utils/readable';
import { listAllArtifacts, listConversationsById, listNewestArtifacts } from './listing';
import { safeFileName } from '@/utils/files/names';
import { artifactFileName, uniqueName } from './names';

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
   * names and their conversations; streamed into a Blob of parts the browser can keep on disk.
   */
  writeReadable(artifactIds?: ReadonlySet<string>): Promise<{ blob: Blob; summary: RenderSummary }>;
  /** The selected artifacts' bytes in a ZIP, one folder per conversation. */
  zipSelection(records: readonly ArtifactRecord[], titles: ReadonlyMap<string, string | null>): Promise<Blob>;
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
    async writeReadable(artifactIds) {
      const sink = createBlobSink();
      const out = zipOutput(sink.writable);
      const summary = await renderReadableArchive(await vaultInput(dexieVault(db), { artifactIds }), out);
      await out.writer.close();
      return { blob: sink.toBlob('application/zip'), summary };
    },
    zipSelection: (records, titles) => zipSelection(db, records, titles),
  };
}

/**
 * Streams the saved artifacts among `records` into a ZIP (stored: people pick images and finished files,
 * and speed matters more than a few percent), streaming one blob at a time.
 */
async function zipSelection(
  db: VaultDb,
  records: readonly ArtifactRecord[],
  titles: ReadonlyMap<string, string | null>,
): Promise<Blob> {
  const sink = createBlobSink();
  const zip = createZipWriter(sink.writable);
  const folders = new Map<string, string>();
  const takenFolders = new Set<string>();
  const takenNames = new Map<string, Set<string>>();
  for (const r of records) {
    if (r.status !== 'saved' || r.sha256 === null) continue;
    const blob = await getBlob(db, r.sha256);
    if (!blob) continue;
    let folder = folders.get(r.conversationId);
    if (folder === undefined) {
      const title = titles.get(r.conversationId) ?? r.conversationTitle;
      folder = uniqueName(safeFileName(title ?? r.conversationId, 'conversation', 80), takenFolders);
      folders.set(r.conversationId, folder);
      takenNames.set(folder, new Set());
    }
    const name = uniqueName(artifactFileName(r), takenNames.get(folder)!);
    await zip.add(`${folder}/${name}`, blob, { lastModified: r.capturedAt !== null ? new Date(r.capturedAt) : undefined });
  }
  await zip.close();
  return sink.toBlob();
}
