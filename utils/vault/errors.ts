/**
 * Every rejection the vault makes on purpose is a VaultError with a machine-readable `code`, so callers
 * (the capture pipeline, the restore flow, the UI) can tell bad input from a missing record from a
 * storage failure without parsing messages. Anything else that escapes is an IndexedDB/Dexie failure.
 */
export type VaultErrorCode =
  /** An argument has the wrong type or shape (empty id, NaN time, non-array refs…). */
  | 'invalid-argument'
  /** The artifact or job named does not exist. */
  | 'not-found'
  /** A conversation snapshot that is not JSON, or not a conversation (no id, no mapping object). */
  | 'invalid-snapshot';

export class VaultError extends Error {
  override readonly name = 'VaultError';
  constructor(
    readonly code: VaultErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Throws `invalid-argument` unless `value` is a non-empty string; returns it typed. */
export function requireId(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new VaultError('invalid-argument', `${what} must be a non-empty string, got ${describe(value)}`);
  }
  return value;
}

/** Throws `invalid-argument` unless `value` is a finite number. */
export function requireFinite(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new VaultError('invalid-argument', `${what} must be a finite number, got ${describe(value)}`);
  }
  return value;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 40 ? `"${value.slice(0, 40)}…"` : `"${value}"`;
  if (typeof value === 'number') return String(value);
  return typeof value;
}
