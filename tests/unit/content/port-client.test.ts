import { describe, expect, it, vi } from 'vitest';
import type { Browser } from 'wxt/browser';
import { createFetchContext, type FetchContext, type JobSpec, type WorkspaceAuth } from '@/utils/chatgpt/net/fetcher';
import { RequestLanes } from '@/utils/chatgpt/net/lanes';
import { PageSession } from '@/utils/chatgpt/net/page-session';
import { CaptureClient } from '@/utils/content/port-client';
import { ConversationInbox, parseToBackground } from '@/utils/capture-port';
import { bytesResponse, fakeFetch, json } from '../chatgpt/net/fake-fetch';
import { waitFor } from '../helpers';

function fakePort() {
  const onMessage: Array<(m: unknown) => void> = [];
  const onDisconnect: Array<() => void> = [];
  const posted: unknown[] = [];
  const port = {
    name: 'capture',
    postMessage: (m: unknown) => void posted.push(m),
    disconnect: vi.fn(),
    onMessage: { addListener: (l: (m: unknown) => void) => void onMessage.push(l) },
    onDisconnect: { addListener: (l: () => void) => void onDisconnect.push(l) },
  } as unknown as Browser.runtime.Port;
  return { port, posted, emit: (m: unknown) => onMessage.forEach((l) => l(m)), drop: () => onDisconnect.forEach((l) => l()) };
}

const fetchCtx = {} as FetchContext;
const workspaces: WorkspaceAuth = { forWorkspace: () => ({ token: () => Promise.resolve('t'), accountId: () => Promise.resolve(null) }) };

describe('CaptureClient', () => {
  it('streams a conversation in ordered pieces that the background inbox joins exactly', async () => {
    const p = fakePort();
    const client = new CaptureClient(fetchCtx, workspaces, undefined, () => p.port);
    // One character past a text piece (256 Ki characters): two pieces.
    const json = JSON.stringify({ filler: 'ü'.repeat(256 * 1024 + 5) });
    const sent = await client.streamConversation(json);
    expect(sent).toMatchObject({ chunks: 2, length: json.length });
    const inbox = new ConversationInbox();
    for (const m of p.posted) {
      const msg = parseToBackground(m);
      if (msg?.t === 'read-chunk') inbox.take(msg);
    }
    expect((await inbox.complete(sent.readId, sent.chunks, sent.length)) === json).toBe(true);
  });

  it('throws instead of streaming when the extension cannot be reached', async () => {
    const client = new CaptureClient(fetchCtx, workspaces, undefined, () => {
      throw new Error('Extension context invalidated.');
    });
    await expect(client.streamConversation('{}')).rejects.toThrow(/not reachable/);
  });

  it('reports every disconnect, and reconnects by itself only while the background is busy', async () => {
    const ports = [fakePort(), fakePort(), fakePort()];
    let n = 0;
    const disconnected = vi.fn();
    const client = new CaptureClient(fetchCtx, workspaces, disconnected, () => ports[n++]!.port);
    client.connect();
    ports[0]!.drop();
    expect(disconnected).toHaveBeenCalledOnce();
    await new Promise((r) => setTimeout(r, 300));
    expect(n).toBe(2); // busy until told otherwise: reconnected
    ports[1]!.emit({ t: 'busy', busy: false });
    ports[1]!.drop();
    await new Promise((r) => setTimeout(r, 300));
    expect(n).toBe(2);
    client.connect();
    expect(n).toBe(3);
  });

  it('runs a job for the job\'s workspace, not the one the page shows', async () => {
    const ORIGIN = 'https://chatgpt.com';
    const FILE = 'file_00000000d00dfeedd00dfeedd00dfeed';
    const CONV = '69f1a2b3-4c5d-8e6f-a7b8-c9d0e1f2a3b4';
    const BYTES = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 1, 2, 3]);
    const net = fakeFetch((req) => {
      if (req.path === '/api/auth/session') return json({ accessToken: 'tok-page-session' });
      if (req.path.startsWith('/backend-api/accounts/check')) {
        return json({ accounts: { 'ws-page': { account: { account_id: 'acct-page' } }, 'ws-job': { account: { account_id: 'acct-job' } } } });
      }
      if (req.path === `/backend-api/files/download/${FILE}`) return json({ status: 'success', download_url: `${ORIGIN}/backend-api/estuary/content?id=${FILE}&sig=x`, file_size_bytes: BYTES.length });
      if (req.path === '/backend-api/estuary/content') return bytesResponse(BYTES);
      return json({ detail: 'not here' }, 404);
    });
    // The page shows workspace ws-page; the job was queued by a tab of ws-job.
    const session = new PageSession(ORIGIN, net.fetch, () => '_account=ws-page');
    const ctx = createFetchContext(ORIGIN, net.fetch, session, new RequestLanes({ jsonGapMs: 0, bytesConcurrency: 1 }));
    const p = fakePort();
    new CaptureClient(ctx, session, undefined, () => p.port).connect();
    const job: JobSpec = {
      jobId: `fetch:file:${FILE}`, artifactId: `file:${FILE}`, kind: 'image', conversationId: CONV, fileId: FILE, sandboxPath: null,
      messageId: '3c000000-0000-4000-8000-000000000013', fallbackMessageId: null, messageCreateTime: null, declaredSize: null,
      fileName: 'fox.png', gizmoId: null, origin: ORIGIN, account: 'ws-job',
    };
    p.emit({ t: 'run', job });
    await waitFor(() => p.posted.find((m) => (m as { t?: string }).t === 'done' || (m as { t?: string }).t === 'failed'), 'the job ended');
    expect(p.posted.at(-1)).toMatchObject({ t: 'done', size: BYTES.length });
    const api = net.log.filter((r) => r.path.startsWith('/backend-api/files/'));
    expect(api.length).toBeGreaterThan(0);
    expect(api.map((r) => r.headers['chatgpt-account-id'])).toEqual(api.map(() => 'acct-job'));
  });

  it('closed for good: no reconnect', () => {
    const p = fakePort();
    let connects = 0;
    const client = new CaptureClient(fetchCtx, workspaces, undefined, () => {
      connects++;
      return p.port;
    });
    client.connect();
    client.close();
    client.connect();
    expect(connects).toBe(1);
    expect(p.port.disconnect).toHaveBeenCalled();
  });
});
