/**
 * Mutable state of one fake chatgpt.com: conversations, tokens, knobs, fault rules, sandbox expiries and
 * the request log. Tests reach it as `fake.state`; the browser reaches the same things via `/__fake/*`.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { scanConversation, type FakeConversation, type ScanResult } from './scan.ts';

export type FaultRoute =
  | 'session'
  | 'conversation'
  | 'conversations'
  | 'files-download'
  | 'interpreter'
  | 'estuary'
  | 'sas'
  | 'image-library'
  | 'generate'
  | 'textdocs'
  | 'any';
export type FaultKind = '429' | '500' | 'stall' | 'truncate' | '403' | 'expired';

export interface FaultRule {
  route: FaultRoute;
  /** Substring of the full request URL (`https://host/path?query`). */
  match?: string;
  fault: FaultKind;
  /** How many requests fail; unlimited when omitted. */
  times?: number;
  /**
   * Only requests with (true) or without (false) a Bearer token. The fake page's own `<img>` loads carry
   * none, the extension's downloads do: `bearer: true` aims a fault at the extension alone.
   */
  bearer?: boolean;
}

export interface ActiveFault extends FaultRule {
  id: number;
  /** How many requests this rule has failed so far. */
  hits: number;
}

export interface RequestLogEntry {
  seq: number;
  /** ms since the epoch when the request arrived */
  time: number;
  method: string;
  host: string;
  /** path + query */
  path: string;
  route: string;
  /** HTTP status sent, 0 if the socket closed before headers, null while still open (stalled). */
  status: number | null;
  bearer: boolean;
  cookie: boolean;
  accountHeader: boolean;
  /** `Sec-Fetch-Site` as sent: `same-origin` from the page (and content scripts), `none` from an extension worker. */
  fetchSite: string | null;
  fault: FaultKind | null;
  /** ms since the epoch when the response ended (or the socket closed); null while open. */
  end: number | null;
}

export interface FakeOptions {
  /** Resolve downloads to files.oaiusercontent.com SAS URLs even on chatgpt.com (chat.openai.com always does). */
  legacyUrls: boolean;
  /** Workspace mode: every /backend-api JSON route then needs `ChatGPT-Account-Id: <this>`. */
  workspaceAccountId: string | null;
  /** Lifetime of a sandbox file created by live generation (ms after the stream ends). */
  sandboxTtlMs: number;
  /** Delay between the end of the SSE stream and the async image_gen tool message. */
  asyncImageDelayMs: number;
  /** Total duration of one SSE reply. */
  streamDurationMs: number;
  /** Lifetime of files.oaiusercontent.com SAS URLs (`se`). */
  sasTtlMs: number;
  /** Whether live generation adds the async image. */
  liveImage: boolean;
  /** Refuse API calls that do not come from a ChatGPT page (a challenge, as Cloudflare might give a worker). */
  refuseNonPageRequests: boolean;
  /**
   * ChatGPT's 2026 rate limit on the JSON API, as a token bucket (docs/CHATGPT.md section 7): `capacity`
   * requests at once, refilled at `refillPerSec`; an empty bucket answers 429, without Retry-After unless
   * `retryAfter` (then the whole seconds until the next token). `routes`: the route names it counts (default:
   * every authenticated JSON route). The bench scales its clock by raising `refillPerSec` (1/min x scale).
   * Null: off.
   */
  rateLimit: { capacity: number; refillPerSec: number; retryAfter?: boolean; routes?: string[] } | null;
  /** Markup the page serves at the end of its <body>, parsed with the page (an HTML injection, say). */
  pageHtml: string;
}

export const DEFAULT_OPTIONS: FakeOptions = {
  legacyUrls: false,
  workspaceAccountId: null,
  sandboxTtlMs: 15_000,
  asyncImageDelayMs: 1_000,
  streamDurationMs: 1_500,
  sasTtlMs: 5 * 60_000,
  liveImage: true,
  refuseNonPageRequests: false,
  rateLimit: null,
  pageHtml: '',
};

