/**
 * The live vault (utils/vault, Dexie) as a reconcile VaultSide. Read-only: reconciliation never changes
 * the vault, so only the vault's read operations are called here.
 */
import { allArtifacts, getBlob, getSnapshotJson, snapshotIds, type VaultDb } from '@/utils/vault';
import type { VaultArtifact, VaultSide } from './vault-side';

export function dexieVault(db: VaultDb): VaultSide {
  return {
    async artifacts(): Promise<VaultArtifact[]> {
      const rows = await allArtifacts(db);
      return rows.map((r) => ({
        id: r.id, kind: r.kind, conversationId: r.conversationId, messageId: r.messageId, fileId: r.fileId, genId: r.genId,
        fileName: r.fileName, sandboxPath: r.sandboxPath, mimeType: r.mimeType, status: r.status,
        sha256: r.status === 'saved' ? r.sha256 : null, size: r.status === 'saved' ? r.size : null, conversationTitle: r.conversationTitle,
        prompt: r.prompt, reason: r.reason,
      }));
    },
    async bytes(sha256) {
      const blob = await getBlob(db, sha256);
      return blob ? blob.stream() : null;
    },
    async snapshotIds() {
      return (await snapshotIds(db)).map(String);
    },
    async snapshot(id) {
      const json = await getSnapshotJson(db, id);
      return json === null ? null : new TextEncoder().encode(json);
    },
  };
}
