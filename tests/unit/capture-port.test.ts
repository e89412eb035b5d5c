import { describe, expect, it } from 'vitest';
import { ChunkEncoder, ConversationInbox, fromBase64, parseToBackground, textPieces } from '@/utils/capture-port';
import { concat, firstDiff, randomBytes } from './helpers';

/** The protocol's sizes, pinned: a byte chunk is 512 KiB, a text piece 256 Ki characters. */
const CHUNK_BYTES = 512 * 1024;
const TEXT_CHUNK_CHARS = 256 * 1024;
const MAX_B64 = Math.ceil(CHUNK_BYTES / 3) * 4;

describe('parseToBackground', () => {
  const done = { t: 'done', jobId: 'j1', chunks: 2, size: 10, mimeType: 'image/png', fileId: null, fileName: 'a.png' };

  it.each([
    ['chunk', { t: 'chunk', jobId: 'j1', seq: 0, b64: 'AAEC' }],
    ['largest chunk', { t: 'chunk', jobId: 'j1', seq: 3, b64: 'A'.repeat(MAX_B64) }],
    ['empty chunk', { t: 'chunk', jobId: 'j1', seq: 0, b64: '' }],
    ['done', done],
    ['done with nulls', { ...done, mimeType: null, fileId: null, fileName: null, chunks: 0, size: 0 }],
    ['failed', { t: 'failed', jobId: 'j1', failure: { cause: 'gone', reason: 'Code interpreter session expired', retryAfterMs: null } }],
    ['failed with retry', { t: 'failed', jobId: 'j1', failure: { cause: 'rate-limited', reason: '429', retryAfterMs: 3000 } }],
  ])('accepts a good %s message unchanged', (_, msg) => {
    expect(parseToBackground(msg)).toEqual(msg);
  });

  it('drops unknown extra fields and normalises an absent or bad retryAfterMs to null', () => {
    expect(parseToBackground({ t: 'chunk', jobId: 'j', seq: 1, b64: 'AA==', evil: 'x' })).toEqual({ t: 'chunk', jobId: 'j', seq: 1, b64: 'AA==' });
    expect(parseToBackground({ t: 'failed', jobId: 'j', failure: { cause: 'server', reason: 'r' } })).toEqual({
      t: 'failed', jobId: 'j', failure: { cause: 'server', reason: 'r', retryAfterMs: null },
    });
    expect(parseToBackground({ t: 'failed', jobId: 'j', failure: { cause: 'server', reason: 'r', retryAfterMs: -5 } })).toMatchObject({
      failure: { retryAfterMs: null },
    });
  });

  it('caps a long failure reason', () => {
    const parsed = parseToBackground({ t: 'failed', jobId: 'j', failure: { cause: 'network', reason: 'x'.repeat(10_000) } });
    expect(parsed?.t === 'failed' && parsed.failure.reason.length).toBe(300);
  });

  it.each([
    ['null', null],
    ['a string', 'chunk'],
    ['an array', [1, 2]],
    ['unknown type', { t: 'hello', jobId: 'j' }],
    ['no jobId', { t: 'chunk', seq: 0, b64: '' }],
    ['numeric jobId', { t: 'chunk', jobId: 5, seq: 0, b64: '' }],
    ['oversized jobId', { t: 'chunk', jobId: 'j'.repeat(601), seq: 0, b64: '' }],
    ['oversized chunk', { t: 'chunk', jobId: 'j', seq: 0, b64: 'A'.repeat(MAX_B64 + 8) }],
    ['negative seq', { t: 'chunk', jobId: 'j', seq: -1, b64: '' }],
    ['fractional seq', { t: 'chunk', jobId: 'j', seq: 1.5, b64: '' }],
    ['string seq', { t: 'chunk', jobId: 'j', seq: '1', b64: '' }],
    ['binary payload', { t: 'chunk', jobId: 'j', seq: 0, b64: new Uint8Array(3) }],
    ['done without size', { ...done, size: undefined }],
    ['done with negative size', { ...done, size: -1 }],
    ['done with NaN chunks', { ...done, chunks: Number.NaN }],
    ['done with numeric mimeType', { ...done, mimeType: 5 }],
    ['done with undefined fileId', { ...done, fileId: undefined }],
    ['failed without failure', { t: 'failed', jobId: 'j' }],
    ['failed with unknown cause', { t: 'failed', jobId: 'j', failure: { cause: 'exploded', reason: 'r' } }],
    ['failed without reason', { t: 'failed', jobId: 'j', failure: { cause: 'gone' } }],
    ['failed with null failure', { t: 'failed', jobId: 'j', failure: null }],
  ])('rejects %s', (_, msg) => {
    expect(parseToBackground(msg)).toBeNull();
  });
});

