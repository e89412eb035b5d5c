/**
 * Conversation reads done by the background itself, so that no conversation JSON has to cross the page's
 * main thread (posting a 3 MB conversation costs the page about 40 ms each time it changes).
 *
 * The worker reads through WorkerNet (the person's cookies, its own token, the workspace of the tab that
 * asked). A read comes back as a WorkerAttempt (utils/worker/worker-or-tab.ts): refused, the tab is told to
 * read the conversation itself from now on; a 404 (null) is handed to the tab for this read only, whose own
 * request tells "not there yet" from "not visible to the worker" (utils/worker/capture/tab-reads.ts).
 */
import { textdocsUrls } from '@/utils/chatgpt/routes';
import { projectHeaders } from '@/utils/chatgpt/session';
import { parseRetryAfter } from '@/utils/chatgpt/net/failure';
import { authedGet, boundedText, readConversation } from '@/utils/chatgpt/net/fetcher';
import { WorkerNet } from '@/utils/chatgpt/net/worker-net';
import { attemptInWorker, type WorkerAttempt } from '@/utils/worker/worker-or-tab';

export class BackgroundReader {
  constructor(private readonly net: WorkerNet = new WorkerNet()) {}

  /** The conversation's JSON text (null for a 404), or why the worker could not read it. */
  read(origin: string, conversationId: string, account: string | null, gizmoId: string | null = null): Promise<WorkerAttempt<string | null>> {
    return attemptInWorker(() => readConversation(this.net.context(origin, account), conversationId, gizmoId));
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
