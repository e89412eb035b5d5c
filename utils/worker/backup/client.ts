/**
 * The backup's conversation with ChatGPT's JSON API, from the background: every request (the session token
 * included) goes through the one Pacer, so no two JSON requests are ever in flight. A 429 pauses the pacer and
 * the request is tried again after the pause, for as long as it takes (the person sees the countdown and can
 * cancel); a server error or a network failure is tried a few times and then thrown, so the caller can record
 * that one conversation as failed and go on.
 */
import { projectIdFromGizmo } from '@/utils/chatgpt/routes';
import { projectHeaders, workspaceCookieString } from '@/utils/chatgpt/session';
import { CaptureFailure, parseRetryAfter, toFailure } from '@/utils/chatgpt/net/failure';
import { authedGet, boundedText, type AuthSource } from '@/utils/chatgpt/net/fetcher';
import { PageSession } from '@/utils/chatgpt/net/page-session';
import type { PageReadAnswer } from '@/utils/messaging';
import type { Pacer } from './pacer';
import { attemptInWorker, refusalIn } from '@/utils/worker/worker-or-tab';
import { t } from '@/utils/i18n';

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
  /**
   * The worker's session for this origin and workspace (`WorkerNet.auth`), so the backup and the capture read
   * one token, one request at a time; absent (tests, a page): a session of this client's own.
   */
  auth?: AuthSource;
  /**
   * Has a ChatGPT tab of the origin fetch the URL, for when the backend refuses the worker's own requests;
   * throws a BackupError that stops the run when no such tab is open.
   */
  tabRead?: (url: string, projectId: string | null) => Promise<PageReadAnswer>;
  /**
   * A 429 throws a BackupError (status 429) after pausing the pacer, instead of asking again after the pause:
   * for catch-up, which stops until its next check rather than keep a worker waiting.
   */
  stopOnRateLimit?: boolean;
}

export class BackupError extends Error {
  constructor(
    message: string,
    readonly status: number | null = null,
    /** Nothing else can succeed either (signed out, refused with no tab to read through): pause the run, not one item. */
    readonly stopsRun = false,
  ) {
    super(message);
    this.name = 'BackupError';
  }
}

/**
 * What a run stopped by `err` records: the error, and the step that says it, with "sign in first" only when
 * ChatGPT signed the worker out (401), not when it asks for a tab.
 */
export function stoppedBy(err: unknown): { error: string; step: string } {
  const error = err instanceof Error ? err.message : String(err);
  return { error, step: t(err instanceof BackupError && err.status === 401 ? 'run_step_stopped_signed_out' : 'run_step_stopped', error) };
}

/** The fields of a run (backup or `Fetch missing files`) that say how it stopped. */
interface StoppableRun {
  state: 'running' | 'paused' | 'done' | 'cancelled';
  step: string;
  error: string | null;
  finishedAt: number | null;
}

/**
 * Records on `run` why its loop ended: the person paused or cancelled it (`aborted`), or something below the
 * run broke (signed out, IndexedDB), which pauses it with the reason so the person can resume.
 */
export function settleStoppedRun(run: StoppableRun, err: unknown, aborted: boolean, now: number): void {
  if (aborted) {
    run.step = run.state === 'paused' ? '' : t('run_step_cancelled');
    if (run.state === 'cancelled') run.finishedAt = now;
  } else {
    run.state = 'paused';
    ({ error: run.error, step: run.step } = stoppedBy(err));
  }
}

type Outcome = { text: string | null } | { retryAfter: number | null } | { error: string; status: number | null };

export class BackupClient {
  private readonly session: AuthSource;
  private readonly doFetch: typeof fetch;
  /** Set once the backend refused the worker: every later request of this client goes through a tab. */
  private viaTab = false;

  constructor(private readonly opts: BackupClientOptions) {
    this.doFetch = opts.fetch ?? ((input, init) => fetch(input, init));
    this.session = opts.auth ?? new PageSession(opts.origin, this.doFetch, () => workspaceCookieString(opts.account ?? null));
  }

  /**
   * Whether this client now reads through a tab (the backend refused the worker). It never turns back, so a
   * text returned while it is true was read and delivered by a content script.
   */
  get throughTab(): boolean {
    return this.viaTab;
  }

  /**
   * The body as text, or null for a 404. Throws BackupError; aborts with the signal. `gizmoId`: the GPT or
   * project of the conversation read, whose project header the request carries (utils/chatgpt/session.ts).
   */
  async getText(url: string, signal?: AbortSignal, gizmoId: string | null = null): Promise<string | null> {
    const tries = this.opts.transientTries ?? 3;
    let failures = 0;
    for (;;) {
      signal?.throwIfAborted();
      let outcome: Outcome;
      try {
        outcome = await this.opts.pacer.run(() => this.once(url, signal, gizmoId), signal);
      } catch (err) {
        if (signal?.aborted || err instanceof BackupError) throw err;
        const failure = toFailure(err);
        if (failure.cause === 'rate-limited') outcome = { retryAfter: failure.retryAfterMs ?? null };
        // Past the size bound: this item fails at once, asking again would read as much again.
        else if (failure.cause === 'too-large') throw new BackupError(failure.reason);
        else if (failure.cause === 'auth') throw new BackupError(failure.reason, 401, true);
        else outcome = { error: failure.reason, status: null };
      }
      if ('text' in outcome) {
        this.opts.pacer.succeeded();
        return outcome.text;
      }
      if ('retryAfter' in outcome) {
        this.opts.pacer.rateLimited(outcome.retryAfter);
        if (this.opts.stopOnRateLimit) throw new BackupError('ChatGPT is rate limiting requests (HTTP 429)', 429);
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

  private async once(url: string, signal: AbortSignal | undefined, gizmoId: string | null): Promise<Outcome> {
    const timeout = AbortSignal.timeout(this.opts.timeoutMs ?? 30_000);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const tabRead = this.opts.tabRead;
    if (!this.viaTab) {
      // With a tab to read through, an answer that refuses the worker (signed out for it, a challenge page, a
      // redirect to a login) goes to the tab, as does the session endpoint refusing it or a blocked request.
      const attempt = await attemptInWorker(async () => {
        const res = await authedGet(this.doFetch, this.session, url, combined, projectHeaders(gizmoId));
        const refusal = tabRead ? refusalIn(res) : null;
        if (refusal) {
          await res.body?.cancel();
          throw new CaptureFailure(refusal);
        }
        return res;
      });
      if (attempt.ok) {
        const res = attempt.value;
        const text = res.ok ? await boundedText(res) : (await res.body?.cancel(), null);
        return outcome(res.status, text, res.headers.get('retry-after'));
      }
      // A timeout or a cancel is not a refusal.
      if (!tabRead || combined.aborted || !attempt.refused) throw attempt.error;
      this.viaTab = true;
    }
    const answer = await tabRead!(url, projectIdFromGizmo(gizmoId));
    return outcome(answer.status, answer.text, answer.retryAfter);
  }
}

function outcome(status: number, text: string | null, retryAfter: string | null): Outcome {
  if (status === 404) return { text: null };
  if (status === 429) return { retryAfter: parseRetryAfter(retryAfter) };
  if (status === 401) throw new BackupError('ChatGPT refused the request (signed out?) (HTTP 401)', 401, true);
  if (status < 200 || status > 299 || text === null) {
    const what = status === 403 || status === 0 ? 'ChatGPT refused the request (signed out?)' : 'ChatGPT answered';
    return { error: `${what} (HTTP ${status})`, status };
  }
  return { text };
}
