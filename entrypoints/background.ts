import { startBackupBackground } from '@/utils/backup/background';
import { bulkPacer } from '@/utils/backup/pacer';
import { recordConversation, startCaptureBackground, watchedConversations, workspaceOf } from '@/utils/capture/background';
import { startCatchUp } from '@/utils/catch-up/background';
import { WorkerNet } from '@/utils/capture/worker-net';
import { getVaultDb } from '@/utils/vault';

// Wiring only: capture logic lives in utils/capture/, backup in utils/backup/, catch-up in utils/catch-up/,
// the vault in utils/vault/.
export default defineBackground({
  type: 'module',
  main() {
    const db = getVaultDb();
    // One network for the worker: downloads, live reads and the backup share one JSON lane, and all bulk
    // work (backup, catch-up, their downloads' resolutions) one pacer and its bucket.
    const net = new WorkerNet();
    const pacer = bulkPacer(net);
    const queue = startCaptureBackground(db, net);
    const runner = startBackupBackground({
      db,
      pacer,
      recordConversation: async (json, conversationId, gizmoId, { origin, account, source }, readTextdocs) => {
        await recordConversation(db, queue, { conversationId, gizmoId, reason: 'backup', json, origin, account, source, readTextdocs });
      },
      kick: () => queue.kick(),
      workspace: workspaceOf,
      cancelDownloads: (ids, reason) => queue.cancelDownloads(ids, reason),
      net,
    });
    startCatchUp({
      db,
      pacer,
      backupRunning: () => runner.isBusy(),
      watched: watchedConversations,
      workspace: workspaceOf,
      // Recorded like a live read (source `live`), its downloads paced as bulk work.
      recordConversation: async (json, conversationId, gizmoId, { origin, account }) => {
        await recordConversation(db, queue, { conversationId, gizmoId, reason: 'live', json, origin, account, paced: true });
      },
      kick: () => queue.kick(),
      auth: (origin, account) => net.auth(origin, account),
    });
  },
});
