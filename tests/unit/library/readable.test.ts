// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { unzipSync } from 'fflate';
import { writeReadableArchive } from '@/utils/library/readable';
import { saveSnapshot } from '@/utils/vault/snapshots';
import { freshDb, ref, seedSaved } from './helpers';
import { namePatternOrDefault } from '@/utils/files/name-pattern';

const T = new Date(2026, 10, 22).getTime();
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0]);

describe('writeReadableArchive (the library page\'s readable-archive worker)', () => {
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
    const { blob, summary } = await writeReadableArchive(db);
    const files = unzipSync(new Uint8Array(await blob.arrayBuffer()));
    expect(summary).toMatchObject({ conversations: 2, assets: 2 });
    const names = Object.keys(files).sort();
    expect(names.filter((n) => n.startsWith('conversations/'))).toHaveLength(4);
    // Named by the default File names pattern: the conversation's day and title, then the file's own name.
    const a = names.find((n) => n.endsWith(' - a.jpg'))!;
    expect(a).toMatch(/^assets\/[^/]*One\/\d{4}-\d\d-\d\d One - a\.jpg$/);
    expect(files[a]).toEqual(JPEG);
  });

  it('names the assets by the pattern it is given, bytes unchanged', async () => {
    const db = freshDb();
    await seedSaved(db, ref({ fileId: 'file_a', fileName: 'a.jpg' }), JPEG, 'image/jpeg', T, 'One');
    await saveSnapshot(db, conv('c1', 'One'));
    const { blob } = await writeReadableArchive(db, { namePattern: namePatternOrDefault('{kind} {id}') });
    const files = unzipSync(new Uint8Array(await blob.arrayBuffer()));
    const asset = Object.keys(files).find((n) => n.startsWith('assets/'))!;
    expect(asset).toMatch(/^assets\/[^/]*One\/image file_a\.jpg$/);
    expect(files[asset]).toEqual(JPEG);
  });

  it('a selection: only the selected files and their conversations', async () => {
    const db = freshDb();
    const { id } = await seedSaved(db, ref({ fileId: FA, fileName: 'a.jpg' }), JPEG, 'image/jpeg', T, 'One');
    await seedSaved(db, ref({ fileId: FC, fileName: 'c.jpg' }), JPEG.slice(1), 'image/jpeg', T, 'One');
    await seedSaved(db, ref({ fileId: 'file_b', conversationId: 'c2', fileName: 'b.jpg' }), JPEG.slice().reverse(), 'image/jpeg', T, 'Two');
    await saveSnapshot(db, conv('c1', 'One', [FA, FC]));
    await saveSnapshot(db, conv('c2', 'Two'));
    const { blob, summary } = await writeReadableArchive(db, { artifactIds: new Set([id]) });
    const files = unzipSync(new Uint8Array(await blob.arrayBuffer()));
    const names = Object.keys(files);
    // file_c, in the same conversation but not selected, is left out, not named as lost.
    expect(summary).toMatchObject({ conversations: 1, assets: 1, notSaved: 0 });
    const md = new TextDecoder().decode(files[names.find((n) => n.endsWith('.md') && n.startsWith('conversations/'))!]);
    expect(md).not.toContain('Not saved');
    expect(names.some((n) => n.includes('c.jpg'))).toBe(false);
    expect(names.some((n) => n.endsWith(' - a.jpg'))).toBe(true);
    expect(names.some((n) => n.endsWith('/b.jpg') || n.includes('Two'))).toBe(false);
  });

  it('stops when its signal is aborted (the worker\'s Cancel): rejects with the abort', async () => {
    const db = freshDb();
    await seedSaved(db, ref({ fileId: 'file_a', fileName: 'a.jpg' }), JPEG, 'image/jpeg', T, 'One');
    await saveSnapshot(db, conv('c1', 'One'));
    const abort = new AbortController();
    const run = writeReadableArchive(db, { signal: abort.signal, onProgress: () => abort.abort() });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });
});
