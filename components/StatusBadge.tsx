/**
 * An artifact's status as a small badge: saved, pending, expired or failed. The reason (why it is not
 * saved) is the badge's title, so it shows on hover, and is also its accessible description.
 */
import type { ArtifactStatus } from '@/utils/model';
import { t } from '@/utils/i18n';
import { STATUS_KEYS } from './labels';

export interface StatusBadgeProps {
  status: ArtifactStatus;
  reason: string | null;
}

export function StatusBadge({ status, reason }: StatusBadgeProps) {
  const word = t(STATUS_KEYS[status]);
  return (
    <span class={`badge badge-${status}`} title={reason ?? word} aria-label={reason ? t('status_with_reason', word, reason) : word} data-testid="status-badge">
      {word}
    </span>
  );
}
