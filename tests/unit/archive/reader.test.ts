// @vitest-environment node
// Node env: happy-dom's Blob does not survive fake-indexeddb's structuredClone (toolchain.md F3).
/**
 * The windowed member reader (utils/archive/zip-reader.ts) and what the faster restore changed: runs of
 * members in one read, window edges, overlapping members, CRC-32, and bytes dropped when not needed.
 */
import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { ArchiveError, readVaultArchive, restoreVaultArchive } from '@/utils/archive';
import { crc32, readZipDirectory, ZipMemberReader } from '@/utils/archive/zip-reader';
import { recordRefs, saveBytes } from '@/utils/vault';
import { archiveOf, dump, freshDb, ref, seedVault, webp } from './helpers';

const blobOf = (bytes: Uint8Array) => new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' });

async function rejection(promise: Promise<unknown>): Promise<ArchiveError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(ArchiveError);
  return error as ArchiveError;
}

/** 300 members of 1-3 KB, half stored, half deflated, in a few directories. */
function manyMembers(): { files: Record<string, Uint8Array>; zip: Uint8Array } {
  const files: Record<string, Uint8Array> = {};
  const zippable: Zippable = {};
  for (let i = 0; i < 300; i++) {
    const bytes = new Uint8Array(1000 + (i * 37) % 2000).map((_, k) => (k * 31 + i * 7) & 0xff);
    const name = `dir${i % 3}/member-${i}.bin`;
    files[name] = bytes;
    zippable[name] = [bytes, { level: i % 2 ? 0 : 6 }];
  }
  return { files, zip: zipSync(zippable) };
}

describe('ZipMemberReader', () => {
  it.each([
    // [window bytes, what it exercises]
    [4 << 20, 'every member in the first window'],
    [8 << 10, 'runs of a few members, many window edges'],
    [1500, 'windows of one member or a header alone'],
    [40, 'headers only: every member read on its own (deflated ones streamed)'],
  ])('reads every member exactly with %i-byte windows (%s)', async (windowBytes) => {
    const { files, zip } = manyMembers();
    const file = blobOf(zip);
    const reader = new ZipMemberReader(file, await readZipDirectory(file), { windowBytes });
    for (const m of reader.membersInFileOrder) {
      const { bytes, blob } = await reader.read(m, 1 << 20);
      expect(Buffer.from(bytes).equals(Buffer.from(files[m.name]!))).toBe(true);
      expect(Buffer.from(await blob.arrayBuffer()).equals(Buffer.from(files[m.name]!))).toBe(true);
    }
  });

  it('reads a run of small members with one Blob read, not three per member', async () => {
    const { zip } = manyMembers();
    const file = blobOf(zip);
    const directory = await readZipDirectory(file);
    const reads = vi.spyOn(Blob.prototype, 'arrayBuffer');
    const reader = new ZipMemberReader(file, directory);
    for (const m of reader.membersInFileOrder) await reader.read(m, 1 << 20);
    // The whole ~600 KB archive fits one 4 MiB window.
    expect(reads).toHaveBeenCalledTimes(1);
    expect(reader.reads).toBe(1);
  });

  it('reads members out of order too (each outside the window costs a read)', async () => {
    const { files, zip } = manyMembers();
    const file = blobOf(zip);
    const reader = new ZipMemberReader(file, await readZipDirectory(file), { windowBytes: 8 << 10 });
    for (const m of reader.membersInFileOrder.slice().reverse()) {
      expect(Buffer.from((await reader.read(m, 1 << 20)).bytes).equals(Buffer.from(files[m.name]!))).toBe(true);
    }
  });
});

/** Byte offsets of a ZIP's structures, for crafting broken archives. */
function layout(zip: Uint8Array) {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = zip.length - 22;
  while (view.getUint32(eocd, true) !== 0x06054b50) eocd--;
  const cdOffset = view.getUint32(eocd + 16, true);
  const entries: { at: number; name: string; lho: number; length: number }[] = [];
  for (let p = cdOffset; p < eocd;) {
    const nameLen = view.getUint16(p + 28, true);
    const length = 46 + nameLen + view.getUint16(p + 30, true) + view.getUint16(p + 32, true);
    entries.push({ at: p, name: new TextDecoder().decode(zip.subarray(p + 46, p + 46 + nameLen)), lho: view.getUint32(p + 42, true), length });
    p += length;
  }
  return { view, eocd, cdOffset, entries };
}

