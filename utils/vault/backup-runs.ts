/**
 * A backup run's checkpoint (Dexie `backupRuns` and `backupItems`, schema version 2): the run record says
 * where each listing stopped and which queued files are still awaited; one item per conversation to read
 * says whether it is done. The runner (utils/worker/backup/runner.ts) writes here before its next request, so a
 * stopped worker resumes where it stopped.
 */
import type { BackupItemRecord, BackupRunRecord, VaultDb } from './db';

/** A conversation a listing named, as a backup run records it. */
export interface BackupItemInput {
  id: string;
  title: string | null;
  updateTime: number | null;
  gizmoId: string | null;
}

const itemId = (runId: string, conversationId: string) => `${runId}|${conversationId}`;

export async function getBackupRun(db: VaultDb, id: string): Promise<BackupRunRecord | null> {
  return (await db.backupRuns.get(id)) ?? null;
}

export async function listBackupRuns(db: VaultDb): Promise<BackupRunRecord[]> {
  return db.backupRuns.toArray();
}

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
  listed: readonly BackupItemInput[],
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
