import Dexie from 'dexie';
import { afterEach } from 'vitest';
import type { ArtifactRef } from '@/utils/model';
import { createVaultDb, recordRefs, saveSnapshot, type VaultDb } from '@/utils/vault';
import { saveBytes } from '../vault/helpers';
import { createBlobSink, writeVaultArchive } from '@/utils/archive';

const opened: VaultDb[] = [];
let counter = 0;

/** A fresh, uniquely named vault, deleted after the test. */
export function freshDb(): VaultDb {
  const db = createVaultDb(`archive-test-${process.pid}-${++counter}-${Math.random().toString(36).slice(2)}`);
  opened.push(db);
  return db;
}

afterEach(async () => {
  for (const db of opened.splice(0)) {
    db.close();
    await Dexie.delete(db.name);
  }
});

export function ref(over: Partial<ArtifactRef> = {}): ArtifactRef {
  return {
    kind: 'image', conversationId: 'conv-1', messageId: 'msg-1', fallbackMessageId: null, fileId: 'file_a', genId: null,
    prompt: null, seed: null, fileName: null, sandboxPath: null, mimeType: null, size: null, width: null, height: null,
    createTime: null, onCurrentPath: true, ...over,
  };
}

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
/** Bytes that sniff as PNG / WebP (headers only; nobody decodes them here). */
export const png = (tag: number) => new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, tag]);
export const webp = (tag: number) => new Uint8Array([...ascii('RIFF'), 0x10, 0, 0, 0, ...ascii('WEBPVP8 '), tag]);
export const csv = (rows: number) => new TextEncoder().encode(['a,b', ...Array.from({ length: rows }, (_, i) => `${i},${i * 2}`)].join('\n'));

export function conversation(id: string, title: string, updateTime: number): string {
  return JSON.stringify({ conversation_id: id, title, update_time: updateTime, mapping: { root: { id: 'root', children: [] } } });
}

/**
 * A small but varied vault: two images sharing one blob, a chart, a sandbox CSV (deflated in the ZIP),
 * an expired sandbox file and a pending upload, in two conversations with snapshots.
 */
export async function seedVault(db: VaultDb): Promise<void> {
  await recordRefs(db, [
    ref({ fileId: 'file_fox', prompt: 'a fox poster', seed: 42, width: 1024, height: 1024, fileName: 'fox-poster.png' }),
    ref({ fileId: 'file_fox2', prompt: 'a fox poster, again', messageId: 'msg-2' }),
    ref({ kind: 'chart', fileId: 'file_chart', conversationId: 'conv-2' }),
    ref({ kind: 'sandbox-file', fileId: null, conversationId: 'conv-2', sandboxPath: '/mnt/data/sales.csv', fileName: 'sales.csv' }),
    ref({ kind: 'sandbox-file', fileId: null, conversationId: 'conv-2', sandboxPath: '/mnt/data/old.xlsx', fileName: 'old.xlsx' }),
    ref({ kind: 'upload', fileId: 'file_up', conversationId: 'conv-2', fileName: 'notes.txt' }),
  ], { source: 'live', conversationTitle: null });
  await saveBytes(db, 'file:file_fox', webp(1));
  await saveBytes(db, 'file:file_fox2', webp(1)); // same content: one blob, one member
  await saveBytes(db, 'file:file_chart', png(2), { source: 'backup' });
  await saveBytes(db, 'sandbox:conv-2:/mnt/data/sales.csv', csv(500));
  const { markStatus } = await import('@/utils/vault');
  await markStatus(db, 'sandbox:conv-2:/mnt/data/old.xlsx', 'expired', 'sandbox expired');
  // Snapshots last, as the capture pipeline does: saving one names its artifacts.
  await saveSnapshot(db, conversation('conv-1', 'Fox poster', 1776042590.3));
  await saveSnapshot(db, conversation('conv-2', 'Sales analysis', 1776042600));
}

export async function archiveOf(db: VaultDb, now = new Date('2026-11-22T10:00:00.000Z')): Promise<Blob> {
  const sink = createBlobSink(64);
  await writeVaultArchive(db, sink.writable, { now });
  return sink.toBlob();
}

/** Everything in a vault, blobs as bytes, for "unchanged" and "identical" comparisons. */
export async function dump(db: VaultDb) {
  const blobs = await db.blobs.orderBy('sha256').toArray();
  return {
    artifacts: await db.artifacts.orderBy('id').toArray(),
    blobs: await Promise.all(blobs.map(async (b) => ({ ...b, blob: Array.from(new Uint8Array(await b.blob.arrayBuffer())) }))),
    conversations: await db.conversations.orderBy('id').toArray(),
    snapshots: await db.snapshots.orderBy('id').toArray(),
  };
}
