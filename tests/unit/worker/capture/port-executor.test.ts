// @vitest-environment node
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { JobSpec } from '@/utils/chatgpt/net/fetcher';
import { PortExecutor } from '@/utils/worker/capture/port-executor';
import { ChunkEncoder, type ToBackground } from '@/utils/capture-port';
import type { ExecutorResult } from '@/utils/worker/capture/queue';
import { fakePort, firstDiff, randomBytes } from '../../helpers';

/** The protocol's byte chunk (512 KiB), pinned. */
const CHUNK_BYTES = 512 * 1024;

/** A job for a file the conversation says nothing checkable about (the transport tests send random bytes). */
const spec = (jobId = 'fetch:file:a', over: Partial<JobSpec> = {}): JobSpec => ({
  jobId, artifactId: jobId.slice(6), kind: 'sandbox-file', conversationId: 'c1', fileId: null, sandboxPath: '/mnt/data/a.bin',
  messageId: 'm1', fallbackMessageId: null, messageCreateTime: null, declaredSize: null, fileName: 'a.bin', gizmoId: null,
  origin: null, account: null, ...over,
});
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);

/** What a content script would send for `data`, as the real encoder chunks it. */
async function encode(jobId: string, data: Uint8Array, mimeType: string | null = 'image/png'): Promise<ToBackground[]> {
  const out: ToBackground[] = [];
  const enc = new ChunkEncoder((seq, b64) => out.push({ t: 'chunk', jobId, seq, b64 }));
  await enc.push(data);
  await enc.flush();
  out.push({ t: 'done', jobId, chunks: enc.seq, size: data.length, mimeType, fileId: 'file_a', fileName: 'a.png' });
  return out;
}

/** Resolves to the settled result, or 'pending' if the promise has not settled after a few ticks. */
async function peek(p: Promise<ExecutorResult>): Promise<ExecutorResult | 'pending'> {
  return Promise.race([p, new Promise<'pending'>((r) => setTimeout(() => r('pending'), 20))]);
}

