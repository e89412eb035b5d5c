/**
 * `Download backup` and `Restore backup` (docs/FORMATS.md section 4). Restore is a file input whose label
 * reads `Restore backup`: choosing a file starts the restore at once (the archive is validated whole
 * before anything is written, and a restore never deletes, so no extra dialog is needed). The outcome,
 * or the reason the archive was refused, is reported below the buttons; a screen reader hears the start and
 * the outcome through one live region (LiveAnnouncer) that is there before either.
 */
import { useState } from 'preact/hooks';
import type { RestoreResult } from '@/utils/archive';
import { errorText } from './reasons';
import { t } from '@/utils/i18n';
import { LiveAnnouncer } from './LiveAnnouncer';

export interface BackupControlsProps {
  onDownload: () => Promise<void>;
  onRestore: (file: File) => Promise<RestoreResult>;
}

type Report = { kind: 'ok'; result: RestoreResult; file: string } | { kind: 'error'; message: string } | { kind: 'info'; message: string };

export function BackupControls({ onDownload, onRestore }: BackupControlsProps) {
  const [busy, setBusy] = useState<null | 'download' | 'restore'>(null);
  const [report, setReport] = useState<Report | null>(null);

  const download = async () => {
    setBusy('download');
    setReport(null);
    try {
      await onDownload();
      setReport({ kind: 'info', message: t('backup_file_downloaded') });
    } catch (error) {
      setReport({ kind: 'error', message: t('backup_file_write_failed', (error as Error).message) });
    } finally {
      setBusy(null);
    }
  };

  const restore = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    input.value = ''; // choosing the same file again must start another restore
    if (!file) return;
    setBusy('restore');
    setReport(null);
    try {
      setReport({ kind: 'ok', result: await onRestore(file), file: file.name });
    } catch (error) {
      setReport({ kind: 'error', message: t('backup_restore_refused', file.name, errorText(error)) });
    } finally {
      setBusy(null);
    }
  };

  const restoring = t('backup_restore_running');
  const restored = report?.kind === 'ok'
    ? `${t('backup_restore_done', report.file, report.result.added, report.result.alreadyPresent, report.result.updated, report.result.rejected.length)} ${t('backup_restore_done_conversations', report.result.conversations.added, report.result.conversations.updated)}`
    : '';

  return (
    <div class="backup">
      <div class="backup-buttons">
        {/* download() reports its own failure in the panel, so nothing is left to await */}
        <button type="button" onClick={() => void download()} disabled={busy !== null}>
          {busy === 'download' ? t('backup_file_writing') : t('backup_file_download')}
        </button>
        <label class={`button-like${busy !== null ? ' disabled' : ''}`}>
          {t('backup_file_restore')}
          <input
            type="file"
            class="visually-hidden"
            accept=".zip,application/zip"
            disabled={busy !== null}
            onChange={(e) => void restore(e.currentTarget)}
            data-testid="restore-input"
          />
        </label>
      </div>
      {busy === 'restore' && <p>{restoring}</p>}
      {report?.kind === 'error' && <p role="alert" class="report error" data-testid="restore-report">{report.message}</p>}
      {report?.kind === 'info' && <p class="report">{report.message}</p>}
      {report?.kind === 'ok' && (
        <div class="report ok" data-testid="restore-report">
          <p>{restored}</p>
          {report.result.rejected.length > 0 && (
            <ul>
              {report.result.rejected.slice(0, 20).map((r, i) => <li key={i}>{t('backup_restore_rejected', r.id ?? r.path ?? '', r.reason)}</li>)}
            </ul>
          )}
        </div>
      )}
      <LiveAnnouncer
        text={busy === 'restore' ? restoring : report?.kind === 'ok' ? restored : report?.kind === 'info' ? report.message : ''}
        final={busy === null}
        testId="restore-announce"
      />
    </div>
  );
}
