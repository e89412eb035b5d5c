/**
 * The background's capture queue. Jobs live in the vault's `jobs` table (they survive a stopped service
 * worker and a browser restart); this class only decides which due job runs next and on which executor (a
 * connected ChatGPT tab), applies the retry policy, and commits bytes to the vault.
 *
 * One background means one queue for every tab, so two tabs on one conversation produce one job per
 * artifact identity, and the vault's idempotent writes make a late duplicate harmless.
 */
import type { ArtifactRecord, VaultDb } from '@/utils/vault';
import { dueJobs, finishJob, getArtifact, leaseJob, markStatus, rescheduleJob, saveBytes } from '@/utils/vault';
import { decide, DEFAULT_POLICY, type RetryPolicy } from './backoff';
import type { Failure } from './failure';
import type { FetchedFile, JobSpec } from './fetcher';

/** Something that can fetch an artifact's bytes: a content script behind a port (or a test double). */
export interface Executor {
  readonly id: string;
  /** The conversation its tab shows, to prefer the tab that saw the artifact. */
  conversationId: string | null;
  /** Resolves with the bytes, or rejects with a Failure-carrying error; `lost` when the executor went away. */
  run(spec: JobSpec): Promise<ExecutorResult>;
}

export type ExecutorResult =
  | { ok: true; file: FetchedFile; bytes: Blob }
  | { ok: false; failure: Failure }
  /** The tab closed or the port broke mid-job: not the artifact's fault, so no attempt is counted. */
  | { ok: false; lost: true };

export interface QueueOptions {
  policy?: RetryPolicy;
  /** Jobs running at once across all executors. */
  maxInFlight?: number;
  /** A job's claim; a worker that dies mid-job releases it after this long at most. */
  leaseMs?: number;
  now?: () => number;
  random?: () => number;
  /** Called after an artifact's status changed (badge, downloads option). */
  onSettled?: (record: ArtifactRecord) => void;
  /** Called when the queue goes from idle to busy or back (the port tells tabs). */
  onBusyChange?: (busy: boolean) => void;
}

export class CaptureQueue {
  private readonly executors = new Map<string, { executor: Executor; running: number }>();
  private readonly inFlight = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private pumping: Promise<void> | null = null;
  private again = false;
  private busy = false;
  private readonly opts: Required<Omit<QueueOptions, 'onSettled' | 'onBusyChange'>> & QueueOptions;

  constructor(private readonly db: VaultDb, options: QueueOptions = {}) {
    this.opts = {
      policy: DEFAULT_POLICY,
      maxInFlight: 4,
      leaseMs: 120_000,
      now: Date.now,
      random: Math.random,
      ...options,
    };
  }

  /**
   * A fresh background owns no running job, so any lease in the table belongs to a worker that died:
   * release them all so interrupted work resumes at once instead of after the lease.
   */
  async recover(): Promise<number> {
    return this.db.jobs.filter((job) => job.leaseUntil !== null).modify({ leaseUntil: null, nextAttemptAt: this.opts.now() });
  }

  addExecutor(executor: Executor): void {
    this.executors.set(executor.id, { executor, running: 0 });
    this.kick();
  }

  removeExecutor(id: string): void {
    this.executors.delete(id);
  }

  hasExecutor(): boolean {
    return this.executors.size > 0;
  }

