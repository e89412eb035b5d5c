/**
 * The backup runner, in the background: lists every conversation (history, archived, projects), reads each
 * once (snapshot + artifact references, recorded with `source: backup`), pages the generated-image library
 * for images whose conversation is gone or unreadable, and follows the download jobs it queued until each
 * ends saved, expired or failed. Bytes are fetched by the capture queue (utils/worker/capture/queue.ts), never here.
 *
 * Each step is checkpointed (checkpoint.ts) before the next request; one failing conversation is recorded
 * with its reason and the run goes on. All JSON goes through one Pacer (see pacer.ts for the numbers).
 */
import {
  conversationsListUrls, conversationUrls, imageLibraryUrls, projectConversationsUrls, projectsListUrls, textdocsUrls,
  CONVERSATIONS_LIST_MAX_LIMIT,
} from '@/utils/chatgpt/routes';
import { parseConversationPage, parseImagePage, parseProjectPage, type LibraryImage } from '@/utils/chatgpt/listings';
import type { ArtifactRef } from '@/utils/model';
import type { BackupItemRecord, BackupRunRecord, ListingStop, ExportIndexMeta, VaultDb } from '@/utils/vault';
import {
  addItems, conversationArtifacts, conversationJobIds, createRun, enqueueJob, exportShowsNothingNew, fetchJobId, finishItem, getArtifacts,
  getBackupRun, getConversation, getJobs, hasOpenArtifacts, listBackupRuns, nextItem, recordRefs, saveRun, snapshotIsCurrent,
} from '@/utils/vault';
import { abortableSleep } from './pacer';
import { BackupError, settleStoppedRun, type BackupClient } from './client';
import { newRun } from './checkpoint';
import { t } from '@/utils/i18n';

export interface RunnerDeps {
  db: VaultDb;
  /** The client for a run's origin and workspace (null: the personal account). */
  client: (origin: string, account: string | null) => BackupClient;
  /**
   * Walks one conversation's JSON, stores the snapshot, records its artifacts (`source: backup`) and queues
   * their downloads, which speak for the run's origin and workspace. `readTextdocs` reads the conversation's
   * canvas documents through the run's client (its body, null for a 404); it is called only for a conversation
   * that has some.
   */
  recordConversation(json: string, conversationId: string, gizmoId: string | null, where: ReadPlace, readTextdocs?: () => Promise<string | null>): Promise<void>;
  /** New download jobs exist. */
  kick(): void;
  /**
   * Drops the queued downloads of these artifacts (a cancelled run), each ending `failed` with `reason`; ones
   * already downloading finish (and end with `reason` rather than retry). Returns the artifact ids dropped.
   */
  cancelDownloads?(artifactIds: readonly string[], reason: string): Promise<string[]>;
  now?: () => number;
  /** How often queued files are checked while the run waits for them. */
  settleEveryMs?: number;
  /** Called whenever a run changed (progress, state). */
  onUpdate?(run: BackupRunRecord): void;
  /** Called once when a run ends by itself (not on cancel). */
  onFinish?(run: BackupRunRecord): void;
}

/** Where a run's requests and downloads go: the ChatGPT origin and the workspace cookie (null: personal). */
export interface RunPlace {
  origin: string;
  account: string | null;
}

/** Where a conversation read by a run came from: the run's place, and `tab` when a content script read it. */
export interface ReadPlace extends RunPlace {
  source?: 'tab';
}

const PAUSE = 'backup-paused';
const CANCEL = 'backup-cancelled';

export class BackupRunner {
  private readonly active = new Map<string, { run: BackupRunRecord; controller: AbortController; done: Promise<void> }>();
  private readonly now: () => number;
  private lastSettle = 0;
  /** File ids the image library listed in each run so far (memory only: a restarted worker starts afresh). */
  private readonly imagesListed = new Map<string, Set<string>>();

