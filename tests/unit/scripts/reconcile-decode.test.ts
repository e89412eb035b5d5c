// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { nodeUtf8Decode } from '../../../scripts/reconcile-decode';

const fatal = new TextDecoder('utf-8', { fatal: true });
const enc = new TextEncoder();

describe('nodeUtf8Decode (the CLI workers\' decode)', () => {
  it('gives what the fatal TextDecoder gives, a leading byte order mark dropped', () => {
    const texts = ['', 'plain ascii {"a": 1}', 'Grüße — 日本語 😀 \uFFFD', '\u0000\u007f\u0080\u07ff\u0800\uffff', '\uFEFF{"bom": true}', 'x\uFEFFinner bom kept'];
    for (const t of texts) {
      const bytes = enc.encode(t);
      expect(nodeUtf8Decode(bytes)).toBe(fatal.decode(bytes));
      // A view into a larger buffer decodes only its own bytes.
      const padded = new Uint8Array(bytes.length + 4);
      padded.set(bytes, 2);
      expect(nodeUtf8Decode(padded.subarray(2, 2 + bytes.length))).toBe(fatal.decode(bytes));
    }
  });

  it.each([
    ['a lone continuation byte', [0x61, 0x80, 0x62]],
    ['a truncated sequence', [0xe6, 0x97]],
    ['an overlong encoding', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ])('rejects %s, as the fatal TextDecoder does', (_what, bytes) => {
    const b = new Uint8Array(bytes);
    expect(() => fatal.decode(b)).toThrow();
    expect(() => nodeUtf8Decode(b)).toThrow(/not valid/);
  });
});
