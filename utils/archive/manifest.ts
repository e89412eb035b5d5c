/**
 * The vault archive's manifest (docs/FORMATS.md section 1): its types, the mapping from vault records, and
 * the strict parser used before a restore writes anything. Fields the contract lists are checked
 * exactly; the extra fields we write (identity, seed, dimensions, title…) are optional on read, and
 * anything else is ignored ("readers ignore what they do not know").
 */
import {
  ARTIFACT_KINDS, ARTIFACT_SOURCES, ARTIFACT_STATUSES, type ArtifactKind, type ArtifactProvenance, type ArtifactSource, type ArtifactStatus,
} from '@/utils/model';
import { extensionFor } from '@/utils/files/sniff';
import type { ArtifactRecord, ConversationRecord } from '@/utils/vault';
import { ArchiveError, type ArchiveReason } from './errors';

export const ARCHIVE_FORMAT = 'chatgpt-artifact-vault';
export const ARCHIVE_VERSION = 1;
export const MANIFEST_NAME = 'manifest.json';

const SHA256_RE = /^[0-9a-f]{64}$/;

/** One artifact identity, as the contract lists it, plus our optional extras. */
export interface ManifestArtifact extends ArtifactProvenance {
  mimeType: string | null;
  size: number | null;
  sha256: string | null;
  status: ArtifactStatus;
  reason: string | null;
  /** ISO-8601, or null without bytes. */
  capturedAt: string | null;
  source: ArtifactSource;
  path: string | null;
  // Extras (allowed by the contract; optional on read).
  id?: string;
  fallbackMessageId?: string | null;
  seed?: number | null;
  width?: number | null;
  height?: number | null;
  declaredSize?: number | null;
  createTime?: number | null;
  conversationTitle?: string | null;
  firstSeenAt?: string | null;
  /** Voice recordings: when the backend deletes the file (the pointer's `expiry_datetime`), ISO-8601. */
  expiresAt?: string | null;
  /** Canvas documents: part of their identity (docs/FORMATS.md section 1). */
  textdocId?: string | null;
}

export interface ManifestConversation {
  id: string;
  title: string | null;
  updateTime: number | null;
  path: string;
  gizmoId?: string | null;
}

export interface VaultManifest {
  format: typeof ARCHIVE_FORMAT;
  version: typeof ARCHIVE_VERSION;
  createdAt: string;
  artifacts: ManifestArtifact[];
  conversations: ManifestConversation[];
}

/** `artifacts/<sha256>.<ext>`; `bin` when the type has no known extension. */
export function artifactMemberPath(sha256: string, mimeType: string | null): string {
  return `artifacts/${sha256}.${extensionFor(mimeType) ?? 'bin'}`;
}

