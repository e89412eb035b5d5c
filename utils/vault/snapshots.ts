/**
 * Conversation snapshots: the backend's JSON text as received (contracts.md: "exactly as the backend
 * returned them"), plus a small metadata row for listings. Only a newer snapshot (by `update_time`)
 * replaces a stored one, so a stale tab or an old backup never rolls a conversation back, and a restored
 * snapshot never outranks what the backend serves later (`snapshotReplaces`).
 */
import { epochSeconds } from '@/utils/model';
import type { ConversationRecord, VaultDb } from './db';
import { VaultError, describe } from './errors';

export interface SaveSnapshotOptions {
  /** Overrides the JSON's `gizmo_id` (project/GPT chats found through a gizmo listing). */
  gizmoId?: string | null;
  /** Read and delivered by a ChatGPT tab rather than the worker (see SnapshotRank.fromTab). */
  fromTab?: boolean;
}

export interface SaveSnapshotResult {
  id: string;
  /** False when the vault already held a newer snapshot, which stays. */
  saved: boolean;
}

/** What decides between two snapshots of one conversation. */
export interface SnapshotRank {
  updateTime: number | null;
  /** Set when the snapshot came from a restored archive, absent when the backend served it. */
  restored?: boolean;
  /**
   * Set when a ChatGPT tab read and delivered it (the backend refused the worker): the content script's word,
   * so it ranks as an archive's does, never over the worker's own read.
   */
  fromTab?: boolean;
}

/** Read by the worker from the backend itself: neither restored nor delivered by a tab. */
const fromWorker = (r: SnapshotRank) => !r.restored && !r.fromTab;

/**
 * THE rule for whether an incoming snapshot replaces the stored one (every writer of snapshots asks here).
 * - Nothing stored: it does.
 * - A snapshot the worker read from the backend always replaces one restored from an archive or delivered by
 *   a tab: neither is the worker's read, and its `updateTime` is whatever it says (a forged 9e12 must not
 *   freeze a title).
 * - From the worker over the worker: newer or equal replaces (a re-read of the same version refreshes).
 * - From an archive or a tab over anything: only strictly newer (contracts.md 1: "replaced only by a newer one").
 * An undated snapshot never replaces a dated one, except backend over restored.
 */
export function snapshotReplaces(incoming: SnapshotRank, stored: SnapshotRank | null | undefined): boolean {
  if (!stored) return true;
  if (fromWorker(incoming) && !fromWorker(stored)) return true;
  if (incoming.updateTime === null) return false;
  if (stored.updateTime === null) return true;
  return fromWorker(incoming) ? incoming.updateTime >= stored.updateTime : incoming.updateTime > stored.updateTime;
}

export async function saveSnapshot(
  db: VaultDb,
  json: string | object,
  options: SaveSnapshotOptions = {},
): Promise<SaveSnapshotResult> {
  let text: string;
  let parsed: unknown;
  if (typeof json === 'string') {
    text = json;
    try {
      parsed = JSON.parse(json);
    } catch (error) {
      throw new VaultError('invalid-snapshot', `snapshot is not JSON: ${(error as Error).message}`);
    }
  } else if (typeof json === 'object' && json !== null) {
    parsed = json;
    text = JSON.stringify(json);
  } else {
    throw new VaultError('invalid-snapshot', `snapshot must be JSON text or an object, got ${describe(json)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new VaultError('invalid-snapshot', `snapshot must be a JSON object, got ${describe(parsed)}`);
  }
  const conv = parsed as Record<string, unknown>;
  // The conversation endpoint sends `conversation_id`; export entries carry `id` as well.
  const rawId = conv.conversation_id ?? conv.id;
  if (typeof rawId !== 'string' || rawId.length === 0) {
    throw new VaultError('invalid-snapshot', 'snapshot has no conversation id (conversation_id or id)');
  }
  if (typeof conv.mapping !== 'object' || conv.mapping === null || Array.isArray(conv.mapping)) {
    throw new VaultError('invalid-snapshot', `snapshot ${rawId} has no mapping object`);
  }
  let gizmoId: string | null = typeof conv.gizmo_id === 'string' ? conv.gizmo_id : null;
  if (options.gizmoId !== undefined) {
    if (options.gizmoId !== null && typeof options.gizmoId !== 'string') {
      throw new VaultError('invalid-argument', `options.gizmoId must be a string or null, got ${describe(options.gizmoId)}`);
    }
    gizmoId = options.gizmoId;
  }
  const id = rawId;
  const row: ConversationRecord = {
    id,
    title: typeof conv.title === 'string' ? conv.title : null,
    updateTime: epochSeconds(conv.update_time),
    savedAt: Date.now(),
    gizmoId,
    ...(options.fromTab ? { fromTab: true } : {}),
  };

  return db.transaction('rw', db.conversations, db.snapshots, db.artifacts, async () => {
    const stored = await db.conversations.get(id);
    if (!snapshotReplaces(row, stored)) return { id, saved: false };
    await db.conversations.put(row);
    await db.snapshots.put({ id, json: text });
    // Keep artifact listings' titles in step with renames.
    if (row.title !== null) {
      const title = row.title;
      await db.artifacts
        .where('conversationId')
        .equals(id)
        .and((a) => a.conversationTitle !== title)
        .modify({ conversationTitle: title });
    }
    return { id, saved: true };
  });
}

/** Conversation metadata (never the JSON), most recently updated first; undated ones last. */
export async function listConversations(db: VaultDb): Promise<ConversationRecord[]> {
  const rows = await db.conversations.toArray();
  return rows.sort((a, b) => (b.updateTime ?? -Infinity) - (a.updateTime ?? -Infinity) || a.id.localeCompare(b.id));
}
