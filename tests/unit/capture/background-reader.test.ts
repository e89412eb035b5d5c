// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { BackgroundReader } from '@/utils/capture/background-reader';
import { toFailure } from '@/utils/capture/failure';
import { PAGE_READ_NEEDED, PAGE_READ_ONCE } from '@/utils/capture/port-protocol';
import { WorkerNet } from '@/utils/capture/worker-net';
import { empty, fakeFetch, json } from './fake-fetch';

const CONV = '69f1a2b3-4c5d-8e6f-a7b8-c9d0e1f2a3b4';
const token = () => json({ accessToken: 'eyJ-worker-token', expires: new Date(Date.now() + 3_600_000).toISOString() });

async function reasonOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return toFailure(err).reason;
  }
  throw new Error('expected a failure');
}

describe('BackgroundReader', () => {
  it('reads the conversation with the worker\'s own token', async () => {
    const net = fakeFetch((req) => (req.path === '/api/auth/session' ? token() : json({ conversation_id: CONV, mapping: {} })));
    const text = await new BackgroundReader(new WorkerNet(net.fetch)).read('https://chatgpt.com', CONV, null);
    expect(JSON.parse(text)).toMatchObject({ conversation_id: CONV });
    expect(net.log.at(-1)!.headers.authorization).toBe('Bearer eyJ-worker-token');
  });

  it('a 404 is handed to the tab for this read, not turned into "not ready"', async () => {
    const net = fakeFetch((req) => (req.path === '/api/auth/session' ? token() : empty(404)));
    expect(await reasonOf(new BackgroundReader(new WorkerNet(net.fetch)).read('https://chatgpt.com', CONV, 'ws-a'))).toBe(PAGE_READ_ONCE);
  });

  it.each([
    ['a challenge page', () => new Response('<!DOCTYPE html><title>Just a moment...</title>', { status: 403, headers: { 'content-type': 'text/html' } })],
    ['401 after a fresh token', () => empty(401)],
  ])('%s sends the tab back to reading itself', async (_, answer) => {
    const net = fakeFetch((req) => (req.path === '/api/auth/session' ? token() : answer()));
    expect(await reasonOf(new BackgroundReader(new WorkerNet(net.fetch)).read('https://chatgpt.com', CONV, null))).toBe(PAGE_READ_NEEDED);
  });
});
