/**
 * Every reason the archive code refuses a file is an ArchiveError with a machine-readable `code` and a
 * message a person can act on. The library page shows the message as it is, so it names the member or
 * manifest entry at fault and never includes a stack trace.
 */
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
  | 'too-large';

export class ArchiveError extends Error {
  override readonly name = 'ArchiveError';
  constructor(
    readonly code: ArchiveErrorCode,
    message: string,
  ) {
    super(message);
  }
}
