/**
 * The search box and the kind / status / source filters above the gallery. Controlled: the page owns
 * the filter and passes it back in.
 */
import { ARTIFACT_KINDS, ARTIFACT_SOURCES, ARTIFACT_STATUSES } from '@/utils/model';
import { t, tn } from '@/utils/i18n';
import { KIND_KEYS, SOURCE_KEYS, STATUS_KEYS } from './labels';
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
        placeholder={t('filters_search_placeholder')}
        aria-label={t('filters_search')}
        value={filter.text}
        onInput={(e) => set('text', (e.currentTarget).value)}
      />
      <label>
        {t('filters_kind')}{' '}
        <select value={filter.kind} onChange={(e) => set('kind', (e.currentTarget).value as LibraryFilter['kind'])}>
          <option value="all">{t('filters_all')}</option>
          {ARTIFACT_KINDS.map((k) => <option key={k} value={k}>{t(KIND_KEYS[k])}</option>)}
        </select>
      </label>
      <label>
        {t('filters_status')}{' '}
        <select value={filter.status} onChange={(e) => set('status', (e.currentTarget).value as LibraryFilter['status'])}>
          <option value="all">{t('filters_all')}</option>
          {ARTIFACT_STATUSES.map((s) => <option key={s} value={s}>{t(STATUS_KEYS[s])}</option>)}
        </select>
      </label>
      <label>
        {t('filters_source')}{' '}
        <select value={filter.source} onChange={(e) => set('source', (e.currentTarget).value as LibraryFilter['source'])}>
          <option value="all">{t('filters_all')}</option>
          {ARTIFACT_SOURCES.map((s) => <option key={s} value={s}>{t(SOURCE_KEYS[s])}</option>)}
        </select>
      </label>
      <span class="muted" role="status" data-testid="shown-count">
        {!complete ? t('filters_loading_all') : shown === total ? tn('filters_count', total) : tn('filters_count_of', total, shown)}
      </span>
    </div>
  );
}
