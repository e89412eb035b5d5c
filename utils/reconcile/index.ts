/**
 * Reconciliation of the vault with the official ChatGPT export (docs/FORMATS.md sections 2 and 3), shared
 * by the library page (in a worker) and the CLI (scripts/reconcile.ts). No browser or Node API in here.
 */
export { readExportIndex, reconcileExport } from './reconcile';
export type { ReconcileOptions, ReconcileProgress, ReconcileResult } from './reconcile';
export { writeEnrichedExport } from './enriched';
export type { EnrichedOptions } from './enriched';
export { dexieVault } from './dexie-vault';
export { archiveVault } from './archive-vault';
export type { ArchiveVaultOptions } from './archive-vault';
export type { VaultArtifact, VaultSide } from './vault-side';
export { ReconcileInputError, zipReason } from './errors';
export { noteText } from './notes';
export { formatSummary, RECONCILE_STATUSES, reportJsonStream, summarize } from './report';
export type { ExportLayout, ReconcileReport, ReconcileStatus, ReportItem } from './report';
export type { MatchedItem } from './match';
export type { HashFactory, IncrementalHash } from './hash';
export { ArraySplitter, SplitError } from './split';
export { walkBytes } from './walk-task';
export type { Utf8Decode, WalkOutcome, WalkPool } from './walk-task';
