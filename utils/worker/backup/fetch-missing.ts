/**
 * `Fetch missing files`, in the background: the reconcile view hands over the report's `lost` items that can
 * be resolved without a conversation read (a file id: the file download route; a sandbox file: the
 * interpreter download with the message id from the export), and this runner fetches them one by one as a
 * persistent run (Dexie `fetchRuns` / `fetchItems`): a stopped worker resumes it, Pause/Resume/Cancel work
 * as for `Back up everything`. Every JSON request goes through the worker's one bulk Pacer (`PacedLanes` in utils/chatgpt/net/lanes.ts);
 * the bytes land in the vault with the report's provenance, or the item ends `expired` or `failed` with the
 * reason. The page reads the outcomes back to update its report (`results`).
 */
import { idShape } from '@/utils/chatgpt/ids';
import { projectIdFromGizmo } from '@/utils/chatgpt/routes';
import { toFailure } from '@/utils/chatgpt/net/failure';
import { ByteSink } from '@/utils/worker/capture/byte-sink';
import { fetchArtifact, type FetchContext, type JobSpec } from '@/utils/chatgpt/net/fetcher';
import { ARTIFACT_KINDS, artifactIdentity, TEXT_KINDS, type ArtifactKind, type ArtifactRef } from '@/utils/model';
import {
  commitPrepared, fetchRunItems, getConversation, finishFetchItem, getArtifact, getFetchRun, markStatus, nextFetchItem, prepareBytes, recordRefs, saveFetchRun,
  startFetchRun, VaultError,
  type FetchItemRecord, type FetchRunRecord, type VaultDb,
} from '@/utils/vault';
import type { FetchMissingOutcome, FetchMissingRequestItem } from '@/utils/messaging';
import { BackupError, settleStoppedRun } from './client';
import { PacedLanes } from '@/utils/chatgpt/net/lanes';
import type { Pacer } from './pacer';
import type { RunPlace } from './runner';
import { t } from '@/utils/i18n';

export const FETCH_RUN = 'fetch-missing';

type FetchMissingItem = FetchMissingRequestItem;
type FetchOutcome = FetchMissingOutcome;

/** A run of at most this many items (a report's `lost` items; far more than any real history has). */
const MAX_ITEMS = 200_000;
/** Transient failures (server, time-out, network, cut-off body) of one item before it ends `failed`. */
const TRIES = 3;

/** Whether a report item can be fetched without a conversation read: a downloadable file id, or a sandbox link with its message. */
export function isFetchable(i: Pick<FetchMissingItem, 'kind' | 'conversationId' | 'messageId' | 'fileId' | 'sandboxPath'>): boolean {
  if (TEXT_KINDS.has(i.kind) || !nonEmpty(i.conversationId)) return false;
  if (i.kind === 'sandbox-file') return nonEmpty(i.messageId) && typeof i.sandboxPath === 'string' && i.sandboxPath.startsWith('/mnt/data/');
  // A `libfile_` id names a Library row, not a file the download route resolves.
  const shape = idShape(i.fileId);
  return shape !== null && shape !== 'libfile';
}

const nonEmpty = (s: unknown): s is string => typeof s === 'string' && s.length > 0 && s.length <= 500;
const optional = (s: unknown, max = 2_000): string | null => (typeof s === 'string' && s.length > 0 ? s.slice(0, max) : null);

/** The page's list, checked: a malformed one is refused whole; items that cannot be fetched are dropped. */
export function checkFetchItems(raw: unknown): FetchMissingItem[] {
  if (!Array.isArray(raw)) throw new Error('items must be an array');
  if (raw.length > MAX_ITEMS) throw new Error(`At most ${MAX_ITEMS} files can be fetched in one run`);
  const out: FetchMissingItem[] = [];
  const keys = new Set<number>();
  for (const r of raw as unknown[]) {
    if (typeof r !== 'object' || r === null) throw new Error('each item must be an object');
    const o = r as Record<string, unknown>;
    if (typeof o.key !== 'number' || !Number.isInteger(o.key) || o.key < 0 || keys.has(o.key)) throw new Error('each item needs its own integer key');
    if (!ARTIFACT_KINDS.includes(o.kind as ArtifactKind)) throw new Error(`unknown kind ${String(o.kind).slice(0, 40)}`);
    const item: FetchMissingItem = {
      key: o.key, kind: o.kind as ArtifactKind,
      conversationId: typeof o.conversationId === 'string' ? o.conversationId : '',
      messageId: typeof o.messageId === 'string' ? o.messageId : '',
      fileId: optional(o.fileId, 200), genId: optional(o.genId, 200), fileName: optional(o.fileName, 500),
      sandboxPath: optional(o.sandboxPath, 1_000), prompt: optional(o.prompt, 20_000),
      gizmoId: projectIdFromGizmo(optional(o.gizmoId, 200)) ? optional(o.gizmoId, 200) : null,
    };
    if (!isFetchable(item)) continue;
    keys.add(item.key);
    out.push(item);
  }
  return out;
}

