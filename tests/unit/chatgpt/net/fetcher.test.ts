// @vitest-environment node
// Node's own fetch classes (undici): real Response and ReadableStream semantics, as in the browser.
import { describe, expect, it } from 'vitest';
import { CaptureFailure, toFailure, type FailureCause } from '@/utils/chatgpt/net/failure';
import { boundedText, fetchArtifact, MAX_FILE_BYTES, readConversation, type AuthSource, type FetchContext, type JobSpec } from '@/utils/chatgpt/net/fetcher';
import { RequestLanes } from '@/utils/chatgpt/net/lanes';
import { interpreterDownloadUrls } from '@/utils/chatgpt/routes';
import { bytesResponse, empty, fakeFetch, json, redirect, type Handler } from './fake-fetch';
import { concat, firstDiff, randomBytes } from '../../helpers';

const ORIGIN = 'https://chatgpt.com';
const NOW = Date.parse('2026-11-23T10:00:00Z');
const CONV = '69f1a2b3-4c5d-8e6f-a7b8-c9d0e1f2a3b4';
const FILE = 'file_00000000d00dfeedd00dfeedd00dfeed';
const MSG = '3c000000-0000-4000-8000-000000000013';
const TOOL_MSG = '3c000000-0000-4000-8000-000000000012';
const ESTUARY = `${ORIGIN}/backend-api/estuary/content?id=${FILE}&ts=1&p=fs&cid=1&sig=s3cr3tsig`;
const SAS = 'https://files.oaiusercontent.com/file-Abc123?se=2026-11-23T10%3A05%3A00Z&sp=r&sig=s4ss1g';
const NEW_ROUTE = `/backend-api/files/download/${FILE}`;
const LEGACY_ROUTE = `/backend-api/files/${FILE}/download`;
const INTERPRETER = `/backend-api/conversation/${CONV}/interpreter/download`;
/** Interpreter route variants tried per message (routes.ts decides; 2026-11: one). */
const ROUTES_PER_MESSAGE = interpreterDownloadUrls(ORIGIN, CONV, MSG, '/mnt/data/x').length;
const each = <T>(v: T) => Array<T>(ROUTES_PER_MESSAGE).fill(v);

function fileSpec(over: Partial<JobSpec> = {}): JobSpec {
  return {
    jobId: 'fetch:file:x', artifactId: `file:${FILE}`, kind: 'image', conversationId: CONV, fileId: FILE, sandboxPath: null,
    messageId: MSG, fallbackMessageId: null, messageCreateTime: NOW / 1000 - 60, declaredSize: null, fileName: 'fox.png',
    gizmoId: null, origin: null, account: null, ...over,
  };
}

function sandboxSpec(path = '/mnt/data/q3_revenue.csv', over: Partial<JobSpec> = {}): JobSpec {
  return fileSpec({
    kind: 'sandbox-file', artifactId: `sandbox:${CONV}:${path}`, fileId: null, sandboxPath: path, messageId: MSG,
    fallbackMessageId: TOOL_MSG, messageCreateTime: NOW / 1000 - 3 * 3600, fileName: path.split('/').pop()!, ...over,
  });
}

interface Setup {
  maxFileBytes?: number;
  accountId?: string | null;
  idleTimeoutMs?: number;
  jsonTimeoutMs?: number;
}

/** A fetch context on a fake network; the token is `tok-<n>` where n counts reads (fresh reads bump it). */
function setup(route: Handler, opts: Setup = {}) {
  const net = fakeFetch(route);
  const tokens: boolean[] = [];
  let version = 1;
  const auth: AuthSource = {
    async token(fresh = false) {
      tokens.push(fresh);
      if (fresh) version++;
      return `tok-${version}`;
    },
    async accountId() {
      return opts.accountId ?? null;
    },
  };
  const pauses: number[] = [];
  const lanes = new RequestLanes({ jsonGapMs: 0, bytesConcurrency: 2, resolveConcurrency: 2 });
  const pauseJson = lanes.pauseJson.bind(lanes);
  lanes.pauseJson = (ms: number) => {
    pauses.push(ms);
    pauseJson(ms);
  };
  const ctx: FetchContext = {
    origin: ORIGIN, fetch: net.fetch, auth, lanes,
    jsonTimeoutMs: opts.jsonTimeoutMs ?? 2_000, idleTimeoutMs: opts.idleTimeoutMs ?? 1_000, now: () => NOW,
    maxFileBytes: opts.maxFileBytes ?? MAX_FILE_BYTES,
  };
  return { ctx, log: net.log, tokens, pauses };
}

