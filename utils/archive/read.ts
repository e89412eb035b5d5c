/**
 * `Restore backup`: validate everything first, then merge in one transaction (contracts.md section 1,
 * "Restore is all or nothing" and "Restore merges").
 *
 * `readVaultArchive` checks the ZIP directory (names, sizes, methods), the manifest (format, version,
 * fields), that every path it names exists, and every member's bytes (CRC, SHA-256 against its name and
 * its entry, declared size, inflated size bounds). Only then does `restoreVaultArchive` touch the vault,
 * in a single Dexie transaction, so a failure at any point leaves the vault exactly as it was.
 */
import { artifactIdentity, type ArtifactSource } from '@/utils/model';
import { sha256Hex } from '@/utils/files/bytes';
import type { ArtifactRecord, ConversationRecord, SnapshotRecord, VaultDb } from '@/utils/vault';
import { ArchiveError } from './errors';
import { MANIFEST_NAME, parseManifest, type ManifestArtifact, type ManifestConversation, type VaultManifest } from './manifest';
import { readZipDirectory, ZipMemberReader, type ZipMember } from './zip-reader';

export interface ReadArchiveOptions {
  /** Largest member accepted, inflated (default 1 GiB: far above any ChatGPT file, far below a bomb). */
  maxMemberBytes?: number;
  /** Largest manifest or conversation snapshot accepted (default 256 MiB). */
  maxJsonBytes?: number;
  /** Bytes fetched per read of the file (default 4 MiB; tests make it small to cross window edges). */
  windowBytes?: number;
}

/** An archive whose every member has been checked. Bytes are kept as Blobs (file slices when stored). */
export interface ValidatedArchive {
  manifest: VaultManifest;
  /** Artifact bytes by SHA-256 (restore keeps only those it will write; every member is still checked). */
  blobs: Map<string, { blob: Blob; size: number; mimeType: string }>;
  /** Snapshot JSON text by conversation id, as Blobs (read as text only when it will be written). */
  snapshots: Map<string, Blob>;
}

const DEFAULT_MAX_MEMBER = 1 << 30;
const DEFAULT_MAX_JSON = 256 << 20;
const FALLBACK_MIME = 'application/octet-stream';
const ARTIFACT_NAME_RE = /^artifacts\/([0-9a-f]{64})(?:\.[a-z0-9]{1,10})?$/;
/** Digests in flight while the next members are read (WebCrypto hashes off the main thread; in Chromium
 * 256 in flight validated 10,000 members ~30% faster than 16, 2026-11). Bytes bound the memory. */
const MAX_PENDING_HASHES = 256;
const MAX_PENDING_HASH_BYTES = 64 << 20;

/** The directory and manifest of an archive, checked; members not yet read. */
interface OpenedArchive {
  manifest: VaultManifest;
  reader: ZipMemberReader;
  /** What each referenced artifact member must hold, by path. */
  expected: Map<string, { sha256: string; size: number; mimeType: string | null }>;
  maxMember: number;
  maxJson: number;
}

/** Which checked bytes to keep for a write; the rest are checked the same way and dropped. */
interface Keep {
  blob(sha256: string): boolean;
  snapshot(conversationId: string): boolean;
  /** Keep snapshots as the text already decoded for checking, not as Blobs to read again. */
  snapshotText?: boolean;
}
const KEEP_ALL: Keep = { blob: () => true, snapshot: () => true };

/** Validates a vault archive without writing anything. Throws ArchiveError on the first problem. */
export async function readVaultArchive(file: Blob, options: ReadArchiveOptions = {}): Promise<ValidatedArchive> {
  return checkMembers(await openArchive(file, options), KEEP_ALL);
}

