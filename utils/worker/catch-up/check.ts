/**
 * Catch-up: what was made on another device (a phone) gets saved while this browser runs, before a sandbox
 * file dies. One check, run by the worker's alarm (background.ts): the first page of the conversation
 * listing (newest updates first) and of the image library; every conversation whose `update_time` moved since
 * the last look, and that no open tab already watches, is read once and recorded like a live read (the one
 * walker, the capture queue). While nothing changes a check costs those two listing requests.
 *
 * Every request goes through the worker's bulk pacer (one budget with `Back up everything`); a 429 ends the
 * check at once (the pacer's pause holds the next one back) and the conversations not read yet wait for the
 * next check. A check never runs while a backup run goes on, nor while the pacer is paused. The state lives
 * in storage (the worker stops between alarms).
 */
import { conversationsListUrls, conversationUrls, imageLibraryUrls } from '@/utils/chatgpt/routes';
import { parseConversationPage, parseImagePage } from '@/utils/chatgpt/listings';
import type { VaultDb } from '@/utils/vault';
import { conversationArtifactIds, conversationArtifacts, getConversation, snapshotIsCurrent } from '@/utils/vault';
import { BackupError, type BackupClient } from '@/utils/worker/backup/client';
import type { Pacer } from '@/utils/worker/backup/pacer';
import { recordLibraryImages, type ReadPlace, type RunPlace } from '@/utils/worker/backup/runner';
import { EMPTY_CATCH_UP, MAX_QUEUED_KEPT, type CatchUpResult, type CatchUpState } from './state';

export interface CatchUpDeps {
  db: VaultDb;
  pacer: Pacer;
  /** A client for the place that never waits out a 429 (`stopOnRateLimit`), paced by `pacer`. */
  client(place: RunPlace): BackupClient;
  /** Where to look: the ChatGPT origin and the workspace the tabs used last. */
  place(): Promise<RunPlace>;
  /** Conversations an open ChatGPT tab shows (live capture reads those itself). */
  watched(): ReadonlySet<string>;
  /** Whether `Back up everything` (or any backup run) is going. */
  backupRunning(): boolean;
  /** Walks the JSON, records its artifacts and queues them like a live read (paced as bulk work). */
  recordConversation(json: string, conversationId: string, gizmoId: string | null, where: ReadPlace): Promise<void>;
  kick(): void;
  load(): Promise<CatchUpState>;
  save(state: CatchUpState): Promise<void>;
  now?: () => number;
}

/** The web app's own sidebar page: enough for what changes between two checks, small to send. */
const LISTING_LIMIT = 28;
/** Image-library page size (the web client's). */
const IMAGES_LIMIT = 25;
/** On the very first look, conversations changed this recently are read (a sandbox lives about an hour). */
const FIRST_LOOK_S = 3_600;

export type CheckOutcome = 'checked' | 'skipped';

/** Runs one check; returns whether it ran. Never throws for ChatGPT's answers: the state says what happened. */
export async function catchUp(deps: CatchUpDeps, signal?: AbortSignal): Promise<CheckOutcome> {
  if (deps.backupRunning() || deps.pacer.remainingPause() > 0) return 'skipped';
  const now = deps.now ?? Date.now;
  const { db } = deps;
  const before = await deps.load();
  const place = await deps.place();
  const samePlace = before.place?.origin === place.origin && before.place.account === place.account;
  const state: CatchUpState = samePlace ? { ...before } : { ...EMPTY_CATCH_UP };
  const client = deps.client(place);
  const queued: string[] = [];
  let read = 0;
  let stopped: CatchUpResult | null = null;
  try {
    const body = await client.getJson(conversationsListUrls(place.origin, { offset: 0, limit: LISTING_LIMIT, order: 'updated' })[0]!, signal);
    const page = body === null ? { items: [] } : parseConversationPage(body);
    const watched = deps.watched();
    const pending = new Map(state.pending.map((p) => [p.id, p]));
    const nowS = now() / 1000;
    for (const item of page.items) {
      const last = state.seen[item.id];
      const moved = state.lastCheck === null
        ? item.updateTime !== null && item.updateTime > nowS - FIRST_LOOK_S
        : last === undefined || (item.updateTime !== null && (last === null || item.updateTime > last));
      if (!moved || watched.has(item.id)) continue;
      // Already read at this version (live capture, a backup): nothing to ask.
      const stored = await getConversation(db, item.id);
      if (snapshotIsCurrent(stored, { updateTime: item.updateTime, source: 'backend' })) continue;
      pending.set(item.id, { id: item.id, gizmoId: item.gizmoId });
    }
    state.seen = Object.fromEntries(page.items.map((i) => [i.id, i.updateTime]));
    state.pending = [...pending.values()];

    const images = await client.getJson(imageLibraryUrls(place.origin, null, IMAGES_LIMIT)[0]!, signal);
    const imagePage = images === null ? { items: [] } : parseImagePage(images);
    if (imagePage.items.length > 0) {
      const { added } = await recordLibraryImages(db, imagePage.items, place);
      queued.push(...added);
    }

    while (state.pending.length > 0) {
      const next = state.pending[0]!;
      if (!deps.watched().has(next.id)) {
        const known = new Set(await conversationArtifactIds(db, next.id));
        const text = await client.getText(conversationUrls(place.origin, next.id)[0]!, signal, next.gizmoId);
        if (text !== null) {
          await deps.recordConversation(text, next.id, next.gizmoId, place);
          read++;
          const after = await conversationArtifacts(db, next.id);
          queued.push(...after.filter((a) => !known.has(a.id) && a.status !== 'saved').map((a) => a.id));
        }
      }
      state.pending = state.pending.slice(1);
    }
  } catch (err) {
    if (signal?.aborted) throw err;
    stopped = err instanceof BackupError && err.status === 429
      ? { code: 'rate-limited' }
      : err instanceof BackupError && err.stopsRun
        ? { code: 'signed-out' }
        : { code: 'stopped', detail: (err instanceof Error ? err.message : String(err)).slice(0, 200) };
  }
  if (queued.length > 0) deps.kick();
  state.lastCheck = now();
  state.place = place;
  if (queued.length > 0) state.queued = queued.slice(-MAX_QUEUED_KEPT);
  else if (read > 0 || stopped === null) state.queued = [];
  state.result = stopped ?? (read === 0 ? { code: 'nothing-changed' } : { code: 'read', conversations: read, files: queued.length });
  await deps.save(state);
  return 'checked';
}
