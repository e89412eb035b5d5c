/**
 * The background's capture queue. Jobs live in the vault's `jobs` table (they survive a stopped service
 * worker and a browser restart); this class only decides which due job runs next and on which executor, applies
 * the retry policy, and commits bytes to the vault.
 *
 * Executors: the worker itself first (utils/worker/capture/worker-executor.ts; no tab needed), a connected ChatGPT
 * tab when the backend refuses the worker. Storage full is a state, not a failure: downloads stop until the
 * person frees space (the background's periodic check calls `resumeAfterStorageFull`). Waiting never polls:
 * a timer (and, for long waits, `wakeAt` so a stopped worker is woken) fires when the next job is due.
 *
 * One background means one queue for every tab, so two tabs on one conversation produce one job per
 * artifact identity, and the vault's idempotent writes make a late duplicate harmless.
 */
import type { ArtifactRecord, JobRecord, PreparedBytes, SaveBytesResult, VaultDb } from '@/utils/vault';
import {
  commitPrepared, dropJobs, fetchJobId, finishJob, getArtifact, getArtifacts, leaseDueJobs, leasedJobs, markJobsStarted, markStatus, prepareBytes,
  releaseJob, releaseLeases, rescheduleJob, storeBlobs, upcomingJobs, VaultError,
} from '@/utils/vault';
import { decide, DEFAULT_POLICY, type RetryPolicy } from '@/utils/chatgpt/net/backoff';
import type { Failure } from '@/utils/chatgpt/net/failure';
import type { FetchedFile, JobSpec } from '@/utils/chatgpt/net/fetcher';

/** Something that can fetch an artifact's bytes: the worker, a content script behind a port, a test double. */
export interface Executor {
  readonly id: string;
  /** The conversation its tab shows, to prefer the tab that saw the artifact. */
  conversationId: string | null;
  /** True once it can never run a job again (its port closed): the queue drops it instead of picking it. */
  readonly gone?: boolean;
  /** Resolves with the bytes, or rejects with a Failure-carrying error; `lost` when the executor went away. */
  run(spec: JobSpec): Promise<ExecutorResult>;
}

export type ExecutorResult =
  /** The bytes, held once (a Uint8Array the executor hands over, or a Blob). */
  | { ok: true; file: FetchedFile; bytes: Uint8Array<ArrayBuffer> | Blob }
  | { ok: false; failure: Failure }
  /**
   * The tab closed, the port broke or fell silent mid-job: not the artifact's fault, so no attempt is counted
   * (a hiccup, never a failure).
   */
  | { ok: false; lost: true }
  /** The backend will not serve the worker: a tab should run it (no attempt is counted for the worker). */
  | { ok: false; refused: true; failure: Failure };

/** Why downloads are paused for lack of space, for the badge, the popup and the library. */
export interface StorageFullState {
  since: number;
  /** Bytes of the file that could not be stored (what must fit before trying again). */
  neededBytes: number;
}

/**
 * A job `lost` by an executor that is still there waits this long before it is leased again, so an executor
 * that keeps losing jobs at once cannot spin the queue. (One that went away is dropped, and its job runs at once.)
 */
const LOST_RETRY_MS = 1_000;
/** How long the worker is passed over after the backend refused it (then it is tried again). */
const WORKER_REFUSAL_MS = 10 * 60_000;
/** Waits longer than this also get a `wakeAt` (an alarm): a stopped worker's timers are gone. */
const ALARM_AFTER_MS = 25_000;
/** A job whose outcome could not be written this many times in a row is left alone until the worker restarts. */
const MAX_BOOKKEEPING_FAILURES = 3;
/**
 * Downloaded bytes waiting for their commit. A job's download slot frees as soon as its bytes are in hand
 * (the next download never waits for an earlier file's write); past this much waiting, no new download
 * starts until commits catch up, so memory stays bounded when the disk is slower than the network.
 */
const COMMIT_BACKLOG_BYTES = 32 * 1024 * 1024;
/**
 * Jobs claimed beyond the free slots (with their records), enough to cover one claiming pass while slots
 * keep freeing. Claimed and never begun costs nothing if the worker stops: recover() only gives them back.
 */
