/**
 * Pacing for bulk work's JSON requests (`Back up everything`, catch-up, fetching missing files: listings,
 * reads, file resolutions, interpreter downloads), after the most robust public exporter (docs/CHATGPT.md
 * sections 7 and 10): strictly one request at a time, at least `spacingMs` between the starts of two requests,
 * and after a 429 a pause for everyone: the server's Retry-After when it sends one, otherwise `basePauseMs`
 * doubling with each consecutive 429 up to `capPauseMs`. A success resets the doubling. Every request also
 * spends a token of the bucket model (bucket.ts): once it is empty, requests go at the rate it refills instead
 * of running into 429s, and the model gives the estimate of time left.
 *
 * Every wait takes an AbortSignal, so `Pause` and `Cancel` never have to sit out a five-minute pause.
 * A Retry-After pause is capped (MAX_RETRY_AFTER_MS, 10 min: see utils/chatgpt/net/failure.ts).
 */
import { MAX_RETRY_AFTER_MS } from '@/utils/chatgpt/net/failure';
import type { WorkerNet } from '@/utils/chatgpt/net/worker-net';
import { DEFAULT_BUCKET, TokenBucket, type BucketState } from './bucket';


export interface PacerOptions {
  /** Minimum time between the starts of two JSON requests. */
  spacingMs: number;
  /** First pause after a 429 without Retry-After. */
  basePauseMs: number;
  /** Longest pause (the doubling stops here). */
  capPauseMs: number;
  now?: () => number;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * Another one-at-a-time lane the request must also run in (the worker's lane for download resolutions and
   * live reads), so that no two JSON requests of the extension's worker are ever in flight together.
   */
  lane?: <T>(call: () => Promise<T>) => Promise<T>;
  /** Told about every rate-limit pause, so the shared lane holds its own requests as well. */
  onPause?: (ms: number) => void;
  /** The bucket a fresh model starts from; absent: no bucket model (spacing and 429 pauses only). */
  bucket?: { capacity: number; refillMs: number };
  /** Told when the bucket model changed (after each request and each 429), to persist it. */
  onBucket?: (state: BucketState) => void;
}

/**
 * 1 s between requests: the spacing docs/CHATGPT.md section 7 recommends and what the public exporters converged on.
 * ChatGPT's bucket (about 200-250 requests, then about one a minute) still empties on a long history; the
 * pause then takes over. 60 s doubling to 5 min is that exporter's schedule.
 */
export const DEFAULT_PACING: PacerOptions = { spacingMs: 1_000, basePauseMs: 60_000, capPauseMs: 300_000, bucket: DEFAULT_BUCKET };

/** `setTimeout` fires at once past this (a signed 32-bit delay); longer waits are slept in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    let left = Math.max(0, ms);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    const step = () => {
      const now = Math.min(MAX_TIMER_MS, left);
      left -= now;
      timer = setTimeout(() => {
        if (left > 0) return step();
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, now);
    };
    step();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class Pacer {
  private tail: Promise<unknown> = Promise.resolve();
  private lastStart = -Infinity;
  private strikes = 0;
  /** While rate-limited: no request starts before this time (ms since the epoch). */
  pausedUntil = 0;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private model: TokenBucket | null = null;

  constructor(readonly options: PacerOptions = DEFAULT_PACING) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? abortableSleep;
    this.restoreBucket(null);
  }

  /** The bucket model, if any (read only for callers: the pacer spends and teaches it). */
  get bucket(): TokenBucket | null {
    return this.model;
  }

  /**
   * Continues from a persisted model (a restarted worker); null starts a fresh one from the options (none
   * when the options name no bucket).
   */
  restoreBucket(state: BucketState | null): void {
    const defaults = this.options.bucket;
    this.model = defaults ? new TokenBucket(state, this.now(), defaults) : null;
  }

  /** Runs `call` in the one-at-a-time lane, after the spacing and any rate-limit pause. */
  run<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const go = async () => {
      for (;;) {
        signal?.throwIfAborted();
        const now = this.now();
        const wait = Math.max(this.pausedUntil - now, this.lastStart + this.options.spacingMs - now, this.model?.waitMs(now) ?? 0);
        if (wait <= 0) break;
        await this.sleep(wait, signal);
      }
      const start = () => {
        this.lastStart = this.now();
        if (this.model) {
          this.model.spend(this.lastStart);
          this.options.onBucket?.(this.model.state());
        }
        return call();
      };
      const lane = this.options.lane;
      return lane ? lane(start) : start();
    };
    const result = this.tail.then(go, go);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** A 429: pause every request. Returns the pause in ms. */
  rateLimited(retryAfterMs: number | null): number {
    let pause: number;
    if (retryAfterMs !== null && retryAfterMs >= 0) {
      // Every caller parses through parseRetryAfter; the cap holds here too for a number from anywhere else.
      pause = Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
    } else {
      pause = Math.min(this.options.capPauseMs, this.options.basePauseMs * 2 ** this.strikes);
      this.strikes++;
    }
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + pause);
    if (this.model) {
      this.model.limited(this.now(), retryAfterMs !== null && retryAfterMs >= 0 ? pause : null);
      this.options.onBucket?.(this.model.state());
    }
    this.options.onPause?.(pause);
    return pause;
  }

  /** Hold every request for `ms` (a struggling server), without touching the 429 schedule. */
  hold(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }

  /** A request got through: the next 429 starts the schedule from the base again. */
  succeeded(): void {
    this.strikes = 0;
  }

  /** Milliseconds left of the current rate-limit pause (0 when none). */
  remainingPause(): number {
    return Math.max(0, this.pausedUntil - this.now());
  }

  /** Milliseconds `requests` more JSON requests take at ChatGPT's pace, as the bucket model sees it now. */
  estimateMs(requests: number): number {
    const pause = this.remainingPause();
    if (!this.model) return requests <= 0 ? 0 : pause + requests * this.options.spacingMs;
    return this.model.estimateMs(requests, this.now(), this.options.spacingMs, pause);
  }
}

/**
 * The worker's one pacer for bulk work (one budget): it runs in the worker's JSON lane (so no bulk request
 * overlaps a live read), and the worker's network sends bulk downloads' JSON (file resolutions, interpreter
 * downloads) through it too (WorkerNet.pacedBy).
 */
export function bulkPacer(net: WorkerNet, options: Partial<PacerOptions> = {}): Pacer {
  const lane = net.lanes;
  const pacer = new Pacer({ ...DEFAULT_PACING, ...options, lane: (call) => lane.json(call), onPause: (ms) => lane.pauseJson(ms) });
  net.pacedBy(pacer);
  return pacer;
}
