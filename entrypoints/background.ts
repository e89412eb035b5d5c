import { startBackupBackground } from '@/utils/backup/background';
import { recordConversation, startCaptureBackground, workspaceOf } from '@/utils/capture/background';
import { WorkerNet } from '@/utils/capture/worker-net';
import { getVaultDb } from '@/utils/vault';

// Wiring only: capture logic lives in utils/capture/, backup in utils/backup/, the vault in utils/vault/.
export default defineBackground({
  type: 'module',
  main() {
    const db = getVaultDb();
    // One network for the worker: downloads, live reads and the backup share one JSON lane.
    const net = new WorkerNet();
    const queue = startCaptureBackground(db, net);
    startBackupBackground({
      db,
      lane: net.lanes,
      recordConversation: async (json, conversationId, gizmoId, { origin, account, source }, readTextdocs) => {
        await recordConversation(db, queue, { conversationId, gizmoId, reason: 'backup', json, origin, account, source, readTextdocs });
      },
      kick: () => queue.kick(),
      workspace: workspaceOf,
      cancelDownloads: (ids, reason) => queue.cancelDownloads(ids, reason),
      net,
    });
  },
});
