/**
 * The backup's conversation with ChatGPT's JSON API, from the background: every request (the session token
 * included) goes through the one Pacer, so no two JSON requests are ever in flight. A 429 pauses the pacer and
 * the request is tried again after the pause, for as long as it takes (the person sees the countdown and can
 * cancel); a server error or a network failure is tried a few times and then thrown, so the caller can record
 * that one conversation as failed and go on.
 */
import { workspaceCookieString, ACCOUNT_HEADER } from '@/utils/chatgpt/session';
import { parseRetryAfter, toFailure } from '@/utils/capture/failure';
import { PageSession } from '@/utils/capture/page-session';
import type { Pacer } from './pacer';

export interface BackupClientOptions {
  origin: string;
  pacer: Pacer;
  fetch?: typeof fetch;
  /** Tries of a request that fails with a server or network error. */
  transientTries?: number;
  /** Time limit for an answer. */
  timeoutMs?: number;
  /** The workspace cookie's account id, when known (personal accounts: null). */
  account?: string | null;
}

export class BackupError extends Error {
  constructor(message: string, readonly status: number | null = null) {
    super(message);
    this.name = 'BackupError';
  }
}

export class BackupClient {
  private readonly session: PageSession;
  private readonly doFetch: typeof fetch;

  constructor(private readonly opts: BackupClientOptions) {
    this.doFetch = opts.fetch ?? ((input, init) => fetch(input, init));
    this.session = new PageSession(opts.origin, this.doFetch, () => workspaceCookieString(opts.account ?? null));
  }

  get origin(): string {
    return this.opts.origin;
  }

  /** The body as text, or null for a 404. Throws BackupError; aborts with the signal. */
  async getText(url: string, signal?: AbortSignal): Promise<string | null> {
    const tries = this.opts.transientTries ?? 3;
    let failures = 0;
    for (;;) {
      signal?.throwIfAborted();
      let outcome: { text: string | null } | { retryAfter: number | null } | { error: string; status: number | null };
      try {
        outcome = await this.opts.pacer.run(() => this.once(url, signal), signal);
      } catch (err) {
        if (signal?.aborted) throw err;
        const failure = toFailure(err);
        if (failure.cause === 'rate-limited') outcome = { retryAfter: failure.retryAfterMs ?? null };
        else if (failure.cause === 'auth') throw new BackupError(failure.reason, 401);
        else outcome = { error: failure.reason, status: null };
      }
      if ('text' in outcome) {
        this.opts.pacer.succeeded();
        return outcome.text;
      }
      if ('retryAfter' in outcome) {
        this.opts.pacer.rateLimited(outcome.retryAfter);
        continue;
      }
      if (outcome.status !== null && outcome.status < 500) throw new BackupError(outcome.error, outcome.status);
      if (++failures >= tries) throw new BackupError(outcome.error, outcome.status);
      // A short pause before trying a failing server again; the spacing alone would hammer it.
      this.opts.pacer.hold(2_000 * failures);
    }
  }

  /** Parsed JSON, or null for a 404. */
  async getJson(url: string, signal?: AbortSignal): Promise<unknown> {
    const text = await this.getText(url, signal);
    if (text === null) return null;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new BackupError('ChatGPT answered with something that is not JSON');
    }
  }

  private async once(
    url: string,
    signal: AbortSignal | undefined,
  ): Promise<{ text: string | null } | { retryAfter: number | null } | { error: string; status: number | null }> {
    const timeout = AbortSignal.timeout(this.opts.timeoutMs ?? 30_000);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const get = async (fresh: boolean) => {
      const headers: Record<string, string> = { authorization: `Bearer ${await this.session.token(fresh)}`, accept: 'application/json' };
      const account = await this.session.accountId();
      if (account) headers[ACCOUNT_HEADER] = account;
      return this.doFetch(url, { headers, credentials: 'include', cache: 'no-store', signal: combined });
    };
    let res = await get(false);
    if (res.status === 401) {
      await res.body?.cancel();
      res = await get(true);
    }
    if (res.status === 404) {
      await res.body?.cancel();
      return { text: null };
    }
    if (res.status === 429) {
      await res.body?.cancel();
      return { retryAfter: parseRetryAfter(res.headers.get('retry-after')) };
    }
    if (!res.ok) {
      await res.body?.cancel();
      const what = res.status === 401 || res.status === 403 ? 'ChatGPT refused the request (signed out?)' : 'ChatGPT answered';
      return { error: `${what} (HTTP ${res.status})`, status: res.status };
    }
    return { text: await res.text() };
  }
}
