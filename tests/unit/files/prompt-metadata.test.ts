import { describe, expect, it } from 'vitest';
import { copyWithPrompt, writePrompt } from '@/utils/files/prompt-metadata';
import { chunkTypes, fixture, jpegSegments, pngChunks, pngWithText, simpleWebp, textChunks, webpChunks, xmpDescription } from './images';

const PROMPT = 'A watercolor fox — «ünïcode» 狐狸 🦊 & <tags> "quoted"\nsecond line';
const XMP_NS = 'http://ns.adobe.com/xap/1.0/\0';

function written(bytes: Uint8Array, prompt = PROMPT): Uint8Array {
  const r = writePrompt(bytes, prompt);
  if (!r.ok) throw new Error(r.reason);
  return r.bytes;
}

describe('writePrompt: PNG', () => {
  it('adds one iTXt Description right after IHDR, every CRC valid, the image chunks unchanged', () => {
    const png = pngWithText();
    const out = written(png);
    expect(chunkTypes(out)).toEqual(['IHDR', 'iTXt', ...chunkTypes(png).slice(1)]);
    expect(textChunks(out)).toEqual([['Description', PROMPT]]);
    const idat = (b: Uint8Array) => pngChunks(b).filter((c) => c.type === 'IDAT').map((c) => [...c.data]);
    expect(idat(out)).toEqual(idat(png));
  });

  it('replaces its own description when a copy is written again, and keeps other text chunks', () => {
    const once = written(pngWithText(), 'first');
    const twice = written(once, 'second');
    expect(textChunks(twice)).toEqual([['Description', 'second']]);
  });

  it('drops control characters and lone surrogates, which XML and readers refuse', () => {
    expect(textChunks(written(pngWithText(), 'a\u0000b\u0007c\uD800d\te')).at(0)).toEqual(['Description', 'abcd\te']);
  });

  it.each<[string, (b: Uint8Array) => Uint8Array]>([
    ['a chunk cut short', (b) => b.slice(0, 40)],
    ['a wrong CRC', (b) => { const c = b.slice(); c[29]! ^= 1; return c; }],
    ['a length past the end', (b) => { const c = b.slice(); c[8] = 0x7f; return c; }],
    ['no IEND', (b) => b.slice(0, b.length - 12)],
    ['only the signature', (b) => b.slice(0, 8)],
  ])('leaves a PNG with %s unchanged, with a reason', (_, spoil) => {
    const bad = spoil(pngWithText());
    const r = writePrompt(bad, PROMPT);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/PNG/);
  });
});

describe('writePrompt: JPEG', () => {
  it('adds one XMP APP1 after JFIF, before the tables; the segments up to the scan and the scan itself stay intact', () => {
    const jpg = fixture('opaque.jpg');
    const out = written(jpg);
    const before = jpegSegments(jpg);
    const after = jpegSegments(out);
    expect(after.map((s) => s.marker)).toEqual([0xe0, 0xe1, ...before.slice(1).map((s) => s.marker)]);
    const app1 = after[1]!.data;
    expect(new TextDecoder('latin1').decode(app1.subarray(0, XMP_NS.length))).toBe(XMP_NS);
    expect(xmpDescription(app1.subarray(XMP_NS.length))).toBe(PROMPT);
    // Everything after the inserted segment is the original, byte for byte.
    expect(out.subarray(out.length - (jpg.length - 20))).toEqual(jpg.subarray(20));
  });

  it('refuses a prompt too long for one segment rather than writing a broken one', () => {
    // Escaped, `&` takes five bytes: 15,000 of them do not fit in 65,535.
    const r = writePrompt(fixture('opaque.jpg'), '&'.repeat(15_000));
    expect(r.ok).toBe(false);
  });

  it.each<[string, (b: Uint8Array) => Uint8Array]>([
    ['cut before the scan', (b) => b.slice(0, 30)],
    ['a segment length past the end', (b) => { const c = b.slice(); c[4] = 0xff; return c; }],
    ['garbage between segments', (b) => { const c = b.slice(); c[20] = 0x00; return c; }],
    ['XMP already', (b) => written(b)],
  ])('leaves a JPEG with %s unchanged, with a reason', (_, spoil) => {
    expect(writePrompt(spoil(fixture('opaque.jpg')), PROMPT).ok).toBe(false);
  });
});

