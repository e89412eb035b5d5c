// @vitest-environment node
/** A tab's backup read for the worker: only this origin's backup routes, as the page sends them, answered as they came. */
import { describe, expect, it } from 'vitest';
import { createFetchContext, type AuthSource } from '@/utils/capture/fetcher';
import { RequestLanes } from '@/utils/capture/lanes';
import { pageRead } from '@/utils/capture/page-read';
import { fakeFetch, json, type Handler } from './fake-fetch';

const ORIGIN = 'https://chatgpt.com';
const CONVERSATION = `${ORIGIN}/backend-api/conversation/69f1a2b3-4c5d-8e6f-a7b8-c9d0e1f2a3b4`;

function setup(route: Handler) {
  const net = fakeFetch(route);
  let version = 1;
  const auth: AuthSource = {
    token: (fresh = false) => Promise.resolve(`tok-${fresh ? ++version : version}`),
    accountId: () => Promise.resolve('ws-team'),
  };
  return { ctx: createFetchContext(ORIGIN, net.fetch, auth, new RequestLanes({ jsonGapMs: 0, bytesConcurrency: 1 })), log: net.log };
}

describe('pageRead', () => {
  it('reads with the page session and workspace, a fresh token after a 401, and answers status and text', async () => {
    let n = 0;
    const { ctx, log } = setup(() => (n++ === 0 ? json({ detail: 'expired' }, 401) : json({ mapping: {} })));
    expect(await pageRead(ctx, CONVERSATION)).toEqual({ status: 200, text: '{"mapping":{}}', retryAfter: null });
    expect(log.map((r) => r.headers.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-2']);
    expect(log.every((r) => r.headers['chatgpt-account-id'] === 'ws-team' && r.credentials === 'include')).toBe(true);
  });

  it('passes a 429 with its Retry-After and a 404 on without a body', async () => {
    expect(await pageRead(setup(() => json({}, 429, { 'retry-after': '7' })).ctx, CONVERSATION)).toEqual({ status: 429, text: null, retryAfter: '7' });
    expect(await pageRead(setup(() => json({}, 404)).ctx, CONVERSATION)).toEqual({ status: 404, text: null, retryAfter: null });
  });

  it.each([
    ['another origin', 'https://chat.openai.com/backend-api/conversations?offset=0&limit=100'],
    ['another host', 'https://evil.example/backend-api/conversations'],
    ['a route that is not a backup read', `${ORIGIN}/backend-api/accounts/check/v4-2023-04-27`],
    ['a write route', `${ORIGIN}/backend-api/conversation`],
    ['a file download', `${ORIGIN}/backend-api/files/download/file-abc`],
    ['not a URL', 'conversations'],
    ['not a string', 42],
  ])('refuses %s and sends nothing', async (_, url) => {
    const { ctx, log } = setup(() => json({}));
    await expect(pageRead(ctx, url)).rejects.toThrow(/Not a backup read/);
    expect(log).toEqual([]);
  });
});
