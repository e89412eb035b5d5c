// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { BackupClient, BackupError, stoppedBy } from '@/utils/worker/backup/client';
import { Pacer } from '@/utils/worker/backup/pacer';
import type { PageReadAnswer } from '@/utils/messaging';
import { fakeFetch, json } from '../../chatgpt/net/fake-fetch';

const ORIGIN = 'https://chatgpt.com';
const URL_ = `${ORIGIN}/backend-api/conversations?offset=0&limit=1&order=updated`;

function setup(answers: (() => Response)[], tabRead?: (url: string, projectId: string | null) => Promise<PageReadAnswer>) {
  let n = 0;
  const net = fakeFetch((req) => {
    if (req.path === '/api/auth/session') return json({ accessToken: `token-${++n}-abcdef`, expires: new Date(Date.now() + 3600e3).toISOString() });
    const next = answers.shift();
    return next ? next() : json({ items: [] });
  });
  const pauses: number[] = [];
  const pacer = new Pacer({ spacingMs: 0, basePauseMs: 5, capPauseMs: 40, onPause: (ms) => pauses.push(ms) });
  const client = new BackupClient({ origin: ORIGIN, pacer, fetch: net.fetch, transientTries: 3, ...(tabRead ? { tabRead } : {}) });
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

  it('speaks with the session it is given (the worker\'s, shared with capture), never a session of its own', async () => {
    const net = fakeFetch(() => json({ items: [] }));
    const asked: boolean[] = [];
    const auth = { token: (fresh?: boolean) => (asked.push(fresh === true), Promise.resolve('shared-token-abcdef')), accountId: () => Promise.resolve('acct-1') };
    const client = new BackupClient({ origin: ORIGIN, pacer: new Pacer({ spacingMs: 0, basePauseMs: 5, capPauseMs: 40 }), fetch: net.fetch, auth });
    await client.getJson(URL_);
    expect(asked).toEqual([false]);
    expect(net.log.map((r) => r.path)).toEqual(['/backend-api/conversations']);
    expect(net.log[0]!.headers.authorization).toBe('Bearer shared-token-abcdef');
    expect(net.log[0]!.headers['chatgpt-account-id']).toBe('acct-1');
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

  it('refuses an answer past the JSON bound from its declared length, once, with a clear reason', async () => {
    const huge = () => json({ items: [] }, 200, { 'content-length': String(300 * 1024 * 1024) });
    const { client, log } = setup([huge, huge, huge]);
    await expect(client.getText(URL_)).rejects.toThrow(/larger than 256 MB/);
    expect(log.filter((r) => r.path === '/backend-api/conversations')).toHaveLength(1);
  });

  it('stops waiting when the signal aborts', async () => {
    const { client } = setup([() => json({}, 429)]);
    const controller = new AbortController();
    const pending = client.getText(URL_, controller.signal);
    setTimeout(() => controller.abort(new DOMException('cancelled', 'AbortError')), 2);
    await expect(pending).rejects.toThrow('cancelled');
  });

  describe('when the backend refuses the worker, reads go through a ChatGPT tab', () => {
    const challenge = () => new Response('<!DOCTYPE html><title>Just a moment...</title>', { status: 403, headers: { 'content-type': 'text/html' } });
    const tab = () => {
      const asked: string[] = [];
      const read = (url: string) => {
        asked.push(url);
        return Promise.resolve({ status: 200, text: JSON.stringify({ items: [{ id: asked.length }] }), retryAfter: null });
      };
      return { asked, read };
    };

    it.each([
      ['a challenge page (403)', challenge],
      ['an HTML page with 200', () => new Response('<html>verify you are human</html>', { status: 200, headers: { 'content-type': 'text/html' } })],
      ['a blocked request (TypeError)', () => { throw new TypeError('Failed to fetch'); }],
    ])('%s: this read and every later one of the client go through the tab', async (_, refusal) => {
      const t = tab();
      const { client, log } = setup([refusal, () => json({ items: ['worker'] })], t.read);
      expect(await client.getJson(URL_)).toEqual({ items: [{ id: 1 }] });
      expect(await client.getJson(URL_)).toEqual({ items: [{ id: 2 }] });
      expect(t.asked).toEqual([URL_, URL_]);
      expect(log.filter((r) => r.path === '/backend-api/conversations')).toHaveLength(1);
    });

    it('a project chat\'s read names its project, to the worker\'s request and to the tab; a GPT\'s does not', async () => {
      const project = `g-p-${'d'.repeat(32)}`;
      const projects: (string | null)[] = [];
      const { client, log } = setup([() => json({ ok: 0 }), challenge], (_url, projectId) => {
        projects.push(projectId);
        return Promise.resolve({ status: 200, text: '{"ok":1}', retryAfter: null });
      });
      expect(await client.getText(URL_, undefined, `${project}-office`)).toBe('{"ok":0}');
      expect(log.filter((r) => r.path !== '/api/auth/session').map((r) => r.headers['chatgpt-project-id'])).toEqual([project]);
      expect(await client.getText(URL_, undefined, `${project}-office`)).toBe('{"ok":1}');
      await client.getText(URL_, undefined, 'g-abc123-a-gpt');
      expect(projects).toEqual([project, null]);
    });

    it('a 429 the tab got is waited out like the worker\'s own', async () => {
      const answers: PageReadAnswer[] = [{ status: 429, text: null, retryAfter: '0.01' }, { status: 200, text: '{"ok":1}', retryAfter: null }];
      const { client, pauses } = setup([challenge], () => Promise.resolve(answers.shift()!));
      expect(await client.getJson(URL_)).toEqual({ ok: 1 });
      expect(pauses).toEqual([10]);
    });

    it('no tab to read through, or signed out in the tab too: an error that stops the whole run', async () => {
      const none = setup([challenge], () => Promise.reject(new BackupError('open a tab', 403, true)));
      await expect(none.client.getText(URL_)).rejects.toMatchObject({ stopsRun: true, message: 'open a tab' });
      const signedOut = setup([challenge], () => Promise.resolve({ status: 401, text: null, retryAfter: null }));
      await expect(signedOut.client.getText(URL_)).rejects.toMatchObject({ stopsRun: true, status: 401 });
    });

    it('without a tab reader (and for a 403 the tab got too) a refusal fails this read only', async () => {
      await expect(setup([challenge]).client.getText(URL_)).rejects.toMatchObject({ stopsRun: false, status: 403 });
      const both = setup([challenge], () => Promise.resolve({ status: 403, text: null, retryAfter: null }));
      await expect(both.client.getText(URL_)).rejects.toMatchObject({ stopsRun: false, status: 403 });
    });
  });
});

describe('stoppedBy', () => {
  it('asks to sign in only when ChatGPT signed the worker out, not when it asks for a tab or anything else broke', () => {
    expect(stoppedBy(new BackupError('signed out (HTTP 401)', 401, true)).step).toMatch(/once you are signed in to ChatGPT\.$/);
    expect(stoppedBy(new BackupError('ChatGPT refuses the extension\'s own requests: open ChatGPT in a tab', 403, true)).step)
      .toBe('Stopped: ChatGPT refuses the extension\'s own requests: open ChatGPT in a tab. Resume to try again.');
    expect(stoppedBy(new Error('QuotaExceededError'))).toEqual({ error: 'QuotaExceededError', step: 'Stopped: QuotaExceededError. Resume to try again.' });
  });
});