/** Reads the directory (names, sizes, methods, overlaps) and the manifest, and checks every path exists. */
async function openArchive(file: Blob, options: ReadArchiveOptions): Promise<OpenedArchive> {
  const maxMember = options.maxMemberBytes ?? DEFAULT_MAX_MEMBER;
  const maxJson = options.maxJsonBytes ?? DEFAULT_MAX_JSON;
  const directory = await readZipDirectory(file);
  const reader = new ZipMemberReader(file, directory, { windowBytes: options.windowBytes });
  const byName = new Map<string, ZipMember>(directory.members.map((m) => [m.name, m]));

  const manifestMember = byName.get(MANIFEST_NAME);
  if (!manifestMember) throw new ArchiveError('bad-manifest', 'This ZIP is not a vault archive: it has no manifest.json.');
  const manifestText = decodeUtf8((await reader.read(manifestMember, maxJson)).bytes, MANIFEST_NAME);
  const manifest = parseManifest(manifestText);

  // Every path the manifest names must exist, before any member is hashed.
  for (const [i, a] of manifest.artifacts.entries()) {
    if (a.path !== null && !byName.has(a.path)) {
      throw new ArchiveError('missing-member', `The archive is incomplete: ${a.path} (artifacts[${i}]) is missing.`);
    }
  }
  for (const c of manifest.conversations) {
    if (!byName.has(c.path)) throw new ArchiveError('missing-member', `The archive is incomplete: ${c.path} is missing.`);
  }

  // Entries sharing one member must agree on what it holds.
  const expected: OpenedArchive['expected'] = new Map();
  for (const [i, a] of manifest.artifacts.entries()) {
    if (a.path === null) continue;
    const seen = expected.get(a.path);
    if (seen && (seen.sha256 !== a.sha256 || seen.size !== a.size)) {
      throw new ArchiveError('bad-manifest', `The archive's manifest is invalid: artifacts[${i}] disagrees with another entry about ${a.path}.`);
    }
    if (!seen) expected.set(a.path, { sha256: a.sha256!, size: a.size!, mimeType: a.mimeType });
  }
  return { manifest, reader, expected, maxMember, maxJson };
}

/**
 * Checks every member in file order: snapshots against their entries, artifact members against their
 * entries and their names (CRC, declared and inflated size, SHA-256), unknown members not at all (they
 * are never used). Hashes run a few members behind the reads; the first failure rejects the archive.
 */
async function checkMembers(opened: OpenedArchive, keep: Keep): Promise<ValidatedArchive & { texts: Map<string, string> }> {
  const { manifest, reader, expected, maxMember, maxJson } = opened;
  const blobs: ValidatedArchive['blobs'] = new Map();
  const snapshots: ValidatedArchive['snapshots'] = new Map();
  const texts = new Map<string, string>();
  const conversationByPath = new Map(manifest.conversations.map((c) => [c.path, c]));

  const pending: { done: Promise<void>; bytes: number }[] = [];
  let pendingBytes = 0;
  let failure: { error: unknown } | null = null;
  const settle = async (maxCount: number, maxBytes: number) => {
    while (pending.length > maxCount || (pending.length > 0 && pendingBytes > maxBytes)) {
      const first = pending.shift()!;
      await first.done;
      pendingBytes -= first.bytes;
    }
    if (failure) throw failure.error;
  };

  for (const m of reader.membersInFileOrder) {
    if (m.name === MANIFEST_NAME || m.name.endsWith('/')) continue;
    const conv = conversationByPath.get(m.name);
    if (conv) {
      const { bytes, blob } = await reader.read(m, maxJson, 'application/json');
      const text = decodeUtf8(bytes, m.name);
      checkSnapshot(text, conv);
      if (keep.snapshot(conv.id)) {
        if (keep.snapshotText) texts.set(conv.id, text);
        else snapshots.set(conv.id, blob);
      }
      continue;
    }
    const nameSha = ARTIFACT_NAME_RE.exec(m.name)?.[1];
    const entry = expected.get(m.name);
    if (!entry && !nameSha) continue; // an unknown extra member: not ours, not used, never a path.
    const type = entry?.mimeType ?? FALLBACK_MIME;
    const { bytes, blob } = await reader.read(m, maxMember, type);
    const size = bytes.byteLength;
    // The digest copies `bytes` (a view into the read window) when it starts; nothing here keeps them.
    const done = sha256Hex(bytes).then((sha) => {
      if (nameSha !== undefined && sha !== nameSha) {
        throw new ArchiveError('bad-member', `The archive was altered: ${m.name} does not match its SHA-256 (got ${sha}).`);
      }
      if (entry && (sha !== entry.sha256 || size !== entry.size)) {
        throw new ArchiveError('bad-member', `The archive was altered: ${m.name} does not match its manifest entry (SHA-256 or size).`);
      }
      if (entry && keep.blob(sha)) blobs.set(sha, { blob, size, mimeType: type });
    }).catch((error: unknown) => {
      failure ??= { error };
    });
    pending.push({ done, bytes: size });
    pendingBytes += size;
    await settle(MAX_PENDING_HASHES, MAX_PENDING_HASH_BYTES);
  }
  await settle(0, 0);
  return { manifest, blobs, snapshots, texts };
}

