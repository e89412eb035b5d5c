/**
 * Every reason the archive code refuses a file is an ArchiveError with a machine-readable `reason` (a code
 * and its parameters, which the library page turns into a sentence in the person's language:
 * components/reasons.ts) and an English `message` for logs and tests that names the member or manifest entry
 * at fault. Neither carries a stack trace.
 */
import type { ZipErrorCode } from '@/utils/zip/errors';

/** Coarse classes of refusal, for callers that only need to tell them apart. */
export type ArchiveErrorCode =
  /** Not a ZIP at all, a truncated or overlapping one, or a ZIP feature we do not read (encryption, multi-disk). */
  | 'not-zip'
  /** No `manifest.json`, or one that is not JSON, has another format/version, or has malformed entries. */
  | 'bad-manifest'
  /** A member name that is absolute, contains `..`, repeats, or holds control characters. */
  | 'hostile-name'
  /** A path named by the manifest is not in the ZIP. */
  | 'missing-member'
  /** A member whose bytes do not match its name, its manifest entry or its CRC. */
  | 'bad-member'
  /** A member that inflates past what it declares or past the size bound. */
  | 'too-large'
  /** The vault changed under a restore between its check and its write (nothing was written). */
  | 'vault-changed';

/** Why a file was refused, with what the person needs to find the fault (member names, JSON paths). */
export type ArchiveReason =
  /** The ZIP layer refused it (utils/zip/errors.ts). */
  | { code: 'zip'; zip: ZipErrorCode; member?: string }
  | { code: 'member-encrypted'; member: string }
  | { code: 'member-method'; member: string; method: number }
  | { code: 'no-manifest' }
  | { code: 'manifest-not-json' }
  /** Not our manifest: another `format`, or not a JSON object. */
  | { code: 'manifest-format'; found?: string }
  | { code: 'manifest-version'; version: string }
  /** A malformed entry; `at` is its JSON path (`artifacts[3].kind`). */
  | { code: 'manifest-entry'; at: string }
  | { code: 'manifest-too-large' }
  | { code: 'member-missing'; member: string }
  /** Its bytes do not match its name or its manifest entry. */
  | { code: 'member-altered'; member: string }
  /** Not UTF-8 text where text is expected. */
  | { code: 'member-not-text'; member: string }
  /** A conversation snapshot that is not JSON, not a conversation, or another conversation's. */
  | { code: 'snapshot-invalid'; member: string }
  /** The restore would need more storage than the browser grants. */
  | { code: 'storage-short'; needed: number; free: number }
  | { code: 'vault-changed' };

const ZIP_CLASS: Partial<Record<ZipErrorCode, ArchiveErrorCode>> = {
  'unsafe-name': 'hostile-name',
  'duplicate-name': 'hostile-name',
  'too-large': 'too-large',
  'bad-crc': 'bad-member',
};

const CLASS: Record<Exclude<ArchiveReason['code'], 'zip'>, ArchiveErrorCode> = {
  'member-encrypted': 'not-zip',
  'member-method': 'not-zip',
  'no-manifest': 'bad-manifest',
  'manifest-not-json': 'bad-manifest',
  'manifest-format': 'bad-manifest',
  'manifest-version': 'bad-manifest',
  'manifest-entry': 'bad-manifest',
  'manifest-too-large': 'too-large',
  'member-missing': 'missing-member',
  'member-altered': 'bad-member',
  'member-not-text': 'bad-member',
  'snapshot-invalid': 'bad-member',
  'storage-short': 'too-large',
  'vault-changed': 'vault-changed',
};

export class ArchiveError extends Error {
  override readonly name = 'ArchiveError';
  readonly code: ArchiveErrorCode;
  constructor(
    readonly reason: ArchiveReason,
    message: string,
  ) {
    super(message);
    this.code = reason.code === 'zip' ? (ZIP_CLASS[reason.zip] ?? 'not-zip') : CLASS[reason.code];
  }
}
