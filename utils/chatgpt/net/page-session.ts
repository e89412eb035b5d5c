/**
 * The person's ChatGPT session: the short-lived access token (read from the session endpoint with the
 * person's cookies) and the workspace account id. Used by the background worker (one per origin) and by a
 * tab on fallback. Both live in this object's memory only: never in extension storage, never in a message.
 *
 * The account follows the workspace cookie of whoever asks (`forWorkspace`, or the page's cookie): it is
 * cached per cookie value, never once for the object's life, so switching workspace or to the personal
 * account changes the `ChatGPT-Account-Id` of the very next request.
 */
import { accountsCheckUrls, sessionUrls } from '@/utils/chatgpt/routes';
import { workspaceCookie } from '@/utils/chatgpt/session';
import { fail } from './failure';
import type { AuthSource, WorkspaceAuth } from './fetcher';

export class PageSession implements AuthSource, WorkspaceAuth {
  private cached: { token: string; until: number } | null = null;
  private inflight: Promise<string> | null = null;
  /** Resolved account ids per workspace cookie value (a failed check is not kept). */
  private readonly accounts = new Map<string, Promise<string | null>>();

  constructor(
    private readonly origin: string,
    private readonly doFetch: typeof fetch,
    private readonly cookies: () => string,
    private readonly now: () => number = Date.now,
  ) {}

  token(fresh = false): Promise<string> {
    if (!fresh && this.cached && this.cached.until > this.now()) return Promise.resolve(this.cached.token);
    this.inflight ??= this.readToken().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async readToken(): Promise<string> {
    const [url] = sessionUrls(this.origin);
    const res = await this.doFetch(url!, { credentials: 'include', cache: 'no-store', signal: AbortSignal.timeout(15_000) });
    if (res.status === 429) fail('rate-limited', 'ChatGPT is rate limiting the session endpoint (HTTP 429)');
    if (res.status >= 500) fail('server', `ChatGPT session endpoint failed (HTTP ${res.status})`);
    let body: unknown = null;
    try {
      body = await res.json();
    } catch {
      // handled below
    }
    const token = (body as { accessToken?: unknown } | null)?.accessToken;
    if (!res.ok || typeof token !== 'string' || token.length < 8) fail('auth', 'Not signed in to ChatGPT');
    const expiresAt = (body as { expires?: unknown }).expires;
    const expires = typeof expiresAt === 'string' ? Date.parse(expiresAt) : NaN;
    // Refresh a little early; never trust a token for more than 10 minutes.
    const until = Math.min(this.now() + 10 * 60_000, Number.isNaN(expires) ? Infinity : expires - 60_000);
    this.cached = { token, until };
    return token;
  }

  /** The workspace cookie mapped through the accounts check (workspaces need `ChatGPT-Account-Id`). */
  accountId(): Promise<string | null> {
    return this.accountFor(workspaceCookie(this.cookies()));
  }

  /** This session's token with the account of one workspace cookie (the tab that asked; null: personal). */
  forWorkspace(selected: string | null): AuthSource {
    return { token: (fresh) => this.token(fresh), accountId: () => this.accountFor(selected) };
  }

  private accountFor(selected: string | null): Promise<string | null> {
    if (!selected || selected === 'personal') return Promise.resolve(null);
    let known = this.accounts.get(selected);
    if (!known) {
      // No session to check with: no header now, and ask again next time.
      known = this.readAccount(selected).catch(() => {
        this.accounts.delete(selected);
        return null;
      });
      this.accounts.set(selected, known);
    }
    return known;
  }

  private async readAccount(selected: string): Promise<string | null> {
    const [url] = accountsCheckUrls(this.origin);
    const res = await this.doFetch(url!, {
      credentials: 'include',
      headers: { authorization: `Bearer ${await this.token()}` },
      redirect: 'manual',
      signal: AbortSignal.timeout(15_000),
    });
    if (!res.ok) {
      // A failed check (429, 5xx) must not stick: use the cookie's id for now and ask again next time.
      this.accounts.delete(selected);
      return selected;
    }
    const body = (await res.json()) as { accounts?: Record<string, { account?: { account_id?: unknown } }> };
    const id = body.accounts?.[selected]?.account?.account_id;
    return typeof id === 'string' ? id : selected;
  }
}