function decodeUtf8(bytes: Uint8Array, name: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ArchiveError('bad-member', `${name} is not UTF-8 text.`);
  }
}

/** A snapshot must be a conversation object whose own id is the one it is filed under. */
function checkSnapshot(text: string, conv: ManifestConversation): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ArchiveError('bad-member', `${conv.path} is not JSON.`);
  }
  const o = parsed as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new ArchiveError('bad-member', `${conv.path} is not a conversation object.`);
  const id = o.conversation_id ?? o.id;
  if (id !== conv.id) throw new ArchiveError('bad-member', `${conv.path} holds conversation ${JSON.stringify(id)}, not ${conv.id}.`);
  if (typeof o.mapping !== 'object' || o.mapping === null || Array.isArray(o.mapping)) {
    throw new ArchiveError('bad-member', `${conv.path} has no mapping object.`);
  }
}

export interface RestoreRejection {
  /** The identity, when the entry has one. */
  id?: string;
  /** The entry's place in the manifest (`artifacts[3]`) or a member path. */
  path?: string;
  reason: string;
}

export interface RestoreResult {
  /** Artifact identities new to the vault. */
  added: number;
  /** Identities the vault already had and kept unchanged. */
  alreadyPresent: number;
  /** Identities the vault had without bytes and that now have the archive's bytes (or newly filled metadata). */
  updated: number;
  /** Entries skipped (no identity, listed twice). Tampering is never here: it throws. */
  rejected: RestoreRejection[];
  conversations: { added: number; updated: number; alreadyPresent: number };
}

const parseMs = (isoText: string | null | undefined): number | null => (isoText ? Date.parse(isoText) : null);

function newRecord(id: string, a: ManifestArtifact, now: number, title: string | null): ArtifactRecord {
  const capturedAt = parseMs(a.capturedAt);
  return {
    id,
    kind: a.kind,
    conversationId: a.conversationId,
    messageId: a.messageId,
    fallbackMessageId: a.fallbackMessageId ?? null,
    fileId: a.fileId,
    genId: a.genId,
    prompt: a.prompt,
    seed: a.seed ?? null,
    fileName: a.fileName,
    sandboxPath: a.sandboxPath,
    width: a.width ?? null,
    height: a.height ?? null,
    createTime: a.createTime ?? null,
    status: a.status,
    reason: a.reason,
    sha256: a.sha256,
    size: a.size,
    declaredSize: a.declaredSize ?? null,
    mimeType: a.mimeType,
    source: 'import' satisfies ArtifactSource,
    capturedAt,
    firstSeenAt: parseMs(a.firstSeenAt) ?? capturedAt ?? now,
    updatedAt: now,
    conversationTitle: a.conversationTitle ?? title,
    attempts: 0,
  };
}

/** Metadata a restore may fill where the vault's record has null (never status, bytes or source). */
const FILLABLE = ['fileId', 'genId', 'prompt', 'seed', 'fileName', 'sandboxPath', 'width', 'height', 'createTime',
  'declaredSize', 'fallbackMessageId', 'conversationTitle'] as const;

/** The artifact half of a merge: what to put, which bytes those records need, and the counts. */
interface ArtifactMerge {
  puts: ArtifactRecord[];
  neededBlobs: Set<string>;
  added: number;
  updated: number;
  alreadyPresent: number;
}

