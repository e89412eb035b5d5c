/**
 * `Write the prompt into downloaded copies`: the prompt written into a copy's own metadata, where photo
 * tools show it as the description: a PNG `iTXt` chunk (keyword `Description`, UTF-8), a JPEG XMP `APP1`
 * segment, a WebP `XMP ` chunk (with the VP8X flag; a simple WebP becomes an extended one). Only for copies:
 * the change breaks the image's C2PA content credentials, which are bound to its bytes, so the vault and the
 * readable archive never get it.
 *
 * Written here, not with a library: none found fits (docs/ARCHITECTURE.md, "Prompt in downloaded copies").
 * Each writer walks the whole container first and changes nothing unless every chunk or segment is where
 * its length says (PNG: every CRC right too); a malformed file gives a reason, never an exception.
 */
import { crc32 } from '@/utils/zip/crc32';
import { concatBytes as concat } from './bytes';

export type PromptWrite = { ok: true; bytes: Uint8Array } | { ok: false; reason: string };

/** XMP in a JPEG lives in one APP1 segment: 65,535 bytes less the length field and the namespace. */
const XMP_NS = 'http://ns.adobe.com/xap/1.0/\0';
const MAX_JPEG_XMP = 65_535 - 2 - XMP_NS.length;
/** A prompt longer than this is cut (ChatGPT's are far shorter); it keeps every format's limits in reach. */
const MAX_PROMPT_CHARS = 16_000;

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const utf8 = (s: string) => new TextEncoder().encode(s);
const u32be = (b: Uint8Array, at: number) => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
const u32le = (b: Uint8Array, at: number) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
const tag = (b: Uint8Array, at: number) => String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);
const starts = (b: Uint8Array, sig: readonly number[]) => b.length >= sig.length && sig.every((v, i) => b[i] === v);


/** The prompt as text XML and PNG accept: no control characters but tab and newlines, no lone surrogates. */
function cleanPrompt(prompt: string): string {
  return [...prompt.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffe\uffff]|\p{Cs}/gu, '')].slice(0, MAX_PROMPT_CHARS).join('').trim();
}

const xmlEscape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A minimal XMP packet: the prompt as `dc:description` (what Lightroom, digiKam and exiftool show). */
function xmpPacket(prompt: string): Uint8Array {
  return utf8(
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
    + '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
    + ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
    + '  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
    + `   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">${xmlEscape(prompt)}</rdf:li></rdf:Alt></dc:description>\n`
    + '  </rdf:Description>\n'
    + ' </rdf:RDF>\n'
    + '</x:xmpmeta>\n'
    + '<?xpacket end="w"?>',
  );
}

const PNG_SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIG = [0xff, 0xd8, 0xff];

/** Writes `prompt` into the PNG, JPEG or WebP `bytes`; anything else or anything malformed: a reason. */
export function writePrompt(bytes: Uint8Array, prompt: string): PromptWrite {
  const text = cleanPrompt(prompt);
  if (text === '') return { ok: false, reason: 'there is no prompt to write' };
  try {
    if (starts(bytes, PNG_SIG)) return pngWithPrompt(bytes, text);
    if (starts(bytes, JPEG_SIG)) return jpegWithPrompt(bytes, text);
    if (bytes.length >= 12 && tag(bytes, 0) === 'RIFF' && tag(bytes, 8) === 'WEBP') return webpWithPrompt(bytes, text);
  } catch (error) {
    // The walkers check every bound; this is the last guard for the promise that a copy is never lost.
    return { ok: false, reason: `the file could not be read (${error instanceof Error ? error.message : String(error)})` };
  }
  return { ok: false, reason: 'only PNG, JPEG and WebP files can hold the prompt' };
}

// PNG (https://www.w3.org/TR/png-3/): signature, then chunks of length, type, data, CRC of type + data.

const PNG_KEYWORD = 'Description';

