/**
 * Artifact records and their bytes. Rules (docs/FORMATS.md section 1):
 * - one record per identity; recording the same reference again changes nothing but fills gaps;
 * - status never regresses from `saved`; the first saved copy wins;
 * - bytes are content-addressed and shared; a blob goes only when nothing references it any more.
 * Every write is one Dexie transaction, and input is checked before it starts, so a rejection leaves
 * the database as it was.
 */
import {
  ARTIFACT_KINDS,
  ARTIFACT_SOURCES,
  ARTIFACT_STATUSES,
  artifactIdentity,
  type ArtifactKind,
  type ArtifactRef,
  type ArtifactSource,
  type ArtifactStatus,
} from '@/utils/model';
import { isByteSource, sha256Hex, toBytes, type ByteSource } from '@/utils/files/bytes';
import { sniffMime, withExtension } from '@/utils/files/sniff';
import type { ArtifactRecord, BlobRecord, VaultDb } from './db';
import { VaultError, describe, requireFinite, requireId } from './errors';

const FALLBACK_MIME = 'application/octet-stream';

function requireSource(value: unknown, what: string): ArtifactSource {
  if (!ARTIFACT_SOURCES.includes(value as ArtifactSource)) {
    throw new VaultError('invalid-argument', `${what} must be one of ${ARTIFACT_SOURCES.join(', ')}, got ${describe(value)}`);
  }
  return value as ArtifactSource;
}

function optionalString(value: unknown, what: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') throw new VaultError('invalid-argument', `${what} must be a string or null, got ${describe(value)}`);
  return value;
}

function optionalNumber(value: unknown, what: string): number | null {
  if (value === null || value === undefined) return null;
  return requireFinite(value, what);
}

/**
 * Fields a later sighting of the same reference (or a restore) may fill when the record still has them
 * null; never status, bytes or source.
 */
export const FILLABLE = [
  'fallbackMessageId', 'fileId', 'genId', 'prompt', 'seed', 'fileName', 'sandboxPath',
  'declaredSize', 'width', 'height', 'createTime', 'conversationTitle', 'expiresAt', 'textdocId',
] as const satisfies readonly (keyof ArtifactRecord)[];

type RefFields = Pick<ArtifactRecord, (typeof FILLABLE)[number] | 'mimeType'>;

function copyField<K extends keyof RefFields>(to: RefFields, from: RefFields, key: K): void {
  to[key] = from[key];
}

/** Validates one walker reference and maps it onto record fields (size → declaredSize). */
function checkRef(ref: unknown, i: number): { ref: ArtifactRef; fields: Omit<RefFields, 'conversationTitle'> } {
  const at = `refs[${i}]`;
  if (typeof ref !== 'object' || ref === null || Array.isArray(ref)) {
    throw new VaultError('invalid-argument', `${at} must be an object, got ${describe(ref)}`);
  }
  const r = ref as Record<string, unknown>;
  if (!ARTIFACT_KINDS.includes(r.kind as ArtifactKind)) {
    throw new VaultError('invalid-argument', `${at}.kind must be one of ${ARTIFACT_KINDS.join(', ')}, got ${describe(r.kind)}`);
  }
  requireId(r.conversationId, `${at}.conversationId`);
  requireId(r.messageId, `${at}.messageId`);
  const fields = {
    fallbackMessageId: optionalString(r.fallbackMessageId, `${at}.fallbackMessageId`),
    fileId: optionalString(r.fileId, `${at}.fileId`),
    genId: optionalString(r.genId, `${at}.genId`),
    prompt: optionalString(r.prompt, `${at}.prompt`),
    seed: optionalNumber(r.seed, `${at}.seed`),
    fileName: optionalString(r.fileName, `${at}.fileName`),
    sandboxPath: optionalString(r.sandboxPath, `${at}.sandboxPath`),
    mimeType: optionalString(r.mimeType, `${at}.mimeType`),
    declaredSize: optionalNumber(r.size, `${at}.size`),
    width: optionalNumber(r.width, `${at}.width`),
    height: optionalNumber(r.height, `${at}.height`),
    createTime: optionalNumber(r.createTime, `${at}.createTime`),
    expiresAt: optionalNumber(r.expiresAt, `${at}.expiresAt`),
    textdocId: optionalString(r.textdocId, `${at}.textdocId`),
  };
  return { ref: ref as ArtifactRef, fields };
}

