/**
 * What the vault archive (utils/archive, docs/FORMATS.md section 1) reads from the vault and writes into it.
 * A restore's writes happen in one transaction over records, bytes, conversations and snapshots, so a
 * failure at any point (a throwing merge included) leaves the vault exactly as it was.
 */
import { blobKeysAmong } from './artifacts';
import type { ArtifactRecord, BlobRecord, ConversationRecord, SnapshotRecord, VaultDb } from './db';

/** Records and keys only: neither blobs nor snapshot JSON are read. */
export interface ArchiveContents {
  /** Artifact records by id. */
  records: ArtifactRecord[];
  blobKeys: string[];
  snapshotKeys: string[];
  /** Conversation rows by id. */
  conversations: ConversationRecord[];
}

/** Everything an archive of the whole vault, or of one conversation (`only`), is built from. */
export async function archiveContents(db: VaultDb, only?: string): Promise<ArchiveContents> {
  const [records, blobKeys, snapshotKeys, conversations] = await Promise.all([
    only === undefined
      ? db.artifacts.orderBy('id').toArray()
      : db.artifacts.where('conversationId').equals(only).toArray().then((rs) => rs.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))),
    db.blobs.toCollection().primaryKeys(),
    only === undefined ? db.snapshots.toCollection().primaryKeys() : db.snapshots.where('id').equals(only).primaryKeys(),
    only === undefined ? db.conversations.orderBy('id').toArray() : db.conversations.where('id').equals(only).toArray(),
  ]);
  return { records, blobKeys, snapshotKeys, conversations };
}

/** A restore's merge, decided inside the transaction from what the vault holds when it runs. */
export interface RestoreMerge {
  artifactIds: readonly string[];
  conversationIds: readonly string[];
  /** From the records held now (in `artifactIds` order): the records to put and the blobs they need. */
  artifacts(held: readonly (ArtifactRecord | undefined)[]): { puts: ArtifactRecord[]; neededBlobs: Iterable<string> };
  /** The bytes of a needed blob the vault lacks; throwing rolls the whole restore back. */
  blob(sha256: string): BlobRecord;
  /**
   * From the rows held now (in `conversationIds` order): the rows and snapshots to put, and the titles their
   * conversations' artifacts take.
   */
  conversations(held: readonly (ConversationRecord | undefined)[]): { rows: ConversationRecord[]; snapshots: SnapshotRecord[]; retitle: Map<string, string> };
}

/** Applies a restore in one transaction. */
export async function applyRestore(db: VaultDb, merge: RestoreMerge): Promise<void> {
  await db.transaction('rw', [db.artifacts, db.blobs, db.conversations, db.snapshots], async () => {
    const artifacts = merge.artifacts(await db.artifacts.bulkGet([...merge.artifactIds]));

    // Identical content is stored once: only blobs the vault lacks are added (keys only, no blob reads).
    const wanted = [...artifacts.neededBlobs];
    const present = await blobKeysAmong(db, wanted);
    const blobRows = wanted.filter((sha) => !present.has(sha)).map((sha) => merge.blob(sha));
    if (blobRows.length > 0) await db.blobs.bulkAdd(blobRows);
    if (artifacts.puts.length > 0) await db.artifacts.bulkPut(artifacts.puts);

    const { rows, snapshots, retitle } = merge.conversations(await db.conversations.bulkGet([...merge.conversationIds]));
    if (rows.length > 0) {
      await db.conversations.bulkPut(rows);
      await db.snapshots.bulkPut(snapshots);
    }
    // A newer snapshot names its conversation's artifacts, the vault's own included. One getAll per
    // conversation, issued together, then one write (anyOf() walks a cursor, which fake-indexeddb makes
    // quadratic: 10,000 artifacts took minutes in the 2026-11 bench).
    if (retitle.size > 0) {
      const groups = await Promise.all([...retitle.keys()].map((id) => db.artifacts.where('conversationId').equals(id).toArray()));
      const stale = groups.flat().filter((r) => r.conversationTitle !== retitle.get(r.conversationId));
      if (stale.length > 0) await db.artifacts.bulkPut(stale.map((r) => ({ ...r, conversationTitle: retitle.get(r.conversationId)! })));
    }
  });
}
