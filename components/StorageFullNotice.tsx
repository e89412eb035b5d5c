/**
 * One line, shown only while the background has paused downloads because the vault is out of space
 * (`storageFull` in utils/storage.ts), saying what to do. Used by the popup and the library's storage panel.
 */
import { useEffect, useState } from 'preact/hooks';
import { storageFull } from '@/utils/storage';
import { t } from '@/utils/i18n';

/** No props: the state comes from extension storage. */
export type StorageFullNoticeProps = Record<string, never>;

export function StorageFullNotice() {
  const [full, setFull] = useState<{ since: number } | null>(null);
  useEffect(() => {
    void storageFull.getValue().then(setFull);
    return storageFull.watch(setFull);
  }, []);
  if (!full) return null;
  return (
    <p role="alert" class="warn" data-testid="storage-full">
      {t('storage_full_notice')}
    </p>
  );
}
