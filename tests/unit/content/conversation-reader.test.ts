import { describe, expect, it } from 'vitest';
import { ConversationReader, type ReaderDeps } from '@/utils/content/conversation-reader';

/** Reads of one conversation are at least a second apart (documented), pinned. */
const MIN_READ_GAP_MS = 1_000;
import { CaptureFailure } from '@/utils/chatgpt/net/failure';
import type { ReadAnswer, ReadReceipt } from '@/utils/messaging';

const CID = 'c0c0c0c0-0000-4000-8000-000000000001';

const receipt = (nodeIds: string[], imagesPending = 0): ReadReceipt => ({
  conversationId: CID, title: null, counts: { saved: 0, pending: 0, expired: 0, failed: 0 }, queued: 0, nodeIds, imagesPending,
});
/** The background's answer when it read the conversation itself. */
const read = (nodeIds: string[], imagesPending = 0): ReadAnswer => ({ read: receipt(nodeIds, imagesPending) });
/** An answer as the sender gets it: @webext-core/messaging sends it as JSON. */
const acrossWire = (answer: ReadAnswer): ReadAnswer => JSON.parse(JSON.stringify(answer)) as ReadAnswer;

/**
 * The error a sender gets when the handler threw `err`: @webext-core/messaging sends the error's name,
 * message and own fields as JSON and rebuilds a plain Error from them.
 */
const acrossMessaging = (err: Error): Error => {
  const wire = JSON.parse(JSON.stringify({ ...err, name: err.name, message: err.message })) as Record<string, unknown>;
  return Object.assign(new Error(String(wire.message)), wire);
};

function setup(over: Partial<ReaderDeps> = {}) {
  let now = 1_000_000;
  let timers: { at: number; fn: () => void }[] = [];
  const log: string[] = [];
  const receipts: ReadReceipt[] = [];
  const deps: ReaderDeps = {
    readInBackground: () => {
      log.push('background');
      return Promise.resolve(read(['m1']));
    },
    readInTab: () => {
      log.push('tab');
      return Promise.resolve('{"conversation_id":"x"}');
    },
    deliver: () => {
      log.push('deliver');
      return Promise.resolve(receipt(['m1', 'm2']));
    },
    account: () => Promise.resolve(null),
    setTimeout: (fn, ms) => void timers.push({ at: now + ms, fn }),
    now: () => now,
    onReceipt: (_id, r) => void receipts.push(r),
    ...over,
  };
  const reader = new ConversationReader(deps);
  /** Run due timers (and the promises they start) until `ms` have passed. */
  const advance = async (ms: number) => {
    const until = now + ms;
    for (;;) {
      await new Promise((r) => setTimeout(r, 0));
      const due = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      timers = timers.filter((t) => t !== due);
      now = Math.max(now, due.at);
      due.fn();
    }
    now = until;
    await new Promise((r) => setTimeout(r, 0));
  };
  return { reader, log, receipts, advance };
}

describe('ConversationReader', () => {
  it('asks the background and keeps what the receipt says', async () => {
    const { reader, log, receipts, advance } = setup({ readInBackground: () => Promise.resolve(read(['m1', 'n1'], 2)) });
    reader.request(CID, null);
    await advance(0);
    expect(receipts).toHaveLength(1);
    expect(reader.hasRead(CID)).toBe(true);
    expect(reader.knows(CID, 'n1')).toBe(true);
    expect(reader.knows(CID, 'zz')).toBe(false);
    expect(reader.knows('other', 'n1')).toBe(false);
    expect(reader.imagesPending(CID)).toBe(2);
    expect(log).toEqual([]);
  });

  it('requests while a read runs fold into one more read, spaced by the minimum gap', async () => {
    let release: () => void = () => undefined;
    const { reader, log, advance } = setup({
      readInBackground: () => {
        log.push('background');
        return new Promise((r) => (release = () => r(read([]))));
      },
    });
    reader.request(CID, null);
    await advance(0);
    reader.request(CID, null);
    reader.request(CID, null);
    reader.request(CID, null);
    release();
    await advance(MIN_READ_GAP_MS - 1);
    expect(log).toEqual(['background']);
    await advance(1);
    expect(log).toEqual(['background', 'background']);
    release();
    await advance(60_000);
    expect(log).toEqual(['background', 'background']);
  });

  it('falls back to reading in the tab for good once the background says so, even through messaging', async () => {
    const { reader, log, advance } = setup({
      readInBackground: () => {
        log.push('background');
        return Promise.resolve(acrossWire({ tabReads: 'from-now-on' }));
      },
    });
    reader.request(CID, null);
    await advance(0);
    expect(log).toEqual(['background', 'tab', 'deliver']);
    expect(reader.knows(CID, 'm2')).toBe(true);
    reader.request(CID, null);
    await advance(MIN_READ_GAP_MS);
    // Unchanged text: read, but not handed over again.
    expect(log).toEqual(['background', 'tab', 'deliver', 'tab']);
  });

  it('a 404 for the worker (tabReads: once) is read by the tab that once; the next read asks the background again', async () => {
    let first = true;
    const { reader, log, advance } = setup({
      readInBackground: () => {
        log.push('background');
        if (!first) return Promise.resolve(read(['m1', 'm2', 'm3']));
        first = false;
        return Promise.resolve(acrossWire({ tabReads: 'once' }));
      },
    });
    reader.request(CID, null);
    await advance(0);
    expect(log).toEqual(['background', 'tab', 'deliver']);
    reader.request(CID, null);
    await advance(MIN_READ_GAP_MS);
    expect(log).toEqual(['background', 'tab', 'deliver', 'background']);
    expect(reader.knows(CID, 'm3')).toBe(true);
  });

  it('a rate-limited read is retried with backoff, a bounded number of times', async () => {
    const { reader, log, advance } = setup({
      readInBackground: () => {
        log.push('background');
        return Promise.reject(acrossMessaging(new CaptureFailure({ cause: 'rate-limited', reason: 'HTTP 429', retryAfterMs: null })));
      },
    });
    reader.request(CID, null);
    await advance(30 * 60_000);
    expect(log.length).toBe(6);
  });

  it('a conversation not on the server yet (404 in the tab) is retried', async () => {
    let answers = [null, '{"a":1}'];
    const { reader, log, advance } = setup({
      readInBackground: () => Promise.resolve({ tabReads: 'from-now-on' }),
      readInTab: () => {
        log.push('tab');
        const [next, ...rest] = answers;
        answers = rest;
        return Promise.resolve(next ?? null);
      },
    });
    reader.request(CID, null);
    await advance(10 * 60_000);
    expect(log).toEqual(['tab', 'tab', 'deliver']);
  });
});
