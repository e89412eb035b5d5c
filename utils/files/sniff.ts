/**
 * Byte sniffing: what a file really is, from its first bytes, not from its name or a declared MIME type.
 * ChatGPT's JSON and download responses sometimes declare the wrong type (an image_gen WebP served as
 * `image/png`, a sandbox CSV as `application/octet-stream`), and the vault archive names members by their
 * real extension, so the vault trusts the bytes first.
 *
 * Order matters: binary signatures first (cheap, certain), then the cautious text checks (SVG, HTML,
 * JSON, CSV, plain text), which only run on valid UTF-8 without control bytes.
 */

/** Text heuristics look at this many bytes at most (a 20 MB CSV does not need a full scan). */
const TEXT_SNIFF_LIMIT = 64 * 1024;
/** JSON is only parsed whole below this size; larger candidates are judged by their first/last character. */
const JSON_PARSE_LIMIT = 1024 * 1024;

/** Returns the MIME type the bytes show, or null when they show nothing recognisable (e.g. empty). */
export function sniffMime(bytes: Uint8Array): string | null {
  if (bytes.length === 0) return null;
  return sniffBinary(bytes) ?? sniffText(bytes);
}

function startsWith(bytes: Uint8Array, sig: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (bytes[offset + i] !== sig[i]) return false;
  return true;
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  let out = '';
  for (let i = start; i < Math.min(end, bytes.length); i++) out += String.fromCharCode(bytes[i]!);
  return out;
}

function u16le(b: Uint8Array, o: number): number {
  return (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8);
}
function u32le(b: Uint8Array, o: number): number {
  return ((b[o] ?? 0) | ((b[o + 1] ?? 0) << 8) | ((b[o + 2] ?? 0) << 16) | ((b[o + 3] ?? 0) << 24)) >>> 0;
}
function u32be(b: Uint8Array, o: number): number {
  return (((b[o] ?? 0) << 24) | ((b[o + 1] ?? 0) << 16) | ((b[o + 2] ?? 0) << 8) | (b[o + 3] ?? 0)) >>> 0;
}

const bytesOf = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));

function sniffBinary(b: Uint8Array): string | null {
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(b, bytesOf('GIF87a')) || startsWith(b, bytesOf('GIF89a'))) return 'image/gif';
  if (startsWith(b, bytesOf('RIFF')) && b.length >= 12) {
    const form = ascii(b, 8, 12);
    if (form === 'WEBP') return 'image/webp';
    if (form === 'WAVE') return 'audio/wav';
  }
  if (startsWith(b, bytesOf('ftyp'), 4)) return sniffFtyp(b);
  if (isBmp(b)) return 'image/bmp';
  if (startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a])) return 'image/tiff';
  if (startsWith(b, bytesOf('%PDF-'))) return 'application/pdf';
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04]) || startsWith(b, [0x50, 0x4b, 0x05, 0x06])) return sniffZip(b);
  if (startsWith(b, [0x1f, 0x8b, 0x08])) return 'application/gzip';
  if (startsWith(b, bytesOf('OggS'))) return 'audio/ogg';
  if (startsWith(b, bytesOf('fLaC'))) return 'audio/flac';
  if (startsWith(b, [0x1a, 0x45, 0xdf, 0xa3])) return 'video/webm';
  if (startsWith(b, bytesOf('ID3'))) return 'audio/mpeg';
  return sniffMpegAudioFrame(b);
}

/** ISO base media (MP4, HEIF/AVIF, QuickTime): the major brand at 8, compatible brands from 16 to the box end. */
function sniffFtyp(b: Uint8Array): string {
  const boxSize = u32be(b, 0);
  const end = Math.min(b.length, boxSize >= 16 ? boxSize : 16, 4096);
  const brands = [ascii(b, 8, 12)];
  for (let o = 16; o + 4 <= end; o += 4) brands.push(ascii(b, o, o + 4));
  const has = (...names: string[]) => brands.some((x) => names.includes(x));
  const major = brands[0]!;
  if (major === 'avif' || major === 'avis') return 'image/avif';
  if (['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx'].includes(major)) return 'image/heic';
  if (major === 'mif1' || major === 'msf1') {
    if (has('avif', 'avis')) return 'image/avif';
    if (has('heic', 'heix')) return 'image/heic';
    return 'image/heif';
  }
  if (major === 'M4A ' || major === 'M4B ') return 'audio/mp4';
  if (major === 'qt  ') return 'video/quicktime';
  if (major.startsWith('3gp')) return 'video/3gpp';
  return 'video/mp4';
}

