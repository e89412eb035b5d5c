import { afterEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { startBackupBackground } from '@/utils/worker/backup/backup-worker';
import { removeAllListeners } from '@/utils/messaging';
import { createVaultDb } from '@/utils/vault';

describe('startBackupBackground: who may send what', () => {
  const EXT = 'test-extension-id';
  const contentScript = { id: EXT, url: 'https://chatgpt.com/', tab: { id: 7, url: 'https://chatgpt.com/' } };
  const popup = { id: EXT, url: `chrome-extension://${EXT}/popup.html` };

  afterEach(() => removeAllListeners());

  /** Delivers a message the way @webext-core/messaging sends it, from `sender`; resolves with `{ res }` or `{ err }`. */
  async function send(type: string, data: unknown, sender: object): Promise<{ res?: unknown; err?: { message: string } }> {
    return new Promise((resolve) => {
      void fakeBrowser.runtime.onMessage.trigger({ id: 1, type, data, timestamp: Date.now() }, sender, resolve);
    });
  }

  it.each([
    ['backupStart', { scope: 'everything' }],
    ['backupStatus', { runId: 'everything' }],
    ['backupControl', { runId: 'everything', action: 'cancel' }],
  ])('%s from a content script is refused', async (type, data) => {
    startBackupBackground({ db: createVaultDb(`t-${Math.random().toString(36).slice(2)}`), recordConversation: () => Promise.resolve(), kick: () => undefined, workspace: () => Promise.resolve(null), cancelDownloads: () => Promise.resolve([]) });
    expect((await send(type, data, contentScript)).err?.message).toMatch(/extension's own pages/);
  });

  it('backupStatus from the popup is answered', async () => {
    startBackupBackground({ db: createVaultDb(`t-${Math.random().toString(36).slice(2)}`), recordConversation: () => Promise.resolve(), kick: () => undefined, workspace: () => Promise.resolve(null), cancelDownloads: () => Promise.resolve([]) });
    expect(await send('backupStatus', { runId: 'everything' }, popup)).toEqual({ res: null });
  });
});
