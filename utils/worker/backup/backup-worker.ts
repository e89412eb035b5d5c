/**
 * Background wiring of the backup: one Pacer for every backup request, the runner, its messages
 * (`backupStart`, `backupStatus`, `backupControl`), resuming after a worker start, staying awake while a run
 * goes on, and the notification when a long run ends. Entry point: `startBackupBackground()`.
 */
import { chatgptOrigin } from '@/utils/chatgpt/routes';
import { isConversationId } from '@/utils/chatgpt/ids';
import { requireExtensionPage } from '@/utils/worker/senders';
import type { AuthSource, FetchContext } from '@/utils/chatgpt/net/fetcher';
import { onMessage, sendMessage, type BackupStatus, type FetchMissingStatus, type PageReadAnswer } from '@/utils/messaging';
import { keepAliveSwitch } from '@/utils/keep-alive';
import { backupPacing, bucketModel, type BackupPacing } from '@/utils/storage';
import { exportIndexMeta, failedItems, type BackupRunRecord, type FetchRunRecord, type VaultDb } from '@/utils/vault';
import { BackupClient, BackupError } from './client';
import { DEFAULT_BUCKET, parseBucketState, type BucketState } from './bucket';
import { checkFetchItems, FetchMissingRunner } from './fetch-missing';
import { DEFAULT_PACING, Pacer, type PacerOptions } from './pacer';
import { BackupRunner, progressOf, remainingRequests, type ReadPlace } from './runner';
import { t } from '@/utils/i18n';

export interface BackupBackgroundDeps {
  db: VaultDb;
  /** The worker's one bulk pacer (bulkPacer), shared with catch-up, bulk downloads and `Fetch missing files`; a private one when absent. */
  pacer?: Pacer;
  recordConversation(json: string, conversationId: string, gizmoId: string | null, where: ReadPlace, readTextdocs?: () => Promise<string | null>): Promise<void>;
  kick(): void;
  /**
   * The workspace cookie a run on `origin` speaks for: that of the tab it was started for, else the one the
   * ChatGPT tabs last reported (null: the personal account).
   */
  workspace(origin: string, tabId: number | null): Promise<string | null>;
  /** Drops queued downloads of a cancelled run (the capture queue's `cancelDownloads`). */
  cancelDownloads(artifactIds: readonly string[], reason: string): Promise<string[]>;
  /** The worker's network for `Fetch missing files` (utils/chatgpt/net/worker-net.ts); absent: that message is refused. */
  net?: { context(origin: string, account: string | null): FetchContext; auth(origin: string, account: string | null): AuthSource };
}

/** A run that lasted at least this long gets a notification when it ends (short ones are watched anyway). */
const NOTIFY_AFTER_MS = 20_000;

const WAKE_ALARM = 'backup-wake';

