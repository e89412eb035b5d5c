import { describe, expect, it } from 'vitest';
import { DEFAULT_BUCKET, parseBucketState, TokenBucket } from '@/utils/worker/backup/bucket';
import { Pacer } from '@/utils/worker/backup/pacer';

/** ChatGPT's side: a real token bucket (capacity, one token per refillMs), answering 429 when empty. */
function server(capacity: number, refillMs: number, start: number) {
  let level = capacity;
  let at = start;
  let limited = 0;
  return {
    get limited() {
      return limited;
    },
    request(now: number): boolean {
      level = Math.min(capacity, level + (now - at) / refillMs);
      at = now;
      if (level >= 1) {
        level -= 1;
        return true;
      }
      limited++;
      return false;
    },
  };
}

/** A virtual clock the pacer sleeps on. */
function clock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    sleep: (ms: number) => {
      now += ms;
      return Promise.resolve();
    },
  };
}

/** Makes `count` requests through the pacer against `srv`, as the backup client does (429: pause, ask again). */
async function drive(pacer: Pacer, srv: ReturnType<typeof server>, c: ReturnType<typeof clock>, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    for (;;) {
      const ok = await pacer.run(() => Promise.resolve(srv.request(c.now())));
      if (ok) {
        pacer.succeeded();
        break;
      }
      pacer.rateLimited(null);
    }
  }
}

describe('TokenBucket', () => {
  it('spends the full bucket at once, then one token per refill (with a small margin)', () => {
    const b = new TokenBucket(null, 0, { capacity: 3, refillMs: 60_000 });
    for (let i = 0; i < 3; i++) {
      expect(b.waitMs(0)).toBe(0);
      b.spend(0);
    }
    const wait = b.waitMs(0);
    expect(wait).toBeGreaterThanOrEqual(60_000);
    expect(wait).toBeLessThan(63_000);
    expect(b.waitMs(wait)).toBe(0);
  });

  it('learns a smaller capacity from a 429 while it still counted tokens, from what the drain got through', () => {
    const b = new TokenBucket(null, 0, { capacity: 200, refillMs: 60_000 });
    // 150 requests one second apart get through; the 151st is refused.
    for (let i = 0; i < 151; i++) b.spend(i * 1_000);
    b.limited(150_000, null);
    // 150 got through, of which about 2.4 were refilled while they went: the bucket holds about 147.
    expect(b.capacity).toBeGreaterThanOrEqual(146);
    expect(b.capacity).toBeLessThanOrEqual(148);
    expect(b.refillMs).toBe(60_000);
    expect(b.level(150_000)).toBe(0);
  });

  it('learns a slower refill from a 429 while already spending at the refill rate, and from a longer Retry-After', () => {
    const b = new TokenBucket({ capacity: 200, refillMs: 60_000, level: 1, at: 0, drainedSinceFull: null, fullAt: null }, 0);
    b.spend(0);
    b.limited(0, null);
    expect(b.capacity).toBe(200);
    expect(b.refillMs).toBe(75_000);
    b.spend(b.waitMs(0));
    b.limited(b.waitMs(0), 120_000);
    expect(b.refillMs).toBe(120_000);
  });

  it('after a Retry-After, the next token is there exactly when it ends', () => {
    const b = new TokenBucket(null, 0, { capacity: 10, refillMs: 60_000 });
    b.spend(0);
    b.limited(0, 30_000);
    // A Retry-After shorter than the refill is not learned as the refill; it only says when the next token comes.
    expect(b.refillMs).toBe(60_000);
    expect(b.waitMs(0)).toBeGreaterThanOrEqual(29_999);
    expect(b.waitMs(0)).toBeLessThanOrEqual(30_001);
  });

  it('persists: a stored state round-trips, continues refilled by the time away, and junk starts afresh', () => {
    const b = new TokenBucket(null, 0, { capacity: 50, refillMs: 1_000 });
    for (let i = 0; i < 50; i++) b.spend(0);
    b.limited(0, null);
    const stored = JSON.parse(JSON.stringify(b.state())) as unknown;
    const again = new TokenBucket(parseBucketState(stored), 0);
    expect(again.capacity).toBe(b.capacity);
    expect(again.refillMs).toBe(b.refillMs);
    expect(again.level(0)).toBe(0);
    // Ten refills later the restored model has about ten tokens.
    expect(Math.floor(again.level(10 * again.refillMs * 1.03 + 1))).toBe(10);
    expect(parseBucketState({ capacity: 'big' })).toBeNull();
    expect(parseBucketState(null)).toBeNull();
    expect(parseBucketState({ capacity: 1e9, refillMs: -5, level: 0, at: 0 })).toMatchObject({ capacity: 10_000, refillMs: 1 });
  });

  it('estimates the time of n requests: the tokens at the spacing, the rest at the refill rate', () => {
    const b = new TokenBucket(null, 0, DEFAULT_BUCKET);
    // 1,000 requests 1 s apart behind a full 200 bucket: about 800 refills (plus the margin).
    const est = b.estimateMs(1_000, 0, 1_000);
    const floor = 800 * 60_000;
    expect(est).toBeGreaterThan(floor * 0.98);
    expect(est).toBeLessThan(floor * 1.06);
    expect(b.estimateMs(100, 0, 1_000)).toBe(100_000);
    // A pause still to run adds itself (and the tokens it refills).
    expect(b.estimateMs(1, 0, 1_000, 5_000)).toBe(6_000);
  });
});

