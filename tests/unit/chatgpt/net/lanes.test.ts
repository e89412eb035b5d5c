import { describe, expect, it } from 'vitest';
import { RequestLanes } from '@/utils/chatgpt/net/lanes';
import { deferred } from '../../helpers';

/** A fake clock whose sleep advances time and resolves on the next microtask. */
function fakeClock() {
  const clock = { t: 1_000, sleeps: [] as number[] };
  return {
    clock,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.t += ms;
    },
  };
}


const flush = async (n = 20) => {
  for (let i = 0; i < n; i++) await Promise.resolve();
};

describe('RequestLanes.json', () => {
  it('runs calls one at a time, spaced by jsonGapMs between starts, in order', async () => {
    const { clock, now, sleep } = fakeClock();
    const lanes = new RequestLanes({ jsonGapMs: 250, bytesConcurrency: 2, now, sleep });
    let active = 0;
    let maxActive = 0;
    const starts: Array<[number, number]> = [];
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const results = gates.map((gate, i) =>
      lanes.json(async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        starts.push([i, clock.t]);
        await gate.promise;
        clock.t += 10 * i; // each call takes some time
        active--;
        return i;
      }),
    );
    await flush();
    expect(starts).toEqual([[0, 1_000]]); // the others wait for the first one to end
    for (const gate of gates) {
      gate.resolve();
      await flush();
    }
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3]);
    expect(maxActive).toBe(1);
    expect(starts.map(([i]) => i)).toEqual([0, 1, 2, 3]);
    for (let k = 1; k < starts.length; k++) {
      expect(starts[k]![1] - starts[k - 1]![1]).toBeGreaterThanOrEqual(250);
    }
  });

  it('does not wait when the gap has already passed', async () => {
    const { clock, now, sleep } = fakeClock();
    const lanes = new RequestLanes({ jsonGapMs: 250, bytesConcurrency: 1, now, sleep });
    await lanes.json(async () => 'a');
    clock.t += 1_000;
    await lanes.json(async () => 'b');
    expect(clock.sleeps).toEqual([]);
    await lanes.json(async () => 'c');
    expect(clock.sleeps).toEqual([250]);
  });

  it('a rejected call rejects its caller only and does not block the next', async () => {
    const { now, sleep } = fakeClock();
    const lanes = new RequestLanes({ jsonGapMs: 100, bytesConcurrency: 1, now, sleep });
    const first = lanes.json(async () => {
      throw new Error('boom');
    });
    const second = lanes.json(async () => 'next');
    // A function that throws before returning a promise (not an async one) must reject its caller too.
    const throwsSync = (): Promise<string> => {
      throw new Error('sync boom');
    };
    const syncThrow = lanes.json(throwsSync);
    const third = lanes.json(async () => 'after');
    await expect(first).rejects.toThrow('boom');
    await expect(second).resolves.toBe('next');
    await expect(syncThrow).rejects.toThrow('sync boom');
    await expect(third).resolves.toBe('after');
  });

  it('pauseJson holds the next calls until the pause ends; the longest pause wins', async () => {
    const { clock, now, sleep } = fakeClock();
    const lanes = new RequestLanes({ jsonGapMs: 100, bytesConcurrency: 1, now, sleep });
    const starts: number[] = [];
    const call = () => lanes.json(async () => void starts.push(clock.t));
    await call(); // t = 1000
    lanes.pauseJson(5_000);
    lanes.pauseJson(2_000); // shorter: ignored
    await call();
    expect(starts[1]).toBe(6_000);
    // A pause raised from inside a call (as the fetcher does on 429) delays the call queued behind it.
    const inside = lanes.json(async () => {
      starts.push(clock.t);
      lanes.pauseJson(3_000);
    });
    const behind = call();
    await Promise.all([inside, behind]);
    expect(starts[2]).toBe(6_100);
    expect(starts[3]).toBe(9_100);
  });
});

describe('RequestLanes.bytes', () => {
  it.each([1, 2, 3])('never runs more than %i downloads at once, and runs them all', async (concurrency) => {
    const lanes = new RequestLanes({ jsonGapMs: 0, bytesConcurrency: concurrency });
    let active = 0;
    let maxActive = 0;
    const gates = Array.from({ length: 12 }, () => deferred<number>());
    const started: number[] = [];
    const results = gates.map((gate, i) =>
      lanes.bytes(async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        started.push(i);
        try {
          return await gate.promise;
        } finally {
          active--;
        }
      }),
    );
    await flush();
    expect(started).toHaveLength(concurrency);
    // Finish them in a scrambled order (some failing), queueing new downloads in between. A gate that
    // is not started yet is settled early; its call must still wait for a slot.
    const order = [5, 0, 11, 3, 1, 7, 2, 10, 4, 9, 6, 8];
    const expected: string[] = [];
    const extra: Array<Promise<unknown>> = [];
    for (const i of order) {
      if (i % 4 === 0) gates[i]!.reject(new Error(`fail ${i}`));
      else gates[i]!.resolve(i);
      expected[i] = i % 4 === 0 ? 'rejected' : 'fulfilled';
      extra.push(lanes.bytes(async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await flush(3);
        active--;
      }));
      await flush();
      expect(active).toBeLessThanOrEqual(concurrency);
    }
    const settled = await Promise.allSettled(results);
    await Promise.all(extra);
    expect(maxActive).toBe(concurrency);
    expect(settled.map((s) => s.status)).toEqual(expected);
    expect(started.sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
  });
});

