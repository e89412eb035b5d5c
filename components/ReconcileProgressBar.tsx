/**
 * The progress of a reconciliation or of writing its enriched export or readable archive: a `progressbar` whose value is the
 * current phase's percent, the phase in words next to it, and `Cancel`. A phase whose total is not known
 * yet shows an indeterminate bar. The text is not a live region (it changes with every percent): the reconcile
 * view says it at a paced rate.
 */
import type { ReconcileProgress } from '@/utils/reconcile-page/protocol';

export interface ReconcileProgressBarProps {
  /** null before the first report from the worker. */
  progress: ReconcileProgress | null;
  onCancel: () => void;
}

const PHASE_WORDS: Record<ReconcileProgress['phase'], string> = {
  reading: 'Reading the export',
  conversations: 'Reading conversations',
  hashing: 'Hashing files',
  matching: 'Matching with the vault',
  writing: 'Writing the enriched export',
  rendering: 'Writing the readable archive',
};

/** The phase's percent (0-100), or null when its total is unknown. */
function progressPercent(p: ReconcileProgress | null): number | null {
  if (!p || !(p.total > 0)) return null;
  return Math.max(0, Math.min(100, Math.floor((p.done / p.total) * 100)));
}

/** The phase and its percent in words, as shown next to the bar and said by the reconcile view's live region. */
export function progressText(progress: ReconcileProgress | null): string {
  const percent = progressPercent(progress);
  const words = progress ? PHASE_WORDS[progress.phase] : 'Starting';
  return percent === null ? `${words}…` : `${words}: ${percent}%`;
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
        aria-label="Reconciliation progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent ?? undefined}
        aria-valuetext={text}
      >
        <div class={`progress-fill${percent === null ? ' indeterminate' : ''}`} style={{ width: `${percent ?? 100}%` }} />
      </div>
      <span class="progress-text" data-testid="reconcile-phase">{text}</span>
      <button type="button" onClick={onCancel}>Cancel</button>
    </div>
  );
}
