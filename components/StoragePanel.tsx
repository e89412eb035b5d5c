/**
 * Storage used and available (`navigator.storage.estimate()`), whether the browser may evict the vault,
 * a button asking for persistent storage, and a warning when space runs low.
 */
import { useEffect, useState } from 'preact/hooks';
import { StorageFullNotice } from './StorageFullNotice';
import { formatSize, t } from '@/utils/i18n';
import { readStorageInfo, requestPersistence, type StorageInfo } from '@/utils/library/storage-info';

export interface StoragePanelProps {
  /** Injected in tests. */
  nav?: Navigator;
  /** Bumped by the page after writes so the numbers follow. */
  refreshKey?: number;
}

export function StoragePanel({ nav = globalThis.navigator, refreshKey = 0 }: StoragePanelProps) {
  const [info, setInfo] = useState<StorageInfo | null>(null);
  const refresh = () => readStorageInfo(nav).then(setInfo);
  useEffect(() => {
    void refresh();
  }, [refreshKey]);
  if (!info) return null;
  // Cannot reject (both storage calls fall back to a value on failure), so the click handler need not await it.
  const persist = async () => {
    await requestPersistence(nav);
    await refresh();
  };
  return (
    <section class="storage" aria-label={t('storage_region')} data-testid="storage">
      <span>
        {t('storage_usage', formatSize(info.usage), formatSize(info.available))}
      </span>
      {info.persisted === true ? (
        <span class="muted">{t('storage_persistent')}</span>
      ) : (
        <button type="button" onClick={() => void persist()} title={t('storage_persist_hint')}>
          {t('storage_persist')}
        </button>
      )}
      {info.low && (
        <p role="alert" class="warning">
          {t('storage_low', formatSize(info.available))}
        </p>
      )}
      <StorageFullNotice />
    </section>
  );
}