export interface RecordRefsOptions {
  source: ArtifactSource;
  conversationTitle?: string | null;
}

/**
 * Creates `pending` records for references not yet in the vault; for known ones fills metadata that is
 * still null, never touching status or bytes. References without an identity are skipped.
 * `added` and `known` list distinct identities, in first-seen order.
 */
export async function recordRefs(
  db: VaultDb,
  refs: ArtifactRef[],
  options: RecordRefsOptions,
): Promise<{ added: string[]; known: string[] }> {
  if (!Array.isArray(refs)) throw new VaultError('invalid-argument', `refs must be an array, got ${describe(refs)}`);
  if (typeof options !== 'object' || options === null) throw new VaultError('invalid-argument', 'options { source } are required');
  const source = requireSource(options.source, 'options.source');
  const conversationTitle = optionalString(options.conversationTitle, 'options.conversationTitle');

  // Merge duplicates inside the batch first (the walker may report one file from two nodes).
  const byId = new Map<string, { ref: ArtifactRef; fields: RefFields }>();
  refs.forEach((raw, i) => {
    const { ref, fields } = checkRef(raw, i);
    const id = artifactIdentity(ref);
    if (id === null) return;
    const withTitle: RefFields = { ...fields, conversationTitle };
    const seen = byId.get(id);
    if (!seen) {
      byId.set(id, { ref, fields: withTitle });
      return;
    }
    for (const key of [...FILLABLE, 'mimeType'] as const) {
      if (seen.fields[key] == null) copyField(seen.fields, withTitle, key);
    }
  });

  const added: string[] = [];
  const known: string[] = [];
  const now = Date.now();
  await db.transaction('rw', db.artifacts, async () => {
    const ids = [...byId.keys()];
    const existing = await db.artifacts.bulkGet(ids);
    const puts: ArtifactRecord[] = [];
    ids.forEach((id, i) => {
      const { ref, fields } = byId.get(id)!;
      const old = existing[i];
      if (!old) {
        added.push(id);
        puts.push({
          id,
          kind: ref.kind,
          conversationId: ref.conversationId,
          messageId: ref.messageId,
          ...fields,
          status: 'pending',
          reason: null,
          sha256: null,
          size: null,
          source,
          capturedAt: null,
          firstSeenAt: now,
          updatedAt: now,
          attempts: 0,
        });
        return;
      }
      known.push(id);
      const next: ArtifactRecord = { ...old };
      let changed = false;
      for (const key of FILLABLE) {
        // Records written before a field existed lack it (undefined): as good as null.
        if (next[key] == null && fields[key] != null) {
          copyField(next, fields, key);
          changed = true;
        }
      }
      // Before bytes arrive, the declared type is the best we have; after, the sniffed type stands.
      if (old.sha256 === null && next.mimeType === null && fields.mimeType !== null) {
        next.mimeType = fields.mimeType;
        changed = true;
      }
      if (changed) puts.push({ ...next, updatedAt: now });
    });
    if (puts.length > 0) await db.artifacts.bulkPut(puts);
  });
  return { added, known };
}

export interface SaveBytesInfo {
  /** Declared type; used only when the bytes show nothing recognisable. */
  mimeType?: string | null;
  /** A file id revealed by the download (sandbox files); recorded when the record has none. */
  fileId?: string | null;
  /** Preferred name; its extension is corrected to the sniffed type. */
  fileName?: string | null;
  source?: ArtifactSource;
  /**
   * The caller hands a Uint8Array over and will not touch it again: no defensive copy, so a downloaded file
   * is held once (the capture queue). Without it the bytes are copied before hashing.
   */
  owned?: boolean;
  /**
   * These bytes replace a saved copy that differs (text the walker writes from the newest JSON: a canvas
   * document's latest text) instead of the first copy winning. The replaced blob goes when nothing uses it.
   */
  replace?: boolean;
  /**
   * The capture job that fetched the bytes: deleted in the same transaction, so the saved file and its
   * finished job are one commit (and one disk flush) instead of two.
   */
  finishJob?: string;
}

export interface SaveBytesResult {
  /** The SHA-256 of the bytes the vault now holds for this artifact (the earlier copy's when one existed). */
  sha256: string;
  size: number;
  mimeType: string;
  /** True when no new blob was written: identical content was already stored, or a first copy won. */
  deduplicated: boolean;
  /** The artifact as stored after the call. */
  record: ArtifactRecord;
}

