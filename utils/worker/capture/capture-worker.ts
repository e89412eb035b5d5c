/**
 * The background's half of live capture: reads conversations (itself, or as delivered by a tab), walks
 * them, records every artifact in the vault, queues the downloads and runs them (itself, or through a tab
 * when the backend refuses the worker), and keeps the toolbar badge current. Downloads run with no tab
 * open: the worker's start and its alarms resume pending jobs. Entry point: `startCaptureBackground()`
 * from entrypoints/background.ts.
 */
import type { Browser } from 'wxt/browser';
import { isConversationId } from '@/utils/chatgpt/ids';
import { keepAliveSwitch } from '@/utils/keep-alive';
import { isWorkspaceId } from '@/utils/chatgpt/session';
import { walkConversation } from '@/utils/chatgpt/walker';
import { onMessage, type ConversationStatus, type ReadReceipt, type ReadRequest, type TabReadScope } from '@/utils/messaging';
import { captureKinds, copySettings, lastWorkspace, saveToDownloads, storageFull } from '@/utils/storage';
import type { ArtifactRecord, VaultDb } from '@/utils/vault';
import {
  countByStatus, enqueueJob, getArtifacts, getBlob, getConversation, getVaultDb, listArtifacts, markStatus, pendingJobCount, recordRefs, saveSnapshot,
} from '@/utils/vault';
import { badgeRefresher, updateBadge } from './badge';
import { canDownload, copyToDownloadsFolder } from './downloads-folder';
import { PortExecutor } from './port-executor';
import { BackgroundReader } from './background-reader';
import { CAPTURE_PORT, ConversationInbox, isCount, isReadId, parseToBackground } from '@/utils/capture-port';
import { CaptureQueue } from './queue';
import { isChatgptTabSender, requireChatgptTab, requireExtensionPage, requireTabShows, senderOrigin } from '@/utils/worker/senders';
import { STORAGE_CHECK_ALARM, StorageWatch } from './storage-watch';
import { TabReadGrants } from './tab-reads';
import { saveTextArtifacts, withTextdocs } from './text-artifacts';
import { WorkerExecutor } from './worker-executor';
import { WorkerNet } from '@/utils/chatgpt/net/worker-net';

/** Which conversation each ChatGPT tab shows (for the badge and the popup). Rebuilt as tabs report. */
const tabConversations = new Map<number, string | null>();
/** The workspace cookie each tab last sent (the account its conversations' downloads speak for). */
const tabAccounts = new Map<number, string | null>();
/** The workspace cookie last sent by any tab, per origin (mirrors `lastWorkspace` in storage). */
const originAccounts = new Map<string, string | null>();
/** Whether downloads are paused for lack of space (drives every badge). */
let paused = false;

/** Alarm that wakes a stopped worker when the next job's backoff ends. */
const QUEUE_ALARM = 'capture-queue';

