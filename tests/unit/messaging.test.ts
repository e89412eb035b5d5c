/**
 * The messaging contract, at the type level (checked by `tsc --noEmit`, part of `npm test`) and at run time
 * through the real @webext-core/messaging over WXT's fake browser.
 */
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { CaptureFailure, toFailure } from '@/utils/chatgpt/net/failure';
import { onMessage, removeAllListeners, sendMessage, type ConversationStatus, type PageReadAnswer, type ProtocolMap, type ReadAnswer } from '@/utils/messaging';

afterEach(() => removeAllListeners());

describe('messaging contract', () => {
  it('types each message by its one data object and plain return value', () => {
    expectTypeOf<Parameters<ProtocolMap['conversationShown']>[0]>().toEqualTypeOf<{ conversationId: string | null }>();
    expectTypeOf<Parameters<ProtocolMap['tabStatus']>[0]>().toEqualTypeOf<{ tabId: number }>();
    expectTypeOf<ReturnType<ProtocolMap['tabStatus']>>().toEqualTypeOf<ConversationStatus>();
    expectTypeOf<ReturnType<ProtocolMap['pageRead']>>().toEqualTypeOf<PageReadAnswer>();
    expectTypeOf<ReturnType<ProtocolMap['readConversation']>>().toEqualTypeOf<ReadAnswer>();
    expectTypeOf<Parameters<ProtocolMap['recordConversation']>[0]>().toHaveProperty('readId').toEqualTypeOf<string>();
    if (false as boolean) {
      // @ts-expect-error a tab id is a number
      void sendMessage('tabStatus', { tabId: '7' });
      // @ts-expect-error conversations travel over the capture port in pieces, never as one message
      void sendMessage('conversationRead', { conversationId: 'c', json: '{}', gizmoId: null, reason: 'live' });
      // @ts-expect-error no such message
      void sendMessage('saveAnything', {});
    }
  });

  it('errors thrown by a handler reach the sender', async () => {
    onMessage('retryFailed', () => {
      throw new Error('vault unavailable');
    });
    await expect(sendMessage('retryFailed', { conversationId: null })).rejects.toThrow('vault unavailable');
  });

  it('a capture failure thrown by the background keeps its cause and reason at the tab', async () => {
    onMessage('readConversation', () => {
      throw new CaptureFailure({ cause: 'rate-limited', reason: 'Conversation read rate limited (HTTP 429)', retryAfterMs: 4_000 });
    });
    const err = await sendMessage('readConversation', { conversationId: 'c', gizmoId: null, reason: 'live', account: null }).catch((e: unknown) => e);
    expect(toFailure(err)).toEqual({ cause: 'rate-limited', reason: 'Conversation read rate limited (HTTP 429)', retryAfterMs: 4_000 });
  });

  it('round-trips a typed value', async () => {
    onMessage('retryFailed', ({ data }) => (data.conversationId ? 1 : 0));
    await expect(sendMessage('retryFailed', { conversationId: 'c1' })).resolves.toBe(1);
  });
});
