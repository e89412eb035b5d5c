// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { unzipSync } from 'fflate';
import { createLibraryApi } from '@/utils/library/api';
import { freshDb, ref, seedSaved } from './helpers';

const T = new Date(2026, 10, 22).getTime();
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0]);

describe('LibraryApi.zipSelection', () => {
  it('writes members whose capture time a ZIP cannot hold (before 1980) without a date', async () => {
    const db = freshDb();
    await seedSaved(db, ref({ fileId: 'file_old', fileName: 'old.jpg' }), JPEG, 'image/jpeg', 1, 'Old');
    const files = unzipSync(new Uint8Array(await (await createLibraryApi(db).zipSelection(await db.artifacts.toArray(), new Map())).arrayBuffer()));
    expect(Object.keys(files)).toEqual(['Old/old.jpg']);
  });

  it('names members with the safe-name rule: no bidi or zero-width characters, no path steps, the real extension', async () => {
    const db = freshDb();
    await seedSaved(db, ref({ fileId: 'file_a', fileName: 'invoice\u202Egpj.exe' }), JPEG, 'image/jpeg', T, 'Bills\u2067 \u200B2026');
    await seedSaved(db, ref({ fileId: 'file_b', conversationId: 'c2', fileName: '../../etc/passwd' }), JPEG.slice().reverse(), 'image/jpeg', T + 1, '..');
    const records = await db.artifacts.toArray();
    const titles = new Map<string, string | null>([['c1', 'Bills\u2067 \u200B2026'], ['c2', '..']]);
    const files = unzipSync(new Uint8Array(await (await createLibraryApi(db).zipSelection(records, titles)).arrayBuffer()));
    expect(Object.keys(files).sort()).toEqual(['Bills 2026/invoicegpj.exe.jpg', 'conversation/etc passwd.jpg']);
    expect(files['Bills 2026/invoicegpj.exe.jpg']).toEqual(JPEG);
  });

  it('keeps dots inside names: a conversation titled "Wait... what?" and a file "Q1..Q2 revenue.csv" (issue 17)', async () => {
    const db = freshDb();
    await seedSaved(db, ref({ fileId: 'file_q', fileName: 'Q1..Q2 revenue.csv' }), new TextEncoder().encode('q,revenue\n1,2\n'), 'text/csv', T, 'Wait... what?');
    const records = await db.artifacts.toArray();
    const titles = new Map<string, string | null>([['c1', 'Wait... what?']]);
    const files = unzipSync(new Uint8Array(await (await createLibraryApi(db).zipSelection(records, titles)).arrayBuffer()));
    expect(Object.keys(files)).toEqual(['Wait... what/Q1..Q2 revenue.csv']);
  });
});