export function startCaptureBackground(db: VaultDb = getVaultDb(), net: WorkerNet = new WorkerNet()): CaptureQueue {
  const ports = new Set<PortExecutor>();
  const badgeSoon = badgeRefresher((conversationId) => void refreshBadges(db, conversationId));
  const reader = new BackgroundReader(net);
  const tabReads = new TabReadGrants();
  /** The last few conversations read here, to skip recording one that did not change. */
  const lastReads = new Map<string, { json: string; nodeIds: string[]; imagesPending: number }>();
  const keepAlive = keepAliveSwitch();
  const alarms = (browser as Partial<typeof browser>).alarms;
  const queue: CaptureQueue = new CaptureQueue(db, {
    worker: new WorkerExecutor(net),
    onSettled: (record) => {
      badgeSoon(record.conversationId);
      if (record.status === 'saved') void copyToDownloads(db, record);
    },
    onBusyChange: (busy) => {
      for (const p of ports) p.send({ t: 'busy', busy });
    },
    // Only while a download runs: a worker waiting for a backoff may stop (an alarm wakes it).
    onRunningChange: (running) => void keepAlive(running),
    wakeAt: (at) => void alarms?.create(QUEUE_ALARM, { when: at }),
    onStorageFull: (state) => {
      paused = state !== null;
      if (state) {
        watch.entered(state);
        void alarms?.create(STORAGE_CHECK_ALARM, { periodInMinutes: 1 });
      } else {
        void alarms?.clear(STORAGE_CHECK_ALARM);
      }
      storageFull.setValue(state ? { ...state } : null).catch((err: unknown) => console.warn('[artifact-vault] could not record storage full:', err));
      void refreshAllBadges(db);
    },
  });
  const watch = new StorageWatch(queue);
  // Jobs interrupted by a stopped worker are released (counted as an attempt) and resume at once, with or
  // without a ChatGPT tab: the worker downloads by itself.
  const recovered = queue
    .recover()
    .catch((err) => console.error('[artifact-vault] recover failed', err))
    .then(async () => {
      // A pause recorded by an earlier worker: check for room before downloading again.
      const was = await storageFull.getValue().catch(() => null);
      if (was) await storageFull.setValue(null).catch(() => undefined);
      queue.kick();
    });
  alarms?.onAlarm.addListener((alarm: { name: string }) => {
    if (alarm.name === QUEUE_ALARM) void recovered.then(() => queue.kick());
    if (alarm.name === STORAGE_CHECK_ALARM) void watch.check();
  });

  browser.runtime.onConnect.addListener((port: Browser.runtime.Port) => {
    if (port.name !== CAPTURE_PORT || !isChatgptTabSender(port.sender)) return;
    const executor = new PortExecutor(port);
    const tabId = port.sender?.tab?.id;
    executor.conversationId = tabId != null ? (tabConversations.get(tabId) ?? null) : null;
    ports.add(executor);
    // The pieces of conversations this tab read itself (the backend refused the worker), for recordConversation.
    const inbox = new ConversationInbox();
    port.onMessage.addListener((raw: unknown) => {
      if ((raw as { t?: unknown } | null)?.t !== 'read-chunk') return; // byte chunks are the executor's
      const msg = parseToBackground(raw);
      if (msg?.t === 'read-chunk') inbox.take(msg);
    });
    if (tabId != null) inboxesByTab.set(tabId, inbox);
    port.onDisconnect.addListener(() => {
      ports.delete(executor);
      queue.removeExecutor(executor.id);
      if (tabId != null && inboxesByTab.get(tabId) === inbox) inboxesByTab.delete(tabId);
      if (tabId != null && executorsByTab.get(tabId) === executor) executorsByTab.delete(tabId);
    });
    executor.send({ t: 'busy', busy: queue.isBusy() });
    void recovered.then(() => queue.addExecutor(executor));
    // Remember the executor per tab so the queue prefers the tab that shows the conversation.
    if (tabId != null) executorsByTab.set(tabId, executor);
  });
  const executorsByTab = new Map<number, PortExecutor>();
  const inboxesByTab = new Map<number, ConversationInbox>();

  /** Record a conversation read for a tab, and point that tab's badge and executor at it. */
  // Downloads of a conversation speak for the origin and workspace of the tab it was read for.
  const recordForTab = async (tabId: number, read: ConversationDelivery): Promise<ReadReceipt> => {
    const receipt = await recordConversation(db, queue, read);
    tabConversations.set(tabId, read.conversationId);
    const executor = executorsByTab.get(tabId);
    if (executor) executor.conversationId = read.conversationId;
    const { conversationId, title, counts, queued } = receipt;
    await updateBadge(tabId, { conversationId, title, counts, queued }, paused);
    return receipt;
  };

  /**
   * The worker's own read of a conversation a tab asked about; when the worker cannot serve it, the tab's
   * leave to read it itself (refused: from now on; a 404: this once). Any other failure is thrown, for the
   * tab to retry.
   */
  const workerRead = async (tabId: number, origin: string | null, req: ReadRequest, account: string | null): Promise<{ json: string; origin: string } | { tabReads: TabReadScope }> => {
    const tabReadsIt = (scope: TabReadScope) => {
      tabReads.grant(tabId, req.conversationId, scope);
      return { tabReads: scope };
    };
    // A sender without a ChatGPT origin leaves the worker nothing to ask: the tab reads, as after a refusal.
    if (!origin) return tabReadsIt('from-now-on');
    const attempt = await reader.read(origin, req.conversationId, account, req.gizmoId);
    if (attempt.ok) return attempt.value === null ? tabReadsIt('once') : { json: attempt.value, origin };
    if (attempt.refused) return tabReadsIt('from-now-on');
    throw attempt.error;
  };

  // Conversations are read here when the backend serves the worker (no JSON crosses the page)...
  onMessage('readConversation', async ({ data, sender }) => {
    const tabId = requireChatgptTab(sender);
    const req = parseReadRequest(data);
    requireTabShows(sender, req.conversationId);
    const account = isWorkspaceId(data.account) ? data.account : null;
    // The account follows the tab that asked (also for the conversations it reads itself after a refusal).
    tabAccounts.set(tabId, account);
    const origin = senderOrigin(sender);
    if (origin) noteWorkspace(origin, account);
    const read = await workerRead(tabId, origin, req, account);
    // Told to read it itself: the tab may then deliver it (recordConversation).
    if ('tabReads' in read) return read;
    const json = read.json;
    const seen = lastReads.get(req.conversationId);
    // Unchanged since the last read: nothing new to record.
    if (req.reason === 'live' && seen?.json === json) {
      return { read: { ...(await conversationStatus(db, req.conversationId)), nodeIds: seen.nodeIds, imagesPending: seen.imagesPending } };
    }
    const readTextdocs = () => reader.readTextdocs(read.origin, req.conversationId, account, req.gizmoId);
    const receipt = await recordForTab(tabId, { ...req, json, origin: read.origin, account, readTextdocs });
    lastReads.delete(req.conversationId);
    lastReads.set(req.conversationId, { json, nodeIds: receipt.nodeIds, imagesPending: receipt.imagesPending });
    while (lastReads.size > 3) lastReads.delete(lastReads.keys().next().value!);
    return { read: receipt };
  });

  // ...or read by the tab and streamed over its capture port in pieces (see port-protocol.ts), when the
  // background told it to. A tab's JSON never stands in for the worker's own read (tab-reads.ts), and its
  // snapshot is marked as the tab's, so the worker's next read replaces it whatever its update_time says.
  onMessage('recordConversation', async ({ data, sender }) => {
    const tabId = requireChatgptTab(sender);
    const req = parseReadRequest(data);
    requireTabShows(sender, req.conversationId);
    if (!isReadId(data.readId) || !isCount(data.chunks) || !isCount(data.length)) throw new Error('Malformed conversation delivery');
    const inbox = inboxesByTab.get(tabId);
    if (!inbox) throw new Error('The capture port of this tab is not open');
    const json = await inbox.complete(data.readId, data.chunks, data.length);
    const origin = senderOrigin(sender);
    const account = tabAccounts.get(tabId) ?? null;
    if (!tabReads.take(tabId, req.conversationId)) {
      // Not asked of this tab, or asked of a worker that stopped since: the worker reads it, and its read counts.
      const read = await workerRead(tabId, origin, req, account);
      if ('json' in read) {
        const at = read.origin;
        return recordForTab(tabId, { ...req, json: read.json, origin: at, account, readTextdocs: () => reader.readTextdocs(at, req.conversationId, account, req.gizmoId) });
      }
      tabReads.take(tabId, req.conversationId);
    }
    return recordForTab(tabId, { ...req, json, origin, account, source: 'tab' });
  });

  // Answered only for the conversation the tab's URL shows: a content script learns no other's title or counts.
  onMessage('conversationShown', async ({ data, sender }) => {
    const tabId = requireChatgptTab(sender);
    const id = data.conversationId === null || typeof data.conversationId === 'string' ? data.conversationId : null;
    if (id !== null) requireTabShows(sender, id);
    tabConversations.set(tabId, id);
    const executor = executorsByTab.get(tabId);
    if (executor) executor.conversationId = id;
    const status = await conversationStatus(db, id);
    await updateBadge(tabId, status, paused);
    return status;
  });

  // UI messages: only from the extension's own pages (a content script beside a hostile page gets none).
  onMessage('tabStatus', async ({ data, sender }) => {
    requireExtensionPage(sender);
    return conversationStatus(db, tabConversations.get(data.tabId) ?? null);
  });

  onMessage('retryFailed', async ({ data, sender }) => {
    requireExtensionPage(sender);
    const count = await retryFailed(db, data.conversationId);
    queue.kick();
    if (data.conversationId) void refreshBadges(db, data.conversationId);
    return count;
  });

  browser.tabs?.onRemoved?.addListener((tabId: number) => {
    tabConversations.delete(tabId);
    tabAccounts.delete(tabId);
    executorsByTab.delete(tabId);
    tabReads.forget(tabId);
  });

  return queue;
}

