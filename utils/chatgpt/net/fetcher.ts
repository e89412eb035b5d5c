/**
 * Resolves one artifact to its bytes, the way the ChatGPT web client does: file ids through the files
 * download route (new first, legacy as fallback), sandbox files through the interpreter route (the
 * assistant message first, the tool message as fallback), then the bytes from the resolved URL with the
 * right credentials for its host. Runs in the background service worker (with the person's cookies through
 * the host permissions and its own token), and in a ChatGPT tab only as the fallback when the backend refuses
 * the worker (utils/chatgpt/net/worker-net.ts decides).
 *
 * Redirects: authenticated calls never follow one (`redirect: 'manual'`), so the Bearer token and the
 * account header cannot reach another host; an estuary link that redirects is fetched again with cookies
 * only (never sent off the ChatGPT hosts by the browser). Every byte download checks the FINAL URL against
 * the allowed file hosts (routes.ts `isAllowedFileUrl`).
 *
 * Every outcome is either bytes or a CaptureFailure whose cause tells `expired` from transient
 * (utils/chatgpt/net/failure.ts). Signed URLs and the token never leave this function.
 */
import type { ArtifactProvenance } from '@/utils/model';
import {
  attachmentDownloadUrls,
  isAllowedFileUrl,
  classifyDownloadUrl,
  conversationUrls,
  fileDownloadUrls,
  interpreterDownloadUrls,
  isChatgptHost,
  parseDownloadResponse,
  type DownloadTarget,
} from '@/utils/chatgpt/routes';
import { fileIdFromUrl } from '@/utils/chatgpt/ids';
import { ACCOUNT_HEADER, projectHeaders } from '@/utils/chatgpt/session';
import { CaptureFailure, fail, parseRetryAfter } from './failure';
import type { Lanes } from './lanes';

/** Everything the executor needs to fetch one artifact (built by the background from the vault record). */
/** A download job: the artifact's identity (`ArtifactProvenance`, less what a download does not use) and where to fetch it. */
export interface JobSpec extends Omit<ArtifactProvenance, 'genId' | 'prompt'> {
  jobId: string;
  artifactId: string;
  fallbackMessageId: string | null;
  /** Seconds since the epoch (the walker's createTime), used to tell "not ready yet" from "expired". */
  messageCreateTime: number | null;
  declaredSize: number | null;
  gizmoId: string | null;
  /** The ChatGPT origin of the tab that queued it (`https://chatgpt.com` when unknown). */
  origin: string | null;
  /** The workspace cookie of the tab that queued it (null: personal account or unknown). */
  account: string | null;
  /**
   * A signed link the backup already holds (the image library lists one per image): tried first, so a
   * backup of many images needs no one-at-a-time resolution per file; refused or failing, the file is resolved.
   */
  hintUrl?: string | null;
  /** Queued by bulk work (a backup run, catch-up): its JSON requests go through the bulk pacer. */
  paced?: boolean;
}

export interface AuthSource {
  /** The Bearer token; `fresh` forces a new read of the session (after a 401). */
  token(fresh?: boolean): Promise<string>;
  /** The workspace account id for `ChatGPT-Account-Id`, or null for personal accounts. */
  accountId(): Promise<string | null>;
}

/**
 * The session's auth for one workspace, whichever the page shows: a tab runs each job and backup read under
 * the workspace that job or run speaks for (the worker does the same with its own session).
 */
export interface WorkspaceAuth {
  forWorkspace(account: string | null): AuthSource;
}

export interface FetchContext {
  origin: string;
  fetch: typeof fetch;
  auth: AuthSource;
  lanes: Lanes;
  /** Time limit for an API call's answer, and for silence while a body is flowing. */
  jsonTimeoutMs: number;
  idleTimeoutMs: number;
  /** Largest file downloaded; anything bigger fails with `too-large` before or while it arrives. */
  maxFileBytes: number;
  now: () => number;
}

/**
 * The largest file captured: 256 MiB. A file is held in memory once while it is hashed and handed to
 * IndexedDB (utils/worker/capture/byte-sink.ts), so this bounds the worker's peak at about twice that; ChatGPT's
 * own upload limit is 512 MB and generated files are far smaller.
 */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;

/** The one way to build a FetchContext (worker and tab alike): same time limits, same size limit. */
export function createFetchContext(origin: string, doFetch: typeof fetch, auth: AuthSource, lanes: Lanes): FetchContext {
  return {
    origin,
    fetch: doFetch,
    auth,
    lanes,
    jsonTimeoutMs: 20_000,
    idleTimeoutMs: 10_000,
    maxFileBytes: MAX_FILE_BYTES,
    now: Date.now,
  };
}

