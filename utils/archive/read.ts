/**
 * `Restore backup`: validate everything first, then merge in one transaction (docs/FORMATS.md section 1,
 * "Restore is all or nothing" and "Restore merges").
 *
 * `readVaultArchive` checks the ZIP directory (names, sizes, methods), the manifest (format, version,
 * fields), that every path it names exists, and every member's bytes (CRC, SHA-256 against its name and
 * its entry, declared size, inflated size bounds). Only then does `restoreVaultArchive` touch the vault,
 * in a single Dexie transaction, so a failure at any point leaves the vault exactly as it was.
 */
import { artifactIdentity, type ArtifactSource } from '@/utils/model';
import { sha256Hex } from '@/utils/files/bytes';
import { sniffMime, withExtension } from '@/utils/files/sniff';
import {
  FILLABLE, applyRestore, blobKeysAmong, getArtifacts, getConversations, snapshotIsCurrent, type ArtifactRecord, type ConversationRecord,
  type SnapshotRecord, type VaultDb,
} from '@/utils/vault';
import { checkEntryBounds, describeName, MAX_MEMBER_BYTES, MAX_MEMBERS, openZip, ZipFormatError, type ZipEntry, type ZipReader } from '@/utils/zip';
import { ArchiveError } from './errors';
import { MANIFEST_NAME, parseManifest, type ManifestArtifact, type ManifestConversation, type VaultManifest } from './manifest';

export interface ReadArchiveOptions {
  /** Largest member accepted, inflated (default 1 GiB: far above any ChatGPT file, far below a bomb). */
  maxMemberBytes?: number;
  /** Largest manifest or conversation snapshot accepted (default 256 MiB). */
  maxJsonBytes?: number;
  /** Bytes fetched per read of the file (default 4 MiB; tests make it small to cross window edges). */
  windowBytes?: number;
}

/** An archive whose every member has been checked. Bytes are kept as Blobs (file slices when stored). */
interface ValidatedArchive {
  manifest: VaultManifest;
  /** Artifact bytes by SHA-256 (restore keeps only those it will write; every member is still checked). */
  blobs: Map<string, { blob: Blob; size: number; mimeType: string }>;
  /** Snapshot JSON text by conversation id, as Blobs (read as text only when it will be written). */
  snapshots: Map<string, Blob>;
}

const DEFAULT_MAX_JSON = 256 << 20;
const FALLBACK_MIME = 'application/octet-stream';
const ARTIFACT_NAME_RE = /^artifacts\/([0-9a-f]{64})(?:\.[a-z0-9]{1,10})?$/;
/**
 * Manifest budget: one entry is ~700 bytes plus its prompt (a few KB at most). The manifest may hold
 * 1 MiB plus 32 KiB per entry, and no JSON string over 256 KiB, checked on the raw bytes as they stream
 * by, before the manifest is held whole, decoded or parsed (a 41 MiB manifest of a few entries cost
 * +118 MiB of heap).
 */
const MANIFEST_BASE = 1 << 20;
const MANIFEST_PER_ENTRY = 32 << 10;
const MANIFEST_MAX_STRING = 256 << 10;
/** Digests in flight while the next members are read (WebCrypto hashes off the main thread; in Chromium
 * 256 in flight validated 10,000 members ~30% faster than 16, 2026-11). Bytes bound the memory. */
const MAX_PENDING_HASHES = 256;
const MAX_PENDING_HASH_BYTES = 64 << 20;

/** The ZIP layer's refusals, as the archive's own errors (same message). */
async function asArchiveErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ZipFormatError) throw new ArchiveError({ code: 'zip', zip: error.code, ...(error.member ? { member: error.member } : {}) }, error.message);
    throw error;
  }
}

