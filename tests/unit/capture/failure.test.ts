import { describe, expect, it } from 'vitest';
import { CaptureFailure, fail, parseRetryAfter, toFailure } from '@/utils/capture/failure';

describe('toFailure', () => {
  it('keeps a CaptureFailure as it is', () => {
    const f = { cause: 'gone' as const, reason: 'File not found', retryAfterMs: null };
    expect(toFailure(new CaptureFailure(f))).toBe(f);
    try {
      fail('rate-limited', '429', 3_000);
    } catch (err) {
      expect(toFailure(err)).toEqual({ cause: 'rate-limited', reason: '429', retryAfterMs: 3_000 });
    }
  });

  it.each([
    ['a timeout abort', new DOMException('t', 'TimeoutError'), 'timeout'],
    ['a plain abort', new DOMException('a', 'AbortError'), 'timeout'],
    ['a TypeError (fetch failed)', new TypeError('Failed to fetch'), 'network'],
    ['any other error', new Error('weird'), 'network'],
    ['a thrown string', 'boom', 'network'],
  ])('%s -> %s', (_, err, cause) => {
    expect(toFailure(err).cause).toBe(cause);
  });

  it('caps long messages', () => {
    expect(toFailure(new Error('x'.repeat(5_000))).reason.length).toBe(200);
    expect(toFailure(new TypeError('y'.repeat(5_000))).reason.length).toBe(200);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-23T10:00:00Z');
  it.each([
    [null, null],
    ['', null],
    ['7', 7_000],
    [' 2 ', 2_000],
    ['1.5', 1_500],
    ['0', 0],
    ['Mon, 23 Nov 2026 10:00:30 GMT', 30_000],
    ['Mon, 23 Nov 2026 09:00:00 GMT', 0], // a date in the past: retry now, never a negative delay
    ['soon', null],
    ['-5', null],
  ])('%j -> %j', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});
