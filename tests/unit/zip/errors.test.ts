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
    ['contains ".."', '..'],
    ['contains ".."', 'a/../b'],
    ['contains ".."', 'artifacts/x..png'],
    ['contains a backslash', 'a\\b'],
    ['contains control characters', 'a\u0000b'],
    ['contains control characters', 'line\nbreak'],
  ])('%s for %j', (expected, name) => {
    expect(unsafeNameReason(name)).toBe(expected);
  });
});