function isArrayBufferView(data: Uint8Array): data is Uint8Array<ArrayBuffer> {
  return Object.prototype.toString.call(data.buffer) === '[object ArrayBuffer]';
}

/**
 * One file ready to commit: validated, hashed, sniffed and its Blob built, so that the transaction that
 * stores it only reads the record and writes (an IndexedDB transaction commits as soon as it awaits
 * anything that is not IndexedDB, so WebCrypto could not run inside it anyway).
 */
export interface PreparedBytes {
  artifactId: string;
  sha256: string;
  size: number;
  mimeType: string;
  blob: Blob;
  fileId: string | null;
  fileName: string | null;
  source: ArtifactSource | undefined;
  jobId: string | undefined;
  replace?: boolean;
}

/** Checks the input and does every step of saving bytes that needs no database (then `commitPrepared`). */
export async function prepareBytes(artifactId: string, data: ByteSource, info: SaveBytesInfo = {}): Promise<PreparedBytes> {
  requireId(artifactId, 'artifactId');
  if (!isByteSource(data)) throw new VaultError('invalid-argument', `data must be a Blob, ArrayBuffer or Uint8Array, got ${describe(data)}`);
  if (typeof info !== 'object' || info === null) throw new VaultError('invalid-argument', 'info must be an object');
  const declaredMime = optionalString(info.mimeType, 'info.mimeType');
  const fileId = optionalString(info.fileId, 'info.fileId');
  const fileName = optionalString(info.fileName, 'info.fileName');
  const source = info.source === undefined ? undefined : requireSource(info.source, 'info.source');
  const jobId = info.finishJob === undefined ? undefined : requireId(info.finishJob, 'info.finishJob');

  const bytes = info.owned === true && data instanceof Uint8Array && isArrayBufferView(data) ? data : await toBytes(data);
  const sha256 = await sha256Hex(bytes);
  const declared = declaredMime?.trim() || null;
  const sniffed = sniffMime(bytes);
  // `text/plain` is only the sniffer's "some text": a declared text type (Markdown, a language) says more.
  const mimeType = (sniffed === 'text/plain' && declared?.toLowerCase().startsWith('text/') ? declared : sniffed) ?? declared ?? FALLBACK_MIME;
  return {
    artifactId, sha256, size: bytes.byteLength, mimeType, blob: new Blob([bytes], { type: mimeType }), fileId, fileName, source, jobId,
    replace: info.replace === true,
  };
}

/**
 * Writes the bytes of prepared files the vault does not hold yet, in a transaction that touches nothing but
 * `blobs`: the long part of storing a file then never holds up reads and writes of records and jobs (the
 * capture queue's leases). `commitPrepared` must follow with the returned SHA-256s; until it has, the new
 * blobs are referenced by nothing (a worker stopped in between leaves them unreferenced, never a record
 * without its bytes). Returns the SHA-256s it wrote.
 */
export async function storeBlobs(db: VaultDb, items: readonly PreparedBytes[]): Promise<string[]> {
  return db.transaction('rw', db.blobs, async () => {
    const shas = [...new Set(items.map((p) => p.sha256))];
    // Keys only: never read a stored blob to learn that it exists.
    const present = new Set<string>(await db.blobs.where('sha256').anyOf(shas).primaryKeys());
    const fresh = new Map<string, BlobRecord>();
    for (const p of items) {
      if (!present.has(p.sha256) && !fresh.has(p.sha256)) fresh.set(p.sha256, { sha256: p.sha256, blob: p.blob, size: p.size, mimeType: p.mimeType });
    }
    if (fresh.size > 0) await db.blobs.bulkAdd([...fresh.values()]);
    return [...fresh.keys()];
  });
}

/**
 * Commits prepared files in ONE transaction (one disk flush for all of them). Each file's outcome is
 * its own entry: a result, or a `not-found` VaultError when its artifact is gone (the others still
 * commit). A failing write (QuotaExceededError) aborts the transaction and rejects the whole call; the
 * caller then knows nothing of the batch was written. Files for the same artifact apply in order.
 * `written`: blobs `storeBlobs` just wrote for these files; a blob missing meanwhile (its other owner
 * deleted) is written again, and one that no record ends up using (the first copy won) is removed.
 */
