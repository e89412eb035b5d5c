/**
 * A tiny fake of the network for fetcher tests: a router from URL to a real `Response`, a log of every
 * request (URL, headers, credentials), and the abort behaviour of a real `fetch` (the returned promise and
 * the body stream both fail with `signal.reason`). It fakes ChatGPT's servers, not our modules.
 */

export interface LoggedRequest {
  url: string;
  path: string;
  params: URLSearchParams;
  headers: Record<string, string>;
  credentials: RequestCredentials | undefined;
}

export type Handler = (req: LoggedRequest, n: number) => Response | Promise<Response>;

export function fakeFetch(route: Handler) {
  const log: LoggedRequest[] = [];
  const fetch = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input));
    const req: LoggedRequest = {
      url: url.href,
      path: url.pathname,
      params: url.searchParams,
      headers: Object.fromEntries(new Headers(init.headers).entries()),
      credentials: init.credentials,
    };
    log.push(req);
    const signal = init.signal ?? null;
    if (signal?.aborted) throw signal.reason;
    const aborted = new Promise<never>((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason), { once: true }));
    aborted.catch(() => undefined);
    const res = await Promise.race([Promise.resolve(route(req, log.filter((r) => r.path === req.path).length)), aborted]);
    if (!res.body || !signal) return res;
    const reader = res.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        signal.addEventListener('abort', () => {
          try {
            controller.error(signal.reason);
          } catch {
            // already closed
          }
          void reader.cancel().catch(() => undefined);
        }, { once: true });
      },
      async pull(controller) {
        try {
          const step = await reader.read();
          if (step.done) controller.close();
          else controller.enqueue(step.value);
        } catch (err) {
          try {
            controller.error(err);
          } catch {
            // already errored by an abort
          }
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    });
    return new Response(body, { status: res.status, headers: res.headers });
  }) as typeof globalThis.fetch;
  return { fetch, log };
}

export interface BytesOptions {
  type?: string;
  /** Content-Length to declare; defaults to the true length. `null` sends none. */
  contentLength?: number | null;
  /** Bytes per chunk (the body arrives in several reads). */
  chunk?: number;
  /** Delay before each chunk after the first. */
  delayMs?: number;
  /** Stop sending (and never close) after this many bytes. */
  stallAfter?: number;
  status?: number;
}

/** A streamed binary answer. */
export function bytesResponse(data: Uint8Array, opts: BytesOptions = {}): Response {
  const chunk = opts.chunk ?? 64 * 1024;
  const limit = opts.stallAfter ?? data.length;
  let offset = 0;
  let first = true;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!first && opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
      first = false;
      if (offset >= limit) {
        if (opts.stallAfter !== undefined) return new Promise<void>(() => undefined); // silence, forever
        controller.close();
        return;
      }
      const end = Math.min(limit, offset + chunk);
      controller.enqueue(data.slice(offset, end));
      offset = end;
    },
  });
  const headers: Record<string, string> = { 'content-type': opts.type ?? 'application/octet-stream' };
  const declared = opts.contentLength === undefined ? data.length : opts.contentLength;
  if (declared !== null) headers['content-length'] = String(declared);
  return new Response(body, { status: opts.status ?? 200, headers });
}

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  Response.json(body, { status, headers });

export const empty = (status: number, headers: Record<string, string> = {}) => new Response('nope', { status, headers });