async function bytesOf(result: ExecutorResult): Promise<Uint8Array> {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result)}`);
  return result.bytes instanceof Uint8Array ? result.bytes : new Uint8Array(await result.bytes.arrayBuffer());
}

describe('PortExecutor: a tab\'s bytes are held to what the conversation says', () => {
  const image = spec('fetch:file:a', { kind: 'image', fileId: 'file_a', sandboxPath: null, fileName: 'a.png' });
  async function deliver(job: JobSpec, data: Uint8Array, fileId = 'file_a') {
    const p = fakePort();
    const result = new PortExecutor(p.port).run(job);
    for (const m of await encode(job.jobId, data)) p.emit(m.t === 'done' ? { ...m, fileId } : m);
    return result;
  }

  it('takes an image that is an image, for the file asked', async () => {
    expect(await deliver(image, PNG)).toMatchObject({ ok: true, file: { fileId: 'file_a' } });
  });

  it.each([
    ['HTML for an image', image, new TextEncoder().encode('<!doctype html><script>alert(1)</script>'), 'file_a', /not an image/],
    ['random bytes for a chart', { ...image, kind: 'chart' as const }, randomBytes(4096, 3), 'file_a', /not an image/],
    ['text for a sandbox file named .png', spec('fetch:file:a', { sandboxPath: '/mnt/data/plot.png' }), new TextEncoder().encode('a,b\n1,2\n'), 'file_a', /not an image/],
    ['another file\'s bytes', image, PNG, 'file_other', /file_other, not file_a/],
  ])('refuses %s', async (_, job, data, fileId, reason) => {
    const r = await deliver(job, data, fileId);
    expect(r).toMatchObject({ ok: false, failure: { cause: 'bad-response' } });
    expect(!r.ok && 'failure' in r ? r.failure.reason : '').toMatch(reason);
  });

  it('says nothing of a sandbox file whose name promises no format (any bytes)', async () => {
    expect(await deliver(spec('fetch:file:a', { sandboxPath: '/mnt/data/q3.csv' }), randomBytes(100, 5))).toMatchObject({ ok: true });
  });
});

describe('PortExecutor', () => {
  it('sends the job and reassembles chunks into the served bytes', async () => {
    const p = fakePort();
    const ex = new PortExecutor(p.port);
    const data = randomBytes(Math.floor(2.5 * CHUNK_BYTES), 9);
    const result = ex.run(spec());
    expect(p.posted).toEqual([{ t: 'run', job: spec() }]);
    const msgs = await encode('fetch:file:a', data);
    expect(msgs.filter((m) => m.t === 'chunk')).toHaveLength(3);
    for (const m of msgs) p.emit(m);
    const r = await result;
    expect(r).toMatchObject({ ok: true, file: { size: data.length, mimeType: 'image/png', fileId: 'file_a', fileName: 'a.png' } });
    expect(firstDiff(await bytesOf(r), data)).toBe(-1);
  });

  it('an empty file is zero chunks and an empty blob', async () => {
    const p = fakePort();
    const ex = new PortExecutor(p.port);
    const result = ex.run(spec());
    for (const m of await encode('fetch:file:a', new Uint8Array(0), null)) p.emit(m);
    const r = await result;
    expect(r).toMatchObject({ ok: true, file: { size: 0, mimeType: null } });
    expect((await bytesOf(r)).length).toBe(0);
  });

  it('keeps two interleaved jobs apart', async () => {
    const p = fakePort();
    const ex = new PortExecutor(p.port);
    const a = randomBytes(CHUNK_BYTES + 10, 1);
    const b = randomBytes(2 * CHUNK_BYTES + 3, 2);
    const ra = ex.run(spec('fetch:a'));
    const rb = ex.run(spec('fetch:b'));
    const ma = await encode('fetch:a', a);
    const mb = await encode('fetch:b', b);
    for (let i = 0; i < Math.max(ma.length, mb.length); i++) {
      if (mb[i]) p.emit(mb[i]);
      if (ma[i]) p.emit(ma[i]);
    }
    expect(firstDiff(await bytesOf(await ra), a)).toBe(-1);
    expect(firstDiff(await bytesOf(await rb), b)).toBe(-1);
  });

  it.each([
    ['out-of-order chunks', (m: ToBackground[]) => [m[1]!, m[0]!, ...m.slice(2)], /out of order/],
    ['a missing middle chunk', (m: ToBackground[]) => [m[0]!, ...m.slice(2)], /out of order/],
    ['a duplicated chunk', (m: ToBackground[]) => [m[0]!, m[0]!, ...m.slice(1)], /out of order/],
    ['a missing last chunk', (m: ToBackground[]) => [...m.slice(0, -2), m.at(-1)!], /Transfer incomplete/],
    ['a size mismatch', (m: ToBackground[]) => [...m.slice(0, -1), { ...(m.at(-1) as Extract<ToBackground, { t: 'done' }>), size: 1 }], /Transfer incomplete/],
    ['a chunk count mismatch', (m: ToBackground[]) => [...m.slice(0, -1), { ...(m.at(-1) as Extract<ToBackground, { t: 'done' }>), chunks: 9 }], /Transfer incomplete/],
    ['a chunk that is not base64', (m: ToBackground[]) => [m[0]!, { ...(m[1] as Extract<ToBackground, { t: 'chunk' }>), b64: '***' }, ...m.slice(2)], /base64/],
  ])('%s is a truncated failure, never bytes', async (_, mangle, reason) => {
    const p = fakePort();
    const ex = new PortExecutor(p.port);
    const result = ex.run(spec());
    const msgs = await encode('fetch:file:a', randomBytes(2 * CHUNK_BYTES + 5, 3));
    for (const m of mangle(msgs)) p.emit(m);
    const r = await result;
    expect(r).toMatchObject({ ok: false, failure: { cause: 'truncated' } });
    expect(!r.ok && 'failure' in r && r.failure.reason).toMatch(reason);
  });

  it('passes a failure through', async () => {
    const p = fakePort();
    const ex = new PortExecutor(p.port);
    const result = ex.run(spec());
    p.emit({ t: 'chunk', jobId: 'fetch:file:a', seq: 0, b64: Buffer.from([1]).toString('base64') });
    p.emit({ t: 'failed', jobId: 'fetch:file:a', failure: { cause: 'gone', reason: 'File not found', retryAfterMs: null } });
    expect(await result).toEqual({ ok: false, failure: { cause: 'gone', reason: 'File not found', retryAfterMs: null } });
  });

  it('ignores malformed messages and messages for jobs it did not send', async () => {
    const p = fakePort();
    const ex = new PortExecutor(p.port);
    const result = ex.run(spec());
    p.emit({ t: 'done', jobId: 'fetch:other', chunks: 0, size: 0, mimeType: null, fileId: null, fileName: null });
    p.emit({ t: 'failed', jobId: 'fetch:file:a', failure: { cause: 'nonsense', reason: 'x' } });
    p.emit('garbage');
    p.emit(null);
    expect(await peek(result)).toBe('pending');
    for (const m of await encode('fetch:file:a', new Uint8Array([7, 7]))) p.emit(m);
    expect(await result).toMatchObject({ ok: true });
  });

  it('a disconnect mid-job settles every pending job as lost', async () => {
    const p = fakePort();
    const ex = new PortExecutor(p.port);
    const r1 = ex.run(spec('fetch:1'));
    const r2 = ex.run(spec('fetch:2'));
    const msgs = await encode('fetch:1', randomBytes(CHUNK_BYTES + 1));
    p.emit(msgs[0]);
    p.drop();
    expect(await r1).toEqual({ ok: false, lost: true });
    expect(await r2).toEqual({ ok: false, lost: true });
    // Late messages after the disconnect change nothing.
    for (const m of msgs.slice(1)) p.emit(m);
  });

  it('a job sent after the port disconnected is lost at once, not left hanging', async () => {
    const p = fakePort();
    const ex = new PortExecutor(p.port);
    p.drop();
    expect(await peek(ex.run(spec()))).toEqual({ ok: false, lost: true });
  });

  it('a job whose run message cannot be posted is lost at once', async () => {
    const p = fakePort();
    const ex = new PortExecutor(p.port);
    p.port.disconnect(); // closed from this side: posting throws, and no onDisconnect event follows
    expect(await peek(ex.run(spec()))).toEqual({ ok: false, lost: true });
  });

  it('running the same job again gives up the first run as lost', async () => {
    const p = fakePort();
    const ex = new PortExecutor(p.port);
    const first = ex.run(spec());
    const second = ex.run(spec());
    expect(await first).toEqual({ ok: false, lost: true });
    for (const m of await encode('fetch:file:a', new Uint8Array([1, 2, 3]))) p.emit(m);
    expect(await second).toMatchObject({ ok: true, file: { size: 3 } });
  });

  it('is gone after a disconnect, and after a post that throws with no event', () => {
    const a = fakePort();
    const exA = new PortExecutor(a.port);
    expect(exA.gone).toBe(false);
    a.drop();
    expect(exA.gone).toBe(true);
    const b = fakePort();
    const exB = new PortExecutor(b.port);
    b.port.disconnect();
    exB.send({ t: 'busy', busy: true });
    expect(exB.gone).toBe(true);
  });

  it('a post that throws settles the jobs already sent as lost (their answers can no longer come)', async () => {
    const p = fakePort();
    const ex = new PortExecutor(p.port);
    const first = ex.run(spec('fetch:1'));
    p.port.disconnect();
    expect(await peek(ex.run(spec('fetch:2')))).toEqual({ ok: false, lost: true });
    expect(await peek(first)).toEqual({ ok: false, lost: true });
  });
});

describe('PortExecutor: a tab that never answers', () => {
  afterEach(() => void vi.useRealTimers());
  const LIMIT = 1_000;

  it('silent for the limit while answers are owed: every pending job lost, the port closed from this side, the executor gone', async () => {
    vi.useFakeTimers();
    const p = fakePort();
    const ex = new PortExecutor(p.port, LIMIT);
    const r1 = ex.run(spec('fetch:1'));
    const r2 = ex.run(spec('fetch:2'));
    vi.advanceTimersByTime(LIMIT - 1);
    expect(ex.gone).toBe(false);
    vi.advanceTimersByTime(1);
    expect(await r1).toEqual({ ok: false, lost: true });
    expect(await r2).toEqual({ ok: false, lost: true });
    expect(ex.gone).toBe(true);
    expect(p.connected()).toBe(false);
    expect(await ex.run(spec('fetch:3'))).toEqual({ ok: false, lost: true });
  });

  it('any message is a sign of life: a slow job whose chunks keep coming, or one waiting while the tab streams a conversation, is not cut off', async () => {
    vi.useFakeTimers();
    const p = fakePort();
    const ex = new PortExecutor(p.port, LIMIT);
    const data = randomBytes(2 * CHUNK_BYTES + 1, 4);
    const result = ex.run(spec());
    const msgs = await encode('fetch:file:a', data);
    for (const m of msgs) {
      vi.advanceTimersByTime(LIMIT - 1);
      p.emit({ t: 'read-chunk', readId: 'r1', seq: 0, text: '{}' });
      vi.advanceTimersByTime(LIMIT - 1);
      p.emit(m);
    }
    expect(firstDiff(await bytesOf(await result), data)).toBe(-1);
    expect(ex.gone).toBe(false);
    expect(p.connected()).toBe(true);
  });

  it('owing nothing, a quiet port is never closed', () => {
    vi.useFakeTimers();
    const p = fakePort();
    const ex = new PortExecutor(p.port, LIMIT);
    vi.advanceTimersByTime(10 * LIMIT);
    expect(ex.gone).toBe(false);
    const result = ex.run(spec());
    p.emit({ t: 'failed', jobId: 'fetch:file:a', failure: { cause: 'server', reason: '502', retryAfterMs: null } });
    vi.advanceTimersByTime(10 * LIMIT);
    expect(ex.gone).toBe(false);
    expect(p.connected()).toBe(true);
    return expect(result).resolves.toMatchObject({ ok: false, failure: { cause: 'server' } });
  });
});