/** Reads every `*.json` in the folders (skipping `malformed-*`); a file holds one conversation or an array. */
export function loadFixtures(dirs: string[]): Map<string, FakeConversation> {
  const out = new Map<string, FakeConversation>();
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      if (!name.endsWith('.json') || name.startsWith('malformed-')) continue;
      let data: unknown;
      try {
        data = JSON.parse(readFileSync(join(dir, name), 'utf8'));
      } catch (e) {
        throw new Error(`fake-chatgpt: cannot parse fixture ${join(dir, name)}: ${(e as Error).message}`);
      }
      for (const c of Array.isArray(data) ? data : [data]) {
        const conv = c as FakeConversation;
        const id = conv?.conversation_id ?? (conv?.id);
        if (typeof id !== 'string' || !conv.mapping) continue;
        out.set(id, { ...conv, conversation_id: id });
      }
    }
  }
  return out;
}

export class FakeState {
  accessToken = `fake-at-${randomBytes(12).toString('hex')}`;
  readonly sessionToken = `fake-st-${randomBytes(16).toString('hex')}`;
  readonly signingKey = randomBytes(32);
  options: FakeOptions = { ...DEFAULT_OPTIONS };
  conversations = new Map<string, FakeConversation>();
  /** Conversations started as temporary chats: served by id, never listed. */
  temporary = new Set<string>();
  /** Deleted conversations: gone from the history and the conversation route, their images still in the image library. */
  deleted = new Map<string, FakeConversation>();
  private bucket: { tokens: number; at: number } | null = null;
  /** 429s the rate limit answered since the last reset. */
  rateLimited = 0;
  requests: RequestLogEntry[] = [];
  faults: ActiveFault[] = [];
  /** `${cid}\0${path}` -> ms since epoch after which interpreter/download reports the session expired. */
  sandboxExpiry = new Map<string, number>();
  /** Sandbox file ids handed out by interpreter/download -> their (conversation, path). */
  sandboxFileIds = new Map<string, { conversationId: string; path: string }>();
  liveCounter = 0;
  private nextFaultId = 1;
  private scans = new WeakMap<FakeConversation, { version: unknown; scan: ScanResult }>();

  constructor(private readonly fixturesDirs: string[]) {
    this.loadConversations();
  }

  private loadConversations(): void {
    this.conversations = new Map(
      [...loadFixtures(this.fixturesDirs)].map(([k, v]) => [k, structuredClone(v)] as const),
    );
  }

  /** Back to the fixtures: faults, request log, expiries, live conversations and knobs are cleared. */
  reset(): void {
    this.loadConversations();
    this.temporary.clear();
    this.deleted.clear();
    this.bucket = null;
    this.rateLimited = 0;
    this.requests = [];
    this.faults = [];
    this.sandboxExpiry.clear();
    this.sandboxFileIds.clear();
    this.options = { ...DEFAULT_OPTIONS };
  }

  /** Invalidates the current access token (the old one then gets 401), returning the new one. */
  rotateAccessToken(): string {
    this.accessToken = `fake-at-${randomBytes(12).toString('hex')}`;
    return this.accessToken;
  }

  setOptions(patch: Partial<FakeOptions>): FakeOptions {
    if ('rateLimit' in patch) this.bucket = null;
    this.options = { ...this.options, ...patch };
    return this.options;
  }

  addFault(rule: FaultRule): ActiveFault & { remove: () => void } {
    const active: ActiveFault = { ...rule, id: this.nextFaultId++, hits: 0 };
    this.faults.push(active);
    return Object.assign(active, { remove: () => this.removeFault(active.id) });
  }