/** "BM" alone is too weak (a text file may start with it): also require zero reserved bytes and a known DIB header size. */
function isBmp(b: Uint8Array): boolean {
  if (!startsWith(b, [0x42, 0x4d]) || b.length < 26) return false;
  if (u32le(b, 6) !== 0) return false;
  return [12, 40, 52, 56, 64, 108, 124].includes(u32le(b, 14));
}

/**
 * MPEG audio frame header: 11 sync bits, then version, layer (00 is reserved = AAC ADTS), bitrate index
 * (1111 invalid), sample-rate index (11 reserved).
 */
function sniffMpegAudioFrame(b: Uint8Array): string | null {
  if (b.length < 4 || b[0] !== 0xff || ((b[1] ?? 0) & 0xe0) !== 0xe0) return null;
  const b1 = b[1]!;
  const b2 = b[2]!;
  const layer = (b1 >> 1) & 0x03;
  const version = (b1 >> 3) & 0x03;
  if (layer === 0) return version === 0x02 || version === 0x03 ? 'audio/aac' : null;
  if (version === 0x01) return null; // reserved version
  if ((b2 >> 4) === 0x0f || ((b2 >> 2) & 0x03) === 0x03) return null;
  return 'audio/mpeg';
}

const OOXML_BY_PREFIX: ReadonlyArray<readonly [string, string]> = [
  ['word/', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  ['xl/', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  ['ppt/', 'application/vnd.openxmlformats-officedocument.presentationml.presentation'],
];

/**
 * ZIP containers, from magic bytes only (the ZIP format itself is read in one place, utils/zip): EPUB and
 * OpenDocument store their type uncompressed as the first member, named `mimetype`, at fixed offsets;
 * OOXML (docx/xlsx/pptx) has the member names `[Content_Types].xml` and a `word/`, `xl/` or `ppt/` part,
 * which appear as plain bytes in the local headers near the start or in the directory near the end.
 */
function sniffZip(b: Uint8Array): string {
  const nameLen = u16le(b, 26);
  const dataStart = 30 + nameLen + u16le(b, 28);
  const compressed = u32le(b, 18);
  if (ascii(b, 30, 30 + nameLen) === 'mimetype' && u16le(b, 8) === 0 && dataStart + compressed <= b.length) {
    const declared = ascii(b, dataStart, dataStart + compressed).trim();
    if (/^application\/[\w.+-]+$/.test(declared)) return declared;
  }
  const REGION = 64 * 1024;
  const regions = b.length <= 2 * REGION ? [b] : [b.subarray(0, REGION), b.subarray(b.length - REGION)];
  const has = (name: string) => regions.some((r) => indexOfAscii(r, name) >= 0);
  if (has('[Content_Types].xml')) {
    for (const [prefix, mime] of OOXML_BY_PREFIX) if (has(prefix)) return mime;
  }
  return 'application/zip';
}

function indexOfAscii(b: Uint8Array, s: string): number {
  const first = s.charCodeAt(0);
  outer: for (let i = b.indexOf(first); i >= 0 && i + s.length <= b.length; i = b.indexOf(first, i + 1)) {
    for (let k = 1; k < s.length; k++) if (b[i + k] !== s.charCodeAt(k)) continue outer;
    return i;
  }
  return -1;
}

/**
 * Decodes the sniff window as UTF-8, or returns null for binary. A multi-byte character cut by the window
 * is fine; NUL and other C0 controls (except tab, LF, FF, CR, ESC for ANSI logs) mean binary.
 */
function decodeTextWindow(bytes: Uint8Array): string | null {
  const truncated = bytes.length > TEXT_SNIFF_LIMIT;
  let window = truncated ? bytes.subarray(0, TEXT_SNIFF_LIMIT) : bytes;
  if (truncated) {
    // Back off to a character boundary: drop up to 3 trailing continuation bytes and their lead byte.
    let cut = window.length;
    for (let k = 0; k < 4 && cut > 0 && ((window[cut - 1] ?? 0) & 0xc0) === 0x80; k++) cut--;
    if (cut > 0 && (window[cut - 1] ?? 0) >= 0xc0) cut--;
    window = window.subarray(0, cut);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(window);
  } catch {
    return null;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0c && c !== 0x0d && c !== 0x1b) || c === 0x7f) return null;
  }
  return text;
}

