// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { CaptureFailure, toFailure, type FailureCause } from '@/utils/chatgpt/net/failure';
import { attemptInWorker, refusalIn, refusesWorker } from '@/utils/worker/worker-or-tab';

describe('attemptInWorker', () => {
  it('ok: the value of the work', async () => {
    expect(await attemptInWorker(() => Promise.resolve('{"mapping":{}}'))).toEqual({ ok: true, value: '{"mapping":{}}' });
  });

  it.each([
    ['401/403 after a fresh token', new CaptureFailure({ cause: 'auth', reason: 'Conversation read refused (HTTP 403)' })],
    ['a challenge page', new CaptureFailure({ cause: 'bad-response', reason: 'not JSON' })],
    ['a blocked request', new TypeError('Failed to fetch')],
    ['the file host refusing the bytes', new CaptureFailure({ cause: 'gone', reason: 'The file link was refused (HTTP 403)', hostRefused: true })],
  ])('refused: %s, with the failure and the error as thrown', async (_, thrown) => {
    const attempt = await attemptInWorker(() => Promise.reject(thrown));
    expect(attempt).toEqual({ ok: false, refused: true, failure: toFailure(thrown), error: thrown });
  });

  it.each([
    ['a rate limit', new CaptureFailure({ cause: 'rate-limited', reason: 'HTTP 429', retryAfterMs: 5_000 })],
    ['a server error', new CaptureFailure({ cause: 'server', reason: 'HTTP 502' })],
    ['a timeout', new DOMException('timeout', 'TimeoutError')],
    ['a file too large', new CaptureFailure({ cause: 'too-large', reason: 'over 256 MiB' })],
  ])('failed: %s keeps its cause, and a tab is not asked', async (_, thrown) => {
    const attempt = await attemptInWorker(() => Promise.reject(thrown));
    expect(attempt).toEqual({ ok: false, refused: false, failure: toFailure(thrown), error: thrown });
  });
});

describe('refusesWorker', () => {
  it.each<[FailureCause, boolean]>([
    ['auth', true], ['network', true], ['bad-response', true],
    ['gone', false], ['not-ready', false], ['rate-limited', false], ['server', false], ['timeout', false], ['truncated', false], ['too-large', false],
  ])('%s -> %s', (cause, expected) => {
    expect(refusesWorker({ cause, reason: 'x' })).toBe(expected);
  });

  it('a file host refusing the bytes (403) lets a tab try before anything is marked expired', () => {
    expect(refusesWorker({ cause: 'gone', reason: 'The file link was refused (HTTP 403)', hostRefused: true })).toBe(true);
    expect(toFailure(new Error('x')).hostRefused).toBeUndefined();
  });
});

describe('refusalIn', () => {
  const redirect = () => {
    const res = new Response(null, { status: 200 });
    Object.defineProperty(res, 'type', { value: 'opaqueredirect' });
    return res;
  };
  it.each([
    ['401', () => new Response(null, { status: 401 }), 'auth'],
    ['403', () => new Response('{}', { status: 403, headers: { 'content-type': 'application/json' } }), 'auth'],
    ['a redirect to a login', redirect, 'bad-response'],
    ['a challenge page where JSON was asked for', () => new Response('<title>Just a moment...</title>', { status: 200, headers: { 'content-type': 'text/html' } }), 'bad-response'],
  ])('%s is a refusal by the one rule', (_, res, cause) => {
    const failure = refusalIn(res());
    expect(failure?.cause).toBe(cause);
    expect(refusesWorker(failure!)).toBe(true);
  });

  it.each([
    ['JSON', () => new Response('{}', { headers: { 'content-type': 'application/json' } })],
    ['a 404', () => new Response(null, { status: 404 })],
    ['a 429', () => new Response(null, { status: 429 })],
    ['a server error page', () => new Response('<h1>502</h1>', { status: 502, headers: { 'content-type': 'text/html' } })],
  ])('%s is not', (_, res) => {
    expect(refusalIn(res())).toBeNull();
  });
});