  removeFault(id: number): void {
    this.faults = this.faults.filter((f) => f.id !== id);
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Finds and consumes the first rule matching this request. */
  takeFault(route: string, url: string, bearer = false): ActiveFault | null {
    for (const f of this.faults) {
      if (f.route !== 'any' && f.route !== route) continue;
      if (f.match && !url.includes(f.match)) continue;
      if (f.bearer !== undefined && f.bearer !== bearer) continue;
      if (f.times !== undefined && f.hits >= f.times) continue;
      f.hits++;
      return f;
    }
    return null;
  }

  /**
   * One JSON API request of `route` against the rate limit: true when it may go, else the Retry-After to send
   * (seconds, or null when the bucket sends none) and the request answers 429.
   */
  takeToken(route: string, now = Date.now()): true | { retryAfter: number | null } {
    const limit = this.options.rateLimit;
    if (!limit || (limit.routes && !limit.routes.includes(route))) return true;
    const b = (this.bucket ??= { tokens: limit.capacity, at: now });
    b.tokens = Math.min(limit.capacity, b.tokens + ((now - b.at) / 1000) * limit.refillPerSec);
    b.at = now;
    if (b.tokens < 1) {
      this.rateLimited++;
      return { retryAfter: limit.retryAfter ? Math.max(1, Math.ceil((1 - b.tokens) / limit.refillPerSec)) : null };
    }
    b.tokens -= 1;
    return true;
  }

  /**
   * Serves a conversation (an official export's, say): its file ids resolve through `files/download` and its
   * `sandbox:` links through `interpreter/download` with the linking message id; file ids no served
   * conversation names answer `file_not_found` (expired), as do sandboxes expired with `expireSandbox`.
   */
  addConversation(conv: FakeConversation): void {
    const id = conv.conversation_id ?? conv.id;
    if (typeof id !== 'string') throw new Error('fake-chatgpt: a conversation needs an id');
    this.conversations.set(id, structuredClone({ ...conv, conversation_id: id }));
  }

  /** Moves a conversation out of the history (as deleting it in ChatGPT does); its images stay in the library. */
  deleteConversation(id: string): boolean {
    const conv = this.conversations.get(id);
    if (!conv) return false;
    this.conversations.delete(id);
    this.deleted.set(id, conv);
    return true;
  }

  /** From `atMs` on (default now), interpreter/download for this file reports the session expired. */
  expireSandbox(conversationId: string, path: string, atMs: number = Date.now()): void {
    this.sandboxExpiry.set(`${conversationId}\0${path}`, atMs);
  }

  isSandboxExpired(conversationId: string, path: string, now = Date.now()): boolean {
    const at = this.sandboxExpiry.get(`${conversationId}\0${path}`);
    return at !== undefined && now >= at;
  }

  scan(conv: FakeConversation): ScanResult {
    // update_time + node count is enough to notice our own live mutations
    const version = `${conv.update_time}|${Object.keys(conv.mapping).length}|${conv.current_node}`;
    const hit = this.scans.get(conv);
    if (hit && hit.version === version) return hit.scan;
    const scan = scanConversation(conv);
    this.scans.set(conv, { version, scan });
    return scan;
  }

  /** Where a file id is used, or null if no conversation mentions it (the fake then says file_not_found). */
  findFile(fileId: string): { conversationId: string; use: string; name: string | null; mimeType: string | null } | null {
    if (this.sandboxFileIds.has(fileId)) {
      const s = this.sandboxFileIds.get(fileId)!;
      return { conversationId: s.conversationId, use: 'sandbox', name: null, mimeType: null };
    }
    for (const conv of [...this.conversations.values(), ...this.deleted.values()]) {
      const f = this.scan(conv).files.get(fileId);
      if (f) return { conversationId: conv.conversation_id, use: f.use, name: f.name, mimeType: f.mimeType };
    }
    return null;
  }

  /** HMAC over the parts, hex (estuary `sig`, 64 hex) or base64 (SAS `sig`). */
  sign(parts: string[], encoding: 'hex' | 'base64'): string {
    return createHmac('sha256', this.signingKey).update(parts.join('\n')).digest(encoding);
  }
}
