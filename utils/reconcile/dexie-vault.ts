/**
 * The live vault (utils/vault, Dexie) as a reconcile VaultSide. Read-only: reconciliation never changes
 * the vault, so only reads (`toArray`, `get`, `primaryKeys`) are issued here.
 */
import type { VaultDb } from '@/utils/vault';
import type { VaultArtifact, VaultSide } from './vault-side';

export function dexieVault(db: VaultDb): VaultSide {
  return {
    async artifacts(): Promise<VaultArtifact[]> {
      const rows = await db.artifacts.toArray();
      return rows.map((r) => ({
        id: r.id, kind: r.kind, conversationId: r.conversationId, messageId: r.messageId, fileId: r.fileId, genId: r.genId,
        fileName: r.fileName, sandboxPath: r.sandboxPath, mimeType: r.mimeType, status: r.status,
        sha256: r.status === 'saved' ? r.sha256 : null, size: r.status === 'saved' ? r.size : null, conversationTitle: r.conversationTitle,
        prompt: r.prompt, reason: r.reason,
      }));
    },
    async bytes(sha256) {
      const row = await db.blobs.get(sha256);
      return row ? row.blob.stream() : null;
    },
    async snapshotIds() {
      return (await db.snapshots.toCollection().primaryKeys()).map(String);
    },
    async snapshot(id) {
      const row = await db.snapshots.get(id);
      return row ? new TextEncoder().encode(row.json) : null;
    },
  };
}