function pngWithPrompt(b: Uint8Array, prompt: string): PromptWrite {
  const chunks: { start: number; end: number; type: string }[] = [];
  let at = 8;
  while (at < b.length) {
    if (at + 12 > b.length) return { ok: false, reason: 'the PNG is cut short' };
    const len = u32be(b, at);
    const end = at + 12 + len;
    if (len > 0x7fffffff || end > b.length) return { ok: false, reason: 'a PNG chunk runs past the end of the file' };
    const type = tag(b, at + 4);
    if (!/^[A-Za-z]{4}$/.test(type)) return { ok: false, reason: 'the PNG has a chunk with an invalid type' };
    if (crc32(b.subarray(at + 4, end - 4)) !== u32be(b, end - 4)) return { ok: false, reason: `the PNG's ${type} chunk fails its CRC` };
    chunks.push({ start: at, end, type });
    at = end;
    if (type === 'IEND') break;
  }
  if (chunks[0]?.type !== 'IHDR' || chunks.at(-1)?.type !== 'IEND') return { ok: false, reason: 'the PNG does not start with IHDR and end with IEND' };

  const keyword = ascii(`${PNG_KEYWORD}\0`);
  // keyword, compression flag and method (none), empty language tag and translated keyword, UTF-8 text.
  const data = concat([keyword, new Uint8Array([0, 0, 0, 0]), utf8(prompt)]);
  const chunk = new Uint8Array(12 + data.length);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, data.length);
  chunk.set(ascii('iTXt'), 4);
  chunk.set(data, 8);
  view.setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)));

  // A copy downloaded twice keeps one description: an earlier one of ours (same keyword) is replaced.
  const isOurs = (c: { start: number; type: string }) =>
    (c.type === 'iTXt' || c.type === 'tEXt' || c.type === 'zTXt') && keyword.every((v, i) => b[c.start + 8 + i] === v);
  const ihdr = chunks[0];
  const parts: Uint8Array[] = [b.subarray(0, ihdr.end), chunk];
  for (const c of chunks.slice(1)) if (!isOurs(c)) parts.push(b.subarray(c.start, c.end));
  // Bytes after IEND are not the image's; they go as they were.
  parts.push(b.subarray(chunks.at(-1)!.end));
  return { ok: true, bytes: concat(parts) };
}

// JPEG (ITU T.81, XMP part 3): segments FF xx [length] up to the scan; XMP is an APP1 with Adobe's namespace.

function jpegWithPrompt(b: Uint8Array, prompt: string): PromptWrite {
  const xmp = xmpPacket(prompt);
  if (xmp.length > MAX_JPEG_XMP) return { ok: false, reason: 'the prompt is too long for a JPEG XMP segment' };
  let at = 2;
  let insertAt = 2;
  let leading = true;
  for (;;) {
    if (at + 4 > b.length) return { ok: false, reason: 'the JPEG ends before its image data' };
    if (b[at] !== 0xff) return { ok: false, reason: 'the JPEG has bytes between its segments' };
    let marker = b[at + 1]!;
    while (marker === 0xff && at + 2 < b.length) marker = b[++at + 1]!;
    if (marker === 0xd8 || marker === 0xd9) return { ok: false, reason: 'the JPEG ends before its image data' };
    // Markers without a length (TEM, RSTn) carry nothing.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    if (at + 4 > b.length) return { ok: false, reason: 'the JPEG is cut short' };
    const len = (b[at + 2]! << 8) | b[at + 3]!;
    const end = at + 2 + len;
    if (len < 2 || end > b.length) return { ok: false, reason: 'a JPEG segment runs past the end of the file' };
    if (marker === 0xda) break;
    if (marker === 0xe1 && len >= 2 + XMP_NS.length && ascii(XMP_NS).every((v, i) => b[at + 4 + i] === v)) {
      return { ok: false, reason: 'the JPEG has XMP metadata already, which this does not merge' };
    }
    // After JFIF (APP0) and Exif (APP1), which readers expect first.
    if (leading && (marker === 0xe0 || marker === 0xe1)) insertAt = end;
    else leading = false;
    at = end;
  }
  const segment = new Uint8Array(4 + XMP_NS.length + xmp.length);
  segment.set([0xff, 0xe1, (segment.length - 2) >> 8, (segment.length - 2) & 0xff]);
  segment.set(ascii(XMP_NS), 4);
  segment.set(xmp, 4 + XMP_NS.length);
  return { ok: true, bytes: concat([b.subarray(0, insertAt), segment, b.subarray(insertAt)]) };
}

// WebP (RFC 9649): RIFF size WEBP, then chunks of FourCC, little-endian size, data, a pad byte when odd.

/** Chunks that go before XMP in an extended WebP; XMP follows the last of them (unknown chunks stay after). */
const BEFORE_XMP = new Set(['VP8X', 'ICCP', 'ANIM', 'ANMF', 'ALPH', 'VP8 ', 'VP8L', 'EXIF']);