export async function commitPrepared(
  db: VaultDb,
  items: readonly PreparedBytes[],
  written: readonly string[] = [],
): Promise<(SaveBytesResult | VaultError)[]> {
  return db.transaction('rw', db.artifacts, db.blobs, db.jobs, async () => {
    const artifactIds = [...new Set(items.map((p) => p.artifactId))];
    const shas = [...new Set(items.map((p) => p.sha256))];
    const [records, blobKeys] = await Promise.all([
      db.artifacts.bulkGet(artifactIds),
      // Keys only: never read a stored blob to learn that it exists.
      db.blobs.where('sha256').anyOf(shas).primaryKeys(),
    ]);
    const current = new Map<string, ArtifactRecord>();
    artifactIds.forEach((id, i) => {
      const r = records[i];
      if (r) current.set(id, r);
    });
    const stored = new Set<string>(blobKeys);
    const changed = new Set<string>();
    const newBlobs: BlobRecord[] = [];
    const jobs: string[] = [];
    const replaced: string[] = [];
    const now = Date.now();
    const results = items.map((p): SaveBytesResult | VaultError => {
      const record = current.get(p.artifactId);
      // Its job stays, as when a lone save throws: the queue sees the artifact gone and ends the job.
      if (!record) return new VaultError('not-found', `no artifact ${p.artifactId}`);
      if (p.jobId !== undefined) jobs.push(p.jobId);
      if (record.status === 'saved' && record.sha256 !== null && record.sha256 !== p.sha256 && p.replace === true) {
        replaced.push(record.sha256);
      } else if (record.status === 'saved' && record.sha256 !== null && record.sha256 !== p.sha256) {
        // First copy wins (docs/FORMATS.md: "when both have bytes the existing copy stays").
        let kept = record;
        if (record.fileId === null && p.fileId !== null) {
          kept = { ...record, fileId: p.fileId, updatedAt: now };
          current.set(p.artifactId, kept);
          changed.add(p.artifactId);
        }
        return { sha256: record.sha256, size: record.size ?? 0, mimeType: record.mimeType ?? FALLBACK_MIME, deduplicated: true, record: kept };
      }
      const blobExists = stored.has(p.sha256);
      if (!blobExists) {
        newBlobs.push({ sha256: p.sha256, blob: p.blob, size: p.size, mimeType: p.mimeType });
        stored.add(p.sha256);
      }
      const again = record.status === 'saved' && record.sha256 === p.sha256;
      const name = p.fileName ?? record.fileName;
      const saved: ArtifactRecord = {
        ...record,
        fileId: record.fileId ?? p.fileId,
        fileName: name === null ? null : withExtension(name, p.mimeType),
        status: 'saved',
        reason: null,
        sha256: p.sha256,
        size: p.size,
        mimeType: p.mimeType,
        source: again ? record.source : (p.source ?? record.source),
        capturedAt: again && record.capturedAt !== null ? record.capturedAt : now,
        updatedAt: now,
      };
      current.set(p.artifactId, saved);
      changed.add(p.artifactId);
      return { sha256: p.sha256, size: p.size, mimeType: p.mimeType, deduplicated: blobExists && !written.includes(p.sha256), record: saved };
    });
    const used = new Set([...changed].map((id) => current.get(id)!.sha256));
    for (const sha of written) {
      if (!used.has(sha) && (await db.artifacts.where('sha256').equals(sha).count()) === 0) await db.blobs.delete(sha);
    }
    // Requests are issued without awaiting each other; the transaction orders and commits them together.
    const writes: Promise<unknown>[] = [];
    if (jobs.length > 0) writes.push(db.jobs.bulkDelete(jobs));
    if (newBlobs.length > 0) writes.push(db.blobs.bulkAdd(newBlobs));
    if (changed.size > 0) writes.push(db.artifacts.bulkPut([...changed].map((id) => current.get(id)!)));
    await Promise.all(writes);
    for (const sha of new Set(replaced)) {
      if (!used.has(sha) && (await db.artifacts.where('sha256').equals(sha).count()) === 0) await db.blobs.delete(sha);
    }
    return results;
  });
}

export interface MarkStatusOptions {
  /** Count this as a fetch attempt (default true). False for a manual reset to `pending`. */
  countAttempt?: boolean;
}

