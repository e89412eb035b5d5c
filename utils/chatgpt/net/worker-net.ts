/**
 * The background worker's own access to ChatGPT's backend, shared by conversation reads and downloads: one
 * session (token) per origin, one set of politeness lanes for everything the worker sends. Requests go
 * through the browser's network stack with the person's cookies (host permissions); the token comes from
 * the session endpoint and stays in memory. Which workspace a request speaks for is given per request (the
 * tab that asked, or the job's record), never remembered for the worker's life.
 *
 * If the backend refuses the worker, work falls back to a ChatGPT tab (utils/worker/worker-or-tab.ts).
 */
import { chatgptOrigin } from '@/utils/chatgpt/routes';
import { createFetchContext, type AuthSource, type FetchContext } from './fetcher';
import { PacedLanes, RequestLanes, type BulkGate, type LaneOptions } from './lanes';
import { PageSession } from './page-session';

/**
 * Conversation reads and backup listings one at a time, 250 ms apart (docs/CHATGPT.md section 7: reads are
 * what is rate-limited). File resolutions four at a time with no gap, as the web app resolves the images it
 * shows; four byte downloads at once (the queue runs eight jobs, so resolutions overlap downloads): a few bodies
 * in parallel keep the connection busy without hammering the file host.
 */
export const WORKER_LANES: LaneOptions = { jsonGapMs: 250, resolveConcurrency: 4, bytesConcurrency: 4 };

export class WorkerNet {
  /** One JSON lane and one byte lane for everything the worker sends (the backup's pacer runs in this JSON lane too). */
  readonly lanes: RequestLanes;
  private readonly sessions = new Map<string, PageSession>();
  /** Bulk work's lanes: its JSON through the bulk pacer, its bytes in the shared byte lane. */
  private paced: PacedLanes | null = null;

  constructor(
    private readonly doFetch: typeof fetch = (input, init) => fetch(input, init),
    lanes: LaneOptions = WORKER_LANES,
  ) {
    this.lanes = new RequestLanes(lanes);
  }

  /** From now on, bulk work's JSON requests (`context(..., true)`) go one at a time through `gate`. */
  pacedBy(gate: BulkGate): void {
    this.paced = new PacedLanes(this.lanes, gate);
  }

  /**
   * A context for requests on behalf of a tab on `origin` whose workspace cookie is `account`; `bulk`: for
   * bulk work (a backup's or catch-up's downloads), paced by the bulk pacer once one is set.
   */
  context(origin: string | null, account: string | null, bulk = false): FetchContext {
    const o = chatgptOrigin(origin);
    return createFetchContext(o, this.doFetch, this.auth(o, account), (bulk && this.paced) || this.lanes);
  }

  /** The worker's one session of `origin` (one token read at a time), speaking for workspace `account`. */
  auth(origin: string | null, account: string | null): AuthSource {
    const o = chatgptOrigin(origin);
    let session = this.sessions.get(o);
    if (!session) {
      // A worker has no document.cookie: the workspace comes with each request (forWorkspace) instead.
      session = new PageSession(o, this.doFetch, () => '');
      this.sessions.set(o, session);
    }
    return session.forWorkspace(account);
  }
}