  constructor(private readonly deps: RunnerDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * Starts a run (or returns the one already going for that scope, which keeps its own place and export).
   * `exportFirst`: the reconciled export whose index spares reads (only for `everything`).
   */
  async start(
    scope: BackupRunRecord['scope'], place: RunPlace, conversationId: string | null = null, exportFirst: ExportIndexMeta | null = null,
  ): Promise<BackupRunRecord> {
    const fresh = newRun(scope, place.origin, conversationId, this.now(), place.account);
    if (scope === 'everything' && exportFirst) fresh.exportFirst = exportFirst;
    const run = await createRun(this.deps.db, fresh);
    if (run === fresh && scope === 'conversation') {
      await addItems(this.deps.db, run, [{ id: conversationId!, title: null, updateTime: null, gizmoId: null }], null, () => undefined, this.now());
    }
    if (run.state === 'running') this.drive(run);
    return this.active.get(run.id)?.run ?? run;
  }

  /** After a worker start: continue every run that was running. */
  async resumeAll(): Promise<void> {
    const runs = await listBackupRuns(this.deps.db);
    for (const run of runs) if (run.state === 'running') this.drive(run);
  }

  async status(id: string): Promise<BackupRunRecord | null> {
    return this.active.get(id)?.run ?? (await getBackupRun(this.deps.db, id));
  }

  /** Whether any run is going in this worker (the background keeps itself awake meanwhile). */
  isBusy(): boolean {
    return this.active.size > 0;
  }

  async pause(id: string): Promise<BackupRunRecord | null> {
    return this.control(id, 'paused', PAUSE);
  }

  async cancel(id: string): Promise<BackupRunRecord | null> {
    return this.control(id, 'cancelled', CANCEL);
  }

  async resume(id: string): Promise<BackupRunRecord | null> {
    await this.active.get(id)?.done;
    const run = await getBackupRun(this.deps.db, id);
    if (!run || run.state !== 'paused') return run ?? null;
    run.state = 'running';
    run.step = t('run_step_resuming');
    await saveRun(this.deps.db, run, this.now());
    this.drive(run);
    return this.active.get(id)?.run ?? run;
  }

  private async control(id: string, state: 'paused' | 'cancelled', reason: string): Promise<BackupRunRecord | null> {
    const live = this.active.get(id);
    if (live) {
      if (live.run.state !== 'running') return live.run;
      live.run.state = state;
      live.controller.abort(new DOMException(reason, 'AbortError'));
      await live.done;
      if (state === 'cancelled') await this.cancelFiles(live.run);
      return live.run;
    }
    const run = await getBackupRun(this.deps.db, id);
    if (!run || run.state === 'done' || run.state === 'cancelled' || (state === 'paused' && run.state === 'paused')) return run ?? null;
    run.state = state;
    run.step = state === 'paused' ? '' : t('run_step_cancelled');
    if (state === 'cancelled') run.finishedAt = this.now();
    await saveRun(this.deps.db, run, this.now());
    if (state === 'cancelled') await this.cancelFiles(run);
    return run;
  }

  /**
   * A cancelled run's queued files stop too: their downloads are dropped and each ends `failed` with the
   * reason (no attempt counted), so a later run or `Retry failed files` picks them up again.
   */
  private async cancelFiles(run: BackupRunRecord): Promise<void> {
    if (!this.deps.cancelDownloads || run.waiting.length === 0) return;
    const dropped = new Set(await this.deps.cancelDownloads(run.waiting, 'The backup was cancelled before this file was downloaded'));
    run.waiting = run.waiting.filter((id) => !dropped.has(id));
    run.counts.filesFailed += dropped.size;
    await saveRun(this.deps.db, run, this.now());
    this.deps.onUpdate?.(run);
  }

  private drive(run: BackupRunRecord): void {
    if (this.active.has(run.id)) return;
    const controller = new AbortController();
    const entry = { run, controller, done: Promise.resolve() };
    this.active.set(run.id, entry);
    entry.done = this.loop(run, controller.signal)
      .catch(async (err: unknown) => {
        settleStoppedRun(run, err, controller.signal.aborted, this.now());
        run.pausedUntil = null;
        await saveRun(this.deps.db, run, this.now()).catch(() => undefined);
      })
      .finally(() => {
        this.active.delete(run.id);
        this.deps.onUpdate?.(run);
      });
  }

  private async loop(run: BackupRunRecord, signal: AbortSignal): Promise<void> {
    const client = this.deps.client(run.origin, run.account ?? null);
    const { db } = this.deps;
    const save = async (step?: string) => {
      if (step) run.step = step;
      await saveRun(db, run, this.now());
      this.deps.onUpdate?.(run);
    };
    while (run.phase !== 'done') {
      signal.throwIfAborted();
      switch (run.phase) {
        case 'probe': {
          // One small request first: a rate limit already in force shows (and is waited out) before the big run.
          await save(t('backup_step_checking'));
          const body = await client.getJson(conversationsListUrls(run.origin, { offset: 0, limit: 1 })[0]!, signal);
          if (body === null) throw new Error('ChatGPT did not list conversations (HTTP 404)');
          parseConversationPage(body);
          run.phase = 'history';
          await save();
          break;
        }
        case 'history':
        case 'archived': {
          const archived = run.phase === 'archived';
          const offset = archived ? run.archivedOffset : run.historyOffset;
          await save(t(archived ? 'backup_step_listing_archived' : 'backup_step_listing', run.counts.listed));
          const body = await client.getJson(conversationsListUrls(run.origin, { offset, limit: CONVERSATIONS_LIST_MAX_LIMIT, archived })[0]!, signal);
          const page = body === null ? { items: [], rawCount: 0, total: null, cursor: null } : parseConversationPage(body);
          const listedBefore = run.counts.listed;
          await addItems(db, run, page.items, null, (r) => {
            // Offsets that never end would page forever: a full page that adds nothing new ends the listing.
            const stale = page.rawCount > 0 && r.counts.listed === listedBefore;
            if (stale) stopListing(r, { why: 'repeated', list: archived ? 'archived' : 'history', at: offset });
            const end = stale || page.rawCount < CONVERSATIONS_LIST_MAX_LIMIT || (page.total !== null && offset + page.rawCount >= page.total);
            if (archived) r.archivedOffset += page.rawCount;
            else r.historyOffset += page.rawCount;
            if (end) r.phase = archived ? 'projects' : 'archived';
          }, this.now());
          break;
        }
        case 'projects':
          await this.listProjects(run, client, signal, save);
          break;
        case 'conversations': {
          const item = await nextItem(db, run.id);
          if (!item) {
            run.phase = run.scope === 'everything' ? 'images' : 'files';
            await save();
            break;
          }
          await this.backUpConversation(run, item, client, signal, save);
          break;
        }
        case 'images': {
          await save(t('backup_step_image_library', run.counts.imagesListed));
          const body = await client.getJson(imageLibraryUrls(run.origin, run.imagesCursor, 100)[0]!, signal);
          const page = body === null ? { items: [], cursor: null } : parseImagePage(body);
          const fresh = await this.recordLibraryImages(run, page.items);
          run.imagesCursor = nextCursor(run, page.cursor, run.imagesCursor, fresh, { list: 'images' });
          if (run.imagesCursor === null) {
            run.phase = 'files';
            run.cursorsSeen = [];
          }
          await save();
          break;
        }
        case 'files': {
          await this.settle(run, true);
          if (run.waiting.length === 0) {
            run.phase = 'done';
            break;
          }
          await save(t(run.scope === 'everything' ? 'backup_step_saving_files' : 'backup_step_files', filesDone(run), run.counts.queued));
          await abortableSleep(this.deps.settleEveryMs ?? 1_000, signal);
          break;
        }
      }
      await this.settle(run, false);
    }
    run.state = 'done';
    run.finishedAt = this.now();
    run.pausedUntil = null;
    await save(summary(run));
    this.deps.onFinish?.(run);
  }

  private async listProjects(run: BackupRunRecord, client: BackupClient, signal: AbortSignal, save: (s?: string) => Promise<void>): Promise<void> {
    const { db } = this.deps;
    if (!run.projectsListed) {
      await save(t('backup_step_projects', run.projects.length));
      const body = await client.getJson(projectsListUrls(run.origin, run.projectsCursor)[0]!, signal);
      const page = body === null ? { items: [], cursor: null } : parseProjectPage(body);
      const known = new Set(run.projects.map((p) => p.id));
      const fresh = page.items.filter((p) => !known.has(p.id));
      for (const p of fresh) run.projects.push({ id: p.id, cursor: null });
      run.projectsCursor = nextCursor(run, page.cursor, run.projectsCursor, fresh.length > 0, { list: 'projects' });
      if (run.projectsCursor === null) {
        run.projectsListed = true;
        run.cursorsSeen = [];
      }
      await save();
      return;
    }
    const project = run.projects[0];
    if (!project) {
      run.phase = 'conversations';
      await save();
      return;
    }
    await save(t('backup_step_project_conversations', run.counts.listed));
    const body = await client.getJson(projectConversationsUrls(run.origin, project.id, project.cursor)[0]!, signal);
    const page = body === null ? { items: [], cursor: null, rawCount: 0, total: null } : parseConversationPage(body);
    const listedBefore = run.counts.listed;
    await addItems(db, run, page.items, project.id, (r) => {
      const fresh = r.counts.listed > listedBefore || page.rawCount === 0;
      const next = nextCursor(r, page.cursor, project.cursor, fresh, { list: 'project', at: project.id });
      if (next === null || page.rawCount === 0) {
        r.projects.shift();
        r.cursorsSeen = [];
      } else r.projects[0] = { id: project.id, cursor: next };
    }, this.now());
  }

  private async backUpConversation(
    run: BackupRunRecord,
    item: BackupItemRecord,
    client: BackupClient,
    signal: AbortSignal,
    save: (s?: string) => Promise<void>,
  ): Promise<void> {
    const { db } = this.deps;
    const position = run.counts.read + run.counts.skipped + run.counts.failed + 1;
    const name = item.title ? `"${item.title}"` : 'the conversation';
    if (run.scope === 'everything' && (await this.isUpToDate(item))) {
      run.counts.skipped++;
      await finishItem(db, run, item, 'skipped', 'Already backed up and unchanged', this.now());
      return;
    }
    if (run.scope === 'everything' && run.exportFirst && (await exportShowsNothingNew(db, item.conversationId, item.updateTime))) {
      run.counts.skipped++;
      run.counts.exportSkipped = (run.counts.exportSkipped ?? 0) + 1;
      await finishItem(db, run, item, 'skipped', 'The export shows it without files, and it has not changed since', this.now());
      return;
    }
    await save(run.scope === 'everything' ? t('backup_step_reading', position, run.counts.listed, name) : t('backup_step_reading_single'));
    let text: string | null;
    try {
      text = await client.getText(conversationUrls(run.origin, item.conversationId)[0]!, signal, item.gizmoId);
    } catch (err) {
      // Signed out, or refused with no tab to read through: every other conversation would fail the same way.
      if (signal.aborted || (err instanceof BackupError && err.stopsRun)) throw err;
      run.counts.failed++;
      await finishItem(db, run, item, 'failed', reasonOf(err), this.now());
      return;
    }
    if (text === null) {
      run.counts.failed++;
      await finishItem(db, run, item, 'failed', 'The conversation is gone (HTTP 404)', this.now());
      return;
    }
    const before = new Map((await conversationArtifacts(db, item.conversationId)).map((a) => [a.id, a.status]));
    try {
      // A tab's copy is marked so, and never stands against the worker's own later read (snapshotIsCurrent).
      const source = client.throughTab ? 'tab' : undefined;
      const readTextdocs = () => client.getText(textdocsUrls(run.origin, item.conversationId)[0]!, signal, item.gizmoId);
      await this.deps.recordConversation(text, item.conversationId, item.gizmoId, { origin: run.origin, account: run.account ?? null, source }, readTextdocs);
    } catch (err) {
      run.counts.failed++;
      await finishItem(db, run, item, 'failed', reasonOf(err), this.now());
      return;
    }
    // Awaited: every artifact not saved before this read (new ones, and failed ones the read queued again),
    // whether or not its download already finished; settle() counts how each ended. Known expired ones stay.
    const [artifacts, jobs] = await Promise.all([
      conversationArtifacts(db, item.conversationId),
      conversationJobIds(db, item.conversationId),
    ]);
    const queued = new Set(jobs);
    const awaited = artifacts.filter((a) => {
      const was = before.get(a.id);
      return was === undefined ? true : was !== 'saved' && (was !== 'expired' || queued.has(fetchJobId(a.id)));
    });
    this.await(run, awaited.map((a) => a.id));
    run.counts.alreadySaved += artifacts.filter((a) => before.get(a.id) === 'saved').length;
    run.counts.read++;
    await finishItem(db, run, item, 'done', null, this.now());
    this.deps.kick();
  }

  /**
   * The stored snapshot is current against what the listing says the backend holds (a restored or
   * tab-delivered copy never is) and nothing of it is left to fetch: no request needed.
   */
  private async isUpToDate(item: BackupItemRecord): Promise<boolean> {
    if (item.updateTime === null) return false;
    const { db } = this.deps;
    const stored = await getConversation(db, item.conversationId);
    if (!snapshotIsCurrent(stored, { updateTime: item.updateTime, source: 'backend' })) return false;
    return !(await hasOpenArtifacts(db, item.conversationId));
  }

  /**
   * Image-library items: one artifact per identity (an image already found in its conversation is not added
   * again). Returns whether the page listed any image this run had not listed before.
   */
  private async recordLibraryImages(run: BackupRunRecord, images: readonly LibraryImage[]): Promise<boolean> {
    if (images.length === 0) return false;
    let listed = this.imagesListed.get(run.id);
    if (!listed) this.imagesListed.set(run.id, (listed = new Set()));
    const before = listed.size;
    for (const im of images) listed.add(im.fileId);
    const fresh = listed.size > before;
    const { db } = this.deps;
    run.counts.imagesListed += images.length;
    const { added, known } = await recordLibraryImages(db, images, { origin: run.origin, account: run.account ?? null });
    run.counts.imagesOnlyInLibrary += added.length;
    const knownRecords = await getArtifacts(db, known);
    run.counts.alreadySaved += knownRecords.filter((r) => r?.status === 'saved').length;
    this.await(run, added);
    if (added.length > 0) this.deps.kick();
    return fresh;
  }

  private await(run: BackupRunRecord, ids: readonly string[]): void {
    const waiting = new Set(run.waiting);
    for (const id of ids) {
      if (waiting.has(id)) continue;
      waiting.add(id);
      run.waiting.push(id);
      run.counts.queued++;
    }
  }

  /** Counts the queued files that ended (saved, expired, failed with no retry left) and stops awaiting them. */
  private async settle(run: BackupRunRecord, force: boolean): Promise<void> {
    if (run.waiting.length === 0) return;
    if (!force && this.now() - this.lastSettle < (this.deps.settleEveryMs ?? 1_000)) return;
    this.lastSettle = this.now();
    const { db } = this.deps;
    const [records, jobs] = await Promise.all([
      getArtifacts(db, run.waiting),
      getJobs(db, run.waiting.map(fetchJobId)),
    ]);
    const still: string[] = [];
    run.waiting.forEach((id, i) => {
      const r = records[i];
      if (!r) return; // deleted meanwhile: nothing to wait for
      if (r.status === 'saved') run.counts.saved++;
      else if (jobs[i] || r.status === 'pending') still.push(id);
      else if (r.status === 'expired') run.counts.expired++;
      else run.counts.filesFailed++;
    });
    if (still.length !== run.waiting.length) {
      run.waiting = still;
      await saveRun(db, run, this.now());
      this.deps.onUpdate?.(run);
    }
  }
}

/**
 * Records image-library items (one artifact per identity: an image already found in its conversation is not
 * added again) and queues the new ones, paced as bulk work, with the library's signed link. Returns the
 * artifact ids added and those already known.
 */
export async function recordLibraryImages(db: VaultDb, images: readonly LibraryImage[], place: RunPlace): Promise<{ added: string[]; known: string[] }> {
  const refs: ArtifactRef[] = images.map((im) => ({
    kind: 'image', conversationId: im.conversationId, messageId: im.messageId, fallbackMessageId: null,
    fileId: im.fileId, genId: im.genId, prompt: im.prompt, seed: null, fileName: null, sandboxPath: null,
    mimeType: null, size: null, width: im.width, height: im.height, createTime: im.createdAt, onCurrentPath: true,
  }));
  const { added, known } = await recordRefs(db, refs, { source: 'backup', conversationTitle: null });
  const byId = new Map(images.map((im) => [`file:${im.fileId}`, im]));
  for (const id of added) {
    const im = byId.get(id)!;
    await enqueueJob(db, { artifactId: id, conversationId: im.conversationId, data: { gizmoId: null, hintUrl: im.url, origin: place.origin, account: place.account, paced: true } });
  }
  // Files a conversation read queued and not fetched yet: hand them the library's signed link, so they need
  // no resolution of their own (enqueueJob only merges data into an existing job; it never adds one here).
  const waitingJobs = await getJobs(db, known.map(fetchJobId));
  for (const job of waitingJobs) {
    const im = job && byId.get(job.artifactId);
    if (job && im?.url) await enqueueJob(db, { artifactId: job.artifactId, conversationId: job.conversationId, data: { hintUrl: im.url } });
  }
  return { added: [...added], known: [...known] };
}

/** Says in the run's summary that a listing was stopped, and why. */
function stopListing(run: BackupRunRecord, stop: ListingStop): void {
  run.listingStops = [...(run.listingStops ?? []), stop];
}

/** A stopped listing in the summary's words. */
function listingStopText(stop: ListingStop | string): string {
  if (typeof stop === 'string') return stop;
  const list = stop.list === 'history' ? t('backup_list_history')
    : stop.list === 'archived' ? t('backup_list_archived')
      : stop.list === 'images' ? t('backup_list_images')
        : stop.list === 'projects' ? t('backup_list_projects')
          : t('backup_list_project', String(stop.at ?? ''));
  if (stop.why === 'repeated') return t('backup_listing_repeated', list, stop.at ?? '');
  return t(stop.why === 'came-back' ? 'backup_listing_came_back' : 'backup_listing_nothing_new', list);
}

/**
 * The cursor to ask for next, or null to end the listing: a page that added nothing new, or a cursor that
 * does not move or was asked for already (A -> B -> A), would page forever.
 */
function nextCursor(run: BackupRunRecord, next: string | null, current: string | null, fresh: boolean, what: Pick<ListingStop, 'list' | 'at'>): string | null {
  if (next === null) return null;
  const seen = run.cursorsSeen ?? [];
  if (next === current || seen.includes(next)) {
    stopListing(run, { why: 'came-back', ...what });
    return null;
  }
  if (!fresh) {
    stopListing(run, { why: 'nothing-new', ...what });
    return null;
  }
  run.cursorsSeen = [...seen, ...(current === null ? [] : [current])];
  return next;
}

function filesDone(run: BackupRunRecord): number {
  return run.counts.saved + run.counts.expired + run.counts.filesFailed;
}

/** Progress for a progressbar: conversations handled plus files settled, out of everything known so far. */
export function progressOf(run: BackupRunRecord): { value: number; max: number } {
  const c = run.counts;
  const value = c.read + c.skipped + c.failed + filesDone(run);
  const max = Math.max(value, c.listed + c.queued, 1);
  return { value: run.state === 'done' ? max : value, max };
}

/**
 * JSON requests a running `Back up everything` still has to make, for the estimate of time left (null while
 * it still lists, when the total is unknown): the conversations left, in the share that needed a read so far,
 * one resolution per file still awaited and per file the reads left are expected to queue, and the image library.
 */
export function remainingRequests(run: BackupRunRecord): number | null {
  if (run.phase === 'probe' || run.phase === 'history' || run.phase === 'archived' || run.phase === 'projects') return null;
  const c = run.counts;
  const handled = c.read + c.skipped + c.failed;
  const left = Math.max(0, c.listed - handled);
  const readShare = handled > 0 ? (c.read + c.failed) / handled : 1;
  const filesPerRead = c.read > 0 ? Math.max(0, c.queued - c.imagesOnlyInLibrary) / c.read : 0;
  const reads = left * readShare;
  const library = run.phase === 'conversations' ? 1 : 0;
  return Math.round(reads + reads * filesPerRead + run.waiting.length + library);
}

function summary(run: BackupRunRecord): string {
  const c = run.counts;
  const parts = [
    run.scope === 'everything'
      ? t('backup_done_everything_read', c.read, c.skipped, c.failed)
      : t(c.failed > 0 ? 'backup_done_one_failed' : 'backup_done_one_read'),
    t('backup_done_files', c.saved, c.expired, c.filesFailed, c.alreadySaved),
  ];
  if (run.scope === 'everything') parts.push(t('backup_done_library_images', c.imagesOnlyInLibrary));
  if (run.exportFirst) parts.push(t('backup_done_export_saved', c.exportSkipped ?? 0, run.exportFirst.name));
  parts.push(...(run.listingStops ?? []).map(listingStopText));
  return t('backup_done', parts.join(t('backup_done_separator')));
}

function reasonOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 200);
}