/** The directory and manifest of an archive, checked; members not yet read. */
interface OpenedArchive {
  file: Blob;
  zip: ZipReader;
  manifest: VaultManifest;
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

/**
 * Streams the manifest once over its raw bytes, without keeping them: counts the entries (objects that
 * are direct elements of the top-level arrays) and measures the longest string, then holds the manifest
 * to its budget. Only a manifest within budget is read whole and parsed (once).
 */
async function checkManifestBudget(zip: ZipReader, entry: ZipEntry, maxJson: number): Promise<void> {
  const reader = zip.stream(entry, { maxBytes: maxJson }).getReader();
  const stack: number[] = []; // 0x7b '{' or 0x5b '['
  let inString = false;
  let escaped = false;
  let stringBytes = 0;
  let entries = 0;
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    for (let i = 0; i < value.length; i++) {
      const c = value[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 0x5c) escaped = true;
        else if (c === 0x22) inString = false;
        if (++stringBytes > MANIFEST_MAX_STRING) {
          await reader.cancel();
          throw new ArchiveError({ code: 'manifest-too-large' }, `The archive's manifest holds a text over ${MANIFEST_MAX_STRING / 1024} KiB; no vault writes one, so it is refused.`);
        }
      } else if (c === 0x22) {
        inString = true;
        stringBytes = 0;
      } else if (c === 0x7b || c === 0x5b) {
        if (c === 0x7b && stack.length === 2 && stack[1] === 0x5b) entries++;
        stack.push(c);
      } else if (c === 0x7d || c === 0x5d) {
        stack.pop();
      }
    }
  }
  const budget = MANIFEST_BASE + entries * MANIFEST_PER_ENTRY;
  if (total > budget) {
    const mib = (n: number) => `${(n / (1 << 20)).toFixed(1)} MiB`;
    throw new ArchiveError({ code: 'manifest-too-large' }, `The archive's manifest is ${mib(total)} for ${entries} entries (at most ${mib(budget)} for that many); it is refused.`);
  }
}

/** Reads the directory (names, sizes, methods, overlaps) and the manifest, and checks every path exists. */
async function openArchive(file: Blob, options: ReadArchiveOptions): Promise<OpenedArchive> {
  const maxMember = options.maxMemberBytes ?? MAX_MEMBER_BYTES;
  const maxJson = options.maxJsonBytes ?? DEFAULT_MAX_JSON;
  const zip = await openZip(file, { windowBytes: options.windowBytes, maxEntries: MAX_MEMBERS });
  for (const e of zip.entries) {
    if (e.encrypted) throw new ArchiveError({ code: 'member-encrypted', member: e.name }, `Member ${describeName(e.name)} is encrypted; a vault archive never is, so it is refused.`);
    if (e.method !== 0 && e.method !== 8) {
      throw new ArchiveError({ code: 'member-method', member: e.name, method: e.method }, `Member ${describeName(e.name)} uses compression method ${e.method}; only stored and deflate are supported.`);
    }
    checkEntryBounds(e, maxMember);
  }

  const manifestEntry = zip.get(MANIFEST_NAME);
  if (!manifestEntry) throw new ArchiveError({ code: 'no-manifest' }, 'This ZIP is not a vault archive: it has no manifest.json.');
  await checkManifestBudget(zip, manifestEntry, maxJson);
  const manifest = parseManifest(decodeUtf8(await zip.bytes(manifestEntry, maxJson), MANIFEST_NAME));

  // Every path the manifest names must exist, before any member is hashed.
  for (const [i, a] of manifest.artifacts.entries()) {
    if (a.path !== null && !zip.get(a.path)) {
      throw new ArchiveError({ code: 'member-missing', member: a.path }, `The archive is incomplete: ${a.path} (artifacts[${i}]) is missing.`);
    }
  }
  for (const c of manifest.conversations) {
    if (!zip.get(c.path)) throw new ArchiveError({ code: 'member-missing', member: c.path }, `The archive is incomplete: ${c.path} is missing.`);
  }

  // Entries sharing one member must agree on what it holds.
  const expected: OpenedArchive['expected'] = new Map();
  for (const [i, a] of manifest.artifacts.entries()) {
    if (a.path === null) continue;
    const seen = expected.get(a.path);
    if (seen && (seen.sha256 !== a.sha256 || seen.size !== a.size)) {
      throw new ArchiveError({ code: 'manifest-entry', at: `artifacts[${i}]` }, `The archive's manifest is invalid: artifacts[${i}] disagrees with another entry about ${a.path}.`);
    }
    if (!seen) expected.set(a.path, { sha256: a.sha256!, size: a.size!, mimeType: a.mimeType });
  }
  return { file, zip, manifest, expected, maxMember, maxJson };
}

/**
 * Checks every member in file order: snapshots against their entries, artifact members against their
 * entries and their names (CRC, declared and inflated size, SHA-256), unknown members not at all (they
 * are never used). Each artifact's type is sniffed from its bytes, as capture does; the manifest's type
 * is only the fallback. Hashes run a few members behind the reads; the first failure rejects the archive.
 */
