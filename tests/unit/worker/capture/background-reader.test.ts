// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { BackgroundReader } from '@/utils/worker/capture/background-reader';
import { WorkerNet } from '@/utils/chatgpt/net/worker-net';
import { empty, fakeFetch, json } from '../../chatgpt/net/fake-fetch';

const CONV = '69f1a2b3-4c5d-8e6f-a7b8-c9d0e1f2a3b4';
const token = () => json({ accessToken: 'eyJ-worker-token', expires: new Date(Date.now() + 3_600_000).toISOString() });

describe('BackgroundReader', () => {
  it('reads the conversation with the worker\'s own token', async () => {
    const net = fakeFetch((req) => (req.path === '/api/auth/session' ? token() : json({ conversation_id: CONV, mapping: {} })));
    const attempt = await new BackgroundReader(new WorkerNet(net.fetch)).read('https://chatgpt.com', CONV, null);
    expect(attempt.ok && JSON.parse(attempt.value!)).toMatchObject({ conversation_id: CONV });
    expect(net.log.at(-1)!.headers.authorization).toBe('Bearer eyJ-worker-token');
  });

  it('a 404 is a read with nothing (the tab reads it this once), not a failure', async () => {
    const net = fakeFetch((req) => (req.path === '/api/auth/session' ? token() : empty(404)));
    expect(await new BackgroundReader(new WorkerNet(net.fetch)).read('https://chatgpt.com', CONV, 'ws-a')).toEqual({ ok: true, value: null });
  });

  it('a rate limit is a failure with its cause, for the tab to retry; not a refusal', async () => {
    const net = fakeFetch((req) => (req.path === '/api/auth/session' ? token() : empty(429)));
    expect(await new BackgroundReader(new WorkerNet(net.fetch)).read('https://chatgpt.com', CONV, null)).toMatchObject({ ok: false, refused: false, failure: { cause: 'rate-limited' } });
  });

  it.each([
    ['a challenge page', () => new Response('<!DOCTYPE html><title>Just a moment...</title>', { status: 403, headers: { 'content-type': 'text/html' } })],
    ['401 after a fresh token', () => empty(401)],
  ])('%s is a refusal (the tab reads itself from then on)', async (_, answer) => {
    const net = fakeFetch((req) => (req.path === '/api/auth/session' ? token() : answer()));
    expect(await new BackgroundReader(new WorkerNet(net.fetch)).read('https://chatgpt.com', CONV, null)).toMatchObject({ ok: false, refused: true });
  });

  describe('readTextdocs', () => {
    const reader = (answer: () => Response) => {
      const net = fakeFetch((req) => (req.path === '/api/auth/session' ? token() : answer()));
      return { net, reader: new BackgroundReader(new WorkerNet(net.fetch)) };
    };

    it('reads the textdocs route of the conversation, with the project header of a project chat', async () => {
      const { net, reader: r } = reader(() => json([{ id: 'doc1', content: '# Plan\n' }]));
      const project = `g-p-${'a'.repeat(32)}`;
      expect(JSON.parse((await r.readTextdocs('https://chatgpt.com', CONV, null, project))!)).toEqual([{ id: 'doc1', content: '# Plan\n' }]);
      const req = net.log.at(-1)!;
      expect(req.url).toBe(`https://chatgpt.com/backend-api/conversation/${CONV}/textdocs`);
      expect(req.headers.authorization).toBe('Bearer eyJ-worker-token');
      expect(req.headers['chatgpt-project-id']).toBe(project);
    });

    it.each([
      ['a 404', () => empty(404)],
      ['a server error', () => empty(500)],
      ['a rate limit', () => empty(429)],
      ['a challenge page', () => new Response('<!DOCTYPE html><title>Just a moment...</title>', { status: 200, headers: { 'content-type': 'text/html' } })],
      ['a refusal', () => empty(403)],
    ])('%s is no answer (null), never a failure: the texts are rebuilt from the messages', async (_, answer) => {
      expect(await reader(answer).reader.readTextdocs('https://chatgpt.com', CONV, null)).toBeNull();
    });

    it('a network error is no answer either', async () => {
      const net = fakeFetch((req) => (req.path === '/api/auth/session' ? token() : Promise.reject(new TypeError('Failed to fetch'))));
      expect(await new BackgroundReader(new WorkerNet(net.fetch)).readTextdocs('https://chatgpt.com', CONV, null)).toBeNull();
    });
  });
});
