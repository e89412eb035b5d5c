// @vitest-environment node
// Node env: happy-dom's Blob does not survive fake-indexeddb's structuredClone (docs/TOOLCHAIN.md F3).
import { describe, expect, it, vi } from 'vitest';
import {
  commitPrepared, countByStatus, deleteArtifact, enqueueJob, getArtifact, getBlob, listArtifacts, markStatus, prepareBytes, recordRefs, storeBlobs, VaultError, type VaultDb,
} from '@/utils/vault';
import { dump, freshDb, getJob, imageRef, PNG, sandboxRef, saveBytes, sha256Of, WEBP } from './helpers';

async function expectVaultError(promise: Promise<unknown>, code: string) {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(VaultError);
  expect((error as VaultError).code).toBe(code);
}

describe('recordRefs', () => {
  it('creates one pending record per identity and is idempotent', async () => {
    const db = freshDb();
    const refs = [imageRef({ fileId: 'file_a', size: 123, mimeType: 'image/png' }), sandboxRef('/mnt/data/out.csv')];
    const first = await recordRefs(db, refs, { source: 'live', conversationTitle: 'Fox' });
    expect(first).toEqual({ added: ['file:file_a', 'sandbox:conv-1:/mnt/data/out.csv'], known: [] });
    const before = await db.artifacts.toArray();

    const second = await recordRefs(db, refs, { source: 'live', conversationTitle: 'Fox' });
    expect(second).toEqual({ added: [], known: ['file:file_a', 'sandbox:conv-1:/mnt/data/out.csv'] });
    expect(await db.artifacts.toArray()).toEqual(before);

    const rec = await getArtifact(db, 'file:file_a');
    expect(rec).toMatchObject({
      status: 'pending', reason: null, sha256: null, size: null, declaredSize: 123, mimeType: 'image/png',
      source: 'live', capturedAt: null, conversationTitle: 'Fox', attempts: 0,
    });
    expect(rec).not.toHaveProperty('onCurrentPath');
  });

  it('merges duplicates within one batch and skips refs without identity', async () => {
    const db = freshDb();
    const res = await recordRefs(db, [
      imageRef({ fileId: null, genId: 'g1' }),
      imageRef({ fileId: null, genId: 'g1', prompt: 'a fox', messageId: 'msg-2' }),
      imageRef({ kind: 'chart', fileId: null, genId: null }),
    ], { source: 'backup' });
    expect(res).toEqual({ added: ['gen:g1'], known: [] });
    expect(await db.artifacts.count()).toBe(1);
    expect((await getArtifact(db, 'gen:g1'))?.prompt).toBe('a fox');
  });

  it('fills null metadata of known records without touching status or bytes', async () => {
    const db = freshDb();
    await recordRefs(db, [sandboxRef('/mnt/data/a.csv')], { source: 'live' });
    const id = 'sandbox:conv-1:/mnt/data/a.csv';
    await saveBytes(db, id, new TextEncoder().encode('a,b\n1,2\n'));
    const saved = await getArtifact(db, id);

    await recordRefs(db, [sandboxRef('/mnt/data/a.csv', {
      prompt: 'make a csv', fallbackMessageId: 'tool-1', mimeType: 'application/octet-stream', size: 999, fileName: 'other.csv',
    })], { source: 'backup', conversationTitle: 'Data' });

    const after = await getArtifact(db, id);
    expect(after).toMatchObject({
      prompt: 'make a csv', fallbackMessageId: 'tool-1', declaredSize: 999, conversationTitle: 'Data',
      status: 'saved', sha256: saved?.sha256, size: saved?.size, mimeType: 'text/csv', fileName: 'a.csv',
      source: 'live', capturedAt: saved?.capturedAt,
    });
  });

  it.each([
    ['refs not an array', () => ({ refs: 'x' as never, opts: { source: 'live' as const } })],
    ['bad kind', () => ({ refs: [imageRef(), imageRef({ kind: 'hologram' as never, fileId: 'file_b' })], opts: { source: 'live' as const } })],
    ['empty conversation id', () => ({ refs: [imageRef({ conversationId: '' })], opts: { source: 'live' as const } })],
    ['numeric prompt', () => ({ refs: [imageRef({ prompt: 5 as never })], opts: { source: 'live' as const } })],
    ['NaN size', () => ({ refs: [imageRef({ size: Number.NaN })], opts: { source: 'live' as const } })],
    ['bad source', () => ({ refs: [imageRef()], opts: { source: 'web' as never } })],
  ])('rejects %s with VaultError and writes nothing', async (_name, make) => {
    const db = freshDb();
    const { refs, opts } = make();
    await expectVaultError(recordRefs(db, refs, opts), 'invalid-argument');
    expect(await db.artifacts.count()).toBe(0);
  });
});

