import { describe, expect, it } from 'vitest';
import { zipSync, gzipSync, strToU8 } from 'fflate';
import { extensionFor, sniffMime, withExtension } from '@/utils/files/sniff';

const b = (...parts: Array<string | number[]>): Uint8Array =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? Array.from(p, (c) => c.charCodeAt(0)) : p)));
const u32be = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
/** An ISO-BMFF `ftyp` box with a major brand and compatible brands. */
const ftyp = (major: string, ...compatible: string[]) =>
  b(u32be(16 + 4 * compatible.length), 'ftyp', major, [0, 0, 0, 0], ...compatible);
const text = (s: string) => new TextEncoder().encode(s);

const OOXML = 'application/vnd.openxmlformats-officedocument.';

describe('sniffMime: binary signatures', () => {
  it.each([
    ['image/png', b([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13], 'IHDR')],
    ['image/jpeg', b([0xff, 0xd8, 0xff, 0xe0, 0, 0x10], 'JFIF')],
    ['image/jpeg', b([0xff, 0xd8, 0xff, 0xe1], 'Exif')],
    ['image/gif', b('GIF89a', [1, 0, 1, 0])],
    ['image/gif', b('GIF87a', [1, 0, 1, 0])],
    ['image/webp', b('RIFF', [0x24, 0, 0, 0], 'WEBPVP8 ')],
    ['audio/wav', b('RIFF', [0x24, 0, 0, 0], 'WAVEfmt ')],
    ['image/avif', ftyp('avif', 'mif1', 'miaf')],
    ['image/avif', ftyp('mif1', 'avif', 'miaf')],
    ['image/heic', ftyp('heic', 'mif1', 'heic')],
    ['image/heic', ftyp('mif1', 'heic')],
    ['image/heif', ftyp('mif1', 'miaf')],
    ['video/mp4', ftyp('isom', 'isom', 'iso2', 'avc1', 'mp41')],
    ['video/mp4', ftyp('mp42', 'mp42', 'isom')],
    ['audio/mp4', ftyp('M4A ', 'M4A ', 'mp42', 'isom')],
    ['video/quicktime', ftyp('qt  ', 'qt  ')],
    ['image/bmp', b('BM', [0x46, 0, 0, 0], [0, 0, 0, 0], [0x36, 0, 0, 0], [40, 0, 0, 0], [1, 0, 0, 0, 1, 0, 0, 0])],
    ['image/tiff', b('II*', [0, 8, 0, 0, 0])],
    ['application/pdf', b('%PDF-1.7\n%âãÏÓ\n')],
    ['application/gzip', gzipSync(text('hello'))],
    ['audio/mpeg', b('ID3', [4, 0, 0, 0, 0, 0, 0])],
    ['audio/mpeg', b([0xff, 0xfb, 0x90, 0x64, 0, 0])], // MPEG-1 layer III, 128 kbit/s, 44.1 kHz
    ['audio/mpeg', b([0xff, 0xf3, 0x64, 0xc4])], // MPEG-2 layer III
    ['audio/aac', b([0xff, 0xf1, 0x50, 0x80, 0x02, 0x1f, 0xfc])], // ADTS: layer bits 00
    ['audio/ogg', b('OggS', [0, 2, 0, 0])],
    ['audio/flac', b('fLaC', [0, 0, 0, 0x22])],
    ['video/webm', b([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86])],
  ])('%s', (mime, bytes) => {
    expect(sniffMime(bytes)).toBe(mime);
  });

  it.each([
    ['empty', new Uint8Array(0)],
    ['random binary', b([0x00, 0x13, 0x37, 0xfe, 0x01])],
    ['MPEG sync with invalid bitrate', b([0xff, 0xfb, 0xf0, 0x00])],
    ['MPEG sync with reserved sample rate', b([0xff, 0xfb, 0x9c, 0x00])],
    ['truncated PNG signature', b([0x89], 'PNG')],
  ])('null for %s', (_name, bytes) => {
    expect(sniffMime(bytes)).toBeNull();
  });

  it('"BM" text is not mistaken for a bitmap', () => {
    expect(sniffMime(text('BM is a company name in this note, nothing more.'))).toBe('text/plain');
  });
});

describe('sniffMime: ZIP containers', () => {
  const part = strToU8('<x/>');
  it.each([
    [`${OOXML}wordprocessingml.document`, { '[Content_Types].xml': part, '_rels/.rels': part, 'word/document.xml': part }],
    [`${OOXML}spreadsheetml.sheet`, { '[Content_Types].xml': part, 'xl/workbook.xml': part, 'xl/worksheets/sheet1.xml': part }],
    [`${OOXML}presentationml.presentation`, { '[Content_Types].xml': part, 'ppt/presentation.xml': part }],
    // Some writers put [Content_Types].xml last; the central directory still finds it.
    [`${OOXML}spreadsheetml.sheet`, { 'xl/workbook.xml': part, '[Content_Types].xml': part }],
    ['application/epub+zip', { mimetype: [strToU8('application/epub+zip'), { level: 0 }], 'META-INF/container.xml': part }],
    ['application/vnd.oasis.opendocument.text', { mimetype: [strToU8('application/vnd.oasis.opendocument.text'), { level: 0 }], 'content.xml': part }],
    ['application/zip', { 'data/a.csv': strToU8('a,b\n1,2\n'), 'readme.txt': part }],
    ['application/zip', { 'word/document.xml': part }], // word/ without [Content_Types].xml is just a zip
  ] as const)('%s', (mime, files) => {
    expect(sniffMime(zipSync(files as never))).toBe(mime);
  });

  it('recognises OOXML from the local headers when the central directory is cut off', () => {
    const zip = zipSync({ '[Content_Types].xml': part, 'word/document.xml': part });
    expect(sniffMime(zip.subarray(0, zip.length - 60))).toBe(`${OOXML}wordprocessingml.document`);
  });

  it('an empty zip is a zip', () => {
    expect(sniffMime(zipSync({}))).toBe('application/zip');
  });
});

