/**
 * A fake chatgpt.com (+ chat.openai.com and files.oaiusercontent.com) for e2e tests and the demo.
 *
 * One HTTPS server on 127.0.0.1 with a committed self-signed certificate; requests are routed on the
 * `Host` header, so Chromium's `--host-resolver-rules` can point all three hosts at it. Shapes follow
 * docs/CHATGPT.md §1-3, 6, 7 (2026-11 knowledge). Test-only controls live under
 * `/__fake/` on the app hosts.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectedBytes, fileInfo, sandboxInfo } from './bytes.ts';
import { addTurnElsewhere, startDevice, type ElsewhereTurn } from './device.ts';
import { startGeneration } from './live.ts';
import { renderPage } from './page.ts';
import { currentPath, type FakeConversation, type ScannedImage } from './scan.ts';
import { FakeState, type FaultKind, type FaultRule, type FakeOptions, type RequestLogEntry } from './state.ts';

export { expectedBytes, fileInfo, sandboxInfo } from './bytes.ts';
export { FakeState } from './state.ts';
export type { FaultRule, FaultKind, FaultRoute, FakeOptions, RequestLogEntry } from './state.ts';
export type { FakeConversation } from './scan.ts';
export { currentPath } from './scan.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '../..');
export const SEED_DIR = join(HERE, 'seed');
export const DEFAULT_FIXTURES_DIR = join(REPO, 'tests/fixtures/conversations');
export const CERT_PATH = join(HERE, 'certs/cert.pem');
export const KEY_PATH = join(HERE, 'certs/key.pem');

/** The hosts the browser must map to the fake (see `hostResolverRules`). */
export const FAKE_HOSTS = ['chatgpt.com', 'chat.openai.com', 'files.oaiusercontent.com'] as const;
const APP_HOSTS = new Set(['chatgpt.com', 'chat.openai.com', '127.0.0.1', 'localhost']);
export const SESSION_COOKIE = '__Secure-next-auth.session-token';

export interface FakeChatGPT {
  port: number;
  /** `https://127.0.0.1:<port>`; served as chatgpt.com. */
  origin: string;
  /** Value for Chromium's `--host-resolver-rules`. */
  hostResolverRules: string;
  state: FakeState;
  close(): Promise<void>;
}

export interface StartOptions {
  port?: number;
  /** Extra fixture folders; default `tests/fixtures/conversations`. `seed/` is always loaded too. */
  fixturesDirs?: string[];
  options?: Partial<FakeOptions>;
}

type Reply =
  | { status: number; headers?: OutgoingHttpHeaders; body?: string | Buffer }
  | { stream(res: ServerResponse, truncate: boolean): void };

interface Ctx {
  req: IncomingMessage;
  method: string;
  host: string;
  /** Host header as sent (may carry a port); used to build same-host URLs. */
  hostHeader: string;
  url: URL;
  fullUrl: string;
  cookies: Map<string, string>;
  bearer: string | null;
  accountHeader: string | null;
  body: Buffer;
  entry: RequestLogEntry;
}

const json = (status: number, body: unknown, headers: OutgoingHttpHeaders = {}): Reply => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

const ESTUARY_DENIED = { detail: 'File stream access denied.' };
const SAS_DENIED = (why: string) =>
  `<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.\nRequestId:00000000-fake\nTime:${new Date().toISOString()}</Message><AuthenticationErrorDetail>${why}</AuthenticationErrorDetail></Error>`;
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, OPTIONS',
  'access-control-allow-headers': '*',
};

function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const iso = (sec: number | undefined | null) => new Date((sec ?? 0) * 1000).toISOString();
const hourNow = () => Math.floor(Date.now() / 3_600_000);

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((res, rej) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 5_000_000) req.destroy(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => res(Buffer.concat(chunks)));
    req.on('error', rej);
  });
}

