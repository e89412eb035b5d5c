// @vitest-environment node
// Node env: happy-dom's Blob does not survive fake-indexeddb's structuredClone (docs/TOOLCHAIN.md F3).
/**
 * Restore (utils/archive/read.ts) beyond the round trip: ZIP refusals as archive errors, bytes dropped when
 * not needed, the bounds of issue 10 (total against quota, compression ratio, manifest budget), sniffed
 * types, duplicate and encrypted members, snapshots that never outrank the backend, and capture writing
 * while a restore runs.
 */
import { describe, expect, it, vi } from 'vitest';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { ArchiveError, restoreVaultArchive, type VaultManifest } from '@/utils/archive';
import { recordRefs, saveSnapshot, type VaultDb } from '@/utils/vault';
import { saveBytes } from '../vault/helpers';
import { layout } from '../zip/helpers';
import { archiveOf, conversation, dump, freshDb, png, ref, seedVault, webp } from './helpers';

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
    const error = await rejection(restoreVaultArchive(freshDb(), blobOf(zip)));
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
    await (deleted as Promise<unknown> | null);
    vi.restoreAllMocks();
    // Nothing of the archive was written: the vault is just what the deletion left.
    expect(await dump(target)).toEqual({ artifacts: [], blobs: [], conversations: [], snapshots: [] });
    // And a second try restores everything.
    await expect(restoreVaultArchive(target, zip)).resolves.toMatchObject({ added: 6 });
  });
});

/** The archive's members and manifest, to tamper with and zip again. */
async function partsOf(zip: Blob): Promise<{ files: Record<string, Uint8Array>; manifest: VaultManifest }> {
  const files = unzipSync(new Uint8Array(await zip.arrayBuffer()));
  return { files, manifest: JSON.parse(new TextDecoder().decode(files['manifest.json'])) as VaultManifest };
}
const rezip = (files: Record<string, Uint8Array>, manifest: unknown) =>
  blobOf(zipSync({ ...files, 'manifest.json': strToU8(JSON.stringify(manifest)) }));

/** The target every refusal below must leave exactly as it was. */
async function occupiedVault(): Promise<VaultDb> {
  const target = freshDb();
  await saveSnapshot(target, conversation('conv-7', 'Already here', 5));
  await recordRefs(target, [ref({ fileId: 'file_here', conversationId: 'conv-7' })], { source: 'live' });
  await saveBytes(target, 'file:file_here', png(3));
  return target;
}

async function refusedUnchanged(zip: Blob, code: string, message: RegExp): Promise<void> {
  const target = await occupiedVault();
  const before = await dump(target);
  const error = await rejection(restoreVaultArchive(target, zip));
  expect(error.code).toBe(code);
  expect(error.message).toMatch(message);
  expect(await dump(target)).toEqual(before);
}

/** Rewrites every occurrence of one member name (same byte length) in a ZIP. */
function renameMember(zip: Uint8Array, from: string, to: string): Uint8Array {
  const out = zip.slice();
  const a = new TextEncoder().encode(from);
  const b = new TextEncoder().encode(to);
  for (let i = 0; i + a.length <= out.length; i++) if (a.every((x, k) => out[i + k] === x)) out.set(b, i);
  return out;
}

describe('restore refuses duplicate and encrypted members', () => {
  it('two members with one name (which copy would be checked, which written?)', async () => {
    const source = freshDb();
    await seedVault(source);
    const { files, manifest } = await partsOf(await archiveOf(source));
    const fox = manifest.artifacts.find((a) => a.fileId === 'file_fox')!.path!;
    // A second copy under a same-length placeholder name, then renamed onto the first.
    const placeholder = fox.replace('artifacts/', 'artifactz/');
    const zip = renameMember(zipSync({ ...files, [placeholder]: png(9) }), placeholder, fox);
    await refusedUnchanged(blobOf(zip), 'hostile-name', /appears twice/);
  });

  it('an encrypted member', async () => {
    const source = freshDb();
    await seedVault(source);
    const bytes = new Uint8Array(await (await archiveOf(source)).arrayBuffer());
    const { view, entries } = layout(bytes);
    const member = entries.find((e) => e.name.startsWith('artifacts/'))!;
    view.setUint16(member.at + 8, view.getUint16(member.at + 8, true) | 1, true);
    await refusedUnchanged(blobOf(bytes), 'not-zip', /is encrypted/);
  });
});

