import { describe, expect, it } from 'vitest';
import { DEFAULT_NAME_PATTERN, namePatternOrDefault, parseNamePattern, patternFileName, SAMPLE_FIELDS, type NameFields } from '@/utils/files/name-pattern';
import { UniqueNames } from '@/utils/reconcile/unique-names';

const MADE = new Date(2026, 2, 14, 18, 42, 7).getTime();
const fields = (over: Partial<NameFields> = {}): NameFields => ({
  kind: 'image', fileName: 'sunset-file_7Qx2.png', mimeType: 'image/png', prompt: 'Sunset over lake', title: 'Wall art', time: MADE, id: 'file_7Qx2', ...over,
});
const name = (pattern: string, over: Partial<NameFields> = {}) => {
  const parsed = parseNamePattern(pattern);
  if (!parsed.ok) throw new Error(parsed.error);
  return patternFileName(parsed.pattern, fields(over));
};

describe('File names pattern: tokens', () => {
  it.each([
    ['{date}', '2026-03-14.png'],
    ['{time}', '18-42.png'],
    ['{title}', 'Wall art.png'],
    ['{prompt}', 'Sunset over lake.png'],
    ['{name}', 'sunset-file_7Qx2.png'],
    ['{kind}', 'image.png'],
    ['{id}', 'file_7Qx2.png'],
    ['{date} {time} {kind} {id}', '2026-03-14 18-42 image file_7Qx2.png'],
    // Case and spaces inside the braces do not matter.
    ['{ Date }_{PROMPT}', '2026-03-14_Sunset over lake.png'],
  ])('%s -> %s', (pattern, expected) => {
    expect(name(pattern)).toBe(expected);
  });

  it('gives the default pattern a person would pick: day, prompt, original name', () => {
    expect(DEFAULT_NAME_PATTERN).toBe('{date} {prompt|title} - {name}');
    expect(name(DEFAULT_NAME_PATTERN)).toBe('2026-03-14 Sunset over lake - sunset-file_7Qx2.png');
    expect(name(DEFAULT_NAME_PATTERN, { prompt: null, kind: 'sandbox-file', fileName: 'q3.csv', mimeType: 'text/csv' })).toBe('2026-03-14 Wall art - q3.csv');
  });

  it('{a|b} takes b when a is empty', () => {
    expect(name('{prompt|title|kind}', { prompt: null })).toBe('Wall art.png');
    expect(name('{prompt|title|kind}', { prompt: '  ', title: null })).toBe('image.png');
  });
});

describe('File names pattern: extensions and lengths', () => {
  it('keeps the original extension, corrected to the sniffed type', () => {
    expect(name('{prompt}', { fileName: 'report.xlsx', mimeType: null })).toBe('Sunset over lake.xlsx');
    expect(name('{prompt}', { fileName: 'chart.png', mimeType: 'image/webp' })).toBe('Sunset over lake.webp');
    expect(name('{prompt}', { fileName: 'page.png', mimeType: 'text/html' })).toBe('Sunset over lake.html');
    expect(name('{prompt}', { fileName: null, mimeType: 'image/jpeg' })).toBe('Sunset over lake.jpg');
    expect(name('{prompt}', { fileName: 'notes', mimeType: null })).toBe('Sunset over lake');
  });

  it('{name} without a file name is the kind and id', () => {
    expect(name('{name}', { fileName: null })).toBe('image-file_7Qx2.png');
  });

  it('cuts a long prompt at a word boundary, to the default length or the one given', () => {
    const prompt = 'A flat vector poster of a red fox standing in a snowy pine forest at dawn, soft light';
    expect(name('{prompt}', { prompt })).toBe('A flat vector poster of a red fox standing in a.png');
    expect(name('{prompt:20}', { prompt })).toBe('A flat vector poster.png');
    // No space near the cut: cut inside the word.
    expect(name('{prompt:10}', { prompt: 'x'.repeat(50) })).toBe(`${'x'.repeat(10)}.png`);
  });

  it('bounds a very long prompt and name in bytes, keeping the extension', () => {
    const out = name('{prompt:200} {name:200}', { prompt: '狐'.repeat(5000), fileName: `${'长'.repeat(400)}.png` });
    expect(new TextEncoder().encode(out).length).toBeLessThanOrEqual(150);
    expect(out.endsWith('.png')).toBe(true);
  });
});

