/**
 * Byte helpers shared by the vault and the importers: one way to turn "some bytes" into a Uint8Array and
 * one way to hash them, so the same content always gets the same SHA-256 name.
 */

/** Anything the vault accepts as file content. */
export type ByteSource = Blob | ArrayBuffer | Uint8Array;

function isBlobLike(value: unknown): value is Blob {
  // Duck-typed: under happy-dom the global Blob differs from Node's, and both must work.
  return typeof value === 'object' && value !== null && typeof (value as Blob).arrayBuffer === 'function'
    && typeof (value as Blob).size === 'number';
}

/** Whether `value` is one of the accepted byte containers. */
export function isByteSource(value: unknown): value is ByteSource {
  return value instanceof Uint8Array || Object.prototype.toString.call(value) === '[object ArrayBuffer]'
    || isBlobLike(value);
}

/**
 * Copies the content into a fresh ArrayBuffer-backed Uint8Array (never a view on a caller's buffer that
 * could change under us between hashing and storing).
 */
export async function toBytes(data: ByteSource): Promise<Uint8Array<ArrayBuffer>> {
  if (data instanceof Uint8Array) return new Uint8Array(data);
  if (Object.prototype.toString.call(data) === '[object ArrayBuffer]') {
    return new Uint8Array((data as ArrayBuffer).slice(0));
  }
  if (isBlobLike(data)) return new Uint8Array(await data.arrayBuffer());
  throw new TypeError('expected a Blob, ArrayBuffer or Uint8Array');
}

/** Lower-case hex SHA-256 of the bytes, via WebCrypto (available in extension pages, workers and Node 20). */
export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/** The parts one after another, in one new buffer (`total`: their length, when the caller already knows it). */
export function concatBytes(parts: readonly Uint8Array[], total = parts.reduce((n, p) => n + p.length, 0)): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
