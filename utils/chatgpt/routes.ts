/**
 * ChatGPT route knowledge: which page a URL is (docs/CHATGPT.md §1, §6) and which backend URLs to call
 * (§2, §3). Every API builder returns an ordered list of candidates, newest first, each with a dated
 * comment; callers move to the next candidate when the previous one answers "not here" (404, 410, or a
 * JSON `status: error`), and stop at once on anything transient (429, 5xx, network), so a struggling
 * server is not hammered with fallbacks.
 */
import { idShape, isUuid } from './ids';

/** The app's origins (2024-03: chatgpt.com became primary; chat.openai.com is still an alias). */
export const CHATGPT_HOSTS = ['chatgpt.com', 'chat.openai.com'] as const;
export type ChatgptHost = (typeof CHATGPT_HOSTS)[number];
/** The origin a run or job speaks to when nothing says which (the app's current host). */
const DEFAULT_ORIGIN = `https://${CHATGPT_HOSTS[0]}`;

export function isChatgptHost(host: string): host is ChatgptHost {
  return (CHATGPT_HOSTS as readonly string[]).includes(host);
}

/** The HTTPS ChatGPT origin a tab or message names, else the default one (anything else is never spoken to). */
export function chatgptOrigin(value: string | null | undefined): string {
  if (!value) return DEFAULT_ORIGIN;
  try {
    const u = new URL(value);
    return u.protocol === 'https:' && isChatgptHost(u.hostname) ? u.origin : DEFAULT_ORIGIN;
  } catch {
    return DEFAULT_ORIGIN;
  }
}

/** The page a person opens to read a conversation (2024-03 onward: `/c/{id}` on chatgpt.com). */
export function conversationPageUrl(conversationId: string): string {
  return `${DEFAULT_ORIGIN}/c/${encodeURIComponent(conversationId)}`;
}

export type ChatRoute =
  /** `/c/{uuid}` or `/g/{gizmo}/c/{uuid}`. `gizmoId` is the raw path segment (`g-<id>-<slug>`). */
  | { kind: 'conversation'; conversationId: string; gizmoId: string | null; projectId: string | null }
  /**
   * `?temporary-chat=true`. The id normally never appears in the URL (2025–2026); take it from the
   * intercepted network traffic. Should a `/c/{uuid}` path carry the flag, its id is given here.
   */
  | { kind: 'temporary'; conversationId: string | null }
  /** `/c/local-…`: a client-side placeholder before the server assigns an id; skip it. */
  | { kind: 'placeholder' }
  /** `/share/{id}` and `/share/{id}/continue`. */
  | { kind: 'share'; shareId: string }
  /** `/g/g-p-…/project`: a project landing page (M, 2025-2026). */
  | { kind: 'project'; gizmoId: string }
  /** `/images`, `/library`: the generated-image gallery (M, 2025-2026). */
  | { kind: 'library' }
  | { kind: 'home' }
  | { kind: 'other' };

// Projects are gizmos whose id is `g-p-<32 hex>`; the URL segment appends `-<slug>`.
const PROJECT_ID_RE = /^(g-p-[0-9a-fA-F]{32})(?:-|$)/;

/** `g-p-<32hex>` from a `/g/…` segment or a gizmo id, or null when the gizmo is not a project. */
export function projectIdFromGizmo(gizmo: string | null | undefined): string | null {
  return gizmo ? (PROJECT_ID_RE.exec(gizmo)?.[1] ?? null) : null;
}