function sniffText(bytes: Uint8Array): string | null {
  const text = decodeTextWindow(bytes);
  if (text === null) return null;
  const whole = bytes.length <= TEXT_SNIFF_LIMIT;
  const head = text.trimStart();
  if (isSvg(head)) return 'image/svg+xml';
  if (/^<!doctype html|^<html[\s>]/i.test(head)) return 'text/html';
  if (head.startsWith('<?xml')) return 'application/xml';
  if (looksLikeJson(bytes, head, whole)) return 'application/json';
  if (looksLikeCsv(text, whole)) return 'text/csv';
  return 'text/plain';
}

/**
 * SVG only when the root element is `<svg`, after an optional XML declaration, comments and doctype.
 * Cautious on purpose: an HTML page or a Markdown file that merely mentions `<svg` stays text.
 */
function isSvg(head: string): boolean {
  let s = head;
  for (;;) {
    s = s.trimStart();
    if (s.startsWith('<?xml')) {
      const end = s.indexOf('?>');
      if (end < 0) return false;
      s = s.slice(end + 2);
    } else if (s.startsWith('<!--')) {
      const end = s.indexOf('-->');
      if (end < 0) return false;
      s = s.slice(end + 3);
    } else if (/^<!doctype\s+svg/i.test(s)) {
      const end = s.indexOf('>');
      if (end < 0) return false;
      s = s.slice(end + 1);
    } else {
      break;
    }
  }
  return /^<svg[\s>/]/.test(s);
}

function looksLikeJson(bytes: Uint8Array, head: string, whole: boolean): boolean {
  const first = head[0];
  if (first !== '{' && first !== '[') return false;
  if (bytes.length <= JSON_PARSE_LIMIT) {
    try {
      JSON.parse(whole ? head : new TextDecoder().decode(bytes));
      return true;
    } catch {
      return false;
    }
  }
  // Too big to parse just for a type: matching brackets at both ends is a good enough sign.
  let end = bytes.length - 1;
  while (end > 0 && [0x20, 0x0a, 0x0d, 0x09].includes(bytes[end]!)) end--;
  return (first === '{' && bytes[end] === 0x7d) || (first === '[' && bytes[end] === 0x5d);
}

/** Counts comma-separated fields on one line, treating quoted commas as data. */
function csvFieldCount(line: string): number {
  let fields = 1;
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) fields++;
  }
  return fields;
}

/** CSV: at least two non-empty lines, each with the same number (≥ 2) of comma-separated fields. */
function looksLikeCsv(text: string, whole: boolean): boolean {
  let lines = text.split(/\r?\n/);
  if (!whole) lines = lines.slice(0, -1); // the last line may be cut by the window
  lines = lines.filter((l) => l.length > 0).slice(0, 50);
  if (lines.length < 2) return false;
  const n = csvFieldCount(lines[0]!);
  return n >= 2 && lines.every((l) => csvFieldCount(l) === n);
}

// ---------------------------------------------------------------------------------------------------
// Extensions

