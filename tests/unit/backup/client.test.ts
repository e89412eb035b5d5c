// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { BackupClient, BackupError } from '@/utils/backup/client';
import { Pacer } from '@/utils/backup/pacer';
import { fakeFetch, json } from '../capture/fake-fetch';

const ORIGIN = 'https://chatgpt.com';
const URL_ = `${ORIGIN}/backend-api/conversations?offset=0&limit=1&order=updated`;

function setup(answers: (() => Response)[]) {
  let n = 0;
  const net = fakeFetch((req) => {
    if (req.path === '/api/auth/session') return json({ accessToken: `token-${++n}-abcdef`, expires: new Date(Date.now() + 3600e3).toISOString() });
    const next = answers.shift();
    return next ? next() : json({ items: [] });
  });
  const pauses: number[] = [];
  const pacer = new Pacer({ spacingMs: 0, basePauseMs: 5, capPauseMs: 40, onPause: (ms) => pauses.push(ms) });
  const client = new BackupClient({ origin: ORIGIN, pacer, fetch: net.fetch, transientTries: 3 });
  return { client, log: net.log, pauses };
}

describe('BackupClient', () => {
  it('waits out 429s (Retry-After when sent, else the doubling pause) and then returns the answer', async () => {
    const { client, log, pauses } = setup([
      () => json({ detail: 'slow down' }, 429),
      () => json({ detail: 'slow down' }, 429),
      () => json({ detail: 'slow down' }, 429, { 'retry-after': '0.02' }),
      () => json({ items: [{ id: 'x' }] }),
    ]);
    expect(await client.getJson(URL_)).toEqual({ items: [{ id: 'x' }] });
    expect(pauses).toEqual([5, 10, 20]);
    expect(log.filter((r) => r.path === '/backend-api/conversations')).toHaveLength(4);
    expect(log.at(-1)!.headers.authorization).toMatch(/^Bearer token-/);
  });

  it('asks for a fresh token once after a 401', async () => {
    const { client, log } = setup([() => json({ detail: 'expired' }, 401), () => json({ ok: true })]);
    expect(await client.getJson(URL_)).toEqual({ ok: true });
    expect(log.filter((r) => r.path === '/api/auth/session')).toHaveLength(2);
  });

  it('answers null for a 404, throws at once for a 403, and after the tries for a 5xx', async () => {
    expect(await setup([() => json({}, 404)]).client.getText(URL_)).toBeNull();
    await expect(setup([() => json({}, 403), () => json({}, 403)]).client.getText(URL_)).rejects.toThrow(BackupError);
    const failing = setup([() => json({}, 502), () => json({}, 502), () => json({}, 502)]);
    await expect(failing.client.getText(URL_)).rejects.toThrow('ChatGPT answered (HTTP 502)');
    expect(failing.log.filter((r) => r.path === '/backend-api/conversations')).toHaveLength(3);
  }, 20_000);

  it('stops waiting when the signal aborts', async () => {
    const { client } = setup([() => json({}, 429)]);
    const controller = new AbortController();
    const pending = client.getText(URL_, controller.signal);
    setTimeout(() => controller.abort(new DOMException('cancelled', 'AbortError')), 2);
    await expect(pending).rejects.toThrow('cancelled');
  });
});