const LEASE_AHEAD = 8;
/** Files waiting together commit in one transaction up to this many bytes (the first one always goes). */
const COMMIT_BATCH_BYTES = 16 * 1024 * 1024;

type PendingCommit = { prepared: PreparedBytes; resolve: (saved: SaveBytesResult) => void; reject: (err: unknown) => void };

export interface QueueOptions {
  policy?: RetryPolicy;
  /**
   * Jobs running at once across all executors (default 8: in the worker, four resolving in its resolve lane
   * while four download in its byte lane; the lanes, not this, bound what each asks of ChatGPT).
   */
  maxInFlight?: number;
  /** A job's claim; a worker that dies mid-job releases it after this long at most. */
  leaseMs?: number;
  /** Bytes in hand that may wait for their write before downloads pause (default COMMIT_BACKLOG_BYTES). */
  maxBacklogBytes?: number;
  now?: () => number;
  random?: () => number;
  /** Called after an artifact's status changed (badge, downloads option). */
  onSettled?: (record: ArtifactRecord) => void;
  /** Called when the queue goes from idle to busy or back (the port tells tabs). */
  onBusyChange?: (busy: boolean) => void;
  /** The worker's own executor, used before any tab. */
  worker?: Executor;
  /** Asks to be woken (kick) at this time even if the worker stops meanwhile (an alarm). */
  wakeAt?: (at: number) => void;
  /** Storage went full (a state) or space came back (null). */
  onStorageFull?: (state: StorageFullState | null) => void;
  /** A first job started running, or the last one ended (the background keeps the worker alive meanwhile). */
  onRunningChange?: (running: boolean) => void;
}

type Slot = { executor: Executor; running: number };

export class CaptureQueue {
  private readonly executors = new Map<string, Slot>();
  private readonly worker: Slot | null;
  private workerRefusedUntil = 0;
  private storageFull: StorageFullState | null = null;
  /** Jobs whose outcome could not be written, with how many times in a row (never retried in a tight loop). */
  private readonly bookkeepingFailures = new Map<string, number>();
  /** Jobs this queue holds a lease on: leased ahead, downloading, or holding their bytes until the commit. */
  private readonly inFlight = new Set<string>();
  /** Jobs leased ahead of a free slot, with their records, in lease order. */
  private readonly ready: { job: JobRecord; record: ArtifactRecord | null }[] = [];
  /** Running jobs of a cancelled backup, with the reason they end with if they fail (never retried). */
  private readonly cancelled = new Map<string, string>();
  /** Jobs started since the last `markJobsStarted` write. */
  private readonly started: string[] = [];
  /** Whether a job is running (told to `onRunningChange`). */
  private running = false;
  /** Jobs leased and not yet holding their bytes: what `maxInFlight` limits. */
  private downloading = 0;
  /** Bytes in hand waiting for the vault (see COMMIT_BACKLOG_BYTES). */
  private backlogBytes = 0;
  /**
   * Files waiting for their write. Commits run one after another (a lease or a read waits for at most one
   * write, never a pile), and whatever piled up during one commits together in the next transaction.
   */
  private readonly commitQueue: PendingCommit[] = [];
  private committing = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private pumping: Promise<void> | null = null;
  private again = false;
  private busy = false;
  private readonly opts: Required<Pick<QueueOptions, 'policy' | 'maxInFlight' | 'leaseMs' | 'maxBacklogBytes' | 'now' | 'random'>> & QueueOptions;

  constructor(private readonly db: VaultDb, options: QueueOptions = {}) {
    this.opts = {
      policy: DEFAULT_POLICY,
      maxInFlight: 8,
      leaseMs: 120_000,
      maxBacklogBytes: COMMIT_BACKLOG_BYTES,
      now: Date.now,
      random: Math.random,
      ...options,
    };
    this.worker = options.worker ? { executor: options.worker, running: 0 } : null;
  }

