/**
 * Storage used and available (`navigator.storage.estimate()`), whether the browser may evict the vault,
 * a button asking for persistent storage, and a warning when space runs low.
 */
import { useEffect, useState } from 'preact/hooks';
import { StorageFullNotice } from './StorageFullNotice';
import { formatBytes, readStorageInfo, requestPersistence, type StorageInfo } from '@/utils/library/storage-info';

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
    <section class="storage" aria-label="Storage" data-testid="storage">
      <span>
        {formatBytes(info.usage)} used · {formatBytes(info.available)} available
      </span>
      {info.persisted === true ? (
        <span class="muted">Persistent: the browser will not evict the vault.</span>
      ) : (
        <button type="button" onClick={() => void persist()} title="Ask the browser not to clear the vault when disk space runs low">
          Keep vault persistent
        </button>
      )}
      {info.low && (
        <p role="alert" class="warning">
          Space is running low ({formatBytes(info.available)} left). Download a backup and free some disk space, or new
          captures may fail.
        </p>
      )}
      <StorageFullNotice />
    </section>
  );
}