describe('restore bounds', () => {
  it('refuses a member that inflates over 100:1 before inflating it (a small ZIP claiming a lot of memory)', async () => {
    const source = freshDb();
    await recordRefs(source, [ref({ kind: 'sandbox-file', fileId: null, sandboxPath: '/mnt/data/a.txt' })], { source: 'live' });
    await saveBytes(source, 'sandbox:conv-1:/mnt/data/a.txt', new TextEncoder().encode('a'.repeat(8 << 20)));
    const zip = await archiveOf(source);
    expect(zip.size).toBeLessThan(100_000);
    await refusedUnchanged(zip, 'too-large', /would inflate from \d+ to 8388608 bytes \(over 100:1\)/);
  });

  describe('against the storage the browser has left', () => {
    const real = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    const estimate = vi.fn<() => Promise<StorageEstimate>>();
    const stub = () => Object.defineProperty(globalThis, 'navigator', { value: { storage: { estimate } }, configurable: true });
    const unstub = () => (real ? Object.defineProperty(globalThis, 'navigator', real) : Reflect.deleteProperty(globalThis, 'navigator'));

    it('refuses a restore that would not fit, and restores one that does', async () => {
      const source = freshDb();
      await seedVault(source);
      const zip = await archiveOf(source);
      stub();
      try {
        estimate.mockResolvedValue({ quota: 10_000, usage: 9_000 });
        await refusedUnchanged(zip, 'too-large', /would add [\d.]+ MB to the vault, but the browser has only 0\.0 MB of storage left/);
        estimate.mockResolvedValue({ quota: 1e9, usage: 1e6 });
        await expect(restoreVaultArchive(freshDb(), zip)).resolves.toMatchObject({ added: 6 });
      } finally {
        unstub();
      }
    });
  });

  it('refuses a manifest far larger than its entries need, before decoding or parsing it', async () => {
    const source = freshDb();
    await seedVault(source);
    const { files, manifest } = await partsOf(await archiveOf(source));
    // 8 entries; 2 MiB of padding in an extra field readers ignore (under the per-string cap).
    let seed = 1;
    const letters = (n: number) => Array.from({ length: n }, () => String.fromCharCode(97 + ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) % 26)).join('');
    const padded = { ...manifest, padding: Array.from({ length: 10 }, () => letters(200 << 10)) };
    const parse = vi.spyOn(JSON, 'parse');
    await refusedUnchanged(rezip(files, padded), 'too-large', /manifest is 2\.\d MiB for 8 entries/);
    expect(parse.mock.calls.some(([text]) => typeof text === 'string' && text.includes('"padding"'))).toBe(false);
  });

  it('refuses a manifest text over 256 KiB (a prompt no vault holds)', async () => {
    const source = freshDb();
    await seedVault(source);
    const { files, manifest } = await partsOf(await archiveOf(source));
    manifest.artifacts[0]!.prompt = 'x'.repeat(300 << 10);
    await refusedUnchanged(rezip(files, manifest), 'too-large', /text over 256 KiB/);
  });
});

describe('restore sniffs the bytes', () => {
  it('takes the type from the bytes, not the manifest, and fixes the name', async () => {
    const source = freshDb();
    await seedVault(source);
    const { files, manifest } = await partsOf(await archiveOf(source));
    const chart = manifest.artifacts.find((a) => a.fileId === 'file_chart')!;
    Object.assign(chart, { mimeType: 'text/html', fileName: 'chart.html' });
    const target = freshDb();
    await restoreVaultArchive(target, rezip(files, manifest));
    const record = (await target.artifacts.get('file:file_chart'))!;
    expect(record).toMatchObject({ mimeType: 'image/png', fileName: 'chart.png' });
    expect((await target.blobs.get(record.sha256!))!.mimeType).toBe('image/png');
  });
});

describe('restored snapshots never outrank the backend', () => {
  it('a forged updateTime of 9e12 does not freeze a forged title: the next genuine read replaces it', async () => {
    const source = freshDb();
    await seedVault(source);
    const { files, manifest } = await partsOf(await archiveOf(source));
    Object.assign(manifest.conversations.find((c) => c.id === 'conv-1')!, { updateTime: 9e12, title: 'Forged' });
    const target = freshDb();
    await restoreVaultArchive(target, rezip(files, manifest));
    expect(await target.conversations.get('conv-1')).toMatchObject({ title: 'Forged', source: 'restored' });

    // The backend then serves the conversation as it is (older than the forged time).
    await expect(saveSnapshot(target, conversation('conv-1', 'Genuine', 1776042590.3))).resolves.toEqual({ id: 'conv-1', saved: true });
    const row = (await target.conversations.get('conv-1'))!;
    expect(row).toMatchObject({ title: 'Genuine', updateTime: 1776042590.3 });
    expect(row.source).toBeUndefined();
    expect((await target.artifacts.get('file:file_fox'))!.conversationTitle).toBe('Genuine');
    // And restoring the same archive again does not bring the forgery back over a genuine snapshot... unless newer;
    // it is newer (9e12), so it comes back as restored, and the next genuine read wins again.
    await restoreVaultArchive(target, rezip(files, manifest));
    await saveSnapshot(target, conversation('conv-1', 'Genuine', 1776042590.3));
    expect((await target.conversations.get('conv-1'))!.title).toBe('Genuine');
  });
});

describe('restore while capture writes', () => {
  it('loses nothing: records and bytes from both sides are all there afterwards', async () => {
    const source = freshDb();
    await seedVault(source);
    const zip = await archiveOf(source);
    const target = freshDb();
    // Capture already knows one of the archive's identities, without bytes yet.
    await recordRefs(target, [ref({ kind: 'chart', fileId: 'file_chart', conversationId: 'conv-2' })], { source: 'live' });

    const capture = async () => {
      for (let i = 0; i < 20; i++) {
        await recordRefs(target, [ref({ fileId: `file_live${i}`, conversationId: 'conv-live' })], { source: 'live' });
        await saveBytes(target, `file:file_live${i}`, png(100 + i));
        if (i === 5) await saveBytes(target, 'file:file_chart', png(2));
        await new Promise((r) => setTimeout(r, 0));
      }
    };
    const [result] = await Promise.all([restoreVaultArchive(target, zip), capture()]);
    expect(result.added + result.updated + result.alreadyPresent).toBe(6);

    const records = await target.artifacts.toArray();
    expect(records).toHaveLength(26);
    for (let i = 0; i < 20; i++) expect(records.find((r) => r.id === `file:file_live${i}`)).toMatchObject({ status: 'saved', source: 'live' });
    expect(records.find((r) => r.id === 'file:file_chart')).toMatchObject({ status: 'saved' });
    // Every saved record's bytes exist and match.
    for (const r of records.filter((x) => x.status === 'saved')) {
      const blob = (await target.blobs.get(r.sha256!))!;
      expect(blob.size).toBe(r.size);
    }
    expect(await target.snapshots.count()).toBe(2);
  });
});
