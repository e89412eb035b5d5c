import { describe, expect, it } from 'vitest';
import { artifactIdentity } from '@/utils/model';

describe('artifactIdentity', () => {
  it.each([
    ['sandbox:c1:/mnt/data/a.csv', { kind: 'sandbox-file', conversationId: 'c1', sandboxPath: '/mnt/data/a.csv', fileId: 'file-x', genId: null }],
    [null, { kind: 'sandbox-file', conversationId: 'c1', sandboxPath: null, fileId: 'file-x', genId: null }],
    ['file:file-x', { kind: 'image', conversationId: 'c1', sandboxPath: null, fileId: 'file-x', genId: 'g1' }],
    ['gen:g1', { kind: 'image', conversationId: 'c1', sandboxPath: null, fileId: null, genId: 'g1' }],
    [null, { kind: 'chart', conversationId: 'c1', sandboxPath: null, fileId: null, genId: null }],
  ] as const)('is %s for %o', (expected, ref) => {
    expect(artifactIdentity(ref)).toBe(expected);
  });
});