describe('Pacer with the bucket model', () => {
  it('backs up 1,000 requests behind a 200 bucket with no 429, close to the bucket\'s own minimum, and the estimate holds', async () => {
    const c = clock();
    const srv = server(200, 60_000, c.now());
    const pacer = new Pacer({ spacingMs: 1_000, basePauseMs: 60_000, capPauseMs: 300_000, bucket: DEFAULT_BUCKET, now: c.now, sleep: c.sleep });
    const t0 = c.now();
    const estimate = pacer.estimateMs(1_000);
    await drive(pacer, srv, c, 1_000);
    const took = c.now() - t0;
    expect(srv.limited).toBe(0);
    const minimum = (1_000 - 200) * 60_000;
    expect(took / minimum).toBeLessThan(1.06);
    expect(Math.abs(estimate - took) / took).toBeLessThan(0.05);
  });

  it('learns a smaller, slower bucket than its defaults within a few 429s and then stops hitting it', async () => {
    const c = clock();
    const srv = server(120, 90_000, c.now());
    const states: unknown[] = [];
    const pacer = new Pacer({ spacingMs: 1_000, basePauseMs: 60_000, capPauseMs: 300_000, bucket: DEFAULT_BUCKET, now: c.now, sleep: c.sleep, onBucket: (s) => states.push(s) });
    await drive(pacer, srv, c, 400);
    expect(srv.limited).toBeLessThanOrEqual(4);
    const learned = pacer.bucket!;
    expect(learned.capacity).toBeLessThanOrEqual(120);
    expect(learned.refillMs).toBeGreaterThanOrEqual(90_000);
    // Every change was handed out to be persisted, the last one being the model as it is now.
    expect(states.at(-1)).toEqual(learned.state());
    // A worker that restarts with the persisted model carries on without a 429.
    const before = srv.limited;
    const restarted = new Pacer({ spacingMs: 1_000, basePauseMs: 60_000, capPauseMs: 300_000, bucket: DEFAULT_BUCKET, now: c.now, sleep: c.sleep });
    restarted.restoreBucket(parseBucketState(states.at(-1)));
    await drive(restarted, srv, c, 50);
    expect(srv.limited).toBe(before);
  });

  it('without a bucket option it paces by spacing and pauses only (no model)', async () => {
    const c = clock();
    const pacer = new Pacer({ spacingMs: 10, basePauseMs: 5, capPauseMs: 20, now: c.now, sleep: c.sleep });
    expect(pacer.bucket).toBeNull();
    expect(pacer.estimateMs(5)).toBe(50);
  });
});