/**
 * Records a non-saved outcome. Never downgrades a `saved` record: returns false then (the bytes stay
 * and the status stays `saved`). Rejects with `not-found` for an unknown id.
 */
export async function markStatus(
  db: VaultDb,
  artifactId: string,
  status: Exclude<ArtifactStatus, 'saved'>,
  reason: string,
  options: MarkStatusOptions = {},
): Promise<boolean> {
  requireId(artifactId, 'artifactId');
  if (!ARTIFACT_STATUSES.includes(status) || (status as ArtifactStatus) === 'saved') {
    throw new VaultError('invalid-argument', `status must be pending, expired or failed, got ${describe(status)}; use prepareBytes and commitPrepared to save`);
  }
  if (typeof reason !== 'string') throw new VaultError('invalid-argument', `reason must be a string, got ${describe(reason)}`);
  const countAttempt = options.countAttempt ?? true;
  return db.transaction('rw', db.artifacts, async () => {
    const record = await db.artifacts.get(artifactId);
    if (!record) throw new VaultError('not-found', `no artifact ${artifactId}`);
    if (record.status === 'saved') return false;
    await db.artifacts.put({
      ...record,
      status,
      reason,
      attempts: record.attempts + (countAttempt ? 1 : 0),
      updatedAt: Date.now(),
    });
    return true;
  });
}

export async function getArtifact(db: VaultDb, id: string): Promise<ArtifactRecord | null> {
  requireId(id, 'id');
  return (await db.artifacts.get(id)) ?? null;
}

export interface ListArtifactsQuery {
  conversationId?: string;
  kind?: ArtifactKind;
  status?: ArtifactStatus;
  /** Only artifacts whose bytes were committed after this time (ms); ordered by capture time. */
  capturedAfter?: number;
  limit?: number;
  offset?: number;
}

/**
 * Artifact records (never bytes: the blobs table is not touched). The most selective filter given goes
 * to an index (conversation, then capture time, status, kind); the others filter. Without
 * `capturedAfter` the order is the index order, then id; with it, oldest capture first.
 */
export async function listArtifacts(db: VaultDb, query: ListArtifactsQuery = {}): Promise<ArtifactRecord[]> {
  if (typeof query !== 'object' || query === null) throw new VaultError('invalid-argument', 'query must be an object');
  const { conversationId, kind, status, capturedAfter, limit, offset } = query;
  if (conversationId !== undefined) requireId(conversationId, 'query.conversationId');
  if (kind !== undefined && !ARTIFACT_KINDS.includes(kind)) throw new VaultError('invalid-argument', `unknown kind ${describe(kind)}`);
  if (status !== undefined && !ARTIFACT_STATUSES.includes(status)) throw new VaultError('invalid-argument', `unknown status ${describe(status)}`);
  if (capturedAfter !== undefined) requireFinite(capturedAfter, 'query.capturedAfter');
  for (const [what, n] of [['limit', limit], ['offset', offset]] as const) {
    if (n !== undefined && !(Number.isInteger(n) && n >= 0)) {
      throw new VaultError('invalid-argument', `query.${what} must be a non-negative integer, got ${describe(n)}`);
    }
  }

  let collection;
  if (conversationId !== undefined) collection = db.artifacts.where('conversationId').equals(conversationId);
  else if (capturedAfter !== undefined) collection = db.artifacts.where('capturedAt').above(capturedAfter);
  else if (status !== undefined) collection = db.artifacts.where('status').equals(status);
  else if (kind !== undefined) collection = db.artifacts.where('kind').equals(kind);
  else collection = db.artifacts.toCollection();

  const filters: Array<(r: ArtifactRecord) => boolean> = [];
  if (kind !== undefined) filters.push((r) => r.kind === kind);
  if (status !== undefined) filters.push((r) => r.status === status);
  if (capturedAfter !== undefined) filters.push((r) => r.capturedAt !== null && r.capturedAt > capturedAfter);
  if (filters.length > 0) collection = collection.and((r) => filters.every((f) => f(r)));
  if (offset) collection = collection.offset(offset);
  if (limit !== undefined) collection = collection.limit(limit);
  return collection.toArray();
}