/** Merges manifest entries into the vault's records (`existing[i]` is the record for `ids[i]`, if any). */
function mergeArtifacts(
  ids: string[], entries: Map<string, ManifestArtifact>, existing: (ArtifactRecord | undefined)[], now: number,
  titles: Map<string, string | null>,
): ArtifactMerge {
  const merge: ArtifactMerge = { puts: [], neededBlobs: new Set(), added: 0, updated: 0, alreadyPresent: 0 };
  ids.forEach((id, i) => {
    const a = entries.get(id)!;
    const old = existing[i];
    if (!old) {
      merge.puts.push(newRecord(id, a, now, titles.get(a.conversationId) ?? null));
      if (a.sha256 !== null) merge.neededBlobs.add(a.sha256);
      merge.added++;
      return;
    }
    const next: ArtifactRecord = { ...old };
    let changed = false;
    if (old.sha256 === null && a.sha256 !== null) {
      // The copy with bytes wins over one without.
      Object.assign(next, {
        status: 'saved', reason: null, sha256: a.sha256, size: a.size, mimeType: a.mimeType ?? old.mimeType,
        capturedAt: parseMs(a.capturedAt) ?? now, source: 'import',
      } satisfies Partial<ArtifactRecord>);
      merge.neededBlobs.add(a.sha256);
      changed = true;
    }
    const incoming = newRecord(id, a, now, titles.get(a.conversationId) ?? null);
    for (const key of FILLABLE) {
      if (next[key] === null && incoming[key] !== null) {
        (next as unknown as Record<string, unknown>)[key] = incoming[key];
        changed = true;
      }
    }
    if (changed) {
      merge.puts.push({ ...next, updatedAt: now });
      merge.updated++;
    } else {
      merge.alreadyPresent++;
    }
  });
  return merge;
}

/**
 * Validates `file` completely, then merges it into the vault in one transaction. Throws ArchiveError
 * (vault untouched) for a malformed or tampered archive.
 *
 * Memory: every member is checked, but only bytes the vault will take are kept until the write (what the
 * vault already holds, and snapshots that are not newer, are dropped once checked). Kept bytes are Blobs:
 * stored members are slices of the chosen file (nothing in memory; the browser copies them from disk
 * when the transaction commits) and inflated ones were handed to the browser's blob store, which pages
 * large blobs to disk. They are written in the one transaction because IndexedDB commits a transaction
 * as soon as it awaits anything else (a file read, a digest), and writing in several transactions would
 * leave half a restore behind if a later one failed.
 */
