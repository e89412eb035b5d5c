import { describe, expect, it } from 'vitest';
import { decide, DEFAULT_POLICY, type RetryPolicy } from '@/utils/chatgpt/net/backoff';
import type { Failure, FailureCause } from '@/utils/chatgpt/net/failure';

const policy: RetryPolicy = { maxAttempts: 6, baseMs: 100, rateLimitBaseMs: 1_000, capMs: 3_000, notReadyAttempts: 3 };
const f = (cause: FailureCause, retryAfterMs: number | null = null): Failure => ({ cause, reason: `because ${cause}`, retryAfterMs });
const fixed = (r: number) => () => r;

describe('decide', () => {
  it.each([1, 2, 7, 100])('gone expires at once (attempt %i), keeping the reason', (attempts) => {
    expect(decide(f('gone'), attempts, policy, fixed(0.5))).toEqual({ action: 'give-up', status: 'expired', reason: 'because gone' });
  });

  it('not-ready retries with growing delays, then expires after notReadyAttempts', () => {
    const delays: number[] = [];
    for (let attempt = 1; attempt < policy.notReadyAttempts; attempt++) {
      const d = decide(f('not-ready'), attempt, policy, fixed(1));
      expect(d.action).toBe('retry');
      if (d.action === 'retry') delays.push(d.delayMs);
    }
    // Twice the normal base: a young sandbox file needs a moment, not a hammering.
    expect(delays).toEqual([200, 400]);
    expect(decide(f('not-ready'), policy.notReadyAttempts, policy, fixed(1))).toEqual({
      action: 'give-up', status: 'expired', reason: 'because not-ready',
    });
  });

  it('429 without Retry-After starts from the rate-limit base', () => {
    expect(decide(f('rate-limited'), 1, policy, fixed(0))).toEqual({ action: 'retry', delayMs: 500 });
    expect(decide(f('rate-limited'), 1, policy, fixed(1))).toEqual({ action: 'retry', delayMs: 1_000 });
    expect(decide(f('rate-limited'), 2, policy, fixed(1))).toEqual({ action: 'retry', delayMs: 2_000 });
  });

  it('429 with Retry-After honours the server plus a small jitter', () => {
    expect(decide(f('rate-limited', 1_500), 1, policy, fixed(0))).toEqual({ action: 'retry', delayMs: 1_500 });
    const d = decide(f('rate-limited', 1_500), 1, policy, fixed(1));
    expect(d.action === 'retry' && d.delayMs).toBeGreaterThan(1_500);
    expect(d.action === 'retry' && d.delayMs).toBeLessThanOrEqual(1_750);
    // A zero Retry-After still counts as the server's word.
    expect(decide(f('server', 0), 3, policy, fixed(0))).toEqual({ action: 'retry', delayMs: 0 });
  });

  it.each([0, 0.5, 1])('a huge Retry-After is bounded by the cap (random %s)', (r) => {
    const d = decide(f('rate-limited', 10 * 60_000), 1, policy, fixed(r));
    expect(d).toMatchObject({ action: 'retry' });
    expect(d.action === 'retry' && d.delayMs).toBeLessThanOrEqual(policy.capMs);
    expect(d.action === 'retry' && d.delayMs).toBeGreaterThanOrEqual(policy.capMs - 250);
  });

  it.each<FailureCause>(['server', 'timeout', 'truncated', 'network', 'auth', 'bad-response', 'no-executor'])(
    '%s retries with growing delays bounded by the cap',
    (cause) => {
      const delays: number[] = [];
      for (let attempt = 1; attempt < policy.maxAttempts; attempt++) {
        const d = decide(f(cause), attempt, policy, fixed(1));
        expect(d.action).toBe('retry');
        if (d.action === 'retry') delays.push(d.delayMs);
      }
      expect(delays).toEqual([100, 200, 400, 800, 1_600]);
      // Far past the cap: never above it.
      const late = decide(f(cause), 5, { ...policy, maxAttempts: 100 }, fixed(1));
      expect(late).toEqual({ action: 'retry', delayMs: 1_600 });
      const capped = decide(f(cause), 40, { ...policy, maxAttempts: 100 }, fixed(1));
      expect(capped).toEqual({ action: 'retry', delayMs: policy.capMs });
    },
  );

  it.each<FailureCause>(['server', 'timeout', 'truncated', 'network', 'rate-limited'])(
    '%s becomes failed at maxAttempts, with a reason naming the cause',
    (cause) => {
      const d = decide(f(cause), policy.maxAttempts, policy, fixed(0.5));
      expect(d).toMatchObject({ action: 'give-up', status: 'failed' });
      expect(d.action === 'give-up' && d.reason).toContain(`because ${cause}`);
      expect(d.action === 'give-up' && d.reason).toContain(String(policy.maxAttempts));
    },
  );

  it('a Retry-After does not extend retries past maxAttempts', () => {
    expect(decide(f('rate-limited', 100), policy.maxAttempts, policy, fixed(0))).toMatchObject({ action: 'give-up', status: 'failed' });
  });

  it('the default policy gives up after 8 attempts and expires young files after 4', () => {
    expect(decide(f('server'), 7, DEFAULT_POLICY, fixed(0)).action).toBe('retry');
    expect(decide(f('server'), 8, DEFAULT_POLICY, fixed(0))).toMatchObject({ status: 'failed' });
    expect(decide(f('not-ready'), 3, DEFAULT_POLICY, fixed(0)).action).toBe('retry');
    expect(decide(f('not-ready'), 4, DEFAULT_POLICY, fixed(0))).toMatchObject({ status: 'expired' });
  });
});

describe('decide: the backoff delay ("equal jitter")', () => {
  // Unbounded attempts, so only the delay itself is under test.
  const open: RetryPolicy = { ...policy, maxAttempts: Infinity };
  const delayOf = (attempts: number, random: () => number): number => {
    const d = decide(f('server'), attempts, open, random);
    if (d.action !== 'retry') throw new Error(`expected a retry, got ${JSON.stringify(d)}`);
    return d.delayMs;
  };

  it.each([
    [1, 0, 50], [1, 1, 100], [2, 0, 100], [2, 1, 200], [3, 0.5, 300], [0, 1, 100], [-3, 1, 100],
    [6, 1, 3_000], [6, 0, 1_500], [50, 1, 3_000], [2_000, 0.25, 1_875],
  ])('attempts %i, random %s -> %i', (attempts, r, expected) => {
    expect(delayOf(attempts, fixed(r))).toBe(expected);
  });

  it('stays within [exp/2, min(cap, exp)] for random jitter', () => {
    for (let attempts = 1; attempts <= 20; attempts++) {
      const exp = Math.min(3_000, 100 * 2 ** (attempts - 1));
      for (let i = 0; i < 50; i++) {
        const d = delayOf(attempts, Math.random);
        expect(d).toBeGreaterThanOrEqual(Math.floor(exp / 2));
        expect(d).toBeLessThanOrEqual(exp);
      }
    }
  });
});
