/**
 * An artifact's status as a small badge: saved, pending, expired or failed. The reason (why it is not
 * saved) is the badge's title, so it shows on hover, and is also its accessible description.
 */
import type { ArtifactStatus } from '@/utils/model';

export interface StatusBadgeProps {
  status: ArtifactStatus;
  reason: string | null;
}

export function StatusBadge({ status, reason }: StatusBadgeProps) {
  return (
    <span class={`badge badge-${status}`} title={reason ?? status} aria-label={reason ? `${status}: ${reason}` : status} data-testid="status-badge">
      {status}
    </span>
  );
}
