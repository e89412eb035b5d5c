import { describe, expect, it, vi } from 'vitest';
import { abortableSleep, Pacer } from '@/utils/worker/backup/pacer';

/** A clock that only moves when the pacer sleeps, so spacing and pauses are exact and instant. */
function virtualClock() {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleeps,
    sleep: (ms: number, signal?: AbortSignal) => {
      signal?.throwIfAborted();
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('Pacer', () => {
  it('never runs two calls at once and spaces their starts', async () => {
    const clock = virtualClock();
    const pacer = new Pacer({ spacingMs: 1_000, basePauseMs: 60_000, capPauseMs: 300_000, now: clock.now, sleep: clock.sleep });
    let inFlight = 0;
    let maxInFlight = 0;
    const starts: number[] = [];
    const call = async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      starts.push(clock.now());
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
    };
    await Promise.all([1, 2, 3, 4].map(() => pacer.run(call)));
    expect(maxInFlight).toBe(1);
    expect(starts.slice(1).map((t, i) => t - starts[i]!)).toEqual([1_000, 1_000, 1_000]);
  });

  it('pauses 60 s after a 429 without Retry-After, doubling to the 5 min cap, and a success resets it', () => {
    const clock = virtualClock();
    const pacer = new Pacer({ spacingMs: 1_000, basePauseMs: 60_000, capPauseMs: 300_000, now: clock.now, sleep: clock.sleep });
    const pauses = [1, 2, 3, 4, 5].map(() => {
      const p = pacer.rateLimited(null);
      clock.advance(p);
      return p;
    });
    expect(pauses).toEqual([60_000, 120_000, 240_000, 300_000, 300_000]);
    pacer.succeeded();
    expect(pacer.rateLimited(null)).toBe(60_000);
  });

  it('honours Retry-After instead of its own schedule, and the next call waits it out', async () => {
    const clock = virtualClock();
    const pacer = new Pacer({ spacingMs: 1_000, basePauseMs: 60_000, capPauseMs: 300_000, now: clock.now, sleep: clock.sleep });
    await pacer.run(() => Promise.resolve());
    expect(pacer.rateLimited(7_000)).toBe(7_000);
    expect(pacer.remainingPause()).toBe(7_000);
    const before = clock.now();
    await pacer.run(() => Promise.resolve());
    expect(clock.now() - before).toBe(7_000);
    // Retry-After did not advance the doubling.
    expect(pacer.rateLimited(null)).toBe(60_000);
  });

  it('gives up a wait at once when the signal aborts (Pause and Cancel never sit out a pause)', async () => {
    const pacer = new Pacer({ spacingMs: 10, basePauseMs: 60_000, capPauseMs: 300_000 });
    pacer.rateLimited(null);
    const controller = new AbortController();
    let ran = false;
    const pending = pacer.run(() => {
      ran = true;
      return Promise.resolve();
    }, controller.signal);
    setTimeout(() => controller.abort(new DOMException('stop', 'AbortError')), 5);
    const started = Date.now();
    await expect(pending).rejects.toThrow('stop');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(ran).toBe(false);
  });

  it('abortableSleep rejects with the reason of an already aborted signal', async () => {
    await expect(abortableSleep(10, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
  });
});

describe('Retry-After past what a timer holds', () => {
  it('a pause is capped at 10 minutes', () => {
    const clock = virtualClock();
    const pacer = new Pacer({ spacingMs: 0, basePauseMs: 5, capPauseMs: 20, now: clock.now, sleep: clock.sleep });
    expect(pacer.rateLimited(30 * 24 * 3600e3)).toBe(600_000);
    expect(pacer.remainingPause()).toBe(600_000);
  });

  it('sleeps past what one timer holds (24.8 days) in steps, to the end', async () => {
    vi.useFakeTimers();
    try {
      let done = false;
      void abortableSleep(2 ** 31 + 1_000).then(() => (done = true));
      await vi.advanceTimersByTimeAsync(2 ** 31 - 1);
      expect(done).toBe(false);
      await vi.advanceTimersByTimeAsync(1_001);
      expect(done).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

});