  /**
   * A fresh background owns no running job, so any lease in the table belongs to a worker that stopped or
   * crashed mid-job: release them so interrupted work resumes at once, and count the interruption as an
   * attempt, so that a file whose download brings the worker down (too big for memory) ends as `failed`
   * after the usual number of attempts instead of looping forever. A job claimed ahead and never begun
   * (no `startedAt`) is only given back. Returns how many were released.
   */
  async recover(): Promise<number> {
    const leased = await leasedJobs(this.db);
    const reason = 'The extension stopped during the download';
    for (const job of leased) {
      if (job.startedAt == null) {
        await this.release(job.id);
        continue;
      }
      const record = await getArtifact(this.db, job.artifactId);
      if (!record || record.status === 'saved') {
        await finishJob(this.db, job.id);
        continue;
      }
      const attempts = job.attempts + 1;
      if (attempts >= this.opts.policy.maxAttempts) {
        await markStatus(this.db, job.artifactId, 'failed', `${reason} ${attempts} times; the file may be too large for memory`);
        await finishJob(this.db, job.id);
      } else {
        await rescheduleJob(this.db, job.id, this.opts.now(), reason);
        await markStatus(this.db, job.artifactId, 'pending', `Retrying: ${reason}`);
      }
    }
    return leased.length;
  }

  addExecutor(executor: Executor): void {
    // The background adds a tab's executor once recovery ends; its port may have closed meanwhile.
    if (executor.gone) return;
    this.executors.set(executor.id, { executor, running: 0 });
    this.kick();
  }

  removeExecutor(id: string): void {
    this.executors.delete(id);
    // Jobs leased ahead for it may now have no executor: the next pass gives them back.
    this.kick();
  }

  /** Downloads are paused because the last write did not fit (null when they run). */
  storageFullState(): StorageFullState | null {
    return this.storageFull;
  }

  /** Space was freed (the background's periodic check): release what the pause held and run again. */
  async resumeAfterStorageFull(): Promise<void> {
    if (!this.storageFull) return;
    this.storageFull = null;
    this.opts.onStorageFull?.(null);
    // Leases a failed bookkeeping write could not release: no job of this worker is running now.
    await releaseLeases(this.db, (job) => this.inFlight.has(job.id))
      .catch((err: unknown) => console.warn('[artifact-vault] could not release leases after storage full:', err));
    this.kick();
  }

  /**
   * Drops the queued downloads of these artifacts (a cancelled backup): their jobs are deleted (claimed ones
   * given up) and each ends `failed` with `reason`, no attempt counted. A download already running finishes:
   * stored if it succeeds, else it ends `failed` with `reason` instead of being retried. Returns the artifact
   * ids whose job was dropped.
   */
  async cancelDownloads(artifactIds: readonly string[], reason: string): Promise<string[]> {
    const ids = new Set(artifactIds.map(fetchJobId));
    for (let i = this.ready.length - 1; i >= 0; i--) {
      const { job } = this.ready[i]!;
      if (!ids.has(job.id)) continue;
      this.ready.splice(i, 1);
      this.inFlight.delete(job.id);
    }
    if (this.inFlight.size === 0 && this.running) this.setRunning(false);
    const dropped = await dropJobs(this.db, [...ids], (job) => this.inFlight.has(job.id));
    for (const id of ids) if (this.inFlight.has(id)) this.cancelled.set(id, reason);
    for (const id of dropped) await markStatus(this.db, id, 'failed', reason, { countAttempt: false }).catch(() => false);
    this.kick();
    return dropped;
  }

