// @vitest-environment node
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RetryPolicy } from '@/utils/chatgpt/net/backoff';
import type { Failure } from '@/utils/chatgpt/net/failure';
import type { JobSpec } from '@/utils/chatgpt/net/fetcher';
import { PortExecutor } from '@/utils/worker/capture/port-executor';
import { CaptureQueue, type Executor, type ExecutorResult, type QueueOptions } from '@/utils/worker/capture/queue';
import type { ArtifactRef } from '@/utils/model';
import {
  createVaultDb, deleteArtifact, enqueueJob, fetchJobId, getArtifact, getBlob, leaseDueJobs, markJobsStarted, recordRefs, type ArtifactRecord, type VaultDb,
} from '@/utils/vault';
import { getJob } from '../../vault/helpers';
import { deferred, fakePort, firstDiff, randomBytes, waitFor } from '../../helpers';

const POLICY: RetryPolicy = { maxAttempts: 3, baseMs: 5, rateLimitBaseMs: 5, capMs: 20, notReadyAttempts: 2 };
const PNG_HEAD = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function ref(fileId: string, over: Partial<ArtifactRef> = {}): ArtifactRef {
  return {
    kind: 'image', conversationId: 'conv-1', messageId: `msg-${fileId}`, fallbackMessageId: null, fileId, genId: null,
    prompt: null, seed: null, fileName: `${fileId}.png`, sandboxPath: null, mimeType: 'image/png', size: null, width: null,
    height: null, createTime: 1_700_000_000, onCurrentPath: true, ...over,
  };
}

/** PNG-looking bytes unique to an artifact, so a mix-up shows as a wrong hash. */
function pngFor(artifactId: string): Uint8Array<ArrayBuffer> {
  // Math.imul keeps the hash an integer: a float past 2^53 loses the characters that tell ids apart.
  const body = randomBytes(3_000, [...artifactId].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) | 0, 7));
  const out = new Uint8Array(PNG_HEAD.length + body.length);
  out.set(PNG_HEAD);
  out.set(body, PNG_HEAD.length);
  return out;
}

const ok = (spec: JobSpec, bytes = pngFor(spec.artifactId)): ExecutorResult => ({
  ok: true,
  bytes: new Blob([bytes], { type: 'image/png' }),
  file: { size: bytes.length, mimeType: 'image/png', fileId: spec.fileId, fileName: spec.fileName },
});
const failure = (cause: Failure['cause'], reason = `it was ${cause}`, retryAfterMs: number | null = null): ExecutorResult => ({
  ok: false, failure: { cause, reason, retryAfterMs },
});

type Script = (spec: JobSpec, call: number) => ExecutorResult | Promise<ExecutorResult>;

/** An in-memory executor: runs a script, counts calls per artifact and how many run at once. */
class ScriptedExecutor implements Executor {
  static n = 0;
  readonly id = `scripted-${++ScriptedExecutor.n}`;
  readonly calls: JobSpec[] = [];
  running = 0;
  maxRunning = 0;
  constructor(private readonly script: Script, public conversationId: string | null = null) {}
  async run(spec: JobSpec): Promise<ExecutorResult> {
    this.calls.push(spec);
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      return await this.script(spec, this.calls.filter((c) => c.artifactId === spec.artifactId).length);
    } finally {
      this.running--;
    }
  }
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function makeQueue(db: VaultDb, opts: QueueOptions = {}) {
  const queue = new CaptureQueue(db, { policy: POLICY, random: () => 0, ...opts });
  const added: Executor[] = [];
  const add = (ex: Executor) => {
    added.push(ex);
    queue.addExecutor(ex);
    return ex;
  };
  cleanups.push(async () => {
    for (const ex of added) queue.removeExecutor(ex.id);
    await queue.settled();
  });
  return { queue, add };
}

function freshDb(): VaultDb {
  return createVaultDb(`t-${Math.random().toString(36).slice(2)}`);
}

async function seed(db: VaultDb, ...refs: ArtifactRef[]): Promise<string[]> {
  const { added } = await recordRefs(db, refs, { source: 'live' });
  for (const id of added) await enqueueJob(db, { artifactId: id, conversationId: 'conv-1', data: { gizmoId: 'g-abc' } });
  return added;
}

const statusIs = (db: VaultDb, id: string, status: ArtifactRecord['status']) => async () => {
  const r = await getArtifact(db, id);
  return r?.status === status ? r : null;
};

async function sha256Of(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
}

