import { describe, expect, it } from 'vitest';
import { safeFileName } from '@/utils/files/safe-file-name';

describe('safeFileName', () => {
  it.each<[string | null | undefined, string]>([
    ['report.csv', 'report.csv'],
    ['Fox poster', 'Fox poster'],
    // Reserved characters and path separators: each run becomes one space.
    ['a/b\\c', 'a b c'],
    ['a/b\\c:d*e?f"g<h>i|j', 'a b c d e f g h i j'],
    ['what?', 'what'],
    ['Q3: report / draft', 'Q3 report draft'],
    // Path steps and hidden-file dots.
    ['../../etc/passwd', 'etc passwd'],
    ['..\\..\\boot.ini', 'boot.ini'],
    ['...hidden', 'hidden'],
    ['trailing dots...  ', 'trailing dots'],
    ['...', 'untitled'],
    ['///', 'untitled'],
    ['', 'untitled'],
    [null, 'untitled'],
    [undefined, 'untitled'],
    // Device names, with or without an extension.
    ['CON', '_CON'],
    ['CON.txt', '_CON.txt'],
    ['lpt1.txt', '_lpt1.txt'],
    ['nul.tar.gz', '_nul.tar.gz'],
    ['console.log', 'console.log'],
    // Control characters separate words; whitespace collapses.
    ['tab\tin   name', 'tab in name'],
    ['tab\there\nnewline', 'tab here newline'],
    ['bell\u0007and\u007fdel\u0085nel', 'bell and del nel'],
    ['line\u2028para\u2029end', 'line para end'],
    // Bidi controls are removed: the real extension stays last and visible.
    ['invoice\u202Egpj.exe', 'invoicegpj.exe'],
    ['\u202Aa\u202Bb\u202Cc\u202Dd\u202Ee.txt', 'abcde.txt'],
    ['\u2066x\u2067y\u2068z\u2069.pdf', 'xyz.pdf'],
    ['\u200Eleft\u200Fright\u061Calm.png', 'leftrightalm.png'],
    // Zero-width characters and the BOM are removed.
    ['zero\u200Bwidth\u200C\u200Djoin\u2060er\uFEFF.csv', 'zerowidthjoiner.csv'],
    ['\uFEFF\u200B', 'untitled'],
    ['soft\u00ADhyphen', 'softhyphen'],
    // Tag characters (U+E0000 block, Cf) can spell hidden text: removed too.
    ['report\u{E0065}\u{E0078}\u{E0065}.pdf', 'report.pdf'],
    // Dots inside a name stay: only dot-only words (path steps) go.
    ['Q1..Q2 revenue.csv', 'Q1..Q2 revenue.csv'],
    ['Wait... what?', 'Wait... what'],
    // A lone surrogate is dropped; a pair is kept.
    ['bad\uD800name', 'badname'],
    ['emoji 🦊.png', 'emoji 🦊.png'],
    // NFC, also after an invisible character between a letter and its accent.
    ['Cafe\u0301', 'Café'],
    ['Cafe\u200B\u0301', 'Café'],
  ])('%j → %j', (input, expected) => {
    expect(safeFileName(input)).toBe(expected);
  });

  it('uses the fallback given when nothing is left', () => {
    expect(safeFileName('\u202E', 'file-abc')).toBe('file-abc');
  });

  it('keeps the extension when shortening', () => {
    const long = `${'x'.repeat(300)}.xlsx`;
    expect(safeFileName(long)).toMatch(/^x+\.xlsx$/);
    expect(safeFileName(long)).toHaveLength(120);
    expect(safeFileName('x'.repeat(300), 'f', 80)).toHaveLength(80);
  });

  it('counts UTF-8 bytes and never cuts a character in half', () => {
    const cjk = safeFileName(`${'图'.repeat(100)}.png`);
    expect(new TextEncoder().encode(cjk).length).toBeLessThanOrEqual(120);
    expect(cjk).toMatch(/^图+\.png$/);
    const foxes = safeFileName('🦊'.repeat(50), 'f', 10);
    expect(foxes).toBe('🦊🦊');
  });

  it('leaves no override, isolate or zero-width character in any name', () => {
    const invisible = [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x200e, 0x200f, 0x061c, 0x200b, 0x200c, 0x200d, 0x2060, 0xfeff];
    const name = invisible.map((cp) => `a${String.fromCodePoint(cp)}`).join('') + '.txt';
    const out = safeFileName(name);
    expect(out).toBe(`${'a'.repeat(invisible.length)}.txt`);
    for (const cp of invisible) expect(out).not.toContain(String.fromCodePoint(cp));
  });
});
