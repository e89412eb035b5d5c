/**
 * "In the worker, else a tab": the worker does ChatGPT work with its own session first (no JSON, byte or
 * base64 crosses a page), and a ChatGPT tab does it only when the backend will not serve the worker. Every
 * such piece of work (conversation reads, downloads, backup reads) comes back from the worker as one
 * `WorkerAttempt`, decided by one rule (`refusesWorker`); the caller hands a refused one to its tab: the tab
 * that asked reads the conversation itself (utils/worker/capture/tab-reads.ts), the queue gives the job to a
 * tab's port (utils/worker/capture/queue.ts), the backup asks a tab with `pageRead`
 * (utils/worker/backup/client.ts).
 */
import { toFailure, type Failure } from '@/utils/chatgpt/net/failure';

export type WorkerAttempt<T> =
  | { ok: true; value: T }
  /** The backend will not serve the worker: a tab should do this. */
  | { ok: false; refused: true; failure: Failure; error: unknown }
  /** Failed for another cause (rate limit, server error, timeout, gone...): a tab would fare no better. */
  | { ok: false; refused: false; failure: Failure; error: unknown };

/**
 * The one rule for "the backend will not serve the worker": 401/403 after a fresh token, a challenge page or
 * any answer we cannot read, a network error (CORS, a blocked request), or the file host refusing the bytes.
 */
export function refusesWorker(failure: Failure): boolean {
  return failure.cause === 'auth' || failure.cause === 'bad-response' || failure.cause === 'network' || failure.hostRefused === true;
}

/** Runs `work` in the worker; what it throws becomes a refusal or a failure, never an exception. */
export async function attemptInWorker<T>(work: () => Promise<T>): Promise<WorkerAttempt<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    const failure = toFailure(error);
    return refusesWorker(failure) ? { ok: false, refused: true, failure, error } : { ok: false, refused: false, failure, error };
  }
}

/**
 * A raw answer to one of the worker's requests as a Failure when it is what a refusal looks like (signed out
 * for the worker, a redirect to a login, a challenge page where JSON was asked for), else null: for callers
 * that read the Response themselves rather than through the fetcher, so they apply the same rule.
 */
export function refusalIn(res: Response): Failure | null {
  if (res.status === 401 || res.status === 403) return { cause: 'auth', reason: `ChatGPT refused the worker's request (HTTP ${res.status})` };
  if (res.type === 'opaqueredirect') return { cause: 'bad-response', reason: "ChatGPT redirected the worker's request" };
  if (res.ok && !/json/i.test(res.headers.get('content-type') ?? 'json')) return { cause: 'bad-response', reason: 'ChatGPT answered the worker with a page, not JSON' };
  return null;
}
