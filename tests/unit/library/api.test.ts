// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { unzipSync } from 'fflate';
import { createLibraryApi } from '@/utils/library/api';
import { freshDb, ref, seedSaved } from './helpers';
import { namePatternOrDefault } from '@/utils/files/name-pattern';
import { pngWithText, textChunks } from '../files/images';

/** `{name}` alone: what these tests check is the safe-name rule, not the pattern. */
const NAME_ONLY = { pattern: namePatternOrDefault('{name}'), writePrompt: false };
const unzipped = async (p: Promise<{ blob: Blob }>) => unzipSync(new Uint8Array(await (await p).blob.arrayBuffer()));

const T = new Date(2026, 10, 22).getTime();
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0]);

describe('LibraryApi.zipSelection', () => {
  it('writes members whose capture time a ZIP cannot hold (before 1980) without a date', async () => {
    const db = freshDb();
    await seedSaved(db, ref({ fileId: 'file_old', fileName: 'old.jpg' }), JPEG, 'image/jpeg', 1, 'Old');
    const files = await unzipped(createLibraryApi(db).zipSelection(await db.artifacts.toArray(), new Map(), NAME_ONLY));
    expect(Object.keys(files)).toEqual(['Old/old.jpg']);
  });

  it('names members with the safe-name rule: no bidi or zero-width characters, no path steps, the real extension', async () => {
    const db = freshDb();
    await seedSaved(db, ref({ fileId: 'file_a', fileName: 'invoice\u202Egpj.exe' }), JPEG, 'image/jpeg', T, 'Bills\u2067 \u200B2026');
    await seedSaved(db, ref({ fileId: 'file_b', conversationId: 'c2', fileName: '../../etc/passwd' }), JPEG.slice().reverse(), 'image/jpeg', T + 1, '..');
    const records = await db.artifacts.toArray();
    const titles = new Map<string, string | null>([['c1', 'Bills\u2067 \u200B2026'], ['c2', '..']]);
    const files = await unzipped(createLibraryApi(db).zipSelection(records, titles, NAME_ONLY));
    expect(Object.keys(files).sort()).toEqual(['Bills 2026/invoicegpj.exe.jpg', 'conversation/etc passwd.jpg']);
    expect(files['Bills 2026/invoicegpj.exe.jpg']).toEqual(JPEG);
  });

  it('keeps dots inside names: a conversation titled "Wait... what?" and a file "Q1..Q2 revenue.csv"', async () => {
    const db = freshDb();
    await seedSaved(db, ref({ fileId: 'file_q', fileName: 'Q1..Q2 revenue.csv' }), new TextEncoder().encode('q,revenue\n1,2\n'), 'text/csv', T, 'Wait... what?');
    const records = await db.artifacts.toArray();
    const titles = new Map<string, string | null>([['c1', 'Wait... what?']]);
    const files = await unzipped(createLibraryApi(db).zipSelection(records, titles, NAME_ONLY));
    expect(Object.keys(files)).toEqual(['Wait... what/Q1..Q2 revenue.csv']);
  });
});

describe('LibraryApi.zipSelection with the File names setting', () => {
  it('names members by the pattern, unique per folder, with the prompt written only into the copies', async () => {
    const db = freshDb();
    const png = pngWithText();
    const made = new Date(2026, 2, 14, 9).getTime() / 1000;
    await seedSaved(db, ref({ fileId: 'file_a', fileName: 'image.png', prompt: 'Sunset over lake', createTime: made }), png, 'image/png', T, 'Lake');
    await seedSaved(db, ref({ fileId: 'file_b', fileName: 'image.png', prompt: 'Sunset over lake', createTime: made }), png.slice(0, 60), 'image/png', T + 1, 'Lake');
    const records = await db.artifacts.toArray();
    const vaultBefore = await Promise.all(records.map(async (r) => new Uint8Array(await (await db.blobs.get(r.sha256!))!.blob.arrayBuffer())));
    const { blob, notes } = await createLibraryApi(db).zipSelection(records, new Map([['c1', 'Lake']]), { pattern: namePatternOrDefault(null), writePrompt: true });
    const files = unzipSync(new Uint8Array(await blob.arrayBuffer()));
    expect(Object.keys(files).sort()).toEqual(['Lake/2026-03-14 Sunset over lake - image (2).png', 'Lake/2026-03-14 Sunset over lake - image.png']);
    const withPrompt = Object.values(files).find((f) => f.length > png.length)!;
    expect(textChunks(withPrompt)).toEqual([['Description', 'Sunset over lake']]);
    // The malformed one goes as it was, and the person is told which and why.
    expect(Object.values(files).some((f) => f.length === 60)).toBe(true);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^Lake\/2026-03-14 Sunset over lake - image( \(2\))?\.png: .*PNG/);
    // The vault's bytes are what they were.
    const vaultAfter = await Promise.all(records.map(async (r) => new Uint8Array(await (await db.blobs.get(r.sha256!))!.blob.arrayBuffer())));
    expect(vaultAfter).toEqual(vaultBefore);
  });
});
