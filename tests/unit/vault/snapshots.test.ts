// @vitest-environment node
import { describe, expect, it, vi } from 'vitest';
import { getArtifact, listConversations, recordRefs, saveSnapshot, snapshotIsCurrent, VaultError } from '@/utils/vault';
import { dump, freshDb, getSnapshot, imageRef } from './helpers';

/** A conversation body shaped like GET /backend-api/conversation/{id} (docs/CHATGPT.md 3.1). */
function conversation(over: Record<string, unknown> = {}) {
  return {
    conversation_id: 'conv-1', title: 'Fox poster', create_time: 1776041423.46, update_time: 1776042590.3,
    current_node: 'n1', gizmo_id: null,
    mapping: { 'client-created-root': { id: 'client-created-root', message: null, parent: null, children: ['n1'] } },
    ...over,
  };
}

describe('saveSnapshot', () => {
  it('stores the text exactly as received and a metadata row', async () => {
    const db = freshDb();
    vi.spyOn(Date, 'now').mockReturnValue(5_000);
    // Odd spacing and key order must survive: the archive holds the backend's JSON as received.
    const text = `{"title":"Fox poster",  "mapping":{}, "conversation_id":"conv-1","update_time":1776042590.3,"gizmo_id":"g-abc"}`;
    expect(await saveSnapshot(db, text)).toEqual({ id: 'conv-1', saved: true });
    expect(await getSnapshot(db, 'conv-1')).toBe(text);
    expect(await listConversations(db)).toEqual([
      { id: 'conv-1', title: 'Fox poster', updateTime: 1776042590.3, savedAt: 5_000, gizmoId: 'g-abc' },
    ]);
  });

  it('stringifies an object, takes `id` when there is no conversation_id, and honours the gizmoId option', async () => {
    const db = freshDb();
    const obj = conversation({ conversation_id: undefined, id: 'conv-9' });
    await saveSnapshot(db, obj, { gizmoId: 'g-project' });
    expect(JSON.parse((await getSnapshot(db, 'conv-9'))!)).toEqual(JSON.parse(JSON.stringify(obj)));
    expect((await listConversations(db))[0]).toMatchObject({ id: 'conv-9', gizmoId: 'g-project' });
  });

  it.each([
    ['older', 100, 50, false, 'v1'],
    ['newer', 100, 150, true, 'v2'],
    ['equal', 100, 100, true, 'v2'],
    ['undated after dated', 100, null, false, 'v1'],
    ['dated after undated', null, 100, true, 'v2'],
    ['ISO string newer than float', 100, '1970-01-01T00:02:00Z', true, 'v2'],
  ])('keeps the newer snapshot: %s', async (_name, first, second, saved, kept) => {
    const db = freshDb();
    await saveSnapshot(db, conversation({ update_time: first, title: 'v1' }));
    expect((await saveSnapshot(db, conversation({ update_time: second, title: 'v2' }))).saved).toBe(saved);
    expect((JSON.parse((await getSnapshot(db, 'conv-1'))!) as { title: string }).title).toBe(kept);
    expect((await listConversations(db))[0]?.title).toBe(kept);
  });

  it('updates the conversation title on its artifacts', async () => {
    const db = freshDb();
    await recordRefs(db, [imageRef(), imageRef({ fileId: 'file_other', conversationId: 'conv-2' })], { source: 'live', conversationTitle: 'Old' });
    await saveSnapshot(db, conversation({ title: 'Renamed' }));
    expect((await getArtifact(db, 'file:file_aaa'))?.conversationTitle).toBe('Renamed');
    expect((await getArtifact(db, 'file:file_other'))?.conversationTitle).toBe('Old');
  });

  it.each([
    ['not JSON', '{"mapping":', 'invalid-snapshot'],
    ['an array', '[1,2]', 'invalid-snapshot'],
    ['no id', JSON.stringify({ mapping: {} }), 'invalid-snapshot'],
    ['empty id', JSON.stringify({ conversation_id: '', mapping: {} }), 'invalid-snapshot'],
    ['no mapping', JSON.stringify({ conversation_id: 'c' }), 'invalid-snapshot'],
    ['array mapping', JSON.stringify({ conversation_id: 'c', mapping: [] }), 'invalid-snapshot'],
    ['a number', 42, 'invalid-snapshot'],
    ['null', null, 'invalid-snapshot'],
  ])('rejects %s and writes nothing', async (_name, input, code) => {
    const db = freshDb();
    await saveSnapshot(db, conversation());
    const before = await dump(db);
    const error = await saveSnapshot(db, input as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultError);
    expect((error as VaultError).code).toBe(code);
    expect(await dump(db)).toEqual(before);
  });
});

