/**
 * A backup run's checkpoint in the vault (Dexie `backupRuns` and `backupItems`, schema version 2): the run
 * record says where each listing stopped and which queued files are still awaited; one item per conversation
 * to read says whether it is done. Everything a run does is written here before the next request, so a
 * stopped service worker, a closed page or a browser restart resumes where it stopped and reads nothing twice.
 */
import type { BackupCounts, BackupItemRecord, BackupRunRecord, VaultDb } from '@/utils/vault';
import type { ListedConversation } from '@/utils/chatgpt/listings';

export const EVERYTHING_RUN = 'everything';

/** The run id of a one-conversation backup (the popup's button). */
export function conversationRunId(conversationId: string): string {
  return `conversation:${conversationId}`;
}

function emptyCounts(): BackupCounts {
  return {
    listed: 0, read: 0, skipped: 0, failed: 0, imagesListed: 0, imagesOnlyInLibrary: 0,
    queued: 0, saved: 0, expired: 0, filesFailed: 0, alreadySaved: 0,
  };
}

export function newRun(
  scope: BackupRunRecord['scope'],
  origin: string,
  conversationId: string | null,
  now: number,
  account: string | null = null,
): BackupRunRecord {
  return {
    id: scope === 'everything' ? EVERYTHING_RUN : conversationRunId(conversationId!),
    scope,
    conversationId,
    origin,
    account,
    state: 'running',
    phase: scope === 'everything' ? 'probe' : 'conversations',
    historyOffset: 0,
    archivedOffset: 0,
    projectsCursor: null,
    projectsListed: false,
    projects: [],
    imagesCursor: null,
    waiting: [],
    counts: emptyCounts(),
    step: 'Starting',
    pausedUntil: null,
    startedAt: now,
    updatedAt: now,
    finishedAt: null,
    error: null,
  };
}

const itemId = (runId: string, conversationId: string) => `${runId}|${conversationId}`;

/** Replaces a finished run (and its items) with a fresh one; a run that is still going is returned as is. */
export async function createRun(db: VaultDb, run: BackupRunRecord): Promise<BackupRunRecord> {
  return db.transaction('rw', db.backupRuns, db.backupItems, async () => {
    const old = await db.backupRuns.get(run.id);
    if (old && (old.state === 'running' || old.state === 'paused')) return old;
    await db.backupItems.where('runId').equals(run.id).delete();
    await db.backupRuns.put(run);
    return run;
  });
}

export async function saveRun(db: VaultDb, run: BackupRunRecord, now: number): Promise<void> {
  run.updatedAt = now;
  await db.backupRuns.put(run);
}

/**
 * Adds conversations to read, keeping items already known (a chat listed both in the history and in a
 * project is read once; a resumed listing page adds nothing twice). Also advances the run's listing
 * checkpoint in the same transaction, so items and checkpoint can never disagree. Returns how many were new.
 */
export async function addItems(
  db: VaultDb,
  run: BackupRunRecord,
  listed: readonly ListedConversation[],
  gizmoId: string | null,
  advance: (run: BackupRunRecord) => void,
  now: number,
): Promise<number> {
  return db.transaction('rw', db.backupRuns, db.backupItems, async () => {
    const ids = listed.map((c) => itemId(run.id, c.id));
    const existing = await db.backupItems.bulkGet(ids);
    const fresh: BackupItemRecord[] = [];
    const seen = new Set<string>();
    listed.forEach((c, i) => {
      if (existing[i] || seen.has(c.id)) return;
      seen.add(c.id);
      fresh.push({
        id: ids[i]!, runId: run.id, state: 'todo', conversationId: c.id, title: c.title,
        gizmoId: c.gizmoId ?? gizmoId, updateTime: c.updateTime, reason: null, order: run.counts.listed + fresh.length,
      });
    });
    if (fresh.length > 0) await db.backupItems.bulkAdd(fresh);
    run.counts.listed += fresh.length;
    advance(run);
    await saveRun(db, run, now);
    return fresh.length;
  });
}

/** The next conversation to read, in listing order, or null. */
export async function nextItem(db: VaultDb, runId: string): Promise<BackupItemRecord | null> {
  const item = await db.backupItems
    .where('[runId+state+order]')
    .between([runId, 'todo', -Infinity], [runId, 'todo', Infinity])
    .first();
  return item ?? null;
}

/** Ends one item and saves the run's counts with it, in one transaction. */
export async function finishItem(
  db: VaultDb,
  run: BackupRunRecord,
  item: BackupItemRecord,
  state: 'done' | 'skipped' | 'failed',
  reason: string | null,
  now: number,
): Promise<void> {
  await db.transaction('rw', db.backupRuns, db.backupItems, async () => {
    await db.backupItems.put({ ...item, state, reason });
    await saveRun(db, run, now);
  });
}

/** Conversations a run could not read, with the reason (for the summary). */
export async function failedItems(db: VaultDb, runId: string, limit = 50): Promise<BackupItemRecord[]> {
  return db.backupItems
    .where('[runId+state+order]')
    .between([runId, 'failed', -Infinity], [runId, 'failed', Infinity])
    .limit(limit)
    .toArray();
}
