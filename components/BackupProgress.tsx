/**
 * A backup run's live state (docs/FORMATS.md section 4): while it runs, a `progressbar` with `aria-valuenow`
 * and `aria-valuemax`, the current step in words and, while ChatGPT rate-limits, a countdown to the next
 * request; when it has ended, the bar is gone and the counts are shown. Shared by the popup and the library.
 * A screen reader hears the step at a paced rate and the result at once (LiveAnnouncer); a run that had
 * already ended when the page opened is not read out.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { BackupStatus } from '@/utils/messaging';
import { t } from '@/utils/i18n';
import { LiveAnnouncer } from './LiveAnnouncer';
import { RunProgressBar } from './RunProgressBar';

export interface BackupProgressProps {
  status: BackupStatus;
  now?: () => number;
}

export function BackupProgress({ status, now = Date.now }: BackupProgressProps) {
  const [, tick] = useState(0);
  const waiting = status.pausedUntil !== null && status.state === 'running';
  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(() => tick((n) => n + 1), 1_000);
    return () => clearInterval(timer);
  }, [waiting]);
  const live = status.state === 'running' || status.state === 'paused';
  const c = status.counts;
  const sawLive = useRef(live);
  sawLive.current ||= live;
  const stepText = status.state === 'paused' ? t('backup_step_paused', status.step).trim() : status.step;
  const seconds = waiting ? Math.max(0, Math.ceil((status.pausedUntil! - now()) / 1000)) : 0;
  return (
    <div class="backup-progress" data-testid="backup-progress">
      {live && <RunProgressBar label={t('backup_progress_label')} value={status.value} max={status.max} />}
      {status.scope === 'everything' && (
        <p class="account" data-testid="backup-account">
          {status.workspace ? t('backup_account_workspace') : t('backup_account_personal')}
        </p>
      )}
      <p class="step" data-testid="backup-step">{stepText}</p>
      <LiveAnnouncer
        text={sawLive.current ? stepText.trim() : ''}
        fraction={live && status.max > 0 ? status.value / status.max : null}
        final={!live || status.state === 'paused'}
        testId="backup-announce"
      />
      {live && status.state === 'running' && status.etaMs != null && (
        <p class="eta" data-testid="backup-eta">
          {timeLeft(status.etaMs)}
        </p>
      )}
      {waiting && (
        <p class="countdown" data-testid="backup-countdown">
          {t('backup_rate_limited', seconds >= 120 ? t('duration_minutes_seconds', Math.floor(seconds / 60), seconds % 60) : t('duration_seconds', seconds))}
        </p>
      )}
      {!live && (
        <ul class="backup-summary" data-testid="backup-summary">
          {status.scope === 'everything' && (
            <li>
              {t('backup_summary_conversations', c.read, c.skipped, c.failed, c.listed)}
            </li>
          )}
          <li>
            {status.filesPending > 0
              ? t('backup_summary_files_pending', c.saved, c.expired, c.filesFailed, c.alreadySaved, status.filesPending)
              : t('backup_summary_files', c.saved, c.expired, c.filesFailed, c.alreadySaved)}
          </li>
          {status.scope === 'everything' && <li>{t('backup_summary_library_images', c.imagesOnlyInLibrary)}</li>}
          {(c.exportSkipped ?? 0) > 0 && <li data-testid="export-saved">{t('backup_summary_export_saved', c.exportSkipped ?? 0)}</li>}
          {status.failures.slice(0, 10).map((f) => (
            <li key={f.conversationId} class="warn">
              {t('backup_summary_failure', f.title ?? f.conversationId, f.reason ?? '')}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** "about 3 h 20 min left at ChatGPT's pace": minutes under an hour, ten-minute steps above. */
function timeLeft(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return t('backup_eta_under_minute');
  if (minutes < 60) return t('backup_eta_minutes', minutes);
  const tens = Math.round(minutes / 10) * 10;
  const h = Math.floor(tens / 60);
  const m = tens % 60;
  return m > 0 ? t('backup_eta_hours_minutes', h, m) : t('backup_eta_hours', h);
}