describe('listConversations', () => {
  it('lists metadata newest first, undated last', async () => {
    const db = freshDb();
    await saveSnapshot(db, conversation({ conversation_id: 'a', update_time: 10 }));
    await saveSnapshot(db, conversation({ conversation_id: 'b', update_time: null }));
    await saveSnapshot(db, conversation({ conversation_id: 'c', update_time: 30 }));
    expect((await listConversations(db)).map((c) => c.id)).toEqual(['c', 'a', 'b']);
  });
});

describe('snapshotIsCurrent: the one "is this snapshot current" rule', () => {
  const backend = (updateTime: number | null) => ({ updateTime });
  const restored = (updateTime: number | null) => ({ updateTime, source: 'restored' as const });
  const legacyRestored = (updateTime: number | null) => ({ updateTime, restored: true });
  const tab = (updateTime: number | null) => ({ updateTime, source: 'tab' as const });
  it.each([
    ['nothing held', undefined, restored(null), false],
    ['backend held, older backend incoming', backend(2), backend(1), true],
    ['backend held, same time (listing digits differ)', backend(1), backend(1.0005), true],
    ['backend held, newer backend incoming', backend(1), backend(2), false],
    ['backend held, undated incoming', backend(1), backend(null), true],
    ['undated held, dated incoming', backend(null), backend(1), false],
    ['restored held (a forged 9e12), older backend', restored(9e12), backend(1), false],
    ['restored held, even against an undated backend read', restored(9e12), backend(null), false],
    ['restored held by an earlier version (restored: true)', legacyRestored(9e12), backend(1), false],
    ['tab-delivered held (a forged 9e12), backend', tab(9e12), backend(1), false],
    ['tab-delivered held against an older tab copy', tab(9e12), tab(1), true],
    ['tab-delivered held against a newer tab copy', tab(1), tab(2), false],
    ['backend held against an equal restored copy', backend(1), restored(1), true],
    ['backend held against a strictly newer restored copy', backend(1), restored(2), false],
    ['backend held against an equal tab copy', backend(1), tab(1), true],
    ['restored held against an equal restored copy', restored(1), restored(1), true],
  ] as const)('%s', (_what, held, other, expected) => {
    expect(snapshotIsCurrent(held, other)).toBe(expected);
  });
});

describe('saveSnapshot by source', () => {
  it('a tab or restored copy replaces only when strictly newer; the backend replaces any copy', async () => {
    const db = freshDb();
    await saveSnapshot(db, conversation({ update_time: 100, title: 'backend' }));
    expect((await saveSnapshot(db, conversation({ update_time: 100, title: 'tab' }), { source: 'tab' })).saved).toBe(false);
    expect((await saveSnapshot(db, conversation({ update_time: 9e12, title: 'tab' }), { source: 'tab' })).saved).toBe(true);
    expect((await db.conversations.get('conv-1'))?.source).toBe('tab');
    expect((await saveSnapshot(db, conversation({ update_time: 50, title: 'backend again' }))).saved).toBe(true);
    const row = await db.conversations.get('conv-1');
    expect(row).toMatchObject({ title: 'backend again', updateTime: 50 });
    expect(row?.source).toBeUndefined();
  });
});
