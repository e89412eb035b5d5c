/**
 * What each machine-readable reason from utils/ says to a person, in their language: the errors and notes
 * carry a code and its parameters (a discriminated union), and only here does a code become a message key.
 * English texts for logs and the CLIs stay with the errors themselves (`error.message`).
 */
import { ArchiveError, type ArchiveReason } from '@/utils/archive/errors';
import type { CatchUpResult } from '@/utils/worker/catch-up/state';
import type { ReconcileReason } from '@/utils/reconcile/errors';
import type { ReconcileNote } from '@/utils/reconcile/notes';
import type { ReconcileRunError } from '@/utils/reconcile-page/client';
import { ZipFormatError, type ZipErrorCode } from '@/utils/zip/errors';
import { formatSize, t, tn, type MessageKey } from '@/utils/i18n';

/** An unknown code (a newer background, a stored record from a later version) still shows something. */
function unknown(code: string): string {
  return t('reason_unknown', code);
}

const ZIP: Record<ZipErrorCode, MessageKey> = {
  'not-zip': 'zip_reason_not_zip',
  truncated: 'zip_reason_truncated',
  'unsafe-name': 'zip_reason_unsafe_name',
  'duplicate-name': 'zip_reason_duplicate_name',
  overlap: 'zip_reason_overlap',
  'too-large': 'zip_reason_too_large',
  'bad-crc': 'zip_reason_bad_crc',
  encrypted: 'zip_reason_encrypted',
  unsupported: 'zip_reason_unsupported',
  aborted: 'zip_reason_aborted',
};

/** Why the ZIP layer refused a file. */
export function zipReasonText(code: ZipErrorCode): string {
  const key = ZIP[code] as MessageKey | undefined;
  return key ? t(key) : unknown(code);
}

/** Why `Restore backup` refused a file. */
export function archiveReasonText(reason: ArchiveReason): string {
  switch (reason.code) {
    case 'zip': return reason.member ? t('archive_reason_zip_member', reason.member, zipReasonText(reason.zip)) : zipReasonText(reason.zip);
    case 'member-encrypted': return t('archive_reason_member_encrypted', reason.member);
    case 'member-method': return t('archive_reason_member_method', reason.member, reason.method);
    case 'no-manifest': return t('archive_reason_no_manifest');
    case 'manifest-not-json': return t('archive_reason_manifest_not_json');
    case 'manifest-format': return reason.found ? t('archive_reason_manifest_format_found', reason.found) : t('archive_reason_manifest_format');
    case 'manifest-version': return t('archive_reason_manifest_version', reason.version);
    case 'manifest-entry': return t('archive_reason_manifest_entry', reason.at);
    case 'manifest-too-large': return t('archive_reason_manifest_too_large');
    case 'member-missing': return t('archive_reason_member_missing', reason.member);
    case 'member-altered': return t('archive_reason_member_altered', reason.member);
    case 'member-not-text': return t('archive_reason_member_not_text', reason.member);
    case 'snapshot-invalid': return t('archive_reason_snapshot_invalid', reason.member);
    case 'storage-short': return t('archive_reason_storage_short', formatSize(reason.needed), formatSize(reason.free));
    case 'vault-changed': return t('archive_reason_vault_changed');
    default: return unknown((reason as { code: string }).code);
  }
}

/** An error caught in a page, as a person reads it: a known reason in their language, else its own text. */
export function errorText(error: unknown): string {
  if (error instanceof ArchiveError) return archiveReasonText(error.reason);
  if (error instanceof ZipFormatError) return zipReasonText(error.code);
  return error instanceof Error ? error.message : String(error);
}

/** Why an export (or one of its parts) could not be reconciled. */
export function reconcileReasonText(reason: ReconcileReason): string {
  switch (reason.code) {
    case 'empty': return t('reconcile_reason_empty', reason.file);
    case 'zip': return reason.member
      ? t('reconcile_reason_zip_member', reason.file, reason.member, zipReasonText(reason.zip))
      : t('reconcile_reason_zip', reason.file, zipReasonText(reason.zip));
    case 'hostile-member': return t('reconcile_reason_hostile_member', reason.file, reason.member);
    case 'too-many-members': return t('reconcile_reason_too_many_members', reason.file, reason.max);
    case 'inflate-bound': return t('reconcile_reason_inflate_bound', reason.file);
    case 'part-not-zip': return t('reconcile_reason_part_not_zip', reason.file);
    case 'part-too-large': return t('reconcile_reason_part_too_large', reason.file);
    case 'not-json': return t('reconcile_reason_not_json', reason.file);
    case 'missing-shard': return t('reconcile_reason_missing_shard', reason.file, reason.shard);
    case 'no-conversations': return t('reconcile_reason_no_conversations', reason.file);
    case 'bad-conversation': return t('reconcile_reason_bad_conversation', reason.file, reason.index);
    case 'bad-conversations-file': return t('reconcile_reason_bad_conversations_file', reason.file);
    case 'bad-vault-archive': return t('reconcile_reason_bad_vault_archive', reason.file);
    case 'usage': return unknown(reason.code);
    default: return unknown((reason as { code: string }).code);
  }
}

/** A reconcile run's or write's failure: the refusal's reason in the person's language, else the error's own text. */
export function runErrorText(error: ReconcileRunError): string {
  return error.reason ? reconcileReasonText(error.reason) : error.message;
}

/** A note of a finished reconciliation (what it could not read or did differently). */
export function reconcileNoteText(note: ReconcileNote): string {
  switch (note.code) {
    case 'walker-summary': return tn('reconcile_note_walker_summary', note.conversations);
    case 'walker': return t('reconcile_note_walker', note.conversation, note.detail);
    case 'walker-more': return tn('reconcile_note_walker_more', note.more, note.conversation);
    case 'walker-first': return t('reconcile_note_walker_first', note.max);
    case 'no-id': return tn('reconcile_note_no_id', note.count);
    case 'names-not-object': return t('reconcile_note_names_not_object', note.file);
    case 'export-vault-folder': return tn('reconcile_note_export_vault_folder', note.count, note.folder);
    case 'index-not-kept': return t('reconcile_note_index_not_kept', note.detail);
    default: return unknown((note as { code: string }).code);
  }
}

/** What catch-up's last check found, or why it stopped. */
export function catchUpResultText(result: CatchUpResult | null): string {
  if (result === null) return t('catch_up_result_unknown');
  switch (result.code) {
    case 'nothing-changed': return t('catch_up_nothing_changed');
    case 'read': return t('catch_up_read', tn('count_conversations', result.conversations), result.files === 0 ? t('catch_up_nothing_new') : tn('catch_up_new_files', result.files));
    case 'rate-limited': return t('catch_up_rate_limited');
    case 'signed-out': return t('catch_up_signed_out');
    case 'stopped': return t('catch_up_stopped', result.detail);
    default: return unknown((result as { code: string }).code);
  }
}
