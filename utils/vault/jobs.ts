/**
 * The persistent work queue. A stopped MV3 service worker loses its memory, not this table: on wake,
 * `dueJobs` returns what is left and work resumes (docs/FORMATS.md: "Interrupted work resumes within
 * seconds"). A lease is a time-limited claim, so a worker that died mid-job cannot block it for longer
 * than the lease.
 */
import type { JobRecord, JobType, VaultDb } from './db';
import { VaultError, describe, requireFinite, requireId } from './errors';

export interface JobInput {
  /** Defaults to `fetch:<artifactId>`. */
  id?: string;
  type?: JobType;
  artifactId: string;
  conversationId: string;
  /** Defaults to now (due at once). */
  nextAttemptAt?: number;
  data?: Record<string, unknown>;
}

/** The id `enqueueJob` gives a fetch job. */
export function fetchJobId(artifactId: string): string {
  return `fetch:${artifactId}`;
}

/**
 * Adds a job, or leaves an existing one's attempts, lease and last error alone (idempotent by id).
 * Re-enqueuing merges `data` (new keys win, e.g. a fresh signed URL) and never postpones the job:
 * `nextAttemptAt` becomes the earlier of the two. Returns whether a new job was created.
 */
export async function enqueueJob(db: VaultDb, job: JobInput): Promise<{ id: string; created: boolean }> {
  if (typeof job !== 'object' || job === null) throw new VaultError('invalid-argument', `job must be an object, got ${describe(job)}`);
  const artifactId = requireId(job.artifactId, 'job.artifactId');
  const conversationId = requireId(job.conversationId, 'job.conversationId');
  const id = job.id === undefined ? fetchJobId(artifactId) : requireId(job.id, 'job.id');
  const type = job.type ?? 'fetch-artifact';
  if (type !== 'fetch-artifact') throw new VaultError('invalid-argument', `unknown job type ${describe(type)}`);
  const now = Date.now();
  const nextAttemptAt = job.nextAttemptAt === undefined ? now : requireFinite(job.nextAttemptAt, 'job.nextAttemptAt');
  const data = job.data ?? {};
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new VaultError('invalid-argument', `job.data must be an object, got ${describe(data)}`);
  }

  return db.transaction('rw', db.jobs, async () => {
    const existing = await db.jobs.get(id);
    if (existing) {
      await db.jobs.put({
        ...existing,
        data: { ...existing.data, ...data },
        nextAttemptAt: Math.min(existing.nextAttemptAt, nextAttemptAt),
      });
      return { id, created: false };
    }
    await db.jobs.add({
      id, type, artifactId, conversationId, attempts: 0, nextAttemptAt, leaseUntil: null, lastError: null,
      createdAt: now, data,
    });
    return { id, created: true };
  });
}

/**
 * Claims up to `limit` jobs due at `now` and not held by a live lease (earliest first, none that `skip`
 * rejects) until `now + ms`, in one transaction: one commit per pass of the queue, not one per job. Atomic:
 * IndexedDB runs read-write transactions on the same table one after another, so two leasers (even on two
 * connections, the service worker and a page) never claim the same job.
 */
export async function leaseDueJobs(
  db: VaultDb,
  now: number,
  limit: number,
  ms: number,
  skip: (job: JobRecord) => boolean = () => false,
): Promise<JobRecord[]> {
  requireFinite(now, 'now');
  if (!Number.isInteger(limit) || limit < 0) throw new VaultError('invalid-argument', `limit must be a non-negative integer, got ${describe(limit)}`);
  if (requireFinite(ms, 'ms') <= 0) throw new VaultError('invalid-argument', `ms must be positive, got ${ms}`);
  if (limit === 0) return [];
  return db.transaction('rw', db.jobs, async () => {
    const due = await db.jobs
      .where('nextAttemptAt')
      .belowOrEqual(now)
      .and((j) => (j.leaseUntil === null || j.leaseUntil <= now) && !skip(j))
      .limit(limit)
      .toArray();
    const leased = due.map((j) => ({ ...j, leaseUntil: now + ms, startedAt: null }));
    await db.jobs.bulkPut(leased);
    return leased;
  });
}

