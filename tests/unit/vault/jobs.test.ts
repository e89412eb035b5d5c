// @vitest-environment node
import { describe, expect, it, vi } from 'vitest';
import {
  createVaultDb, enqueueJob, finishJob, leaseDueJobs, markJobsStarted, pendingJobCount, rescheduleJob, VaultError, type VaultDb,
} from '@/utils/vault';
import { dump, freshDb, getJob } from './helpers';

const job = (artifactId: string, over: Record<string, unknown> = {}) => ({ artifactId, conversationId: 'conv-1', ...over });
/** Claims the one job `id` if it is due at `now` and not leased. */
const leaseJob = async (db: VaultDb, id: string, now: number, ms: number) => (await leaseDueJobs(db, now, 1, ms, (j) => j.id !== id)).length === 1;

describe('enqueueJob', () => {
  it('creates a due job with defaults', async () => {
    const db = freshDb();
    vi.spyOn(Date, 'now').mockReturnValue(1_000);
    expect(await enqueueJob(db, job('file:a', { data: { url: 'https://x' } }))).toEqual({ id: 'fetch:file:a', created: true });
    expect(await getJob(db, 'fetch:file:a')).toEqual({
      id: 'fetch:file:a', type: 'fetch-artifact', artifactId: 'file:a', conversationId: 'conv-1', attempts: 0,
      nextAttemptAt: 1_000, leaseUntil: null, lastError: null, createdAt: 1_000, data: { url: 'https://x' },
    });
  });

  it('is idempotent by id: attempts, lease and error stay; data merges; never postponed', async () => {
    const db = freshDb();
    await enqueueJob(db, job('file:a', { nextAttemptAt: 100, data: { url: 'old', tries: 1 } }));
    await leaseJob(db, 'fetch:file:a', 100, 50);
    await rescheduleJob(db, 'fetch:file:a', 500, '429');
    await leaseJob(db, 'fetch:file:a', 500, 1_000);
    expect(await enqueueJob(db, job('file:a', { nextAttemptAt: 900, data: { url: 'new' } }))).toEqual({ id: 'fetch:file:a', created: false });
    expect(await getJob(db, 'fetch:file:a')).toMatchObject({
      attempts: 1, lastError: '429', leaseUntil: 1_500, nextAttemptAt: 500, data: { url: 'new', tries: 1 },
    });
    await enqueueJob(db, job('file:a', { nextAttemptAt: 200 }));
    expect((await getJob(db, 'fetch:file:a'))?.nextAttemptAt).toBe(200);
    expect(await db.jobs.count()).toBe(1);
  });

  it.each([
    ['null job', null],
    ['no artifact id', { conversationId: 'c' }],
    ['empty conversation id', { artifactId: 'a', conversationId: '' }],
    ['bad type', { artifactId: 'a', conversationId: 'c', type: 'upload' }],
    ['NaN time', { artifactId: 'a', conversationId: 'c', nextAttemptAt: Number.NaN }],
    ['array data', { artifactId: 'a', conversationId: 'c', data: [] }],
  ])('rejects %s and writes nothing', async (_n, input) => {
    const db = freshDb();
    const error = await enqueueJob(db, input as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultError);
    expect((error as VaultError).code).toBe('invalid-argument');
    expect(await db.jobs.count()).toBe(0);
  });
});

describe('leaseDueJobs', () => {
  it('claims due jobs without a live lease, earliest first, up to the limit, none that skip rejects', async () => {
    const db = freshDb();
    await enqueueJob(db, job('late', { nextAttemptAt: 300 }));
    await enqueueJob(db, job('b', { nextAttemptAt: 200 }));
    await enqueueJob(db, job('a', { nextAttemptAt: 100 }));
    await enqueueJob(db, job('leased', { nextAttemptAt: 50 }));
    await enqueueJob(db, job('stale-lease', { nextAttemptAt: 60 }));
    await leaseJob(db, 'fetch:leased', 200, 1_000);
    await leaseJob(db, 'fetch:stale-lease', 0, 100);

    const claimed = await leaseDueJobs(db, 250, 2, 500, (j) => j.artifactId === 'a');
    expect(claimed.map((j) => j.artifactId)).toEqual(['stale-lease', 'b']);
    expect(claimed.every((j) => j.leaseUntil === 750)).toBe(true);
    expect((await getJob(db, 'fetch:b'))?.leaseUntil).toBe(750);
    expect((await getJob(db, 'fetch:a'))?.leaseUntil).toBeNull();
    expect((await leaseDueJobs(db, 250, 10, 500)).map((j) => j.artifactId)).toEqual(['a']);
    expect((await leaseDueJobs(db, 1_300, 10, 500)).map((j) => j.artifactId)).toEqual(['leased', 'stale-lease', 'a', 'b', 'late']);
    expect(await leaseDueJobs(db, 1_300, 0, 500)).toEqual([]);
  });

  it('never lets two concurrent passes claim the same job', async () => {
    const db = freshDb();
    for (const id of ['a', 'b', 'c', 'd', 'e']) await enqueueJob(db, job(id, { nextAttemptAt: 0 }));
    const [x, y] = await Promise.all([leaseDueJobs(db, 10, 3, 1_000), leaseDueJobs(db, 10, 3, 1_000)]);
    const ids = [...x, ...y].map((j) => j.id);
    expect(ids).toHaveLength(5);
    expect(new Set(ids).size).toBe(5);
  });
});

