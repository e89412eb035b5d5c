import { describe, expect, it } from 'vitest';
import { safeName, UniqueNames } from '@/utils/reconcile/names';

describe('safeName', () => {
  it.each([
    ['results.csv', 'results.csv'],
    ['../../etc/passwd', '_.._etc_passwd'],
    ['/abs/path.txt', '_abs_path.txt'],
    ['a\\b.txt', 'a_b.txt'],
    ['invoice\u202Egnp.exe', 'invoicegnp.exe'],
    ['zero\u200Bwidth\uFEFF.png', 'zerowidth.png'],
    ['ctrl\u0001\u007f.txt', 'ctrl.txt'],
    ['...', 'file'],
    ['.hidden', 'hidden'],
    ['', 'file'],
    [null, 'file'],
    ['what?.csv', 'what_.csv'],
    ['e\u0301.txt', '\u00e9.txt'],
  ])('%j -> %j', (raw, expected) => {
    expect(safeName(raw)).toBe(expected);
  });

  it('keeps the extension when it shortens a long name', () => {
    const s = safeName(`${'x'.repeat(300)}.xlsx`);
    expect(s.length).toBeLessThanOrEqual(150);
    expect(s.endsWith('.xlsx')).toBe(true);
  });
});

describe('UniqueNames', () => {
  it('numbers repeats per folder, case-insensitively, and avoids taken names', () => {
    const u = new UniqueNames();
    u.take('vault/files/c/a.png');
    expect(u.next('vault/files/c', 'A.png')).toBe('vault/files/c/A (2).png');
    expect(u.next('vault/files/c', 'a.png')).toBe('vault/files/c/a (3).png');
    expect(u.next('vault/files/d', 'a.png')).toBe('vault/files/d/a.png');
    expect(u.next('vault/files/d', 'README')).toBe('vault/files/d/README');
    expect(u.next('vault/files/d', 'README')).toBe('vault/files/d/README (2)');
  });
});
