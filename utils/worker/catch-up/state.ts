/**
 * Catch-up's state between checks, as storage keeps it (the worker stops between alarms), and its
 * validation: the popup reads it too.
 */
import type { RunPlace } from '@/utils/worker/backup/runner';

/** What one check found, or why it stopped. */
export type CatchUpResult =
  | { code: 'nothing-changed' }
  | { code: 'read'; conversations: number; files: number }
  /** ChatGPT answered 429: the rest waits for the next check. */
  | { code: 'rate-limited' }
  | { code: 'signed-out' }
  /** Another error; `detail` is its own text (English, technical). */
  | { code: 'stopped'; detail: string };

export interface CatchUpState {
  /** When the last check ran (ms since the epoch), or null before the first. */
  lastCheck: number | null;
  /** What it found or why it stopped (the popup says it in the person's language), or null before the first. */
  result: CatchUpResult | null;
  /** Artifacts the last check that found something queued (the popup counts how many are saved). */
  queued: string[];
  /** Each conversation of the last listed page with its update time (seconds), to tell what moved. */
  seen: Record<string, number | null>;
  /** Conversations still to read (a 429 or a stopped worker ended a check before them). */
  pending: { id: string; gizmoId: string | null }[];
  /** The place the last check looked at (a changed workspace starts afresh). */
  place: RunPlace | null;
}

export const EMPTY_CATCH_UP: CatchUpState = { lastCheck: null, result: null, queued: [], seen: {}, pending: [], place: null };

/** A stored state, validated (anything odd starts afresh). */
export function parseCatchUpState(raw: unknown): CatchUpState {
  if (typeof raw !== 'object' || raw === null) return { ...EMPTY_CATCH_UP };
  const r = raw as Record<string, unknown>;
  const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 200;
  const seen: Record<string, number | null> = {};
  if (typeof r.seen === 'object' && r.seen !== null) {
    for (const [id, t] of Object.entries(r.seen as Record<string, unknown>)) {
      if (isId(id) && (t === null || (typeof t === 'number' && Number.isFinite(t)))) seen[id] = t;
    }
  }
  const pending = Array.isArray(r.pending)
    ? r.pending.filter((p): p is { id: string; gizmoId: string | null } => typeof p === 'object' && p !== null && isId((p as { id?: unknown }).id) && ((p as { gizmoId?: unknown }).gizmoId === null || isId((p as { gizmoId?: unknown }).gizmoId)))
      .map((p) => ({ id: p.id, gizmoId: p.gizmoId }))
    : [];
  const place = typeof r.place === 'object' && r.place !== null && typeof (r.place as RunPlace).origin === 'string'
    ? { origin: (r.place as RunPlace).origin, account: isId((r.place as RunPlace).account) ? (r.place as RunPlace).account : null }
    : null;
  return {
    lastCheck: typeof r.lastCheck === 'number' && Number.isFinite(r.lastCheck) ? r.lastCheck : null,
    result: parseResult(r.result),
    queued: Array.isArray(r.queued) ? r.queued.filter(isId).slice(-MAX_QUEUED_KEPT) : [],
    seen,
    pending: pending.slice(0, 500),
    place,
  };
}

/** Artifacts of the last check kept for the popup's count. */
export const MAX_QUEUED_KEPT = 200;

const count = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** A stored result, or null when it is not one (a result stored as words by an older version included). */
function parseResult(raw: unknown): CatchUpResult | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  switch (r.code) {
    case 'nothing-changed': case 'rate-limited': case 'signed-out': return { code: r.code };
    case 'read': return count(r.conversations) && count(r.files) ? { code: 'read', conversations: r.conversations, files: r.files } : null;
    case 'stopped': return typeof r.detail === 'string' ? { code: 'stopped', detail: r.detail.slice(0, 200) } : null;
    default: return null;
  }
}