describe('saveBytes', () => {
  it('stores bytes once, sniffs the type and fixes the extension', async () => {
    const db = freshDb();
    await recordRefs(db, [imageRef({ fileName: 'fox-poster.png', mimeType: 'image/png' })], { source: 'live' });
    const res = await saveBytes(db, 'file:file_aaa', WEBP, { mimeType: 'image/png', source: 'backup' });
    const { record, ...rest } = res;
    expect(rest).toEqual({ sha256: await sha256Of(WEBP), size: WEBP.length, mimeType: 'image/webp', deduplicated: false });

    const rec = await getArtifact(db, 'file:file_aaa');
    expect(record).toEqual(rec);
    expect(rec).toMatchObject({ status: 'saved', reason: null, sha256: res.sha256, size: WEBP.length, mimeType: 'image/webp', fileName: 'fox-poster.webp', source: 'backup' });
    expect(rec?.capturedAt).toEqual(expect.any(Number));

    const blob = await getBlob(db, res.sha256);
    expect(blob?.type).toBe('image/webp');
    expect(new Uint8Array(await blob!.arrayBuffer())).toEqual(WEBP);
  });

  it('keeps a declared text type (Markdown) over the plain-text guess, but not over a real one', async () => {
    const db = freshDb();
    await recordRefs(db, ['file_md', 'file_csv', 'file_png'].map((fileId) => imageRef({ fileId })), { source: 'live' });
    const md = new TextEncoder().encode('# Trip plan\n\nDay 1: Lisbon.\n');
    const res = await saveBytes(db, 'file:file_md', md, { mimeType: 'text/markdown', fileName: 'trip-plan.md', source: 'live' });
    expect(res.mimeType).toBe('text/markdown');
    expect((await getBlob(db, res.sha256))?.type).toBe('text/markdown');
    const csv = new TextEncoder().encode('a,b\n1,2\n3,4\n');
    expect((await saveBytes(db, 'file:file_csv', csv, { mimeType: 'text/plain', source: 'live' })).mimeType).toBe('text/csv');
    expect((await saveBytes(db, 'file:file_png', PNG, { mimeType: 'text/markdown', source: 'live' })).mimeType).toBe('image/png');
  });

  it('accepts Blob, ArrayBuffer and Uint8Array with the same result', async () => {
    const db = freshDb();
    await recordRefs(db, [imageRef({ fileId: 'file_1' }), imageRef({ fileId: 'file_2' }), imageRef({ fileId: 'file_3' })], { source: 'live' });
    const a = await saveBytes(db, 'file:file_1', new Blob([PNG], { type: 'text/plain' }), {});
    const b = await saveBytes(db, 'file:file_2', PNG.slice().buffer, {});
    const c = await saveBytes(db, 'file:file_3', PNG, {});
    const strip = ({ record: _record, ...rest }: Awaited<ReturnType<typeof saveBytes>>) => rest;
    expect(strip(a)).toEqual({ sha256: await sha256Of(PNG), size: PNG.length, mimeType: 'image/png', deduplicated: false });
    expect(strip(b)).toEqual({ ...strip(a), deduplicated: true });
    expect(strip(c)).toEqual({ ...strip(a), deduplicated: true });
  });

  it('finishJob: the job is deleted in the same commit as the bytes, and kept when the save fails', async () => {
    const db = freshDb();
    await recordRefs(db, [imageRef({ fileId: 'file_j' })], { source: 'live' });
    await enqueueJob(db, { artifactId: 'file:file_j', conversationId: 'conv-1' });
    const [job] = await db.jobs.toArray();
    await expect(saveBytes(db, 'file:nope', PNG, { finishJob: job!.id })).rejects.toThrow();
    expect(await db.jobs.count()).toBe(1);
    await saveBytes(db, 'file:file_j', PNG, { finishJob: job!.id });
    expect(await db.jobs.count()).toBe(0);
    expect((await getArtifact(db, 'file:file_j'))?.status).toBe('saved');
  });

  it('owned: a handed-over view on a larger buffer is hashed in place (no copy) and stored exactly', async () => {
    const db = freshDb();
    await recordRefs(db, [imageRef({ fileId: 'file_own' })], { source: 'live' });
    const buffer = new Uint8Array(PNG.length + 100);
    buffer.set(PNG);
    const view = buffer.subarray(0, PNG.length);
    const digest = vi.spyOn(crypto.subtle, 'digest');
    const res = await saveBytes(db, 'file:file_own', view, { owned: true });
    expect(res).toMatchObject({ sha256: await sha256Of(PNG), size: PNG.length, mimeType: 'image/png' });
    expect(digest.mock.calls[0]![1]).toBe(view);
    const blob = await getBlob(db, res.sha256);
    expect(new Uint8Array(await blob!.arrayBuffer())).toEqual(PNG);
  });

  it('saving the same artifact twice keeps one record, one blob and the first capturedAt', async () => {
    const db = freshDb();
    await recordRefs(db, [imageRef()], { source: 'live' });
    const now = vi.spyOn(Date, 'now').mockReturnValue(1_000);
    await saveBytes(db, 'file:file_aaa', PNG, { source: 'live' });
    now.mockReturnValue(2_000);
    const second = await saveBytes(db, 'file:file_aaa', PNG, { source: 'import' });
    expect(second.deduplicated).toBe(true);
    expect(await db.artifacts.count()).toBe(1);
    expect(await db.blobs.count()).toBe(1);
    expect(await getArtifact(db, 'file:file_aaa')).toMatchObject({ capturedAt: 1_000, source: 'live', updatedAt: 2_000 });
  });

  it('identical bytes from two artifacts share one blob', async () => {
    const db = freshDb();
    await recordRefs(db, [imageRef({ fileId: 'file_1' }), imageRef({ fileId: 'file_2' })], { source: 'live' });
    const a = await saveBytes(db, 'file:file_1', PNG);
    const b = await saveBytes(db, 'file:file_2', PNG);
    expect([a.deduplicated, b.deduplicated]).toEqual([false, true]);
    expect(await db.blobs.count()).toBe(1);
    expect((await getArtifact(db, 'file:file_2'))?.sha256).toBe(a.sha256);
  });

  it('first copy wins when different bytes arrive for a saved artifact', async () => {
    const db = freshDb();
    await recordRefs(db, [sandboxRef('/mnt/data/x.bin')], { source: 'live' });
    const id = 'sandbox:conv-1:/mnt/data/x.bin';
    const first = await saveBytes(db, id, PNG);
    const second = await saveBytes(db, id, WEBP, { fileId: 'file-revealed' });
    const { record, ...rest } = second;
    const { record: _first, ...firstRest } = first;
    expect(rest).toEqual({ ...firstRest, deduplicated: true });
    expect(await db.blobs.count()).toBe(1);
    expect(await getArtifact(db, id)).toMatchObject({ sha256: first.sha256, mimeType: 'image/png', fileId: 'file-revealed' });
    expect(record).toEqual(await getArtifact(db, id));
    expect(await getBlob(db, await sha256Of(WEBP))).toBeNull();
  });

  it('falls back to the declared type, then octet-stream, for unrecognisable bytes', async () => {
    const db = freshDb();
    await recordRefs(db, [imageRef({ fileId: 'file_1' }), imageRef({ fileId: 'file_2' })], { source: 'live' });
    const binary = new Uint8Array([0x00, 0x01, 0x02, 0x03, 0xfe]);
    expect((await saveBytes(db, 'file:file_1', binary, { mimeType: 'application/x-thing' })).mimeType).toBe('application/x-thing');
    expect((await saveBytes(db, 'file:file_2', binary.slice(1))).mimeType).toBe('application/octet-stream');
  });

  it('saves a failed or expired record (bytes beat no bytes)', async () => {
    const db = freshDb();
    await recordRefs(db, [imageRef()], { source: 'live' });
    await markStatus(db, 'file:file_aaa', 'expired', 'sandbox expired');
    await saveBytes(db, 'file:file_aaa', PNG, { source: 'import' });
    expect(await getArtifact(db, 'file:file_aaa')).toMatchObject({ status: 'saved', reason: null, source: 'import' });
  });

  it.each([
    ['unknown artifact', 'file:nope', PNG, 'not-found'],
    ['empty id', '', PNG, 'invalid-argument'],
    ['string data', 'file:file_aaa', 'bytes' as never, 'invalid-argument'],
    ['null data', 'file:file_aaa', null as never, 'invalid-argument'],
  ])('rejects %s and writes nothing', async (_name, id, data, code) => {
    const db = freshDb();
    await recordRefs(db, [imageRef()], { source: 'live' });
    const before = await dump(db);
    await expectVaultError(saveBytes(db, id, data), code);
    expect(await dump(db)).toEqual(before);
  });

  it('a failure after the blob write rolls the whole save back', async () => {
    const db = freshDb();
    await recordRefs(db, [imageRef()], { source: 'live' });
    const before = await dump(db);
    vi.spyOn(db.artifacts, 'bulkPut').mockRejectedValueOnce(new Error('quota exceeded'));
    await expect(saveBytes(db, 'file:file_aaa', PNG)).rejects.toThrow('quota exceeded');
    expect(await dump(db)).toEqual(before);
    expect(await db.blobs.count()).toBe(0);
  });

  it('an unknown artifact id leaves no orphan blob behind', async () => {
    const db = freshDb();
    await expectVaultError(saveBytes(db, 'file:ghost', PNG), 'not-found');
    expect(await db.blobs.count()).toBe(0);
  });
});