export function startBackupBackground(deps: BackupBackgroundDeps): BackupRunner {
  const pacer = deps.pacer ?? new Pacer(DEFAULT_PACING);
  // Read again at every start, so a changed override applies to the next run.
  const applyPacing = () => backupPacing.getValue().then(async (o) => {
    const before = pacer.options.bucket;
    Object.assign(pacer.options, DEFAULT_PACING, clampPacing(o));
    const after = pacer.options.bucket!;
    if (before?.capacity === after.capacity && before.refillMs === after.refillMs && bucketLoaded) return;
    // The persisted model, when it grew from these defaults; else a fresh one.
    const stored = await bucketModel.getValue().catch(() => null);
    const same = stored?.defaults.capacity === after.capacity && stored.defaults.refillMs === after.refillMs;
    pacer.restoreBucket(same ? parseBucketState(stored.state) : null);
    bucketLoaded = true;
  }).catch(() => undefined);
  let bucketLoaded = false;
  pacer.options.onBucket = bucketSaver(pacer);
  const ready = applyPacing();
  const clients = new Map<string, BackupClient>();
  const keepAlive = keepAliveSwitch();
  // Stays awake while a backup or a `Fetch missing files` run goes on.
  const keepAwake = () => {
    const busy = runner.isBusy() || fetchRunner.isBusy();
    if (!keepAlive(busy)) return;
    // Should Chrome stop the worker anyway (a browser under pressure), this alarm starts it again within a
    // minute, and the start resumes the run from its checkpoint.
    const alarms = (browser as Partial<typeof browser>).alarms;
    if (busy) void alarms?.create(WAKE_ALARM, { periodInMinutes: 1 });
    else void alarms?.clear(WAKE_ALARM);
  };

  const runner = new BackupRunner({
    db: deps.db,
    client: (origin, account) => {
      const key = `${origin} ${account ?? ''}`;
      let c = clients.get(key);
      if (!c) clients.set(key, (c = new BackupClient({ origin, pacer, account, auth: deps.net?.auth(origin, account), tabRead: (url, gizmoId) => readInTab(origin, account, url, gizmoId) })));
      return c;
    },
    recordConversation: (json, id, gizmoId, where, readTextdocs) => deps.recordConversation(json, id, gizmoId, where, readTextdocs),
    kick: () => deps.kick(),
    cancelDownloads: (ids, reason) => deps.cancelDownloads(ids, reason),
    onUpdate: keepAwake,
    onFinish: (run) => void notifyFinished(run),
  });
  const net = deps.net;
  const fetchRunner = new FetchMissingRunner({
    db: deps.db,
    pacer,
    context: (origin, account) => {
      if (!net) throw new Error('No network for fetching files in this worker');
      return net.context(origin, account);
    },
    onUpdate: keepAwake,
  });
  void ready.then(() => Promise.all([runner.resumeAll(), net ? fetchRunner.resumeAll() : undefined]))
    .catch((err) => console.error('[artifact-vault] backup resume failed', err));

  const status = async (id: string): Promise<BackupStatus | null> => {
    const run = await runner.status(id);
    return run ? toStatus(deps.db, run, pacer) : null;
  };

  // UI messages: only from the extension's own pages (a content script beside a hostile page gets none).
  onMessage('backupStart', async ({ data, sender }) => {
    requireExtensionPage(sender);
    await ready;
    await applyPacing();
    let run: BackupRunRecord;
    if (data.scope === 'everything') {
      const origin = chatgptOrigin(null);
      const exportFirst = data.exportFirst === true ? await exportIndexMeta(deps.db) : null;
      run = await runner.start('everything', { origin, account: await deps.workspace(origin, null) }, null, exportFirst);
    } else {
      if (!isConversationId(data.conversationId)) throw new Error('Open a ChatGPT conversation to back it up');
      const origin = chatgptOrigin(data.origin);
      const tabId = typeof data.tabId === 'number' && Number.isInteger(data.tabId) ? data.tabId : null;
      run = await runner.start('conversation', { origin, account: await deps.workspace(origin, tabId) }, data.conversationId);
    }
    return (await status(run.id))!;
  });

  onMessage('backupStatus', async ({ data, sender }) => {
    requireExtensionPage(sender);
    if (typeof data.runId !== 'string') throw new Error('runId is required');
    return status(data.runId);
  });

  onMessage('backupControl', async ({ data, sender }) => {
    requireExtensionPage(sender);
    const { runId, action } = data;
    if (action === 'pause') await runner.pause(runId);
    else if (action === 'resume') await runner.resume(runId);
    else if (action === 'cancel') await runner.cancel(runId);
    else throw new Error(`Unknown backup action ${String(action)}`);
    return status(runId);
  });

  onMessage('exportIndexInfo', async ({ sender }) => {
    requireExtensionPage(sender);
    return exportIndexMeta(deps.db);
  });

  const fetchStatus = async (): Promise<FetchMissingStatus | null> => {
    const run = await fetchRunner.status();
    return run ? toFetchStatus(run, pacer) : null;
  };

  onMessage('fetchMissingStart', async ({ data, sender }) => {
    requireExtensionPage(sender);
    if (!net) throw new Error('Fetching files is not available here');
    if (typeof data.reportToken !== 'string' || data.reportToken.length === 0 || data.reportToken.length > 100) throw new Error('reportToken is required');
    const items = checkFetchItems(data.items);
    await ready;
    await applyPacing();
    const origin = chatgptOrigin(null);
    await fetchRunner.start(items, { origin, account: await deps.workspace(origin, null) }, data.reportToken);
    return (await fetchStatus())!;
  });

  onMessage('fetchMissingStatus', async ({ sender }) => {
    requireExtensionPage(sender);
    return fetchStatus();
  });

  onMessage('fetchMissingControl', async ({ data, sender }) => {
    requireExtensionPage(sender);
    if (data.action === 'pause') await fetchRunner.pause();
    else if (data.action === 'resume') await fetchRunner.resume();
    else if (data.action === 'cancel') await fetchRunner.cancel();
    else throw new Error(`Unknown action ${String(data.action)}`);
    return fetchStatus();
  });

  onMessage('fetchMissingResults', async ({ sender }) => {
    requireExtensionPage(sender);
    return fetchRunner.results();
  });

  return runner;
}

function toFetchStatus(run: FetchRunRecord, pacer: Pacer): FetchMissingStatus {
  const c = run.counts;
  const paused = run.state === 'running' && pacer.remainingPause() > 0 ? pacer.pausedUntil : null;
  return {
    reportToken: run.reportToken,
    state: run.state,
    step: paused ? t('backup_step_rate_limited', run.step) : run.step,
    value: c.saved + c.expired + c.failed,
    max: Math.max(1, run.total),
    counts: { ...c },
    pausedUntil: paused,
  };
}

/** Seconds a ChatGPT tab without our content script gets to start it (a tab opened a moment ago). */
const TAB_START_WAITS = 10;

/** Said when the backend refuses the worker and no ChatGPT tab is open to read through. */
const OPEN_A_TAB = 'ChatGPT refuses the extension\'s own requests: open ChatGPT in a tab';

