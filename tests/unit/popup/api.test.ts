import { describe, expect, it } from 'vitest';
import { createPopupApi } from '@/utils/popup/api';
import { recordRefs } from '@/utils/vault';
import { freshDb, imageRef } from '../vault/helpers';

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('the popup connector', () => {
  it("signals once at first, again when the conversation's records change, and not after unsubscribing", async () => {
    const db = freshDb();
    const api = createPopupApi(db);
    let calls = 0;
    const stop = api.watch('conv-1', () => calls++);
    await until(() => calls >= 1);
    expect(calls).toBe(1);
    await recordRefs(db, [imageRef({ conversationId: 'conv-1', fileId: 'file-a' })], { source: 'live', conversationTitle: null });
    await until(() => calls >= 2);
    expect(calls).toBe(2);
    stop();
    await recordRefs(db, [imageRef({ conversationId: 'conv-1', fileId: 'file-b' })], { source: 'live', conversationTitle: null });
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toBe(2);
  });

  it('watches the whole vault on a tab without a conversation', async () => {
    const db = freshDb();
    const api = createPopupApi(db);
    let calls = 0;
    const stop = api.watch(null, () => calls++);
    await until(() => calls >= 1);
    await recordRefs(db, [imageRef({ conversationId: 'conv-2', fileId: 'file-c' })], { source: 'live', conversationTitle: null });
    await until(() => calls >= 2);
    stop();
    expect(calls).toBe(2);
  });
});
