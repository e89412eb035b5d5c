/**
 * The virtualized gallery: a scrolling box whose content is as tall as every row together, of which only
 * the rows intersecting the viewport (plus an overscan margin) are in the DOM. Rows have fixed heights
 * (day header, conversation header, tile row), so the visible range is a binary search over prefix sums
 * (utils/library/virtual.ts) and 10,000 artifacts cost a few dozen tiles of DOM.
 *
 * For assistive technology it is a plain list per conversation, not an ARIA grid: the day and conversation
 * headings are headings, each row of tiles is a `list` named after its conversation, and each tile says its
 * place in the whole conversation (`aria-posinset` / `aria-setsize`), so the counts stay right while rows come
 * and go. The keyboard moves with Tab through each tile's open button and checkbox, in reading order.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ArtifactRecord } from '@/utils/vault';
import { columnsFor, dayLabel, galleryRows, ROW_HEIGHTS, type DayGroup, type GalleryRow } from '@/utils/library/groups';
import { rowOffsets, visibleRange } from '@/utils/library/virtual';
import { formatNumber, t, tn, uiLocale } from '@/utils/i18n';

export interface LibraryGridProps {
  days: DayGroup[];
  /** `position`: the tile's place in its conversation (1-based) and the conversation's count. */
  renderTile: (a: ArtifactRecord, position: { posinset: number; setsize: number }) => ComponentChildren;
  /** Rendered for a conversation header, after the title (e.g. a "select all" control, the link). */
  renderConversationActions?: (conversationId: string) => ComponentChildren;
  /** Pixels of rows kept rendered above and below the viewport. */
  overscan?: number;
}

/** Fallback viewport when layout reports 0 (happy-dom has no layout). */
const FALLBACK = { width: 1024, height: 768 };

export function LibraryGrid({ days, renderTile, renderConversationActions, overscan = 400 }: LibraryGridProps) {
  const box = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState(FALLBACK);
  const [scrollTop, setScrollTop] = useState(0);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setSize({ width: el.clientWidth || FALLBACK.width, height: el.clientHeight || FALLBACK.height });
    measure();
    if (typeof ResizeObserver !== 'undefined') {
      const ro = new ResizeObserver(measure);
      ro.observe(el);
      return () => ro.disconnect();
    }
    globalThis.addEventListener('resize', measure);
    return () => globalThis.removeEventListener('resize', measure);
  }, []);

  const columns = columnsFor(size.width - 32);
  const rows = useMemo(() => galleryRows(days, columns), [days, columns]);
  const offsets = useMemo(() => rowOffsets(rows.map((r) => ROW_HEIGHTS[r.type])), [rows]);
  const [start, end] = visibleRange(offsets, scrollTop, size.height, overscan);

  // A new filter can shrink the content below the scroll position: start again from the top.
  useEffect(() => {
    if (box.current && box.current.scrollTop > offsets[offsets.length - 1]!) {
      box.current.scrollTop = 0;
      setScrollTop(0);
    }
  }, [offsets]);

  const renderRow = (row: GalleryRow) => {
    if (row.type === 'day') {
      return (
        <h2 class="row-day">
          {dayLabel(row.day, uiLocale())} <span class="muted">· {tn('gallery_day_items', row.count)}</span>
        </h2>
      );
    }
    if (row.type === 'conversation') {
      return (
        <h3 class="row-conversation" data-testid="conversation-header">
          <span class="conversation-title">{row.title ?? t('gallery_untitled_conversation')}</span>
          <span class="muted"> · {formatNumber(row.count)}</span>
          {renderConversationActions?.(row.conversationId)}
        </h3>
      );
    }
    return (
      <div class="row-tiles" role="list" aria-label={row.title ?? t('gallery_untitled_conversation')} style={{ gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))` }}>
        {row.items.map((a, i) => renderTile(a, { posinset: row.first + i + 1, setsize: row.of }))}
      </div>
    );
  };

  return (
    <div
      ref={box}
      class="grid-scroll"
      data-testid="gallery"
      data-rows={rows.length}
      data-rendered-rows={end - start}
      onScroll={(e) => setScrollTop((e.currentTarget).scrollTop)}
      tabIndex={0}
      aria-label={t('gallery_label')}
    >
      <div class="grid-spacer" style={{ height: `${offsets[offsets.length - 1]}px` }}>
        {rows.slice(start, end).map((row, i) => (
          <div key={row.key} class={`grid-row grid-row-${row.type}`} style={{ top: `${offsets[start + i]}px`, height: `${ROW_HEIGHTS[row.type]}px` }}>
            {renderRow(row)}
          </div>
        ))}
      </div>
    </div>
  );
}