/** Which ChatGPT page a URL shows. Any other host, or an unparsable URL, is `{ kind: 'other' }`. */
export function parseChatRoute(url: string | URL): ChatRoute {
  let u: URL;
  try {
    u = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return { kind: 'other' };
  }
  if ((u.protocol !== 'https:' && u.protocol !== 'http:') || !isChatgptHost(u.hostname)) return { kind: 'other' };

  // Trailing slashes and empty segments carry no meaning in the app's router.
  const segs = u.pathname.split('/').filter((s) => s.length > 0).map(safeDecode);
  const temporary = u.searchParams.get('temporary-chat') === 'true';

  let gizmoId: string | null = null;
  let rest = segs;
  if (segs[0] === 'g' && segs.length >= 2) {
    gizmoId = segs[1]!;
    rest = segs.slice(2);
    if (rest.length === 1 && rest[0] === 'project') return { kind: 'project', gizmoId };
  }

  if (rest[0] === 'c' && rest.length === 2) {
    const id = rest[1]!;
    if (id.startsWith('local-')) return { kind: 'placeholder' };
    if (isUuid(id)) {
      if (temporary) return { kind: 'temporary', conversationId: id };
      return { kind: 'conversation', conversationId: id, gizmoId, projectId: gizmoId ? projectIdFromGizmo(gizmoId) : null };
    }
    return { kind: 'other' };
  }
  if (gizmoId !== null) {
    // `/g/{gizmo}` alone is a GPT's start page (a temporary chat may be started there).
    return temporary && rest.length === 0 ? { kind: 'temporary', conversationId: null } : { kind: 'other' };
  }
  if (temporary && segs.length === 0) return { kind: 'temporary', conversationId: null };
  if (segs[0] === 'share' && segs.length >= 2 && (segs.length === 2 || (segs.length === 3 && segs[2] === 'continue'))) {
    return /^[A-Za-z0-9-]+$/.test(segs[1]!) ? { kind: 'share', shareId: segs[1]! } : { kind: 'other' };
  }
  if (segs.length === 1 && (segs[0] === 'images' || segs[0] === 'library')) return { kind: 'library' };
  if (segs.length === 0) return { kind: 'home' };
  return { kind: 'other' };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// ---------------------------------------------------------------------------------------------------
// API URL builders. `origin` is `location.origin` of a ChatGPT tab (`https://chatgpt.com`).

function trimOrigin(origin: string): string {
  return origin.endsWith('/') ? origin.slice(0, -1) : origin;
}

const enc = encodeURIComponent;

/** The access token: `{ accessToken, expires, user }`. */
export function sessionUrls(origin: string): string[] {
  return [
    `${trimOrigin(origin)}/api/auth/session`, // H, unchanged 2023 → 2026
  ];
}

/** One conversation with its full mapping (same object as one export entry). */
export function conversationUrls(origin: string, conversationId: string): string[] {
  return [
    `${trimOrigin(origin)}/backend-api/conversation/${enc(conversationId)}`, // H, unchanged 2023 → 2026
  ];
}

/**
 * Every canvas document of a conversation with its current text (canvas.ts `parseTextdocs` reads the answer).
 * No older or newer route is known; when it does not answer, the documents are rebuilt from the conversation's
 * `canmore` calls (utils/worker/capture/text-artifacts.ts).
 */
export function textdocsUrls(origin: string, conversationId: string): string[] {
  return [
    `${trimOrigin(origin)}/backend-api/conversation/${enc(conversationId)}/textdocs`, // H, 2024-10 → 2026 (Superpower ChatGPT, OCP-parser)
  ];
}

export interface ConversationsListOptions {
  offset?: number;
  /** Clamped to 1..100: the server answers 422 above 100 (2026). */
  limit?: number;
  order?: 'updated' | 'created';
  archived?: boolean;
}

export const CONVERSATIONS_LIST_MAX_LIMIT = 100;

/** The history list, `{ items[], total, limit, offset }`. Project chats are not always listed (M). */
export function conversationsListUrls(origin: string, opts: ConversationsListOptions = {}): string[] {
  const offset = Math.max(0, Math.floor(opts.offset ?? 0));
  const limit = Math.min(CONVERSATIONS_LIST_MAX_LIMIT, Math.max(1, Math.floor(opts.limit ?? CONVERSATIONS_LIST_MAX_LIMIT)));
  const order = opts.order ?? 'updated';
  const archived = opts.archived ? '&is_archived=true' : '';
  return [
    `${trimOrigin(origin)}/backend-api/conversations?offset=${offset}&limit=${limit}&order=${order}${archived}`, // H, 2023 → 2026
  ];
}

export interface FileDownloadOptions {
  /** Added to the current route; sediment assets may need it (2026, BE-client). */
  conversationId?: string | null;
  /** Only for GPT knowledge files with `file-` ids; `file_` ids fail with it (2025, HX-api). */
  gizmoId?: string | null;
}

/** Resolve a file id (image, chart, upload) to `{ status, download_url, … }` JSON. */
export function fileDownloadUrls(origin: string, fileId: string, opts: FileDownloadOptions = {}): string[] {
  const o = trimOrigin(origin);
  let current = `${o}/backend-api/files/download/${enc(fileId)}?post_id=&inline=false`;
  if (opts.conversationId) current += `&conversation_id=${enc(opts.conversationId)}`;
  if (opts.gizmoId && idShape(fileId) === 'file-service') current += `&gizmo_id=${enc(opts.gizmoId)}`;
  return [
    current, // 2026-02 → now: web client switched from file service to sediment (pionxzh ab01af1)
    `${o}/backend-api/files/${enc(fileId)}/download`, // legacy, 2023 → 2025
  ];
}

/** Per-conversation attachment route (M, 2025–2026; used for `file_` ids by Superpower ChatGPT). */
export function attachmentDownloadUrls(origin: string, conversationId: string, fileId: string): string[] {
  return [
    `${trimOrigin(origin)}/backend-api/conversation/${enc(conversationId)}/attachment/${enc(fileId)}/download`, // M, 2025 → 2026
  ];
}

/**
 * Resolve a Code Interpreter sandbox file. `sandboxPath` is the decoded `/mnt/data/…` path; it is
 * URL-encoded exactly once here (§9: send it decoded, encoded once as a query value). `messageId` is
 * the assistant message holding the `sandbox:` link (first choice) or the python tool message (fallback).
 */
export function interpreterDownloadUrls(
  origin: string,
  conversationId: string,
  messageId: string,
  sandboxPath: string,
): string[] {
  const base = `${trimOrigin(origin)}/backend-api/conversation/${enc(conversationId)}/interpreter/download?message_id=${enc(messageId)}&sandbox_path=${enc(sandboxPath)}`;
  return [
    base, // H, unchanged 2023 → 2026; the web client still calls it in 2026
    // M, 2026 callers append it; a second try only. An expired sandbox answers status:error to both,
    // so callers may stop after the first `status:"error"` to save rate-limit budget (§7).
    `${base}&download_intent=true`,
  ];
}

/** The generated-image gallery, paged with the response `cursor` (web client, inspected 2026-09). */
export function imageLibraryUrls(origin: string, cursor: string | null = null, limit = 25): string[] {
  const l = Math.min(100, Math.max(1, Math.floor(limit)));
  return [
    `${trimOrigin(origin)}/backend-api/my/recent/image_gen?limit=${l}&after=${cursor ? enc(cursor) : ''}`, // M, 2025-2026
  ];
}

/** Workspace accounts: `accounts[<id>].account.account_id` for the `ChatGPT-Account-Id` header. */
export function accountsCheckUrls(origin: string): string[] {
  return [
    `${trimOrigin(origin)}/backend-api/accounts/check/v4-2023-04-27`, // H, path unchanged since 2023-04
  ];
}

// ---------------------------------------------------------------------------------------------------
// Download responses

export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

export interface DownloadTarget {
  downloadUrl: string;
  fileName: string | null;
  sizeBytes: number | null;
  mimeType: string | null;
}

export type DownloadError =
  /** The server answered `status:"error"` (often with HTTP 200): the file or sandbox is gone. */
  | { kind: 'status-error'; errorCode: string | null; errorMessage: string | null }
  /** Not a shape we know: treat as transient, do not mark the artifact expired. */
  | { kind: 'malformed'; reason: string };

/**
 * Validates a `files/download` or `interpreter/download` JSON body. Both success and error come with
 * HTTP 200, so `status` decides (§3.4). The interpreter route has been seen without `status`; a body with
 * a usable `download_url` and no `status` counts as success.
 */
export function parseDownloadResponse(json: unknown): Result<DownloadTarget, DownloadError> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, error: { kind: 'malformed', reason: 'body is not a JSON object' } };
  }
  const body = json as Record<string, unknown>;
  const status = body.status;
  if (status === 'error') {
    return {
      ok: false,
      error: {
        kind: 'status-error',
        errorCode: typeof body.error_code === 'string' ? body.error_code : null,
        errorMessage: typeof body.error_message === 'string' ? body.error_message : null,
      },
    };
  }
  if (status !== undefined && status !== 'success') {
    return { ok: false, error: { kind: 'malformed', reason: `unknown status ${JSON.stringify(status)}` } };
  }
  const url = body.download_url;
  if (typeof url !== 'string' || !isHttpUrl(url)) {
    return { ok: false, error: { kind: 'malformed', reason: 'download_url missing or not an http(s) URL' } };
  }
  const size = body.file_size_bytes;
  return {
    ok: true,
    value: {
      downloadUrl: url,
      fileName: typeof body.file_name === 'string' && body.file_name.length > 0 ? body.file_name : null,
      sizeBytes: typeof size === 'number' && Number.isFinite(size) && size >= 0 ? size : null,
      mimeType: typeof body.mime_type === 'string' && body.mime_type.length > 0 ? body.mime_type : null,
    },
  };
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