describe('storeBlobs then commitPrepared (the capture queue\'s two-step commit)', () => {
  const two = () => [imageRef({ fileId: 'file_aaa' }), imageRef({ fileId: 'file_bbb', messageId: 'msg-2' })];

  it('storeBlobs writes only the bytes the vault lacks, once per content, and touches no record or job', async () => {
    const db = freshDb();
    await recordRefs(db, two(), { source: 'live' });
    await saveBytes(db, 'file:file_aaa', PNG);
    const before = await db.artifacts.toArray();
    const items = [await prepareBytes('file:file_aaa', PNG), await prepareBytes('file:file_bbb', WEBP), await prepareBytes('file:file_bbb', WEBP)];
    expect(await storeBlobs(db, items)).toEqual([await sha256Of(new Uint8Array(WEBP))]);
    expect(await db.blobs.count()).toBe(2);
    expect(await db.artifacts.toArray()).toEqual(before);
  });

  it('a batch commits every file in one call; a missing artifact is its own error and the others still commit', async () => {
    const db = freshDb();
    await recordRefs(db, two(), { source: 'live' });
    for (const id of ['file:file_aaa', 'file:file_bbb']) await enqueueJob(db, { artifactId: id, conversationId: 'conv-1' });
    const items = [
      await prepareBytes('file:file_aaa', PNG, { finishJob: 'fetch:file:file_aaa' }),
      await prepareBytes('file:gone', WEBP),
      await prepareBytes('file:file_bbb', WEBP, { finishJob: 'fetch:file:file_bbb' }),
    ];
    const written = await storeBlobs(db, items);
    const [a, gone, b] = await commitPrepared(db, items, written);
    expect(a).toMatchObject({ sha256: await sha256Of(new Uint8Array(PNG)), deduplicated: false, record: { status: 'saved' } });
    expect(gone).toBeInstanceOf(VaultError);
    expect(b).toMatchObject({ sha256: await sha256Of(new Uint8Array(WEBP)), deduplicated: false, record: { status: 'saved' } });
    expect(await getJob(db, 'fetch:file:file_aaa')).toBeNull();
    expect(await getJob(db, 'fetch:file:file_bbb')).toBeNull();
  });

  it('a blob deleted between the two steps (its other owner removed) is written again: no record without bytes', async () => {
    const db = freshDb();
    await recordRefs(db, [...two(), imageRef({ fileId: 'file_ccc', messageId: 'msg-3' })], { source: 'live' });
    await saveBytes(db, 'file:file_ccc', PNG); // another artifact with the same content
    const item = await prepareBytes('file:file_aaa', PNG);
    expect(await storeBlobs(db, [item])).toEqual([]); // already held
    await deleteArtifact(db, 'file:file_ccc'); // takes the blob with it
    const [saved] = await commitPrepared(db, [item], []);
    expect(saved).toMatchObject({ record: { status: 'saved', sha256: item.sha256 } });
    expect(await getBlob(db, item.sha256)).not.toBeNull();
  });

  it('a blob written for a file whose first copy won is removed again: nothing unreferenced is left', async () => {
    const db = freshDb();
    await recordRefs(db, two(), { source: 'live' });
    await saveBytes(db, 'file:file_aaa', PNG);
    const other = await prepareBytes('file:file_aaa', WEBP);
    const written = await storeBlobs(db, [other]);
    expect(written).toEqual([other.sha256]);
    const [kept] = await commitPrepared(db, [other], written);
    expect(kept).toMatchObject({ sha256: await sha256Of(new Uint8Array(PNG)), deduplicated: true });
    expect(await getBlob(db, other.sha256)).toBeNull();
    expect(await db.blobs.count()).toBe(1);
  });
});

