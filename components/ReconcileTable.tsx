/**
 * The reconcile report's items as a table, filtered (class, kind, text) and paginated: it asks for one page
 * of rows at a time (the items stay in the worker, which filters them), so a report of 160,000 items costs
 * the page 100 rows. Rows show a thumbnail where the vault has the picture, the names and ids that matched,
 * and a link to the conversation on chatgpt.com.
 */
import { useEffect, useState } from 'preact/hooks';
import { ARTIFACT_KINDS, type ArtifactKind } from '@/utils/model';
import { t, tn } from '@/utils/i18n';
import { KIND_KEYS, KIND_NAME_KEYS, RECONCILE_CLASS_KEYS } from './labels';
import { safeFileName } from '@/utils/files/safe-file-name';
import type { ReconcileFilter } from '@/utils/reconcile-page/filter';
import type { ItemsPage } from '@/utils/reconcile-page/protocol';
import { RECONCILE_STATUSES, type ReportItem } from '@/utils/reconcile-page/report-types';
import { conversationUrl } from './ArtifactPreview';
import { ReconcileThumb } from './ReconcileThumb';
import type { ObserveVisible } from './useBlobUrl';

export interface ReconcileTableProps {
  /** One page of the items matching a filter. */
  query: (filter: ReconcileFilter, offset: number, limit: number) => Promise<ItemsPage>;
  /** How many items the report has in all. */
  totalItems: number;
  filter: ReconcileFilter;
  onFilterChange: (filter: ReconcileFilter) => void;
  loadBlob: (sha256: string) => Promise<Blob | null>;
  observeVisible: ObserveVisible;
  pageSize?: number;
}

/** Kinds whose vault bytes are worth reading for a thumbnail (the blob's type decides in the end). */
const PICTURE_KINDS = new Set(['image', 'chart', 'upload']);

function itemName(it: ReportItem): string {
  return (it.fileName !== null ? safeFileName(it.fileName, it.kind, 200) : null) ?? it.sandboxPath ?? it.fileId ?? it.genId ?? t('reconcile_table_unnamed');
}

/** A report item's kind in words (the report may carry a kind this build does not know: shown as is). */
function kindName(kind: string): string {
  return kind in KIND_NAME_KEYS ? t(KIND_NAME_KEYS[kind as ArtifactKind]) : kind;
}

export function ReconcileTable({ query, totalItems, filter, onFilterChange, loadBlob, observeVisible, pageSize = 100 }: ReconcileTableProps) {
  const [page, setPage] = useState(0);
  const [view, setView] = useState<(ItemsPage & { page: number }) | null>(null);
  useEffect(() => setPage(0), [query, filter]);
  useEffect(() => {
    let stale = false;
    query(filter, page * pageSize, pageSize).then(
      (got) => !stale && setView({ ...got, page }),
      () => !stale && setView({ rows: [], total: 0, page }),
    );
    return () => {
      stale = true;
    };
  }, [query, filter, page, pageSize]);
  const rows = view?.rows ?? [];
  const matching = view?.total ?? 0;
  const current = view?.page ?? 0;
  const pages = Math.max(1, Math.ceil(matching / pageSize));
  const set = <K extends keyof ReconcileFilter>(key: K, value: ReconcileFilter[K]) => onFilterChange({ ...filter, [key]: value });
  const first = matching === 0 ? 0 : current * pageSize + 1;

  return (
    <section class="reconcile-table" aria-label={t('reconcile_table_label')}>
      <div class="filters" role="search">
        <input
          type="search"
          class="search"
          aria-label={t('reconcile_table_filter')}
          placeholder={t('reconcile_table_filter_placeholder')}
          value={filter.text}
          onInput={(e) => set('text', (e.currentTarget).value)}
        />
        <label>
          {t('reconcile_table_class')}{' '}
          <select value={filter.status} onChange={(e) => set('status', (e.currentTarget).value as ReconcileFilter['status'])}>
            <option value="all">{t('filters_all')}</option>
            {RECONCILE_STATUSES.map((s) => <option key={s} value={s}>{t(RECONCILE_CLASS_KEYS[s].name)}</option>)}
          </select>
        </label>
        <label>
          {t('filters_kind')}{' '}
          <select value={filter.kind} onChange={(e) => set('kind', (e.currentTarget).value as ReconcileFilter['kind'])}>
            <option value="all">{t('filters_all')}</option>
            {ARTIFACT_KINDS.map((k) => <option key={k} value={k}>{t(KIND_KEYS[k])}</option>)}
          </select>
        </label>
        <span class="muted" role="status" data-testid="reconcile-shown">
          {view === null ? t('library_loading') : matching === totalItems ? tn('reconcile_table_count', totalItems) : tn('reconcile_table_count_of', totalItems, matching)}
        </span>
      </div>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('reconcile_table_class')}</th>
              <th scope="col">{t('filters_kind')}</th>
              <th scope="col"><span class="visually-hidden">{t('reconcile_table_thumbnail')}</span></th>
              <th scope="col">{t('reconcile_table_name')}</th>
              <th scope="col">{t('reconcile_table_in_export')}</th>
              <th scope="col">{t('reconcile_table_conversation')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((it, i) => (
              <tr key={`${current}-${i}`} data-testid="reconcile-row" data-status={it.status}>
                <td><span class={`class-badge class-${it.status}`}>{t(RECONCILE_CLASS_KEYS[it.status].name)}</span></td>
                <td class="nowrap">{kindName(it.kind)}</td>
                <td>
                  {it.vaultSha256 && PICTURE_KINDS.has(it.kind) ? (
                    <ReconcileThumb key={it.vaultSha256} sha256={it.vaultSha256} loadBlob={loadBlob} observeVisible={observeVisible} />
                  ) : null}
                </td>
                <td>
                  <div class="name-cell">
                    <span class="item-name" title={itemName(it)}>{itemName(it)}</span>
                    {it.identical === false && <span class="differs">{t('reconcile_table_differs')}</span>}
                    <span class="mono muted">{[it.fileId, it.genId].filter(Boolean).join(' · ')}</span>
                  </div>
                </td>
                <td class="mono">{it.exportMember ?? '—'}</td>
                <td>
                  {it.conversationId ? (
                    <a href={conversationUrl(it.conversationId)} target="_blank" rel="noopener noreferrer" title={it.conversationId}>
                      {t('common_open_in_chatgpt')}
                    </a>
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {view !== null && matching === 0 && <p class="empty">{t('reconcile_table_no_match')}</p>}
      </div>
      {pages > 1 && (
        <nav class="pager" aria-label={t('reconcile_table_pages')}>
          <button type="button" disabled={current === 0} onClick={() => setPage(current - 1)}>{t('reconcile_table_previous')}</button>
          <span data-testid="reconcile-page">{t('reconcile_table_range', first, Math.min(matching, (current + 1) * pageSize), matching)}</span>
          <button type="button" disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>{t('reconcile_table_next')}</button>
        </nav>
      )}
    </section>
  );
}
