// @vitest-environment node
import { describe, expect, it } from 'vitest';
import type { ArtifactRecord } from '@/utils/vault';
import { compareNewestFirst } from '@/utils/library/groups';
import { listAllArtifacts, listConversationsById, listNewestArtifacts } from '@/utils/library/listing';
import { freshDb } from './helpers';

const T = Date.UTC(2026, 10, 22, 12);

function rec(i: number, over: Partial<ArtifactRecord> = {}): ArtifactRecord {
  return {
    id: `file:f${String(i).padStart(3, '0')}`, kind: 'image', conversationId: `c${i % 3}`, messageId: 'm', fallbackMessageId: null,
    fileId: `f${i}`, genId: null, prompt: null, seed: null, fileName: null, sandboxPath: null, width: null, height: null, createTime: null,
    status: 'saved', reason: null, sha256: 'a'.repeat(64), size: 1, declaredSize: null, mimeType: 'image/png', source: 'live',
    capturedAt: T + i * 1000, firstSeenAt: T + i * 1000, updatedAt: 0, conversationTitle: null, attempts: 0, ...over,
  };
}

/** 20 saved artifacts, and 6 without bytes (no capturedAt) whose first sightings fall between them. */
function vault(): ArtifactRecord[] {
  const saved = Array.from({ length: 20 }, (_, i) => rec(i));
  const statuses = ['pending', 'failed', 'expired'] as const;
  const without = Array.from({ length: 6 }, (_, k) => rec(100 + k, {
    status: statuses[k % 3], sha256: null, size: null, capturedAt: null, firstSeenAt: T + (3 * k + 17) * 1000 + 500,
  }));
  return [...saved, ...without];
}

describe('listNewestArtifacts', () => {
  it.each([1, 5, 8, 12, 26, 40])('returns the newest %i in gallery order, merging artifacts without bytes', async (limit) => {
    const db = freshDb();
    const all = vault();
    await db.artifacts.bulkPut(all);
    const got = await listNewestArtifacts(db, limit);
    expect(got.map((r) => r.id)).toEqual(all.slice().sort(compareNewestFirst).slice(0, limit).map((r) => r.id));
  });

  it('returns fewer than asked only when that is every artifact', async () => {
    const db = freshDb();
    await db.artifacts.bulkPut(vault());
    expect(await listNewestArtifacts(db, 26)).toHaveLength(26);
    expect(await listNewestArtifacts(db, 27)).toHaveLength(26);
  });
});

describe('listAllArtifacts', () => {
  it.each([1, 3, 26, 1000])('reads every record once in pages of %i', async (pageSize) => {
    const db = freshDb();
    const all = vault();
    await db.artifacts.bulkPut(all);
    const got = await listAllArtifacts(db, pageSize);
    expect(got.map((r) => r.id).sort()).toEqual(all.map((r) => r.id).sort());
  });

  it('reads an empty vault', async () => {
    expect(await listAllArtifacts(freshDb(), 5)).toEqual([]);
  });
});

describe('listConversationsById', () => {
  it('reads only the conversations asked for, skipping unknown ids; all without ids', async () => {
    const db = freshDb();
    const conv = (id: string, updateTime: number) => ({ id, title: id.toUpperCase(), updateTime, savedAt: 0, gizmoId: null });
    await db.conversations.bulkPut([conv('c1', 3), conv('c2', 2), conv('c3', 1)]);
    expect((await listConversationsById(db, ['c3', 'nope', 'c1', 'c3'])).map((c) => c.id).sort()).toEqual(['c1', 'c3']);
    expect((await listConversationsById(db)).map((c) => c.id)).toEqual(['c1', 'c2', 'c3']);
  });
});
