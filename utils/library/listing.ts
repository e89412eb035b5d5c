/**
 * How the library page reads artifact records (never blobs), shaped by where the time goes (bench/library.ts):
 * one `toArray()` of 100,000 records costs about 3 s before anything can be drawn, so the page first reads
 * only the newest screenful through the `capturedAt` index, paints it, then reads everything in
 * primary-key pages so no single task holds the main thread for long.
 */
import type { ArtifactStatus } from '@/utils/model';
import { ARTIFACT_STATUSES } from '@/utils/model';
import type { ArtifactRecord, ConversationRecord, VaultDb } from '@/utils/vault';
import { artifactsPage, artifactsWithStatus, getConversations, listConversations, newestCaptured } from '@/utils/vault';
import { compareNewestFirst } from './groups';

/** Enough tiles to fill a large screen several times over, in any grouping. */
export const FIRST_SCREEN = 240;

/**
 * Records per read while listing everything: one IndexedDB `getAll` each, whose results are deserialized in
 * one main-thread task (20,000 at once made 200-600 ms tasks at 100,000 records; 5,000 about 60-150 ms).
 */
const PAGE_SIZE = 5000;

const WITHOUT_BYTES: ArtifactStatus[] = ARTIFACT_STATUSES.filter((s) => s !== 'saved');

/**
 * The newest `limit` artifacts in gallery order (`artifactTime` descending). Artifacts with bytes come from
 * the `capturedAt` index, newest first; an artifact without bytes has no `capturedAt` (IndexedDB leaves
 * nulls out of an index), so those are read through the `status` index and merged in by first sighting.
 */
export async function listNewestArtifacts(db: VaultDb, limit: number = FIRST_SCREEN): Promise<ArtifactRecord[]> {
  // One `equals` read per status (an IndexedDB getAll each) rather than `anyOf`, which walks a cursor.
  const [captured, ...byStatus] = await Promise.all([
    newestCaptured(db, limit),
    ...WITHOUT_BYTES.map((s) => artifactsWithStatus(db, s)),
  ]);
  const others = byStatus.flat().filter((r) => r.capturedAt === null);
  if (others.length === 0) return captured;
  return captured.concat(others).sort(compareNewestFirst).slice(0, limit);
}

/** Every artifact record, read `pageSize` at a time in primary-key order. */
export async function listAllArtifacts(db: VaultDb, pageSize: number = PAGE_SIZE): Promise<ArtifactRecord[]> {
  const out: ArtifactRecord[] = [];
  let page = await artifactsPage(db, null, pageSize);
  while (page.length > 0) {
    for (const r of page) out.push(r);
    if (page.length < pageSize) break;
    page = await artifactsPage(db, page[page.length - 1]!.id, pageSize);
  }
  return out;
}

/** Conversation records: all of them, or only those with the given ids (missing ones are skipped). */
export async function listConversationsById(db: VaultDb, ids?: readonly string[]): Promise<ConversationRecord[]> {
  if (ids === undefined) return listConversations(db);
  const found = await getConversations(db, [...new Set(ids)]);
  return found.filter((c): c is ConversationRecord => c !== undefined);
}
