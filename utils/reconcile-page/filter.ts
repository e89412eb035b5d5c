/** The reconcile table's filter: by class, by kind, and by text over names and ids. */
import type { ArtifactKind } from '@/utils/model';
import type { ReconcileStatus, ReportItem } from './report-types';

export interface ReconcileFilter {
  status: ReconcileStatus | 'all';
  kind: ArtifactKind | 'all';
  /** Case-insensitive; every word must appear in the item's names or ids. */
  text: string;
}

export const NO_RECONCILE_FILTER: ReconcileFilter = { status: 'all', kind: 'all', text: '' };

/** Each item's searchable text, built once: typing in the filter then costs one `includes` per item and word. */
const haystacks = new WeakMap<ReportItem, string>();

function haystack(it: ReportItem): string {
  let h = haystacks.get(it);
  if (h === undefined) {
    h = [it.fileName, it.sandboxPath, it.fileId, it.genId, it.conversationId, it.messageId, it.exportMember, it.vaultSha256]
      .filter((s): s is string => s !== null)
      .join('\n')
      .toLowerCase();
    haystacks.set(it, h);
  }
  return h;
}

export function filterItems(items: readonly ReportItem[], f: ReconcileFilter): ReportItem[] {
  const words = f.text.toLowerCase().split(/\s+/).filter(Boolean);
  return items.filter((it) => {
    if (f.status !== 'all' && it.status !== f.status) return false;
    if (f.kind !== 'all' && it.kind !== f.kind) return false;
    if (words.length === 0) return true;
    const h = haystack(it);
    return words.every((w) => h.includes(w));
  });
}