/**
 * The largest JSON answer read (one conversation, one listing page), wherever it is read (worker, tab,
 * backup): 256 MiB, the restore's bound for one snapshot. ChatGPT's largest conversations are tens of MB.
 */
const MAX_JSON_BYTES = 256 * 1024 * 1024;

/**
 * A response body as text, refused past `maxBytes` before more of it is held: a declared Content-Length
 * past it fails before any byte is read, a body that grows past it is cut off (CaptureFailure `too-large`).
 */
export async function boundedText(res: Response, maxBytes = MAX_JSON_BYTES): Promise<string> {
  const tooLarge = `ChatGPT's answer is larger than ${Math.round(maxBytes / (1024 * 1024))} MB (the vault's limit for one conversation or listing)`;
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    fail('too-large', tooLarge);
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      fail('too-large', tooLarge);
    }
    parts.push(decoder.decode(value, { stream: true }));
  }
  parts.push(decoder.decode());
  return parts.join('');
}

/** "File larger than 256 MB": the `failed` reason past the size limit. */
export function tooLargeReason(maxBytes: number): string {
  return `File larger than ${Math.round(maxBytes / (1024 * 1024))} MB (the vault's limit per file)`;
}

export interface FetchedFile {
  size: number;
  /** The type the server declared (the vault sniffs the real one from the bytes). */
  mimeType: string | null;
  fileId: string | null;
  fileName: string | null;
}

/** A sandbox file whose message is younger than this may simply not be downloadable yet (surface section 9). */
const NOT_READY_WINDOW_MS = 120_000;

/** Where a body goes as it arrives: `length` first when the size is declared, then every chunk in order. */
export interface BodySink {
  length?(declaredBytes: number): void;
  chunk(chunk: Uint8Array): void | Promise<void>;
}

/**
 * Fetch one artifact; the sink receives the body as it arrives (in order) so that callers can stream it
 * onwards without holding two copies. Throws CaptureFailure.
 */
export async function fetchArtifact(
  spec: JobSpec,
  ctx: FetchContext,
  onChunk: BodySink | ((chunk: Uint8Array) => void | Promise<void>),
): Promise<FetchedFile> {
  const sink: BodySink = typeof onChunk === 'function' ? { chunk: onChunk } : onChunk;
  if (spec.hintUrl && spec.kind !== 'sandbox-file' && classifyDownloadUrl(spec.hintUrl) === 'estuary') {
    try {
      return await download({ downloadUrl: spec.hintUrl, fileName: null, sizeBytes: null, mimeType: null }, spec, ctx, sink);
    } catch (err) {
      // A stale or refused link: resolve the file id as usual. Anything else is the job's failure.
      if (!(err instanceof CaptureFailure) || err.failure.cause !== 'gone') throw err;
    }
  }
  const resolve = () => (spec.kind === 'sandbox-file' ? resolveSandbox(spec, ctx) : resolveFileId(spec, ctx));
  let target = await resolve();
  if ('direct' in target) return target.direct(sink);
  try {
    return await download(target, spec, ctx, sink);
  } catch (err) {
    // A signed link refused right away is usually stale: resolve afresh once; refused again means gone.
    if (!(err instanceof CaptureFailure) || err.failure.cause !== 'gone') throw err;
    target = await resolve();
    if ('direct' in target) return target.direct(sink);
    return download(target, spec, ctx, sink);
  }
}

type Resolved = DownloadTarget | { direct: (sink: BodySink) => Promise<FetchedFile> };

async function resolveFileId(spec: JobSpec, ctx: FetchContext): Promise<Resolved> {
  if (!spec.fileId) fail('bad-response', 'No file id to download');
  const candidates = [
    ...fileDownloadUrls(ctx.origin, spec.fileId, { conversationId: spec.conversationId, gizmoId: spec.gizmoId }),
    ...(spec.kind === 'upload' ? attachmentDownloadUrls(ctx.origin, spec.conversationId, spec.fileId) : []),
  ];
  return resolveThrough(candidates, spec, ctx, 'The file is no longer available');
}

