/**
 * What each machine-readable reason from utils/ says to a person, in their language: the errors and notes
 * carry a code and its parameters (a discriminated union), and only here does a code become a message key.
 * English texts for logs and the CLIs stay with the errors themselves (`error.message`).
 */
import { ArchiveError, type ArchiveReason } from '@/utils/archive/errors';
import { ZipFormatError, type ZipErrorCode } from '@/utils/zip/errors';
import { formatSize, t, type MessageKey } from '@/utils/i18n';

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
    case 'zip': return zipReasonText(reason.zip);
    case 'member-encrypted': return t('archive_reason_member_encrypted', reason.member);
    case 'member-method': return t('archive_reason_member_method', reason.member, reason.method);
    case 'no-manifest': return t('archive_reason_no_manifest');
    case 'manifest-not-json': return t('archive_reason_manifest_not_json');
    case 'manifest-format': return t('archive_reason_manifest_format');
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
