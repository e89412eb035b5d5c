/**
 * Politeness towards ChatGPT's backend, in each context that talks to it (the worker, and a tab on fallback):
 * JSON API calls run one at a time with a minimum gap and pause for everyone after a 429; byte
 * downloads, which are not rate-limited the same way, may run a few at a time.
 */

export interface LaneOptions {
  /** Minimum time between the starts of two JSON calls. */
  jsonGapMs: number;
  /** Byte downloads running at once. */
  bytesConcurrency: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class RequestLanes {
  private jsonTail: Promise<unknown> = Promise.resolve();
  private lastJsonStart = -Infinity;
  private pausedUntil = 0;
  private bytesRunning = 0;
  private readonly bytesWaiting: Array<() => void> = [];
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: LaneOptions) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
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
   * Run a byte download, at most `bytesConcurrency` at once. A finishing call hands its slot straight to
   * the next waiter (the count never drops in between), so a caller arriving while that waiter is being
   * woken cannot slip past the limit.
   */
  async bytes<T>(call: () => Promise<T>): Promise<T> {
    if (this.bytesRunning >= this.options.bytesConcurrency) {
      await new Promise<void>((resolve) => this.bytesWaiting.push(resolve));
    } else {
      this.bytesRunning++;
    }
    try {
      return await call();
    } finally {
      const next = this.bytesWaiting.shift();
      if (next) next();
      else this.bytesRunning--;
    }
  }
}
