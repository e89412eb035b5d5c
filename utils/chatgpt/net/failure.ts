/**
 * Why a capture attempt did not produce bytes, and what to do about it. "Expired is not failed": `gone`
 * means the source said the thing no longer exists (docs/FORMATS.md section 1); everything else is transient
 * and retried with backoff until the attempts run out.
 */

export type FailureCause =
  /** The source says it is gone: interpreter `status:"error"`, 404/410, bytes refused after a fresh resolution. */
  | 'gone'
  /** Gone-looking answer for a message that is seconds old: the file may not be downloadable yet. */
  | 'not-ready'
  /** 429. */
  | 'rate-limited'
  /** 5xx. */
  | 'server'
  /** 401/403 on an API call after refreshing the token. */
  | 'auth'
  /** fetch rejected (connection reset, DNS, CORS). */
  | 'network'
  /** No answer, or the body stopped flowing, within the time limit. */
  | 'timeout'
  /** Fewer bytes than declared. Never stored. */
  | 'truncated'
  /** The answer had a shape we do not understand (or redirected where it must not). */
  | 'bad-response'
  /** Larger than the vault's size limit per file: `failed` at once, never downloaded again. */
  | 'too-large'
  /** No ChatGPT tab (or no session) to fetch from. */
  | 'no-executor';

export interface Failure {
  cause: FailureCause;
  /** Short, human-readable; shown to the person as the artifact's reason. Never contains a URL or token. */
  reason: string;
  /** From a Retry-After header, when the server sent one. */
  retryAfterMs?: number | null;
  /**
   * The file host refused the bytes with a 403. For a tab that means the link is gone; for the worker it may
   * mean the host does not serve the worker, so the worker lets a tab try before anything is marked expired.
   */
  hostRefused?: boolean;
}

export class CaptureFailure extends Error {
  constructor(readonly failure: Failure) {
    super(failure.reason);
    this.name = 'CaptureFailure';
  }
}

export function fail(cause: FailureCause, reason: string, retryAfterMs?: number | null): never {
  throw new CaptureFailure({ cause, reason, retryAfterMs: retryAfterMs ?? null });
}

const CAUSES: ReadonlySet<string> = new Set<FailureCause>([
  'gone', 'not-ready', 'rate-limited', 'server', 'auth', 'network', 'timeout', 'truncated', 'bad-response', 'too-large',
  'no-executor',
]);

/** For a cause that crossed a message boundary. */
export function isFailureCause(v: unknown): v is FailureCause {
  return typeof v === 'string' && CAUSES.has(v);
}

/** Turn anything thrown during a capture into a Failure. */
export function toFailure(err: unknown): Failure {
  if (err instanceof CaptureFailure) return err.failure;
  // A CaptureFailure thrown in a message handler: the messaging library rebuilds a plain Error with its own
  // fields at the sender, so `failure` is there but `instanceof` is not.
  const carried = err instanceof Error && err.name === 'CaptureFailure' ? (err as { failure?: Partial<Failure> }).failure : undefined;
  if (carried && isFailureCause(carried.cause) && typeof carried.reason === 'string') {
    return { cause: carried.cause, reason: carried.reason.slice(0, 300), retryAfterMs: typeof carried.retryAfterMs === 'number' ? carried.retryAfterMs : null };
  }
  if (err instanceof DOMException && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return { cause: 'timeout', reason: 'The server did not answer in time' };
  }
  if (err instanceof TypeError) return { cause: 'network', reason: `Network error: ${err.message}`.slice(0, 200) };
  const message = err instanceof Error ? err.message : String(err);
  return { cause: 'network', reason: message.slice(0, 200) };
}

/**
 * The longest pause a Retry-After buys: 10 minutes. Twice our own longest backoff (5 min), so an honest
 * server's longer request is mostly honoured, and short because the pause holds the shared JSON lane (live
 * reads included); far below the 2^31-1 ms (24.8 days) where `setTimeout` overflows and fires at once. A
 * server still limiting after it answers 429 again, and the next pause begins.
 */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;

/** Parse a Retry-After header (seconds or HTTP date) into milliseconds from `now`, at most MAX_RETRY_AFTER_MS. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  const ms = parseRetryAfterUncapped(value, now);
  return ms === null ? null : Math.min(ms, MAX_RETRY_AFTER_MS);
}

function parseRetryAfterUncapped(value: string | null, now: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // An HTTP date names its month (RFC 9110). Date.parse also takes things like "-5" (year -5), which
  // used to come back as 0 ms: an instant retry on a malformed header.
  if (!/[A-Za-z]{3}/.test(trimmed)) return null;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}
