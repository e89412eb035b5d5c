import { describe, expect, it } from 'vitest';
import { ArraySplitter, SplitError } from '@/utils/reconcile/split';
import { concatBytes } from '@/utils/files/bytes';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Feeds `text` in chunks of `size` bytes and returns the parsed elements. */
function split(text: string, size: number): unknown[] {
  const bytes = enc.encode(text);
  const s = new ArraySplitter();
  const out: unknown[] = [];
  for (let o = 0; o < bytes.length; o += size) {
    for (const el of s.push(bytes.subarray(o, o + size))) out.push(JSON.parse(dec.decode(el)));
  }
  s.end();
  return out;
}

const tricky = [
  { id: 'a', t: 'quote \\" and ] and } and , inside', mapping: { x: { children: ['y'], n: [1, 2, { z: null }] } } },
  { id: 'b', t: 'escaped backslash at end \\\\', u: '\u00e9\u{1F600}', e: [] },
  { id: 'c', empty: {}, s: '\\\\\\"', arr: [[[]]] },
];

describe('ArraySplitter', () => {
  it.each([1, 2, 3, 7, 64, 1 << 16])('splits every element whatever the chunk size (%i bytes)', (size) => {
    expect(split(JSON.stringify(tricky), size)).toEqual(tricky);
    expect(split(`\ufeff \n[ ${tricky.map((t) => JSON.stringify(t, null, 2)).join(' ,\n')} ]\n`, size)).toEqual(tricky);
  });

  it('yields scalars as elements (the caller rejects them) and handles an empty array', () => {
    expect(split('[1, "x", null, true]', 2)).toEqual([1, 'x', null, true]);
    expect(split('[]', 1)).toEqual([]);
  });

  it.each([
    ['{"a": []}', /JSON object, not an array/],
    ['"text"', /not a JSON array/],
    ['', /is empty/],
    ['[{"a": 1}, {"b": ', /truncated/],
    ['[{"a": "unterminated', /truncated/],
    ['[{"a": 1},]', /trailing comma/],
    ['[{"a": 1},,{}]', /empty item/],
    ['[{"a": 1}] [', /after the end/],
  ])('rejects %j', (text, message) => {
    expect(() => split(text, 3)).toThrow(SplitError);
    expect(() => split(text, 3)).toThrow(message);
  });

  it('tells escaped quotes from closing ones whatever backslash run a chunk boundary cuts', () => {
    // Strings ending in 0..5 backslashes and holding escaped quotes, so every split point falls inside some run.
    const items = Array.from({ length: 12 }, (_, i) => ({ i, s: `${'\\'.repeat(i % 6)}"${'\\'.repeat(i % 4)}`, t: `a${'\\'.repeat(i % 5)}`, n: [{ x: ']},' }] }));
    for (const size of [1, 2, 3, 4, 5, 6, 7, 11, 13]) expect(split(JSON.stringify(items), size)).toEqual(items);
  });

  it('bounds the size of one element', () => {
    const s = new ArraySplitter(100);
    expect(() => s.push(enc.encode(`[${JSON.stringify({ big: 'x'.repeat(200) })}]`))).toThrow(/over/);
  });

  it.each([1, 3, 7, 64])('hands out the same elements as views on the pushed chunks with pushParts (%i-byte chunks)', (size) => {
    const text = `[ ${tricky.map((t) => JSON.stringify(t, null, 2)).join(' ,\n')} \n ]`;
    const bytes = enc.encode(text);
    const s = new ArraySplitter();
    const out: unknown[] = [];
    for (let o = 0; o < bytes.length; o += size) {
      for (const parts of s.pushParts(bytes.subarray(o, o + size))) {
        // No copy: every part is a view on the input, and the element ends without its trailing whitespace.
        for (const p of parts) expect(p.buffer).toBe(bytes.buffer);
        const last = parts.at(-1)!;
        expect([0x20, 0x0a]).not.toContain(last[last.length - 1]);
        out.push(JSON.parse(dec.decode(concatBytes(parts))));
      }
    }
    s.end();
    expect(out).toEqual(tricky);
  });

  it('bounds an element split over many chunks', () => {
    const s = new ArraySplitter(100);
    const bytes = enc.encode(`[${JSON.stringify({ big: 'x'.repeat(200) })}]`);
    expect(() => {
      for (let o = 0; o < bytes.length; o += 16) s.pushParts(bytes.subarray(o, o + 16));
    }).toThrow(/over/);
  });

  it('counts the elements it emitted', () => {
    const s = new ArraySplitter();
    s.push(enc.encode('[{}, {}, '));
    expect(s.count).toBe(2);
  });
});
