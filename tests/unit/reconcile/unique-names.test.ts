import { describe, expect, it } from 'vitest';
import { UniqueNames } from '@/utils/reconcile/unique-names';

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
