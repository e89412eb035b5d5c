/**
 * The compact index of the export the last reconcile read (`exports` + `exportConversations`, schema
 * version 3): per conversation its `update_time` and whether it holds any artifact reference. The reconcile
 * worker of the library page writes it after a run; `Back up everything` reads it to skip conversations the
 * export already shows in full (utils/worker/backup/runner.ts). A new reconcile replaces it whole.
 */
import type { ExportConversationRecord, ExportIndexMeta, VaultDb } from './db';

/** Replaces the stored index with this export's, in one transaction (a reader never sees half of two). */
export async function saveExportIndex(
  db: VaultDb,
  meta: Omit<ExportIndexMeta, 'id' | 'conversations'>,
  conversations: readonly ExportConversationRecord[],
): Promise<ExportIndexMeta> {
  const row: ExportIndexMeta = { id: 'last', name: meta.name, reconciledAt: meta.reconciledAt, conversations: conversations.length };
  await db.transaction('rw', db.exports, db.exportConversations, async () => {
    await db.exportConversations.clear();
    await db.exportConversations.bulkPut(conversations.slice());
    await db.exports.put(row);
  });
  return row;
}

/** The stored export's name and date, or null when none was reconciled. */
export async function exportIndexMeta(db: VaultDb): Promise<ExportIndexMeta | null> {
  return (await db.exports.get('last')) ?? null;
}

/**
 * Whether the export shows this conversation with no artifact at all and the listing's `update_time`
 * (seconds) is not newer than the export's: reading it again could find nothing the export lacks.
 */
export async function exportShowsNothingNew(db: VaultDb, conversationId: string, listedUpdateTime: number | null): Promise<boolean> {
  if (listedUpdateTime === null) return false;
  const row = await db.exportConversations.get(conversationId);
  // A millisecond of slack: the listing's ISO string and the export's float can round the same instant apart.
  return row !== undefined && !row.artifacts && row.updateTime !== null && listedUpdateTime <= row.updateTime + 0.001;
}
