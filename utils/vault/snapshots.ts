/**
 * Conversation snapshots: the backend's JSON text as received (contracts.md: "exactly as the backend
 * returned them"), plus a small metadata row for listings. Only a newer snapshot (by `update_time`)
 * replaces a stored one, so a stale tab or an old backup never rolls a conversation back.
 */
import type { ConversationRecord, VaultDb } from './db';
import { VaultError, describe, requireId } from './errors';

export interface SaveSnapshotOptions {
  /** Overrides the JSON's `gizmo_id` (project/GPT chats found through a gizmo listing). */
  gizmoId?: string | null;
}

export interface SaveSnapshotResult {
  id: string;
  /** False when the vault already held a newer snapshot, which stays. */
  saved: boolean;
}

/**
 * `update_time` as seconds since the epoch. The conversation body sends floats; the conversation list
 * sends ISO-8601 strings (chatgpt-surface.md 3.2), so accept both.
 */
function updateTimeOf(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return ms / 1000;
  }
  return null;
}

/** Whether a snapshot with `incoming` update time may replace one with `stored` (equal replaces). */
function isNewerOrEqual(incoming: number | null, stored: number | null): boolean {
  if (stored === null) return true;
  if (incoming === null) return false; // an undated snapshot never replaces a dated one
  return incoming >= stored;
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
    updateTime: updateTimeOf(conv.update_time),
    savedAt: Date.now(),
    gizmoId,
  };

  return db.transaction('rw', db.conversations, db.snapshots, db.artifacts, async () => {
    const stored = await db.conversations.get(id);
    if (stored && !isNewerOrEqual(row.updateTime, stored.updateTime)) return { id, saved: false };
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

/** The stored JSON text of a conversation, or null. */
export async function getSnapshot(db: VaultDb, id: string): Promise<string | null> {
  requireId(id, 'id');
  return (await db.snapshots.get(id))?.json ?? null;
}

/** Conversation metadata (never the JSON), most recently updated first; undated ones last. */
export async function listConversations(db: VaultDb): Promise<ConversationRecord[]> {
  const rows = await db.conversations.toArray();
  return rows.sort((a, b) => (b.updateTime ?? -Infinity) - (a.updateTime ?? -Infinity) || a.id.localeCompare(b.id));
}