/** The stored bytes for a SHA-256, or null. */
export async function getBlob(db: VaultDb, sha256: string): Promise<Blob | null> {
  requireId(sha256, 'sha256');
  return (await db.blobs.get(sha256))?.blob ?? null;
}

/** How many artifacts have each status, in the whole vault or one conversation. */
export async function countByStatus(db: VaultDb, conversationId?: string): Promise<Record<ArtifactStatus, number>> {
  const counts: Record<ArtifactStatus, number> = { saved: 0, pending: 0, expired: 0, failed: 0 };
  if (conversationId === undefined) {
    await Promise.all(
      ARTIFACT_STATUSES.map(async (s) => {
        counts[s] = await db.artifacts.where('status').equals(s).count();
      }),
    );
    return counts;
  }
  requireId(conversationId, 'conversationId');
  await db.artifacts.where('conversationId').equals(conversationId).each((r) => {
    counts[r.status]++;
  });
  return counts;
}

/**
 * Deletes an artifact record, its jobs, and its blob when no other artifact references that SHA-256.
 * Returns false when there was no such artifact.
 */
export async function deleteArtifact(db: VaultDb, id: string): Promise<boolean> {
  requireId(id, 'id');
  return db.transaction('rw', db.artifacts, db.blobs, db.jobs, async () => {
    const record = await db.artifacts.get(id);
    if (!record) return false;
    await db.artifacts.delete(id);
    await db.jobs.where('artifactId').equals(id).delete();
    if (record.sha256 !== null && (await db.artifacts.where('sha256').equals(record.sha256).count()) === 0) {
      await db.blobs.delete(record.sha256);
    }
    return true;
  });
}

/** The records of `ids`, in order; undefined where there is none. */
export async function getArtifacts(db: VaultDb, ids: readonly string[]): Promise<(ArtifactRecord | undefined)[]> {
  return db.artifacts.bulkGet([...ids]);
}

/** Every record of one conversation (one index read, unordered). */
export async function conversationArtifacts(db: VaultDb, conversationId: string): Promise<ArtifactRecord[]> {
  return db.artifacts.where('conversationId').equals(conversationId).toArray();
}

/** The ids of one conversation's records (keys only). */
export async function conversationArtifactIds(db: VaultDb, conversationId: string): Promise<string[]> {
  return db.artifacts.where('conversationId').equals(conversationId).primaryKeys();
}

/** Whether any of a conversation's artifacts is still `pending` or `failed` (stops at the first). */
export async function hasOpenArtifacts(db: VaultDb, conversationId: string): Promise<boolean> {
  let open = false;
  await db.artifacts.where('conversationId').equals(conversationId).until(() => open).each((a) => {
    if (a.status === 'pending' || a.status === 'failed') open = true;
  });
  return open;
}

/** The `limit` records captured last (by `capturedAt`, newest first); records without bytes are not in that index. */
export async function newestCaptured(db: VaultDb, limit: number): Promise<ArtifactRecord[]> {
  return db.artifacts.orderBy('capturedAt').reverse().limit(limit).toArray();
}

/** Every record with one status (one index read). */
export async function artifactsWithStatus(db: VaultDb, status: ArtifactStatus): Promise<ArtifactRecord[]> {
  return db.artifacts.where('status').equals(status).toArray();
}

/** Up to `limit` records in primary-key order, after `afterId` (from the first when null). */
export async function artifactsPage(db: VaultDb, afterId: string | null, limit: number): Promise<ArtifactRecord[]> {
  return afterId === null
    ? db.artifacts.orderBy(':id').limit(limit).toArray()
    : db.artifacts.where(':id').above(afterId).limit(limit).toArray();
}

/** Every record, unordered (one read). */
export async function allArtifacts(db: VaultDb): Promise<ArtifactRecord[]> {
  return db.artifacts.toArray();
}

/**
 * Which of `shas` the vault holds bytes for. Keys only (no blob is read), in one request: all the vault's
 * blob keys, which is ~70 bytes per distinct file. (`where(':id').anyOf()` walks a cursor per key, which
 * fake-indexeddb makes quadratic.)
 */
export async function blobKeysAmong(db: VaultDb, shas: readonly string[]): Promise<Set<string>> {
  if (shas.length === 0) return new Set();
  const wanted = new Set(shas);
  return new Set((await db.blobs.toCollection().primaryKeys()).filter((k) => wanted.has(k)));
}
