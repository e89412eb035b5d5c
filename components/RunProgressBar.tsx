/** A long run's bar (backup, `Fetch missing files`): a named `progressbar` with `aria-valuenow` of `aria-valuemax`. */
export interface RunProgressBarProps {
  label: string;
  value: number;
  max: number;
}

export function RunProgressBar({ label, value, max }: RunProgressBarProps) {
  return (
    <div class="bar" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuenow={value} aria-valuemax={max}>
      <div class="fill" style={{ width: `${Math.round((100 * value) / Math.max(1, max))}%` }} />
    </div>
  );
}
