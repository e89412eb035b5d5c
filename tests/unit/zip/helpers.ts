/** Building ZIPs with the product's writer, and the byte offsets tests patch to make hostile ones. */
import { createZipWriter, type AddOptions } from '@/utils/zip';

export type Member = [name: string, data: Uint8Array | Blob | ReadableStream<Uint8Array>, opts?: AddOptions];

/** A ZIP of `members` in memory (the writer's output collected). */
export async function zipOf(members: Member[]): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Uint8Array[] = [];
  const zip = createZipWriter(new WritableStream({ write: (c) => void chunks.push(c.slice()) }));
  for (const [name, data, opts] of members) await zip.add(name, data, { lastModified: new Date(2026, 10, 30), ...opts });
  await zip.close();
  return new Uint8Array(Buffer.concat(chunks));
}

export const text = (s: string) => new TextEncoder().encode(s);

/** Deterministic bytes that do not compress. */
export function noise(seed: number, length: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    out[i] = s & 0xff;
  }
  return out;
}

/** Byte offsets of a (non-ZIP64) ZIP's central directory entries. */
export function layout(zip: Uint8Array) {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = zip.length - 22;
  while (view.getUint32(eocd, true) !== 0x06054b50) eocd--;
  const cdOffset = view.getUint32(eocd + 16, true);
  const entries: { at: number; name: string; lho: number }[] = [];
  for (let p = cdOffset; p < eocd;) {
    const nameLen = view.getUint16(p + 28, true);
    entries.push({ at: p, name: new TextDecoder().decode(zip.subarray(p + 46, p + 46 + nameLen)), lho: view.getUint32(p + 42, true) });
    p += 46 + nameLen + view.getUint16(p + 30, true) + view.getUint16(p + 32, true);
  }
  return { view, eocd, cdOffset, entries };
}

/** Renames a member in place (central directory and local header); `to` must have the same byte length. */
export function rename(zip: Uint8Array, from: string, to: string): void {
  const { entries } = layout(zip);
  const e = entries.find((x) => x.name === from)!;
  const bytes = text(to);
  if (bytes.length !== text(from).length) throw new Error('rename: names must have the same length');
  zip.set(bytes, e.at + 46);
  zip.set(bytes, e.lho + 30);
}

export async function drain(stream: ReadableStream<Uint8Array>): Promise<number> {
  const reader = stream.getReader();
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return n;
    n += value.length;
  }
}
