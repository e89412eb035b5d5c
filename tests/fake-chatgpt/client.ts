/**
 * Node-side HTTP client for tests that talk to the fake without a browser: any URL on chatgpt.com,
 * chat.openai.com, *.oaiusercontent.com or 127.0.0.1 is sent to the fake's port with the right Host
 * header and SNI (the self-signed certificate is trusted explicitly, not by disabling checks globally).
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { CERT_PATH, type FakeChatGPT } from './server.ts';

export interface FakeResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text(): string;
  json<T = unknown>(): T;
}

export interface FakeRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Give up after this many ms (rejects with an Error whose message starts with "timeout"). */
  timeoutMs?: number;
}

let ca: Buffer | null = null;

export function fakeRequest(fake: Pick<FakeChatGPT, 'port'>, url: string, init: FakeRequestInit = {}): Promise<FakeResponse> {
  const u = new URL(url);
  const trusted = (ca ??= readFileSync(CERT_PATH));
  const isIp = u.hostname === '127.0.0.1';
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: fake.port,
        method: init.method ?? 'GET',
        path: `${u.pathname}${u.search}`,
        headers: { host: u.host, ...init.headers },
        ca: trusted,
        servername: isIp ? undefined : u.hostname,
        checkServerIdentity: () => undefined, // the cert names chatgpt.com etc.; we connect by IP on purpose
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('aborted', () => reject(new Error('aborted: response truncated')));
        res.on('end', () => {
          if (!res.complete) {
            reject(new Error('aborted: response truncated'));
            return;
          }
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            text: () => body.toString('utf8'),
            json: <T>() => JSON.parse(body.toString('utf8')) as T,
          });
        });
      },
    );
    if (init.timeoutMs) {
      req.setTimeout(init.timeoutMs, () => req.destroy(new Error(`timeout after ${init.timeoutMs} ms`)));
    }
    req.on('error', reject);
    req.end(init.body);
  });
}