async function checkMembers(
  opened: OpenedArchive, keep: Keep,
): Promise<ValidatedArchive & { texts: Map<string, string>; types: Map<string, string> }> {
  const { file, zip, manifest, expected, maxMember, maxJson } = opened;
  const blobs: ValidatedArchive['blobs'] = new Map();
  const snapshots: ValidatedArchive['snapshots'] = new Map();
  const texts = new Map<string, string>();
  const types = new Map<string, string>();
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

  for (const m of [...zip.entries].sort((a, b) => a.offset - b.offset)) {
    if (m.name === MANIFEST_NAME || m.directory) continue;
    const conv = conversationByPath.get(m.name);
    if (conv) {
      const text = decodeUtf8(await zip.bytes(m, maxJson), m.name);
      checkSnapshot(text, conv);
      if (keep.snapshot(conv.id)) {
        if (keep.snapshotText) texts.set(conv.id, text);
        else snapshots.set(conv.id, new Blob([text], { type: 'application/json' }));
      }
      continue;
    }
    const nameSha = ARTIFACT_NAME_RE.exec(m.name)?.[1];
    const entry = expected.get(m.name);
    if (!entry && !nameSha) continue; // an unknown extra member: not ours, not used, never a path.
    const bytes = await zip.bytes(m, maxMember);
    const size = bytes.byteLength;
    const type = sniffMime(bytes) ?? (entry?.mimeType?.trim() || FALLBACK_MIME);
    // A stored member stays a slice of the chosen file: nothing of it is held once it is checked.
    const at = m.method === 0 ? await zip.dataOffset(m) : -1;
    const blob = at >= 0 ? file.slice(at, at + m.compressedSize, type) : new Blob([bytes], { type });
    // The digest copies `bytes` when it starts; nothing here keeps them.
    const done = sha256Hex(bytes).then((sha) => {
      if (nameSha !== undefined && sha !== nameSha) {
        throw new ArchiveError({ code: 'member-altered', member: m.name }, `The archive was altered: ${m.name} does not match its SHA-256 (got ${sha}).`);
      }
      if (entry && (sha !== entry.sha256 || size !== entry.size)) {
        throw new ArchiveError({ code: 'member-altered', member: m.name }, `The archive was altered: ${m.name} does not match its manifest entry (SHA-256 or size).`);
      }
      types.set(sha, type);
      if (entry && keep.blob(sha)) blobs.set(sha, { blob, size, mimeType: type });
    }).catch((error: unknown) => {
      failure ??= { error };
    });
    pending.push({ done, bytes: size });
    pendingBytes += size;
    await settle(MAX_PENDING_HASHES, MAX_PENDING_HASH_BYTES);
  }
  await settle(0, 0);
  return { manifest, blobs, snapshots, texts, types };
}

function decodeUtf8(bytes: Uint8Array, name: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ArchiveError({ code: 'member-not-text', member: name }, `${name} is not UTF-8 text.`);
  }
}