describe('overlapping members are refused before anything is inflated', () => {
  it('a second directory entry pointing at another member\'s bytes (the overlapping-file bomb)', async () => {
    const zip = zipSync({ 'a.txt': strToU8('x'.repeat(5000)), 'b.txt': strToU8('y'.repeat(5000)) });
    const { view, entries } = layout(zip);
    // Point b's directory entry at a's local header (names have the same length, so sizes still fit).
    view.setUint32(entries[1]!.at + 42, entries[0]!.lho, true);
    const error = await rejection(readZipDirectory(blobOf(zip)));
    expect(error.code).toBe('not-zip');
    expect(error.message).toMatch(/"a\.txt" and "b\.txt" overlap/);
  });

  it('a local header whose extra field pushes the data into the next member', async () => {
    const db = freshDb();
    await seedVault(db);
    const zip = new Uint8Array(await (await archiveOf(db)).arrayBuffer());
    const { view, entries } = layout(zip);
    const first = entries.find((e) => e.name.startsWith('artifacts/'))!;
    view.setUint16(first.lho + 28, 0x40, true); // a 64-byte extra field: the data now ends past the next header
    const error = await rejection(readVaultArchive(blobOf(zip)));
    expect(error.code).toBe('not-zip');
    expect(error.message).toMatch(/runs into the next member/);
  });
});

describe('crc32 (slicing by 8)', () => {
  it.each([0, 1, 7, 8, 9, 15, 16, 17, 255, 4096, 100_003])('matches zlib for %i bytes', (n) => {
    const bytes = new Uint8Array(n).map((_, i) => (i * 2654435761) >>> 24);
    expect(crc32(bytes)).toBe(zlibCrc32(bytes));
  });
});

describe('restore keeps only the checked bytes it will write', () => {
  it('still validates content the vault already has (a tampered copy is rejected)', async () => {
    const source = freshDb();
    await seedVault(source);
    const zip = await archiveOf(source);
    const files = unzipSync(new Uint8Array(await zip.arrayBuffer()));
    const fox = Object.keys(files).find((n) => n.endsWith('.webp'))!;
    files[fox]![files[fox]!.length - 1]! ^= 1;
    // The source vault holds every blob, so none would be kept; all are still hashed.
    const before = await dump(source);
    const error = await rejection(restoreVaultArchive(source, blobOf(zipSync(files))));
    expect(error.code).toBe('bad-member');
    expect(await dump(source)).toEqual(before);
  });

  it('rolls back when bytes it dropped (the vault had them) vanish before the write', async () => {
    const source = freshDb();
    await seedVault(source);
    const zip = await archiveOf(source);

    // The target holds the fox bytes under another identity, so the archive's copy is checked and dropped.
    const target = freshDb();
    await recordRefs(target, [ref({ fileId: 'file_other' })], { source: 'live' });
    await saveBytes(target, 'file:file_other', webp(1));
    const sha = (await target.artifacts.get('file:file_other'))!.sha256!;
    // While the members are hashed, something else deletes those bytes (another tab, a cleanup).
    const digest = crypto.subtle.digest.bind(crypto.subtle);
    let deleted: Promise<unknown> | null = null;
    vi.spyOn(crypto.subtle, 'digest').mockImplementation((algorithm, data) => {
      deleted ??= target.transaction('rw', [target.artifacts, target.blobs], async () => {
        await target.artifacts.delete('file:file_other');
        await target.blobs.delete(sha);
      });
      return digest(algorithm, data);
    });
    await expect(restoreVaultArchive(target, zip)).rejects.toThrow(/vault changed while the backup was being checked/);
    await deleted;
    vi.restoreAllMocks();
    // Nothing of the archive was written: the vault is just what the deletion left.
    expect(await dump(target)).toEqual({ artifacts: [], blobs: [], conversations: [], snapshots: [] });
    // And a second try restores everything.
    await expect(restoreVaultArchive(target, zip)).resolves.toMatchObject({ added: 6 });
  });
});
