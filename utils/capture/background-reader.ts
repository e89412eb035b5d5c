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
import { fail, toFailure } from './failure';
import { readConversation } from './fetcher';
import { PAGE_READ_NEEDED, PAGE_READ_ONCE } from './port-protocol';
import { refusesWorker, WorkerNet } from './worker-net';

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
}