describe('writePrompt: WebP', () => {
  it('adds an XMP chunk to an extended WebP and sets the VP8X XMP flag; RIFF and chunk sizes add up', () => {
    const webp = fixture('lossy.webp');
    const out = written(webp);
    const chunks = webpChunks(out);
    expect(chunks.map((c) => c.type)).toEqual(['VP8X', 'ICCP', 'VP8 ', 'XMP ']);
    expect(chunks[0]!.data[0]! & 0x04).toBe(0x04);
    expect(chunks[0]!.data[0]! & ~0x04).toBe(webpChunks(webp)[0]!.data[0]);
    expect(xmpDescription(chunks[3]!.data)).toBe(PROMPT);
    expect([...chunks[2]!.data]).toEqual([...webpChunks(webp)[2]!.data]);
  });

  it.each<['VP8 ' | 'VP8L', number, boolean]>([['VP8 ', 0x04, false], ['VP8L', 0x14, true]])(
    'makes a simple %s WebP extended: VP8X first with the canvas size, flags %i',
    (type, flags, alpha) => {
      const simple = simpleWebp(fixture(alpha ? 'lossless-alpha.webp' : 'lossy.webp'), type);
      const chunks = webpChunks(written(simple));
      expect(chunks.map((c) => c.type)).toEqual(['VP8X', type, 'XMP ']);
      const x = chunks[0]!.data;
      expect(x.length).toBe(10);
      expect(x[0]).toBe(flags);
      // 24-bit width - 1 and height - 1: the fixtures are 3x2.
      expect([x[4]! | (x[5]! << 8) | (x[6]! << 16), x[7]! | (x[8]! << 8) | (x[9]! << 16)]).toEqual([2, 1]);
    },
  );

  it('pads an odd-length XMP chunk so the next chunk stays aligned', () => {
    for (const prompt of ['a', 'ab']) {
      const out = written(fixture('lossy.webp'), prompt);
      expect(out.length % 2).toBe(0);
      expect(xmpDescription(webpChunks(out).at(-1)!.data)).toBe(prompt);
    }
  });

  it.each<[string, (b: Uint8Array) => Uint8Array]>([
    ['a RIFF size larger than the file', (b) => { const c = b.slice(); c[4] = 0xff; c[5] = 0xff; return c; }],
    ['a chunk past the end', (b) => { const c = b.slice(); c[16] = 0xff; return c; }],
    ['no image chunk', (b) => { const c = b.slice(); c.set([0x4a, 0x55, 0x4e, 0x4b], 12); return c; }],
    ['XMP already', (b) => written(b)],
  ])('leaves a WebP with %s unchanged, with a reason', (_, spoil) => {
    expect(writePrompt(spoil(fixture('lossy.webp')), PROMPT).ok).toBe(false);
  });
});

describe('writePrompt: other input', () => {
  it.each([
    ['an empty file', new Uint8Array()],
    ['a GIF', new TextEncoder().encode('GIF89a......')],
    ['random bytes', Uint8Array.from({ length: 300 }, (_, i) => (i * 73) & 0xff)],
  ])('never throws on %s', (_, bytes) => {
    expect(writePrompt(bytes, PROMPT).ok).toBe(false);
  });

  it('writes nothing for an empty prompt', () => {
    expect(writePrompt(pngWithText(), ' \u0000 ').ok).toBe(false);
  });
});

describe('copyWithPrompt', () => {
  it('returns the same blob for files that are not images or have no prompt', async () => {
    const csv = new Blob(['a,b'], { type: 'text/csv' });
    expect(await copyWithPrompt(csv, PROMPT)).toEqual({ blob: csv, note: null });
    const png = new Blob([pngWithText()], { type: 'image/png' });
    expect((await copyWithPrompt(png, null)).blob).toBe(png);
  });

  it('keeps a malformed image byte for byte and says why', async () => {
    const broken = pngWithText().slice(0, 50);
    const r = await copyWithPrompt(new Blob([broken], { type: 'image/png' }), PROMPT);
    expect(new Uint8Array(await r.blob.arrayBuffer())).toEqual(broken);
    expect(r.note).toMatch(/PNG/);
  });

  it('gives a new blob of the same type with the prompt in it', async () => {
    const r = await copyWithPrompt(new Blob([pngWithText()], { type: 'image/png' }), PROMPT);
    expect(r.note).toBeNull();
    expect(r.blob.type).toBe('image/png');
    expect(textChunks(new Uint8Array(await r.blob.arrayBuffer()))).toEqual([['Description', PROMPT]]);
  });
});
