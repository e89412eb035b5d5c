// @vitest-environment node
// Node env: happy-dom's Blob does not survive fake-indexeddb's structuredClone (toolchain.md F3).
/**
 * Restore (utils/archive/read.ts) beyond the round trip: ZIP refusals as archive errors, bytes dropped when
 * not needed, the bounds of issue 10 (total against quota, compression ratio, manifest budget), sniffed
 * types, duplicate and encrypted members, snapshots that never outrank the backend, and capture writing
 * while a restore runs.
 */
import { describe, expect, it, vi } from 'vitest';
import { strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { ArchiveError, readVaultArchive, restoreVaultArchive } from '@/utils/archive';
import { recordRefs, saveBytes } from '@/utils/vault';
import { layout } from '../zip/helpers';
import { archiveOf, dump, freshDb, ref, seedVault, webp } from './helpers';

const blobOf = (bytes: Uint8Array) => new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' });

async function rejection(promise: Promise<unknown>): Promise<ArchiveError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(ArchiveError);
  return error as ArchiveError;
}

describe('the ZIP layer\'s refusals reach the restore as archive errors', () => {
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
