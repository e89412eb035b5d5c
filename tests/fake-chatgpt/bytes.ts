/**
 * Deterministic bytes for the fake file service and fake Code Interpreter sandboxes.
 *
 * Every file id and every (conversation, sandbox path) maps to fixed bytes, so a test can compare the
 * SHA-256 of what the extension stored with `expectedBytes(...)` without talking to the server.
 * Only node: built-ins are used (PNG = zlib + crc32 by hand).
 */
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { drawPicture } from './picture.ts';

/** Keys containing this marker serve 20-25 MB, to exercise streaming, quotas and progress. */
export const BIG_MARKER = 'big';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** xorshift32 seeded from a string: fast enough to fill 25 MB in a few tens of ms. */
function prng(seedText: string): () => number {
  let s = createHash('sha256').update(seedText).digest().readUInt32LE(0) || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

function fillRandom(buf: Buffer, seedText: string): void {
  const next = prng(seedText);
  let i = 0;
  for (; i + 4 <= buf.length; i += 4) buf.writeUInt32LE(next(), i);
  for (; i < buf.length; i++) buf[i] = next() & 0xff;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** A real RGB PNG whose pixels depend on `seed`, so every id hashes differently. */
export function makePng(seed: string, width: number, height: number, level = 6): Buffer {
  const stride = width * 3 + 1;
  const raw = Buffer.alloc(stride * height);
  fillRandom(raw, `png:${seed}`);
  for (let y = 0; y < height; y++) raw[y * stride] = 0; // filter byte "None" on every row
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw, { level })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A PNG that looks like a picture (picture.ts): the demo's gallery shows landscapes, not noise. */
export function makePicturePng(seed: string, width: number, height: number): Buffer {
  const rgb = drawPicture(seed, width, height);
  const stride = width * 3 + 1;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    raw[y * stride] = 1; // filter "Sub": gradients and flat areas compress to almost nothing
    for (let x = 0; x < width * 3; x++) {
      const v = rgb[y * width * 3 + x]!;
      const left = x >= 3 ? rgb[y * width * 3 + x - 3]! : 0;
      raw[y * stride + 1 + x] = (v - left) & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw, { level: 6 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** File ids containing this marker (case-sensitive, fits a file-service id) serve about 1 MB (the backup benchmark). */
export const MEDIUM_MARKER = 'Medium1MB';

function bigSize(key: string): number {
  const h = createHash('sha256').update(key).digest().readUInt32LE(4);
  return 20 * 1024 * 1024 + (h % (5 * 1024 * 1024));
}

function isBig(key: string): boolean {
  return key.toLowerCase().includes(BIG_MARKER);
}

export interface FileInfo {
  /** What the file service claims (files/download `mime_type`, estuary Content-Type). */
  mimeType: string;
  fileName: string;
  /** True when the label says WebP but the bytes are PNG (2025+: "a .png name can hold WebP bytes", and vice versa). */
  mislabelled: boolean;
}

/**
 * Labels for a file id. Ids containing "webp", and about a third of sediment-era `file_` ids (chosen
 * by hash, so stable), are labelled image/webp while the bytes are PNG, to exercise magic-byte sniffing.
 */
export function fileInfo(fileId: string): FileInfo {
  const byHash = fileId.startsWith('file_') && createHash('sha256').update(fileId).digest()[0]! % 3 === 0;
  if (/webp/i.test(fileId) || byHash) {
    return { mimeType: 'image/webp', fileName: `${fileId}.webp`, mislabelled: true };
  }
  return { mimeType: 'image/png', fileName: `${fileId}.png`, mislabelled: false };
}

const SANDBOX_MIME: Record<string, string> = {
  csv: 'text/csv',
  txt: 'text/plain',
  md: 'text/markdown',
  json: 'application/json',
  png: 'image/png',
  zip: 'application/zip',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
};

export function sandboxInfo(path: string): { mimeType: string; fileName: string } {
  const fileName = path.split('/').pop() ?? path;
  const ext = fileName.includes('.') ? fileName.split('.').pop()!.toLowerCase() : '';
  return { mimeType: SANDBOX_MIME[ext] ?? 'application/octet-stream', fileName };
}

function makeCsv(seed: string): Buffer {
  const next = prng(`csv:${seed}`);
  const rows = 12 + (next() % 30);
  const lines = ['month,region,revenue,units'];
  const regions = ['north', 'south', 'east', 'west'];
  for (let i = 0; i < rows; i++) {
    lines.push(`2026-${String((i % 12) + 1).padStart(2, '0')},${regions[next() % 4]},${(next() % 100000) / 100},${next() % 500}`);
  }
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}

function makeText(seed: string): Buffer {
  const next = prng(`txt:${seed}`);
  const lines = [`Fake sandbox file for ${seed}`];
  const n = 5 + (next() % 20);
  for (let i = 0; i < n; i++) lines.push(`line ${i}: ${next().toString(36)}`);
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}

function makeBlob(seed: string, size: number): Buffer {
  const b = Buffer.alloc(size);
  fillRandom(b, `bin:${seed}`);
  return b;
}

function bigPng(seed: string): Buffer {
  const width = 2048;
  const height = Math.ceil(bigSize(seed) / (width * 3 + 1));
  return makePng(seed, width, height, 0); // level 0 (stored): random pixels do not compress anyway
}

// Small entries are cached forever (they are a few KB); big ones only the last two.
const smallCache = new Map<string, Buffer>();
const bigCache = new Map<string, Buffer>();

function cached(key: string, make: () => Buffer): Buffer {
  const big = isBig(key);
  const cache = big ? bigCache : smallCache;
  let b = cache.get(key);
  if (!b) {
    b = make();
    if (big && bigCache.size >= 2) bigCache.delete(bigCache.keys().next().value!);
    cache.set(key, b);
  }
  return b;
}

/** A valid 16-bit mono PCM WAV (8 kHz, about 0.1 s of noise) whose samples depend on `seed`. */
export function makeWav(seed: string): Buffer {
  const data = Buffer.alloc(1600);
  fillRandom(data, `wav:${seed}`);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVE', 8, 'latin1');
  h.write('fmt ', 12, 'latin1');
  h.writeUInt32LE(16, 16); // fmt chunk size
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(8000, 24); // sample rate
  h.writeUInt32LE(16000, 28); // byte rate
  h.writeUInt16LE(2, 32); // block align
  h.writeUInt16LE(16, 34); // bits per sample
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

/** An MP4-looking file: an `ftyp` box (what sniffing reads) followed by seeded bytes. Not playable. */
export function makeMp4(seed: string): Buffer {
  const ftyp = Buffer.from([0, 0, 0, 0x18, ...Buffer.from('ftypisom', 'latin1'), 0, 0, 2, 0, ...Buffer.from('isomiso2', 'latin1')]);
  const rest = Buffer.alloc(1024);
  fillRandom(rest, `mp4:${seed}`);
  return Buffer.concat([ftyp, rest]);
}

function fileBytes(fileId: string): Buffer {
  return cached(`file\0${fileId}`, () => (isBig(fileId) ? bigPng(fileId) : fileId.includes(MEDIUM_MARKER) ? makePng(fileId, 580, 600, 0) : makePicturePng(fileId, 256, 160)));
}

function sandboxBytes(conversationId: string, path: string): Buffer {
  const seed = `${conversationId}\0${path}`;
  return cached(`sandbox\0${seed}`, () => {
    const ext = sandboxInfo(path).fileName.split('.').pop()?.toLowerCase() ?? '';
    if (isBig(path)) return ext === 'png' ? bigPng(seed) : makeBlob(seed, bigSize(seed));
    if (ext === 'csv') return makeCsv(seed);
    if (ext === 'png') return makePng(seed, 32, 20);
    if (ext === 'txt' || ext === 'md' || ext === 'json') return makeText(seed);
    return makeBlob(seed, 2048 + (prng(seed)() % 4096));
  });
}

/**
 * The bytes the fake serves. `expectedBytes('file', fileId)` for anything resolved through the file
 * service (images, charts, uploads: always PNG bytes), `'audio'` and `'video'` for file ids a conversation
 * names in a voice pointer (WAV, MP4), `expectedBytes('sandbox', conversationId, path)` for Code Interpreter
 * files (`path` is the decoded `/mnt/data/...` path).
 */
export function expectedBytes(kind: 'file' | 'audio' | 'video', fileId: string): Buffer;
export function expectedBytes(kind: 'sandbox', conversationId: string, path: string): Buffer;
export function expectedBytes(kind: 'file' | 'audio' | 'video' | 'sandbox', a: string, b?: string): Buffer {
  if (kind === 'file') return fileBytes(a);
  if (kind === 'audio') return cached(`audio\0${a}`, () => makeWav(a));
  if (kind === 'video') return cached(`video\0${a}`, () => makeMp4(a));
  if (b === undefined) throw new Error('expectedBytes("sandbox", conversationId, path) needs a path');
  return sandboxBytes(a, b);
}