describe('markStatus', () => {
  it.each(['pending', 'expired', 'failed'] as const)('never downgrades saved to %s', async (status) => {
    const db = freshDb();
    await recordRefs(db, [imageRef()], { source: 'live' });
    await saveBytes(db, 'file:file_aaa', PNG);
    const before = await getArtifact(db, 'file:file_aaa');
    expect(await markStatus(db, 'file:file_aaa', status, 'late failure')).toBe(false);
    expect(await getArtifact(db, 'file:file_aaa')).toEqual(before);
  });

  it('records reason and counts attempts for non-saved records', async () => {
    const db = freshDb();
    await recordRefs(db, [imageRef()], { source: 'live' });
    expect(await markStatus(db, 'file:file_aaa', 'pending', '429')).toBe(true);
    expect(await markStatus(db, 'file:file_aaa', 'failed', 'network error')).toBe(true);
    expect(await getArtifact(db, 'file:file_aaa')).toMatchObject({ status: 'failed', reason: 'network error', attempts: 2 });
    await markStatus(db, 'file:file_aaa', 'pending', 'retry requested', { countAttempt: false });
    expect(await getArtifact(db, 'file:file_aaa')).toMatchObject({ status: 'pending', attempts: 2 });
  });

  it.each([
    ['unknown id', 'file:nope', 'failed', 'x', 'not-found'],
    ['status saved', 'file:file_aaa', 'saved', 'x', 'invalid-argument'],
    ['bogus status', 'file:file_aaa', 'gone', 'x', 'invalid-argument'],
    ['non-string reason', 'file:file_aaa', 'failed', 42, 'invalid-argument'],
  ])('rejects %s', async (_n, id, status, reason, code) => {
    const db = freshDb();
    await recordRefs(db, [imageRef()], { source: 'live' });
    const before = await dump(db);
    await expectVaultError(markStatus(db, id, status as never, reason as never), code);
    expect(await dump(db)).toEqual(before);
  });
});

