/**
 * A tiny fake of the network for fetcher tests: a router from URL to a real `Response`, a log of every
 * request (URL, headers, credentials), and the abort behaviour of a real `fetch` (the returned promise and
 * the body stream both fail with `signal.reason`). It fakes ChatGPT's servers, not our modules.
 *
 * Redirects (`redirect(url)` from a handler) behave as `fetch` does for `redirect: 'manual'` (an opaque
 * redirect: status 0, no Location) and `'error'` (a TypeError); for `'follow'` it follows them, setting
 * `Response.url` to the final URL and, like the most careless client, sending the same headers to every hop,
 * so a test sees any header that the code under test would let follow a redirect.
 */

export interface LoggedRequest {
  url: string;
  path: string;
  params: URLSearchParams;
  headers: Record<string, string>;
  credentials: RequestCredentials | undefined;
}

export type Handler = (req: LoggedRequest, n: number) => Response | Promise<Response>;

const REDIRECT = Symbol('redirect');

/** A redirect answer for a handler to return. */
export function redirect(location: string, status = 302): Response {
  const res = new Response(null, { status, headers: { location } });
  (res as unknown as Record<symbol, string>)[REDIRECT] = location;
  return res;
}

function withProps(res: Response, props: Record<string, unknown>): Response {
  for (const [key, value] of Object.entries(props)) Object.defineProperty(res, key, { value, configurable: true });
  return res;
}

export function fakeFetch(route: Handler) {
  const log: LoggedRequest[] = [];
  const fetch = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const first = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    let res = await fetchOnce(first, init);
    let hops = 0;
    let location = (res as unknown as Record<symbol, string | undefined>)[REDIRECT];
    while (location !== undefined) {
      if (init.redirect === 'manual') return withProps(new Response(null), { status: 0, type: 'opaqueredirect', url: first, ok: false });
      if (init.redirect === 'error') throw new TypeError('Failed to fetch: redirect');
      if (++hops > 20) throw new TypeError('Failed to fetch: too many redirects');
      const next = new URL(location, res.url || first).href;
      res = await fetchOnce(next, init);
      location = (res as unknown as Record<symbol, string | undefined>)[REDIRECT];
    }
    return res;
  }) as typeof globalThis.fetch;
  const fetchOnce = async (input: string, init: RequestInit) => {
    const url = new URL(input);
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
    const aborted = new Promise<never>((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
    aborted.catch(() => undefined);
    const res = await Promise.race([Promise.resolve(route(req, log.filter((r) => r.path === req.path).length)), aborted]);
    if ((res as unknown as Record<symbol, unknown>)[REDIRECT] !== undefined) return withProps(res, { url: url.href });
    if (!res.body || !signal) return withProps(res, { url: url.href });
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
    return withProps(new Response(body, { status: res.status, headers: res.headers }), { url: url.href });
  };
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
