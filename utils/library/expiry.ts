/**
 * How long a file the backend deletes on a date (voice recordings: `expiry_datetime`, 180 days after they
 * are made, docs/CHATGPT.md 4.6) has left while the vault does not hold it yet.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** `expiresAt` (seconds since the epoch) as a sentence, or null when there is no date. */
export function timeLeft(expiresAt: number | null | undefined, nowMs: number): string | null {
  if (expiresAt == null || !Number.isFinite(expiresAt)) return null;
  const left = expiresAt * 1000 - nowMs;
  if (left <= 0) return 'ChatGPT has deleted it (its expiry date has passed)';
  if (left >= 2 * DAY) return `ChatGPT deletes it in ${Math.floor(left / DAY)} days`;
  const hours = Math.max(1, Math.floor(left / HOUR));
  return `ChatGPT deletes it in ${hours} hour${hours === 1 ? '' : 's'}`;
}
