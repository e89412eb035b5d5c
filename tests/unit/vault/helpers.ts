import Dexie from 'dexie';
import { afterEach } from 'vitest';
import type { ArtifactRef } from '@/utils/model';
import type { ByteSource } from '@/utils/files/bytes';
import { commitPrepared, createVaultDb, prepareBytes, type JobRecord, type SaveBytesInfo, type SaveBytesResult, type VaultDb } from '@/utils/vault';

const opened: VaultDb[] = [];
let counter = 0;

/** A fresh, uniquely named vault; deleted after the test. `setup` runs before first use (e.g. db.use()). */
export function freshDb(setup?: (db: VaultDb) => void): VaultDb {
  const db = createVaultDb(`vault-test-${process.pid}-${++counter}-${Math.random().toString(36).slice(2)}`);
  setup?.(db);
  opened.push(db);
  return db;
}

afterEach(async () => {
  for (const db of opened.splice(0)) {
    const name = db.name;
    db.close();
    await Dexie.delete(name);
  }
});

export function imageRef(over: Partial<ArtifactRef> = {}): ArtifactRef {
  return {
    kind: 'image',
    conversationId: 'conv-1',
    messageId: 'msg-1',
    fallbackMessageId: null,
    fileId: 'file_aaa',
    genId: null,
    prompt: null,
    seed: null,
    fileName: null,
    sandboxPath: null,
    mimeType: null,
    size: null,
    width: null,
    height: null,
    createTime: null,
    onCurrentPath: true,
    ...over,
  };
}

export function sandboxRef(path: string, over: Partial<ArtifactRef> = {}): ArtifactRef {
  return imageRef({ kind: 'sandbox-file', fileId: null, sandboxPath: path, fileName: path.split('/').pop() ?? null, ...over });
}

export const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
export const WEBP = new Uint8Array([...'RIFF'].map((c) => c.charCodeAt(0)).concat([0x10, 0, 0, 0], [...'WEBPVP8 '].map((c) => c.charCodeAt(0))));

/** Everything in every table, for "nothing was written" assertions. */
export async function dump(db: VaultDb) {
  return {
    artifacts: await db.artifacts.toArray(),
    blobs: (await db.blobs.toArray()).map((b) => ({ ...b, blob: b.blob.size })),
    conversations: await db.conversations.toArray(),
    snapshots: await db.snapshots.toArray(),
    jobs: await db.jobs.toArray(),
  };
}

export async function sha256Of(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Saves one artifact's bytes the way capture does (prepareBytes, then commitPrepared); throws the rejection. */
export async function saveBytes(db: VaultDb, artifactId: string, data: ByteSource, info: SaveBytesInfo = {}): Promise<SaveBytesResult> {
  const [outcome] = await commitPrepared(db, [await prepareBytes(artifactId, data, info)]);
  if (outcome instanceof Error) throw outcome;
  if (!outcome) throw new Error('commitPrepared returned no outcome');
  return outcome;
}

/** A job row as stored, or null. */
export async function getJob(db: VaultDb, id: string): Promise<JobRecord | null> {
  return (await db.jobs.get(id)) ?? null;
}

/** A conversation's stored JSON text, or null. */
export async function getSnapshot(db: VaultDb, id: string): Promise<string | null> {
  return (await db.snapshots.get(id))?.json ?? null;
}
