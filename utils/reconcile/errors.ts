/**
 * Bad input (docs/FORMATS.md section 3): the export or vault archive cannot be reconciled as given. The
 * error carries a `reason` (a code and its parameters) that the library page says in the person's language
 * (components/reasons.ts), and an English `message`, one line a person can act on (what and why, at most
 * 300 characters, no stack), which the CLI prints as its last stderr line before it exits 2.
 */
import type { ZipErrorCode, ZipFormatError } from '@/utils/zip/errors';

/** Why an input was refused; `file` names the export, the part of it or the archive at fault. */
export type ReconcileReason =
  /** 0 bytes. */
  | { code: 'empty'; file: string }
  /** The ZIP layer refused it (utils/zip/errors.ts). */
  | { code: 'zip'; file: string; zip: ZipErrorCode; member?: string }
  /** A member name an official export never has (absolute, `..`, control characters). */
  | { code: 'hostile-member'; file: string; member: string }
  | { code: 'too-many-members'; file: string; max: number }
  /** Declares far more bytes than its size allows (a compression bomb). */
  | { code: 'inflate-bound'; file: string }
  | { code: 'part-not-zip'; file: string }
  /** A part stored compressed and too large to unpack in memory (the CLI without a spill folder). */
  | { code: 'part-too-large'; file: string }
  | { code: 'not-json'; file: string }
  /** The export's manifest lists a shard that is not in the export. */
  | { code: 'missing-shard'; file: string; shard: string }
  | { code: 'no-conversations'; file: string }
  /** Item `index` of a conversations file is not a conversation. */
  | { code: 'bad-conversation'; file: string; index: number }
  /** A conversations file that is not one JSON array of objects. */
  | { code: 'bad-conversations-file'; file: string }
  /** The vault archive given to the CLI is incomplete or altered. */
  | { code: 'bad-vault-archive'; file: string }
  /** The CLI's own arguments and paths (never shown by a page). */
  | { code: 'usage' };

export class ReconcileInputError extends Error {
  override readonly name = 'ReconcileInputError';
  constructor(
    readonly reason: ReconcileReason,
    message: string,
  ) {
    const line = message.replace(/\s+/g, ' ').trim();
    super(line.length > 300 ? `${line.slice(0, 299)}…` : line);
  }
}

/** The run was cancelled through its AbortSignal. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new DOMException('Reconciliation cancelled', 'AbortError');
}

/** The reason for a ZIP-layer refusal of `file`, naming the member at fault when the error knows it. */
export function zipReason(file: string, error: ZipFormatError): ReconcileReason {
  return { code: 'zip', file, zip: error.code, ...(error.member ? { member: error.member } : {}) };
}