/**
 * Marks claimed jobs as begun (`startedAt`), in one transaction; jobs gone or no longer claimed are left
 * alone. The queue does not wait for it before starting a download: a worker stopped before it lands
 * counts no attempt for that job, the lenient side.
 */
export async function markJobsStarted(db: VaultDb, ids: readonly string[], at: number): Promise<void> {
  ids.forEach((id, i) => requireId(id, `ids[${i}]`));
  requireFinite(at, 'at');
  if (ids.length === 0) return;
  await db.transaction('rw', db.jobs, async () => {
    const jobs = await db.jobs.bulkGet([...ids]);
    const started = jobs.filter((j): j is JobRecord => !!j && j.leaseUntil !== null).map((j) => ({ ...j, startedAt: at }));
    if (started.length > 0) await db.jobs.bulkPut(started);
  });
}

/** Records a failed attempt: attempts + 1, lease released, due again at `nextAttemptAt`. False if gone. */
export async function rescheduleJob(db: VaultDb, id: string, nextAttemptAt: number, lastError: string | null): Promise<boolean> {
  requireId(id, 'id');
  requireFinite(nextAttemptAt, 'nextAttemptAt');
  if (lastError !== null && typeof lastError !== 'string') {
    throw new VaultError('invalid-argument', `lastError must be a string or null, got ${describe(lastError)}`);
  }
  return db.transaction('rw', db.jobs, async () => {
    const job = await db.jobs.get(id);
    if (!job) return false;
    await db.jobs.put({ ...job, attempts: job.attempts + 1, nextAttemptAt, leaseUntil: null, lastError });
    return true;
  });
}

/** Removes a finished job (and with it any signed URL it carried). */
export async function finishJob(db: VaultDb, id: string): Promise<void> {
  requireId(id, 'id');
  await db.jobs.delete(id);
}

/** Jobs still queued (due or not, leased or not), in the whole vault or one conversation. */
export async function pendingJobCount(db: VaultDb, conversationId?: string): Promise<number> {
  if (conversationId === undefined) return db.jobs.count();
  requireId(conversationId, 'conversationId');
  return db.jobs.where('conversationId').equals(conversationId).count();
}

/** The jobs of `ids`, in order; undefined where there is none. */
export async function getJobs(db: VaultDb, ids: readonly string[]): Promise<(JobRecord | undefined)[]> {
  return db.jobs.bulkGet([...ids]);
}

/** The ids of one conversation's queued jobs (keys only). */
export async function conversationJobIds(db: VaultDb, conversationId: string): Promise<string[]> {
  return db.jobs.where('conversationId').equals(conversationId).primaryKeys();
}

/** Every job that holds a lease, live or dead. */
export async function leasedJobs(db: VaultDb): Promise<JobRecord[]> {
  return db.jobs.filter((job) => job.leaseUntil !== null).toArray();
}

/** Up to `limit` jobs by due time, earliest first, none that `skip` rejects. */
export async function upcomingJobs(db: VaultDb, limit: number, skip: (job: JobRecord) => boolean): Promise<JobRecord[]> {
  return db.jobs.orderBy('nextAttemptAt').filter((j) => !skip(j)).limit(limit).toArray();
}

/** Gives a claim back, uncounted: no lease, due at `nextAttemptAt`. */
export async function releaseJob(db: VaultDb, id: string, nextAttemptAt: number): Promise<void> {
  await db.jobs.update(id, { leaseUntil: null, nextAttemptAt });
}

/**
 * Deletes the jobs of `ids` that exist and `keep` does not hold back, in one transaction; returns the
 * deleted jobs' artifact ids.
 */
export async function dropJobs(db: VaultDb, ids: readonly string[], keep: (job: JobRecord) => boolean): Promise<string[]> {
  return db.transaction('rw', db.jobs, async () => {
    const jobs = await db.jobs.bulkGet([...ids]);
    const gone = jobs.filter((job): job is JobRecord => !!job && !keep(job));
    await db.jobs.bulkDelete(gone.map((job) => job.id));
    return gone.map((job) => job.artifactId);
  });
}

/** Releases every lease (no attempt counted) except those of the jobs `keep` holds. */
export async function releaseLeases(db: VaultDb, keep: (job: JobRecord) => boolean): Promise<void> {
  await db.jobs.filter((job) => job.leaseUntil !== null && !keep(job)).modify({ leaseUntil: null });
}
