/**
 * The reconcile report's items as a table, filtered (class, kind, text) and paginated: it asks for one page
 * of rows at a time (the items stay in the worker, which filters them), so a report of 160,000 items costs
 * the page 100 rows. Rows show a thumbnail where the vault has the picture, the names and ids that matched,
 * and a link to the conversation on chatgpt.com.
 */
import { useEffect, useState } from 'preact/hooks';
import { KIND_LABELS, ARTIFACT_KINDS } from '@/utils/model';
import { safeFileName } from '@/utils/files/names';
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
  return (it.fileName !== null ? safeFileName(it.fileName, it.kind, 200) : null) ?? it.sandboxPath ?? it.fileId ?? it.genId ?? '(unnamed)';
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
    <section class="reconcile-table" aria-label="Reconciled items">
      <div class="filters" role="search">
        <input
          type="search"
          class="search"
          aria-label="Filter items"
          placeholder="Filter by file name, id, conversation"
          value={filter.text}
          onInput={(e) => set('text', (e.currentTarget).value)}
        />
        <label>
          Class{' '}
          <select value={filter.status} onChange={(e) => set('status', (e.currentTarget).value as ReconcileFilter['status'])}>
            <option value="all">All</option>
            {RECONCILE_STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <label>
          Kind{' '}
          <select value={filter.kind} onChange={(e) => set('kind', (e.currentTarget).value as ReconcileFilter['kind'])}>
            <option value="all">All</option>
            {ARTIFACT_KINDS.map((k) => <option key={k} value={k}>{KIND_LABELS[k]}</option>)}
          </select>
        </label>
        <span class="muted" role="status" data-testid="reconcile-shown">
          {view === null ? 'Loading…' : matching === totalItems ? `${totalItems} items` : `${matching} of ${totalItems} items`}
        </span>
      </div>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Class</th>
              <th scope="col">Kind</th>
              <th scope="col"><span class="visually-hidden">Thumbnail</span></th>
              <th scope="col">Name</th>
              <th scope="col">In the export</th>
              <th scope="col">Conversation</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((it, i) => (
              <tr key={`${current}-${i}`} data-testid="reconcile-row" data-status={it.status}>
                <td><span class={`class-badge class-${it.status}`}>{it.status}</span></td>
                <td class="nowrap">{it.kind}</td>
                <td>
                  {it.vaultSha256 && PICTURE_KINDS.has(it.kind) ? (
                    <ReconcileThumb key={it.vaultSha256} sha256={it.vaultSha256} loadBlob={loadBlob} observeVisible={observeVisible} />
                  ) : null}
                </td>
                <td>
                  <div class="name-cell">
                    <span class="item-name" title={itemName(it)}>{itemName(it)}</span>
                    {it.identical === false && <span class="differs">the two copies differ</span>}
                    <span class="mono muted">{[it.fileId, it.genId].filter(Boolean).join(' · ')}</span>
                  </div>
                </td>
                <td class="mono">{it.exportMember ?? '—'}</td>
                <td>
                  {it.conversationId ? (
                    <a href={conversationUrl(it.conversationId)} target="_blank" rel="noopener noreferrer" title={it.conversationId}>
                      Open in ChatGPT
                    </a>
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {view !== null && matching === 0 && <p class="empty">No item matches this filter.</p>}
      </div>
      {pages > 1 && (
        <nav class="pager" aria-label="Pages">
          <button type="button" disabled={current === 0} onClick={() => setPage(current - 1)}>Previous</button>
          <span data-testid="reconcile-page">Items {first}–{Math.min(matching, (current + 1) * pageSize)} of {matching}</span>
          <button type="button" disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>Next</button>
        </nav>
      )}
    </section>
  );
}
