/**
 * Retry decisions for capture jobs: exponential backoff with jitter on everything transient, an immediate
 * `expired` verdict when the source says the file is gone, and `failed` when the attempts run out.
 */
import type { Failure } from './failure';

export interface RetryPolicy {
  /** Attempts before a transient failure becomes `failed`. */
  maxAttempts: number;
  /** First delay for transient failures. */
  baseMs: number;
  /** First delay after a 429 without Retry-After (ChatGPT rarely sends one; docs/CHATGPT.md section 7). */
  rateLimitBaseMs: number;
  /** Upper bound for any single delay. */
  capMs: number;
  /** Attempts a `not-ready` (young sandbox file) gets before it is declared expired. */
  notReadyAttempts: number;
}

export const DEFAULT_POLICY: RetryPolicy = {
  maxAttempts: 8,
  baseMs: 1_000,
  rateLimitBaseMs: 4_000,
  capMs: 5 * 60_000,
  notReadyAttempts: 4,
};

export type Decision =
  | { action: 'retry'; delayMs: number }
  | { action: 'give-up'; status: 'expired' | 'failed'; reason: string };

/**
 * What to do after attempt number `attempts` (1-based: 1 means the first attempt just failed).
 * `random` is injectable so tests can pin the jitter.
 */
export function decide(
  failure: Failure,
  attempts: number,
  policy: RetryPolicy = DEFAULT_POLICY,
  random: () => number = Math.random,
): Decision {
  if (failure.cause === 'gone') return { action: 'give-up', status: 'expired', reason: failure.reason };
  // Downloading it again would only hit the limit again.
  if (failure.cause === 'too-large') return { action: 'give-up', status: 'failed', reason: failure.reason };
  if (failure.cause === 'not-ready') {
    if (attempts >= policy.notReadyAttempts) {
      return { action: 'give-up', status: 'expired', reason: failure.reason };
    }
    return { action: 'retry', delayMs: backoffDelay(attempts, policy.baseMs * 2, policy.capMs, random) };
  }
  if (attempts >= policy.maxAttempts) {
    return { action: 'give-up', status: 'failed', reason: `${failure.reason} (gave up after ${attempts} attempts)` };
  }
  if (failure.retryAfterMs != null && failure.retryAfterMs >= 0) {
    // Honour the server, plus a little jitter so that several tabs do not return in lockstep; the cap
    // bounds the total (the jitter used to push a capped Retry-After past capMs).
    const delay = Math.min(policy.capMs, failure.retryAfterMs + Math.round(random() * 250));
    return { action: 'retry', delayMs: delay };
  }
  const base = failure.cause === 'rate-limited' ? policy.rateLimitBaseMs : policy.baseMs;
  return { action: 'retry', delayMs: backoffDelay(attempts, base, policy.capMs, random) };
}

/** "Equal jitter": half the exponential delay fixed, half random. Never below half, never above the cap. */
function backoffDelay(attempts: number, baseMs: number, capMs: number, random: () => number): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}