/** A snapshot must be a conversation object whose own id is the one it is filed under. */
function checkSnapshot(text: string, conv: ManifestConversation): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ArchiveError({ code: 'snapshot-invalid', member: conv.path }, `${conv.path} is not JSON.`);
  }
  const o = parsed as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new ArchiveError({ code: 'snapshot-invalid', member: conv.path }, `${conv.path} is not a conversation object.`);
  const id = o.conversation_id ?? o.id;
  if (id !== conv.id) throw new ArchiveError({ code: 'snapshot-invalid', member: conv.path }, `${conv.path} holds conversation ${JSON.stringify(id)}, not ${conv.id}.`);
  if (typeof o.mapping !== 'object' || o.mapping === null || Array.isArray(o.mapping)) {
    throw new ArchiveError({ code: 'snapshot-invalid', member: conv.path }, `${conv.path} has no mapping object.`);
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

/** What a restore knows beyond the manifest: titles, and each content's type as sniffed from its bytes. */
interface MergeContext {
  now: number;
  titles: Map<string, string | null>;
  /** Sniffed type by SHA-256 (empty while planning, before any member is read). */
  types: Map<string, string>;
}

function newRecord(id: string, a: ManifestArtifact, ctx: MergeContext): ArtifactRecord {
  const capturedAt = parseMs(a.capturedAt);
  // The bytes decide the type and the name's extension, as in prepareBytes; the manifest's type is a fallback.
  const mimeType = (a.sha256 !== null ? ctx.types.get(a.sha256) : undefined) ?? a.mimeType;
  const fileName = a.fileName !== null && a.sha256 !== null && mimeType !== null ? withExtension(a.fileName, mimeType) : a.fileName;
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
    fileName,
    sandboxPath: a.sandboxPath,
    width: a.width ?? null,
    height: a.height ?? null,
    createTime: a.createTime ?? null,
    expiresAt: a.expiresAt ? Date.parse(a.expiresAt) / 1000 : null,
    textdocId: a.textdocId ?? null,
    status: a.status,
    reason: a.reason,
    sha256: a.sha256,
    size: a.size,
    declaredSize: a.declaredSize ?? null,
    mimeType,
    source: 'import' satisfies ArtifactSource,
    capturedAt,
    firstSeenAt: parseMs(a.firstSeenAt) ?? capturedAt ?? ctx.now,
    updatedAt: ctx.now,
    conversationTitle: a.conversationTitle ?? ctx.titles.get(a.conversationId) ?? null,
    attempts: 0,
  };
}

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
  ids: string[], entries: Map<string, ManifestArtifact>, existing: readonly (ArtifactRecord | undefined)[], ctx: MergeContext,
): ArtifactMerge {
  const merge: ArtifactMerge = { puts: [], neededBlobs: new Set(), added: 0, updated: 0, alreadyPresent: 0 };
  ids.forEach((id, i) => {
    const a = entries.get(id)!;
    const old = existing[i];
    const incoming = newRecord(id, a, ctx);
    if (!old) {
      merge.puts.push(incoming);
      if (a.sha256 !== null) merge.neededBlobs.add(a.sha256);
      merge.added++;
      return;
    }
    const next: ArtifactRecord = { ...old };
    let changed = false;
    if (old.sha256 === null && a.sha256 !== null) {
      // The copy with bytes wins over one without.
      Object.assign(next, {
        status: 'saved', reason: null, sha256: a.sha256, size: a.size, mimeType: incoming.mimeType ?? old.mimeType,
        fileName: old.fileName !== null && incoming.mimeType !== null ? withExtension(old.fileName, incoming.mimeType) : old.fileName,
        capturedAt: incoming.capturedAt ?? ctx.now, source: 'import',
      } satisfies Partial<ArtifactRecord>);
      merge.neededBlobs.add(a.sha256);
      changed = true;
    }
    for (const key of FILLABLE) {
      if (next[key] == null && incoming[key] != null) {
        (next as unknown as Record<string, unknown>)[key] = incoming[key];
        changed = true;
      }
    }
    if (changed) {
      merge.puts.push({ ...next, updatedAt: ctx.now });
      merge.updated++;
    } else {
      merge.alreadyPresent++;
    }
  });
  return merge;
}

/** Bytes the browser still lets this origin store, or null where it cannot say. */
async function freeStorage(): Promise<number | null> {
  const storage = (globalThis as { navigator?: { storage?: StorageManager } }).navigator?.storage;
  if (typeof storage?.estimate !== 'function') return null;
  try {
    const { quota, usage } = await storage.estimate();
    return quota === undefined ? null : Math.max(0, quota - (usage ?? 0));
  } catch {
    return null;
  }
}

const mb = (n: number) => `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)} MB`;

/**
 * Validates `file` completely, then merges it into the vault in one transaction. Throws ArchiveError
 * (vault untouched) for a malformed, tampered or oversized archive.
 *
 * Bounds, all checked before any member is inflated: each member's declared size, its compression ratio,
 * the manifest's size for its entry count, and the total the restore would add against the storage the
 * browser has left (`navigator.storage.estimate()`, where it exists).
 *
 * Memory: every member is checked, but only bytes the vault will take are kept until the write (what the
 * vault already holds, and snapshots that would not replace the vault's, are dropped once checked). Kept
 * bytes are Blobs: stored members are slices of the chosen file (nothing in memory; the browser copies
 * them from disk when the transaction commits) and inflated ones were handed to the browser's blob store,
 * which pages large blobs to disk. They are written in the one transaction because IndexedDB commits a
 * transaction as soon as it awaits anything else (a file read, a digest), and writing in several
 * transactions would leave half a restore behind if a later one failed. Capture may write meanwhile: the
 * transaction merges with what the vault holds when it runs.
 */