export function conversationMemberPath(id: string): string {
  return `conversations/${id}.json`;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * Maps a vault record onto its manifest entry. `memberPath` is the member holding its bytes, or null
 * when the vault has none (then sha256, size and path are null, as the contract requires).
 */
export function toManifestArtifact(r: ArtifactRecord, memberPath: string | null): ManifestArtifact {
  const hasBytes = memberPath !== null && r.sha256 !== null;
  return {
    kind: r.kind,
    conversationId: r.conversationId,
    messageId: r.messageId,
    fileId: r.fileId,
    genId: r.genId,
    fileName: r.fileName,
    sandboxPath: r.sandboxPath,
    prompt: r.prompt,
    mimeType: r.mimeType,
    size: hasBytes ? r.size : null,
    sha256: hasBytes ? r.sha256 : null,
    // A record that claims bytes the vault lost travels as `failed`, so the archive stays restorable.
    status: hasBytes ? r.status : r.status === 'saved' ? 'failed' : r.status,
    reason: hasBytes ? r.reason : r.status === 'saved' ? 'bytes missing from the vault' : r.reason,
    capturedAt: iso(r.capturedAt),
    source: r.source,
    path: hasBytes ? memberPath : null,
    id: r.id,
    fallbackMessageId: r.fallbackMessageId,
    seed: r.seed,
    width: r.width,
    height: r.height,
    declaredSize: r.declaredSize,
    createTime: r.createTime,
    conversationTitle: r.conversationTitle,
    firstSeenAt: iso(r.firstSeenAt),
    expiresAt: r.expiresAt == null ? null : iso(r.expiresAt * 1000),
    textdocId: r.textdocId ?? null,
  };
}

export function toManifestConversation(c: ConversationRecord): ManifestConversation {
  return { id: c.id, title: c.title, updateTime: c.updateTime, path: conversationMemberPath(c.id), gizmoId: c.gizmoId };
}

// ---- parsing ---------------------------------------------------------------------------------------

/** A malformed entry or field at JSON path `at`. */
function bad(at: string, message: string): never {
  invalid({ code: 'manifest-entry', at }, message);
}
function invalid(reason: ArchiveReason, message: string): never {
  throw new ArchiveError(reason, `The archive's manifest is invalid: ${message}.`);
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function str(o: Obj, key: string, at: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0) bad(`${at}.${key}`, `${at}.${key} must be a non-empty string`);
  return v;
}
function strOrNull(o: Obj, key: string, at: string): string | null {
  const v = o[key];
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string') bad(`${at}.${key}`, `${at}.${key} must be a string or null`);
  return v;
}
function numOrNull(o: Obj, key: string, at: string): number | null {
  const v = o[key];
  if (v === null || v === undefined) return null;
  if (typeof v !== 'number' || !Number.isFinite(v)) bad(`${at}.${key}`, `${at}.${key} must be a number or null`);
  return v;
}
function isoOrNull(o: Obj, key: string, at: string): string | null {
  const v = strOrNull(o, key, at);
  if (v !== null && Number.isNaN(Date.parse(v))) bad(`${at}.${key}`, `${at}.${key} must be an ISO date or null`);
  return v;
}
/** Extras are ours and optional: a wrong type is ignored rather than fatal. */
const extraStr = (o: Obj, key: string) => (typeof o[key] === 'string' ? (o[key]) : null);
const extraNum = (o: Obj, key: string) => (typeof o[key] === 'number' && Number.isFinite(o[key]) ? (o[key]) : null);

function parseArtifact(raw: unknown, i: number): ManifestArtifact {
  const at = `artifacts[${i}]`;
  if (!isObj(raw)) bad(at, `${at} is not an object`);
  const kind = raw.kind as ArtifactKind;
  if (!ARTIFACT_KINDS.includes(kind)) bad(`${at}.kind`, `${at}.kind ${JSON.stringify(raw.kind)} is not a known kind`);
  const status = raw.status as ArtifactStatus;
  if (!ARTIFACT_STATUSES.includes(status)) bad(`${at}.status`, `${at}.status ${JSON.stringify(raw.status)} is not a known status`);
  const source = raw.source as ArtifactSource;
  if (!ARTIFACT_SOURCES.includes(source)) bad(`${at}.source`, `${at}.source ${JSON.stringify(raw.source)} is not a known source`);
  const path = strOrNull(raw, 'path', at);
  const sha256 = strOrNull(raw, 'sha256', at);
  const size = numOrNull(raw, 'size', at);
  if (path === null) {
    if (status === 'saved') bad(at, `${at} is saved but has no path`);
    if (sha256 !== null || size !== null) bad(at, `${at} has no path but has sha256 or size`);
  } else {
    if (status !== 'saved') bad(at, `${at} has a path but status ${status}`);
    if (sha256 === null || !SHA256_RE.test(sha256)) bad(`${at}.sha256`, `${at}.sha256 must be 64 lower-case hex digits`);
    if (size === null || !Number.isInteger(size) || size < 0) bad(`${at}.size`, `${at}.size must be a byte count`);
    const m = /^artifacts\/([0-9a-f]{64})(\.[a-z0-9]{1,10})?$/.exec(path);
    if (!m) bad(`${at}.path`, `${at}.path ${JSON.stringify(path)} is not artifacts/<sha256>.<ext>`);
    if (m[1] !== sha256) bad(`${at}.path`, `${at}.path names ${m[1]} but sha256 is ${sha256}`);
  }
  return {
    kind,
    conversationId: str(raw, 'conversationId', at),
    messageId: str(raw, 'messageId', at),
    fileId: strOrNull(raw, 'fileId', at),
    genId: strOrNull(raw, 'genId', at),
    fileName: strOrNull(raw, 'fileName', at),
    sandboxPath: strOrNull(raw, 'sandboxPath', at),
    prompt: strOrNull(raw, 'prompt', at),
    mimeType: strOrNull(raw, 'mimeType', at),
    size,
    sha256,
    status,
    reason: strOrNull(raw, 'reason', at),
    capturedAt: isoOrNull(raw, 'capturedAt', at),
    source,
    path,
    fallbackMessageId: extraStr(raw, 'fallbackMessageId'),
    seed: extraNum(raw, 'seed'),
    width: extraNum(raw, 'width'),
    height: extraNum(raw, 'height'),
    declaredSize: extraNum(raw, 'declaredSize'),
    createTime: extraNum(raw, 'createTime'),
    conversationTitle: extraStr(raw, 'conversationTitle'),
    firstSeenAt: typeof raw.firstSeenAt === 'string' && !Number.isNaN(Date.parse(raw.firstSeenAt)) ? raw.firstSeenAt : null,
    expiresAt: typeof raw.expiresAt === 'string' && !Number.isNaN(Date.parse(raw.expiresAt)) ? raw.expiresAt : null,
    textdocId: extraStr(raw, 'textdocId'),
  };
}

function parseConversation(raw: unknown, i: number): ManifestConversation {
  const at = `conversations[${i}]`;
  if (!isObj(raw)) bad(at, `${at} is not an object`);
  const id = str(raw, 'id', at);
  const path = str(raw, 'path', at);
  if (path !== conversationMemberPath(id)) bad(`${at}.path`, `${at}.path must be ${JSON.stringify(conversationMemberPath(id))}`);
  return {
    id,
    title: strOrNull(raw, 'title', at),
    updateTime: numOrNull(raw, 'updateTime', at),
    path,
    gizmoId: extraStr(raw, 'gizmoId'),
  };
}

/** Parses and checks manifest text; throws ArchiveError('bad-manifest') with the first problem. */
export function parseManifest(text: string): VaultManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    invalid({ code: 'manifest-not-json' }, `it is not JSON (${(error as Error).message})`);
  }
  if (!isObj(raw)) invalid({ code: 'manifest-format' }, 'it is not a JSON object');
  if (raw.format !== ARCHIVE_FORMAT) {
    invalid({ code: 'manifest-format', found: JSON.stringify(raw.format ?? null).slice(0, 80) }, `format is ${JSON.stringify(raw.format)}, expected ${JSON.stringify(ARCHIVE_FORMAT)}`);
  }
  if (raw.version !== ARCHIVE_VERSION) {
    invalid({ code: 'manifest-version', version: String(raw.version) }, `version ${JSON.stringify(raw.version)} is not supported (this version of the extension reads version ${ARCHIVE_VERSION})`);
  }
  if (typeof raw.createdAt !== 'string') bad('createdAt', 'createdAt is missing');
  if (!Array.isArray(raw.artifacts)) bad('artifacts', 'artifacts is not an array');
  if (!Array.isArray(raw.conversations)) bad('conversations', 'conversations is not an array');
  const conversations = raw.conversations.map(parseConversation);
  const ids = new Set<string>();
  for (const [i, c] of conversations.entries()) {
    if (ids.has(c.id)) bad(`conversations[${i}]`, `conversation ${c.id} is listed twice`);
    ids.add(c.id);
  }
  return {
    format: ARCHIVE_FORMAT,
    version: ARCHIVE_VERSION,
    createdAt: raw.createdAt,
    artifacts: raw.artifacts.map(parseArtifact),
    conversations,
  };
}
