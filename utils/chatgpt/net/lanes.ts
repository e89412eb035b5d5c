/**
 * Politeness towards ChatGPT's backend, in each context that talks to it (the worker, and a tab on fallback):
 * JSON API calls (conversation reads, backup listings) run one at a time with a minimum gap and pause for
 * everyone after a 429. File resolutions are what the web app itself fires in parallel, one per image shown,
 * so where a resolve lane is configured they run a few at a time with no gap, and a 429 pauses that lane
 * (Retry-After, else a doubling backoff) and the JSON lane with it. Byte downloads, which are not
 * rate-limited the same way, may run a few at a time.
 *
 * Bulk work (a backup run, catch-up) has one budget instead: `PacedLanes` sends its JSON calls, file
 * resolutions included, one at a time through the bulk pacer (utils/worker/backup/pacer.ts), while its byte
 * downloads share the byte lane.
 */

export interface LaneOptions {
  /** Minimum time between the starts of two JSON calls. */
  jsonGapMs: number;
  /** Byte downloads running at once. */
  bytesConcurrency: number;
  /** File resolutions running at once, with no gap; absent: they run in the JSON lane. */
  resolveConcurrency?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A resolution 429 without Retry-After pauses this long, doubled per 429 in a row, up to the cap. */
const RESOLVE_BACKOFF_MS = 2_000;
const RESOLVE_BACKOFF_CAP_MS = 60_000;

/**
 * At most `limit` calls at once. A finishing call hands its slot straight to the next waiter (the count
 * never drops in between), so a caller arriving while that waiter is being woken cannot slip past the limit.
 */
class Slots {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await call();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/** What a fetch context asks of its lanes (utils/chatgpt/net/fetcher.ts). */
export type Lanes = Pick<RequestLanes, 'json' | 'pauseJson' | 'resolve' | 'resolveSucceeded' | 'resolveRateLimited' | 'bytes'>;

/** The bulk pacer as the lanes see it: one call at a time, told about 429s and successes. */
export interface BulkGate {
  /** Runs `call` at its turn; an abort of `signal` ends the wait for that turn. */
  run<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** A 429: pause every bulk request (Retry-After when known); returns the pause. */
  rateLimited(retryAfterMs: number | null): number;
  succeeded(): void;
}

/**
 * The lanes of bulk work: every JSON call and every file resolution through the gate (one at a time, spaced,
 * spending the bucket), byte downloads in the shared byte lane.
 */
export class PacedLanes implements Lanes {
  /** `signal`: a run's own (`Fetch missing files`), so Pause and Cancel do not wait for the pacer's turn. */
  constructor(private readonly base: Pick<Lanes, 'bytes'>, private readonly gate: BulkGate, private readonly signal?: AbortSignal) {}

  json<T>(call: () => Promise<T>): Promise<T> {
    return this.gate.run(call, this.signal);
  }

  pauseJson(ms: number): void {
    this.gate.rateLimited(ms);
  }

  resolve<T>(call: () => Promise<T>): Promise<T> {
    return this.gate.run(call, this.signal);
  }

  resolveSucceeded(): void {
    this.gate.succeeded();
  }

  resolveRateLimited(retryAfterMs: number | null): number {
    return this.gate.rateLimited(retryAfterMs);
  }

  bytes<T>(call: () => Promise<T>): Promise<T> {
    return this.base.bytes(call);
  }
}

export class RequestLanes {
  private jsonTail: Promise<unknown> = Promise.resolve();
  private lastJsonStart = -Infinity;
  private pausedUntil = 0;
  private resolvePausedUntil = 0;
  /** 429s on resolutions in a row (a resolution that gets through resets it). */
  private resolveStrikes = 0;
  private readonly byteSlots: Slots;
  private readonly resolveSlots: Slots | null;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: LaneOptions) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
    this.byteSlots = new Slots(options.bytesConcurrency);
    this.resolveSlots = options.resolveConcurrency ? new Slots(options.resolveConcurrency) : null;
  }

  /** Run a JSON API call in the serialized lane. */
  json<T>(call: () => Promise<T>): Promise<T> {
    const run = async () => {
      const wait = Math.max(this.pausedUntil, this.lastJsonStart + this.options.jsonGapMs) - this.now();
      if (wait > 0) await this.sleep(wait);
      this.lastJsonStart = this.now();
      return call();
    };
    const result = this.jsonTail.then(run, run);
    this.jsonTail = result.catch(() => undefined);
    return result;
  }

  /** After a 429, hold every JSON call until `ms` from now (the longest pause wins). */
  pauseJson(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }

  /**
   * Run a file resolution: `resolveConcurrency` at once with no gap, each waiting out a pause set by a 429
   * (checked again after every wait, so a pause raised meanwhile holds it too); without a resolve lane, in
   * the JSON lane.
   */
  resolve<T>(call: () => Promise<T>): Promise<T> {
    const slots = this.resolveSlots;
    if (!slots) return this.json(call);
    return slots.run(async () => {
      for (let wait = this.resolvePausedUntil - this.now(); wait > 0; wait = this.resolvePausedUntil - this.now()) {
        await this.sleep(wait);
      }
      return call();
    });
  }

  /** A resolution got through: the next 429 starts the backoff afresh. */
  resolveSucceeded(): void {
    this.resolveStrikes = 0;
  }

  /**
   * A resolution was answered 429: pause resolutions for Retry-After, else for a backoff that doubles with
   * each 429 in a row; the JSON lane pauses as long (the same account is being limited). Returns the pause.
   */
  resolveRateLimited(retryAfterMs: number | null): number {
    const backoff = Math.min(RESOLVE_BACKOFF_CAP_MS, RESOLVE_BACKOFF_MS * 2 ** this.resolveStrikes);
    this.resolveStrikes++;
    const ms = retryAfterMs ?? backoff;
    this.resolvePausedUntil = Math.max(this.resolvePausedUntil, this.now() + ms);
    this.pauseJson(ms);
    return ms;
  }

  /** Run a byte download, at most `bytesConcurrency` at once. */
  bytes<T>(call: () => Promise<T>): Promise<T> {
    return this.byteSlots.run(call);
  }
}
