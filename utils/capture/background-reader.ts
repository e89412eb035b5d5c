/**
 * Conversation reads done by the background itself, so that no conversation JSON has to cross the page's
 * main thread (posting a 3 MB conversation costs the page about 40 ms each time it changes).
 *
 * The worker uses the browser's own network stack with the person's cookies (host permissions), and its own
 * short-lived token from the session endpoint, kept in this module's memory only. If the backend refuses the
 * worker (401/403 after a fresh token, a challenge page, a network error), the tab is told to read the
 * conversation itself as before (PAGE_READ_NEEDED), so nothing depends on this path working.
 */
import { fail, toFailure } from './failure';
import { readConversation, type FetchContext } from './fetcher';
import { RequestLanes } from './lanes';
import { PageSession } from './page-session';
import { workspaceCookieString } from '@/utils/chatgpt/session';
import { PAGE_READ_NEEDED } from './port-protocol';

export class BackgroundReader {
  private readonly lanes = new RequestLanes({ jsonGapMs: 250, bytesConcurrency: 1 });
  private readonly contexts = new Map<string, FetchContext>();
  private readonly accounts = new Map<string, string | null>();

  constructor(private readonly doFetch: typeof fetch = (input, init) => fetch(input, init)) {}

  private context(origin: string, account: string | null): FetchContext {
    this.accounts.set(origin, account);
    let ctx = this.contexts.get(origin);
    if (!ctx) {
      // A worker has no document.cookie: the tab passes the workspace cookie (a workspace id, not a secret).
      const session = new PageSession(origin, this.doFetch, () => workspaceCookieString(this.accounts.get(origin) ?? null));
      ctx = {
        origin,
        fetch: this.doFetch,
        auth: session,
        lanes: this.lanes,
        jsonTimeoutMs: 20_000,
        idleTimeoutMs: 10_000,
        now: Date.now,
      };
      this.contexts.set(origin, ctx);
    }
    return ctx;
  }

  /**
   * The conversation's JSON text. Throws a CaptureFailure: `not-ready` for a 404 (a chat whose URL came a
   * moment before the server has it), PAGE_READ_NEEDED when the backend will not serve the worker, or the
   * transient cause (rate limit, server error) for the tab to retry later.
   */
  async read(origin: string, conversationId: string, account: string | null): Promise<string> {
    let text: string | null;
    try {
      text = await readConversation(this.context(origin, account), conversationId);
    } catch (err) {
      const failure = toFailure(err);
      if (failure.cause === 'auth' || failure.cause === 'bad-response' || failure.cause === 'network') {
        fail('auth', PAGE_READ_NEEDED);
      }
      throw err;
    }
    if (text === null) fail('not-ready', 'The conversation is not on the server yet (HTTP 404)');
    return text;
  }
}
