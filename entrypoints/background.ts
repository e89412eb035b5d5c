import { startBackupBackground } from '@/utils/worker/backup/backup-worker';
import { bulkPacer } from '@/utils/worker/backup/pacer';
import { recordConversation, startCaptureBackground, watchedConversations, workspaceOf } from '@/utils/worker/capture/capture-worker';
import { startCatchUp } from '@/utils/worker/catch-up/catch-up-worker';
import { WorkerNet } from '@/utils/chatgpt/net/worker-net';
import { getVaultDb } from '@/utils/vault';

// Wiring only: capture logic lives in utils/worker/capture/, backup in utils/worker/backup/, catch-up in
// utils/worker/catch-up/, ChatGPT's HTTP client in utils/chatgpt/net/, the vault in utils/vault/.
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