/** The conversations open ChatGPT tabs show (live capture reads those itself; catch-up leaves them alone). */
export function watchedConversations(): ReadonlySet<string> {
  return new Set([...tabConversations.values()].filter((id): id is string => id !== null));
}

/** Remembers the workspace a tab on `origin` reported (stored only when it changed: every read reports it). */
function noteWorkspace(origin: string, account: string | null): void {
  if (originAccounts.has(origin) && originAccounts.get(origin) === account) return;
  originAccounts.set(origin, account);
  void lastWorkspace.getValue()
    .then((all) => (all[origin] === account ? undefined : lastWorkspace.setValue({ ...all, [origin]: account })))
    .catch(() => undefined);
}

/**
 * The workspace cookie requests on `origin` should speak for: that of the tab when it reported one, else
 * the one any tab on that origin reported last (kept across worker restarts), else the personal account.
 */
export async function workspaceOf(origin: string, tabId: number | null): Promise<string | null> {
  if (tabId !== null && tabAccounts.has(tabId)) return tabAccounts.get(tabId) ?? null;
  if (originAccounts.has(origin)) return originAccounts.get(origin) ?? null;
  const stored = await lastWorkspace.getValue().catch(() => null);
  return stored?.[origin] ?? null;
}

/** Walk a conversation read by a content script, record its artifacts and queue their downloads. */
export async function recordConversation(
  db: VaultDb,
  queue: CaptureQueue,
  data: ConversationDelivery,
): Promise<ReadReceipt> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.json);
  } catch {
    throw new Error('The conversation is not valid JSON');
  }
  // The JSON must be the conversation it claims to be; one without an id (never seen from the backend,
  // but cheap to allow) takes the id it was read under.
  let walk = walkConversation(parsed);
  if (walk.conversationId === null) walk = walkConversation(parsed, { conversationId: data.conversationId });
  else if (walk.conversationId !== data.conversationId) {
    throw new Error(`The JSON is for conversation ${walk.conversationId}, not ${data.conversationId}`);
  }
  const kinds = await captureKinds.getValue();
  let refs = walk.refs.filter((ref) => kinds[ref.kind]);
  // Canvas documents take their current text from the textdocs route when the reader can ask it.
  if (data.readTextdocs) refs = await withTextdocs(refs, data.readTextdocs);
  const source = data.reason === 'backup' ? 'backup' : 'live';
  const { added, known } = await recordRefs(db, refs, { source, conversationTitle: walk.title });
  // Canvas documents and research reports are written from the JSON at once; nothing to download.
  await saveTextArtifacts(db, refs, source);
  const ids = [...added, ...known];
  const records = await getArtifacts(db, ids);
  // Bulk work's downloads resolve through the bulk pacer (one budget); live ones keep the worker's lanes.
  const paced = data.reason === 'backup' || data.paced === true;
  const jobData = { gizmoId: data.gizmoId, origin: data.origin ?? null, account: data.account ?? null, ...(paced ? { paced: true } : {}) };
  for (const record of records) {
    if (!record) continue;
    // Live reads queue what is not saved yet; a backup also retries what failed before.
    if (record.status === 'pending' || (data.reason === 'backup' && record.status === 'failed')) {
      await enqueue(db, record, jobData);
    }
  }
  // The snapshot goes last: it is what tells a later backup the conversation is done, so a worker stopped
  // between these writes leaves a conversation that is read again, never one whose references were lost.
  await saveSnapshot(db, data.json, { gizmoId: data.gizmoId, source: data.source });
  queue.kick();
  return { ...(await conversationStatus(db, data.conversationId, walk.title)), nodeIds: walk.nodeIds, imagesPending: walk.imagesPending };
}