describe('base64 chunks / fromBase64', () => {
  // Around 0x8000: the encoder builds its binary string in pieces of that size.
  it.each([1, 2, 3, 0x8000 - 1, 0x8000, 0x8000 + 1, 100_003])('a chunk of %i random bytes is standard base64 and round-trips', async (n) => {
    const bytes = randomBytes(n, n + 7);
    const sent: string[] = [];
    const enc = new ChunkEncoder((_, b64) => sent.push(b64));
    await enc.push(bytes);
    await enc.flush();
    expect(sent).toEqual([Buffer.from(bytes).toString('base64')]);
    expect(firstDiff(fromBase64(sent[0]!), bytes)).toBe(-1);
  });

  it('rejects text that is not base64', () => {
    expect(() => fromBase64('not base64!!')).toThrow();
  });
});

describe('ChunkEncoder', () => {
  const run = async (total: number, pieceSizes: number[]) => {
    const data = randomBytes(total, total + 3);
    const sent: Array<{ seq: number; b64: string }> = [];
    const enc = new ChunkEncoder((seq, b64) => sent.push({ seq, b64 }));
    let offset = 0;
    let k = 0;
    while (offset < total) {
      const n = Math.min(pieceSizes[k++ % pieceSizes.length]!, total - offset);
      await enc.push(data.subarray(offset, offset + n));
      offset += n;
    }
    await enc.flush();
    return { data, sent, enc };
  };

  it.each([
    ['0 bytes', 0],
    ['1 byte', 1],
    ['CHUNK_BYTES - 1', CHUNK_BYTES - 1],
    ['CHUNK_BYTES', CHUNK_BYTES],
    ['CHUNK_BYTES + 1', CHUNK_BYTES + 1],
    ['2.5 * CHUNK_BYTES', Math.floor(2.5 * CHUNK_BYTES)],
  ])('%s: in-order chunks of at most CHUNK_BYTES that reassemble to the input', async (_, total) => {
    for (const pieces of [[total || 1], [65_536], [7_919, 1, 300_000]]) {
      const { data, sent, enc } = await run(total, pieces);
      expect(sent.map((s) => s.seq)).toEqual([...Array(sent.length).keys()]);
      expect(enc.seq).toBe(sent.length);
      expect(sent.length).toBe(Math.ceil(total / CHUNK_BYTES));
      const decoded = sent.map((s) => fromBase64(s.b64));
      for (const d of decoded.slice(0, -1)) expect(d.length).toBe(CHUNK_BYTES);
      for (const s of sent) expect(parseToBackground({ t: 'chunk', jobId: 'j', seq: s.seq, b64: s.b64 })).not.toBeNull();
      expect(firstDiff(concat(decoded), data)).toBe(-1);
    }
  });

  it('a second flush sends nothing', async () => {
    const sent: number[] = [];
    const enc = new ChunkEncoder((seq) => sent.push(seq));
    await enc.push(new Uint8Array([1, 2, 3]));
    await enc.flush();
    await enc.flush();
    expect(sent).toEqual([0]);
  });

  it('copies the input: mutating a pushed buffer afterwards does not change what was sent', async () => {
    const sent: string[] = [];
    const enc = new ChunkEncoder((_, b64) => sent.push(b64));
    const buf = new Uint8Array([9, 8, 7]);
    await enc.push(buf);
    buf.fill(0);
    await enc.flush();
    expect(fromBase64(sent[0]!)).toEqual(new Uint8Array([9, 8, 7]));
  });
});

