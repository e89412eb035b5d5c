import { describe, expect, it } from 'vitest';
import { artifactIdentity, epochSeconds } from '@/utils/model';

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

describe('epochSeconds (update_time from a conversation body or the conversation list)', () => {
  it.each([
    [1776042590.3, 1776042590.3],
    ['2026-04-13T01:09:50.300Z', 1776042590.3],
    [Number.NaN, null],
    [Number.POSITIVE_INFINITY, null],
    ['not a date', null],
    [null, null],
    [undefined, null],
    [{}, null],
  ])('%j -> %j', (value, expected) => {
    expect(epochSeconds(value)).toBe(expected);
  });
});
