/**
 * The reconcile report (docs/FORMATS.md section 2, "Report JSON"): its types, the order of its items, and
 * the summary table the CLI prints.
 */
import type { LooseProvenance } from '@/utils/model';

const REPORT_FORMAT = 'chatgpt-artifact-vault/reconcile-report';
const REPORT_VERSION = 1;

export type ReconcileStatus = 'matched' | 'export-only' | 'recovered' | 'vault-only' | 'lost';
export const RECONCILE_STATUSES: readonly ReconcileStatus[] = ['matched', 'export-only', 'recovered', 'vault-only', 'lost'];

export type ExportLayout = 'legacy' | 'sharded' | 'mixed';

export interface ReportItem extends Omit<LooseProvenance, 'prompt'> {
  status: ReconcileStatus;
  /** The export member holding the bytes (`<part>.zip!/<member>` inside a part-ZIP), or null. */
  exportMember: string | null;
  vaultSha256: string | null;
  /** Whether both copies have the same SHA-256; null unless both sides have bytes. */
  identical: boolean | null;
  /**
   * Only on items `Fetch missing files` tried (the library page; never written by the CLI): how that ended.
   * `saved` moves the item out of `lost` (to `recovered`, or `vault-only` when the export does not know it).
   */
  fetch?: { outcome: 'saved' | 'expired' | 'failed'; reason: string | null };
}

export interface ReconcileReport {
  format: typeof REPORT_FORMAT;
  version: typeof REPORT_VERSION;
  export: { layout: ExportLayout; conversations: number; assetMembers: number };
  summary: Record<ReconcileStatus, number>;
  items: ReportItem[];
}

/** Report order: by conversation (items without one last), message, then path or id. */
export function compareItems(a: ReportItem, b: ReportItem): number {
  return cmp(a.conversationId ?? '\uffff', b.conversationId ?? '\uffff') || cmp(a.messageId ?? '', b.messageId ?? '')
    || cmp(a.sandboxPath ?? a.fileId ?? a.genId ?? '', b.sandboxPath ?? b.fileId ?? b.genId ?? '');
}
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The report of `items`, which must already be in `compareItems` order. */
export function buildReport(layout: ExportLayout, conversations: number, assetMembers: number, items: ReportItem[]): ReconcileReport {
  return { format: REPORT_FORMAT, version: REPORT_VERSION, export: { layout, conversations, assetMembers }, summary: summarize(items), items };
}

/** Items per class. */
export function summarize(items: readonly ReportItem[]): Record<ReconcileStatus, number> {
  const summary: Record<ReconcileStatus, number> = { matched: 0, 'export-only': 0, recovered: 0, 'vault-only': 0, lost: 0 };
  for (const it of items) summary[it.status]++;
  return summary;
}

/**
 * The report as JSON text in pieces (one item per line), so a report of 100,000+ items is never one
 * string (as `JSON.stringify(report)` would be, twice over once encoded). Parses to the same object.
 */
function* reportJsonChunks(report: ReconcileReport): Generator<string> {
  const { items, ...head } = report;
  const open = JSON.stringify(head, null, 2);
  yield `${open.slice(0, open.lastIndexOf('}')).trimEnd()},\n  "items": [`;
  let batch = '';
  for (let i = 0; i < items.length; i++) {
    batch += `${i === 0 ? '\n' : ',\n'}    ${JSON.stringify(items[i])}`;
    if (batch.length > 256 << 10) {
      yield batch;
      batch = '';
    }
  }
  yield `${batch}${items.length > 0 ? '\n  ' : ''}]\n}\n`;
}

/** `reportJsonChunks` as a byte stream (for a ZIP member or a file). */
export function reportJsonStream(report: ReconcileReport): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  const chunks = reportJsonChunks(report);
  return new ReadableStream<Uint8Array>({
    pull(ctrl) {
      const next = chunks.next();
      if (next.done) ctrl.close();
      else ctrl.enqueue(enc.encode(next.value));
    },
  });
}

const MEANING: Record<ReconcileStatus, string> = {
  matched: 'in the export and the vault',
  'export-only': 'only the export has the bytes',
  recovered: 'missing from the export; the vault has it',
  'vault-only': 'conversation not in the export; the vault has it',
  lost: 'nobody has the bytes',
};

/** The summary as a plain-text table (the CLI's last stdout lines). */
export function formatSummary(report: ReconcileReport): string {
  const rows = RECONCILE_STATUSES.map((s) => [s, String(report.summary[s]), MEANING[s]] as const);
  const identical = report.items.filter((i) => i.identical === true).length;
  const differ = report.items.filter((i) => i.identical === false).length;
  const w0 = Math.max(6, ...rows.map((r) => r[0].length));
  const w1 = Math.max(5, ...rows.map((r) => r[1].length));
  const line = (a: string, b: string, c: string) => `${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`;
  return [
    `export: ${report.export.layout} layout, ${report.export.conversations} conversations, ${report.export.assetMembers} asset members`,
    line('status', 'items', ''),
    ...rows.map((r) => line(r[0], r[1], r[2])),
    line('total', String(report.items.length), `(matched: ${identical} identical, ${differ} differ)`),
  ].join('\n');
}
