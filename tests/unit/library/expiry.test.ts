import { describe, expect, it } from 'vitest';
import { timeLeft } from '@/utils/library/expiry';

describe('timeLeft', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it.each([
    [null, null],
    [undefined, null],
    [now / 1000 + 179 * 86400 + 5, { unit: 'days', count: 179 }],
    [now / 1000 + 2 * 86400, { unit: 'days', count: 2 }],
    [now / 1000 + 47 * 3600, { unit: 'hours', count: 47 }],
    [now / 1000 + 60, { unit: 'hours', count: 1 }],
    [now / 1000 - 1, { unit: 'gone' }],
  ])('%s -> %s', (expiresAt, expected) => {
    expect(timeLeft(expiresAt, now)).toEqual(expected);
  });
});
