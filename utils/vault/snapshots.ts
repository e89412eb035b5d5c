/**
 * Conversation snapshots: the backend's JSON text as received (docs/FORMATS.md: "exactly as the backend
 * returned them"), plus a small metadata row for listings. Only a newer snapshot (by `update_time`)
 * replaces a stored one, so a stale tab or an old backup never rolls a conversation back, and a copy
 * (restored, or delivered by a tab) never outranks what the backend serves later (`snapshotIsCurrent`).
 */
import { epochSeconds } from '@/utils/model';
import type { ConversationRecord, SnapshotSource, VaultDb } from './db';
import { VaultError, describe } from './errors';

export interface SaveSnapshotOptions {
  /** Overrides the JSON's `gizmo_id` (project/GPT chats found through a gizmo listing). */
  gizmoId?: string | null;
  /** Who delivered the JSON (default `backend`: the extension's own read). */
  source?: SnapshotSource;
}

export interface SaveSnapshotResult {
  id: string;
  /** False when the vault already held a newer snapshot, which stays. */
  saved: boolean;
}

/** What decides between two snapshots of one conversation: its `update_time` and who delivered it. */
export interface SnapshotRank {
  updateTime: number | null;
  /** Absent: `backend`. */
  source?: SnapshotSource;
  /** Rows restored before `source` existed. */
  restored?: boolean;
}

/** Update times from a listing and from the conversation JSON differ in their last digits. */
const SAME_TIME = 0.001;

const sourceOf = (r: SnapshotRank): SnapshotSource => r.source ?? (r.restored ? 'restored' : 'backend');

/**
 * THE rule for "is this snapshot current": whether `held` (what the vault has) stands against `other` (a
 * snapshot about to be written, or what a listing says the backend holds now). Capture, backup and restore
 * all ask here.
 * - Nothing held: not current.
 * - A copy (`restored` from an archive, `tab` from a content script) never stands against the backend:
 *   its `updateTime` is whatever the file or the tab says (a forged 9e12 must not freeze a title).
 * - An undated `other` never displaces a dated `held`; an undated `held` stands only against undated.
 * - Otherwise `held` is current when it is at least as new as `other`.
 */
export function snapshotIsCurrent(held: SnapshotRank | null | undefined, other: SnapshotRank): boolean {
  if (!held) return false;
  if (sourceOf(other) === 'backend' && sourceOf(held) !== 'backend') return false;
  if (other.updateTime === null) return true;
  if (held.updateTime === null) return false;
  return held.updateTime + SAME_TIME >= other.updateTime;
}

/**
 * Whether saving `incoming` replaces `stored`: whenever `stored` is not current against it, and also when
 * the backend serves the same version again (a re-read refreshes what it said before).
 */
function snapshotReplaces(incoming: SnapshotRank, stored: SnapshotRank | undefined): boolean {
  if (!snapshotIsCurrent(stored, incoming)) return true;
  return sourceOf(incoming) === 'backend' && sourceOf(stored!) === 'backend' && incoming.updateTime !== null &&
    stored!.updateTime !== null && incoming.updateTime >= stored!.updateTime;
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
  };
  const source = options.source ?? 'backend';
  if (source !== 'backend') row.source = source;

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

/** One conversation's metadata row, or null. */
export async function getConversation(db: VaultDb, id: string): Promise<ConversationRecord | null> {
  return (await db.conversations.get(id)) ?? null;
}

/** The metadata rows of `ids`, in order; undefined where there is none. */
export async function getConversations(db: VaultDb, ids: readonly string[]): Promise<(ConversationRecord | undefined)[]> {
  return db.conversations.bulkGet([...ids]);
}

/** A stored snapshot's JSON text, or null. */
export async function getSnapshotJson(db: VaultDb, id: string): Promise<string | null> {
  return (await db.snapshots.get(id))?.json ?? null;
}

/** The ids of every stored snapshot (keys only: no JSON is read). */
export async function snapshotIds(db: VaultDb): Promise<string[]> {
  return db.snapshots.toCollection().primaryKeys();
}
