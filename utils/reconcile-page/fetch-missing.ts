/**
 * The reconcile worker's side of `Fetch missing files`: which `lost` items of a finished run can be handed to
 * the background (a file id the download route resolves, or a sandbox link with the message id from the
 * export), and the report updated in place with how each fetch ended (docs/FORMATS.md section 2, "Report
 * JSON": a saved item leaves `lost`; an expired or failed one stays `lost` with the reason in `fetch`).
 */
import { isFetchable } from '@/utils/worker/backup/fetch-missing';
import type { FetchMissingOutcome, FetchMissingRequestItem } from '@/utils/messaging';
import { summarize, type ReconcileResult } from '@/utils/reconcile';

/**
 * The run's `lost` items that can be fetched directly (not those already found expired), keyed by their index
 * in the report; a project chat's items carry its project from the export (its requests need the header).
 */
export function fetchableItems(result: Pick<ReconcileResult, 'items' | 'conversations'>): FetchMissingRequestItem[] {
  const out: FetchMissingRequestItem[] = [];
  const projects = new Map<string, string>();
  for (const c of result.conversations) if (c.projectGizmoId) projects.set(c.id, c.projectGizmoId);
  result.items.forEach((m, key) => {
    const it = m.item;
    if (it.status !== 'lost' || it.fetch?.outcome === 'expired' || it.conversationId === null) return;
    const item: FetchMissingRequestItem = {
      key, kind: it.kind, conversationId: it.conversationId, messageId: it.messageId ?? '', fileId: it.fileId, genId: it.genId,
      fileName: it.fileName, sandboxPath: it.sandboxPath, prompt: m.prompt, gizmoId: projects.get(it.conversationId) ?? null,
    };
    if (isFetchable(item)) out.push(item);
  });
  return out;
}

/**
 * Applies the background's outcomes to the report (items and summary); returns whether anything changed.
 * A saved item becomes `recovered` when the export knows it (or its conversation), else `vault-only`, as
 * matching would have classed it had the vault held the bytes already.
 */
export function applyFetchOutcomes(result: Pick<ReconcileResult, 'items' | 'report' | 'conversations'>, outcomes: readonly FetchMissingOutcome[]): boolean {
  let conversationIds: Set<string> | null = null;
  let changed = false;
  for (const o of outcomes) {
    const m = result.items[o.key];
    if (!m || m.item.status !== 'lost') continue;
    const it = m.item;
    if (it.fetch?.outcome === o.state && it.fetch.reason === o.reason) continue;
    changed = true;
    it.fetch = { outcome: o.state, reason: o.reason };
    if (o.state !== 'saved' || !o.sha256) continue;
    conversationIds ??= new Set(result.conversations.map((c) => c.id));
    const known = m.fromExport || (it.conversationId !== null && conversationIds.has(it.conversationId));
    it.status = known ? 'recovered' : 'vault-only';
    it.vaultSha256 = o.sha256;
    m.vault = {
      id: m.vault?.id ?? '', kind: it.kind, conversationId: it.conversationId ?? '', messageId: it.messageId ?? '', fileId: it.fileId,
      genId: it.genId, fileName: it.fileName, sandboxPath: it.sandboxPath, mimeType: m.vault?.mimeType ?? null, size: m.vault?.size ?? null,
      conversationTitle: m.vault?.conversationTitle ?? null, prompt: m.prompt, reason: null, ...m.vault, status: 'saved', sha256: o.sha256,
    };
  }
  if (changed) result.report.summary = summarize(result.report.items);
  return changed;
}