async function resolveSandbox(spec: JobSpec, ctx: FetchContext): Promise<Resolved> {
  if (!spec.sandboxPath) fail('bad-response', 'No sandbox path to download');
  const messageIds = [spec.messageId, spec.fallbackMessageId].filter((id): id is string => !!id);
  const candidates = messageIds.flatMap((id) =>
    interpreterDownloadUrls(ctx.origin, spec.conversationId, id, spec.sandboxPath!),
  );
  try {
    return await resolveThrough(candidates, spec, ctx, 'Code interpreter session expired');
  } catch (err) {
    const young =
      spec.messageCreateTime != null && ctx.now() - spec.messageCreateTime * 1000 < NOT_READY_WINDOW_MS;
    if (young && err instanceof CaptureFailure && err.failure.cause === 'gone') {
      fail('not-ready', `Not downloadable yet (${err.failure.reason})`);
    }
    throw err;
  }
}

/**
 * Try each candidate route in order. A route that answers "gone" (status:error, 404, 410) passes to the
 * next one; anything transient stops at once, so a struggling server is not hammered with fallbacks.
 */
async function resolveThrough(candidates: string[], spec: JobSpec, ctx: FetchContext, goneReason: string): Promise<Resolved> {
  let lastGone = goneReason;
  for (const url of candidates) {
    const { res, controller, stopTimer } = await apiGet(url, ctx, projectHeaders(spec.gizmoId));
    if (res.status === 404 || res.status === 410) {
      stopTimer();
      await res.body?.cancel();
      continue;
    }
    const type = res.headers.get('content-type') ?? '';
    if (!type.includes('json')) {
      // Some resolvers answer with the file itself (surface section 3.4). From here on the idle limit
      // governs, as for any download: the API time limit would cut off a large file mid-body.
      stopTimer();
      return {
        direct: async (sink) => {
          const size = await readBody(res, ctx, sink, controller);
          return { size, mimeType: type.split(';')[0]?.trim() || null, fileId: spec.fileId, fileName: spec.fileName };
        },
      };
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      fail('bad-response', 'The download answer was not valid JSON');
    } finally {
      stopTimer();
    }
    const parsed = parseDownloadResponse(body);
    if (parsed.ok) return parsed.value;
    if (parsed.error.kind === 'malformed') fail('bad-response', `Unexpected download answer: ${parsed.error.reason}`);
    lastGone = parsed.error.errorMessage ?? (parsed.error.errorCode ? `${goneReason} (${parsed.error.errorCode})` : goneReason);
  }
  fail('gone', lastGone.slice(0, 200));
}

interface ApiAnswer {
  res: Response;
  /** Aborts the request and its body (the idle limit uses it when the answer is the file itself). */
  controller: AbortController;
  /** Ends the API time limit: once the JSON is read, or when the body turns out to be the file. */
  stopTimer: () => void;
}

/**
 * An authenticated file resolution in the resolve lane (utils/chatgpt/net/lanes.ts); 401 gets one fresh token.
 * Throws on 429/5xx.
 */
async function apiGet(url: string, ctx: FetchContext, extra: Record<string, string>): Promise<ApiAnswer> {
  return ctx.lanes.resolve(async () => {
    let answer = await apiFetch(url, ctx, false, extra);
    if (answer.res.status === 401) {
      answer.stopTimer();
      await answer.res.body?.cancel();
      answer = await apiFetch(url, ctx, true, extra);
    }
    try {
      checkApiStatus(answer.res, ctx);
    } catch (err) {
      answer.stopTimer();
      await answer.res.body?.cancel().catch(() => undefined);
      throw err;
    }
    ctx.lanes.resolveSucceeded();
    return answer;
  });
}

/**
 * One API request under a time limit that the caller ends. (It used to be `AbortSignal.timeout`, which
 * also covers the body: a resolver answering with a large file itself was aborted after jsonTimeoutMs.)
 */
async function apiFetch(url: string, ctx: FetchContext, freshToken: boolean, extra: Record<string, string>): Promise<ApiAnswer> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException('The server did not answer in time', 'TimeoutError')),
    ctx.jsonTimeoutMs,
  );
  const stopTimer = () => clearTimeout(timer);
  try {
    const res = await ctx.fetch(url, { ...(await apiInit(ctx.auth, freshToken, extra)), signal: controller.signal });
    refuseRedirect(res);
    return { res, controller, stopTimer };
  } catch (err) {
    stopTimer();
    throw err;
  }
}

/**
 * An authenticated call is made with `redirect: 'manual'`: a redirect answer (opaque to scripts) is never
 * followed with the token attached. The API does not redirect; one that does is not the backend we know.
 */
function refuseRedirect(res: Response): void {
  if (res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400)) {
    void res.body?.cancel().catch(() => undefined);
    fail('bad-response', 'The ChatGPT API answered with a redirect');
  }
}

