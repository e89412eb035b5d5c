/**
 * A backup run's live state (docs/FORMATS.md section 4): while it runs, a `progressbar` with `aria-valuenow`
 * and `aria-valuemax`, the current step in words and, while ChatGPT rate-limits, a countdown to the next
 * request; when it has ended, the bar is gone and the counts are shown. Shared by the popup and the library.
 */
import { useEffect, useState } from 'preact/hooks';
import type { BackupStatus } from '@/utils/messaging';

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
  const seconds = waiting ? Math.max(0, Math.ceil((status.pausedUntil! - now()) / 1000)) : 0;
  return (
    <div class="backup-progress" data-testid="backup-progress">
      {live && (
        <div
          class="bar"
          role="progressbar"
          aria-label="Backup progress"
          aria-valuemin={0}
          aria-valuenow={status.value}
          aria-valuemax={status.max}
        >
          <div class="fill" style={{ width: `${Math.round((100 * status.value) / Math.max(1, status.max))}%` }} />
        </div>
      )}
      {status.scope === 'everything' && (
        <p class="account" data-testid="backup-account">
          {status.workspace ? 'For the workspace selected in ChatGPT' : 'For your personal ChatGPT account'}
        </p>
      )}
      <p class="step" role="status" data-testid="backup-step">
        {status.state === 'paused' ? `Paused. ${status.step === 'Paused' ? '' : status.step}` : status.step}
      </p>
      {live && status.state === 'running' && status.etaMs != null && (
        <p class="eta" data-testid="backup-eta">
          {timeLeft(status.etaMs)}
        </p>
      )}
      {waiting && (
        <p class="countdown" data-testid="backup-countdown">
          ChatGPT is rate limiting: next request in {seconds >= 120 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds} s`}
        </p>
      )}
      {!live && (
        <ul class="backup-summary" data-testid="backup-summary">
          {status.scope === 'everything' && (
            <li>
              Conversations: {c.read} read, {c.skipped} unchanged, {c.failed} could not be read (of {c.listed} listed)
            </li>
          )}
          <li>
            Files: {c.saved} new saved, {c.expired} expired, {c.filesFailed} failed, {c.alreadySaved} already in the vault
            {status.filesPending > 0 ? `, ${status.filesPending} still downloading` : ''}
          </li>
          {status.scope === 'everything' && <li>Images found only in the image library: {c.imagesOnlyInLibrary}</li>}
          {status.failures.slice(0, 10).map((f) => (
            <li key={f.conversationId} class="warn">
              {f.title ?? f.conversationId}: {f.reason}
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
  if (minutes < 1) return "Less than a minute left at ChatGPT's pace";
  if (minutes < 60) return `About ${minutes} min left at ChatGPT's pace`;
  const tens = Math.round(minutes / 10) * 10;
  const h = Math.floor(tens / 60);
  const m = tens % 60;
  return `About ${h} h${m > 0 ? ` ${m} min` : ''} left at ChatGPT's pace`;
}
