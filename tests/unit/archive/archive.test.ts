// @vitest-environment node
// Node env: happy-dom's Blob does not survive fake-indexeddb's structuredClone (docs/TOOLCHAIN.md F3).
import { describe, expect, it } from 'vitest';
import { strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import {
  ArchiveError, createBlobSink, restoreVaultArchive, writeVaultArchive, type VaultManifest,
} from '@/utils/archive';
import { openZip } from '@/utils/zip';
import { recordRefs, saveSnapshot } from '@/utils/vault';
import { saveBytes } from '../vault/helpers';
import { archiveOf, conversation, csv, dump, freshDb, png, ref, seedVault, webp } from './helpers';
import { holdsCredentials, jpegWithCredentials, pngWithCredentials } from '../../fixtures/images/credentials';

const listZipMembers = async (zip: Blob) => (await openZip(zip)).entries;

async function manifestOf(zip: Blob): Promise<VaultManifest> {
  const files = unzipSync(new Uint8Array(await zip.arrayBuffer()));
  return JSON.parse(new TextDecoder().decode(files['manifest.json'])) as VaultManifest;
}

async function filesOf(zip: Blob): Promise<Record<string, Uint8Array>> {
  return unzipSync(new Uint8Array(await zip.arrayBuffer()));
}

const blobOf = (bytes: Uint8Array) => new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' });
const zipBlob = (files: Zippable) => blobOf(zipSync(files));

async function expectArchiveError(promise: Promise<unknown>, code: string, message?: RegExp) {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(ArchiveError);
  expect((error as ArchiveError).code).toBe(code);
  if (message) expect((error as ArchiveError).message).toMatch(message);
}

describe('writeVaultArchive', () => {
  it('writes the contract layout: manifest first, one member per distinct content, snapshots as received', async () => {
    const db = freshDb();
    await seedVault(db);
    const zip = await archiveOf(db);
    const members = await listZipMembers(zip);
    expect(members[0]!.name).toBe('manifest.json');
    const files = await filesOf(zip);
    const manifest = await manifestOf(zip);

    expect(manifest).toMatchObject({ format: 'chatgpt-artifact-vault', version: 1, createdAt: '2026-11-22T10:00:00.000Z' });
    expect(manifest.artifacts).toHaveLength(6);
    const fox = manifest.artifacts.find((a) => a.fileId === 'file_fox')!;
    const fox2 = manifest.artifacts.find((a) => a.fileId === 'file_fox2')!;
    expect(fox).toMatchObject({
      kind: 'image', conversationId: 'conv-1', messageId: 'msg-1', genId: null, fileName: 'fox-poster.webp',
      sandboxPath: null, prompt: 'a fox poster', mimeType: 'image/webp', size: 17, status: 'saved', reason: null,
      source: 'live', seed: 42,
    });
    expect(fox.path).toBe(`artifacts/${fox.sha256}.webp`);
    expect(fox2.path).toBe(fox.path);
    expect(new Date(fox.capturedAt!).toISOString()).toBe(fox.capturedAt);

    const expired = manifest.artifacts.find((a) => a.sandboxPath === '/mnt/data/old.xlsx')!;
    expect(expired).toMatchObject({ status: 'expired', reason: 'sandbox expired', path: null, sha256: null, size: null });
    const pending = manifest.artifacts.find((a) => a.kind === 'upload')!;
    expect(pending).toMatchObject({ status: 'pending', path: null, sha256: null, size: null, capturedAt: null });

    const artifactMembers = Object.keys(files).filter((n) => n.startsWith('artifacts/')).sort();
    expect(artifactMembers).toHaveLength(3); // fox (shared), chart, csv
    expect(Array.from(files[fox.path!]!)).toEqual(Array.from(webp(1)));
    expect(new TextDecoder().decode(files['conversations/conv-2.json'])).toBe(conversation('conv-2', 'Sales analysis', 1776042600));
    expect(manifest.conversations).toEqual([
      { id: 'conv-1', title: 'Fox poster', updateTime: 1776042590.3, path: 'conversations/conv-1.json', gizmoId: null },
      { id: 'conv-2', title: 'Sales analysis', updateTime: 1776042600, path: 'conversations/conv-2.json', gizmoId: null },
    ]);
  });

  it('stores images as they are and deflates JSON and text', async () => {
    const db = freshDb();
    await seedVault(db);
    const members = await listZipMembers(await archiveOf(db));
    const method = (pred: (n: string) => boolean) => members.filter((m) => pred(m.name)).map((m) => m.method);
    expect(method((n) => n.endsWith('.webp') || n.endsWith('.png'))).toEqual([0, 0]);
    expect(method((n) => n.endsWith('.json') || n.endsWith('.csv'))).toEqual([8, 8, 8, 8]);
  });

  it('writes a valid archive for an empty vault', async () => {
    const zip = await archiveOf(freshDb());
    const manifest = await manifestOf(zip);
    expect(manifest.artifacts).toEqual([]);
    expect(manifest.conversations).toEqual([]);
    expect(await restoreVaultArchive(freshDb(), zip)).toEqual({
      added: 0, alreadyPresent: 0, updated: 0, rejected: [], conversations: { added: 0, updated: 0, alreadyPresent: 0 },
    });
  });

  it('reads each blob once and waits for an async sink', async () => {
    const db = freshDb();
    await seedVault(db);
    const chunks: Uint8Array[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const result = await writeVaultArchive(db, new WritableStream({
      async write(chunk) {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setImmediate(r));
        chunks.push(chunk.slice());
        inFlight--;
      },
    }));
    expect(maxInFlight).toBe(1);
    expect(result.bytes).toBe(chunks.reduce((n, c) => n + c.length, 0));
    const sink = createBlobSink();
    const w = sink.writable.getWriter();
    for (const c of chunks) await w.write(c);
    await w.close();
    expect((await manifestOf(sink.toBlob())).artifacts).toHaveLength(6);
  });

  it('exports a saved record whose blob is gone as failed, keeping the archive restorable', async () => {
    const db = freshDb();
    await seedVault(db);
    const chart = (await db.artifacts.get('file:file_chart'))!;
    await db.blobs.delete(chart.sha256!);
    const zip = await archiveOf(db);
    const entry = (await manifestOf(zip)).artifacts.find((a) => a.fileId === 'file_chart');
    expect(entry).toMatchObject({ status: 'failed', reason: 'bytes missing from the vault', path: null, sha256: null });
    await expect(restoreVaultArchive(freshDb(), zip)).resolves.toMatchObject({ added: 6 });
  });
});

describe('restoreVaultArchive', () => {
  it('round-trips: same identities, kinds, statuses, ids, hashes, bytes and snapshots; source becomes import', async () => {
    const a = freshDb();
    await seedVault(a);
    const zip = await archiveOf(a);
    const b = freshDb();
    const result = await restoreVaultArchive(b, zip);
    expect(result).toEqual({ added: 6, alreadyPresent: 0, updated: 0, rejected: [], conversations: { added: 2, updated: 0, alreadyPresent: 0 } });

    const [da, db_] = [await dump(a), await dump(b)];
    expect(db_.blobs).toEqual(da.blobs);
    expect(db_.snapshots).toEqual(da.snapshots);
    const keep = ['id', 'kind', 'status', 'reason', 'conversationId', 'messageId', 'fileId', 'genId', 'sandboxPath', 'sha256',
      'size', 'mimeType', 'capturedAt', 'prompt', 'seed', 'fileName', 'firstSeenAt', 'width', 'height'] as const;
    const pick = (r: object) => Object.fromEntries(keep.map((k) => [k, (r as Record<string, unknown>)[k]]));
    expect(db_.artifacts.map(pick)).toEqual(da.artifacts.map(pick));
    expect(new Set(db_.artifacts.map((r) => r.source))).toEqual(new Set(['import']));

    // Writing the restored vault again gives the same manifest, apart from creation time and source.
    const norm = (m: VaultManifest) => m.artifacts.map((x) => ({ ...x, source: 'import' }));
    expect(norm(await manifestOf(await archiveOf(b)))).toEqual(norm(await manifestOf(zip)));
  });

  it('keeps content credentials: a PNG caBX chunk and a JPEG APP11 manifest come back byte for byte', async () => {
    const a = freshDb();
    await recordRefs(a, [ref({ fileId: 'file_png' }), ref({ fileId: 'file_jpg', messageId: 'msg-2' })], { source: 'live', conversationTitle: null });
    await saveBytes(a, 'file:file_png', pngWithCredentials(7));
    await saveBytes(a, 'file:file_jpg', jpegWithCredentials(8));
    const b = freshDb();
    await restoreVaultArchive(b, await archiveOf(a));
    const bytesOf = async (db: typeof b, id: string) => {
      const sha = (await db.artifacts.get(id))!.sha256!;
      return new Uint8Array(await (await db.blobs.get(sha))!.blob.arrayBuffer());
    };
    expect(await bytesOf(b, 'file:file_png')).toEqual(pngWithCredentials(7));
    expect(await bytesOf(b, 'file:file_jpg')).toEqual(jpegWithCredentials(8));
    expect(holdsCredentials(await bytesOf(b, 'file:file_png'), 7)).toBe(true);
  });

  it('is idempotent: restoring twice changes nothing', async () => {
    const a = freshDb();
    await seedVault(a);
    const zip = await archiveOf(a);
    const b = freshDb();
    await restoreVaultArchive(b, zip);
    const before = await dump(b);
    expect(await restoreVaultArchive(b, zip)).toEqual({
      added: 0, alreadyPresent: 6, updated: 0, rejected: [], conversations: { added: 0, updated: 0, alreadyPresent: 2 },
    });
    expect(await dump(b)).toEqual(before);
    // Restoring into the vault it came from also changes nothing.
    const own = await dump(a);
    await restoreVaultArchive(a, zip);
    expect(await dump(a)).toEqual(own);
  });

  it('merges: bytes win over none, existing bytes stay, newer snapshots win, nothing is deleted', async () => {
    const a = freshDb();
    await seedVault(a);
    const zip = await archiveOf(a);

    const b = freshDb();
    await saveSnapshot(b, conversation('conv-1', 'Fox poster (renamed later)', 1776042999)); // newer than the archive's
    await saveSnapshot(b, conversation('conv-2', 'Old title', 1)); // older
    await recordRefs(b, [
      ref({ fileId: 'file_fox' }), // no bytes yet: the archive's copy wins
      ref({ kind: 'chart', fileId: 'file_chart', conversationId: 'conv-2' }), // different bytes: stays
      ref({ fileId: 'file_only_here' }),
    ], { source: 'live', conversationTitle: 'Fox poster (renamed later)' });
    await saveBytes(b, 'file:file_chart', png(99));
    const chartBefore = await b.artifacts.get('file:file_chart');

    const result = await restoreVaultArchive(b, zip);
    expect(result).toMatchObject({ added: 4, updated: 1, alreadyPresent: 1, conversations: { added: 0, updated: 1, alreadyPresent: 1 } });
    const fox = (await b.artifacts.get('file:file_fox'))!;
    const foxA = (await a.artifacts.get('file:file_fox'))!;
    expect(fox).toMatchObject({ status: 'saved', sha256: foxA.sha256, capturedAt: foxA.capturedAt, source: 'import', prompt: 'a fox poster' });
    const chartAfter = (await b.artifacts.get('file:file_chart'))!;
    const bytesOf = (r: typeof chartAfter) => ({ status: r.status, sha256: r.sha256, size: r.size, capturedAt: r.capturedAt, source: r.source });
    expect(bytesOf(chartAfter)).toEqual(bytesOf(chartBefore!));
    expect(await b.artifacts.get('file:file_only_here')).toBeDefined();
    expect((await b.conversations.get('conv-1'))!.title).toBe('Fox poster (renamed later)');
    expect((await b.conversations.get('conv-2'))!.title).toBe('Sales analysis');
    expect((await b.snapshots.get('conv-2'))!.json).toBe(conversation('conv-2', 'Sales analysis', 1776042600));
    // Shared bytes are stored once.
    expect(await b.blobs.where('sha256').equals(foxA.sha256!).count()).toBe(1);
  });

  it('reports entries without identity and duplicate identities, restoring the rest', async () => {
    const a = freshDb();
    await seedVault(a);
    const files = await filesOf(await archiveOf(a));
    const manifest = JSON.parse(new TextDecoder().decode(files['manifest.json'])) as VaultManifest;
    manifest.artifacts.push({ ...manifest.artifacts[0]!, fileId: null, genId: null });
    manifest.artifacts.push({ ...manifest.artifacts[0]! });
    files['manifest.json'] = strToU8(JSON.stringify(manifest));
    const result = await restoreVaultArchive(freshDb(), zipBlob(files));
    expect(result.added).toBe(6);
    expect(result.rejected).toEqual([
      { path: 'artifacts[6]', reason: expect.stringMatching(/no identity/) as unknown },
      { id: manifest.artifacts[0]!.id, path: 'artifacts[7]', reason: expect.stringMatching(/listed twice/) as unknown },
    ]);
  });
});

/** Rewrites the declared uncompressed size of `name` in both the local header and the central directory. */
function patchDeclaredSize(zip: Uint8Array, name: string, size: number): Uint8Array {
  const out = zip.slice();
  const view = new DataView(out.buffer);
  const nameBytes = new TextEncoder().encode(name);
  const matches = (at: number) => nameBytes.every((b, i) => out[at + i] === b);
  for (let p = 0; p + 46 < out.length; p++) {
    const sig = view.getUint32(p, true);
    if (sig === 0x04034b50 && view.getUint16(p + 26, true) === nameBytes.length && matches(p + 30)) view.setUint32(p + 22, size, true);
    if (sig === 0x02014b50 && view.getUint16(p + 28, true) === nameBytes.length && matches(p + 46)) view.setUint32(p + 24, size, true);
  }
  return out;
}

type Tamper = (files: Record<string, Uint8Array>, m: VaultManifest) => Blob | Promise<Blob>;
const withManifest = (files: Record<string, Uint8Array>, m: VaultManifest) => zipBlob({ ...files, 'manifest.json': strToU8(JSON.stringify(m)) });
const firstSaved = (m: VaultManifest) => m.artifacts.find((a) => a.path !== null)!;

describe('a malformed or tampered archive is rejected whole and the vault is untouched', () => {
  const cases: Array<[string, string, RegExp, Tamper]> = [
    ['not a ZIP', 'not-zip', /not a ZIP/, () => new Blob([strToU8('hello, this is a text file and not a zip archive at all')])],
    ['an empty file', 'not-zip', /not a ZIP/, () => new Blob([])],
    ['a truncated ZIP', 'not-zip', /not a ZIP|truncated/, (files) => blobOf(zipSync(files).slice(0, 200))],
    ['no manifest', 'bad-manifest', /no manifest\.json/, (files) => zipBlob(Object.fromEntries(Object.entries(files).filter(([n]) => n !== 'manifest.json')))],
    ['a manifest that is not JSON', 'bad-manifest', /not JSON/, (files) => zipBlob({ ...files, 'manifest.json': strToU8('{nope') })],
    ['the wrong format', 'bad-manifest', /format is "something-else"/, (f, m) => withManifest(f, { ...m, format: 'something-else' as never })],
    ['an unknown version', 'bad-manifest', /version 2 is not supported/, (f, m) => withManifest(f, { ...m, version: 2 as never })],
    ['an unknown kind', 'bad-manifest', /kind "hologram"/, (f, m) => withManifest(f, { ...m, artifacts: [{ ...m.artifacts[0]!, kind: 'hologram' as never }] })],
    ['a saved entry without path', 'bad-manifest', /saved but has no path/, (f, m) => withManifest(f, { ...m, artifacts: [{ ...firstSaved(m), path: null, sha256: null, size: null }] })],
    ['a missing member', 'missing-member', /is missing/, (files, m) => {
      const rest = { ...files };
      delete rest[firstSaved(m).path!];
      return zipBlob(rest);
    }],
    ['a missing snapshot', 'missing-member', /conversations\/conv-1\.json is missing/, (files) => {
      const rest = { ...files };
      delete rest['conversations/conv-1.json'];
      return zipBlob(rest);
    }],
    ['a bad hash (member bytes altered)', 'bad-member', /does not match its SHA-256/, (files, m) => {
      const path = firstSaved(m).path!;
      const altered = files[path]!.slice();
      altered[altered.length - 1]! ^= 0xff;
      return zipBlob({ ...files, [path]: altered });
    }],
    ['an entry whose size disagrees', 'bad-member', /does not match its manifest entry/, (f, m) => withManifest(f, {
      ...m, artifacts: m.artifacts.map((a) => (a.path === firstSaved(m).path ? { ...a, size: a.size! + 1 } : a)),
    })],
    ['an entry whose sha256 disagrees with its path', 'bad-manifest', /path names/, (f, m) => withManifest(f, {
      ...m, artifacts: [{ ...firstSaved(m), sha256: 'f'.repeat(64) }],
    })],
    ['a stray artifact member with a wrong hash', 'bad-member', /SHA-256/, (files) => zipBlob({ ...files, [`artifacts/${'a'.repeat(64)}.png`]: png(7) })],
    ['a snapshot for another conversation', 'bad-member', /holds conversation "conv-9"/, (files) => zipBlob({ ...files, 'conversations/conv-1.json': strToU8(conversation('conv-9', 'x', 1)) })],
    ['a "../" member name', 'hostile-name', /has a "\.\." path segment/, (files) => zipBlob({ ...files, '../evil.txt': strToU8('x') })],
    ['a nested "../" member name', 'hostile-name', /has a "\.\." path segment/, (files) => zipBlob({ ...files, 'artifacts/../../etc/passwd': strToU8('x') })],
    ['an absolute member name', 'hostile-name', /is absolute/, (files) => zipBlob({ ...files, '/etc/passwd': strToU8('x') })],
    ['a drive-letter member name', 'hostile-name', /is absolute/, (files) => zipBlob({ ...files, 'C:/Windows/evil.dll': strToU8('x') })],
    ['a backslash member name', 'hostile-name', /backslash/, (files) => zipBlob({ ...files, 'artifacts\\evil': strToU8('x') })],
    ['a member inflating past its declared size', 'too-large', /inflates past/, (files, m) => {
      const path = m.artifacts.find((a) => a.fileName === 'sales.csv')!.path!;
      return blobOf(patchDeclaredSize(zipSync(files), path, 100));
    }],
    ['a manifest inflating past its declared size', 'too-large', /inflates past/, (files) => blobOf(patchDeclaredSize(zipSync(files), 'manifest.json', 10))],
  ];

  it.each(cases)('%s', async (_what, code, message, tamper) => {
    const source = freshDb();
    await seedVault(source);
    const zip = await archiveOf(source);
    const files = await filesOf(zip);
    const manifest = await manifestOf(zip);
    const bad = await tamper(files, manifest);

    const target = freshDb();
    await saveSnapshot(target, conversation('conv-7', 'Already here', 5));
    await recordRefs(target, [ref({ fileId: 'file_here', conversationId: 'conv-7' })], { source: 'live' });
    await saveBytes(target, 'file:file_here', png(3));
    const before = await dump(target);
    await expectArchiveError(restoreVaultArchive(target, bad), code, message);
    expect(await dump(target)).toEqual(before);
  });

  it('rejects a member larger than the bound before inflating it', async () => {
    const source = freshDb();
    await seedVault(source);
    await expectArchiveError(restoreVaultArchive(freshDb(), await archiveOf(source), { maxMemberBytes: 1000 }), 'too-large', /declares \d+ bytes; the limit is 1000/);
  });

  it('stops a deflate bomb without allocating its output', async () => {
    // 16 MiB of zeros deflates to ~16 KiB; declare 1 KiB.
    const bomb = zipSync({ 'manifest.json': new Uint8Array(16 << 20) }, { level: 1 });
    const patched = patchDeclaredSize(bomb, 'manifest.json', 1024);
    await expectArchiveError(restoreVaultArchive(freshDb(), blobOf(patched)), 'too-large', /inflates past the 1024 bytes/);
  });
});

describe('restoreVaultArchive: reading members', () => {
  it('restores stored members whole and checks CRCs', async () => {
    const db = freshDb();
    await seedVault(db);
    const zip = await archiveOf(db);
    const target = freshDb();
    await restoreVaultArchive(target, zip);
    const blobs = await target.blobs.toArray();
    expect(blobs).toHaveLength(3);
    expect(await target.snapshots.count()).toBe(2);
    for (const { blob, size } of blobs) expect(blob.size).toBe(size);
    const [restored, original] = [await dump(target), await dump(db)];
    expect(restored.blobs).toEqual(original.blobs);
    expect(restored.snapshots).toEqual(original.snapshots);

    // Flip one byte of a stored member's data in place (its name and hash entry stay): the CRC catches it.
    const bytes = new Uint8Array(await zip.arrayBuffer());
    const m = (await listZipMembers(zip)).find((x) => x.method === 0)!;
    const nameLen = new DataView(bytes.buffer).getUint16(m.offset + 26, true);
    bytes[m.offset + 30 + nameLen + 2]! ^= 0x01;
    const untouched = freshDb();
    await expectArchiveError(restoreVaultArchive(untouched, new Blob([bytes])), 'bad-member', /CRC mismatch/);
    expect(await untouched.artifacts.count()).toBe(0);
  });

  it('handles many CSV rows (a multi-chunk deflated member)', async () => {
    const db = freshDb();
    await recordRefs(db, [ref({ kind: 'sandbox-file', fileId: null, sandboxPath: '/mnt/data/big.csv' })], { source: 'live' });
    await saveBytes(db, 'sandbox:conv-1:/mnt/data/big.csv', csv(200_000));
    const target = freshDb();
    await restoreVaultArchive(target, await archiveOf(db));
    const [only] = await target.blobs.toArray();
    // Buffer.equals: a deep toEqual over 2.6 MB of numbers takes seconds.
    expect(Buffer.from(await only!.blob.arrayBuffer()).equals(Buffer.from(csv(200_000)))).toBe(true);
  });
});