/** Throws the CaptureFailure for a status the resolver loop must not pass over. */
function checkApiStatus(res: Response, ctx: FetchContext): void {
  if (res.status === 401 || res.status === 403) {
    fail('auth', `Not signed in to ChatGPT (HTTP ${res.status})`);
  }
  if (res.status === 429) {
    const retryAfter = parseRetryAfter(res.headers.get('retry-after'), ctx.now());
    ctx.lanes.resolveRateLimited(retryAfter);
    fail('rate-limited', 'ChatGPT is rate limiting requests (HTTP 429)', retryAfter);
  }
  if (res.status >= 500) {
    fail('server', `ChatGPT server error (HTTP ${res.status})`);
  }
  if (!res.ok && res.status !== 404 && res.status !== 410) {
    fail('bad-response', `Unexpected HTTP ${res.status} from the download route`);
  }
}

async function apiInit(
  auth: AuthSource,
  freshToken: boolean,
  extra: Record<string, string> = {},
): Promise<{ headers: Record<string, string>; credentials: RequestCredentials; cache: RequestCache; redirect: RequestRedirect }> {
  const headers: Record<string, string> = {
    ...extra,
    authorization: `Bearer ${await auth.token(freshToken)}`,
    accept: 'application/json',
  };
  const account = await auth.accountId();
  if (account) headers[ACCOUNT_HEADER] = account;
  // no-store: never a cached (stale) answer, and no wait on the HTTP cache's per-URL lock while the page's
  // own request for the same URL is in flight (a stalled <img> would hold ours for its whole duration).
  return { headers, credentials: 'include', cache: 'no-store', redirect: 'manual' };
}

/**
 * A JSON GET of the backend as the app sends it (token, workspace, no cache, no redirect followed); a 401
 * is asked once more with a fresh token. The caller reads the status.
 */
export async function authedGet(doFetch: typeof fetch, auth: AuthSource, url: string, signal: AbortSignal, extra: Record<string, string> = {}): Promise<Response> {
  const get = async (fresh: boolean) => doFetch(url, { ...(await apiInit(auth, fresh, extra)), signal });
  const res = await get(false);
  if (res.status !== 401) return res;
  await res.body?.cancel();
  return get(true);
}

/** Download the resolved URL with the credentials its host needs. */
async function download(
  target: DownloadTarget,
  spec: JobSpec,
  ctx: FetchContext,
  sink: BodySink,
): Promise<FetchedFile> {
  const cls = classifyDownloadUrl(target.downloadUrl);
  if (cls === 'other') fail('bad-response', 'The download link points to an unexpected host');
  if (target.sizeBytes != null && target.sizeBytes > ctx.maxFileBytes) fail('too-large', tooLargeReason(ctx.maxFileBytes));
  return ctx.lanes.bytes(async () => {
    const controller = new AbortController();
    const headerTimer = setTimeout(() => controller.abort(new DOMException('timeout', 'TimeoutError')), ctx.jsonTimeoutMs);
    let res: Response;
    try {
      if (cls === 'estuary' && isChatgptHost(new URL(target.downloadUrl).hostname)) {
        // Estuary needs cookies and the token even though the link is signed (surface sections 1 and 7).
        const api = await apiInit(ctx.auth, false, projectHeaders(spec.gizmoId));
        res = await ctx.fetch(target.downloadUrl, { ...api, signal: controller.signal });
        if (res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400)) {
          // It sends the bytes elsewhere (*.oaiusercontent.com): ask again with the cookies alone, which the
          // browser keeps to their own host, so no auth header ever follows the redirect (surface section 7).
          void res.body?.cancel().catch(() => undefined);
          res = await ctx.fetch(target.downloadUrl, { credentials: 'include', cache: 'no-store', redirect: 'follow', signal: controller.signal });
        }
      } else {
        // Self-signed SAS/blob links: never forward auth to a third-party host.
        res = await ctx.fetch(target.downloadUrl, { credentials: 'omit', cache: 'no-store', redirect: 'follow', signal: controller.signal });
      }
    } finally {
      clearTimeout(headerTimer);
    }
    // Redirects were followed: the host that actually served the bytes must be one we allow.
    if (res.url && !isAllowedFileUrl(res.url)) {
      await res.body?.cancel().catch(() => undefined);
      fail('bad-response', 'The download was redirected to an unexpected host');
    }
    if (res.status === 403 || res.status === 404 || res.status === 410) {
      await res.body?.cancel();
      throw new CaptureFailure({ cause: 'gone', reason: `The file link was refused (HTTP ${res.status})`, hostRefused: res.status === 403 });
    }
    if (res.status === 429) {
      await res.body?.cancel();
      fail('rate-limited', 'The file host is rate limiting (HTTP 429)', parseRetryAfter(res.headers.get('retry-after'), ctx.now()));
    }
    if (!res.ok) {
      await res.body?.cancel();
      fail(res.status >= 500 ? 'server' : 'bad-response', `The file host answered HTTP ${res.status}`);
    }
    const size = await readBody(res, ctx, sink, controller);
    if (target.sizeBytes != null && target.sizeBytes !== size && spec.kind !== 'upload') {
      // The resolver told us the size; fewer bytes is a truncated transfer, never a complete file.
      if (size < target.sizeBytes) fail('truncated', `Received ${size} of ${target.sizeBytes} bytes`);
    }
    return {
      size,
      mimeType: res.headers.get('content-type')?.split(';')[0]?.trim() || target.mimeType,
      fileId: spec.fileId ?? fileIdFromUrl(target.downloadUrl),
      // The walker's name (title-based for images, the link's basename for sandbox files) reads better than the
      // server's, which is often just the id.
      fileName: spec.fileName ?? target.fileName,
    };
  });
}

