import { startBackupBackground } from '@/utils/backup/background';
import { recordConversation, startCaptureBackground } from '@/utils/capture/background';
import { getVaultDb } from '@/utils/vault';

// Wiring only: capture logic lives in utils/capture/, backup in utils/backup/, the vault in utils/vault/.
export default defineBackground({
  type: 'module',
  main() {
    const db = getVaultDb();
    const queue = startCaptureBackground(db);
    startBackupBackground({
      db,
      recordConversation: async (json, conversationId, gizmoId) => {
        await recordConversation(db, queue, { conversationId, gizmoId, reason: 'backup', json });
      },
      kick: () => queue.kick(),
    });
  },
});
