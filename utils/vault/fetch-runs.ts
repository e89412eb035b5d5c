/**
 * A `Fetch missing files` run's checkpoint (Dexie `fetchRuns` / `fetchItems`, schema version 3): the run
 * record and one item per report item, each ending saved, expired or failed. The runner
 * (utils/worker/backup/fetch-missing.ts) writes here after each item, so a stopped worker resumes the run.
 */
import type { FetchItemRecord, FetchRunRecord, VaultDb } from './db';

export async function getFetchRun(db: VaultDb, id: string): Promise<FetchRunRecord | null> {
  return (await db.fetchRuns.get(id)) ?? null;
}

export async function saveFetchRun(db: VaultDb, run: FetchRunRecord): Promise<void> {
  await db.fetchRuns.put(run);
}

/**
 * Replaces a finished run (and its items) with `run` and `items`, in one transaction; a run that is still
 * going (running or paused) is returned as is and keeps its own items.
 */
export async function startFetchRun(db: VaultDb, run: FetchRunRecord, items: () => FetchItemRecord[]): Promise<FetchRunRecord> {
  return db.transaction('rw', db.fetchRuns, db.fetchItems, async () => {
    const old = await db.fetchRuns.get(run.id);
    if (old && (old.state === 'running' || old.state === 'paused')) return old;
    await db.fetchItems.where('runId').equals(run.id).delete();
    await db.fetchItems.bulkAdd(items());
    await db.fetchRuns.put(run);
    return run;
  });
}

/** Every item of a run, in no particular order. */
export async function fetchRunItems(db: VaultDb, runId: string): Promise<FetchItemRecord[]> {
  return db.fetchItems.where('runId').equals(runId).toArray();
}

/** The next item still to fetch, in report order, or null. */
export async function nextFetchItem(db: VaultDb, runId: string): Promise<FetchItemRecord | null> {
  return (await db.fetchItems.where('[runId+state+order]').between([runId, 'todo', -Infinity], [runId, 'todo', Infinity]).first()) ?? null;
}

/** Ends one item and saves the run's counts with it, in one transaction. */
export async function finishFetchItem(db: VaultDb, run: FetchRunRecord, item: FetchItemRecord, now: () => number): Promise<void> {
  await db.transaction('rw', db.fetchRuns, db.fetchItems, async () => {
    await db.fetchItems.put(item);
    run.updatedAt = now();
    await db.fetchRuns.put(run);
  });
}
