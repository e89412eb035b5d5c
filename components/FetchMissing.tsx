/**
 * `Fetch missing files` in the reconcile view, after a run: hands the report's fetchable `lost` items to the
 * background (utils/worker/backup/fetch-missing.ts), which fetches them as a persistent run, and shows that run
 * live: a progressbar, the step in words, `Pause`/`Resume` and `Cancel`. Each time more items ended, their
 * outcomes go to the reconcile worker, which updates the report in place (`onReport`: chart, table and
 * `Download report` follow). The run belongs to the background: closing the page does not stop it.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { sendMessage, type FetchMissingOutcome, type FetchMissingRequestItem, type FetchMissingStatus } from '@/utils/messaging';
import type { ReconcileRun, ReportView } from '@/utils/reconcile-page/client';
import { t, tn } from '@/utils/i18n';
import { LiveAnnouncer } from './LiveAnnouncer';
import { RunProgressBar } from './RunProgressBar';

/** The background's side of the run (default: the extension's messages). */
export interface FetchMissingBackground {
  start(items: FetchMissingRequestItem[], reportToken: string): Promise<FetchMissingStatus>;
  status(): Promise<FetchMissingStatus | null>;
  control(action: 'pause' | 'resume' | 'cancel'): Promise<FetchMissingStatus | null>;
  results(): Promise<FetchMissingOutcome[]>;
}

const messages: FetchMissingBackground = {
  start: (items, reportToken) => sendMessage('fetchMissingStart', { items, reportToken }),
  status: () => sendMessage('fetchMissingStatus', {}),
  control: (action) => sendMessage('fetchMissingControl', { action }),
  results: () => sendMessage('fetchMissingResults', {}),
};

export interface FetchMissingProps {
  /** `lost` items of this report that can be fetched. */
  fetchable: number;
  /** Identifies this report to the background run. */
  reportToken: string;
  run: Pick<ReconcileRun, 'fetchList' | 'applyFetched'>;
  /** The report after outcomes were applied. */
  onReport: (view: ReportView) => void;
  background?: FetchMissingBackground;
  pollMs?: number;
}

export function FetchMissing({ fetchable, reportToken, run, onReport, background = messages, pollMs = 500 }: FetchMissingProps) {
  const [status, setStatus] = useState<FetchMissingStatus | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  /** Items ended that the report already reflects (outcomes are fetched again only when more ended). */
  const applied = useRef(-1);

  const mine = status !== null && status.reportToken === reportToken;
  const live = status !== null && (status.state === 'running' || status.state === 'paused');

  const apply = useCallback(async (s: FetchMissingStatus) => {
    if (s.reportToken !== reportToken || s.value === applied.current) return;
    applied.current = s.value;
    onReport(await run.applyFetched(await background.results()));
  }, [reportToken, run, onReport, background]);

  const refresh = useCallback(async () => {
    try {
      const s = await background.status();
      setStatus(s);
      if (s) await apply(s);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }, [background, apply]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => void refresh(), pollMs);
    return () => clearInterval(timer);
  }, [live, pollMs, refresh]);

  const act = async (call: () => Promise<FetchMissingStatus | null>) => {
    setBusy(true);
    setError(null);
    try {
      const s = await call();
      setStatus(s);
      if (s) await apply(s);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const start = () =>
    void act(async () => {
      applied.current = -1;
      return background.start(await run.fetchList(), reportToken);
    });

  const stepText = !status
    ? ''
    : `${!mine && live ? `${t('fetch_missing_other_report')} ` : ''}${status.state === 'paused' ? t('backup_step_paused', status.step) : status.step}`;
  return (
    <div class="fetch-missing" data-testid="fetch-missing">
      {!live && fetchable > 0 && (
        <p>
          <button type="button" disabled={busy} onClick={start}>{t('fetch_missing_button')}</button>{' '}
          <span class="muted" data-testid="fetchable">
            {tn('fetch_missing_fetchable', fetchable)}
          </span>
        </p>
      )}
      {status && (mine || live) && (
        <div class="backup-progress">
          {live && <RunProgressBar label={t('fetch_missing_progress_label')} value={status.value} max={status.max} />}
          <p class="step" data-testid="fetch-step">{stepText}</p>
          {live && (
            <div class="backup-actions">
              {status.state === 'paused' ? (
                <button type="button" disabled={busy} onClick={() => void act(() => background.control('resume'))}>{t('backup_resume')}</button>
              ) : (
                <button type="button" disabled={busy} onClick={() => void act(() => background.control('pause'))}>{t('backup_pause')}</button>
              )}
              <button type="button" disabled={busy} onClick={() => void act(() => background.control('cancel'))}>{t('common_cancel')}</button>
            </div>
          )}
        </div>
      )}
      {error && <p role="alert">{t('fetch_missing_error', error)}</p>}
      <LiveAnnouncer
        text={status && (mine || live) ? stepText.trim() : ''}
        fraction={live && status ? status.value / Math.max(1, status.max) : null}
        final={!live || status?.state === 'paused'}
        testId="fetch-announce"
      />
    </div>
  );
}