describe('sniffMime: text heuristics (last resort)', () => {
  it.each([
    ['image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg" width="10"/>'],
    ['image/svg+xml', '\uFEFF<?xml version="1.0"?>\n<!-- made by matplotlib -->\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x">\n<svg>\n</svg>'],
    ['text/html', '<!DOCTYPE html><html><body><svg></svg></body></html>'],
    ['application/xml', '<?xml version="1.0"?><kml></kml>'],
    ['text/plain', 'Use <svg> elements for icons.'],
    ['application/json', '{"a": [1, 2, {"b": null}]}'],
    ['application/json', '  [\n 1, 2 ]\n'],
    ['text/plain', '{ not json'],
    ['text/csv', 'name,age\nAda,36\nLinus,"28, or so"\n'],
    ['text/csv', 'a,b,c\r\n1,2,3\r\n4,5,6'],
    ['text/plain', 'a,b\n1,2,3\n'],
    ['text/plain', 'just one line, with a comma'],
    ['text/plain', 'def f(x):\n    return x\n'],
    ['text/plain', 'naïve café — ünïcödé ✓\n'],
    ['text/plain', '\u001b[32mgreen log line\u001b[0m\n'],
  ])('%s for %j', (mime, s) => {
    expect(sniffMime(text(s))).toBe(mime);
  });

  it('invalid UTF-8 and control bytes are binary, not text', () => {
    expect(sniffMime(b('abc', [0xc3, 0x28], 'def'))).toBeNull();
    expect(sniffMime(b('abc', [0x00], 'def'))).toBeNull();
  });

  it('a multi-byte character cut by the sniff window does not make a large text file binary', () => {
    const chunk = 'é'.repeat(40_000); // 80 000 bytes: the 64 KiB window ends mid-sequence if misaligned
    expect(sniffMime(text(`x${chunk}`))).toBe('text/plain');
    expect(sniffMime(text(`${chunk}`))).toBe('text/plain');
  });

  it('judges JSON too big to parse by its brackets, and large CSV by its first lines', () => {
    const bigJson = `[${Array.from({ length: 200_000 }, (_, i) => `{"i":${i}}`).join(',')}]\n`;
    expect(bigJson.length).toBeGreaterThan(1024 * 1024);
    expect(sniffMime(text(bigJson))).toBe('application/json');
    const bigCsv = `x,y\n${Array.from({ length: 20_000 }, (_, i) => `${i},${i * 2}`).join('\n')}\n`;
    expect(sniffMime(text(bigCsv))).toBe('text/csv');
  });
});

describe('extensionFor', () => {
  it.each([
    ['image/png', 'png'],
    ['image/jpeg', 'jpg'],
    ['image/jpg', 'jpg'],
    ['IMAGE/WEBP', 'webp'],
    ['image/svg+xml', 'svg'],
    ['application/pdf', 'pdf'],
    ['text/csv; charset=utf-8', 'csv'],
    [`${OOXML}spreadsheetml.sheet`, 'xlsx'],
    ['application/zip', 'zip'],
    ['application/x-unknown', null],
    [null, null],
    ['', null],
  ])('%s -> %s', (mime, ext) => {
    expect(extensionFor(mime)).toBe(ext);
  });
});

describe('withExtension', () => {
  it.each([
    // right extension kept, including alternatives and case
    ['photo.jpg', 'image/jpeg', 'photo.jpg'],
    ['photo.jpeg', 'image/jpeg', 'photo.jpeg'],
    ['PHOTO.JPG', 'image/jpeg', 'PHOTO.JPG'],
    ['report.docx', 'application/zip', 'report.docx'],
    // wrong known extension replaced
    ['fox-poster.png', 'image/webp', 'fox-poster.webp'],
    ['chart.jpeg', 'image/png', 'chart.png'],
    ['table.xlsx', 'application/pdf', 'table.pdf'],
    ['notes.txt', 'image/png', 'notes.png'],
    // missing or unknown extension: appended
    ['download', 'image/png', 'download.png'],
    ['report.v2 final', 'application/pdf', 'report.v2 final.pdf'],
    ['.hidden', 'image/gif', '.hidden.gif'],
    // weak text guesses keep any non-binary extension
    ['data.csv', 'text/plain', 'data.csv'],
    ['script.py', 'text/plain', 'script.py'],
    ['Makefile', 'text/plain', 'Makefile'],
    ['data.tsv', 'text/csv', 'data.tsv'],
    ['result.geojson', 'application/json', 'result.geojson'],
    ['out.json', 'text/csv', 'out.json'],
    // ...but a text file named like a binary type is misnamed
    ['data.png', 'text/csv', 'data.csv'],
    ['data.xlsx', 'text/plain', 'data.txt'],
    // unknown type: leave the name alone
    ['blob.bin', 'application/octet-stream', 'blob.bin'],
    ['thing.png', null, 'thing.png'],
  ])('%s as %s -> %s', (name, mime, expected) => {
    expect(withExtension(name, mime)).toBe(expected);
  });
});