export async function restoreVaultArchive(db: VaultDb, file: Blob, options: ReadArchiveOptions = {}): Promise<RestoreResult> {
  const opened = await openArchive(file, options);
  const { manifest } = opened;
  const rejected: RestoreRejection[] = [];

  const entries = new Map<string, ManifestArtifact>();
  manifest.artifacts.forEach((a, i) => {
    const id = artifactIdentity(a);
    if (id === null) {
      rejected.push({ path: `artifacts[${i}]`, reason: 'no identity (no file id or gen id, or a sandbox file without a path)' });
    } else if (entries.has(id)) {
      rejected.push({ id, path: `artifacts[${i}]`, reason: 'listed twice in the manifest; the first entry was used' });
    } else {
      entries.set(id, a);
    }
  });
  const titles = new Map(manifest.conversations.map((c) => [c.id, c.title]));
  const ids = [...entries.keys()];
  const convIds = manifest.conversations.map((c) => c.id);

  // Reads only: what the vault already has decides which checked bytes are worth keeping until the write.
  // The transaction below decides again from what the vault holds then.
  const planned = mergeArtifacts(ids, entries, await db.artifacts.bulkGet(ids), Date.now(), titles).neededBlobs;
  const presentBefore = await blobKeysAmong(db, [...planned]);
  const convRowsBefore = await db.conversations.bulkGet(convIds);
  const newerBefore = new Set(manifest.conversations
    .filter((c, i) => isNewer(c.updateTime, convRowsBefore[i]?.updateTime ?? null, convRowsBefore[i] !== undefined))
    .map((c) => c.id));

  const archive = await checkMembers(opened, {
    blob: (sha) => planned.has(sha) && !presentBefore.has(sha),
    snapshot: (id) => newerBefore.has(id),
    // Snapshot text must be at hand before the transaction (IndexedDB commits when a transaction awaits
    // anything else); keeping the text decoded for the check saves reading each snapshot a second time.
    snapshotText: true,
  });
  const { texts } = archive;

  const result: RestoreResult = {
    added: 0, alreadyPresent: 0, updated: 0, rejected, conversations: { added: 0, updated: 0, alreadyPresent: 0 },
  };
  const now = Date.now();
  await db.transaction('rw', [db.artifacts, db.blobs, db.conversations, db.snapshots], async () => {
    const merge = mergeArtifacts(ids, entries, await db.artifacts.bulkGet(ids), now, titles);
    Object.assign(result, { added: merge.added, updated: merge.updated, alreadyPresent: merge.alreadyPresent });

    // Identical content is stored once: only blobs the vault lacks are added (keys only, no blob reads).
    const wanted = [...merge.neededBlobs];
    const present = await blobKeysAmong(db, wanted);
    const blobRows = wanted.filter((sha) => !present.has(sha)).map((sha) => {
      const b = archive.blobs.get(sha);
      // Bytes dropped because the vault had them, and the vault lost them since: throwing rolls back.
      if (!b) throw new Error('The vault changed while the backup was being checked; nothing was restored. Try again.');
      return { sha256: sha, blob: b.blob, size: b.size, mimeType: b.mimeType };
    });
    if (blobRows.length > 0) await db.blobs.bulkAdd(blobRows);
    if (merge.puts.length > 0) await db.artifacts.bulkPut(merge.puts);

    const rows = await db.conversations.bulkGet(convIds);
    const convPuts: ConversationRecord[] = [];
    const snapPuts: SnapshotRecord[] = [];
    const retitle = new Map<string, string>();
    for (const [i, c] of manifest.conversations.entries()) {
      const old = rows[i];
      const text = texts.get(c.id);
      if (text === undefined || !isNewer(c.updateTime, old?.updateTime ?? null, old !== undefined)) {
        result.conversations.alreadyPresent++;
        continue;
      }
      convPuts.push({ id: c.id, title: c.title, updateTime: c.updateTime, savedAt: now, gizmoId: c.gizmoId ?? null });
      snapPuts.push({ id: c.id, json: text });
      if (old) result.conversations.updated++;
      else result.conversations.added++;
      if (c.title !== null) retitle.set(c.id, c.title);
    }
    if (convPuts.length > 0) {
      await db.conversations.bulkPut(convPuts);
      await db.snapshots.bulkPut(snapPuts);
    }
    // A newer snapshot names its conversation's artifacts, the vault's own included. One getAll per
    // conversation, issued together, then one write (anyOf() walks a cursor, which fake-indexeddb makes
    // quadratic: 10,000 artifacts took minutes in the 2026-11 bench).
    if (retitle.size > 0) {
      const groups = await Promise.all([...retitle.keys()].map((id) => db.artifacts.where('conversationId').equals(id).toArray()));
      const stale = groups.flat().filter((r) => r.conversationTitle !== retitle.get(r.conversationId));
      if (stale.length > 0) await db.artifacts.bulkPut(stale.map((r) => ({ ...r, conversationTitle: retitle.get(r.conversationId)! })));
    }
  });
  return result;
}

/**
 * Which of `shas` the vault holds bytes for. Keys only (no blob is read), in one request: all the vault's
 * blob keys, which is ~70 bytes per distinct file. (`where(':id').anyOf()` walks a cursor per key, which
 * fake-indexeddb makes quadratic.)
 */
async function blobKeysAmong(db: VaultDb, shas: string[]): Promise<Set<string>> {
  if (shas.length === 0) return new Set();
  const wanted = new Set(shas);
  return new Set((await db.blobs.toCollection().primaryKeys()).filter((k) => wanted.has(k)));
}

/** A snapshot replaces the vault's only when strictly newer (equal or undated: the vault's stays). */
function isNewer(incoming: number | null, stored: number | null, exists: boolean): boolean {
  if (!exists) return true;
  if (incoming === null) return false;
  return stored === null || incoming > stored;
}
