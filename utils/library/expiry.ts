/**
 * How long a file the backend deletes on a date (voice recordings: `expiry_datetime`, 180 days after they
 * are made, docs/CHATGPT.md 4.6) has left while the vault does not hold it yet.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** Whole days from two days on, else whole hours (at least one); `gone` once the date has passed. */
export type TimeLeft = { unit: 'gone' } | { unit: 'days' | 'hours'; count: number };

/** `expiresAt` (seconds since the epoch) as days or hours left, or null when there is no date. */
export function timeLeft(expiresAt: number | null | undefined, nowMs: number): TimeLeft | null {
  if (expiresAt == null || !Number.isFinite(expiresAt)) return null;
  const left = expiresAt * 1000 - nowMs;
  if (left <= 0) return { unit: 'gone' };
  if (left >= 2 * DAY) return { unit: 'days', count: Math.floor(left / DAY) };
  return { unit: 'hours', count: Math.max(1, Math.floor(left / HOUR)) };
}
