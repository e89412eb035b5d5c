import { describe, expect, it } from 'vitest';
import { AnnouncementPacer } from '@/utils/a11y/announce-pace';

/** A pacer on a clock the test moves. */
function pacer() {
  let t = 0;
  const p = new AnnouncementPacer({ intervalMs: 10_000, step: 0.1 }, () => t);
  return { p, advance: (ms: number) => (t += ms) };
}

describe('AnnouncementPacer', () => {
  it('says the first progress of a run at once, then stays quiet on every tick in between', () => {
    const { p, advance } = pacer();
    expect(p.offer({ text: 'Reading 1 of 100', fraction: 0.01 })).toBe('Reading 1 of 100');
    const said: string[] = [];
    // A counter that ticks every 500 ms through 4 % in 4.5 s: nothing new crosses a step or the interval.
    for (let i = 2; i <= 9; i++) {
      advance(500);
      const s = p.offer({ text: `Reading ${i} of 100`, fraction: i / 100 });
      if (s !== null) said.push(s);
    }
    expect(said).toEqual([]);
  });

  it('lets progress through once the interval has passed, even without a step crossed', () => {
    const { p, advance } = pacer();
    p.offer({ text: 'a', fraction: 0.01 });
    advance(9_999);
    expect(p.offer({ text: 'b', fraction: 0.02 })).toBeNull();
    advance(1);
    expect(p.offer({ text: 'c', fraction: 0.03 })).toBe('c');
    advance(5_000);
    expect(p.offer({ text: 'd', fraction: 0.04 })).toBeNull();
  });

  it('lets progress through when it crosses the next 10 %, however soon', () => {
    const { p, advance } = pacer();
    p.offer({ text: '5%', fraction: 0.05 });
    advance(100);
    expect(p.offer({ text: '9%', fraction: 0.09 })).toBeNull();
    advance(100);
    expect(p.offer({ text: '10%', fraction: 0.1 })).toBe('10%');
    advance(100);
    expect(p.offer({ text: '19%', fraction: 0.19 })).toBeNull();
    advance(100);
    expect(p.offer({ text: '35%', fraction: 0.35 })).toBe('35%');
  });

  it('at most one announcement per 10 % and per 10 s over a run of 1,000 ticks', () => {
    const { p, advance } = pacer();
    let count = 0;
    for (let i = 0; i <= 1000; i++) {
      if (p.offer({ text: `${i} of 1000`, fraction: i / 1000 }) !== null) count++;
      advance(50); // 50 s in all
    }
    // The first, one per 10 % crossed (10), and none from the clock (each step came sooner than 10 s).
    expect(count).toBe(11);
  });

  it('progress of unknown size is said at most every interval', () => {
    const { p, advance } = pacer();
    let count = 0;
    for (let i = 0; i < 60; i++) {
      if (p.offer({ text: `Listing (${i} found)` }) !== null) count++;
      advance(1_000);
    }
    expect(count).toBe(6);
  });

  it('says a result at once, right after progress, and the next run starts fresh', () => {
    const { p, advance } = pacer();
    p.offer({ text: 'Reading 1 of 9', fraction: 0.1 });
    advance(10);
    expect(p.offer({ text: 'Done: 9 read', final: true })).toBe('Done: 9 read');
    advance(10);
    expect(p.offer({ text: 'Reading 1 of 4', fraction: 0.25 })).toBe('Reading 1 of 4');
  });

  it('never repeats the same text, and says nothing for an empty one', () => {
    const { p, advance } = pacer();
    expect(p.offer({ text: '' , final: true })).toBeNull();
    expect(p.offer({ text: 'Cancelled', final: true })).toBe('Cancelled');
    advance(60_000);
    expect(p.offer({ text: 'Cancelled', final: true })).toBeNull();
  });
});
