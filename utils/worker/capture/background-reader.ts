/**
 * Conversation reads done by the background itself, so that no conversation JSON has to cross the page's
 * main thread (posting a 3 MB conversation costs the page about 40 ms each time it changes).
 *
 * The worker reads through WorkerNet (the person's cookies, its own token, the workspace of the tab that
 * asked). If the backend refuses the worker (`refusesWorker`: 401/403 after a fresh token, a challenge page,
 * a network error), the tab is told to read the conversation itself from now on (PAGE_READ_NEEDED). A 404
 * is asked again with a freshly checked account and then handed to the tab for this read only
 * (PAGE_READ_ONCE): the tab's own request tells "not there yet" from "not visible to the worker".
 */
import { textdocsUrls } from '@/utils/chatgpt/routes';
import { projectHeaders } from '@/utils/chatgpt/session';
import { fail, parseRetryAfter, toFailure } from '@/utils/chatgpt/net/failure';
import { authedGet, boundedText, readConversation } from '@/utils/chatgpt/net/fetcher';
import { PAGE_READ_NEEDED, PAGE_READ_ONCE } from '@/utils/capture-port';
import { refusesWorker, WorkerNet } from '@/utils/chatgpt/net/worker-net';

export class BackgroundReader {
  constructor(private readonly net: WorkerNet = new WorkerNet()) {}

  /**
   * The conversation's JSON text. Throws a CaptureFailure: PAGE_READ_NEEDED when the backend will not serve
   * the worker, PAGE_READ_ONCE for a 404, or the transient cause (rate limit, server error) for the tab to
   * retry later.
   */
  async read(origin: string, conversationId: string, account: string | null, gizmoId: string | null = null): Promise<string> {
    let text: string | null;
    try {
      text = await readConversation(this.net.context(origin, account), conversationId, gizmoId);
    } catch (err) {
      if (refusesWorker(toFailure(err))) fail('auth', PAGE_READ_NEEDED);
      throw err;
    }
    if (text === null) fail('not-ready', PAGE_READ_ONCE);
    return text;
  }

  /**
   * The conversation's canvas documents as the textdocs route answers them (its body), or null when it does
   * not answer (404, a refusal, a rate limit, a network error): the texts are then rebuilt from the messages,
   * so nothing here is retried or handed to a tab. In the JSON lane, like every read of the worker.
   */
  async readTextdocs(origin: string, conversationId: string, account: string | null, gizmoId: string | null = null): Promise<string | null> {
    const ctx = this.net.context(origin, account);
    const [url] = textdocsUrls(origin, conversationId);
    try {
      return await ctx.lanes.json(async () => {
        const res = await authedGet(ctx.fetch, ctx.auth, url!, AbortSignal.timeout(ctx.jsonTimeoutMs), projectHeaders(gizmoId));
        if (res.status === 429) ctx.lanes.pauseJson(parseRetryAfter(res.headers.get('retry-after'), ctx.now()) ?? 5_000);
        if (!res.ok || !/json/i.test(res.headers.get('content-type') ?? 'json')) {
          await res.body?.cancel().catch(() => undefined);
          return null;
        }
        return boundedText(res);
      });
    } catch {
      return null;
    }
  }
}
