/**
 * The progress of a reconciliation or of writing its enriched export or readable archive: a `progressbar` whose value is the
 * current phase's percent, the phase in words next to it, and `Cancel`. A phase whose total is not known
 * yet shows an indeterminate bar. The text is not a live region (it changes with every percent): the reconcile
 * view says it at a paced rate.
 */
import type { ReconcileProgress } from '@/utils/reconcile-page/protocol';
import { formatNumber, t, type MessageKey } from '@/utils/i18n';

export interface ReconcileProgressBarProps {
  /** null before the first report from the worker. */
  progress: ReconcileProgress | null;
  onCancel: () => void;
}

const PHASE_WORDS: Record<ReconcileProgress['phase'], MessageKey> = {
  reading: 'reconcile_phase_reading',
  conversations: 'reconcile_phase_conversations',
  hashing: 'reconcile_phase_hashing',
  matching: 'reconcile_phase_matching',
  writing: 'reconcile_phase_writing',
  rendering: 'reconcile_phase_rendering',
};

/** The phase's percent (0-100), or null when its total is unknown. */
function progressPercent(p: ReconcileProgress | null): number | null {
  if (!p || !(p.total > 0)) return null;
  return Math.max(0, Math.min(100, Math.floor((p.done / p.total) * 100)));
}

/** The phase and its percent in words, as shown next to the bar and said by the reconcile view's live region. */
export function progressText(progress: ReconcileProgress | null): string {
  const percent = progressPercent(progress);
  const words = t(progress ? PHASE_WORDS[progress.phase] : 'reconcile_phase_starting');
  return percent === null ? t('reconcile_phase_running', words) : t('reconcile_phase_percent', words, formatNumber(percent / 100, { style: 'percent' }));
}

/** The fraction done of the current phase (0..1), or null when its total is unknown. */
export function progressFraction(progress: ReconcileProgress | null): number | null {
  const percent = progressPercent(progress);
  return percent === null ? null : percent / 100;
}

export function ReconcileProgressBar({ progress, onCancel }: ReconcileProgressBarProps) {
  const percent = progressPercent(progress);
  const text = progressText(progress);
  return (
    <div class="reconcile-progress" data-testid="reconcile-progress">
      <div
        class="progress-track"
        role="progressbar"
        aria-label={t('reconcile_progress_label')}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent ?? undefined}
        aria-valuetext={text}
      >
        <div class={`progress-fill${percent === null ? ' indeterminate' : ''}`} style={{ width: `${percent ?? 100}%` }} />
      </div>
      <span class="progress-text" data-testid="reconcile-phase">{text}</span>
      <button type="button" onClick={onCancel}>{t('common_cancel')}</button>
    </div>
  );
}
