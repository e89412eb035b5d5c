import { describe, expect, it } from 'vitest';
import { unsafeNameReason } from '@/utils/zip';

describe('unsafeNameReason', () => {
  it.each([
    [null, 'manifest.json'],
    [null, 'artifacts/abc.png'],
    [null, 'conversations/6f1c-1.json'],
    ['is empty', ''],
    ['is absolute', '/etc/passwd'],
    ['is absolute', '\\\\server\\share'],
    ['is absolute', 'c:evil'],
    ['has a ".." path segment', '..'],
    ['has a ".." path segment', 'a/../b'],
    ['has a ".." path segment', 'a/..'],
    ['has a ".." path segment', '../a'],
    // Dots inside a name are a name, not a way out of the folder.
    [null, 'artifacts/x..png'],
    [null, 'vault/files/c/Q1..Q2 revenue.csv'],
    [null, 'Wait... what/image.png'],
    ['contains a backslash', 'a\\b'],
    ['contains control characters', 'a\u0000b'],
    ['contains control characters', 'line\nbreak'],
  ])('%s for %j', (expected, name) => {
    expect(unsafeNameReason(name)).toBe(expected);
  });
});