/**
 * Stream a body to the sink, failing on silence longer than the idle limit, on fewer bytes than the
 * Content-Length promised and past the size limit (before reading when the length is declared). Returns
 * the byte count.
 */
async function readBody(
  res: Response,
  ctx: FetchContext,
  sink: BodySink,
  controller?: AbortController,
): Promise<number> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > ctx.maxFileBytes) {
    await res.body?.cancel().catch(() => undefined);
    fail('too-large', tooLargeReason(ctx.maxFileBytes));
  }
  if (Number.isFinite(declared) && declared > 0) sink.length?.(declared);
  const reader = res.body?.getReader();
  if (!reader) return 0;
  let total = 0;
  for (;;) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const idle = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // Reject before aborting: the abort can fail the pending read synchronously, and the race would
        // then report a stall as a cut-off body ('truncated') instead of a timeout.
        reject(new CaptureFailure({ cause: 'timeout', reason: 'The download stalled' }));
        controller?.abort();
      }, ctx.idleTimeoutMs);
    });
    let step: ReadableStreamReadResult<Uint8Array>;
    try {
      step = await Promise.race([reader.read(), idle]);
    } catch (err) {
      void reader.cancel().catch(() => undefined);
      if (err instanceof CaptureFailure) throw err;
      // A connection cut mid-body surfaces here (Chromium: ERR_CONTENT_LENGTH_MISMATCH).
      fail('truncated', 'The download was cut off before the end');
    } finally {
      clearTimeout(timer);
    }
    if (step.done) break;
    total += step.value.byteLength;
    if (total > ctx.maxFileBytes) {
      void reader.cancel().catch(() => undefined);
      fail('too-large', tooLargeReason(ctx.maxFileBytes));
    }
    await sink.chunk(step.value);
  }
  if (Number.isFinite(declared) && declared > 0 && total < declared) {
    fail('truncated', `Received ${total} of ${declared} bytes`);
  }
  return total;
}

/**
 * One conversation's JSON text as the backend serves it, or null when it is not there (404). Runs in the
 * serialized JSON lane; 401 gets one fresh token; 429 pauses the lane. Throws CaptureFailure otherwise.
 */
export async function readConversation(ctx: FetchContext, conversationId: string, gizmoId: string | null = null): Promise<string | null> {
  const [url] = conversationUrls(ctx.origin, conversationId);
  return ctx.lanes.json(async () => {
    const res = await authedGet(ctx.fetch, ctx.auth, url!, AbortSignal.timeout(ctx.jsonTimeoutMs), projectHeaders(gizmoId));
    refuseRedirect(res);
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    if (res.status === 429) {
      await res.body?.cancel();
      const retry = parseRetryAfter(res.headers.get('retry-after'), ctx.now());
      ctx.lanes.pauseJson(retry ?? 5_000);
      fail('rate-limited', 'Conversation read rate limited (HTTP 429)', retry);
    }
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      fail('auth', `Conversation read refused (HTTP ${res.status})`);
    }
    if (!res.ok) {
      await res.body?.cancel();
      fail(res.status >= 500 ? 'server' : 'bad-response', `Conversation read failed (HTTP ${res.status})`);
    }
    return boundedText(res);
  });
}