describe('CaptureQueue', () => {
  it('saves a pending artifact: bytes, SHA-256, spec from the record, job removed', async () => {
    const db = freshDb();
    const [id] = await seed(db, ref('file_a'));
    const settled: ArtifactRecord[] = [];
    const { add } = makeQueue(db, { onSettled: (r) => settled.push(r) });
    const ex = add(new ScriptedExecutor((spec) => ok(spec))) as ScriptedExecutor;
    const saved = await waitFor(statusIs(db, id!, 'saved'), 'the artifact to be saved');
    const expected = pngFor(id!);
    expect(saved).toMatchObject({ sha256: await sha256Of(expected), size: expected.length, mimeType: 'image/png', reason: null, attempts: 0 });
    const blob = await getBlob(db, saved.sha256!);
    expect(firstDiff(new Uint8Array(await blob!.arrayBuffer()), expected)).toBe(-1);
    expect(await getJob(db, fetchJobId(id!))).toBeNull();
    expect(ex.calls).toEqual([{
      jobId: fetchJobId(id!), artifactId: id, kind: 'image', conversationId: 'conv-1', fileId: 'file_a', sandboxPath: null,
      messageId: 'msg-file_a', fallbackMessageId: null, messageCreateTime: 1_700_000_000, declaredSize: null,
      fileName: 'file_a.png', gizmoId: 'g-abc', origin: null, account: null,
    }]);
    await waitFor(() => settled.length > 0, 'onSettled');
    expect(settled.map((r) => [r.id, r.status])).toEqual([[id, 'saved']]);
  });

  it('a transient failure then success: saved once, the attempt counted, the job gone', async () => {
    const db = freshDb();
    const [id] = await seed(db, ref('file_a'));
    const second = deferred();
    const { add } = makeQueue(db);
    const ex = add(new ScriptedExecutor(async (spec, call) => {
      if (call === 1) return failure('server', 'ChatGPT server error (HTTP 502)');
      await second.promise;
      return ok(spec);
    })) as ScriptedExecutor;
    // While the second attempt runs, the first one is on record.
    await waitFor(() => ex.calls.length === 2, 'the retry');
    expect(await getJob(db, fetchJobId(id!))).toMatchObject({ attempts: 1, lastError: 'ChatGPT server error (HTTP 502)' });
    expect(await getArtifact(db, id!)).toMatchObject({ status: 'pending', reason: 'Retrying: ChatGPT server error (HTTP 502)', attempts: 1 });
    second.resolve();
    const saved = await waitFor(statusIs(db, id!, 'saved'), 'saved after the retry');
    expect(saved).toMatchObject({ attempts: 1, reason: null });
    expect(await getJob(db, fetchJobId(id!))).toBeNull();
    expect(ex.calls).toHaveLength(2);
  });

  it('honours a Retry-After (within the cap) when rescheduling', async () => {
    const db = freshDb();
    const [id] = await seed(db, ref('file_a'));
    const hold = deferred();
    const { add } = makeQueue(db, { policy: { ...POLICY, capMs: 60_000 } });
    const ex = add(new ScriptedExecutor(async (spec, call) => {
      if (call === 1) return failure('rate-limited', 'HTTP 429', 30_000);
      await hold.promise;
      return ok(spec);
    })) as ScriptedExecutor;
    const before = Date.now();
    const job = await waitFor(async () => {
      const j = await getJob(db, fetchJobId(id!));
      return j && j.attempts === 1 ? j : null;
    }, 'the rescheduled job');
    expect(job.nextAttemptAt).toBeGreaterThanOrEqual(before + 30_000);
    expect(job.nextAttemptAt).toBeLessThanOrEqual(Date.now() + 30_000);
    expect(ex.calls).toHaveLength(1);
    hold.resolve();
  });

  it('gone: expired with the reason at once, and never run again', async () => {
    const db = freshDb();
    const [id] = await seed(db, ref('file_a'));
    const { queue, add } = makeQueue(db);
    const ex = add(new ScriptedExecutor(() => failure('gone', 'Code interpreter session expired'))) as ScriptedExecutor;
    const expired = await waitFor(statusIs(db, id!, 'expired'), 'expired');
    expect(expired).toMatchObject({ reason: 'Code interpreter session expired', attempts: 1, sha256: null });
    expect(await getJob(db, fetchJobId(id!))).toBeNull();
    queue.kick();
    await queue.settled();
    expect(ex.calls).toHaveLength(1);
  });

  it('not-ready retries, then expires after notReadyAttempts', async () => {
    const db = freshDb();
    const [id] = await seed(db, ref('file_a'));
    const { add } = makeQueue(db);
    const ex = add(new ScriptedExecutor(() => failure('not-ready', 'Not downloadable yet'))) as ScriptedExecutor;
    const expired = await waitFor(statusIs(db, id!, 'expired'), 'expired');
    expect(ex.calls).toHaveLength(POLICY.notReadyAttempts);
    expect(expired).toMatchObject({ reason: 'Not downloadable yet', attempts: POLICY.notReadyAttempts });
  });

  it('exhausted retries: failed, with the last cause named, job gone', async () => {
    const db = freshDb();
    const [id] = await seed(db, ref('file_a'));
    const { queue, add } = makeQueue(db);
    const ex = add(new ScriptedExecutor((_, call) => (call < 3 ? failure('timeout', 'The download stalled') : failure('truncated', 'Received 10 of 20 bytes')))) as ScriptedExecutor;
    const failed = await waitFor(statusIs(db, id!, 'failed'), 'failed');
    expect(ex.calls).toHaveLength(POLICY.maxAttempts);
    expect(failed.reason).toContain('Received 10 of 20 bytes');
    expect(failed.reason).toContain(`${POLICY.maxAttempts} attempts`);
    expect(failed.attempts).toBe(POLICY.maxAttempts);
    expect(await getJob(db, fetchJobId(id!))).toBeNull();
    queue.kick();
    await queue.settled();
    expect(ex.calls).toHaveLength(POLICY.maxAttempts);
  });

  it('an executor that throws counts as a failed attempt and is retried', async () => {
    const db = freshDb();
    const [id] = await seed(db, ref('file_a'));
    const { add } = makeQueue(db);
    add(new ScriptedExecutor((spec, call) => {
      if (call === 1) throw new Error('port exploded');
      return ok(spec);
    }));
    expect(await waitFor(statusIs(db, id!, 'saved'), 'saved')).toMatchObject({ attempts: 1 });
  });

  it('a lost executor gives the job back at once, without counting an attempt', async () => {
    const db = freshDb();
    const [id] = await seed(db, ref('file_a'));
    const { queue, add } = makeQueue(db);
    const lost = add(new ScriptedExecutor(() => {
      // As background.ts does on a port's onDisconnect: the executor leaves before its jobs settle.
      queue.removeExecutor(lost.id);
      return { ok: false, lost: true };
    })) as ScriptedExecutor;
    await waitFor(async () => lost.calls.length === 1 && (await getJob(db, fetchJobId(id!)))?.leaseUntil === null, 'the job released');
    await queue.settled();
    expect(await getJob(db, fetchJobId(id!))).toMatchObject({ attempts: 0, leaseUntil: null, lastError: null });
    expect(await getArtifact(db, id!)).toMatchObject({ status: 'pending', attempts: 0, reason: null });
    const next = add(new ScriptedExecutor((spec) => ok(spec))) as ScriptedExecutor;
    expect(await waitFor(statusIs(db, id!, 'saved'), 'saved by the next tab')).toMatchObject({ attempts: 0 });
    expect(next.calls).toHaveLength(1);
  });

  it('recover() releases leases left by a dead worker so a new queue resumes at once, counting the interruption only for a begun job', async () => {
    const db = freshDb();
    const [a, b, c] = await seed(db, ref('file_a'), ref('file_b'), ref('file_c'));
    // A worker that died mid-job left a 10-minute lease on a job it had begun (a) and one it had only claimed ahead (c).
    expect((await leaseDueJobs(db, Date.now(), 2, 10 * 60_000, (j) => j.id === fetchJobId(b!))).length).toBe(2);
    await markJobsStarted(db, [fetchJobId(a!)], Date.now());

    const before = makeQueue(db);
    const blocked = before.add(new ScriptedExecutor((spec) => ok(spec))) as ScriptedExecutor;
    await waitFor(statusIs(db, b!, 'saved'), 'the unleased job');
    await before.queue.settled();
    expect(blocked.calls.map((c) => c.artifactId)).toEqual([b]); // the leased one waits for its lease
    before.queue.removeExecutor(blocked.id);

    const after = makeQueue(db);
    expect(await after.queue.recover()).toBe(2);
    expect(await getJob(db, fetchJobId(a!))).toMatchObject({ leaseUntil: null, attempts: 1 });
    expect(await getArtifact(db, a!)).toMatchObject({ status: 'pending', attempts: 1 });
    expect(await getJob(db, fetchJobId(c!))).toMatchObject({ leaseUntil: null, attempts: 0 });
    expect(await getArtifact(db, c!)).toMatchObject({ status: 'pending', attempts: 0, reason: null });
    const ex = after.add(new ScriptedExecutor((spec) => ok(spec))) as ScriptedExecutor;
    await waitFor(statusIs(db, a!, 'saved'), 'the interrupted job resumed', 1_000);
    await waitFor(statusIs(db, c!, 'saved'), 'the job claimed ahead resumed', 1_000);
    expect(ex.calls.map((call) => call.artifactId).sort()).toEqual([a, c].sort());
  });

  it('two executors and duplicate enqueues: one fetch per artifact', async () => {
    const db = freshDb();
    const refs = ['file_a', 'file_b', 'file_c', 'file_d', 'file_e'].map((f) => ref(f));
    const ids = await seed(db, ...refs);
    for (const id of ids) await enqueueJob(db, { artifactId: id, conversationId: 'conv-1', data: { gizmoId: null } });
    const gate = deferred();
    const { queue, add } = makeQueue(db);
    const script: Script = async (spec) => {
      await gate.promise;
      return ok(spec);
    };
    const e1 = add(new ScriptedExecutor(script)) as ScriptedExecutor;
    const e2 = add(new ScriptedExecutor(script)) as ScriptedExecutor;
    for (let i = 0; i < 5; i++) queue.kick();
    for (const id of ids) await enqueueJob(db, { artifactId: id, conversationId: 'conv-1' });
    queue.kick();
    await waitFor(() => e1.calls.length + e2.calls.length >= 4, 'jobs spread over the executors');
    gate.resolve();
    for (const id of ids) await waitFor(statusIs(db, id, 'saved'), `${id} saved`);
    await queue.settled();
    const all = [...e1.calls, ...e2.calls].map((c) => c.artifactId).sort();
    expect(all).toEqual([...ids].sort());
    expect(e1.calls.length).toBeGreaterThan(0);
    expect(e2.calls.length).toBeGreaterThan(0);
    expect(await db.jobs.count()).toBe(0);
  });

  it('runs at most maxInFlight jobs at once', async () => {
    const db = freshDb();
    const ids = await seed(db, ...['a', 'b', 'c', 'd', 'e', 'f'].map((f) => ref(`file_${f}`)));
    const gates = new Map(ids.map((id) => [id, deferred()]));
    const { add } = makeQueue(db, { maxInFlight: 2 });
    const ex = add(new ScriptedExecutor(async (spec) => {
      await gates.get(spec.artifactId)!.promise;
      return ok(spec);
    })) as ScriptedExecutor;
    for (const id of ids) {
      await waitFor(() => ex.calls.some((c) => c.artifactId === id) || null, `${id} started`);
      expect(ex.running).toBeLessThanOrEqual(2);
      gates.get(id)!.resolve();
    }
    for (const id of ids) await waitFor(statusIs(db, id, 'saved'), `${id} saved`);
    expect(ex.maxRunning).toBe(2);
  });

  it('prefers the tab that shows the conversation', async () => {
    const db = freshDb();
    const [id] = await seed(db, ref('file_a'));
    const { add } = makeQueue(db);
    const other = add(new ScriptedExecutor((spec) => ok(spec), 'conv-other')) as ScriptedExecutor;
    const same = add(new ScriptedExecutor((spec) => ok(spec), 'conv-1')) as ScriptedExecutor;
    await waitFor(statusIs(db, id!, 'saved'), 'saved');
    expect(same.calls).toHaveLength(1);
    expect(other.calls).toHaveLength(0);
  });

  it('with no executor nothing runs until one is added', async () => {
    const db = freshDb();
    const [id] = await seed(db, ref('file_a'));
    const busy: boolean[] = [];
    const { queue, add } = makeQueue(db, { onBusyChange: (b) => busy.push(b) });
    queue.kick();
    await queue.settled();
    expect(await getJob(db, fetchJobId(id!))).toMatchObject({ attempts: 0, leaseUntil: null });
    expect(await getArtifact(db, id!)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(busy).toEqual([true]); // work is waiting: tabs should stay connected
    add(new ScriptedExecutor((spec) => ok(spec)));
    await waitFor(statusIs(db, id!, 'saved'), 'saved once a tab connects');
    await waitFor(() => busy.at(-1) === false, 'idle again');
    expect(queue.isBusy()).toBe(false);
  });

  it('an artifact saved by another path meanwhile is not fetched again', async () => {
    const db = freshDb();
    const [id] = await seed(db, ref('file_a'));
    await db.artifacts.update(id!, { status: 'saved', sha256: 'f'.repeat(64), size: 1 });
    const { add } = makeQueue(db);
    const ex = add(new ScriptedExecutor((spec) => ok(spec))) as ScriptedExecutor;
    await waitFor(async () => (await getJob(db, fetchJobId(id!))) === null, 'the job dropped');
    expect(ex.calls).toHaveLength(0);
  });

  it('an artifact deleted while its bytes were in flight: the job ends and the queue keeps going', async () => {
    const db = freshDb();
    const [a, b] = await seed(db, ref('file_a'), ref('file_b'));
    const { add } = makeQueue(db, { maxInFlight: 1 });
    add(new ScriptedExecutor(async (spec) => {
      if (spec.artifactId === a) await deleteArtifact(db, a);
      return ok(spec);
    }));
    await waitFor(statusIs(db, b!, 'saved'), 'the other artifact saved');
    expect(await getArtifact(db, a!)).toBeNull();
    expect(await db.jobs.count()).toBe(0);
  });

  it('an artifact deleted while a failure was in flight: the job ends quietly', async () => {
    const db = freshDb();
    const [a, b] = await seed(db, ref('file_a'), ref('file_b'));
    const { add } = makeQueue(db, { maxInFlight: 1 });
    add(new ScriptedExecutor(async (spec) => {
      if (spec.artifactId === a) {
        await deleteArtifact(db, a);
        return failure('server');
      }
      return ok(spec);
    }));
    await waitFor(statusIs(db, b!, 'saved'), 'the other artifact saved');
    expect(await db.jobs.count()).toBe(0);
  });
  it('bytes the vault cannot store count as a failed attempt, and the job is not left leased', async () => {
    const db = freshDb();
    const [id] = await seed(db, ref('file_a'));
    const { add } = makeQueue(db);
    const ex = add(new ScriptedExecutor((spec, call) =>
      call === 1 ? ({ ...ok(spec), bytes: 'not bytes' as unknown as Blob }) : ok(spec),
    )) as ScriptedExecutor;
    const saved = await waitFor(statusIs(db, id!, 'saved'), 'saved on the second attempt', 2_000);
    expect(saved.attempts).toBe(1);
    expect(ex.calls).toHaveLength(2);
  });
});

describe('CaptureQueue: downloads never wait for earlier files\' writes', () => {
  /**
   * Holds the blobs table with a transaction that stays busy until released (a slow disk write), and counts
   * how many files each blob write carried.
   */
  function holdWrites(db: VaultDb) {
    let released = false;
    const held = db.transaction('rw', db.blobs, async () => {
      while (!released) await db.blobs.count();
    });
    const sizes: number[] = [];
    const real = db.blobs.bulkAdd.bind(db.blobs);
    const spy = vi.spyOn(db.blobs, 'bulkAdd').mockImplementation(((items: unknown[]) => {
      sizes.push(items.length);
      return real(items as never);
    }) as typeof db.blobs.bulkAdd);
    const release = async () => {
      released = true;
      await held;
    };
    return { release, sizes, spy, real };
  }

  it('a slot frees once the bytes are in hand: the next download starts while the first file is still being written', async () => {
    const db = freshDb();
    const [a, b] = await seed(db, ref('file_a'), ref('file_b'));
    const writes = holdWrites(db);
    const { add } = makeQueue(db, { maxInFlight: 1 });
    const ex = add(new ScriptedExecutor((spec) => ok(spec))) as ScriptedExecutor;
    await waitFor(() => ex.calls.length === 2 || null, 'second download started');
    expect((await getArtifact(db, a!))?.status).toBe('pending'); // its write is still held
    await writes.release();
    await waitFor(statusIs(db, a!, 'saved'), 'a saved');
    await waitFor(statusIs(db, b!, 'saved'), 'b saved');
    expect(ex.maxRunning).toBe(1);
  });

  it('bytes waiting for their write are bounded: past the backlog limit no new download starts until writes catch up', async () => {
    const db = freshDb();
    const ids = await seed(db, ...['a', 'b', 'c', 'd'].map((f) => ref(`file_${f}`)));
    const writes = holdWrites(db);
    const maxBacklogBytes = 1024 * 1024;
    const big = Math.ceil((maxBacklogBytes * 0.6) / 1024) * 1024;
    const { add } = makeQueue(db, { maxInFlight: 1, maxBacklogBytes });
    const ex = add(new ScriptedExecutor((spec) => {
      const bytes = new Uint8Array(big);
      bytes.set(pngFor(spec.artifactId));
      return ok(spec, bytes);
    })) as ScriptedExecutor;
    await waitFor(() => ex.calls.length === 2 || null, 'two downloads');
    await new Promise((r) => setTimeout(r, 200));
    expect(ex.calls).toHaveLength(2); // 1.2 x the limit is waiting: the third waits too
    await writes.release();
    for (const id of ids) await waitFor(statusIs(db, id, 'saved'), `${id} saved`, 10_000);
    expect(ex.calls).toHaveLength(4);
  });

  it('files downloaded during one write commit together in the next; a failed batch is retried file by file', async () => {
    const db = freshDb();
    const ids = await seed(db, ...['a', 'b', 'c', 'd'].map((f) => ref(`file_${f}`)));
    const writes = holdWrites(db);
    const { add } = makeQueue(db, { maxInFlight: 1 });
    const ex = add(new ScriptedExecutor((spec) => ok(spec))) as ScriptedExecutor;
    await waitFor(() => ex.calls.length === 4 || null, 'all four downloaded');
    await new Promise((r) => setTimeout(r, 50));
    // The batch of three fails once (not for quota): each file is then written on its own.
    writes.spy.mockImplementation(((items: unknown[]) => {
      writes.sizes.push(items.length);
      return items.length > 1 ? Promise.reject(new Error('disk hiccup')) : writes.real(items as never);
    }) as typeof db.blobs.bulkAdd);
    await writes.release();
    for (const id of ids) expect(await waitFor(statusIs(db, id, 'saved'), `${id} saved`)).toMatchObject({ attempts: 0 });
    expect(writes.sizes).toEqual([1, 3, 1, 1, 1]);
    expect(ex.calls).toHaveLength(4); // nothing fetched twice
  });

  it('claims jobs ahead of its free slots; only the one begun is marked started', async () => {
    const db = freshDb();
    const [a, b, c] = await seed(db, ref('file_a'), ref('file_b'), ref('file_c'));
    const gate = deferred();
    const { add } = makeQueue(db, { maxInFlight: 1 });
    const ex = add(new ScriptedExecutor(async (spec) => {
      await gate.promise;
      return ok(spec);
    })) as ScriptedExecutor;
    await waitFor(() => ex.calls.length === 1 || null, 'first download');
    const started = await waitFor(async () => (await getJob(db, fetchJobId(a!)))?.startedAt ?? null, 'a marked started');
    expect(started).toBeGreaterThan(0);
    for (const id of [b!, c!]) {
      const job = await getJob(db, fetchJobId(id));
      expect(job?.leaseUntil).not.toBeNull();
      expect(job?.startedAt ?? null).toBeNull();
    }
    expect(ex.calls).toHaveLength(1);
    gate.resolve();
    for (const id of [a!, b!, c!]) await waitFor(statusIs(db, id, 'saved'), `${id} saved`);
  });
});

describe('CaptureQueue.cancelDownloads (a cancelled backup)', () => {
  it('drops queued and claimed-ahead jobs; the download already running finishes and is stored', async () => {
    const db = freshDb();
    const [a, b, c, d] = await seed(db, ref('file_a'), ref('file_b'), ref('file_c'), ref('file_d'));
    const gate = deferred();
    const { queue, add } = makeQueue(db, { maxInFlight: 1 });
    const ex = add(new ScriptedExecutor(async (spec) => {
      await gate.promise;
      return ok(spec);
    })) as ScriptedExecutor;
    await waitFor(() => ex.calls.length === 1 || null, 'first download');
    const running = ex.calls[0]!.artifactId;
    const dropped = await queue.cancelDownloads([a!, b!, c!], 'cancelled');
    expect(dropped.sort()).toEqual([a!, b!, c!].filter((id) => id !== running).sort());
    for (const id of dropped) expect(await getArtifact(db, id)).toMatchObject({ status: 'failed', reason: 'cancelled', attempts: 0 });
    gate.resolve();
    await waitFor(statusIs(db, running, 'saved'), 'the running one saved');
    await waitFor(statusIs(db, d!, 'saved'), 'the one not cancelled saved');
    await queue.settled();
    expect(ex.calls.map((call) => call.artifactId).sort()).toEqual([running, d!].sort());
    expect(await db.jobs.count()).toBe(0);
  });

  it('a running download of a cancelled backup that fails ends failed with the reason instead of a retry', async () => {
    const db = freshDb();
    const [a] = await seed(db, ref('file_a'));
    const gate = deferred();
    const { queue, add } = makeQueue(db, { maxInFlight: 1 });
    const ex = add(new ScriptedExecutor(async () => {
      await gate.promise;
      return failure('server');
    })) as ScriptedExecutor;
    await waitFor(() => ex.calls.length === 1 || null, 'download started');
    expect(await queue.cancelDownloads([a!], 'cancelled')).toEqual([]);
    gate.resolve();
    expect(await waitFor(statusIs(db, a!, 'failed'), 'ended')).toMatchObject({ reason: 'cancelled' });
    expect(await getJob(db, fetchJobId(a!))).toBeNull();
    await new Promise((r) => setTimeout(r, 100));
    expect(ex.calls).toHaveLength(1);
  });
});

describe('CaptureQueue: the worker first, a tab on refusal', () => {
  const refused = (cause: Failure['cause'] = 'auth'): ExecutorResult => ({ ok: false, refused: true, failure: { cause, reason: `refused (${cause})` } });

  it('the worker runs every job while it is served; the tab gets none', async () => {
    const db = freshDb();
    const ids = await seed(db, ref('file_a'), ref('file_b'));
    const worker = new ScriptedExecutor((spec) => ok(spec));
    const { add } = makeQueue(db, { worker });
    const tab = add(new ScriptedExecutor((spec) => ok(spec), 'conv-1')) as ScriptedExecutor;
    for (const id of ids) await waitFor(statusIs(db, id, 'saved'), `${id} saved`);
    expect(worker.calls.map((c) => c.artifactId).sort()).toEqual([...ids].sort());
    expect(tab.calls).toHaveLength(0);
  });

  it('jobs run with no tab at all', async () => {
    const db = freshDb();
    const [id] = await seed(db, ref('file_a'));
    const worker = new ScriptedExecutor((spec) => ok(spec));
    const { queue } = makeQueue(db, { worker });
    queue.kick();
    await waitFor(statusIs(db, id!, 'saved'), 'saved by the worker alone');
  });

  it('refused by the backend: a tab runs the job at once, no attempt counted, and later jobs skip the worker', async () => {
    const db = freshDb();
    const [a, b] = await seed(db, ref('file_a'), ref('file_b'));
    const worker = new ScriptedExecutor(() => refused('auth'));
    const { add } = makeQueue(db, { worker, maxInFlight: 1 });
    const tab = add(new ScriptedExecutor((spec) => ok(spec))) as ScriptedExecutor;
    expect(await waitFor(statusIs(db, a!, 'saved'), 'a saved by the tab')).toMatchObject({ attempts: 0 });
    await waitFor(statusIs(db, b!, 'saved'), 'b saved by the tab');
    expect(worker.calls).toHaveLength(1);
    expect(tab.calls.map((c) => c.artifactId).sort()).toEqual([a, b].sort());
  });

  it('refused with no tab open: the job waits, uncounted, and runs when a tab connects', async () => {
    const db = freshDb();
    const [id] = await seed(db, ref('file_a'));
    const worker = new ScriptedExecutor(() => refused('auth'));
    const { queue, add } = makeQueue(db, { worker });
    queue.kick();
    await waitFor(() => worker.calls.length === 1, 'the worker tried');
    await new Promise((r) => setTimeout(r, 100));
    await queue.settled();
    expect(worker.calls).toHaveLength(1);
    expect(await getJob(db, fetchJobId(id!))).toMatchObject({ attempts: 0, leaseUntil: null });
    add(new ScriptedExecutor((spec) => ok(spec)));
    expect(await waitFor(statusIs(db, id!, 'saved'), 'saved by the tab')).toMatchObject({ attempts: 0 });
  });

  it('a network error in the worker with no tab open is an ordinary attempt, and the worker retries it', async () => {
    const db = freshDb();
    const [id] = await seed(db, ref('file_a'));
    const worker = new ScriptedExecutor((spec, call) => (call === 1 ? refused('network') : ok(spec)));
    const { queue } = makeQueue(db, { worker });
    queue.kick();
    expect(await waitFor(statusIs(db, id!, 'saved'), 'saved on the retry')).toMatchObject({ attempts: 1 });
    expect(worker.calls).toHaveLength(2);
  });

  it('passes the job its tab\'s origin and workspace', async () => {
    const db = freshDb();
    const { added } = await recordRefs(db, [ref('file_a')], { source: 'live' });
    await enqueueJob(db, { artifactId: added[0]!, conversationId: 'conv-1', data: { gizmoId: null, origin: 'https://chat.openai.com', account: 'ws-1' } });
    const worker = new ScriptedExecutor((spec) => ok(spec));
    makeQueue(db, { worker }).queue.kick();
    await waitFor(() => worker.calls.length === 1, 'run');
    expect(worker.calls[0]).toMatchObject({ origin: 'https://chat.openai.com', account: 'ws-1' });
  });
});

describe('CaptureQueue: a tab that went away never holds a job', () => {
  const refused = (): ExecutorResult => ({ ok: false, refused: true, failure: { cause: 'auth', reason: 'refused (auth)' } });

  it('a tab whose port closed before it was added gets no job: the refused worker\'s files go to the live tab', async () => {
    // The e2e's sign-in tab: its port connected while the background was still recovering and closed before the
    // background added its executor, so the queue never heard the disconnect. It used to be picked first for
    // every job, lose it at once, and get it again a few ms later: a claim that never ran, forever.
    const db = freshDb();
    const ids = await seed(db, ref('file_a'), ref('file_b'), ref('file_c'));
    const worker = new ScriptedExecutor(() => refused());
    const { add } = makeQueue(db, { worker });
    const closed = fakePort();
    const dead = new PortExecutor(closed.port);
    closed.drop();
    add(dead);
    const live = add(new ScriptedExecutor((spec) => ok(spec))) as ScriptedExecutor;
    for (const id of ids) expect(await waitFor(statusIs(db, id, 'saved'), `${id} saved by the live tab`)).toMatchObject({ attempts: 0 });
    expect(closed.posted).toEqual([]);
    expect(live.calls.map((c) => c.artifactId).sort()).toEqual([...ids].sort());
  });

  it('a port closed without a disconnect event loses one job, uncounted, and is never picked again', async () => {
    const db = freshDb();
    const [a, b] = await seed(db, ref('file_a'), ref('file_b'));
    const worker = new ScriptedExecutor(() => refused());
    const { add } = makeQueue(db, { worker, maxInFlight: 1 });
    const closed = fakePort();
    add(new PortExecutor(closed.port));
    closed.port.disconnect(); // posting now throws, and no onDisconnect event follows
    const live = add(new ScriptedExecutor((spec) => ok(spec))) as ScriptedExecutor;
    for (const id of [a!, b!]) expect(await waitFor(statusIs(db, id, 'saved'), `${id} saved`)).toMatchObject({ attempts: 0 });
    expect(live.calls).toHaveLength(2);
  });

  it('a port that falls silent gives its job back after the silence limit, uncounted, and leaves the queue', async () => {
    const db = freshDb();
    const [id] = await seed(db, ref('file_a'));
    const worker = new ScriptedExecutor(() => refused());
    const { queue, add } = makeQueue(db, { worker });
    // Posts succeed and nothing ever answers: a tab gone without a disconnect event, an orphaned content script.
    const silent = fakePort();
    add(new PortExecutor(silent.port, 50));
    await waitFor(() => silent.posted.length === 1, 'the job sent to the tab');
    await waitFor(async () => (await getJob(db, fetchJobId(id!)))?.leaseUntil === null, 'the claim given back', 2_000);
    await queue.settled();
    expect(silent.connected()).toBe(false); // closed from our side, so a live content script reconnects afresh
    expect(await getJob(db, fetchJobId(id!))).toMatchObject({ attempts: 0, lastError: null });
    expect(await getArtifact(db, id!)).toMatchObject({ status: 'pending', attempts: 0, reason: null });
    const live = add(new ScriptedExecutor((spec) => ok(spec))) as ScriptedExecutor;
    expect(await waitFor(statusIs(db, id!, 'saved'), 'saved by the next tab')).toMatchObject({ attempts: 0 });
    expect(live.calls).toHaveLength(1);
    expect(silent.posted).toHaveLength(1);
  });

  it('an executor that keeps losing jobs at once does not spin the queue', async () => {
    const db = freshDb();
    const [id] = await seed(db, ref('file_a'));
    const { queue, add } = makeQueue(db);
    const lossy = add(new ScriptedExecutor(() => ({ ok: false, lost: true }))) as ScriptedExecutor;
    await waitFor(() => lossy.calls.length === 1, 'the first run');
    await new Promise((r) => setTimeout(r, 300));
    await queue.settled();
    expect(lossy.calls).toHaveLength(1);
    expect(await getJob(db, fetchJobId(id!))).toMatchObject({ attempts: 0, leaseUntil: null, lastError: null });
    expect(await waitFor(() => lossy.calls.length === 2, 'run again after the pause', 3_000)).toBe(true);
  });
});

describe('CaptureQueue: no polling', () => {
  it('a job leased elsewhere is waited for until its lease ends, not polled', async () => {
    const db = freshDb();
    const [id] = await seed(db, ref('file_a'));
    expect((await leaseDueJobs(db, Date.now(), 1, 60_000, (j) => j.id !== fetchJobId(id!))).length).toBe(1);
    const wakes: number[] = [];
    let looks = 0;
    const orderBy = db.jobs.orderBy.bind(db.jobs);
    vi.spyOn(db.jobs, 'orderBy').mockImplementation((index) => {
      looks++;
      return orderBy(index);
    });
    const { add, queue } = makeQueue(db, { wakeAt: (at) => wakes.push(at) });
    add(new ScriptedExecutor((spec) => ok(spec)));
    await new Promise((r) => setTimeout(r, 400));
    await queue.settled();
    expect(looks).toBeLessThanOrEqual(2);
    expect(wakes).toHaveLength(1);
    expect(wakes[0]).toBeGreaterThan(Date.now() + 50_000);
  });

  it('a job in a long backoff asks for a wake-up (an alarm) at its due time', async () => {
    const db = freshDb();
    const { added } = await recordRefs(db, [ref('file_a')], { source: 'live' });
    const due = Date.now() + 5 * 60_000;
    await enqueueJob(db, { artifactId: added[0]!, conversationId: 'conv-1', nextAttemptAt: due });
    const wakes: number[] = [];
    const worker = new ScriptedExecutor((spec) => ok(spec));
    const { queue } = makeQueue(db, { worker, wakeAt: (at) => wakes.push(at) });
    queue.kick();
    await queue.settled();
    expect(wakes).toEqual([due]);
    expect(worker.calls).toHaveLength(0);
  });
});

describe('CaptureQueue: storage full', () => {
  const quota = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

  it('a write rejected for quota is a state, not an attempt: downloads stop, nothing spins, and they resume after', async () => {
    const db = freshDb();
    const [a, b] = await seed(db, ref('file_a'), ref('file_b'));
    const add = vi.spyOn(db.blobs, 'bulkAdd').mockRejectedValue(quota());
    const states: unknown[] = [];
    const { queue, add: addExecutor } = makeQueue(db, { maxInFlight: 1, onStorageFull: (s) => states.push(s) });
    const worker = addExecutor(new ScriptedExecutor((spec) => ok(spec))) as ScriptedExecutor;
    await waitFor(() => worker.calls.length > 0 && queue.storageFullState?.(), 'storage full');
    await new Promise((r) => setTimeout(r, 300));
    await queue.settled();
    // Not downloaded again and again: each file at most once (b may have been fetched while a's write was pending).
    const fetched = worker.calls.map((c) => c.artifactId);
    expect(fetched[0]).toBe(a);
    expect(new Set(fetched).size).toBe(fetched.length);
    expect(states).toHaveLength(1);
    expect(states[0]).toMatchObject({ neededBytes: pngFor(a!).length });
    expect(await getArtifact(db, a!)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await getJob(db, fetchJobId(a!))).toMatchObject({ attempts: 0, leaseUntil: null });
    expect(await getArtifact(db, b!)).toMatchObject({ status: 'pending', attempts: 0 });

    add.mockRestore();
    await queue.resumeAfterStorageFull();
    await waitFor(statusIs(db, a!, 'saved'), 'a saved after space was freed');
    await waitFor(statusIs(db, b!, 'saved'), 'b saved after space was freed');
    expect(states.at(-1)).toBeNull();
    expect(queue.storageFullState()).toBeNull();
  });

  it('when the bookkeeping writes are rejected too, the queue still pauses, and resumes cleanly', async () => {
    const db = freshDb();
    const [a] = await seed(db, ref('file_a'));
    const add = vi.spyOn(db.blobs, 'bulkAdd').mockRejectedValue(quota());
    // Releasing a lease is rejected too (claiming one still works, so the job can start).
    const realUpdate = db.jobs.update.bind(db.jobs);
    const update = vi.spyOn(db.jobs, 'update').mockImplementation(((key: string, changes: { leaseUntil?: number | null }) =>
      changes.leaseUntil === null ? Promise.reject(quota()) : realUpdate(key, changes)) as typeof db.jobs.update);
    const worker = new ScriptedExecutor((spec) => ok(spec));
    const { queue } = makeQueue(db, { worker });
    queue.kick();
    await waitFor(() => queue.storageFullState(), 'storage full');
    await new Promise((r) => setTimeout(r, 300));
    await queue.settled();
    expect(worker.calls).toHaveLength(1);
    expect((await getJob(db, fetchJobId(a!)))?.leaseUntil).not.toBeNull(); // the release itself failed
    add.mockRestore();
    update.mockRestore();
    await queue.resumeAfterStorageFull();
    expect(await waitFor(statusIs(db, a!, 'saved'), 'saved after the pause')).toMatchObject({ attempts: 0 });
  });

  it('an outcome that cannot be written (not quota) is retried a few times, never forever', async () => {
    const db = freshDb();
    await seed(db, ref('file_a'));
    vi.spyOn(db.jobs, 'delete').mockRejectedValue(new Error('disk error'));
    vi.spyOn(db.jobs, 'put').mockRejectedValue(new Error('disk error'));
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const worker = new ScriptedExecutor(() => failure('server'));
    const { queue } = makeQueue(db, { worker, leaseMs: 20 });
    queue.kick();
    await new Promise((r) => setTimeout(r, 1_500));
    await queue.settled();
    expect(worker.calls.length).toBeGreaterThan(0);
    expect(worker.calls.length).toBeLessThanOrEqual(3);
  });
});

describe('CaptureQueue.recover: a worker that died mid-job', () => {
  it('counts the interruption; at the last attempt the file fails with a reason instead of looping', async () => {
    const db = freshDb();
    const [id] = await seed(db, ref('file_a'));
    await db.jobs.update(fetchJobId(id!), { attempts: POLICY.maxAttempts - 1 });
    expect((await leaseDueJobs(db, Date.now(), 1, 60_000, (j) => j.id !== fetchJobId(id!))).length).toBe(1);
    await markJobsStarted(db, [fetchJobId(id!)], Date.now());
    const { queue } = makeQueue(db);
    expect(await queue.recover()).toBe(1);
    const record = await getArtifact(db, id!);
    expect(record).toMatchObject({ status: 'failed' });
    expect(record!.reason).toMatch(/stopped during the download .* too large for memory/);
    expect(await getJob(db, fetchJobId(id!))).toBeNull();
  });
});

describe('CaptureQueue: the file host refusing the worker', () => {
  const hostRefused: ExecutorResult = { ok: false, refused: true, failure: { cause: 'gone', reason: 'The file link was refused (HTTP 403)', hostRefused: true } };

  it('with a tab: the tab decides (here: gone, so expired); without one: a counted transient failure, never expired', async () => {
    const db = freshDb();
    const [a] = await seed(db, ref('file_a'));
    const withTab = makeQueue(db, { worker: new ScriptedExecutor(() => hostRefused) });
    withTab.add(new ScriptedExecutor(() => failure('gone', 'The file link was refused (HTTP 403)')));
    await waitFor(statusIs(db, a!, 'expired'), 'expired on the tab\'s word');

    const db2 = freshDb();
    const [b] = await seed(db2, ref('file_b'));
    const worker = new ScriptedExecutor(() => hostRefused);
    makeQueue(db2, { worker }).queue.kick();
    const failed = await waitFor(statusIs(db2, b!, 'failed'), 'failed after the attempts');
    expect(failed.attempts).toBe(POLICY.maxAttempts);
    expect(worker.calls).toHaveLength(POLICY.maxAttempts);
  });
});
