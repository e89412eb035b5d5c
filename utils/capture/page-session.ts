/**
 * The person's ChatGPT session, as seen from the content script: the short-lived access token (read from
 * the same-origin session endpoint with the page's cookies) and the workspace account id. Both live in this
 * object's memory only: never in extension storage, never in a message to the background.
 */
import { accountsCheckUrls, sessionUrls } from '@/utils/chatgpt/routes';
import { workspaceCookie } from '@/utils/chatgpt/session';
import { fail } from './failure';
import type { AuthSource } from './fetcher';

export class PageSession implements AuthSource {
  private cached: { token: string; until: number } | null = null;
  private inflight: Promise<string> | null = null;
  private account: Promise<string | null> | null = null;

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
    const expires = Date.parse(String((body as { expires?: unknown }).expires ?? ''));
    // Refresh a little early; never trust a token for more than 10 minutes.
    const until = Math.min(this.now() + 10 * 60_000, Number.isNaN(expires) ? Infinity : expires - 60_000);
    this.cached = { token, until };
    return token;
  }

  /** The workspace cookie mapped through the accounts check (workspaces need `ChatGPT-Account-Id`). */
  accountId(): Promise<string | null> {
    this.account ??= this.readAccount().catch(() => {
      this.account = null;
      return null;
    });
    return this.account;
  }

  private async readAccount(): Promise<string | null> {
    const selected = workspaceCookie(this.cookies());
    if (!selected || selected === 'personal') return null;
    const [url] = accountsCheckUrls(this.origin);
    const res = await this.doFetch(url!, {
      credentials: 'include',
      headers: { authorization: `Bearer ${await this.token()}` },
      signal: AbortSignal.timeout(15_000),
    });
    if (!res.ok) {
      // A failed check (429, 5xx) was cached as null for the life of the tab, so every workspace request
      // went out without ChatGPT-Account-Id. Use the cookie's id for now and ask again next time.
      this.account = null;
      return selected;
    }
    const body = (await res.json()) as { accounts?: Record<string, { account?: { account_id?: unknown } }> };
    const id = body.accounts?.[selected]?.account?.account_id;
    return typeof id === 'string' ? id : selected;
  }
}
