/**
 * Every reason the ZIP layer refuses a file: a machine-readable `code` and a message a person can act on
 * (it names the member at fault and never carries a stack trace). Callers show the message as it is.
 */
export type ZipErrorCode =
  /** Not a ZIP, a multi-disk one, or a directory that does not parse. */
  | 'not-zip'
  /** The file ends before a record or member it declares. */
  | 'truncated'
  /** A member name that is absolute, has a `..` segment or a backslash, or holds control characters. */
  | 'unsafe-name'
  /** Two members with the same name. */
  | 'duplicate-name'
  /** Members whose bytes overlap, or a member that runs into the next one or the directory. */
  | 'overlap'
  /** Past a bound: member count, declared size, inflated size, or more bytes than the member declares. */
  | 'too-large'
  /** A member whose CRC-32, size or deflate stream is wrong. */
  | 'bad-crc'
  /** An encrypted member (never in an export or a vault archive). */
  | 'encrypted'
  /** A compression method other than stored (0) and deflate (8). */
  | 'unsupported'
  /** The caller aborted. */
  | 'aborted';

export class ZipFormatError extends Error {
  override readonly name = 'ZipFormatError';
  constructor(
    readonly code: ZipErrorCode,
    message: string,
    /** The member the error is about, as it can be shown (`describeName`), when it is about one. */
    readonly member: string | null = null,
  ) {
    super(message);
  }
}

/** A member name as it can be shown in a message: control characters masked, at most 80 characters. */
export function describeName(name: string): string {
  const shown = name.replace(/[\u0000-\u001f\u007f]/g, '?');
  return JSON.stringify(shown.length > 80 ? `${shown.slice(0, 80)}…` : shown);
}

/**
 * Why a member name is unsafe, or null when it is fine. Contract (docs/FORMATS.md 1, 3): no absolute name
 * and no `..` path segment (`Q1..Q2 revenue.csv` is a name, `a/../b` a way out); backslashes and drive
 * letters count as absolute on Windows.
 */
export function unsafeNameReason(name: string): string | null {
  if (name.length === 0) return 'is empty';
  if (name.startsWith('/') || name.startsWith('\\') || /^[a-zA-Z]:/.test(name)) return 'is absolute';
  if (name.split('/').includes('..')) return 'has a ".." path segment';
  if (name.includes('\\')) return 'contains a backslash';
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'contains control characters';
  return null;
}

/**
 * Bidi controls and zero-width characters: invisible, and they make `invoice\u202Egpj.exe` read as
 * `invoiceexe.jpg`. A name the product writes must not carry them.
 */
export const INVISIBLE_CHARS = /[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
