/**
 * The toolbar badge for a tab: how many artifacts of its conversation are saved, with a warning colour
 * and a "!" when something expired or failed, a neutral "…" while downloads are still queued, and "FULL"
 * in red while downloads are paused because the vault is out of space.
 */
import type { ConversationStatus } from '@/utils/messaging';
import { t } from '@/utils/i18n';

function badgeFor(status: ConversationStatus, storageFull = false): { text: string; color: string; title: string } {
  const { saved, expired, failed, pending } = status.counts;
  const lost = expired + failed;
  if (storageFull) return { text: t('badge_full'), color: '#b91c1c', title: t('badge_title_storage_full') };
  if (!status.conversationId) return { text: '', color: '#4b5563', title: t('extension_name') };
  const parts = [t('status_count_saved', saved)];
  if (pending) parts.push(t('status_count_pending', pending));
  if (expired) parts.push(t('status_count_expired', expired));
  if (failed) parts.push(t('status_count_failed', failed));
  const title = t('badge_title_counts', parts.join(t('common_list_separator')));
  if (lost > 0) return { text: saved > 0 ? `${saved}!` : '!', color: '#b45309', title };
  if (pending > 0 && saved === 0) return { text: '…', color: '#4b5563', title };
  return { text: saved > 0 ? String(saved) : '', color: '#15803d', title };
}

export async function updateBadge(tabId: number, status: ConversationStatus, storageFull = false): Promise<void> {
  const badge = badgeFor(status, storageFull);
  const action = browser.action ?? (browser as unknown as { browserAction: typeof browser.action }).browserAction;
  try {
    await Promise.all([
      action.setBadgeText({ tabId, text: badge.text }),
      action.setBadgeBackgroundColor({ tabId, color: badge.color }),
      action.setTitle({ tabId, title: badge.title }),
    ]);
  } catch {
    // The tab closed meanwhile.
  }
}

/**
 * `soon(conversationId)` runs `refresh(conversationId)` once per burst, `delayMs` after the burst's first call:
 * a first view of a long conversation settles hundreds of files, and a count query plus three action calls
 * for each of them took about half the worker's time.
 */
export function badgeRefresher(refresh: (conversationId: string) => void, delayMs = 250): (conversationId: string) => void {
  const due = new Set<string>();
  return (conversationId) => {
    if (due.has(conversationId)) return;
    due.add(conversationId);
    setTimeout(() => {
      due.delete(conversationId);
      refresh(conversationId);
    }, delayMs);
  };
}