/** One conversation's JSON text, read by the background or delivered by a tab. */
export interface ConversationDelivery extends ReadRequest {
  json: string;
  /** The ChatGPT origin its downloads go to (default `https://chatgpt.com`). */
  origin?: string | null;
  /** The workspace cookie its downloads speak for (null: personal; undefined: not known). */
  account?: string | null;
  /** `tab`: read and delivered by a tab, not by the worker; its snapshot never outranks the worker's own read. */
  source?: 'tab';
  /**
   * Reads the conversation's textdocs route (its body, or null when it did not answer); called only when the
   * conversation has canvas documents. Absent: their texts are rebuilt from the messages.
   */
  readTextdocs?: () => Promise<string | null>;
  /** Read by bulk work (catch-up): its downloads are paced by the bulk pacer too. */
  paced?: boolean;
}

/** The request part of a message from a content script, validated (a conversation id is a UUID). */
function parseReadRequest(data: ReadRequest): ReadRequest {
  const { conversationId, gizmoId, reason } = data;
  const ok =
    isConversationId(conversationId) &&
    (gizmoId === null || (typeof gizmoId === 'string' && gizmoId.length <= 200)) &&
    (reason === 'live' || reason === 'backup');
  if (!ok) throw new Error('Malformed conversation read request');
  return { conversationId, gizmoId, reason };
}

