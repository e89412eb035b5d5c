/**
 * The five reconcile classes as horizontal bars (plain CSS, no chart library). Each row is a button that
 * filters the table to that class; its accessible name carries the class and the count, so the chart
 * reads as a list of numbers to a screen reader.
 */
import { RECONCILE_STATUSES, type ReconcileStatus } from '@/utils/reconcile-page/report-types';
import { formatNumber, t, tn } from '@/utils/i18n';
import { RECONCILE_CLASS_KEYS } from './labels';

export interface ReconcileChartProps {
  summary: Readonly<Record<ReconcileStatus, number>>;
  /** The class the table is filtered to, or 'all'. */
  active: ReconcileStatus | 'all';
  /** Called with the clicked class, or 'all' when the active one is clicked again. */
  onSelect: (status: ReconcileStatus | 'all') => void;
}

export function ReconcileChart({ summary, active, onSelect }: ReconcileChartProps) {
  const total = RECONCILE_STATUSES.reduce((n, s) => n + summary[s], 0);
  return (
    <figure class="reconcile-chart" data-testid="reconcile-chart">
      <figcaption>{tn('reconcile_chart_caption', total)}</figcaption>
      <ul>
        {RECONCILE_STATUSES.map((s) => {
          const n = summary[s];
          const share = total > 0 ? Math.round((n / total) * 100) : 0;
          return (
            <li key={s} data-status={s}>
              <button
                type="button"
                class="chart-row"
                aria-pressed={active === s}
                title={t(RECONCILE_CLASS_KEYS[s].meaning)}
                onClick={() => onSelect(active === s ? 'all' : s)}
              >
                <span class="chart-label">{t(RECONCILE_CLASS_KEYS[s].name)}</span>
                <span class="chart-bar" aria-hidden="true">
                  <span class={`chart-fill class-${s}`} style={{ width: `${total > 0 ? (n / total) * 100 : 0}%` }} />
                </span>
                <span class="chart-count" data-testid={`count-${s}`}>{formatNumber(n)}</span>
                <span class="chart-share muted">{formatNumber(share / 100, { style: 'percent' })}</span>
              </button>
              <span class="chart-meaning muted">{t(RECONCILE_CLASS_KEYS[s].meaning)}</span>
            </li>
          );
        })}
      </ul>
    </figure>
  );
}
