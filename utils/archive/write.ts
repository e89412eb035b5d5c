/**
 * `Download backup`: streams the vault archive (contracts.md section 1) through fflate's `Zip`.
 * The manifest comes first and is built from records alone; then each distinct blob is read from
 * IndexedDB one at a time and streamed into the ZIP, so the vault's bytes are never all in memory, and
 * the output goes to a sink (in the page, `createBlobSink` folds it into disk-backable Blob parts).
 * Images and other already-compressed bytes are stored (`ZipPassThrough`); JSON and text are deflated.
 */
import { Zip, ZipDeflate, ZipPassThrough, type ZipInputFile } from 'fflate';
import type { VaultDb } from '@/utils/vault';
import {
  ARCHIVE_FORMAT, ARCHIVE_VERSION, MANIFEST_NAME, artifactMemberPath, toManifestArtifact, toManifestConversation,
  type VaultManifest,
} from './manifest';

/** Where the ZIP bytes go. `write` may be async (a file stream); it is awaited before more is produced. */
export interface ArchiveSink {
  write(chunk: Uint8Array): void | Promise<void>;
}

export interface WriteArchiveOptions {
  /** Archive creation time (tests pin it). */
  now?: Date;
  /** Only this conversation: its snapshot and artifacts (`Download this conversation`). */
  conversationId?: string;
}

export interface WriteArchiveResult {
  manifest: VaultManifest;
  /** Number of bytes written to the sink. */
  bytes: number;
}

/** Types whose bytes are already compressed; deflating them again wastes time for nothing. */
function isCompressed(mime: string | null): boolean {
  if (!mime) return false;
  const m = mime.toLowerCase();
  if (m.startsWith('text/') || m === 'image/svg+xml' || m === 'image/bmp' || m === 'image/tiff') return false;
  if (m.startsWith('image/') || m.startsWith('video/') || m.startsWith('audio/')) return true;
  return /zip|gzip|pdf|compressed|x-7z|rar|octet-stream|officedocument|epub/.test(m);
}

const encoder = new TextEncoder();

/** Streams the whole vault into `sink` as a vault archive. */
export async function writeVaultArchive(db: VaultDb, sink: ArchiveSink, options: WriteArchiveOptions = {}): Promise<WriteArchiveResult> {
  const now = options.now ?? new Date();
  // Keys only: neither call loads a blob or a snapshot.
  const only = options.conversationId;
  const [records, blobKeys, snapshotKeys, conversations] = await Promise.all([
    only === undefined
      ? db.artifacts.orderBy('id').toArray()
      : db.artifacts.where('conversationId').equals(only).toArray().then((rs) => rs.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))),
    db.blobs.toCollection().primaryKeys(),
    only === undefined ? db.snapshots.toCollection().primaryKeys() : db.snapshots.where('id').equals(only).primaryKeys(),
    only === undefined ? db.conversations.orderBy('id').toArray() : db.conversations.where('id').equals(only).toArray(),
  ]);
  const haveBlob = new Set(blobKeys);
  const haveSnapshot = new Set(snapshotKeys);

  // One member per distinct content; its extension follows the first record (by id) holding it.
  const memberOf = new Map<string, { path: string; mimeType: string | null }>();
  for (const r of records) {
    if (r.status !== 'saved' || r.sha256 === null || !haveBlob.has(r.sha256) || memberOf.has(r.sha256)) continue;
    memberOf.set(r.sha256, { path: artifactMemberPath(r.sha256, r.mimeType), mimeType: r.mimeType });
  }
  const manifest: VaultManifest = {
    format: ARCHIVE_FORMAT,
    version: ARCHIVE_VERSION,
    createdAt: now.toISOString(),
    artifacts: records.map((r) => {
      const member = r.status === 'saved' && r.sha256 !== null ? memberOf.get(r.sha256) : undefined;
      return toManifestArtifact(r, member?.path ?? null);
    }),
    conversations: conversations.filter((c) => haveSnapshot.has(c.id)).map(toManifestConversation),
  };

  let written = 0;
  let failure: Error | null = null;
  const queue: Uint8Array[] = [];
  const zip = new Zip((err, chunk, _final) => {
    if (err) failure = err;
    else queue.push(chunk);
  });
  const drain = async () => {
    if (failure) throw failure;
    while (queue.length > 0) {
      const chunk = queue.shift()!;
      written += chunk.length;
      await sink.write(chunk);
    }
  };
  const addMember = async (file: ZipInputFile & { push(c: Uint8Array, f?: boolean): void }, source: Blob | Uint8Array) => {
    file.mtime = now;
    zip.add(file);
    if (source instanceof Uint8Array) {
      file.push(source, true);
      await drain();
      return;
    }
    await pushBlob(source, (c, final) => file.push(c, final), drain);
  };

  await addMember(new ZipDeflate(MANIFEST_NAME, { level: 6 }), encoder.encode(JSON.stringify(manifest, null, 2)));

  for (const [sha256, { path, mimeType }] of memberOf) {
    const row = await db.blobs.get(sha256);
    if (!row) throw new Error(`The vault changed during the backup (bytes ${sha256} disappeared); try again.`);
    const file = isCompressed(mimeType) ? new ZipPassThrough(path) : new ZipDeflate(path, { level: 6 });
    await addMember(file, row.blob);
  }
  for (const c of manifest.conversations) {
    const snap = await db.snapshots.get(c.id);
    if (!snap) throw new Error(`The vault changed during the backup (conversation ${c.id} disappeared); try again.`);
    await addMember(new ZipDeflate(c.path, { level: 6 }), encoder.encode(snap.json));
  }
  zip.end();
  await drain();
  return { manifest, bytes: written };
}

/** Streams a Blob in chunks (falls back to one read where `stream()` is missing). */
async function pushBlob(blob: Blob, push: (chunk: Uint8Array, final: boolean) => void, drain: () => Promise<void>): Promise<void> {
  if (typeof blob.stream !== 'function') {
    push(new Uint8Array(await blob.arrayBuffer()), true);
    await drain();
    return;
  }
  const reader = blob.stream().getReader();
  let pending: Uint8Array | null = null;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    // Hold one chunk back so the last one can be pushed with `final = true`.
    if (pending) {
      push(pending, false);
      await drain();
    }
    pending = value;
  }
  push(pending ?? new Uint8Array(0), true);
  await drain();
}

/**
 * A sink that collects the ZIP into a Blob. Chunks are folded into a Blob part every `foldBytes`, which
 * lets the browser move them out of the JS heap (Chromium pages large blobs to disk).
 */
export function createBlobSink(foldBytes = 8 << 20): ArchiveSink & { toBlob(type?: string): Blob } {
  const parts: Blob[] = [];
  let chunks: Uint8Array[] = [];
  let size = 0;
  const fold = () => {
    if (chunks.length === 0) return;
    parts.push(new Blob(chunks as BlobPart[]));
    chunks = [];
    size = 0;
  };
  return {
    write(chunk) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= foldBytes) fold();
    },
    toBlob(type = 'application/zip') {
      fold();
      return new Blob(parts, { type });
    },
  };
}
