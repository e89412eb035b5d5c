// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { unzipSync } from 'fflate';
import { createLibraryApi } from '@/utils/library/api';
import { saveSnapshot } from '@/utils/vault/snapshots';
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

  it('keeps dots inside names: a conversation titled "Wait... what?" and a file "Q1..Q2 revenue.csv"', async () => {
    const db = freshDb();
    await seedSaved(db, ref({ fileId: 'file_q', fileName: 'Q1..Q2 revenue.csv' }), new TextEncoder().encode('q,revenue\n1,2\n'), 'text/csv', T, 'Wait... what?');
    const records = await db.artifacts.toArray();
    const titles = new Map<string, string | null>([['c1', 'Wait... what?']]);
    const files = unzipSync(new Uint8Array(await (await createLibraryApi(db).zipSelection(records, titles)).arrayBuffer()));
    expect(Object.keys(files)).toEqual(['Wait... what/Q1..Q2 revenue.csv']);
  });
});

describe('LibraryApi.writeReadable', () => {
  // Ids of the real shape: the walker finds only those in attachments.
  const FA = `file_${'a'.repeat(32)}`;
  const FC = `file_${'c'.repeat(32)}`;
  const conv = (id: string, title: string, files: string[] = []) => ({
    conversation_id: id, title, create_time: 1776000000, update_time: 1776042590, current_node: 'u',
    mapping: {
      u: {
        id: 'u', parent: null, children: [],
        message: { id: 'm1', author: { role: 'user' }, content: { content_type: 'text', parts: [`about ${title}`] }, metadata: { attachments: files.map((f) => ({ id: f, name: `${f}.jpg` })) } },
      },
    },
  });

  it('the whole vault: every conversation and every saved file, bytes unchanged', async () => {
    const db = freshDb();
    await seedSaved(db, ref({ fileId: 'file_a', fileName: 'a.jpg' }), JPEG, 'image/jpeg', T, 'One');
    await seedSaved(db, ref({ fileId: 'file_b', conversationId: 'c2', fileName: 'b.jpg' }), JPEG.slice().reverse(), 'image/jpeg', T, 'Two');
    await saveSnapshot(db, conv('c1', 'One'));
    await saveSnapshot(db, conv('c2', 'Two'));
    const { blob, summary } = await createLibraryApi(db).writeReadable();
    const files = unzipSync(new Uint8Array(await blob.arrayBuffer()));
    expect(summary).toMatchObject({ conversations: 2, assets: 2 });
    const names = Object.keys(files).sort();
    expect(names.filter((n) => n.startsWith('conversations/'))).toHaveLength(4);
    const a = names.find((n) => n.endsWith('/a.jpg'))!;
    expect(a).toMatch(/^assets\/[^/]*One\/a\.jpg$/);
    expect(files[a]).toEqual(JPEG);
  });

  it('a selection: only the selected files and their conversations', async () => {
    const db = freshDb();
    const { id } = await seedSaved(db, ref({ fileId: FA, fileName: 'a.jpg' }), JPEG, 'image/jpeg', T, 'One');
    await seedSaved(db, ref({ fileId: FC, fileName: 'c.jpg' }), JPEG.slice(1), 'image/jpeg', T, 'One');
    await seedSaved(db, ref({ fileId: 'file_b', conversationId: 'c2', fileName: 'b.jpg' }), JPEG.slice().reverse(), 'image/jpeg', T, 'Two');
    await saveSnapshot(db, conv('c1', 'One', [FA, FC]));
    await saveSnapshot(db, conv('c2', 'Two'));
    const { blob, summary } = await createLibraryApi(db).writeReadable(new Set([id]));
    const files = unzipSync(new Uint8Array(await blob.arrayBuffer()));
    const names = Object.keys(files);
    // file_c, in the same conversation but not selected, is left out, not named as lost.
    expect(summary).toMatchObject({ conversations: 1, assets: 1, notSaved: 0 });
    const md = new TextDecoder().decode(files[names.find((n) => n.endsWith('.md') && n.startsWith('conversations/'))!]);
    expect(md).not.toContain('Not saved');
    expect(names.some((n) => n.includes('c.jpg'))).toBe(false);
    expect(names.some((n) => n.endsWith('/a.jpg'))).toBe(true);
    expect(names.some((n) => n.endsWith('/b.jpg') || n.includes('Two'))).toBe(false);
  });
});