export type DownloadUrlClass = 'estuary' | 'oaiusercontent-sas' | 'azure-blob' | 'other';

// Hosts that served signed blob URLs: the 2023 file service and the platform Images API (L for ChatGPT).
const AZURE_BLOB_HOSTS = ['fileserviceuploadsperm.blob.core.windows.net', 'oaidalleapiprodscus.blob.core.windows.net'];

/**
 * Every origin the extension fetches from, as Content-Security-Policy sources: the ChatGPT hosts and what
 * `isAllowedFileUrl` accepts for bytes. The extension pages' `connect-src` (wxt.config.ts) is this list.
 */
export const FETCH_SOURCES: readonly string[] = [
  ...CHATGPT_HOSTS.map((h) => `https://${h}`),
  'https://*.oaiusercontent.com',
  ...AZURE_BLOB_HOSTS.map((h) => `https://${h}`),
];

/**
 * Where a resolved `download_url` points, which decides how to fetch it: `estuary` needs cookies and the
 * Bearer token (2025–2026); the SAS and blob URLs are self-signed and must get no auth header. Only
 * https URLs on known hosts are classified; everything else is `other`.
 */
export function classifyDownloadUrl(url: string | URL): DownloadUrlClass {
  let u: URL;
  try {
    u = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return 'other';
  }
  if (u.protocol !== 'https:') return 'other';
  if (isChatgptHost(u.hostname) && u.pathname === '/backend-api/estuary/content') return 'estuary';
  if (u.hostname === 'files.oaiusercontent.com') return 'oaiusercontent-sas';
  if (AZURE_BLOB_HOSTS.includes(u.hostname)) return 'azure-blob';
  return 'other';
}

