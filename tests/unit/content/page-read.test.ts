// @vitest-environment node
/** A tab's backup read for the worker: only this origin's backup routes, as the page sends them, answered as they came. */
import { describe, expect, it } from 'vitest';
import { createFetchContext, type AuthSource, type WorkspaceAuth } from '@/utils/chatgpt/net/fetcher';
import { RequestLanes } from '@/utils/chatgpt/net/lanes';
import { pageRead } from '@/utils/content/page-read';
import { fakeFetch, json, type Handler } from '../chatgpt/net/fake-fetch';

const ORIGIN = 'https://chatgpt.com';
const CONVERSATION = `${ORIGIN}/backend-api/conversation/69f1a2b3-4c5d-8e6f-a7b8-c9d0e1f2a3b4`;

function setup(route: Handler) {
  const net = fakeFetch(route);
  let version = 1;
  const token = (fresh = false) => Promise.resolve(`tok-${fresh ? ++version : version}`);
  // The page shows workspace `ws-page`; a read speaks for the workspace it is asked for.
  const pageAuth: AuthSource = { token, accountId: () => Promise.resolve('acct-ws-page') };
  const workspaces: WorkspaceAuth = { forWorkspace: (a) => ({ token, accountId: () => Promise.resolve(a === null ? null : `acct-${a}`) }) };
  return { ctx: createFetchContext(ORIGIN, net.fetch, pageAuth, new RequestLanes({ jsonGapMs: 0, bytesConcurrency: 1 })), workspaces, log: net.log };
}

const read = (s: ReturnType<typeof setup>, url: unknown, ...account: [unknown?]) => pageRead(s.ctx, s.workspaces, url, account.length ? account[0] : 'ws-team');

describe('pageRead', () => {
  it('reads with the page session and workspace, a fresh token after a 401, and answers status and text', async () => {
    let n = 0;
    const s = setup(() => (n++ === 0 ? json({ detail: 'expired' }, 401) : json({ mapping: {} })));
    expect(await read(s, CONVERSATION)).toEqual({ status: 200, text: '{"mapping":{}}', retryAfter: null });
    expect(s.log.map((r) => r.headers.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-2']);
    expect(s.log.every((r) => r.headers['chatgpt-account-id'] === 'acct-ws-team' && r.credentials === 'include')).toBe(true);
  });

  it('sends the project header for a project chat\'s read, and refuses anything but a project id', async () => {
    const s = setup(() => json({ mapping: {} }));
    const project = `g-p-${'c'.repeat(32)}`;
    await pageRead(s.ctx, s.workspaces, CONVERSATION, null, project);
    await pageRead(s.ctx, s.workspaces, CONVERSATION, null, null);
    expect(s.log.map((r) => r.headers['chatgpt-project-id'] ?? null)).toEqual([project, null]);
    for (const bad of ['g-abc', 'g-p-xyz\r\nx: 1', 7]) await expect(pageRead(s.ctx, s.workspaces, CONVERSATION, null, bad)).rejects.toThrow('Not a project id');
    expect(s.log).toHaveLength(2);
  });

  it('speaks for the run\'s workspace, not the one the page shows, and for the personal account with no header', async () => {
    const s = setup(() => json({ items: [] }));
    await read(s, CONVERSATION, 'ws-run');
    await read(s, CONVERSATION, null);
    expect(s.log.map((r) => r.headers['chatgpt-account-id'] ?? null)).toEqual(['acct-ws-run', null]);
  });

  it.each([['a malformed workspace id', '../x'], ['not a string', 7], ['missing', undefined]])('refuses %s and sends nothing', async (_, account) => {
    const s = setup(() => json({}));
    await expect(read(s, CONVERSATION, account)).rejects.toThrow(/workspace/);
    expect(s.log).toEqual([]);
  });

  it('reads a conversation\'s canvas documents (textdocs) for a backup through the tab', async () => {
    const s = setup(() => json([{ id: 'doc1', content: '# Plan\n' }]));
    expect(await read(s, `${CONVERSATION}/textdocs`)).toEqual({ status: 200, text: '[{"id":"doc1","content":"# Plan\\n"}]', retryAfter: null });
    expect(s.log.map((r) => r.url)).toEqual([`${CONVERSATION}/textdocs`]);
  });

  it('passes a 429 with its Retry-After and a 404 on without a body', async () => {
    expect(await read(setup(() => json({}, 429, { 'retry-after': '7' })), CONVERSATION)).toEqual({ status: 429, text: null, retryAfter: '7' });
    expect(await read(setup(() => json({}, 404)), CONVERSATION)).toEqual({ status: 404, text: null, retryAfter: null });
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
    const s = setup(() => json({}));
    await expect(read(s, url)).rejects.toThrow(/Not a backup read/);
    expect(s.log).toEqual([]);
  });
});