describe('listArtifacts and countByStatus', () => {
  async function seed(db: VaultDb) {
    await recordRefs(db, [
      imageRef({ fileId: 'file_1' }),
      imageRef({ fileId: 'file_2', kind: 'chart' }),
      sandboxRef('/mnt/data/a.csv'),
      imageRef({ fileId: 'file_3', conversationId: 'conv-2' }),
      imageRef({ fileId: 'file_4', conversationId: 'conv-2' }),
    ], { source: 'live' });
    await saveBytes(db, 'file:file_1', PNG);
    await saveBytes(db, 'file:file_3', WEBP);
    await markStatus(db, 'file:file_4', 'expired', 'gone');
  }

  it.each([
    [{}, ['file:file_1', 'file:file_2', 'file:file_3', 'file:file_4', 'sandbox:conv-1:/mnt/data/a.csv']],
    [{ conversationId: 'conv-1' }, ['file:file_1', 'file:file_2', 'sandbox:conv-1:/mnt/data/a.csv']],
    [{ conversationId: 'conv-2', status: 'saved' }, ['file:file_3']],
    [{ status: 'pending' }, ['file:file_2', 'sandbox:conv-1:/mnt/data/a.csv']],
    [{ kind: 'image' }, ['file:file_1', 'file:file_3', 'file:file_4']],
    [{ kind: 'image', status: 'saved' }, ['file:file_1', 'file:file_3']],
    [{ conversationId: 'conv-1', kind: 'chart' }, ['file:file_2']],
    [{ capturedAfter: 0 }, ['file:file_1', 'file:file_3']],
    [{ limit: 2 }, ['file:file_1', 'file:file_2']],
    [{ offset: 3 }, ['file:file_4', 'sandbox:conv-1:/mnt/data/a.csv']],
    [{ kind: 'image', offset: 1, limit: 1 }, ['file:file_3']],
  ] as const)('filters %o', async (query, ids) => {
    const db = freshDb();
    await seed(db);
    const rows = await listArtifacts(db, query);
    expect(rows.map((r) => r.id).sort()).toEqual([...ids].sort());
  });

  it('never reads the blobs table (proved with a DBCore middleware that sees every table access)', async () => {
    const touched: string[] = [];
    const db = freshDb((d) => {
      d.use({
        stack: 'dbcore',
        name: 'watch-blobs',
        create: (down) => ({
          ...down,
          table: (name) => {
            const table = down.table(name);
            const watch = <K extends 'get' | 'getMany' | 'query' | 'openCursor' | 'count'>(method: K) =>
              ((req: never) => {
                if (name === 'blobs') touched.push(method);
                return (table[method] as (r: never) => unknown)(req);
              }) as (typeof table)[K];
            return { ...table, get: watch('get'), getMany: watch('getMany'), query: watch('query'), openCursor: watch('openCursor'), count: watch('count') };
          },
        }),
      });
    });
    await seed(db);
    touched.length = 0;
    for (const q of [{}, { conversationId: 'conv-1' }, { status: 'saved' as const }, { kind: 'image' as const }, { capturedAfter: 0 }]) {
      expect((await listArtifacts(db, q)).length).toBeGreaterThan(0);
    }
    await countByStatus(db);
    await countByStatus(db, 'conv-1');
    await getArtifact(db, 'file:file_1');
    expect(touched).toEqual([]);

    // Control: the watcher does see blob reads.
    await getBlob(db, (await getArtifact(db, 'file:file_1'))!.sha256!);
    expect(touched).toContain('get');
  });

  it('counts by status overall and per conversation', async () => {
    const db = freshDb();
    await seed(db);
    expect(await countByStatus(db)).toEqual({ saved: 2, pending: 2, expired: 1, failed: 0 });
    expect(await countByStatus(db, 'conv-2')).toEqual({ saved: 1, pending: 0, expired: 1, failed: 0 });
    expect(await countByStatus(db, 'conv-none')).toEqual({ saved: 0, pending: 0, expired: 0, failed: 0 });
  });

  it.each([
    [{ kind: 'hologram' as never }], [{ status: 'done' }], [{ limit: -1 }], [{ offset: 1.5 }], [{ conversationId: '' }], [{ capturedAfter: Number.NaN }],
  ])('rejects bad query %o', async (query) => {
    await expectVaultError(listArtifacts(freshDb(), query as never), 'invalid-argument');
  });
});