  /**
   * Run due jobs now: a job already leased ahead starts at once, without waiting for a database pass; the
   * pass that leases more is coalesced (calls during a pump schedule one more pass).
   */
  kick(): void {
    this.startReady();
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = this.pump()
      .catch((err) => {
        // A pump that throws (IndexedDB trouble) must not leave an unhandled rejection, nor stop the
        // queue for good: try again a little later.
        console.error('[artifact-vault] capture queue:', err);
        if (this.hasUsableExecutor() && !this.timer) this.timer = setTimeout(() => this.kick(), 5_000);
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
    if (this.storageFull || !this.hasUsableExecutor()) this.releaseReady();
    // Claim enough for every free slot plus LEASE_AHEAD more, so that a slot freeing later starts its next
    // job at once instead of waiting for this transaction (which queues behind a file's write).
    const want = this.opts.maxInFlight + LEASE_AHEAD - this.downloading - this.ready.length;
    // Nothing claimed because nothing can run yet also counts as exhausted: the next wake-up is then computed.
    let exhausted = want > 0;
    if (want > 0 && !this.storageFull && this.hasUsableExecutor()) {
      // One transaction claims every job this pass takes (leases stay cheap however long the queue).
      const leased = await leaseDueJobs(
        this.db,
        now,
        want,
        this.opts.leaseMs,
        (job) => this.inFlight.has(job.id) || (this.bookkeepingFailures.get(job.id) ?? 0) >= MAX_BOOKKEEPING_FAILURES,
      );
      exhausted = leased.length < want;
      // The records come with the lease (one read per pass, not one per job at its start).
      const records = leased.length > 0 ? await getArtifacts(this.db, leased.map((job) => job.artifactId)) : [];
      leased.forEach((job, i) => {
        this.inFlight.add(job.id);
        this.ready.push({ job, record: records[i] ?? null });
      });
      if (this.storageFull || !this.hasUsableExecutor()) this.releaseReady();
      this.startReady();
    }
    await this.scheduleNext(exhausted);
  }

  /** Starts leased-ahead jobs while a slot is free and the commits keep up. */
  private startReady(): void {
    while (this.ready.length > 0 && this.downloading < this.opts.maxInFlight && !this.backlogFull() && !this.storageFull) {
      const slot = this.pickExecutor(this.ready[0]!.job.conversationId);
      if (!slot) return;
      const { job, record } = this.ready.shift()!;
      this.start(job, record, slot);
    }
  }

  /** Gives back the leases of jobs claimed ahead that cannot start now (storage full, no executor). */
  private releaseReady(): void {
    for (const { job } of this.ready.splice(0)) {
      this.inFlight.delete(job.id);
      void this.release(job.id).catch((err: unknown) => console.warn('[artifact-vault] could not release a lease:', err));
    }
    if (this.inFlight.size === 0 && this.running) this.setRunning(false);
  }

  private start(job: JobRecord, record: ArtifactRecord | null, slot: Slot): void {
    if (!this.running) this.setRunning(true);
    this.noteStarted(job.id);
    this.downloading++;
    slot.running++;
    let holding = true;
    // Called once the bytes are in hand (or the job ended without any): the slot goes to the next job.
    const downloaded = () => {
      if (!holding) return;
      holding = false;
      this.downloading--;
      slot.running--;
      this.kick();
    };
    void this.runJob(job, record, slot, downloaded)
      .catch((err) => this.jobCrashed(job, err))
      .finally(() => {
        downloaded();
        this.cancelled.delete(job.id);
        this.inFlight.delete(job.id);
        if (this.inFlight.size === 0 && this.running) this.setRunning(false);
        this.kick();
      });
  }

  /** Records (one write for the jobs started in the same turn, not awaited) which claimed jobs began. */
  private noteStarted(id: string): void {
    this.started.push(id);
    if (this.started.length > 1) return;
    queueMicrotask(() => {
      const ids = this.started.splice(0);
      markJobsStarted(this.db, ids, this.opts.now()).catch((err: unknown) => console.warn('[artifact-vault] could not mark jobs started:', err));
    });
  }

  private setRunning(running: boolean): void {
    this.running = running;
    this.opts.onRunningChange?.(running);
  }

  private backlogFull(): boolean {
    return this.backlogBytes >= this.opts.maxBacklogBytes;
  }

  private workerUsable(): boolean {
    return this.worker !== null && this.opts.now() >= this.workerRefusedUntil;
  }

  private hasUsableExecutor(): boolean {
    return this.workerUsable() || this.liveTabs().length > 0;
  }

  /** The tabs' executors, forgetting those that went away (a port closed without our hearing of it). */
  private liveTabs(): Slot[] {
    const live: Slot[] = [];
    for (const [id, slot] of this.executors) {
      if (slot.executor.gone) this.executors.delete(id);
      else live.push(slot);
    }
    return live;
  }

  /** The worker unless the backend refused it lately; else the tab showing the conversation, else the least busy tab. */
  private pickExecutor(conversationId: string): Slot | null {
    if (this.workerUsable()) return this.worker;
    return this.pickTab(conversationId);
  }

  private pickTab(conversationId: string): Slot | null {
    let best: Slot | null = null;
    for (const slot of this.liveTabs()) {
      if (slot.executor.conversationId === conversationId) return slot;
      if (!best || slot.running < best.running) best = slot;
    }
    return best;
  }

  /**
   * Wake up for the next job: when its backoff passes, or when a lease nobody here holds runs out. Never a
   * short poll: with nothing due there is no timer at all, and while storage is full the periodic storage
   * check is what resumes.
   */
  private async scheduleNext(exhausted: boolean): Promise<void> {
    if (!this.storageFull && (this.downloading >= this.opts.maxInFlight || this.backlogFull() || !exhausted)) {
      // Every slot busy, the commits behind, or more due than this pass took: a finishing download or commit
      // kicks the queue, so there is nothing to wait for, nor to query.
      if (!this.busy) {
        this.busy = true;
        this.opts.onBusyChange?.(true);
      }
      return;
    }
    const upcoming = await upcomingJobs(this.db, 50, (j) => this.inFlight.has(j.id));
    const busy = upcoming.length > 0 || this.inFlight.size > 0;
    if (busy !== this.busy) {
      this.busy = busy;
      this.opts.onBusyChange?.(busy);
    }
    if (upcoming.length === 0 || this.storageFull) return;
    const now = this.opts.now();
    const runnable = upcoming.filter((j) => (this.bookkeepingFailures.get(j.id) ?? 0) < MAX_BOOKKEEPING_FAILURES);
    if (runnable.length === 0) return;
    let at = Math.min(...runnable.map((j) => Math.max(j.nextAttemptAt, j.leaseUntil ?? 0)));
    if (!this.hasUsableExecutor()) {
      // No tab and the worker refused: try the worker again when its refusal ends (a tab connecting kicks too).
      if (this.worker === null) return;
      at = Math.max(at, this.workerRefusedUntil);
    }
    const wait = Math.max(0, at - now);
    // A due job that could not start (its lease is live, or it was just leased elsewhere) waits at least a second.
    this.timer = setTimeout(() => this.kick(), Math.max(wait, 1_000));
    if (wait > ALARM_AFTER_MS) this.opts.wakeAt?.(at);
  }

  isBusy(): boolean {
    return this.busy;
  }

  private async runJob(job: JobRecord, record: ArtifactRecord | null, slot: Slot, downloaded: () => void): Promise<void> {
    if (!record || record.status === 'saved') {
      // Saved by another path (a restore, an earlier duplicate job) or deleted: nothing left to do.
      await finishJob(this.db, job.id);
      return;
    }
    const str = (v: unknown) => (typeof v === 'string' ? v : null);
    const spec: JobSpec = {
      jobId: job.id,
      artifactId: job.artifactId,
      kind: record.kind,
      conversationId: record.conversationId,
      fileId: record.fileId,
      sandboxPath: record.sandboxPath,
      messageId: record.messageId,
      fallbackMessageId: record.fallbackMessageId,
      messageCreateTime: record.createTime,
      declaredSize: record.declaredSize,
      fileName: record.fileName,
      gizmoId: str(job.data.gizmoId),
      origin: str(job.data.origin),
      account: str(job.data.account),
      ...(str(job.data.hintUrl) ? { hintUrl: str(job.data.hintUrl) } : {}),
      ...(job.data.paced === true ? { paced: true } : {}),
    };
    let ran = slot.executor;
    let result = await this.execute(ran, spec);
    if ('refused' in result) {
      // The backend refusing the worker (401/403 after a fresh token, a challenge page) passes the worker
      // over for a while. Anything else (a network error, an odd answer, the file host refusing the bytes)
      // only sends this one job to a tab, so one dropped connection never stalls the queue.
      const refusal = result.failure.cause === 'auth';
      if (refusal) this.workerRefusedUntil = this.opts.now() + WORKER_REFUSAL_MS;
      const tab = this.pickTab(spec.conversationId);
      if (tab) {
        tab.running++;
        ran = tab.executor;
        try {
          result = await this.execute(ran, spec);
        } finally {
          tab.running--;
        }
      } else if (refusal) {
        // No tab to ask: the job waits, uncounted, for a tab or for the worker to be tried again.
        await this.release(job.id);
        return;
      } else if (result.failure.hostRefused) {
        // Only a tab may call a refused link gone; without one it is a transient failure (`failed` at worst,
        // which the person can retry, never a wrong `expired`).
        result = { ok: false, failure: { cause: 'auth', reason: result.failure.reason } };
      } else {
        // A network error or an odd answer with no tab open: an ordinary attempt, with backoff.
        result = { ok: false, failure: result.failure };
      }
    }
    // The network part is over: the slot goes to the next job before this one's outcome is written.
    const size = result.ok ? (result.bytes instanceof Blob ? result.bytes.size : result.bytes.byteLength) : 0;
    this.backlogBytes += size;
    downloaded();
    if (result.ok) {
      let saved: SaveBytesResult;
      try {
        saved = await this.commit(job, result);
      } catch (err) {
        if (!isQuotaError(err)) throw err;
        await this.enterStorageFull(job.id, size);
        return;
      } finally {
        this.backlogBytes -= size;
      }
      this.bookkeepingFailures.delete(job.id);
      this.opts.onSettled?.(saved.record);
      return;
    }
    if ('lost' in result) {
      // Give the job back without counting an attempt: at once if its executor went away (it is dropped, so
      // the next lease goes elsewhere), else after a pause.
      const away = ran.gone === true || (ran !== this.worker?.executor && !this.executors.has(ran.id));
      if (away) this.executors.delete(ran.id);
      await this.release(job.id, away ? 0 : LOST_RETRY_MS);
      return;
    }
    await this.applyFailure(job.id, job.artifactId, job.attempts, result.failure);
  }

  /**
   * One commit per file: the bytes, the record and the finished job together. Hashing and sniffing run as
   * soon as the bytes are in hand (alongside other files' writes); the write itself waits its turn.
   */
  private async commit(job: JobRecord, result: Extract<ExecutorResult, { ok: true }>): Promise<SaveBytesResult> {
    const prepared = await prepareBytes(job.artifactId, result.bytes, {
      mimeType: result.file.mimeType,
      fileId: result.file.fileId,
      fileName: result.file.fileName,
      owned: true,
      finishJob: job.id,
    });
    return new Promise<SaveBytesResult>((resolve, reject) => {
      this.commitQueue.push({ prepared, resolve, reject });
      void this.drainCommits();
    });
  }

  private async drainCommits(): Promise<void> {
    if (this.committing) return;
    this.committing = true;
    try {
      while (this.commitQueue.length > 0) {
        let bytes = 0;
        let n = 0;
        while (n < this.commitQueue.length && (n === 0 || bytes + this.commitQueue[n]!.prepared.size <= COMMIT_BATCH_BYTES)) {
          bytes += this.commitQueue[n]!.prepared.size;
          n++;
        }
        const batch = this.commitQueue.splice(0, n);
        let written: string[] = [];
        try {
          // The bytes first, in a transaction of their own, so leases and record reads never queue behind
          // them; then records and finished jobs in a short one.
          const prepared = batch.map((c) => c.prepared);
          written = await storeBlobs(this.db, prepared);
          const outcomes = await commitPrepared(this.db, prepared, written);
          batch.forEach((c, i) => settleCommit(c, outcomes[i]!));
        } catch (err) {
          if (batch.length === 1) {
            batch[0]!.reject(err);
            continue;
          }
          // A failed transaction wrote nothing: each file again on its own, so a failing write (quota) fails
          // exactly its own job and the others are stored.
          for (const c of batch) {
            try {
              const own = [...written.filter((sha) => sha === c.prepared.sha256), ...(await storeBlobs(this.db, [c.prepared]))];
              settleCommit(c, (await commitPrepared(this.db, [c.prepared], own))[0]!);
            } catch (alone) {
              c.reject(alone);
            }
          }
        }
      }
    } finally {
      this.committing = false;
    }
  }

  private async execute(executor: Executor, spec: JobSpec): Promise<ExecutorResult> {
    try {
      return await executor.run(spec);
    } catch (err) {
      return { ok: false, failure: { cause: 'network', reason: err instanceof Error ? err.message : String(err) } };
    }
  }

  /** Gives a claim back, uncounted; the job is due again after `delayMs`. */
  private async release(jobId: string, delayMs = 0): Promise<void> {
    await releaseJob(this.db, jobId, this.opts.now() + delayMs);
  }

  /**
   * The vault is out of space: not the file's fault, so no attempt is counted and the bytes are not
   * fetched again and again. Every download stops until `resumeAfterStorageFull`.
   */
  private async enterStorageFull(jobId: string, neededBytes: number): Promise<void> {
    if (!this.storageFull) {
      this.storageFull = { since: this.opts.now(), neededBytes };
      this.opts.onStorageFull?.(this.storageFull);
    } else {
      this.storageFull.neededBytes = Math.max(this.storageFull.neededBytes, neededBytes);
    }
    // Releasing the lease is a write too and may fail as well; resumeAfterStorageFull releases it then.
    await this.release(jobId).catch(() => undefined);
  }

  private async applyFailure(jobId: string, artifactId: string, attemptsSoFar: number, failure: Failure): Promise<void> {
    let decision = decide(failure, attemptsSoFar + 1, this.opts.policy, this.opts.random);
    const cancelled = this.cancelled.get(jobId);
    // Its backup was cancelled meanwhile: a verdict stands, a retry does not.
    if (cancelled !== undefined && decision.action === 'retry') decision = { action: 'give-up', status: 'failed', reason: cancelled };
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
   * not-found), or a write failed. A deleted artifact ends its job; storage full pauses the queue;
   * anything else counts as a failed attempt. If even that cannot be written, the job is left alone
   * after a few tries (until the worker restarts) instead of re-running every lease forever.
   */
  private async jobCrashed(job: JobRecord, err: unknown): Promise<void> {
    try {
      if (isQuotaError(err)) {
        await this.enterStorageFull(job.id, 0);
        return;
      }
      if (!(await getArtifact(this.db, job.artifactId))) {
        await finishJob(this.db, job.id);
        return;
      }
      const message = err instanceof Error ? err.message : String(err);
      await this.applyFailure(job.id, job.artifactId, job.attempts, { cause: 'network', reason: `Could not store the file: ${message}`.slice(0, 200) });
    } catch (again) {
      if (isQuotaError(again)) {
        await this.enterStorageFull(job.id, 0);
        return;
      }
      const n = (this.bookkeepingFailures.get(job.id) ?? 0) + 1;
      this.bookkeepingFailures.set(job.id, n);
      console.error(`[artifact-vault] capture job ${job.id}: its outcome could not be written (${n}):`, again);
    }
  }

  private async settle(artifactId: string): Promise<void> {
    const record = await getArtifact(this.db, artifactId);
    if (record) this.opts.onSettled?.(record);
  }
}

function settleCommit(c: PendingCommit, outcome: SaveBytesResult | VaultError): void {
  if (outcome instanceof VaultError) c.reject(outcome);
  else c.resolve(outcome);
}

/** Whether an error (or the IndexedDB/Dexie error inside it) says the storage quota is exhausted. */
function isQuotaError(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const name = (e as { name?: unknown }).name;
    if (name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED') return true;
    e = (e as { inner?: unknown }).inner ?? (e as { cause?: unknown }).cause;
  }
  return false;
}