/**
 * Whether bytes may come from this URL, checked on the FINAL URL after redirects: https on the ChatGPT
 * hosts, `*.oaiusercontent.com` (files.oaiusercontent.com and the hosts estuary redirects to, surface
 * section 7) or the signed blob hosts above. Anything else is refused, whatever the first URL was.
 */
export function isAllowedFileUrl(url: string | URL): boolean {
  let u: URL;
  try {
    u = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return false;
  }
  if (u.protocol !== 'https:') return false;
  const host = u.hostname;
  return isChatgptHost(host) || host.endsWith('.oaiusercontent.com') || AZURE_BLOB_HOSTS.includes(host);
}

// ---------------------------------------------------------------------------------------------------
// Whole-history listings (backup). Shapes are parsed in utils/chatgpt/listings.ts.

/**
 * Projects (gizmos of the sidebar), cursor-paged: `{ items: [{ gizmo: { gizmo: { id, display } } }], cursor }`.
 * `conversations_per_gizmo=0` asks for the projects alone; their chats come from `projectConversationsUrls`.
 */
export function projectsListUrls(origin: string, cursor: string | null = null): string[] {
  return [
    `${trimOrigin(origin)}/backend-api/gizmos/snorlax/sidebar?conversations_per_gizmo=0${cursor ? `&cursor=${enc(cursor)}` : ''}`, // M, 2025-2026 (PZ-api)
  ];
}

/** Page size the project conversation listing is asked for (the web client's 50, 2026). */
const PROJECT_CONVERSATIONS_LIMIT = 50;

/** One project's conversations, cursor-paged: `{ items: [...same as the history list...], cursor }`. */
export function projectConversationsUrls(origin: string, gizmoId: string, cursor: string | null = null): string[] {
  return [
    `${trimOrigin(origin)}/backend-api/gizmos/${enc(gizmoId)}/conversations?cursor=${cursor ? enc(cursor) : '0'}&limit=${PROJECT_CONVERSATIONS_LIMIT}`, // M, 2025-2026 (PZ-api)
  ];
}

/** GET paths of the backend a backup reads: the listings above, one conversation and its canvas documents. */
const BACKUP_READ_PATHS = [
  /^\/backend-api\/conversations$/,
  /^\/backend-api\/conversation\/[0-9a-fA-F-]{36}$/,
  /^\/backend-api\/conversation\/[0-9a-fA-F-]{36}\/textdocs$/,
  /^\/backend-api\/gizmos\/snorlax\/sidebar$/,
  /^\/backend-api\/gizmos\/[A-Za-z0-9_-]{1,100}\/conversations$/,
  /^\/backend-api\/my\/recent\/image_gen$/,
];

/**
 * Whether `url` is a backup read on `origin` (what a ChatGPT tab agrees to fetch for a worker the backend
 * refuses): same origin exactly, one of the routes above, no credentials or fragment in the URL.
 */
export function isBackupReadUrl(url: string, origin: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return u.origin === trimOrigin(origin) && u.username === '' && u.password === '' && u.hash === '' && BACKUP_READ_PATHS.some((re) => re.test(u.pathname));
}