describe('deleteArtifact', () => {
  it('keeps a blob another artifact still references, and removes it with the last reference', async () => {
    const db = freshDb();
    await recordRefs(db, [imageRef({ fileId: 'file_1' }), imageRef({ fileId: 'file_2' })], { source: 'live' });
    const { sha256 } = await saveBytes(db, 'file:file_1', PNG);
    await saveBytes(db, 'file:file_2', PNG);
    await enqueueJob(db, { artifactId: 'file:file_1', conversationId: 'conv-1' });
    await enqueueJob(db, { artifactId: 'file:file_2', conversationId: 'conv-1' });

    expect(await deleteArtifact(db, 'file:file_1')).toBe(true);
    expect(await getArtifact(db, 'file:file_1')).toBeNull();
    expect(await getBlob(db, sha256)).not.toBeNull();
    expect((await db.jobs.toArray()).map((j) => j.artifactId)).toEqual(['file:file_2']);

    expect(await deleteArtifact(db, 'file:file_2')).toBe(true);
    expect(await getBlob(db, sha256)).toBeNull();
    expect(await db.jobs.count()).toBe(0);
    expect(await deleteArtifact(db, 'file:file_2')).toBe(false);
  });

  it('deletes a pending artifact without bytes', async () => {
    const db = freshDb();
    await recordRefs(db, [imageRef()], { source: 'live' });
    expect(await deleteArtifact(db, 'file:file_aaa')).toBe(true);
    expect(await db.artifacts.count()).toBe(0);
  });
});