describe('ConversationInbox: conversation pieces streamed over the port', () => {
  /** The read-chunk messages of `json`, as the tab posts them. */
  function pieces(json: string, readId = 'r1') {
    return textPieces(json).map((text, seq) => parseToBackground({ t: 'read-chunk', readId, seq, text }) as Extract<ReturnType<typeof parseToBackground>, { t: 'read-chunk' }>);
  }

  it('joins many pieces exactly, whether the request comes before or after them', async () => {
    const json = JSON.stringify({ conversation_id: 'c1', mapping: {}, filler: 'é'.repeat(TEXT_CHUNK_CHARS * 2 + 17) });
    const chunks = textPieces(json).length;
    expect(chunks).toBe(3);
    const early = new ConversationInbox();
    const asked = early.complete('r1', chunks, json.length);
    for (const p of pieces(json)) early.take(p);
    expect((await asked) === json).toBe(true);
    const late = new ConversationInbox();
    for (const p of pieces(json)) late.take(p);
    expect((await late.complete('r1', chunks, json.length)) === json).toBe(true);
  });

  it('an empty conversation is zero pieces', async () => {
    await expect(new ConversationInbox().complete('r1', 0, 0)).resolves.toBe('');
  });

  it.each([
    ['a missing last piece', (m: unknown[]) => m.slice(0, 2), /incomplete/],
    ['a missing middle piece', (m: unknown[]) => [m[0], m[2]], /out of order/],
    ['pieces out of order', (m: unknown[]) => [m[1], m[0], m[2]], /out of order/],
  ])('refuses %s', async (_label, mangle, reason) => {
    const json = 'x'.repeat(TEXT_CHUNK_CHARS * 3);
    const inbox = new ConversationInbox();
    const asked = inbox.complete('r1', 3, json.length, 50);
    for (const p of mangle(pieces(json)) as ReturnType<typeof pieces>) inbox.take(p);
    await expect(asked).rejects.toThrow(reason);
  });

  it('refuses a stream longer than announced', async () => {
    const inbox = new ConversationInbox();
    for (const p of pieces('abcdef')) inbox.take(p);
    await expect(inbox.complete('r1', 1, 3)).rejects.toThrow(/longer than announced/);
  });

  it('refuses a second request for the same read and too many reads at once', async () => {
    const inbox = new ConversationInbox(2);
    void inbox.complete('a', 1, 1, 50).catch(() => undefined);
    await expect(inbox.complete('a', 1, 1)).rejects.toThrow(/already asked/);
    void inbox.complete('b', 1, 1, 50).catch(() => undefined);
    const third = inbox.complete('c', 1, 1, 50);
    await expect(third).rejects.toThrow(/too many/);
  });

  it.each([
    [{ t: 'read-chunk', readId: 'r', seq: 0, text: 'x'.repeat(TEXT_CHUNK_CHARS + 1) }],
    [{ t: 'read-chunk', readId: '', seq: 0, text: 'x' }],
    [{ t: 'read-chunk', readId: 'r', seq: -1, text: 'x' }],
    [{ t: 'read-end', readId: 'r', chunks: 1, length: 1, conversationId: 'c', gizmoId: null, reason: 'live' }],
    [{ t: 'read-request', readId: 'r', conversationId: 'c', gizmoId: null, reason: 'live', account: null }],
  ])('rejects the malformed or retired message %o', (msg) => {
    expect(parseToBackground(msg)).toBeNull();
  });
});