  /** Run due jobs now (coalesced: calls during a pump schedule one more pass). */
  kick(): void {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = this.pump()
      .catch((err) => {
        // A pump that throws (IndexedDB trouble) must not leave an unhandled rejection, nor stop the
        // queue for good: try again a little later.
        console.error('[artifact-vault] capture queue:', err);
        if (this.executors.size > 0 && !this.timer) this.timer = setTimeout(() => this.kick(), 5_000);
      })
      .finally(() => {
      this.pumping = null;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Resolves when no pump pass is running (tests and benchmarks). */
  async settled(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  private async pump(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const now = this.opts.now();
    const free = this.opts.maxInFlight - this.inFlight.size;
    if (free > 0 && this.executors.size > 0) {
      const due = await dueJobs(this.db, now, free + this.inFlight.size);
      for (const job of due) {
        if (this.inFlight.size >= this.opts.maxInFlight) break;
        if (this.inFlight.has(job.id)) continue;
        const slot = this.pickExecutor(job.conversationId);
        if (!slot) break;
        if (!(await leaseJob(this.db, job.id, now, this.opts.leaseMs))) continue;
        this.inFlight.add(job.id);
        slot.running++;
        void this.runJob(job.id, job.artifactId, job.attempts, (job.data.gizmoId as string | null) ?? null, slot)
          .catch((err) => this.jobCrashed(job.id, job.artifactId, job.attempts, err))
          .finally(() => {
            this.inFlight.delete(job.id);
            slot.running--;
            this.kick();
          });
      }
    }
    await this.scheduleNext();
  }

  private pickExecutor(conversationId: string): { executor: Executor; running: number } | null {
    let best: { executor: Executor; running: number } | null = null;
    for (const slot of this.executors.values()) {
      if (slot.executor.conversationId === conversationId) return slot;
      if (!best || slot.running < best.running) best = slot;
    }
    return best;
  }

  /** Wake up for the next job that is waiting for its backoff to pass. */
  private async scheduleNext(): Promise<void> {
    const next = await this.db.jobs.orderBy('nextAttemptAt').first();
    const busy = next !== undefined || this.inFlight.size > 0;
    if (busy !== this.busy) {
      this.busy = busy;
      this.opts.onBusyChange?.(busy);
    }
    if (!next || this.executors.size === 0) return;
    // Every slot busy: a finishing job kicks the queue, so there is nothing to poll for meanwhile.
    if (this.inFlight.size >= this.opts.maxInFlight) return;
    const wait = Math.max(0, next.nextAttemptAt - this.opts.now());
    if (next.leaseUntil !== null && next.leaseUntil > this.opts.now() && this.inFlight.has(next.id)) return;
    this.timer = setTimeout(() => this.kick(), Math.max(wait, 50));
  }

  isBusy(): boolean {
    return this.busy;
  }

  private async runJob(
    jobId: string,
    artifactId: string,
    attemptsSoFar: number,
    gizmoId: string | null,
    slot: { executor: Executor },
  ): Promise<void> {
    const record = await getArtifact(this.db, artifactId);
    if (!record || record.status === 'saved') {
      // Saved by another path (a restore, an earlier duplicate job) or deleted: nothing left to do.
      await finishJob(this.db, jobId);
      return;
    }
    const spec: JobSpec = {
      jobId,
      artifactId,
      kind: record.kind,
      conversationId: record.conversationId,
      fileId: record.fileId,
      sandboxPath: record.sandboxPath,
      messageId: record.messageId,
      fallbackMessageId: record.fallbackMessageId,
      messageCreateTime: record.createTime,
      declaredSize: record.declaredSize,
      fileName: record.fileName,
      gizmoId,
    };
    let result: ExecutorResult;
    try {
      result = await slot.executor.run(spec);
    } catch (err) {
      result = { ok: false, failure: { cause: 'network', reason: err instanceof Error ? err.message : String(err) } };
    }
    if (result.ok) {
      await saveBytes(this.db, artifactId, result.bytes, {
        mimeType: result.file.mimeType,
        fileId: result.file.fileId,
        fileName: result.file.fileName,
      });
      await finishJob(this.db, jobId);
      await this.settle(artifactId);
      return;
    }
    if ('lost' in result) {
      // Give the job back at once, without counting an attempt.
      await this.db.jobs.update(jobId, { leaseUntil: null, nextAttemptAt: this.opts.now() });
      return;
    }
    await this.applyFailure(jobId, artifactId, attemptsSoFar, result.failure);
  }

  private async applyFailure(jobId: string, artifactId: string, attemptsSoFar: number, failure: Failure): Promise<void> {
    const decision = decide(failure, attemptsSoFar + 1, this.opts.policy, this.opts.random);
    if (decision.action === 'retry') {
      await rescheduleJob(this.db, jobId, this.opts.now() + decision.delayMs, failure.reason);
      await markStatus(this.db, artifactId, 'pending', `Retrying: ${failure.reason}`);
    } else {
      await markStatus(this.db, artifactId, decision.status, decision.reason);
      await finishJob(this.db, jobId);
    }
    await this.settle(artifactId);
  }

  /**
   * A job threw while committing its outcome: the artifact was deleted meanwhile (the vault answers
   * not-found), or storing failed (quota). It used to escape as an unhandled rejection and leave the job
   * leased; now a deleted artifact ends its job, and anything else counts as a failed attempt.
   */
  private async jobCrashed(jobId: string, artifactId: string, attemptsSoFar: number, err: unknown): Promise<void> {
    try {
      if (!(await getArtifact(this.db, artifactId))) {
        await finishJob(this.db, jobId);
        return;
      }
      const message = err instanceof Error ? err.message : String(err);
      await this.applyFailure(jobId, artifactId, attemptsSoFar, { cause: 'network', reason: `Could not store the file: ${message}`.slice(0, 200) });
    } catch (again) {
      console.error('[artifact-vault] capture job failed twice; its lease will expire:', again);
    }
  }

  private async settle(artifactId: string): Promise<void> {
    const record = await getArtifact(this.db, artifactId);
    if (record) this.opts.onSettled?.(record);
  }
}
