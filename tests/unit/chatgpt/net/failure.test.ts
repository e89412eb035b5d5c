import { describe, expect, it } from 'vitest';
import { CaptureFailure, fail, parseRetryAfter, toFailure } from '@/utils/chatgpt/net/failure';

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
    // Capped at 10 minutes (MAX_RETRY_AFTER_MS): past 24.8 days setTimeout overflows and fires at once.
    ['600', 600_000],
    ['601', 600_000],
    ['2147484', 600_000],
    ['99999999999', 600_000],
    ['Fri, 01 Jan 2100 00:00:00 GMT', 600_000],
  ])('%j -> %j', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

/** The error a sender gets when a message handler threw `err` (@webext-core/messaging: name, message and own fields as JSON). */
const acrossMessaging = (err: Error): Error => {
  const wire = JSON.parse(JSON.stringify({ ...err, name: err.name, message: err.message })) as Record<string, unknown>;
  return Object.assign(new Error(String(wire.message)), wire);
};

describe('toFailure of an error that crossed the messaging boundary', () => {
  it('rebuilds the failure', () => {
    const err = acrossMessaging(new CaptureFailure({ cause: 'rate-limited', reason: 'slow down', retryAfterMs: 4000 }));
    expect(err).not.toBeInstanceOf(CaptureFailure);
    expect(toFailure(err)).toEqual({ cause: 'rate-limited', reason: 'slow down', retryAfterMs: 4000 });
  });

  it('does not take a made-up cause, nor a failure field on any other error', () => {
    const forged = Object.assign(new Error('x'), { name: 'CaptureFailure', failure: { cause: 'explode', reason: 'x' } });
    expect(toFailure(forged)).toEqual({ cause: 'network', reason: 'x' });
    expect(toFailure(Object.assign(new Error('y'), { failure: { cause: 'gone', reason: 'y' } }))).toEqual({ cause: 'network', reason: 'y' });
  });
});