/** Runs a fetch and collects what reached onChunk. */
async function run(spec: JobSpec, ctx: FetchContext) {
  const chunks: Uint8Array[] = [];
  const file = await fetchArtifact(spec, ctx, (c) => {
    chunks.push(c.slice());
  });
  return { file, bytes: concat(chunks), chunks };
}

async function failureOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (err) {
    return { err, failure: toFailure(err) };
  }
  throw new Error('expected the fetch to fail');
}

const success = (url: string, over: Record<string, unknown> = {}) =>
  json({ status: 'success', download_url: url, file_name: 'fox.png', file_size_bytes: null, mime_type: 'image/png', ...over });

const BYTES = randomBytes(200_000, 42);

describe('fetchArtifact: file ids', () => {
  it('a project chat\'s resolution and estuary download carry the project header; another GPT\'s chat does not', async () => {
    const PROJECT = 'g-p-0123456789abcdef0123456789abcdef';
    const route: Handler = (req) => {
      if (req.path === NEW_ROUTE) return success(ESTUARY, { file_size_bytes: BYTES.length });
      if (req.url === ESTUARY) return bytesResponse(BYTES, { type: 'image/png' });
      return empty(404);
    };
    const project = setup(route);
    await run(fileSpec({ gizmoId: `${PROJECT}-trip-planning` }), project.ctx);
    expect(project.log.map((r) => r.headers['chatgpt-project-id'])).toEqual([PROJECT, PROJECT]);
    const gpt = setup(route);
    await run(fileSpec({ gizmoId: 'g-AbCdEf123-my-gpt' }), gpt.ctx);
    expect(gpt.log.map((r) => r.headers['chatgpt-project-id'])).toEqual([undefined, undefined]);
  });

  it('resolves through the current route and streams the estuary bytes with cookies and the token', async () => {
    const { ctx, log } = setup((req) => {
      if (req.path === NEW_ROUTE) return success(ESTUARY, { file_size_bytes: BYTES.length });
      if (req.url === ESTUARY) return bytesResponse(BYTES, { type: 'image/png', chunk: 30_000 });
      return empty(404);
    }, { accountId: 'acct-123' });
    const { file, bytes, chunks } = await run(fileSpec(), ctx);
    expect(firstDiff(bytes, BYTES)).toBe(-1);
    expect(chunks.length).toBeGreaterThan(1);
    expect(file).toEqual({ size: BYTES.length, mimeType: 'image/png', fileId: FILE, fileName: 'fox.png' });
    expect(log.map((r) => r.path)).toEqual([NEW_ROUTE, '/backend-api/estuary/content']);
    const [resolve, download] = log;
    expect(resolve!.params.get('conversation_id')).toBe(CONV);
    expect(resolve!.params.get('inline')).toBe('false');
    expect(resolve!.headers).toMatchObject({ authorization: 'Bearer tok-1', 'chatgpt-account-id': 'acct-123' });
    expect(resolve!.credentials).toBe('include');
    // Estuary needs cookies and the token even though the link is signed (docs/CHATGPT.md section 7).
    expect(download!.headers).toMatchObject({ authorization: 'Bearer tok-1', 'chatgpt-account-id': 'acct-123' });
    expect(download!.credentials).toBe('include');
  });

  it('falls back to the legacy route when the current one is missing (404)', async () => {
    const { ctx, log } = setup((req) => {
      if (req.path === LEGACY_ROUTE) return success(SAS);
      if (req.url === SAS) return bytesResponse(BYTES, { type: 'image/webp' });
      return empty(404);
    });
    const { file, bytes } = await run(fileSpec(), ctx);
    expect(firstDiff(bytes, BYTES)).toBe(-1);
    expect(file.mimeType).toBe('image/webp'); // the served type beats the declared one
    expect(log.map((r) => r.path)).toEqual([NEW_ROUTE, LEGACY_ROUTE, '/file-Abc123']);
  });

  it('sends no Authorization to a SAS host and omits credentials', async () => {
    const { ctx, log } = setup((req) => (req.path === NEW_ROUTE ? success(SAS) : bytesResponse(BYTES)), { accountId: 'acct-1' });
    await run(fileSpec(), ctx);
    const download = log.find((r) => r.url === SAS)!;
    expect(download.headers.authorization).toBeUndefined();
    expect(download.headers['chatgpt-account-id']).toBeUndefined();
    expect(download.credentials).toBe('omit');
  });

  it('an estuary link on another host is not sent the token', async () => {
    const fake = 'https://chatgpt.com.evil.example/backend-api/estuary/content?id=x';
    const { ctx, log } = setup((req) => (req.path === NEW_ROUTE ? success(fake) : bytesResponse(BYTES)));
    const { failure } = await failureOf(run(fileSpec(), ctx));
    expect(failure.cause).toBe('bad-response');
    expect(log.map((r) => r.path)).toEqual([NEW_ROUTE]);
  });

  it.each([
    ['an unknown host', 'https://evil.example.com/file.png'],
    ['plain http', 'http://files.oaiusercontent.com/file-Abc'],
  ])('refuses a download link to %s without fetching it', async (_, url) => {
    const { ctx, log } = setup((req) => (req.path === NEW_ROUTE ? success(url) : bytesResponse(BYTES)));
    const { failure } = await failureOf(run(fileSpec(), ctx));
    expect(failure.cause).toBe('bad-response');
    expect(log).toHaveLength(1);
  });

  it('status:"error" on every route is gone, with the server\'s message, after trying each route once', async () => {
    const { ctx, log } = setup(() => json({ status: 'error', error_code: 'file_not_found', error_message: 'File not found' }));
    const { err, failure } = await failureOf(run(fileSpec(), ctx));
    expect(err).toBeInstanceOf(CaptureFailure);
    expect(failure).toMatchObject({ cause: 'gone', reason: 'File not found' });
    expect(log.map((r) => r.path)).toEqual([NEW_ROUTE, LEGACY_ROUTE]);
  });

  it('uploads also try the per-conversation attachment route; an error code names the reason', async () => {
    const { ctx, log } = setup((req) => (req.path.includes('/attachment/') ? empty(410) : json({ status: 'error', error_code: 'expired' })));
    const { failure } = await failureOf(run(fileSpec({ kind: 'upload' }), ctx));
    expect(failure.cause).toBe('gone');
    expect(failure.reason).toBe('The file is no longer available (expired)');
    expect(log.map((r) => r.path)).toEqual([NEW_ROUTE, LEGACY_ROUTE, `/backend-api/conversation/${CONV}/attachment/${FILE}/download`]);
  });

  it('429 without Retry-After: rate-limited, no fallback tried, and the lanes pause', async () => {
    const { ctx, log, pauses } = setup(() => empty(429));
    const { failure } = await failureOf(run(fileSpec(), ctx));
    expect(failure).toMatchObject({ cause: 'rate-limited', retryAfterMs: null });
    expect(log).toHaveLength(1);
    expect(pauses).toHaveLength(1);
    expect(pauses[0]).toBeGreaterThan(0);
  });

  it('429 with Retry-After carries the delay and pauses the lane for it', async () => {
    const { ctx, pauses } = setup(() => empty(429, { 'retry-after': '7' }));
    const { failure } = await failureOf(run(fileSpec(), ctx));
    expect(failure).toMatchObject({ cause: 'rate-limited', retryAfterMs: 7_000 });
    expect(pauses).toEqual([7_000]);
  });

  it.each([500, 502, 503])('HTTP %i from the resolver is a server failure and stops at once', async (status) => {
    const { ctx, log } = setup(() => empty(status));
    const { failure } = await failureOf(run(fileSpec(), ctx));
    expect(failure.cause).toBe('server');
    expect(failure.reason).toContain(String(status));
    expect(log).toHaveLength(1);
  });

  it('401 once: the token is read afresh and the call retried', async () => {
    const { ctx, log, tokens } = setup((req) => {
      if (req.path === NEW_ROUTE) return req.headers.authorization === 'Bearer tok-2' ? success(SAS) : empty(401);
      return bytesResponse(BYTES);
    });
    const { bytes } = await run(fileSpec(), ctx);
    expect(firstDiff(bytes, BYTES)).toBe(-1);
    expect(tokens).toEqual([false, true]);
    expect(log.map((r) => r.headers.authorization ?? null)).toEqual(['Bearer tok-1', 'Bearer tok-2', null]);
  });

  it.each([
    ['401 twice', [401, 401]],
    ['403', [403]],
  ])('%s from the resolver is an auth failure', async (_, statuses) => {
    const { ctx, log } = setup((_req, n) => empty(statuses[Math.min(n, statuses.length) - 1]!));
    const { failure } = await failureOf(run(fileSpec(), ctx));
    expect(failure.cause).toBe('auth');
    expect(log).toHaveLength(statuses.length);
  });

  it('an unexpected 4xx from the resolver is a bad response, not gone', async () => {
    const { ctx } = setup(() => empty(400));
    expect((await failureOf(run(fileSpec(), ctx))).failure.cause).toBe('bad-response');
  });

  it.each([
    ['not JSON', () => new Response('{oops', { headers: { 'content-type': 'application/json' } })],
    ['an unknown status', () => json({ status: 'pending' })],
    ['no download_url', () => json({ status: 'success' })],
    ['an array', () => json([1, 2])],
  ])('a resolver answer that is %s is a bad response (transient)', async (_, answer) => {
    const { ctx } = setup(answer);
    expect((await failureOf(run(fileSpec(), ctx))).failure.cause).toBe('bad-response');
  });

  it('a resolver answering with the file itself (not JSON) is taken as the bytes', async () => {
    const { ctx, log } = setup(() => bytesResponse(BYTES, { type: 'image/png; charset=binary', chunk: 50_000 }));
    const { file, bytes } = await run(fileSpec(), ctx);
    expect(firstDiff(bytes, BYTES)).toBe(-1);
    expect(file).toEqual({ size: BYTES.length, mimeType: 'image/png', fileId: FILE, fileName: 'fox.png' });
    expect(log).toHaveLength(1);
  });

  it('a direct answer may stream for longer than the API time limit while bytes keep flowing', async () => {
    const { ctx } = setup(() => bytesResponse(BYTES, { chunk: 20_000, delayMs: 30 }), { jsonTimeoutMs: 120, idleTimeoutMs: 500 });
    const { bytes } = await run(fileSpec(), ctx);
    expect(firstDiff(bytes, BYTES)).toBe(-1);
  });

  it('a stalled direct answer times out', async () => {
    const { ctx } = setup(() => bytesResponse(BYTES, { stallAfter: 1_000 }), { idleTimeoutMs: 60 });
    expect((await failureOf(run(fileSpec(), ctx))).failure.cause).toBe('timeout');
  });

  it('a download refused with 403 is resolved afresh once, then succeeds', async () => {
    const { ctx, log } = setup((req, n) => {
      if (req.path === NEW_ROUTE) return success(ESTUARY);
      return n === 1 ? empty(403) : bytesResponse(BYTES);
    });
    const { bytes } = await run(fileSpec(), ctx);
    expect(firstDiff(bytes, BYTES)).toBe(-1);
    expect(log.map((r) => r.path)).toEqual([NEW_ROUTE, '/backend-api/estuary/content', NEW_ROUTE, '/backend-api/estuary/content']);
  });

  it.each([403, 404, 410])('a download refused with %i twice is gone', async (status) => {
    const { ctx, log } = setup((req) => (req.path === NEW_ROUTE ? success(SAS) : empty(status)));
    const { failure } = await failureOf(run(fileSpec(), ctx));
    expect(failure.cause).toBe('gone');
    expect(failure.reason).toContain(String(status));
    expect(log).toHaveLength(4);
  });

  it.each([
    [429, 'rate-limited'],
    [500, 'server'],
    [503, 'server'],
    [400, 'bad-response'],
  ] as const)('a download answering %i is %s and not re-resolved', async (status, cause) => {
    const { ctx, log } = setup((req) => (req.path === NEW_ROUTE ? success(SAS) : empty(status, { 'retry-after': '3' })));
    const { failure } = await failureOf(run(fileSpec(), ctx));
    expect(failure.cause).toBe(cause);
    if (cause === 'rate-limited') expect(failure.retryAfterMs).toBe(3_000);
    expect(log).toHaveLength(2);
  });

  it('a body shorter than its Content-Length is truncated', async () => {
    const { ctx } = setup((req) => (req.path === NEW_ROUTE ? success(SAS) : bytesResponse(BYTES.subarray(0, 1_000), { contentLength: 5_000 })));
    const { failure } = await failureOf(run(fileSpec(), ctx));
    expect(failure).toMatchObject({ cause: 'truncated', reason: 'Received 1000 of 5000 bytes' });
  });

  it('a body shorter than the size the resolver declared is truncated, even without Content-Length', async () => {
    const { ctx } = setup((req) =>
      req.path === NEW_ROUTE ? success(SAS, { file_size_bytes: 5_000 }) : bytesResponse(BYTES.subarray(0, 1_000), { contentLength: null }),
    );
    expect((await failureOf(run(fileSpec(), ctx))).failure.cause).toBe('truncated');
  });

  it('a body that stops flowing times out (small idle limit)', async () => {
    const { ctx } = setup((req) => (req.path === NEW_ROUTE ? success(SAS) : bytesResponse(BYTES, { stallAfter: 70_000 })), { idleTimeoutMs: 60 });
    const { failure } = await failureOf(run(fileSpec(), ctx));
    expect(failure.cause).toBe('timeout');
  });

  it('a download whose headers never come is a timeout', async () => {
    const { ctx } = setup((req) => (req.path === NEW_ROUTE ? success(SAS) : new Promise<Response>(() => undefined)), { jsonTimeoutMs: 60 });
    expect((await failureOf(run(fileSpec(), ctx))).failure.cause).toBe('timeout');
  });

  it('a connection error is a network failure', async () => {
    const { ctx } = setup((req) => {
      if (req.path === NEW_ROUTE) return success(SAS);
      throw new TypeError('fetch failed');
    });
    expect((await failureOf(run(fileSpec(), ctx))).failure.cause).toBe('network');
  });

  it('no failure reason carries a signed URL or the token', async () => {
    const causes: FailureCause[] = [];
    for (const status of [403, 429, 500, 400]) {
      const { ctx } = setup((req) => (req.path === NEW_ROUTE ? success(ESTUARY) : empty(status)));
      const { failure } = await failureOf(run(fileSpec(), ctx));
      causes.push(failure.cause);
      expect(failure.reason).not.toMatch(/sig|tok-|https?:/);
    }
    expect(causes).toEqual(['gone', 'rate-limited', 'server', 'bad-response']);
  });
});

