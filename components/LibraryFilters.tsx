/**
 * The search box and the kind / status / source filters above the gallery. Controlled: the page owns
 * the filter and passes it back in.
 */
import { KIND_LABELS, ARTIFACT_KINDS, ARTIFACT_SOURCES, ARTIFACT_STATUSES } from '@/utils/model';
import type { LibraryFilter } from '@/utils/library/filter';

export interface LibraryFiltersProps {
  filter: LibraryFilter;
  onChange: (filter: LibraryFilter) => void;
  shown: number;
  total: number;
  /** False while only the newest records are loaded: the count then says the rest is loading. */
  complete?: boolean;
}


export function LibraryFilters({ filter, onChange, shown, total, complete = true }: LibraryFiltersProps) {
  const set = <K extends keyof LibraryFilter>(key: K, value: LibraryFilter[K]) => onChange({ ...filter, [key]: value });
  return (
    <div class="filters" role="search" data-testid="filters">
      <input
        type="search"
        class="search"
        placeholder="Search prompts, file names, conversations"
        aria-label="Search"
        value={filter.text}
        onInput={(e) => set('text', (e.currentTarget).value)}
      />
      <label>
        Kind{' '}
        <select value={filter.kind} onChange={(e) => set('kind', (e.currentTarget).value as LibraryFilter['kind'])}>
          <option value="all">All</option>
          {ARTIFACT_KINDS.map((k) => <option key={k} value={k}>{KIND_LABELS[k]}</option>)}
        </select>
      </label>
      <label>
        Status{' '}
        <select value={filter.status} onChange={(e) => set('status', (e.currentTarget).value as LibraryFilter['status'])}>
          <option value="all">All</option>
          {ARTIFACT_STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
      </label>
      <label>
        Source{' '}
        <select value={filter.source} onChange={(e) => set('source', (e.currentTarget).value as LibraryFilter['source'])}>
          <option value="all">All</option>
          {ARTIFACT_SOURCES.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
      </label>
      <span class="muted" role="status" data-testid="shown-count">
        {!complete ? 'Loading every artifact…' : shown === total ? `${total} artifacts` : `${shown} of ${total} artifacts`}
      </span>
    </div>
  );
}