describe('File names pattern: hostile values', () => {
  it.each<[string, Partial<NameFields>, string]>([
    // Path separators and reserved characters in values and in the pattern's own text.
    ['{title}', { title: '../../etc/passwd' }, 'etc passwd.png'],
    ['{title}', { title: 'a\\b/c:d*e?f"g<h>i|j' }, 'a b c d e f g h i j.png'],
    ['x/{title}', { title: 'y' }, 'x y.png'],
    ['../{prompt}', {}, 'Sunset over lake.png'],
    // Bidi overrides and zero-width characters cannot hide the extension.
    ['{prompt}', { prompt: 'invoice\u202Egpj.exe', fileName: 'x.png' }, 'invoicegpj.exe.png'],
    ['{name}', { fileName: 'photo\u200B\u2066.exe\u2069.png' }, 'photo.exe.png'],
    // Control characters, newlines and line separators separate words.
    ['{prompt}', { prompt: 'line one\nline\u0000two\u2028three\u0007' }, 'line one line two three.png'],
    // Device names.
    ['{title}', { title: 'CON', fileName: 'notes.txt', mimeType: null }, '_CON.txt'],
  ])('%s with %j -> %s', (pattern, over, expected) => {
    expect(name(pattern, over)).toBe(expected);
  });

  it('drops the separator next to an empty value', () => {
    expect(name('{date} {prompt} - {name}', { prompt: null })).toBe('2026-03-14 - sunset-file_7Qx2.png');
    expect(name('{date} {prompt} - {name}', { time: null })).toBe('Sunset over lake - sunset-file_7Qx2.png');
    expect(name('{prompt} - {title}', { title: null })).toBe('Sunset over lake.png');
  });

  it('falls back to the default pattern, then to the kind, when the pattern gives nothing', () => {
    expect(name('{prompt}', { prompt: null })).toBe('2026-03-14 Wall art - sunset-file_7Qx2.png');
    expect(name('{prompt}', { prompt: '\u202E\u200B', title: null, time: null, fileName: null, id: null, mimeType: 'image/png' })).toBe('image.png');
  });
});

describe('File names pattern: parsing', () => {
  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['{nope}', /Unknown token \{nope\}/],
    ['{prompt|nope}', /Unknown token \{nope\}/],
    ['{date', /not closed/],
    ['date}', /no "\{" before it/],
    ['{prompt:0}', /between 1 and 200/],
    ['{prompt:500}', /between 1 and 200/],
    ['{prompt:x}', /Unknown token/],
    ['photo', /no token/],
    ['{}', /Unknown token/],
    ['{'.repeat(400), /longer than 300/],
  ])('refuses %j with a message a person can act on', (pattern, message) => {
    const r = parseNamePattern(pattern);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(message);
  });

  it('uses the default for a pattern that does not parse, never a broken name', () => {
    for (const bad of ['', '{nope}', '{date', null, undefined]) {
      expect(patternFileName(namePatternOrDefault(bad), fields())).toBe('2026-03-14 Sunset over lake - sunset-file_7Qx2.png');
    }
  });

  it('names the sample artifact the settings preview shows', () => {
    expect(patternFileName(namePatternOrDefault(null), SAMPLE_FIELDS)).toBe('2026-03-14 A watercolor sunset over a quiet mountain lake - sunset-over-lake-file_7Qx2.png');
  });
});

describe('File names pattern: collisions', () => {
  it('gives 1,000 files with the same name distinct names in one folder, case-insensitively', () => {
    const names = new UniqueNames();
    const got = Array.from({ length: 1000 }, (_, i) => names.next('c', name('{title}', { title: i % 2 ? 'Same' : 'SAME' })));
    expect(new Set(got.map((p) => p.toLowerCase())).size).toBe(1000);
    expect(got.slice(0, 3)).toEqual(['c/SAME.png', 'c/Same (2).png', 'c/SAME (3).png']);
  });
});