describe('fetchArtifact: sandbox files', () => {
  it('resolves through the interpreter route with the assistant message and encodes the path once', async () => {
    const path = '/mnt/data/Q3 50% dashboard ü.xlsx';
    const { ctx, log } = setup((req) => {
      if (req.path === INTERPRETER) return success(`${ORIGIN}/backend-api/estuary/content?id=file_00000000abcdef0123456789abcdef01&sig=x`, { file_name: 'Q3 50% dashboard ü.xlsx' });
      return bytesResponse(BYTES, { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
    });
    const { file, bytes } = await run(sandboxSpec(path), ctx);
    expect(firstDiff(bytes, BYTES)).toBe(-1);
    expect(file.fileId).toBe('file_00000000abcdef0123456789abcdef01'); // revealed by the estuary link
    expect(file.fileName).toBe('Q3 50% dashboard ü.xlsx');
    const resolve = log[0]!;
    expect(resolve.params.get('message_id')).toBe(MSG);
    expect(resolve.params.get('sandbox_path')).toBe(path);
    expect(resolve.url).toContain(`sandbox_path=${encodeURIComponent(path)}`);
    expect(resolve.url).not.toContain('%25%25'); // not double-encoded
  });

  it('falls back to the tool message when the assistant message answers status:"error"', async () => {
    const { ctx, log } = setup((req) => {
      if (req.path === INTERPRETER) {
        return req.params.get('message_id') === TOOL_MSG ? success(SAS) : json({ status: 'error', error_code: 'sandbox_not_found' });
      }
      return bytesResponse(BYTES);
    });
    const { bytes } = await run(sandboxSpec(), ctx);
    expect(firstDiff(bytes, BYTES)).toBe(-1);
    const ids = log.filter((r) => r.path === INTERPRETER).map((r) => r.params.get('message_id'));
    expect(ids).toEqual([...each(MSG), TOOL_MSG]);
  });

  it('an old message whose sandbox is gone on every route is expired', async () => {
    const { ctx, log } = setup(() => json({ status: 'error', error_code: 'sandbox_expired' }));
    const { failure } = await failureOf(run(sandboxSpec(), ctx));
    expect(failure).toMatchObject({ cause: 'gone', reason: 'Code interpreter session expired (sandbox_expired)' });
    expect(log.map((r) => r.params.get('message_id'))).toEqual([...each(MSG), ...each(TOOL_MSG)]);
  });

  it.each([404, 410])('an old message answering %i everywhere is expired', async (status) => {
    const { ctx } = setup(() => empty(status));
    expect((await failureOf(run(sandboxSpec(), ctx))).failure.cause).toBe('gone');
  });

  it('a young message answering "gone" is not ready yet', async () => {
    const { ctx } = setup(() => json({ status: 'error', error_message: 'File not found' }));
    // The window is two minutes (docs/CHATGPT.md section 9).
    const young = sandboxSpec(undefined, { messageCreateTime: (NOW - 30_000) / 1000 });
    const { failure } = await failureOf(run(young, ctx));
    expect(failure.cause).toBe('not-ready');
    expect(failure.reason).toContain('File not found');
    // A message just outside the window is old enough to be judged.
    const older = sandboxSpec(undefined, { messageCreateTime: (NOW - 121_000) / 1000 });
    expect((await failureOf(run(older, setup(() => json({ status: 'error' })).ctx))).failure.cause).toBe('gone');
  });

  it('a young message with a transient failure keeps that cause', async () => {
    const { ctx } = setup(() => empty(502));
    const young = sandboxSpec(undefined, { messageCreateTime: NOW / 1000 - 5 });
    expect((await failureOf(run(young, ctx))).failure.cause).toBe('server');
  });

  it('without a fallback message only the assistant message is tried', async () => {
    const { ctx, log } = setup(() => json({ status: 'error' }));
    await failureOf(run(sandboxSpec(undefined, { fallbackMessageId: null }), ctx));
    expect(log.map((r) => r.params.get('message_id'))).toEqual(each(MSG));
  });

  it('a spec without a sandbox path or file id is a bad response, with no request', async () => {
    const a = setup(() => empty(500));
    expect((await failureOf(run(sandboxSpec(undefined, { sandboxPath: null }), a.ctx))).failure.cause).toBe('bad-response');
    expect((await failureOf(run(fileSpec({ fileId: null }), a.ctx))).failure.cause).toBe('bad-response');
    expect(a.log).toHaveLength(0);
  });
});

describe('fetchArtifact: redirects', () => {
  const CDN = 'https://cdn.oaiusercontent.com/files/abc?sig=x';

  it('an estuary redirect to *.oaiusercontent.com is followed with cookies only: no token, no account header', async () => {
    const { ctx, log } = setup((req) => {
      if (req.path === NEW_ROUTE) return success(ESTUARY);
      if (req.url === ESTUARY) return redirect(CDN);
      if (req.url === CDN) return bytesResponse(BYTES);
      return empty(404);
    }, { accountId: 'acct-9' });
    const { bytes } = await run(fileSpec(), ctx);
    expect(firstDiff(bytes, BYTES)).toBe(-1);
    const hops = log.filter((r) => r.url === CDN);
    expect(hops).toHaveLength(1);
    expect(hops[0]!.headers.authorization).toBeUndefined();
    expect(hops[0]!.headers['chatgpt-account-id']).toBeUndefined();
  });

  it.each([
    ['a SAS link', SAS],
    ['an estuary link', ESTUARY],
  ])('%s redirecting to another host: refused on the final URL, nothing stored, no token sent there', async (_, first) => {
    const evil = 'https://evil.example/steal';
    const { ctx, log } = setup((req) => {
      if (req.path === NEW_ROUTE) return success(first);
      if (req.url === first) return redirect(evil);
      return bytesResponse(BYTES);
    });
    const chunks: Uint8Array[] = [];
    const { failure } = await failureOf(fetchArtifact(fileSpec(), ctx, (c) => void chunks.push(c)));
    expect(failure).toMatchObject({ cause: 'bad-response', reason: 'The download was redirected to an unexpected host' });
    expect(chunks).toEqual([]);
    for (const r of log.filter((x) => x.url === evil)) expect(r.headers.authorization).toBeUndefined();
  });

  it('an API answer that redirects is not followed with the token', async () => {
    const elsewhere = 'https://evil.example/backend-api/files/download/x';
    const { ctx, log } = setup((req) => (req.path === NEW_ROUTE ? redirect(elsewhere) : success(ESTUARY)));
    const { failure } = await failureOf(run(fileSpec(), ctx));
    expect(failure.cause).toBe('bad-response');
    expect(log.some((r) => r.url === elsewhere)).toBe(false);
  });
});

describe('fetchArtifact: size limit', () => {
  it('a declared Content-Length past the limit fails as too-large before the body is read', async () => {
    const body = randomBytes(5_000, 3);
    const { ctx } = setup((req) => (req.path === NEW_ROUTE ? success(ESTUARY) : bytesResponse(body)), { maxFileBytes: 4_000 });
    const chunks: Uint8Array[] = [];
    const { failure } = await failureOf(fetchArtifact(fileSpec(), ctx, (c) => void chunks.push(c)));
    expect(failure).toMatchObject({ cause: 'too-large' });
    expect(failure.reason).toMatch(/^File larger than \d+ MB/);
    expect(chunks).toEqual([]);
  });

  it('a body without a length stops as soon as it passes the limit', async () => {
    const body = randomBytes(50_000, 4);
    const { ctx } = setup((req) => (req.path === NEW_ROUTE ? success(ESTUARY) : bytesResponse(body, { contentLength: null, chunk: 1_000 })), { maxFileBytes: 10_000 });
    let received = 0;
    const { failure } = await failureOf(fetchArtifact(fileSpec(), ctx, (c) => void (received += c.byteLength)));
    expect(failure.cause).toBe('too-large');
    expect(received).toBeLessThanOrEqual(10_000);
  });

  it('a resolver that declares a size past the limit is not downloaded at all', async () => {
    const { ctx, log } = setup((req) => (req.path === NEW_ROUTE ? success(ESTUARY, { file_size_bytes: 9_999_999 }) : bytesResponse(BYTES)), { maxFileBytes: 1_000_000 });
    const { failure } = await failureOf(run(fileSpec(), ctx));
    expect(failure.cause).toBe('too-large');
    expect(log.map((r) => r.path)).toEqual([NEW_ROUTE]);
  });
});

describe('fetchArtifact: a signed link the backup already holds', () => {
  const HINT = `${ORIGIN}/backend-api/estuary/content?id=${FILE}&ts=2&p=fs&cid=1&sig=h1ntsig`;

  it('downloads from the hint without any resolution', async () => {
    const { ctx, log } = setup((req) => (req.url === HINT ? bytesResponse(BYTES, { type: 'image/png' }) : empty(404)));
    const { bytes } = await run(fileSpec({ hintUrl: HINT }), ctx);
    expect(firstDiff(bytes, BYTES)).toBe(-1);
    expect(log.map((r) => r.url)).toEqual([HINT]);
  });

  it('resolves the file id as usual when the hint is refused', async () => {
    const { ctx, log } = setup((req) => {
      if (req.url === HINT) return empty(403);
      if (req.path === NEW_ROUTE) return success(ESTUARY);
      if (req.url === ESTUARY) return bytesResponse(BYTES, { type: 'image/png' });
      return empty(404);
    });
    const { bytes } = await run(fileSpec({ hintUrl: HINT }), ctx);
    expect(firstDiff(bytes, BYTES)).toBe(-1);
    expect(log.map((r) => r.path)).toEqual(['/backend-api/estuary/content', NEW_ROUTE, '/backend-api/estuary/content']);
  });

  it('ignores a hint on a host that is not estuary', async () => {
    const { ctx, log } = setup((req) => {
      if (req.path === NEW_ROUTE) return success(ESTUARY);
      if (req.url === ESTUARY) return bytesResponse(BYTES, { type: 'image/png' });
      return empty(404);
    });
    await run(fileSpec({ hintUrl: 'https://evil.example/x.png' }), ctx);
    expect(log.some((r) => r.url.startsWith('https://evil.example'))).toBe(false);
  });
});

describe('JSON answers are bounded', () => {
  /** A body of `n` chunks of `size` bytes each, with no declared length. */
  const chunked = (n: number, size: number, onPull: () => void = () => undefined) => {
    let sent = 0;
    return new Response(new ReadableStream<Uint8Array>({
      pull(controller) {
        onPull();
        if (sent++ < n) controller.enqueue(new TextEncoder().encode('x'.repeat(size)));
        else controller.close();
      },
    }));
  };

  it('reads a body within the bound as text, multi-byte characters split across chunks included', async () => {
    const bytes = new TextEncoder().encode('{"t":"ü€😀"}');
    const res = new Response(new ReadableStream<Uint8Array>({
      start(c) {
        for (const b of bytes) c.enqueue(new Uint8Array([b]));
        c.close();
      },
    }));
    expect(await boundedText(res, bytes.length)).toBe('{"t":"ü€😀"}');
  });

  it('cuts off a body that grows past the bound, without reading the rest', async () => {
    let pulls = 0;
    const failure = await failureOf(boundedText(chunked(1000, 1024, () => pulls++), 10 * 1024));
    expect(failure.failure).toMatchObject({ cause: 'too-large' });
    expect(failure.failure.reason).toMatch(/larger than 0 MB|limit for one conversation/);
    expect(pulls).toBeLessThan(20);
  });

  it('refuses a conversation read whose declared length is past 256 MiB before reading it', async () => {
    const { ctx } = setup(() => json({ conversation_id: CONV, mapping: {} }, 200, { 'content-length': String(257 * 1024 * 1024) }));
    const { failure } = await failureOf(readConversation(ctx, CONV));
    expect(failure).toMatchObject({ cause: 'too-large' });
    expect(failure.reason).toMatch(/larger than 256 MB/);
  });
});
