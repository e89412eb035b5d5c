/** The reconcile core's report types, as the page's components use them (no runtime code of the core). */
export { RECONCILE_STATUSES } from '@/utils/reconcile/report';
export type { ExportLayout, ReconcileReport, ReconcileStatus, ReportItem } from '@/utils/reconcile/report';
export type { ReconcileProgress } from '@/utils/reconcile';
