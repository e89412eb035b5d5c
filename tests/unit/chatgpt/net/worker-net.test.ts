// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { readConversation } from '@/utils/chatgpt/net/fetcher';
import { WorkerNet } from '@/utils/chatgpt/net/worker-net';
import { fakeFetch, json } from './fake-fetch';

const CONV = '69f1a2b3-4c5d-8e6f-a7b8-c9d0e1f2a3b4';

function backend() {
  return fakeFetch((req) => {
    if (req.path === '/api/auth/session') return json({ accessToken: 'eyJ-worker-token', expires: new Date(Date.now() + 3_600_000).toISOString() });
    if (req.path.startsWith('/backend-api/accounts/check')) {
      return json({ accounts: { 'ws-a': { account: { account_id: 'acct-a' } }, 'ws-b': { account: { account_id: 'acct-b' } } } });
    }
    return json({ conversation_id: CONV, mapping: {} });
  });
}

describe('WorkerNet', () => {
  it('each request carries the workspace of the tab that asked, never the first one seen', async () => {
    const net = backend();
    const worker = new WorkerNet(net.fetch);
    const accountOf = () => net.log.filter((r) => r.path.startsWith('/backend-api/conversation/')).at(-1)!.headers['chatgpt-account-id'];
    await readConversation(worker.context('https://chatgpt.com', 'ws-a'), CONV);
    expect(accountOf()).toBe('acct-a');
    await readConversation(worker.context('https://chatgpt.com', 'ws-b'), CONV);
    expect(accountOf()).toBe('acct-b');
    await readConversation(worker.context('https://chatgpt.com', null), CONV);
    expect(accountOf()).toBeUndefined();
  });

  it('a project chat is read with the project header, as the web app sends it', async () => {
    const net = backend();
    const worker = new WorkerNet(net.fetch);
    const project = () => net.log.filter((r) => r.path.startsWith('/backend-api/conversation/')).at(-1)!.headers['chatgpt-project-id'];
    await readConversation(worker.context('https://chatgpt.com', null), CONV, 'g-p-0123456789abcdef0123456789abcdef-trip');
    expect(project()).toBe('g-p-0123456789abcdef0123456789abcdef');
    await readConversation(worker.context('https://chatgpt.com', null), CONV, null);
    expect(project()).toBeUndefined();
  });

  it('only ChatGPT origins: anything else falls back to https://chatgpt.com', () => {
    const worker = new WorkerNet(backend().fetch);
    expect(worker.context('https://chat.openai.com', null).origin).toBe('https://chat.openai.com');
    expect(worker.context('https://evil.example', null).origin).toBe('https://chatgpt.com');
    expect(worker.context('http://chatgpt.com', null).origin).toBe('https://chatgpt.com');
    expect(worker.context(null, null).origin).toBe('https://chatgpt.com');
  });
});
