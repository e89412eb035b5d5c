/**
 * Types of the reconcile core (branch reconcile-core, utils/reconcile) as the page uses them. Kept as a
 * local copy until that branch is merged; then this file re-exports them.
 */
import type { ArtifactKind } from '@/utils/model';

export type ReconcileStatus = 'matched' | 'export-only' | 'recovered' | 'vault-only' | 'lost';
export const RECONCILE_STATUSES: readonly ReconcileStatus[] = ['matched', 'export-only', 'recovered', 'vault-only', 'lost'];
export type ExportLayout = 'legacy' | 'sharded' | 'mixed';

export interface ReportItem {
  status: ReconcileStatus;
  kind: ArtifactKind;
  conversationId: string | null;
  messageId: string | null;
  fileId: string | null;
  genId: string | null;
  fileName: string | null;
  sandboxPath: string | null;
  exportMember: string | null;
  vaultSha256: string | null;
  identical: boolean | null;
}

export interface ReconcileReport {
  format: 'chatgpt-artifact-vault/reconcile-report';
  version: 1;
  export: { layout: ExportLayout; conversations: number; assetMembers: number };
  summary: Record<ReconcileStatus, number>;
  items: ReportItem[];
}

export interface ReconcileProgress {
  phase: 'reading' | 'conversations' | 'hashing' | 'matching' | 'writing';
  done: number;
  total: number;
}
