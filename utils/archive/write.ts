/**
 * `Download backup`: streams the vault archive (docs/FORMATS.md section 1) through the product's ZIP writer
 * (utils/zip, ZIP64 where needed, so a vault over 4 GiB or 65,535 files stays restorable). The manifest
 * comes first and is built from records alone; then each distinct blob is read from IndexedDB one at a
 * time and streamed into the ZIP, so the vault's bytes are never all in memory, and the output goes to a
 * sink (in the page, `createBlobSink` folds it into disk-backable Blob parts).
 * Images and other already-compressed bytes are stored; JSON and text are deflated.
 *
 * Member names are `artifacts/<sha256>.<ext>` and `conversations/<id>.json`: made from hex digests and
 * ids, never from a file name, so nothing a page or a person wrote becomes a member name.
 */
import { createZipWriter, INVISIBLE_CHARS, unsafeNameReason, type ZipWriterOptions } from '@/utils/zip';
import { archiveContents, getBlob, getSnapshotJson, type VaultDb } from '@/utils/vault';
import {
  ARCHIVE_FORMAT, ARCHIVE_VERSION, MANIFEST_NAME, artifactMemberPath, conversationMemberPath, toManifestArtifact,
  toManifestConversation, type VaultManifest,
} from './manifest';

export interface WriteArchiveOptions {
  /** Archive creation time (tests pin it). */
  now?: Date;
  /** Native deflate / CRC-32 for Node callers (utils/zip/node.ts). */
  zip?: ZipWriterOptions;
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

/** A conversation id that can be a member name as it is (ChatGPT's are UUIDs). */
function safeConversationMember(id: string): boolean {
  INVISIBLE_CHARS.lastIndex = 0;
  return !id.includes('/') && !INVISIBLE_CHARS.test(id) && unsafeNameReason(conversationMemberPath(id)) === null;
}

const encoder = new TextEncoder();

/** Streams the whole vault into `sink` as a vault archive, and closes it. */
export async function writeVaultArchive(db: VaultDb, sink: WritableStream<Uint8Array>, options: WriteArchiveOptions = {}): Promise<WriteArchiveResult> {
  const now = options.now ?? new Date();
  // Records and keys only: no blob or snapshot is loaded here.
  const only = options.conversationId;
  const { records, blobKeys, snapshotKeys, conversations } = await archiveContents(db, only);
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
    conversations: conversations.filter((c) => haveSnapshot.has(c.id) && safeConversationMember(c.id)).map(toManifestConversation),
  };

  const zip = createZipWriter(sink, options.zip);
  await zip.add(MANIFEST_NAME, encoder.encode(JSON.stringify(manifest, null, 2)), { compress: true, lastModified: now });
  for (const [sha256, { path, mimeType }] of memberOf) {
    const blob = await getBlob(db, sha256);
    if (!blob) throw new Error(`The vault changed during the backup (bytes ${sha256} disappeared); try again.`);
    await zip.add(path, blob, { compress: !isCompressed(mimeType), lastModified: now });
  }
  for (const c of manifest.conversations) {
    const json = await getSnapshotJson(db, c.id);
    if (json === null) throw new Error(`The vault changed during the backup (conversation ${c.id} disappeared); try again.`);
    await zip.add(c.path, encoder.encode(json), { compress: true, lastModified: now });
  }
  await zip.close();
  return { manifest, bytes: zip.bytesWritten };
}

/**
 * A sink that collects the ZIP into a Blob. Chunks are folded into a Blob part every `foldBytes`, which
 * lets the browser move them out of the JS heap (Chromium pages large blobs to disk).
 */
export function createBlobSink(foldBytes = 8 << 20): { writable: WritableStream<Uint8Array>; toBlob(type?: string): Blob } {
  const parts: Blob[] = [];
  let chunks: Uint8Array<ArrayBuffer>[] = [];
  let size = 0;
  const fold = () => {
    if (chunks.length === 0) return;
    parts.push(new Blob(chunks));
    chunks = [];
    size = 0;
  };
  return {
    writable: new WritableStream<Uint8Array>({
      write(chunk) {
        // The writer may reuse nothing, but a caller's Uint8Array could be a view of a larger buffer.
        chunks.push(chunk.byteLength === chunk.buffer.byteLength ? (chunk as Uint8Array<ArrayBuffer>) : chunk.slice());
        size += chunk.length;
        if (size >= foldBytes) fold();
      },
    }),
    toBlob(type = 'application/zip') {
      fold();
      return new Blob(parts, { type });
    },
  };
}
