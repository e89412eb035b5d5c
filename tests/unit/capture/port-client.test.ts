import { describe, expect, it, vi } from 'vitest';
import type { Browser } from 'wxt/browser';
import type { FetchContext } from '@/utils/capture/fetcher';
import { CaptureClient } from '@/utils/capture/port-client';
import { ConversationInbox, parseToBackground } from '@/utils/capture/port-protocol';

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

describe('CaptureClient', () => {
  it('streams a conversation in ordered pieces that the background inbox joins exactly', async () => {
    const p = fakePort();
    const client = new CaptureClient(fetchCtx, undefined, () => p.port);
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
    const client = new CaptureClient(fetchCtx, undefined, () => {
      throw new Error('Extension context invalidated.');
    });
    await expect(client.streamConversation('{}')).rejects.toThrow(/not reachable/);
  });

  it('reports every disconnect, and reconnects by itself only while the background is busy', async () => {
    const ports = [fakePort(), fakePort(), fakePort()];
    let n = 0;
    const disconnected = vi.fn();
    const client = new CaptureClient(fetchCtx, disconnected, () => ports[n++]!.port);
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

  it('closed for good: no reconnect', () => {
    const p = fakePort();
    let connects = 0;
    const client = new CaptureClient(fetchCtx, undefined, () => {
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
