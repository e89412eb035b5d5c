import { describe, expect, it } from 'vitest';
import { timeLeft } from '@/utils/library/expiry';

describe('timeLeft', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it.each([
    [null, null],
    [undefined, null],
    [now / 1000 + 179 * 86400 + 5, 'ChatGPT deletes it in 179 days'],
    [now / 1000 + 2 * 86400, 'ChatGPT deletes it in 2 days'],
    [now / 1000 + 47 * 3600, 'ChatGPT deletes it in 47 hours'],
    [now / 1000 + 60, 'ChatGPT deletes it in 1 hour'],
    [now / 1000 - 1, 'ChatGPT has deleted it (its expiry date has passed)'],
  ])('%s -> %s', (expiresAt, expected) => {
    expect(timeLeft(expiresAt, now)).toBe(expected);
  });
});