function webpWithPrompt(b: Uint8Array, prompt: string): PromptWrite {
  const riffEnd = 8 + u32le(b, 4);
  if (riffEnd > b.length || riffEnd % 2 !== 0) return { ok: false, reason: "the WebP's RIFF size does not match the file" };
  const chunks: { start: number; end: number; type: string; size: number }[] = [];
  for (let at = 12; at < riffEnd;) {
    if (at + 8 > riffEnd) return { ok: false, reason: 'the WebP is cut short' };
    const type = tag(b, at);
    const size = u32le(b, at + 4);
    const end = at + 8 + size + (size % 2);
    if (end > riffEnd) return { ok: false, reason: `the WebP's ${type.trim()} chunk runs past the end of the file` };
    if (type === 'XMP ') return { ok: false, reason: 'the WebP has XMP metadata already, which this does not merge' };
    chunks.push({ start: at, end, type, size });
    at = end;
  }
  const first = chunks[0];
  if (!first || !['VP8X', 'VP8 ', 'VP8L'].includes(first.type)) return { ok: false, reason: 'the WebP has no image chunk' };

  let vp8x: Uint8Array;
  let rest = chunks;
  if (first.type === 'VP8X') {
    if (first.size < 10) return { ok: false, reason: "the WebP's VP8X chunk is too short" };
    vp8x = b.slice(first.start, first.end);
    vp8x[8] = vp8x[8]! | 0x04;
    rest = chunks.slice(1);
  } else {
    const size = imageSize(b, first);
    if (!size) return { ok: false, reason: "the WebP's image header cannot be read" };
    vp8x = new Uint8Array(18);
    vp8x.set(ascii('VP8X'), 0);
    vp8x[4] = 10;
    // XMP, and alpha when a lossless image says it uses it.
    vp8x[8] = 0x04 | (size.alpha ? 0x10 : 0);
    const w = size.width - 1;
    const h = size.height - 1;
    vp8x.set([w & 0xff, (w >> 8) & 0xff, (w >> 16) & 0xff, h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff], 12);
  }
  const xmp = xmpPacket(prompt);
  const xmpChunk = new Uint8Array(8 + xmp.length + (xmp.length % 2));
  xmpChunk.set(ascii('XMP '), 0);
  new DataView(xmpChunk.buffer).setUint32(4, xmp.length, true);
  xmpChunk.set(xmp, 8);

  let after = 0;
  rest.forEach((c, i) => {
    if (BEFORE_XMP.has(c.type)) after = i + 1;
  });
  const parts: Uint8Array[] = [new Uint8Array(12), vp8x];
  for (const c of rest.slice(0, after)) parts.push(b.subarray(c.start, c.end));
  parts.push(xmpChunk);
  for (const c of rest.slice(after)) parts.push(b.subarray(c.start, c.end));
  const out = concat(parts);
  out.set(ascii('RIFF'), 0);
  new DataView(out.buffer).setUint32(4, out.length - 8, true);
  out.set(ascii('WEBP'), 8);
  // Bytes after the RIFF are not the image's; they go as they were.
  return { ok: true, bytes: riffEnd < b.length ? concat([out, b.subarray(riffEnd)]) : out };
}

/** Canvas size of a simple WebP, from its VP8 key frame or VP8L header. */
function imageSize(b: Uint8Array, c: { start: number; type: string; size: number }): { width: number; height: number; alpha: boolean } | null {
  const d = c.start + 8;
  if (c.type === 'VP8 ') {
    if (c.size < 10 || b[d + 3] !== 0x9d || b[d + 4] !== 0x01 || b[d + 5] !== 0x2a) return null;
    const width = (b[d + 6]! | (b[d + 7]! << 8)) & 0x3fff;
    const height = (b[d + 8]! | (b[d + 9]! << 8)) & 0x3fff;
    return width && height ? { width, height, alpha: false } : null;
  }
  if (c.size < 5 || b[d] !== 0x2f) return null;
  const bits = u32le(b, d + 1);
  return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1, alpha: ((bits >>> 28) & 1) === 1 };
}

/**
 * A downloaded copy of `blob` with `prompt` written in, or the same blob and the reason when it cannot be
 * (a malformed file, an image type without a place for it): the copy is never lost over its metadata.
 * Files that are not images (`blob.type`, the sniffed type) and artifacts without a prompt pass as they are.
 */
export async function copyWithPrompt(blob: Blob, prompt: string | null): Promise<{ blob: Blob; note: string | null }> {
  if (prompt === null || prompt.trim() === '' || !blob.type.startsWith('image/')) return { blob, note: null };
  const result = writePrompt(new Uint8Array(await blob.arrayBuffer()), prompt);
  if (!result.ok) return { blob, note: result.reason };
  return { blob: new Blob([result.bytes as Uint8Array<ArrayBuffer>], { type: blob.type }), note: null };
}