describe('leasing one job', () => {
  it('lets exactly one of two concurrent leasers win', async () => {
    const db = freshDb();
    await enqueueJob(db, job('a', { nextAttemptAt: 0 }));
    const results = await Promise.all([leaseJob(db, 'fetch:a', 10, 30_000), leaseJob(db, 'fetch:a', 10, 30_000)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await getJob(db, 'fetch:a'))?.leaseUntil).toBe(30_010);
  });

  it('is atomic across two connections to the same database (service worker and a page)', async () => {
    const db = freshDb();
    const other = createVaultDb(db.name);
    try {
      await enqueueJob(db, job('a', { nextAttemptAt: 0 }));
      const results = await Promise.all([leaseJob(db, 'fetch:a', 10, 1_000), leaseJob(other, 'fetch:a', 10, 1_000)]);
      expect(results.filter(Boolean)).toHaveLength(1);
    } finally {
      other.close();
    }
  });

  it('lets a job be reclaimed once its lease has expired', async () => {
    const db = freshDb();
    await enqueueJob(db, job('a', { nextAttemptAt: 0 }));
    expect(await leaseJob(db, 'fetch:a', 0, 1_000)).toBe(true);
    expect(await leaseJob(db, 'fetch:a', 999, 1_000)).toBe(false);
    expect(await leaseJob(db, 'fetch:a', 1_000, 1_000)).toBe(true);
    expect((await getJob(db, 'fetch:a'))?.leaseUntil).toBe(2_000);
  });

  it('returns false for a missing job and rejects a non-positive lease', async () => {
    const db = freshDb();
    expect(await leaseJob(db, 'fetch:none', 0, 10)).toBe(false);
    await enqueueJob(db, job('a'));
    await expect(leaseJob(db, 'fetch:a', 0, 0)).rejects.toBeInstanceOf(VaultError);
    await expect(leaseDueJobs(db, 0, -1, 10)).rejects.toBeInstanceOf(VaultError);
  });
});

describe('markJobsStarted', () => {
  it('marks claimed jobs begun; a job not claimed or gone is left alone; a new claim starts unmarked', async () => {
    const db = freshDb();
    for (const id of ['file:a', 'file:b']) await enqueueJob(db, job(id, { nextAttemptAt: 0 }));
    await leaseJob(db, 'fetch:file:a', 10, 1_000);
    await markJobsStarted(db, ['fetch:file:a', 'fetch:file:b', 'fetch:file:gone'], 20);
    expect(await getJob(db, 'fetch:file:a')).toMatchObject({ startedAt: 20, leaseUntil: 1_010 });
    expect((await getJob(db, 'fetch:file:b'))?.startedAt).toBeUndefined();
    expect(await db.jobs.count()).toBe(2);
    await rescheduleJob(db, 'fetch:file:a', 30, 'x');
    await leaseJob(db, 'fetch:file:a', 40, 1_000);
    expect((await getJob(db, 'fetch:file:a'))?.startedAt).toBeNull();
  });

  it('rejects a bad id before writing', async () => {
    const db = freshDb();
    await expect(markJobsStarted(db, [''], 1)).rejects.toBeInstanceOf(VaultError);
  });
});

describe('rescheduleJob, finishJob, pendingJobCount', () => {
  it('reschedule counts the attempt and releases the lease', async () => {
    const db = freshDb();
    await enqueueJob(db, job('a', { nextAttemptAt: 0 }));
    await leaseJob(db, 'fetch:a', 0, 60_000);
    expect(await rescheduleJob(db, 'fetch:a', 5_000, 'HTTP 503')).toBe(true);
    expect(await getJob(db, 'fetch:a')).toMatchObject({ attempts: 1, leaseUntil: null, nextAttemptAt: 5_000, lastError: 'HTTP 503' });
    expect(await leaseDueJobs(db, 4_999, 10, 10)).toEqual([]);
    expect(await leaseJob(db, 'fetch:a', 5_000, 10)).toBe(true);
    expect(await rescheduleJob(db, 'fetch:none', 0, null)).toBe(false);
  });

  it('finish deletes; counts are per vault and per conversation', async () => {
    const db = freshDb();
    await enqueueJob(db, job('a'));
    await enqueueJob(db, job('b'));
    await enqueueJob(db, job('c', { conversationId: 'conv-2' }));
    expect(await pendingJobCount(db)).toBe(3);
    expect(await pendingJobCount(db, 'conv-1')).toBe(2);
    await finishJob(db, 'fetch:a');
    expect(await getJob(db, 'fetch:a')).toBeNull();
    expect(await pendingJobCount(db, 'conv-1')).toBe(1);
    expect(await pendingJobCount(db, 'conv-3')).toBe(0);
  });

  it('rejects bad arguments without writing', async () => {
    const db = freshDb();
    await enqueueJob(db, job('a', { nextAttemptAt: 0 }));
    const before = await dump(db);
    await expect(rescheduleJob(db, 'fetch:a', Number.POSITIVE_INFINITY, null)).rejects.toBeInstanceOf(VaultError);
    await expect(rescheduleJob(db, 'fetch:a', 1, 42 as never)).rejects.toBeInstanceOf(VaultError);
    await expect(leaseDueJobs(db, 0, -1, 10)).rejects.toBeInstanceOf(VaultError);
    await expect(finishJob(db, '')).rejects.toBeInstanceOf(VaultError);
    expect(await dump(db)).toEqual(before);
  });
});