export interface FetchMissingDeps {
  db: VaultDb;
  /** The backup's one Pacer: every JSON request of the run goes through it. */
  pacer: Pacer;
  /** The worker's network for a place: session, token, workspace; its byte lane is used for the bytes. */
  context(origin: string, account: string | null): FetchContext;
  now?: () => number;
  /** Called whenever a run changed (progress, state). */
  onUpdate?(run: FetchRunRecord): void;
}

const PAUSE = 'fetch-paused';
const CANCEL = 'fetch-cancelled';

export class FetchMissingRunner {
  private active: { run: FetchRunRecord; controller: AbortController; done: Promise<void> } | null = null;
  private readonly now: () => number;

  constructor(private readonly deps: FetchMissingDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Starts a run over `items` (or returns the one still going, which keeps its own items). */
  async start(items: readonly FetchMissingItem[], place: RunPlace, reportToken: string): Promise<FetchRunRecord> {
    const { db } = this.deps;
    const now = this.now();
    const fresh: FetchRunRecord = {
      id: FETCH_RUN, reportToken, origin: place.origin, account: place.account, state: 'running', total: items.length,
      counts: { saved: 0, expired: 0, failed: 0 }, step: t('fetch_step_starting'), startedAt: now, updatedAt: now, finishedAt: null, error: null,
    };
    const run = await startFetchRun(db, fresh, () => items.map((i, order): FetchItemRecord => ({
      id: `${FETCH_RUN}|${i.key}`, runId: FETCH_RUN, key: i.key, order, state: 'todo', kind: i.kind, conversationId: i.conversationId,
      messageId: i.messageId, fileId: i.fileId, genId: i.genId, fileName: i.fileName, sandboxPath: i.sandboxPath, prompt: i.prompt,
      reason: null, sha256: null, gizmoId: i.gizmoId ?? null,
    })));
    if (run.state === 'running') this.drive(run);
    return this.active?.run ?? run;
  }

  /** After a worker start: continue a run that was running. */
  async resumeAll(): Promise<void> {
    const run = await getFetchRun(this.deps.db, FETCH_RUN);
    if (run?.state === 'running') this.drive(run);
  }

  async status(): Promise<FetchRunRecord | null> {
    return this.active?.run ?? (await getFetchRun(this.deps.db, FETCH_RUN));
  }

  isBusy(): boolean {
    return this.active !== null;
  }

  /** How the items that ended so far ended, in report order. */
  async results(): Promise<FetchOutcome[]> {
    const items = await fetchRunItems(this.deps.db, FETCH_RUN);
    return items
      .filter((i): i is FetchItemRecord & { state: FetchOutcome['state'] } => i.state !== 'todo')
      .sort((a, b) => a.order - b.order)
      .map((i) => ({ key: i.key, state: i.state, reason: i.reason, sha256: i.sha256 }));
  }

  pause(): Promise<FetchRunRecord | null> {
    return this.control('paused', PAUSE);
  }

  cancel(): Promise<FetchRunRecord | null> {
    return this.control('cancelled', CANCEL);
  }

  async resume(): Promise<FetchRunRecord | null> {
    await this.active?.done;
    const run = await getFetchRun(this.deps.db, FETCH_RUN);
    if (!run || run.state !== 'paused') return run ?? null;
    run.state = 'running';
    run.step = t('run_step_resuming');
    run.error = null;
    await this.save(run);
    this.drive(run);
    return this.active?.run ?? run;
  }

  private async control(state: 'paused' | 'cancelled', reason: string): Promise<FetchRunRecord | null> {
    const live = this.active;
    if (live) {
      if (live.run.state !== 'running') return live.run;
      live.run.state = state;
      live.controller.abort(new DOMException(reason, 'AbortError'));
      await live.done;
      return live.run;
    }
    const run = await getFetchRun(this.deps.db, FETCH_RUN);
    if (!run || run.state === 'done' || run.state === 'cancelled' || (state === 'paused' && run.state === 'paused')) return run ?? null;
    run.state = state;
    run.step = state === 'paused' ? '' : t('run_step_cancelled');
    if (state === 'cancelled') run.finishedAt = this.now();
    await this.save(run);
    return run;
  }

  private async save(run: FetchRunRecord): Promise<void> {
    run.updatedAt = this.now();
    await saveFetchRun(this.deps.db, run);
    this.deps.onUpdate?.(run);
  }

  private drive(run: FetchRunRecord): void {
    if (this.active) return;
    const controller = new AbortController();
    const entry = { run, controller, done: Promise.resolve() };
    this.active = entry;
    entry.done = this.loop(run, controller.signal)
      .catch(async (err: unknown) => {
        settleStoppedRun(run, err, controller.signal.aborted, this.now());
        await saveFetchRun(this.deps.db, { ...run, updatedAt: this.now() }).catch(() => undefined);
      })
      .finally(() => {
        this.active = null;
        this.deps.onUpdate?.(run);
      });
  }

  private async loop(run: FetchRunRecord, signal: AbortSignal): Promise<void> {
    const { db } = this.deps;
    const base = this.deps.context(run.origin, run.account);
    const ctx: FetchContext = { ...base, lanes: new PacedLanes(base.lanes, this.deps.pacer, signal) };
    for (;;) {
      signal.throwIfAborted();
      const item = await nextFetchItem(db, FETCH_RUN);
      if (!item) break;
      const c = run.counts;
      run.step = t('fetch_step_fetching', c.saved + c.expired + c.failed + 1, run.total, item.fileName ?? item.fileId ?? item.sandboxPath ?? '');
      await this.save(run);
      const outcome = await this.fetchOne(run, item, ctx, signal);
      run.counts[outcome.state]++;
      await finishFetchItem(db, run, { ...item, state: outcome.state, reason: outcome.reason, sha256: outcome.sha256 }, this.now);
      this.deps.onUpdate?.(run);
    }
    const c = run.counts;
    run.state = 'done';
    run.finishedAt = this.now();
    run.step = t('fetch_step_done', c.saved, c.expired, c.failed);
    await this.save(run);
  }

  /** One item: its artifact recorded with the report's provenance, then resolved and downloaded. */
  private async fetchOne(run: FetchRunRecord, item: FetchItemRecord, ctx: FetchContext, signal: AbortSignal): Promise<Omit<FetchOutcome, 'key'>> {
    const { db } = this.deps;
    const ref: ArtifactRef = {
      kind: item.kind, conversationId: item.conversationId, messageId: item.messageId, fallbackMessageId: null, fileId: item.fileId,
      genId: item.genId, prompt: item.prompt, seed: null, fileName: item.fileName, sandboxPath: item.sandboxPath, mimeType: null,
      size: null, width: null, height: null, createTime: null, onCurrentPath: true,
    };
    const id = artifactIdentity(ref);
    if (id === null) return { state: 'failed', reason: 'No file id or sandbox path to fetch', sha256: null };
    await recordRefs(db, [ref], { source: 'backup', conversationTitle: null });
    const known = await getArtifact(db, id);
    // Saved meanwhile (live capture, a backup): nothing to fetch.
    if (known?.status === 'saved' && known.sha256) return { state: 'saved', reason: null, sha256: known.sha256 };
    // A project chat's file needs the project header: the export's word, else the vault's copy of the conversation.
    const gizmoId = item.gizmoId ?? (await getConversation(db, item.conversationId))?.gizmoId ?? null;
    const spec: JobSpec = {
      jobId: `${FETCH_RUN}:${id}`, artifactId: id, kind: item.kind, conversationId: item.conversationId, fileId: item.fileId,
      sandboxPath: item.sandboxPath, messageId: item.messageId, fallbackMessageId: null, messageCreateTime: null, declaredSize: null,
      fileName: item.fileName, gizmoId, origin: run.origin, account: run.account,
    };
    let transient = 0;
    for (;;) {
      signal.throwIfAborted();
      try {
        const sink = new ByteSink(ctx.maxFileBytes);
        const file = await untilAborted(fetchArtifact(spec, ctx, sink), signal);
        const prepared = await prepareBytes(id, sink.bytes(), { mimeType: file.mimeType, fileId: file.fileId, fileName: file.fileName, source: 'backup', owned: true });
        const [saved] = await commitPrepared(db, [prepared]);
        if (!saved || saved instanceof VaultError) return { state: 'failed', reason: saved?.message ?? 'Not stored', sha256: null };
        return { state: 'saved', reason: null, sha256: saved.sha256 };
      } catch (err) {
        if (signal.aborted) throw err;
        if (err instanceof VaultError) throw err;
        const failure = toFailure(err);
        if (failure.cause === 'rate-limited') continue; // the pacer is paused for everyone; this item waits its turn again
        if (failure.cause === 'auth') throw new BackupError(failure.reason, 401, true);
        if (failure.cause === 'gone') {
          await markStatus(db, id, 'expired', failure.reason);
          return { state: 'expired', reason: failure.reason, sha256: null };
        }
        const retry = failure.cause === 'server' || failure.cause === 'timeout' || failure.cause === 'network' || failure.cause === 'truncated';
        if (retry && ++transient < TRIES) {
          this.deps.pacer.hold(2_000 * transient);
          continue;
        }
        await markStatus(db, id, 'failed', failure.reason);
        return { state: 'failed', reason: failure.reason, sha256: null };
      }
    }
  }
}

/**
 * `work`, or the signal's reason as soon as it aborts: Pause and Cancel answer at once rather than after a
 * slow resolution's time limit (the fetcher takes no signal; its late result is dropped, nothing is saved).
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
