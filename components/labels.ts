/** The message key of each domain value the UI names (kinds, statuses, sources, reconcile classes). */
import type { MessageKey } from '@/utils/i18n';
import type { ArtifactKind, ArtifactSource, ArtifactStatus } from '@/utils/model';
import type { ReconcileStatus } from '@/utils/reconcile-page/report-types';

/** Plural names, for filters. */
export const KIND_KEYS: Readonly<Record<ArtifactKind, MessageKey>> = {
  image: 'kind_image', chart: 'kind_chart', 'sandbox-file': 'kind_sandbox_file', upload: 'kind_upload',
  audio: 'kind_audio', video: 'kind_video', canvas: 'kind_canvas', research: 'kind_research',
};

/** One item's kind, for a preview or a table row. */
export const KIND_NAME_KEYS: Readonly<Record<ArtifactKind, MessageKey>> = {
  image: 'kind_name_image', chart: 'kind_name_chart', 'sandbox-file': 'kind_name_sandbox_file', upload: 'kind_name_upload',
  audio: 'kind_name_audio', video: 'kind_name_video', canvas: 'kind_name_canvas', research: 'kind_name_research',
};

export const STATUS_KEYS: Readonly<Record<ArtifactStatus, MessageKey>> = {
  saved: 'status_saved', pending: 'status_pending', expired: 'status_expired', failed: 'status_failed',
};

export const SOURCE_KEYS: Readonly<Record<ArtifactSource, MessageKey>> = {
  live: 'source_live', backup: 'source_backup', import: 'source_import',
};

/** A reconcile class's short name and what it means. */
export const RECONCILE_CLASS_KEYS: Readonly<Record<ReconcileStatus, { name: MessageKey; meaning: MessageKey }>> = {
  matched: { name: 'reconcile_class_matched', meaning: 'reconcile_class_matched_meaning' },
  'export-only': { name: 'reconcile_class_export_only', meaning: 'reconcile_class_export_only_meaning' },
  recovered: { name: 'reconcile_class_recovered', meaning: 'reconcile_class_recovered_meaning' },
  'vault-only': { name: 'reconcile_class_vault_only', meaning: 'reconcile_class_vault_only_meaning' },
  lost: { name: 'reconcile_class_lost', meaning: 'reconcile_class_lost_meaning' },
};
