/**
 * `Back up everything` on the library page (docs/FORMATS.md section 4): starts the whole-history backup in the
 * background, then shows it live (BackupProgress) with `Pause`/`Resume` and `Cancel`. The run belongs to the
 * background, so closing the page changes nothing; reopening it shows the run again. Starting asks for the
 * optional `notifications` permission without waiting for the answer, so a prompt never delays the start.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { EVERYTHING_RUN as RUN_ID } from '@/utils/worker/backup/checkpoint';
import { sendMessage, type BackupStatus } from '@/utils/messaging';
import type { ExportIndexMeta } from '@/utils/vault';
import { BackupProgress } from './BackupProgress';
import { formatDate, t } from '@/utils/i18n';
import { ReconcileRunError, startIndexWorker, type StartIndex } from '@/utils/reconcile-page/client';
import { reconcileNoteText, runErrorText } from './reasons';


export interface BackupEverythingProps {
  /** How often the live state is read while a run goes on. */
  pollMs?: number;
  /** Asks for the notification permission (default: the browser's prompt, not awaited). */
  requestNotifications?: () => void;
  /** Called when a run ends, so the page can show what arrived. */
  onFinished?: () => void;
  /**
   * Reads the conversations of an export chosen here in the reconcile page's worker, which keeps its index
   * as a reconcile does, so the page's main thread never inflates the ZIP.
   */
  startIndex?: StartIndex;
}

/** Reading an export chosen for the next run, or why it was refused. */
type Chosen = { step: 'reading'; name: string } | { step: 'refused'; name: string; reason: string } | null;

function askForNotifications(): void {
  // Must be called inside the click (a user gesture); the answer does not matter for the run.
  void browser.permissions?.request({ permissions: ['notifications'] }).catch(() => false);
}

export function BackupEverything({
  pollMs = 500, requestNotifications = askForNotifications, onFinished, startIndex = startIndexWorker,
}: BackupEverythingProps) {
  const [status, setStatus] = useState<BackupStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** The export the last reconcile indexed, and whether this run may trust it instead of reads. */
  const [exportIndex, setExportIndex] = useState<ExportIndexMeta | null>(null);
  const [exportFirst, setExportFirst] = useState(true);
  const [chosen, setChosen] = useState<Chosen>(null);

  const refresh = useCallback(async () => {
    try {
      setStatus(await sendMessage('backupStatus', { runId: RUN_ID }));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }, []);

  useEffect(() => {
    void refresh();
    sendMessage('exportIndexInfo', {}).then(setExportIndex, () => setExportIndex(null));
  }, [refresh]);

  const live = status?.state === 'running' || status?.state === 'paused';
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => void refresh(), pollMs);
    return () => {
      clearInterval(timer);
      onFinished?.();
    };
  }, [live, pollMs, refresh]);

  const act = async (run: () => Promise<BackupStatus | null>) => {
    setBusy(true);
    setError(null);
    try {
      setStatus(await run());
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const chooseExport = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    input.value = ''; // choosing the same file again reads it again
    if (!file) return;
    setChosen({ step: 'reading', name: file.name });
    try {
      const { notes } = await startIndex(file);
      const notKept = notes.find((n) => n.code === 'index-not-kept');
      if (notKept) {
        setChosen({ step: 'refused', name: file.name, reason: reconcileNoteText(notKept) });
        return;
      }
      setExportIndex(await sendMessage('exportIndexInfo', {}));
      setExportFirst(true);
      setChosen(null);
    } catch (err) {
      const reason = err instanceof ReconcileRunError ? runErrorText(err) : err instanceof Error ? err.message : String(err);
      setChosen({ step: 'refused', name: file.name, reason });
    }
  };

  const start = () => {
    requestNotifications();
    void act(() => sendMessage('backupStart', { scope: 'everything', exportFirst: exportIndex !== null && exportFirst }));
  };

  return (
    <section class="backup-everything" aria-label={t('backup_everything')} data-testid="backup-everything">
      {!live && (
        <button type="button" class="primary" onClick={start} disabled={busy}>
          {t('backup_everything')}
        </button>
      )}
      {!live && exportIndex && (
        <label class="export-first">
          <input type="checkbox" checked={exportFirst} onChange={(e) => setExportFirst(e.currentTarget.checked)} data-testid="export-first" />
          {' '}{t('backup_export_first', formatDate(exportIndex.reconciledAt), exportIndex.name)}
        </label>
      )}
      {!live && (
        <label class={`button-like${chosen?.step === 'reading' ? ' disabled' : ''}`}>
          {t('backup_export_choose')}
          <input
            type="file"
            class="visually-hidden"
            accept=".zip,application/zip"
            disabled={chosen?.step === 'reading'}
            onChange={(e) => void chooseExport(e.currentTarget)}
            data-testid="backup-export-input"
          />
        </label>
      )}
      {chosen?.step === 'reading' && <p role="status">{t('backup_export_reading', chosen.name)}</p>}
      {chosen?.step === 'refused' && <p role="alert">{t('backup_export_refused', chosen.name, chosen.reason)}</p>}
      {status && <BackupProgress status={status} />}
      {live && (
        <div class="backup-actions">
          {status.state === 'paused' ? (
            <button type="button" disabled={busy} onClick={() => void act(() => sendMessage('backupControl', { runId: RUN_ID, action: 'resume' }))}>
              {t('backup_resume')}
            </button>
          ) : (
            <button type="button" disabled={busy} onClick={() => void act(() => sendMessage('backupControl', { runId: RUN_ID, action: 'pause' }))}>
              {t('backup_pause')}
            </button>
          )}
          <button type="button" disabled={busy} onClick={() => void act(() => sendMessage('backupControl', { runId: RUN_ID, action: 'cancel' }))}>
            {t('common_cancel')}
          </button>
        </div>
      )}
      {error && <p role="alert">{t('backup_error', error)}</p>}
    </section>
  );
}
