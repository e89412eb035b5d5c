/**
 * Gallery layout: artifacts grouped by day (local date of capture, or of first sighting when there are
 * no bytes), then by conversation, newest first; then flattened into fixed-height rows for the
 * virtualized grid (a day header, a conversation header, rows of `columns` tiles).
 */
import type { ArtifactRecord } from '@/utils/vault';

export interface ConversationGroup {
  conversationId: string;
  title: string | null;
  items: ArtifactRecord[];
}

export interface DayGroup {
  /** Local `YYYY-MM-DD`. */
  day: string;
  conversations: ConversationGroup[];
}

export type GalleryRow =
  | { type: 'day'; key: string; day: string; count: number }
  | { type: 'conversation'; key: string; conversationId: string; title: string | null; count: number }
  /** `first`: the position of `items[0]` in its conversation (0-based); `of`: the conversation's count; `title` names the list. */
  | { type: 'tiles'; key: string; items: ArtifactRecord[]; first: number; of: number; title: string | null };

export const ROW_HEIGHTS = { day: 44, conversation: 36, tiles: 216 } as const;

/** When an artifact "happened": its capture, else when it was first seen. */
const artifactTime = (r: ArtifactRecord): number => r.capturedAt ?? r.firstSeenAt;

/** Local calendar date `YYYY-MM-DD` (docs/FORMATS.md 4 names downloads by local date too). */
export function localDay(ms: number | Date): string {
  const d = typeof ms === 'number' ? new Date(ms) : ms;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** Gallery order: newest first, then by id so equal times keep a stable order. */
export function compareNewestFirst(a: ArtifactRecord, b: ArtifactRecord): number {
  return artifactTime(b) - artifactTime(a) || a.id.localeCompare(b.id);
}

/**
 * Groups by local day, then conversation, newest first. The day key is computed once per day, not per
 * record (records arrive sorted, so a day's records are contiguous): at 100,000 records `localDay` for
 * each was most of the grouping time.
 */
export function groupArtifacts(records: readonly ArtifactRecord[], titles?: ReadonlyMap<string, string | null>): DayGroup[] {
  const sorted = records.slice().sort(compareNewestFirst);
  const days: DayGroup[] = [];
  const byDay = new Map<string, { day: DayGroup; convs: Map<string, ConversationGroup> }>();
  let current: { day: DayGroup; convs: Map<string, ConversationGroup> } | undefined;
  // [dayStart, dayEnd): the local day `current` covers.
  let dayStart = NaN;
  let dayEnd = NaN;
  for (const r of sorted) {
    const t = artifactTime(r);
    if (!(t >= dayStart && t < dayEnd)) {
      const d = new Date(t);
      const key = localDay(d);
      dayStart = new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
      dayEnd = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
      current = byDay.get(key);
      if (!current) {
        current = { day: { day: key, conversations: [] }, convs: new Map() };
        byDay.set(key, current);
        days.push(current.day);
      }
    }
    let group = current!.convs.get(r.conversationId);
    if (!group) {
      group = { conversationId: r.conversationId, title: titles?.get(r.conversationId) ?? r.conversationTitle, items: [] };
      current!.convs.set(r.conversationId, group);
      current!.day.conversations.push(group);
    }
    group.items.push(r);
  }
  return days;
}

/** Flattens groups into rows of at most `columns` tiles. */
export function galleryRows(days: readonly DayGroup[], columns: number): GalleryRow[] {
  const cols = Math.max(1, Math.floor(columns));
  const rows: GalleryRow[] = [];
  for (const d of days) {
    rows.push({ type: 'day', key: `d:${d.day}`, day: d.day, count: d.conversations.reduce((n, c) => n + c.items.length, 0) });
    for (const c of d.conversations) {
      rows.push({ type: 'conversation', key: `c:${d.day}:${c.conversationId}`, conversationId: c.conversationId, title: c.title, count: c.items.length });
      for (let i = 0; i < c.items.length; i += cols) {
        rows.push({ type: 'tiles', key: `t:${d.day}:${c.conversationId}:${i}`, items: c.items.slice(i, i + cols), first: i, of: c.items.length, title: c.title });
      }
    }
  }
  return rows;
}

/** How many tiles fit across `width` pixels. */
export function columnsFor(width: number, minTile = 180, gap = 12): number {
  return Math.max(1, Math.floor((width + gap) / (minTile + gap)));
}

/** `Monday, 23 November 2026`-style label for a local day key. */
export function dayLabel(day: string, locale?: string): string {
  const [y, m, d] = day.split('-').map(Number);
  const date = new Date(y!, m! - 1, d);
  return date.toLocaleDateString(locale, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
}