/**
 * A backup read done by a ChatGPT tab of `origin` (the one in front first), for when the backend refuses the
 * worker, for the run's workspace `account` whichever the tab shows. A tab without our content script (opened before the install, a crashed page) is passed over.
 */
async function readInTab(origin: string, account: string | null, url: string, gizmoId: string | null): Promise<PageReadAnswer> {
  // A tab opened a moment ago has no content script yet: tabs that exist get a few seconds to start theirs.
  for (let wait = 0; ; wait++) {
    const tabs = (await browser.tabs.query({ url: `${origin}/*` }).catch(() => [])).filter((t) => t.id !== undefined && !t.discarded);
    tabs.sort((a, b) => Number(b.active) - Number(a.active) || (b.lastAccessed ?? 0) - (a.lastAccessed ?? 0));
    let failed: Error | null = null;
    for (const tab of tabs) {
      try {
        return await sendMessage('pageRead', { url, account, gizmoId }, tab.id);
      } catch (err) {
        // No content script there: try the next tab. The tab's own request failing is a hiccup, tried again.
        if (!/Receiving end does not exist|Could not establish connection/i.test(String(err))) failed = err instanceof Error ? err : new Error(String(err));
      }
    }
    if (failed) throw failed;
    if (tabs.length === 0 || wait >= TAB_START_WAITS) throw new BackupError(OPEN_A_TAB, 403, true);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

/** Overrides from storage, clamped so that no setting can make the backup impolite. */
function clampPacing(o: BackupPacing): Partial<PacerOptions> {
  const out: Partial<PacerOptions> = {};
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);
  if (ok(o.spacingMs)) out.spacingMs = Math.max(10, o.spacingMs);
  if (ok(o.basePauseMs)) out.basePauseMs = Math.max(100, o.basePauseMs);
  if (ok(o.capPauseMs)) out.capPauseMs = Math.max(out.basePauseMs ?? 100, o.capPauseMs);
  if (ok(o.bucketCapacity) || ok(o.bucketRefillMs)) {
    out.bucket = {
      capacity: ok(o.bucketCapacity) ? Math.max(1, Math.round(o.bucketCapacity)) : DEFAULT_BUCKET.capacity,
      refillMs: ok(o.bucketRefillMs) ? Math.max(10, o.bucketRefillMs) : DEFAULT_BUCKET.refillMs,
    };
  }
  return out;
}

/** Persisting the bucket model: at once when it learned something, else at most every few seconds. */
const BUCKET_SAVE_MS = 5_000;

function bucketSaver(pacer: Pacer): (state: BucketState) => void {
  let last = 0;
  let learned = '';
  return (state) => {
    const shape = `${state.capacity} ${state.refillMs}`;
    const now = Date.now();
    if (shape === learned && now - last < BUCKET_SAVE_MS) return;
    last = now;
    learned = shape;
    const defaults = pacer.options.bucket ?? DEFAULT_BUCKET;
    void bucketModel.setValue({ defaults: { ...defaults }, state }).catch(() => undefined);
  };
}

async function toStatus(db: VaultDb, run: BackupRunRecord, pacer: Pacer): Promise<BackupStatus> {
  const { value, max } = progressOf(run);
  const failures = (await failedItems(db, run.id)).map((i) => ({ conversationId: i.conversationId, title: i.title, reason: i.reason }));
  const paused = run.state === 'running' && pacer.remainingPause() > 0 ? pacer.pausedUntil : null;
  const requests = run.state === 'running' && run.scope === 'everything' ? remainingRequests(run) : null;
  return {
    runId: run.id,
    scope: run.scope,
    conversationId: run.conversationId,
    state: run.state,
    phase: run.phase,
    step: paused ? t('backup_step_rate_limited', run.step) : run.step,
    value,
    max,
    pausedUntil: paused,
    counts: { ...run.counts },
    filesPending: run.waiting.length,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    failures,
    workspace: typeof run.account === 'string' && run.account !== 'personal',
    etaMs: requests === null ? null : pacer.estimateMs(requests),
  };
}

async function notifyFinished(run: BackupRunRecord): Promise<void> {
  if (run.finishedAt === null || run.finishedAt - run.startedAt < NOTIFY_AFTER_MS) return;
  try {
    // Optional permission, asked for when the person started the run; without it there is simply no notification.
    if (!browser.notifications || !(await browser.permissions.contains({ permissions: ['notifications'] }))) return;
    const c = run.counts;
    await browser.notifications.create(`backup-${run.id}`, {
      type: 'basic',
      iconUrl: browser.runtime.getURL('/icon/128.png'),
      title: run.scope === 'everything' ? t('notification_backup_everything_done') : t('notification_backup_conversation_done'),
      message: t('notification_backup_done_message', c.read, c.failed, c.saved, c.expired, c.filesFailed),
    });
  } catch (err) {
    console.warn('[artifact-vault] backup notification failed:', err instanceof Error ? err.message : err);
  }
}
