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
import type { ArtifactRecord, VaultDb } from '@/utils/vault';
import { ArchiveError } from './errors';
import { MANIFEST_NAME, parseManifest, type ManifestArtifact, type ManifestConversation, type VaultManifest } from './manifest';
import { listZipMembers, readZipMember, type ZipMember } from './zip-reader';

export interface ReadArchiveOptions {
  /** Largest member accepted, inflated (default 1 GiB: far above any ChatGPT file, far below a bomb). */
  maxMemberBytes?: number;
  /** Largest manifest or conversation snapshot accepted (default 256 MiB). */
  maxJsonBytes?: number;
}

/** An archive whose every member has been checked. Bytes are kept as Blobs (file slices when stored). */
export interface ValidatedArchive {
  manifest: VaultManifest;
  /** Artifact bytes by SHA-256. */
  blobs: Map<string, { blob: Blob; size: number; mimeType: string }>;
  /** Snapshot JSON text by conversation id, as Blobs (read as text only when it will be written). */
  snapshots: Map<string, Blob>;
}

const DEFAULT_MAX_MEMBER = 1 << 30;
const DEFAULT_MAX_JSON = 256 << 20;
const FALLBACK_MIME = 'application/octet-stream';

/** Validates a vault archive without writing anything. Throws ArchiveError on the first problem. */
export async function readVaultArchive(file: Blob, options: ReadArchiveOptions = {}): Promise<ValidatedArchive> {
  const maxMember = options.maxMemberBytes ?? DEFAULT_MAX_MEMBER;
  const maxJson = options.maxJsonBytes ?? DEFAULT_MAX_JSON;
  const members = await listZipMembers(file);
  const byName = new Map<string, ZipMember>(members.map((m) => [m.name, m]));

  const manifestMember = byName.get(MANIFEST_NAME);
  if (!manifestMember) throw new ArchiveError('bad-manifest', 'This ZIP is not a vault archive: it has no manifest.json.');
  const manifestText = decodeUtf8((await readZipMember(file, manifestMember, maxJson)).bytes, MANIFEST_NAME);
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
  const expected = new Map<string, { sha256: string; size: number; mimeType: string | null }>();
  for (const [i, a] of manifest.artifacts.entries()) {
    if (a.path === null) continue;
    const seen = expected.get(a.path);
    if (seen && (seen.sha256 !== a.sha256 || seen.size !== a.size)) {
      throw new ArchiveError('bad-manifest', `The archive's manifest is invalid: artifacts[${i}] disagrees with another entry about ${a.path}.`);
    }
    if (!seen) expected.set(a.path, { sha256: a.sha256!, size: a.size!, mimeType: a.mimeType });
  }

  // Check every member, one at a time: referenced ones against their entries, the rest against their names.
  const blobs: ValidatedArchive['blobs'] = new Map();
  const snapshots: ValidatedArchive['snapshots'] = new Map();
  const conversationByPath = new Map(manifest.conversations.map((c) => [c.path, c]));
  for (const m of members) {
    if (m.name === MANIFEST_NAME || m.name.endsWith('/')) continue;
    const conv = conversationByPath.get(m.name);
    if (conv) {
      const { bytes, blob } = await readZipMember(file, m, maxJson, 'application/json');
      checkSnapshot(decodeUtf8(bytes, m.name), conv);
      snapshots.set(conv.id, blob);
      continue;
    }
    const nameSha = /^artifacts\/([0-9a-f]{64})(?:\.[a-z0-9]{1,10})?$/.exec(m.name)?.[1];
    const entry = expected.get(m.name);
    if (!entry && !nameSha) continue; // an unknown extra member: not ours, not used, never a path.
    const type = entry?.mimeType ?? FALLBACK_MIME;
    const { bytes, blob } = await readZipMember(file, m, maxMember, type);
    const sha = await sha256Hex(bytes);
    if (nameSha !== undefined && sha !== nameSha) {
      throw new ArchiveError('bad-member', `The archive was altered: ${m.name} does not match its SHA-256 (got ${sha}).`);
    }
    if (entry && (sha !== entry.sha256 || bytes.byteLength !== entry.size)) {
      throw new ArchiveError('bad-member', `The archive was altered: ${m.name} does not match its manifest entry (SHA-256 or size).`);
    }
    if (entry) blobs.set(sha, { blob, size: bytes.byteLength, mimeType: type });
  }
  return { manifest, blobs, snapshots };
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

/**
 * Validates `file` completely, then merges it into the vault in one transaction. Throws ArchiveError
 * (vault untouched) for a malformed or tampered archive.
 */
export async function restoreVaultArchive(db: VaultDb, file: Blob, options: ReadArchiveOptions = {}): Promise<RestoreResult> {
  const archive = await readVaultArchive(file, options);
  const { manifest } = archive;
  const result: RestoreResult = {
    added: 0, alreadyPresent: 0, updated: 0, rejected: [], conversations: { added: 0, updated: 0, alreadyPresent: 0 },
  };

  const entries = new Map<string, ManifestArtifact>();
  manifest.artifacts.forEach((a, i) => {
    const id = artifactIdentity(a);
    if (id === null) {
      result.rejected.push({ path: `artifacts[${i}]`, reason: 'no identity (no file id or gen id, or a sandbox file without a path)' });
    } else if (entries.has(id)) {
      result.rejected.push({ id, path: `artifacts[${i}]`, reason: 'listed twice in the manifest; the first entry was used' });
    } else {
      entries.set(id, a);
    }
  });
  const titles = new Map(manifest.conversations.map((c) => [c.id, c.title]));

  // Snapshot text is read before the transaction (IndexedDB commits when a transaction awaits anything
  // else), and only for conversations that will actually be written.
  const convRows = await db.conversations.bulkGet(manifest.conversations.map((c) => c.id));
  const texts = new Map<string, string>();
  for (const [i, c] of manifest.conversations.entries()) {
    if (isNewer(c.updateTime, convRows[i]?.updateTime ?? null, convRows[i] !== undefined)) {
      texts.set(c.id, await archive.snapshots.get(c.id)!.text());
    }
  }

  const now = Date.now();
  await db.transaction('rw', [db.artifacts, db.blobs, db.conversations, db.snapshots], async () => {
    const ids = [...entries.keys()];
    const existing = await db.artifacts.bulkGet(ids);
    const puts: ArtifactRecord[] = [];
    const neededBlobs = new Set<string>();
    ids.forEach((id, i) => {
      const a = entries.get(id)!;
      const old = existing[i];
      if (!old) {
        puts.push(newRecord(id, a, now, titles.get(a.conversationId) ?? null));
        if (a.sha256 !== null) neededBlobs.add(a.sha256);
        result.added++;
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
        neededBlobs.add(a.sha256);
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
        puts.push({ ...next, updatedAt: now });
        result.updated++;
      } else {
        result.alreadyPresent++;
      }
    });

    // Identical content is stored once: only blobs the vault lacks are added (keys only, no blob reads).
    const wanted = [...neededBlobs];
    const present = new Set(await db.blobs.where(':id').anyOf(wanted).primaryKeys());
    const blobRows = wanted.filter((sha) => !present.has(sha)).map((sha) => {
      const b = archive.blobs.get(sha)!;
      return { sha256: sha, blob: b.blob, size: b.size, mimeType: b.mimeType };
    });
    if (blobRows.length > 0) await db.blobs.bulkAdd(blobRows);
    if (puts.length > 0) await db.artifacts.bulkPut(puts);

    const rows = await db.conversations.bulkGet(manifest.conversations.map((c) => c.id));
    for (const [i, c] of manifest.conversations.entries()) {
      const old = rows[i];
      const text = texts.get(c.id);
      if (text === undefined || !isNewer(c.updateTime, old?.updateTime ?? null, old !== undefined)) {
        result.conversations.alreadyPresent++;
        continue;
      }
      await db.conversations.put({ id: c.id, title: c.title, updateTime: c.updateTime, savedAt: now, gizmoId: c.gizmoId ?? null });
      await db.snapshots.put({ id: c.id, json: text });
      if (old) result.conversations.updated++;
      else result.conversations.added++;
      const title = c.title;
      if (title !== null) {
        await db.artifacts.where('conversationId').equals(c.id).and((r) => r.conversationTitle !== title).modify({ conversationTitle: title });
      }
    }
  });
  return result;
}

/** A snapshot replaces the vault's only when strictly newer (equal or undated: the vault's stays). */
function isNewer(incoming: number | null, stored: number | null, exists: boolean): boolean {
  if (!exists) return true;
  if (incoming === null) return false;
  return stored === null || incoming > stored;
}
