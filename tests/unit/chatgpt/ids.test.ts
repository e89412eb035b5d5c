import { describe, expect, it } from 'vitest';
import {
  fileIdFromUrl,
  idShape,
  isConversationId,
  isUuid,
  pointerToId,
} from '@/utils/chatgpt/ids';

const SED = 'file_00000000aaaabbbbccccddddeeeeffff';
const FS = 'file-AbCdEf0123456789xyzQWER';
const UUID = '2073c3f9-5a1b-4c2d-9e8f-0a1b2c3d4e5f';
const LIB = 'libfile_0123456789abcdef0123456789abcdef';

describe('pointerToId', () => {
  it.each([
    [FS, `file-service://${FS}`],
    [SED, `sediment://${SED}`],
    [SED, `sediment://5d41402abc4b2a76b9719d911017c592#${SED}#wm`],
    [SED, `sediment://${SED}#wm`],
    [FS, `sediment://abc#${FS}`],
    [UUID, `file-service://${UUID}`],
    [SED, SED],
    [FS, FS],
    [LIB, LIB],
    [UUID, UUID],
    [SED, `  sediment://${SED}  `],
    [null, 'sediment://5d41402abc4b2a76b9719d911017c592'],
    [null, `sediment://abc#${UUID}`],
    [null, 'file-service://not-an-id'],
    [null, 'file-short'],
    [null, 'file_xyz'],
    [null, `https://chatgpt.com/backend-api/estuary/content?id=${SED}`],
    [null, 'local-upload-1'],
    [null, ''],
    [null, 42],
    [null, null],
    [null, undefined],
    [null, { asset_pointer: SED }],
  ])('%s <- %j', (expected, pointer) => {
    expect(pointerToId(pointer)).toBe(expected);
  });
});

describe('idShape and validators', () => {
  it.each([
    ['sediment', SED],
    ['sediment', 'file_00000000AAAABBBBCCCCDDDDEEEEFFFF'],
    ['file-service', FS],
    ['file-service', 'file-0HDUabcdefghij0123456789'],
    ['uuid', UUID],
    ['libfile', LIB],
    [null, 'file_00000000aaaabbbbccccddddeeeefff'], // 31 hex
    [null, 'file_00000000aaaabbbbccccddddeeeeffffg'],
    [null, 'file-abc'],
    [null, 'file-has_underscore_in_the_middle'],
    [null, 'client-created-root'],
    [null, ''],
    [null, 7],
  ])('%s for %j', (shape, id) => {
    expect(idShape(id)).toBe(shape);
  });

  it.each([
    [isUuid, UUID, `${UUID}0`],
    [isConversationId, '69dc3dc3-8dfc-8333-9e10-000000000002', 'local-123'],
  ])('%o accepts its shape and rejects another', (fn, good, bad) => {
    expect(fn(good)).toBe(true);
    expect(fn(bad)).toBe(false);
    expect(fn(null)).toBe(false);
  });
});

describe('fileIdFromUrl', () => {
  it.each([
    [SED, `https://chatgpt.com/backend-api/estuary/content?id=${SED}&ts=496736&p=fs&cid=1&sig=abc&v=0`],
    [FS, `https://files.oaiusercontent.com/${FS}?se=2026-01-01T00%3A00%3A00Z&sp=r&sig=x`],
    [FS, `https://fileserviceuploadsperm.blob.core.windows.net/files/${FS}?se=x`],
    [null, 'https://chatgpt.com/backend-api/estuary/content?id=junk'],
    [null, 'https://example.com/picture.png'],
    [null, 'not a url'],
  ])('%s <- %s', (expected, url) => {
    expect(fileIdFromUrl(url)).toBe(expected);
  });
});