/**
 * Give every `failed` artifact (of one conversation, or all) a fresh set of attempts: back to `pending` and a
 * new job. `expired` ones are left alone: their source said they are gone. Returns how many were queued.
 */
async function retryFailed(db: VaultDb, conversationId: string | null): Promise<number> {
  const failed = await listArtifacts(db, { status: 'failed', ...(conversationId ? { conversationId } : {}) });
  // A project chat's files resolve only with its project header, so the retry names the project again.
  const gizmoIds = new Map<string, string | null>();
  for (const record of failed) {
    if (!gizmoIds.has(record.conversationId)) gizmoIds.set(record.conversationId, (await getConversation(db, record.conversationId))?.gizmoId ?? null);
    await markStatus(db, record.id, 'pending', 'Retrying at your request', { countAttempt: false });
    await enqueue(db, record, { gizmoId: gizmoIds.get(record.conversationId)! });
  }
  return failed.length;
}

/** `data`: the GPT id, and the origin and workspace of the tab the conversation came from (the worker uses them). */
async function enqueue(db: VaultDb, record: ArtifactRecord, data: { gizmoId: string | null; origin?: string | null; account?: string | null; paced?: boolean }): Promise<void> {
  await enqueueJob(db, { artifactId: record.id, conversationId: record.conversationId, data });
}

async function conversationStatus(db: VaultDb, conversationId: string | null, title: string | null = null): Promise<ConversationStatus> {
  if (!conversationId) {
    return { conversationId: null, title: null, counts: { saved: 0, pending: 0, expired: 0, failed: 0 }, queued: 0 };
  }
  const [counts, queued, conv] = await Promise.all([
    countByStatus(db, conversationId),
    pendingJobCount(db, conversationId),
    getConversation(db, conversationId),
  ]);
  return { conversationId, title: title ?? conv?.title ?? null, counts, queued };
}

/** The Downloads-folder option: copy a newly saved file there (once per capture). */
async function copyToDownloads(db: VaultDb, record: ArtifactRecord): Promise<void> {
  try {
    if (!record.sha256 || !(await saveToDownloads.getValue()) || !(await canDownload())) return;
    const blob = await getBlob(db, record.sha256);
    const note = blob ? await copyToDownloadsFolder(record, blob, await copySettings()) : null;
    // No page to tell: the copy is saved unchanged, and the console says why.
    if (note) console.warn(`[artifact-vault] ${record.fileName ?? record.id} copied to Downloads without its prompt: ${note}`);
  } catch (err) {
    console.warn('[artifact-vault] could not copy to Downloads:', err instanceof Error ? err.message : err);
  }
}

async function refreshBadges(db: VaultDb, conversationId: string): Promise<void> {
  const tabs = [...tabConversations].filter(([, id]) => id === conversationId).map(([tabId]) => tabId);
  if (tabs.length === 0) return;
  const status = await conversationStatus(db, conversationId);
  await Promise.all(tabs.map((tabId) => updateBadge(tabId, status, paused)));
}

async function refreshAllBadges(db: VaultDb): Promise<void> {
  try {
    await Promise.all([...tabConversations].map(async ([tabId, id]) => updateBadge(tabId, await conversationStatus(db, id), paused)));
  } catch (err) {
    console.warn('[artifact-vault] could not update the badges:', err);
  }
}