export async function startFakeChatGPT(opts: StartOptions = {}): Promise<FakeChatGPT> {
  const dirs = [...(opts.fixturesDirs ?? [DEFAULT_FIXTURES_DIR]), SEED_DIR];
  const state = new FakeState(dirs);
  if (opts.options) state.setOptions(opts.options);
  const timers = new Set<NodeJS.Timeout>();
  /** Stops the second device's timer (POST /__fake/device/start). */
  let stopDevice: (() => void) | null = null;
  const origReset = state.reset.bind(state);
  state.reset = () => {
    for (const t of timers) clearTimeout(t);
    timers.clear();
    origReset();
  };
  let seq = 0;

  // ---------- URL building ----------
  const isLegacy = (ctx: Ctx) => ctx.host === 'chat.openai.com' || state.options.legacyUrls;

  function downloadUrl(ctx: Ctx, fileId: string, fileName: string, attachment: boolean): string {
    if (isLegacy(ctx)) {
      // Azure-SAS-like (2023-25): no auth needed until `se`.
      const se = new Date(Date.now() + state.options.sasTtlMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const sig = state.sign([fileId, se], 'base64');
      const q = new URLSearchParams({
        se,
        sp: 'r',
        sv: '2021-08-06',
        sr: 'b',
        rscc: 'max-age=299, immutable, private',
        rscd: `attachment; filename=${fileName}`,
        sig,
      });
      return `https://files.oaiusercontent.com/${encodeURIComponent(fileId)}?${q.toString().replace(/\+/g, '%20')}`;
    }
    const ts = String(hourNow());
    const fn = attachment ? fileName : '';
    const q = new URLSearchParams({ id: fileId, ts, p: 'fs', cid: '1', sig: state.sign([fileId, ts, fn], 'hex'), v: '0' });
    if (attachment) {
      q.set('fn', fileName);
      q.set('cd', 'attachment');
    }
    return `https://${ctx.hostHeader}/backend-api/estuary/content?${q.toString().replace(/\+/g, '%20')}`;
  }

  /** Bytes + labels for a file id (file service or a resolved sandbox file). */
  function resolveBytes(fileId: string): { bytes: Buffer; mimeType: string; fileName: string } | null {
    const sb = state.sandboxFileIds.get(fileId);
    if (sb) {
      const info = sandboxInfo(sb.path);
      return { bytes: expectedBytes('sandbox', sb.conversationId, sb.path), ...info };
    }
    const f = state.findFile(fileId);
    if (!f) return null;
    if (f.use === 'audio' || f.use === 'video') {
      const ext = f.use === 'audio' ? 'wav' : 'mp4';
      return { bytes: expectedBytes(f.use, fileId), mimeType: f.mimeType ?? `${f.use}/${ext}`, fileName: `${fileId}.${ext}` };
    }
    const info = fileInfo(fileId);
    return { bytes: expectedBytes('file', fileId), mimeType: f.mimeType ?? info.mimeType, fileName: f.name ?? info.fileName };
  }

  // ---------- fault replies ----------
  function faultReply(route: string, fault: FaultKind): Reply | 'stall' | 'truncate' {
    switch (fault) {
      case 'stall':
      case 'truncate':
        return fault;
      case '429':
        // 2023-26: no Retry-After header (docs/CHATGPT.md §7)
        return json(429, { detail: 'Too many requests in 1 minute. Try again later.' });
      case '500':
        return json(500, { detail: 'Internal Server Error' });
      case '403':
        if (route === 'sas') return { status: 403, headers: { 'content-type': 'application/xml', ...CORS }, body: SAS_DENIED('Signature did not match.') };
        return json(403, route === 'estuary' ? ESTUARY_DENIED : { detail: 'Forbidden' });
      case 'expired':
        if (route === 'interpreter') return json(200, sandboxExpiredBody());
        if (route === 'files-download') return json(200, fileNotFoundBody());
        if (route === 'sas') return { status: 403, headers: { 'content-type': 'application/xml', ...CORS }, body: SAS_DENIED('Signed expiry time has passed.') };
        if (route === 'estuary') return json(403, ESTUARY_DENIED);
        if (route === 'session') return json(200, {});
        return json(404, { detail: 'Not found' });
    }
  }
  const sandboxExpiredBody = () => ({
    status: 'error',
    error_code: 'sandbox_expired',
    error_message: 'Code interpreter session expired',
  });
  const fileNotFoundBody = () => ({ status: 'error', error_code: 'file_not_found', error_message: 'File not found' });

  // ---------- handlers ----------
  /**
   * With `refuseNonPageRequests`, a Cloudflare-like challenge (403 HTML) for API requests that do not come
   * from a ChatGPT page (`Sec-Fetch-Site` other than same-origin/same-site, as an extension worker's are).
   */
  function notFromPage(ctx: Ctx): Reply | null {
    if (!state.options.refuseNonPageRequests) return null;
    const site = ctx.req.headers['sec-fetch-site'];
    if (site === 'same-origin' || site === 'same-site') return null;
    return { status: 403, headers: { 'content-type': 'text/html' }, body: '<!DOCTYPE html><title>Just a moment...</title><p>Checking your browser</p>' };
  }

  function sessionCookieOk(ctx: Ctx): boolean {
    const v = ctx.cookies.get(SESSION_COOKIE);
    return v !== undefined && safeEqual(v, state.sessionToken);
  }
  function bearerOk(ctx: Ctx): boolean {
    return ctx.bearer !== null && safeEqual(ctx.bearer, state.accessToken);
  }

  function page(ctx: Ctx): Reply {
    const share = /^\/share\/([^/]+)/.exec(ctx.url.pathname);
    const cookies = [`${SESSION_COOKIE}=${state.sessionToken}; Path=/; HttpOnly; Secure; SameSite=Lax`];
    if (state.options.workspaceAccountId) cookies.push(`_account=${state.options.workspaceAccountId}; Path=/; Secure; SameSite=Lax`);
    const shareId = share ? decodeURIComponent(share[1]!) : null;
    return {
      status: 200,
      headers: { 'content-type': 'text/html; charset=utf-8', 'set-cookie': cookies, 'cache-control': 'no-store' },
      body: renderPage({
        accessToken: state.accessToken,
        share: shareId ? { id: shareId, conversation: state.conversations.get(shareId) ?? null } : null,
        extraHtml: state.options.pageHtml,
      }),
    };
  }

  function asset(name: string, type: string): Reply {
    return { status: 200, headers: { 'content-type': type, 'cache-control': 'no-store' }, body: readFileSync(join(HERE, 'app', name)) };
  }

  function session(ctx: Ctx): Reply {
    if (!sessionCookieOk(ctx)) return json(200, {}); // logged out: an empty object, not 401
    return json(200, {
      user: {
        id: 'user-FAKE0000000000000000000001',
        name: 'Fake User',
        email: 'fake.user@example.invalid',
        image: null,
        picture: null,
        idp: 'auth0',
        iat: Math.floor(Date.now() / 1000),
        mfa: false,
        groups: [],
      },
      expires: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      accessToken: state.accessToken,
      authProvider: 'auth0',
    });
  }

  function conversation(id: string): Reply {
    const conv = state.conversations.get(id);
    if (!conv) return json(404, { detail: { code: 'conversation_not_found', message: `Conversation ${id} not found` } });
    return json(200, conv);
  }

  /**
   * A conversation's canvas documents (docs/CHATGPT.md 4.6): `seed/textdocs/<id>.json` as it is, else `[]`. The
   * canvas seed's plan holds an edit made in the canvas, which no message of the conversation has.
   */
  function textdocs(id: string): Reply {
    if (!state.conversations.has(id)) return json(404, { detail: { code: 'conversation_not_found', message: `Conversation ${id} not found` } });
    const file = join(SEED_DIR, 'textdocs', `${id}.json`);
    return json(200, existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as unknown) : []);
  }

  function conversations(ctx: Ctx): Reply {
    const q = ctx.url.searchParams;
    const offset = Number(q.get('offset') ?? 0);
    const limit = Number(q.get('limit') ?? 28);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      return json(422, { detail: [{ loc: ['query', 'limit'], msg: 'ensure this value is less than or equal to 100', type: 'value_error.number.not_le' }] });
    }
    const archived = q.get('is_archived') === 'true';
    const order = q.get('order') === 'created' ? 'create_time' : 'update_time';
    // Project chats are listed through the project routes only (docs/CHATGPT.md 3.2: "not always in this list").
    const all = [...state.conversations.values()]
      .filter((c) => !state.temporary.has(c.conversation_id) && Boolean(c.is_archived) === archived && !isProject(c))
      .sort((a, b) => (b[order] ?? 0) - (a[order] ?? 0));
    const items = all.slice(offset, offset + limit).map(listItem);
    return json(200, { items, total: all.length, limit, offset, has_missing_conversations: false });
  }

  function isProject(c: FakeConversation): boolean {
    return typeof c.gizmo_id === 'string' && c.gizmo_id.startsWith('g-p-');
  }

  /**
   * Reads and file resolutions of a project chat need `chatgpt-project-id: <its g-p-… id>` (docs/CHATGPT.md
   * 4.7: what the web app sends); without it the fake answers 404, as if the conversation did not exist.
   */
  function projectRefusal(ctx: Ctx, conversationId: string | null): Reply | null {
    const conv = conversationId ? (state.conversations.get(conversationId) ?? state.deleted.get(conversationId)) : undefined;
    if (!conv || !isProject(conv)) return null;
    if (ctx.req.headers['chatgpt-project-id'] === conv.gizmo_id) return null;
    return json(404, { detail: { code: 'conversation_not_found', message: `Conversation ${conversationId} not found` } });
  }

  /** Projects in the sidebar, cursor-paged (two per page, so the cursor is exercised). */
  function projects(ctx: Ctx): Reply {
    const ids = [...new Set([...state.conversations.values()].filter(isProject).map((c) => c.gizmo_id as string))].sort();
    const start = Number(ctx.url.searchParams.get('cursor') ?? 0) || 0;
    const page = ids.slice(start, start + 2);
    return json(200, {
      items: page.map((id) => ({ gizmo: { gizmo: { id, display: { name: `Project ${id.slice(4, 10)}` } }, files: [] }, conversations: { items: [], cursor: null } })),
      cursor: start + 2 < ids.length ? String(start + 2) : null,
    });
  }

  /** One project's conversations, cursor-paged with `limit` (at most 50). */
  function projectConversations(ctx: Ctx, gizmoId: string): Reply {
    const limit = Math.min(50, Math.max(1, Number(ctx.url.searchParams.get('limit') ?? 50) || 50));
    const start = Number(ctx.url.searchParams.get('cursor') ?? 0) || 0;
    const all = [...state.conversations.values()].filter((c) => c.gizmo_id === gizmoId).sort((a, b) => (b.update_time ?? 0) - (a.update_time ?? 0));
    return json(200, { items: all.slice(start, start + limit).map(listItem), cursor: start + limit < all.length ? String(start + limit) : null });
  }

  function listItem(c: FakeConversation) {
    return {
      id: c.conversation_id,
      title: c.title ?? null,
      create_time: iso(c.create_time),
      update_time: iso(c.update_time),
      mapping: null,
      current_node: null,
      conversation_template_id: null,
      gizmo_id: c.gizmo_id ?? null,
      is_archived: Boolean(c.is_archived),
      is_starred: (c.is_starred as boolean | null | undefined) ?? null,
      is_do_not_remember: false,
      workspace_id: null,
      async_status: null,
      safe_urls: [],
      blocked_urls: [],
      conversation_origin: null,
      snippet: null,
      pinned_time: null,
    };
  }

  function filesDownload(ctx: Ctx, fileId: string): Reply {
    const r = resolveBytes(fileId);
    if (!r) return json(200, fileNotFoundBody());
    return json(200, {
      status: 'success',
      download_url: downloadUrl(ctx, fileId, r.fileName, false),
      metadata: null,
      file_name: r.fileName,
      file_size_bytes: r.bytes.length,
      mime_type: r.mimeType,
      creation_time: new Date().toISOString(),
    });
  }

  function interpreter(ctx: Ctx, cid: string): Reply {
    const conv = state.conversations.get(cid);
    if (!conv) return json(404, { detail: 'Conversation not found' });
    const messageId = ctx.url.searchParams.get('message_id') ?? '';
    const path = ctx.url.searchParams.get('sandbox_path') ?? '';
    const allowed = state.scan(conv).sandbox.get(path);
    if (!allowed) return json(200, { status: 'error', error_code: 'file_not_found', error_message: `No such file: ${path}` });
    if (!allowed.includes(messageId)) {
      return json(200, { status: 'error', error_code: 'message_not_found', error_message: 'Message does not reference this file' });
    }
    if (state.isSandboxExpired(cid, path)) return json(200, sandboxExpiredBody());
    const fileId = `file_${createHash('sha256').update(`${cid}\0${path}`).digest('hex').slice(0, 32)}`;
    state.sandboxFileIds.set(fileId, { conversationId: cid, path });
    const info = sandboxInfo(path);
    return json(200, {
      status: 'success',
      download_url: downloadUrl(ctx, fileId, info.fileName, true),
      file_name: info.fileName,
      file_size_bytes: expectedBytes('sandbox', cid, path).length,
      mime_type: info.mimeType,
    });
  }

  function bytesReply(r: { bytes: Buffer; mimeType: string; fileName: string }, extra: OutgoingHttpHeaders, attachment: boolean, sandbox: boolean): Reply {
    return {
      status: 200,
      headers: {
        // sandbox downloads come back as octet-stream (docs/CHATGPT.md §7: sniff, don't trust)
        'content-type': sandbox ? 'application/octet-stream' : r.mimeType,
        'content-length': String(r.bytes.length),
        'cache-control': 'private, max-age=0',
        ...(attachment ? { 'content-disposition': `attachment; filename="${r.fileName.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encodeURIComponent(r.fileName)}` } : {}),
        ...extra,
      },
      body: r.bytes,
    };
  }

  function estuary(ctx: Ctx): Reply {
    const okAuth = sessionCookieOk(ctx) || bearerOk(ctx);
    if (!okAuth) return json(403, ESTUARY_DENIED);
    const q = ctx.url.searchParams;
    const id = q.get('id') ?? '';
    const ts = q.get('ts') ?? '';
    const fn = q.get('fn') ?? '';
    const sig = q.get('sig') ?? '';
    const tsNum = Number(ts);
    // Hour-bucketed validity (inferred, L): accept this hour and the previous one.
    const plausible = /^[0-9a-f]{64}$/.test(sig) && Number.isInteger(tsNum) && tsNum >= hourNow() - 1 && tsNum <= hourNow() + 1;
    if (!plausible || !safeEqual(sig, state.sign([id, ts, fn], 'hex'))) return json(403, ESTUARY_DENIED);
    const r = resolveBytes(id);
    if (!r) return json(404, { detail: 'File not found' });
    return bytesReply(r, {}, q.get('cd') === 'attachment', state.sandboxFileIds.has(id));
  }

  function sas(ctx: Ctx): Reply {
    const id = decodeURIComponent(ctx.url.pathname.slice(1));
    const se = ctx.url.searchParams.get('se') ?? '';
    const sig = ctx.url.searchParams.get('sig') ?? '';
    const xml = (why: string): Reply => ({ status: 403, headers: { 'content-type': 'application/xml', ...CORS }, body: SAS_DENIED(why) });
    if (!se || !sig || !safeEqual(sig, state.sign([id, se], 'base64'))) return xml('Signature did not match.');
    if (Date.parse(se) <= Date.now()) return xml('Signed expiry time has passed.');
    const r = resolveBytes(id);
    if (!r) return { status: 404, headers: { 'content-type': 'application/xml', ...CORS }, body: '<?xml version="1.0" encoding="utf-8"?><Error><Code>BlobNotFound</Code></Error>' };
    const rscc = ctx.url.searchParams.get('rscc');
    return bytesReply(r, { ...CORS, ...(rscc ? { 'cache-control': rscc } : {}) }, true, state.sandboxFileIds.has(id));
  }

  function imageLibrary(ctx: Ctx): Reply {
    const q = ctx.url.searchParams;
    const limit = Math.min(Math.max(Number(q.get('limit') ?? 25) || 25, 1), 100);
    const after = q.get('after');
    let start = 0;
    if (after) {
      const n = Number(Buffer.from(after, 'base64url').toString('utf8').replace(/^offset:/, ''));
      if (!Number.isInteger(n) || n < 0) return json(422, { detail: 'Invalid cursor' });
      start = n;
    }
    const all: ScannedImage[] = [];
    for (const conv of [...state.conversations.values(), ...state.deleted.values()]) {
      if (state.temporary.has(conv.conversation_id)) continue;
      all.push(...state.scan(conv).images);
    }
    all.sort((a, b) => b.createdAt - a.createdAt || a.fileId.localeCompare(b.fileId));
    const page = all.slice(start, start + limit);
    const next = start + limit < all.length ? Buffer.from(`offset:${start + limit}`).toString('base64url') : null;
    return json(200, {
      items: page.map((im) => {
        const url = downloadUrl(ctx, im.fileId, fileInfo(im.fileId).fileName, false);
        return {
          id: `s_${createHash('sha256').update(`${im.conversationId}\0${im.fileId}`).digest('hex').slice(0, 24)}`,
          url,
          width: im.width,
          height: im.height,
          title: im.title,
          prompt: im.prompt,
          // 2026: the prompt the conversation JSON lacks (docs/CHATGPT.md 3.3).
          recreation_prompt: im.prompt ?? im.title,
          kind: 'media_generation',
          generation_type: 'image_gen',
          created_at: im.createdAt,
          asset_pointer: im.assetPointer,
          conversation_id: im.conversationId,
          message_id: im.messageId,
          generation_id: im.genId,
          encodings: { thumbnail: { path: url, expiry: null }, source: null },
        };
      }),
      cursor: next,
    });
  }

  function accounts(): Reply {
    const personal = {
      account: { account_id: 'acct-fake-personal-0001', account_user_role: 'account-owner', plan_type: 'plus', structure: 'personal', is_deactivated: false },
      features: [],
      entitlement: { has_active_subscription: true, subscription_plan: 'chatgptplusplan' },
    };
    const ws = state.options.workspaceAccountId;
    const accountsMap: Record<string, unknown> = { default: personal };
    if (ws) {
      accountsMap[ws] = {
        account: { account_id: ws, account_user_role: 'standard-user', plan_type: 'team', structure: 'workspace', name: 'Fake Workspace', is_deactivated: false },
        features: [],
        entitlement: { has_active_subscription: true, subscription_plan: 'chatgptteamplan' },
      };
    }
    return json(200, { accounts: accountsMap, account_ordering: ws ? [ws, 'default'] : ['default'] });
  }

  function control(ctx: Ctx): Reply {
    const p = ctx.url.pathname.replace(/^\/__fake/, '');
    const q = ctx.url.searchParams;
    const body = (): unknown => JSON.parse(ctx.body.toString('utf8') || 'null');
    const h = CORS;
    if (ctx.method === 'OPTIONS') return { status: 204, headers: { ...CORS, 'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS' } };
    try {
      if (p === '/requests' && ctx.method === 'GET') return json(200, { requests: state.requests }, h);
      if (p === '/requests' && ctx.method === 'DELETE') {
        state.requests = [];
        return json(200, { ok: true }, h);
      }
      if (p === '/faults' && ctx.method === 'GET') return json(200, { faults: state.faults }, h);
      if (p === '/faults' && ctx.method === 'POST') {
        const b = body();
        const rules = (Array.isArray(b) ? b : [b]) as FaultRule[];
        for (const r of rules) {
          if (!r || typeof r.route !== 'string' || typeof r.fault !== 'string') return json(400, { detail: 'rule needs route and fault' }, h);
        }
        const added = rules.map((r) => state.addFault(r));
        return json(200, { faults: added.map(({ remove: _r, ...f }) => f) }, h);
      }
      if (p === '/faults' && ctx.method === 'DELETE') {
        state.clearFaults();
        return json(200, { ok: true }, h);
      }
      if (p === '/reset' && ctx.method === 'POST') {
        state.reset();
        return json(200, { ok: true }, h);
      }
      if (p === '/options' && ctx.method === 'GET') return json(200, state.options, h);
      if (p === '/options' && ctx.method === 'POST') return json(200, state.setOptions(body() as Partial<FakeOptions>), h);
      if (p === '/delete-conversation' && ctx.method === 'POST') {
        const b = body() as { conversationId: string };
        return json(200, { ok: state.deleteConversation(b.conversationId) }, h);
      }
      if (p === '/device' && ctx.method === 'POST') return json(200, addTurnElsewhere(state, body() as ElsewhereTurn), h);
      if (p === '/device/start' && ctx.method === 'POST') {
        const b = body() as { conversationIds: string[]; everyMs: number };
        stopDevice?.();
        stopDevice = startDevice(state, b.conversationIds, b.everyMs, timers);
        return json(200, { ok: true }, h);
      }
      if (p === '/device/start' && ctx.method === 'DELETE') {
        stopDevice?.();
        stopDevice = null;
        return json(200, { ok: true }, h);
      }
      if (p === '/rate-limited' && ctx.method === 'GET') return json(200, { count: state.rateLimited }, h);
      if (p === '/expire-sandbox' && ctx.method === 'POST') {
        const b = body() as { conversationId: string; path: string; atMs?: number };
        state.expireSandbox(b.conversationId, b.path, b.atMs);
        return json(200, { ok: true }, h);
      }
      if (p === '/state' && ctx.method === 'GET') {
        return json(200, {
          accessToken: state.accessToken,
          conversations: [...state.conversations.keys()],
          temporary: [...state.temporary],
          options: state.options,
        }, h);
      }
      if (p === '/bytes' && ctx.method === 'GET') {
        const kind = q.get('kind');
        let bytes: Buffer;
        if ((kind === 'file' || kind === 'audio' || kind === 'video') && q.get('id')) bytes = expectedBytes(kind, q.get('id')!);
        else if (kind === 'sandbox' && q.get('cid') && q.get('path')) bytes = expectedBytes('sandbox', q.get('cid')!, q.get('path')!);
        else return json(400, { detail: 'kind=file&id=… or kind=sandbox&cid=…&path=…' }, h);
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        if (q.get('format') === 'sha256') return json(200, { sha256, size: bytes.length }, h);
        return { status: 200, headers: { 'content-type': 'application/octet-stream', 'x-sha256': sha256, ...h }, body: bytes };
      }
    } catch (e) {
      return json(400, { detail: (e as Error).message }, h);
    }
    return json(404, { detail: `unknown control endpoint ${ctx.method} ${p}` }, h);
  }

  // ---------- routing ----------
  /** Classifies a request into a route name (used by faults and the log) and its handler. */
  function route(ctx: Ctx): { route: string; handle(): Reply } {
    const { method } = ctx;
    const path = ctx.url.pathname;
    if (!APP_HOSTS.has(ctx.host)) {
      if (method === 'OPTIONS') return { route: 'sas', handle: () => ({ status: 204, headers: CORS }) };
      if (method === 'GET' || method === 'HEAD') return { route: 'sas', handle: () => sas(ctx) };
      return { route: 'sas', handle: () => ({ status: 405, headers: CORS, body: '' }) };
    }
    if (path === '/cdn/assets/fake-app.js') return { route: 'static', handle: () => asset('app.js', 'text/javascript; charset=utf-8') };
    if (path === '/cdn/assets/fake-app.css') return { route: 'static', handle: () => asset('app.css', 'text/css; charset=utf-8') };
    if (path === '/api/auth/session') return { route: 'session', handle: () => notFromPage(ctx) ?? session(ctx) };
    if (path === '/backend-api/estuary/content') return { route: 'estuary', handle: () => estuary(ctx) };
    if (path.startsWith('/backend-api/')) {
      const rest = path.slice('/backend-api'.length);
      const authed = (name: string, h: () => Reply, needsAccount = true) => ({
        route: name,
        handle: (): Reply => {
          const refused = notFromPage(ctx);
          if (refused) return refused;
          if (!ctx.bearer) return json(401, { detail: 'Unauthorized - Access token is missing' });
          if (!bearerOk(ctx)) return json(401, { detail: 'Could not parse your authentication token. Please try signing in again.' });
          const ws = state.options.workspaceAccountId;
          if (needsAccount && ws && ctx.accountHeader !== ws) return json(403, { detail: 'Workspace requires the ChatGPT-Account-Id header' });
          const token = state.takeToken(name);
          if (token !== true) {
            // Usually no Retry-After (2026); the bucket sends one when configured to.
            return json(429, { detail: "You're making requests too quickly." }, token.retryAfter === null ? {} : { 'retry-after': String(token.retryAfter) });
          }
          return h();
        },
      });
      let m: RegExpExecArray | null;
      if (method === 'GET' && (m = /^\/conversation\/([^/]+)\/interpreter\/download$/.exec(rest))) {
        const cid = decodeURIComponent(m[1]!);
        return authed('interpreter', () => projectRefusal(ctx, cid) ?? interpreter(ctx, cid));
      }
      if (method === 'GET' && (m = /^\/conversation\/([^/]+)\/textdocs$/.exec(rest))) {
        const cid = decodeURIComponent(m[1]!);
        return authed('textdocs', () => projectRefusal(ctx, cid) ?? textdocs(cid));
      }
      if (method === 'GET' && (m = /^\/conversation\/([^/]+)$/.exec(rest))) {
        const cid = decodeURIComponent(m[1]!);
        return authed('conversation', () => projectRefusal(ctx, cid) ?? conversation(cid));
      }
      if (method === 'GET' && rest === '/conversations') return authed('conversations', () => conversations(ctx));
      if (method === 'GET' && ((m = /^\/files\/download\/([^/]+)$/.exec(rest)) || (m = /^\/files\/([^/]+)\/download$/.exec(rest)))) {
        const fid = decodeURIComponent(m[1]!);
        return authed('files-download', () => projectRefusal(ctx, state.findFile(fid)?.conversationId ?? null) ?? filesDownload(ctx, fid));
      }
      if (method === 'GET' && rest === '/gizmos/snorlax/sidebar') return authed('projects', () => projects(ctx));
      if (method === 'GET' && (m = /^\/gizmos\/([^/]+)\/conversations$/.exec(rest))) {
        const gizmo = decodeURIComponent(m[1]!);
        return authed('project-conversations', () => projectConversations(ctx, gizmo));
      }
      if (method === 'GET' && rest === '/my/recent/image_gen') return authed('image-library', () => imageLibrary(ctx));
      if (method === 'GET' && rest === '/accounts/check/v4-2023-04-27') return authed('accounts', accounts, false);
      if (method === 'POST' && (rest === '/f/conversation' || rest === '/conversation')) {
        return authed('generate', () => {
          const g = startGeneration(state, ctx.body, timers);
          if (!g.ok) return json(g.status, g.body);
          return { stream: (res, truncate) => g.run(res, truncate) };
        });
      }
      return authed('backend-other', () => json(404, { detail: 'Not Found' }));
    }
    if (path.startsWith('/api/')) return { route: 'api-other', handle: () => json(404, { detail: 'Not Found' }) };
    if (method === 'GET' || method === 'HEAD') return { route: 'page', handle: () => page(ctx) };
    return { route: 'other', handle: () => json(405, { detail: 'Method Not Allowed' }) };
  }

  function send(res: ServerResponse, reply: Reply, truncate: boolean): void {
    if ('stream' in reply) {
      reply.stream(res, truncate);
      return;
    }
    const body = reply.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(reply.body) ? reply.body : Buffer.from(reply.body);
    res.writeHead(reply.status, { 'content-length': String(body.length), ...reply.headers });
    if (truncate && body.length > 1) {
      // truncate: promise the whole Content-Length, deliver half, then kill the socket
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
      return;
    }
    res.end(body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const hostHeader = (req.headers.host ?? '').toLowerCase();
    const host = hostHeader.replace(/:\d+$/, '');
    const url = new URL(req.url ?? '/', `https://${hostHeader || 'chatgpt.com'}`);
    const auth = req.headers.authorization;
    const bearer = typeof auth === 'string' && /^Bearer /i.test(auth) ? auth.slice(7).trim() : null;
    const accountHeader = typeof req.headers['chatgpt-account-id'] === 'string' ? req.headers['chatgpt-account-id'] : null;
    const cookies = parseCookies(req.headers.cookie);
    const entry: RequestLogEntry = {
      seq: ++seq,
      time: Date.now(),
      method: req.method ?? 'GET',
      host,
      path: req.url ?? '/',
      route: 'unknown',
      status: null,
      bearer: bearer !== null,
      cookie: cookies.has(SESSION_COOKIE),
      accountHeader: accountHeader !== null,
      fetchSite: typeof req.headers['sec-fetch-site'] === 'string' ? req.headers['sec-fetch-site'] : null,
      fault: null,
      end: null,
    };
    const body = req.method === 'GET' || req.method === 'HEAD' ? Buffer.alloc(0) : await readBody(req);
    const ctx: Ctx = { req, method: entry.method, host, hostHeader, url, fullUrl: url.href, cookies, bearer, accountHeader, body, entry };

    if (!APP_HOSTS.has(host) && !host.endsWith('.oaiusercontent.com')) {
      send(res, json(421, { detail: `fake-chatgpt does not serve ${host}` }), false);
      return;
    }
    // Control endpoints: only on the app hosts, never logged, never faulted.
    if (url.pathname.startsWith('/__fake/') && APP_HOSTS.has(host)) {
      send(res, control(ctx), false);
      return;
    }
    const r = route(ctx);
    entry.route = r.route;
    state.requests.push(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
      entry.end ??= Date.now();
    });
    res.on('close', () => {
      if (entry.status === null) entry.status = res.headersSent ? res.statusCode : 0;
      entry.end ??= Date.now();
    });
    const fault = state.takeFault(r.route, url.href, bearer !== null);
    let truncate = false;
    if (fault) {
      entry.fault = fault.fault;
      const fr = faultReply(r.route, fault.fault);
      if (fr === 'stall') return; // hold the socket until the client gives up or the server closes
      if (fr === 'truncate') truncate = true;
      else {
        send(res, fr, false);
        return;
      }
    }
    send(res, r.handle(), truncate);
  }

  const server: Server = createServer({ cert: readFileSync(CERT_PATH), key: readFileSync(KEY_PATH) }, (req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, json(500, { detail: `fake-chatgpt crashed: ${(e as Error).stack ?? String(e)}` }), false);
      else res.destroy();
    });
  });
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(opts.port ?? 0, '127.0.0.1', () => res());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    origin: `https://127.0.0.1:${port}`,
    hostResolverRules: FAKE_HOSTS.map((h) => `MAP ${h} 127.0.0.1:${port}`).join(', '),
    state,
    close: () =>
      new Promise<void>((res) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => res());
        server.closeAllConnections(); // includes stalled sockets
      }),
  };
}

/** Convenience for tests: the visible thread of a conversation held by the fake. */
export function visibleThread(fake: FakeChatGPT, conversationId: string): FakeConversation['mapping'][string][] {
  const c = fake.state.conversations.get(conversationId);
  return c ? currentPath(c) : [];
}
