/**
 * Bad input (docs/FORMATS.md section 3): the export or vault archive cannot be reconciled as given. The
 * message is one line a person can act on (what and why, at most 300 characters, no stack); the CLI
 * prints it as its last stderr line and exits 2, the page shows it in an error panel.
 */
export class ReconcileInputError extends Error {
  override readonly name = 'ReconcileInputError';
  constructor(message: string) {
    const line = message.replace(/\s+/g, ' ').trim();
    super(line.length > 300 ? `${line.slice(0, 299)}…` : line);
  }
}

/** The run was cancelled through its AbortSignal. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new DOMException('Reconciliation cancelled', 'AbortError');
}
