/**
 * A model of ChatGPT's rate limit on JSON requests: a token bucket of about 200-250 requests refilling at
 * about one a minute (docs/CHATGPT.md section 7, "the algorithm can change"). Bulk work spends from it, and
 * once it is empty waits for each token instead of probing into 429s; the model learns from every 429:
 *
 * - a 429 while the model still counted tokens: the bucket is smaller than believed. When the model had
 *   watched it drain from full, the capacity becomes what the drain actually got through (minus what refilled
 *   meanwhile); either way the level drops to zero.
 * - a 429 while the model was already spending at the refill rate: the refill is slower than believed; it
 *   grows by a quarter, or to Retry-After when the server names a longer wait.
 * - Retry-After: one token is there when it ends, so the level is set to reach one then.
 *
 * It never learns upwards from a 429 (nothing tells it the bucket is bigger without probing), so a model
 * spoiled by a person's own heavy use elsewhere is slow, never rude. The state is plain data, persisted by the
 * caller, so a restarted worker continues from the level it left (refilled by the time it was away).
 */

export interface BucketState {
  /** Requests the full bucket holds. */
  capacity: number;
  /** Milliseconds for one token to come back. */
  refillMs: number;
  /** Tokens at `at` (may be below zero: a Retry-After longer than one refill). */
  level: number;
  /** When `level` was measured (ms since the epoch). */
  at: number;
  /** Requests spent since the model last saw the bucket full (null: not watched from full). */
  drainedSinceFull: number | null;
  /** When the model last saw it full. */
  fullAt: number | null;
}

/** The low end of what is reported (200-250 requests, about one a minute): too low costs time, too high 429s. */
export const DEFAULT_BUCKET = { capacity: 200, refillMs: 60_000 };

/** Spend a refilled token a little after the model says it is there: clocks differ, and a 429 costs far more. */
const REFILL_MARGIN = 1.03;
const MIN_CAPACITY = 5;
const MAX_REFILL_MS = 10 * 60_000;

/** A stored state, validated (anything odd starts afresh from the defaults). */
export function parseBucketState(raw: unknown): BucketState | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  if (!num(r.capacity) || !num(r.refillMs) || !num(r.level) || !num(r.at)) return null;
  const capacity = Math.max(MIN_CAPACITY, Math.min(10_000, r.capacity as number));
  const refillMs = Math.max(1, Math.min(MAX_REFILL_MS, r.refillMs as number));
  return {
    capacity,
    refillMs,
    level: Math.max(-capacity, Math.min(capacity, r.level as number)),
    at: r.at as number,
    drainedSinceFull: num(r.drainedSinceFull) ? (r.drainedSinceFull as number) : null,
    fullAt: num(r.fullAt) ? (r.fullAt as number) : null,
  };
}

export class TokenBucket {
  private s: BucketState;

  constructor(state: BucketState | null, now: number, defaults: { capacity: number; refillMs: number } = DEFAULT_BUCKET) {
    // Unknown history: assume full (the first 429 corrects it), watched from full from now on.
    this.s = state ?? { ...defaults, level: defaults.capacity, at: now, drainedSinceFull: 0, fullAt: now };
  }

  get capacity(): number {
    return this.s.capacity;
  }

  get refillMs(): number {
    return this.s.refillMs;
  }

  /** The state to persist. */
  state(): BucketState {
    return { ...this.s };
  }

  /** Tokens now (refilled since the last measure, never above the capacity). */
  level(now: number): number {
    this.advance(now);
    return this.s.level;
  }

  /** Milliseconds until one token can be spent (0: now). */
  waitMs(now: number): number {
    const level = this.level(now);
    return level >= 1 ? 0 : Math.ceil((1 - level) * this.s.refillMs * REFILL_MARGIN);
  }

  /** One request was sent. */
  spend(now: number): void {
    this.advance(now);
    this.s.level -= 1;
    if (this.s.drainedSinceFull !== null) this.s.drainedSinceFull++;
  }

  /** A 429 answered the request just spent; learn from it (see the file comment). */
  limited(now: number, retryAfterMs: number | null): void {
    this.advance(now);
    // The request was spent before its answer: the level the model had when it was sent.
    const believed = this.s.level + 1;
    if (believed >= 2) {
      if (this.s.drainedSinceFull !== null && this.s.fullAt !== null) {
        // What the drain got through: the requests before this one, less what refilled while they went.
        const got = this.s.drainedSinceFull - 1 - (now - this.s.fullAt) / this.s.refillMs;
        this.s.capacity = Math.max(MIN_CAPACITY, Math.min(this.s.capacity, Math.floor(got)));
      }
    } else if (retryAfterMs === null) {
      this.s.refillMs = Math.min(MAX_REFILL_MS, Math.ceil(this.s.refillMs * 1.25));
    }
    if (retryAfterMs !== null && retryAfterMs > this.s.refillMs && believed < 2) {
      this.s.refillMs = Math.min(MAX_REFILL_MS, retryAfterMs);
    }
    // Empty now; with Retry-After, one token exactly when it ends.
    this.s.level = retryAfterMs !== null ? 1 - retryAfterMs / (this.s.refillMs * REFILL_MARGIN) : 0;
    this.s.drainedSinceFull = null;
    this.s.fullAt = null;
  }

  /**
   * Milliseconds `requests` more requests take from now at this pace: the tokens there (after `pauseMs`) at
   * `spacingMs`, the rest at the refill rate.
   */
  estimateMs(requests: number, now: number, spacingMs: number, pauseMs = 0): number {
    if (requests <= 0) return 0;
    const refill = this.s.refillMs * REFILL_MARGIN;
    const spacing = Math.max(1, spacingMs);
    const start = Math.min(this.s.capacity, this.level(now) + pauseMs / refill);
    if (spacing >= refill) return pauseMs + requests * spacing;
    // While tokens last, requests go at the spacing and the level falls by (1 - spacing / refill) per request.
    const burst = Math.max(0, Math.floor(start / (1 - spacing / refill)));
    if (requests <= burst) return pauseMs + requests * spacing;
    const afterBurst = start - burst * (1 - spacing / refill);
    return pauseMs + burst * spacing + Math.max(0, (requests - burst - afterBurst) * refill);
  }

  private advance(now: number): void {
    const dt = now - this.s.at;
    if (dt <= 0) return;
    this.s.level = Math.min(this.s.capacity, this.s.level + dt / (this.s.refillMs * REFILL_MARGIN));
    this.s.at = now;
    if (this.s.level >= this.s.capacity) {
      this.s.drainedSinceFull = 0;
      this.s.fullAt = now;
    }
  }
}