/** Canonical extension first; any listed extension counts as right for that type. */
const EXTENSIONS: Record<string, readonly string[]> = {
  'image/png': ['png'],
  'image/jpeg': ['jpg', 'jpeg', 'jpe', 'jfif'],
  'image/gif': ['gif'],
  'image/webp': ['webp'],
  'image/avif': ['avif'],
  'image/heic': ['heic', 'heif'],
  'image/heif': ['heif', 'heic'],
  'image/bmp': ['bmp', 'dib'],
  'image/tiff': ['tif', 'tiff'],
  'image/svg+xml': ['svg'],
  'application/pdf': ['pdf'],
  // Many formats are ZIP underneath; a sniffed "zip" does not make `.jar` or `.ipynb.zip` wrong.
  'application/zip': ['zip', 'docx', 'xlsx', 'pptx', 'odt', 'ods', 'odp', 'epub', 'jar', 'apk', 'whl', 'kmz', 'xpi', 'crx'],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': ['docx', 'docm', 'dotx'],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': ['xlsx', 'xlsm', 'xltx'],
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': ['pptx', 'pptm', 'potx'],
  'application/vnd.oasis.opendocument.text': ['odt'],
  'application/vnd.oasis.opendocument.spreadsheet': ['ods'],
  'application/vnd.oasis.opendocument.presentation': ['odp'],
  'application/epub+zip': ['epub'],
  'application/gzip': ['gz', 'tgz', 'gzip'],
  'audio/wav': ['wav', 'wave'],
  'audio/mpeg': ['mp3', 'mpga'],
  'audio/aac': ['aac'],
  'audio/mp4': ['m4a', 'm4b', 'mp4'],
  'audio/ogg': ['ogg', 'oga', 'opus', 'ogv'],
  'audio/flac': ['flac'],
  'video/mp4': ['mp4', 'm4v', 'm4a', 'mov'],
  'video/quicktime': ['mov', 'qt', 'mp4'],
  'video/3gpp': ['3gp', 'mp4'],
  'video/webm': ['webm', 'mkv', 'weba'],
  'application/json': ['json', 'geojson', 'ipynb', 'jsonl', 'map', 'har', 'txt'],
  'application/xml': ['xml', 'xsd', 'xsl', 'xslt', 'kml', 'gpx', 'rss', 'atom', 'plist', 'xlf', 'svg', 'html', 'txt'],
  'text/html': ['html', 'htm', 'xhtml'],
  'text/csv': ['csv', 'tsv', 'txt'],
  'text/plain': ['txt'],
};

/**
 * Sniffed types that come from text heuristics: they are guesses, so any extension that is not a known
 * binary type stays (`data.csv`, `script.py`, `notes.md`, `Makefile`).
 */
const WEAK_TEXT_TYPES = new Set(['text/plain', 'text/csv', 'application/json', 'application/xml', 'text/html']);

/** Every extension tied to a binary type: a text file named `x.png` is misnamed; `x.py` is not. */
const BINARY_EXTENSIONS = new Set(
  Object.entries(EXTENSIONS)
    .filter(([mime]) => !WEAK_TEXT_TYPES.has(mime) && mime !== 'image/svg+xml')
    .flatMap(([, exts]) => exts),
);
const KNOWN_EXTENSIONS = new Set(Object.values(EXTENSIONS).flat());

function baseMime(mime: string): string {
  return (mime.split(';')[0] ?? '').trim().toLowerCase();
}

/** The usual extension (without dot) for a MIME type, or null for types this module does not know. */
export function extensionFor(mime: string | null | undefined): string | null {
  if (!mime) return null;
  return EXTENSIONS[baseMime(mime)]?.[0] ?? null;
}

/** Splits `name.ext`; a leading dot (`.bashrc`) or a trailing dot is not an extension. */
function splitExtension(fileName: string): [string, string | null] {
  const dot = fileName.lastIndexOf('.');
  if (dot <= 0 || dot === fileName.length - 1) return [fileName, null];
  const ext = fileName.slice(dot + 1);
  // `report.v2 final` or `archive.2026-11-22` are names with dots, not extensions.
  if (!/^[a-z0-9]{1,8}$/i.test(ext)) return [fileName, null];
  return [fileName.slice(0, dot), ext];
}

/**
 * Gives `fileName` an extension that matches `mime`: keeps a right one (`.jpg` and `.jpeg` both fit
 * image/jpeg), replaces a known wrong one (`chart.png` holding WebP becomes `chart.webp`), and appends
 * when the name has none or an unknown one. Names stay as they are for unknown types and, for weak
 * text guesses, whenever the extension is not a binary one.
 */
export function withExtension(fileName: string, mime: string | null | undefined): string {
  const type = mime ? baseMime(mime) : '';
  const right = EXTENSIONS[type];
  if (!right) return fileName;
  const [stem, ext] = splitExtension(fileName);
  const lower = ext?.toLowerCase() ?? null;
  if (lower !== null && right.includes(lower)) return fileName;
  if (WEAK_TEXT_TYPES.has(type) && (lower === null || !BINARY_EXTENSIONS.has(lower))) return fileName;
  const canonical = right[0]!;
  if (lower !== null && KNOWN_EXTENSIONS.has(lower)) return `${stem}.${canonical}`;
  return `${fileName}.${canonical}`;
}