export function restoreVaultArchive(db: VaultDb, file: Blob, options: ReadArchiveOptions = {}): Promise<RestoreResult> {
  return asArchiveErrors(() => restore(db, file, options));
}

async function restore(db: VaultDb, file: Blob, options: ReadArchiveOptions): Promise<RestoreResult> {
  const opened = await openArchive(file, options);
  const { manifest, zip } = opened;
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
  const restoredRank = (c: ManifestConversation) => ({ updateTime: c.updateTime, source: 'restored' as const });

  // Reads only: what the vault already has decides which checked bytes are worth keeping until the write.
  // The transaction below decides again from what the vault holds then.
  const planned = mergeArtifacts(ids, entries, await getArtifacts(db, ids), { now: Date.now(), titles, types: new Map() }).neededBlobs;
  const presentBefore = await blobKeysAmong(db, [...planned]);
  const convRowsBefore = await getConversations(db, convIds);
  const replacesBefore = new Set(manifest.conversations.filter((c, i) => !snapshotIsCurrent(convRowsBefore[i], restoredRank(c))).map((c) => c.id));

  // The total this restore would add, from declared sizes, against what the browser lets us store.
  const sizeOf = new Map(manifest.artifacts.filter((a) => a.sha256 !== null).map((a) => [a.sha256!, a.size ?? 0]));
  let needed = 0;
  for (const sha of planned) if (!presentBefore.has(sha)) needed += sizeOf.get(sha) ?? 0;
  for (const c of manifest.conversations) if (replacesBefore.has(c.id)) needed += 2 * (zip.get(c.path)?.uncompressedSize ?? 0);
  const free = await freeStorage();
  if (free !== null && needed > free) {
    throw new ArchiveError({ code: 'storage-short', needed, free }, `This backup would add ${mb(needed)} to the vault, but the browser has only ${mb(free)} of storage left for it. ` +
      'Free some disk space (or delete files from the vault) and try again; nothing was restored.');
  }

  const archive = await checkMembers(opened, {
    blob: (sha) => planned.has(sha) && !presentBefore.has(sha),
    snapshot: (id) => replacesBefore.has(id),
    // Snapshot text must be at hand before the transaction (IndexedDB commits when a transaction awaits
    // anything else); keeping the text decoded for the check saves reading each snapshot a second time.
    snapshotText: true,
  });
  const { texts } = archive;

  const result: RestoreResult = {
    added: 0, alreadyPresent: 0, updated: 0, rejected, conversations: { added: 0, updated: 0, alreadyPresent: 0 },
  };
  const now = Date.now();
  await applyRestore(db, {
    artifactIds: ids,
    conversationIds: convIds,
    artifacts: (held) => {
      const merge = mergeArtifacts(ids, entries, held, { now, titles, types: archive.types });
      Object.assign(result, { added: merge.added, updated: merge.updated, alreadyPresent: merge.alreadyPresent });
      return merge;
    },
    blob: (sha) => {
      const b = archive.blobs.get(sha);
      // Bytes dropped because the vault had them, and the vault lost them since: throwing rolls back.
      if (!b) throw new ArchiveError({ code: 'vault-changed' }, 'The vault changed while the backup was being checked; nothing was restored. Try again.');
      return { sha256: sha, blob: b.blob, size: b.size, mimeType: b.mimeType };
    },
    conversations: (held) => {
      const rows: ConversationRecord[] = [];
      const snapshots: SnapshotRecord[] = [];
      const retitle = new Map<string, string>();
      for (const [i, c] of manifest.conversations.entries()) {
        const old = held[i];
        const text = texts.get(c.id);
        if (text === undefined || snapshotIsCurrent(old, restoredRank(c))) {
          result.conversations.alreadyPresent++;
          continue;
        }
        rows.push({ id: c.id, title: c.title, updateTime: c.updateTime, savedAt: now, gizmoId: c.gizmoId ?? null, source: 'restored' });
        snapshots.push({ id: c.id, json: text });
        if (old) result.conversations.updated++;
        else result.conversations.added++;
        if (c.title !== null) retitle.set(c.id, c.title);
      }
      return { rows, snapshots, retitle };
    },
  });
  return result;
}

