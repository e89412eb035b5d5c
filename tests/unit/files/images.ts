/**
 * Image fixtures (tests/fixtures/images: tiny images Chromium encoded) and independent parsers that check
 * what utils/files/prompt-metadata.ts writes: PNG chunks with their CRCs, JPEG segments up to the scan,
 * WebP RIFF chunks with their sizes.
 */
import { readFileSync } from 'node:fs';
import { crc32 as nodeCrc32 } from 'node:zlib';

export const fixture = (name: string) => new Uint8Array(readFileSync(`tests/fixtures/images/${name}`));

/** A 3x2 PNG as Chromium writes it (IHDR, IDAT, IEND). */
export const pngWithText = () => fixture('pixel.png');

const u32be = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at);
const u32le = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, true);
const tag = (b: Uint8Array, at: number) => String.fromCharCode(...b.subarray(at, at + 4));

/** Every PNG chunk, throwing on a wrong CRC, a chunk past the end or bytes after IEND. */
export function pngChunks(b: Uint8Array): { type: string; data: Uint8Array }[] {
  if (Buffer.compare(Buffer.from(b.subarray(0, 8)), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) !== 0) throw new Error('no PNG signature');
  const out: { type: string; data: Uint8Array }[] = [];
  for (let at = 8; at < b.length;) {
    const len = u32be(b, at);
    const type = tag(b, at + 4);
    const data = b.subarray(at + 8, at + 8 + len);
    if (at + 12 + len > b.length) throw new Error(`${type} past the end`);
    if (nodeCrc32(b.subarray(at + 4, at + 8 + len)) !== u32be(b, at + 8 + len)) throw new Error(`${type} CRC`);
    out.push({ type, data });
    at += 12 + len;
  }
  return out;
}

export const chunkTypes = (b: Uint8Array) => pngChunks(b).map((c) => c.type);

/** `[keyword, text]` of each iTXt/tEXt chunk. */
export function textChunks(b: Uint8Array): [string, string][] {
  return pngChunks(b).filter((c) => c.type === 'iTXt' || c.type === 'tEXt').map((c) => {
    const zero = c.data.indexOf(0);
    const keyword = new TextDecoder('latin1').decode(c.data.subarray(0, zero));
    if (c.type === 'tEXt') return [keyword, new TextDecoder('latin1').decode(c.data.subarray(zero + 1))];
    if (c.data[zero + 1] !== 0) throw new Error('compressed iTXt');
    const lang = c.data.indexOf(0, zero + 3);
    const translated = c.data.indexOf(0, lang + 1);
    return [keyword, new TextDecoder('utf-8', { fatal: true }).decode(c.data.subarray(translated + 1))];
  });
}

/** JPEG markers from SOI to SOS with each segment's payload; throws when a length does not fit. */
export function jpegSegments(b: Uint8Array): { marker: number; data: Uint8Array }[] {
  if (b[0] !== 0xff || b[1] !== 0xd8) throw new Error('no SOI');
  const out: { marker: number; data: Uint8Array }[] = [];
  for (let at = 2; ;) {
    if (b[at] !== 0xff) throw new Error(`no marker at ${at}`);
    const marker = b[at + 1]!;
    const len = (b[at + 2]! << 8) | b[at + 3]!;
    if (at + 2 + len > b.length) throw new Error('segment past the end');
    out.push({ marker, data: b.subarray(at + 4, at + 2 + len) });
    if (marker === 0xda) break;
    at += 2 + len;
  }
  if (b[b.length - 2] !== 0xff || b[b.length - 1] !== 0xd9) throw new Error('no EOI');
  return out;
}

/** WebP chunks; throws when the RIFF size or a chunk size does not match the file. */
export function webpChunks(b: Uint8Array): { type: string; data: Uint8Array }[] {
  if (tag(b, 0) !== 'RIFF' || tag(b, 8) !== 'WEBP') throw new Error('not a WebP');
  if (u32le(b, 4) + 8 !== b.length) throw new Error(`RIFF size ${u32le(b, 4)} for ${b.length} bytes`);
  const out: { type: string; data: Uint8Array }[] = [];
  for (let at = 12; at < b.length;) {
    const size = u32le(b, at + 4);
    if (at + 8 + size > b.length) throw new Error('chunk past the end');
    out.push({ type: tag(b, at), data: b.subarray(at + 8, at + 8 + size) });
    at += 8 + size + (size % 2);
  }
  return out;
}

/** A simple-format WebP (no VP8X) holding only the image chunk of `from`. */
export function simpleWebp(from: Uint8Array, type: 'VP8 ' | 'VP8L'): Uint8Array {
  const image = webpChunks(from).find((c) => c.type === type);
  if (!image) throw new Error(`no ${type} in the fixture`);
  const body = image.data.length + (image.data.length % 2);
  const out = new Uint8Array(20 + body);
  const v = new DataView(out.buffer);
  out.set(new TextEncoder().encode('RIFF'), 0);
  v.setUint32(4, out.length - 8, true);
  out.set(new TextEncoder().encode(`WEBP${type}`), 8);
  v.setUint32(16, image.data.length, true);
  out.set(image.data, 20);
  return out;
}

/** The text of the XMP packet's `dc:description`, unescaped. */
export function xmpDescription(xmp: Uint8Array): string | null {
  const text = new TextDecoder('utf-8', { fatal: true }).decode(xmp);
  const m = /<rdf:li xml:lang="x-default">([\s\S]*?)<\/rdf:li>/.exec(text);
  return m ? m[1]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&') : null;
}