describe('RequestLanes.bytes hand-off', () => {
  // The window is a few microtasks wide (between a slot being freed and its waiter running), so try a
  // late caller at every tick across it.
  it.each([...Array(12).keys()])('a caller arriving %i microtasks after a slot frees does not get past a limit of 1', async (ticks) => {
    const lanes = new RequestLanes({ jsonGapMs: 0, bytesConcurrency: 1 });
    let active = 0;
    let maxActive = 0;
    const task = (gate: Promise<void>) => () => {
      active++;
      maxActive = Math.max(maxActive, active);
      return gate.finally(() => active--);
    };
    const first = deferred();
    const a = lanes.bytes(task(first.promise));
    const b = lanes.bytes(task(Promise.resolve()));
    await flush();
    expect(active).toBe(1);
    first.resolve();
    for (let i = 0; i < ticks; i++) await Promise.resolve();
    const late = deferred();
    const c = lanes.bytes(task(late.promise));
    await flush();
    late.resolve();
    await Promise.all([a, b, c]);
    expect(maxActive).toBe(1);
  });
});

describe('RequestLanes.resolve', () => {
  it('runs resolutions resolveConcurrency at a time with no gap, apart from the spaced JSON lane', async () => {
    const { clock, now, sleep } = fakeClock();
    const lanes = new RequestLanes({ jsonGapMs: 250, bytesConcurrency: 1, resolveConcurrency: 3, now, sleep });
    const gates = Array.from({ length: 5 }, () => deferred());
    let active = 0;
    let maxActive = 0;
    const started: number[] = [];
    const results = gates.map((gate, i) =>
      lanes.resolve(async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        started.push(i);
        await gate.promise;
        active--;
        return i;
      }),
    );
    // A conversation read in the JSON lane is not held behind the resolutions.
    const read = lanes.json(() => Promise.resolve('read'));
    await flush();
    expect(started).toEqual([0, 1, 2]);
    await expect(read).resolves.toBe('read');
    for (const gate of gates) {
      gate.resolve();
      await flush();
    }
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3, 4]);
    expect(maxActive).toBe(3);
    expect(clock.sleeps).toEqual([]); // no spacing between resolutions
  });

  it('without a resolve lane, resolutions are spaced in the JSON lane', async () => {
    const { clock, now, sleep } = fakeClock();
    const lanes = new RequestLanes({ jsonGapMs: 250, bytesConcurrency: 2, now, sleep });
    await Promise.all([lanes.resolve(() => Promise.resolve(1)), lanes.resolve(() => Promise.resolve(2)), lanes.json(() => Promise.resolve(3))]);
    expect(clock.sleeps).toEqual([250, 250]);
  });

  it('a 429 pauses resolutions (Retry-After, else a doubling backoff) and the JSON lane; success resets the backoff', async () => {
    const { clock, now, sleep } = fakeClock();
    const lanes = new RequestLanes({ jsonGapMs: 0, bytesConcurrency: 1, resolveConcurrency: 2, now, sleep });
    const at = () => lanes.resolve(() => Promise.resolve(clock.t));
    expect(lanes.resolveRateLimited(7_000)).toBe(7_000);
    expect(await at()).toBe(8_000);
    expect(await lanes.json(() => Promise.resolve(clock.t))).toBe(8_000);
    expect(lanes.resolveRateLimited(null)).toBe(4_000); // second 429 in a row, no Retry-After: 2 s doubled
    expect(await at()).toBe(12_000);
    lanes.resolveSucceeded();
    expect(lanes.resolveRateLimited(null)).toBe(2_000);
    // A pause raised while a resolution waits out an earlier one (the fake sleep has already moved the
    // clock to 14 000) holds it to the later end.
    const waiting = at();
    lanes.resolveRateLimited(10_000);
    expect(await waiting).toBe(24_000);
    for (let i = 0; i < 10; i++) lanes.resolveRateLimited(null);
    expect(lanes.resolveRateLimited(null)).toBe(60_000); // capped
  });
});
