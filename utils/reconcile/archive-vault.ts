/**
 * A vault archive ZIP (docs/FORMATS.md section 1) as a reconcile VaultSide: the CLI's vault. The manifest is
 * parsed by utils/archive's strict parser; every member name is checked, and every artifact member is
 * hashed as it streams and must equal the SHA-256 its entry names, before anything is matched.
 */
import { artifactIdentity } from '@/utils/model';
import { MANIFEST_NAME, parseManifest } from '@/utils/archive/manifest';
import { openZip, unsafeNameReason, type Crc32, type InflateFactory, type RandomAccessSource } from '@/utils/zip';
import { ReconcileInputError, throwIfAborted } from './errors';
import { nobleSha256, type HashFactory } from './hash';
import { asInputError } from './reconcile';
import type { VaultArtifact, VaultSide } from './vault-side';

export interface ArchiveVaultOptions {
  inflate?: InflateFactory;
  crc32?: Crc32;
  signal?: AbortSignal;
  hash?: HashFactory;
  /** For messages (`vault.zip`). */
  name?: string;
}

const MAX_MANIFEST = 256 << 20;

export async function archiveVault(src: RandomAccessSource, opts: ArchiveVaultOptions = {}): Promise<VaultSide> {
  const what = opts.name ?? 'The vault archive';
  try {
    return await open(src, what, opts);
  } catch (error) {
    throw asInputError(error, what);
  }
}

async function open(src: RandomAccessSource, what: string, opts: ArchiveVaultOptions): Promise<VaultSide> {
  if (src.size === 0) throw new ReconcileInputError({ code: 'empty', file: what }, `${what} is empty (0 bytes): it is not a vault archive.`);
  const zip = await openZip(src, { inflate: opts.inflate, crc32: opts.crc32, signal: opts.signal });
  for (const e of zip.entries) {
    const reason = unsafeNameReason(e.name);
    if (reason !== null) throw new ReconcileInputError({ code: 'bad-vault-archive', file: what }, `${what} has a member named ${JSON.stringify(e.name.slice(0, 80))}, which ${reason}: rejected as tampered with.`);
  }
  const manifestEntry = zip.get(MANIFEST_NAME);
  if (!manifestEntry) throw new ReconcileInputError({ code: 'bad-vault-archive', file: what }, `${what} has no manifest.json: it is not a vault archive.`);
  const raw = await zip.bytes(manifestEntry, MAX_MANIFEST);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new ReconcileInputError({ code: 'bad-vault-archive', file: what }, `${what}: manifest.json is not UTF-8 text.`);
  }
  const manifest = parseManifest(text);

  const artifacts: VaultArtifact[] = [];
  const pathBySha = new Map<string, string>();
  for (const [i, a] of manifest.artifacts.entries()) {
    const id = artifactIdentity(a);
    if (id === null) continue;
    if (a.path !== null) {
      if (!zip.get(a.path)) throw new ReconcileInputError({ code: 'bad-vault-archive', file: what }, `${what} is incomplete: ${a.path} (artifacts[${i}]) is missing.`);
      pathBySha.set(a.sha256!, a.path);
    }
    artifacts.push({
      id, kind: a.kind, conversationId: a.conversationId, messageId: a.messageId, fileId: a.fileId, genId: a.genId,
      fileName: a.fileName, sandboxPath: a.sandboxPath, mimeType: a.mimeType, status: a.status, sha256: a.sha256, size: a.size,
      conversationTitle: a.conversationTitle ?? null, prompt: a.prompt, reason: a.reason,
    });
  }
  for (const c of manifest.conversations) {
    if (!zip.get(c.path)) throw new ReconcileInputError({ code: 'bad-vault-archive', file: what }, `${what} is incomplete: ${c.path} is missing.`);
  }
  // Every artifact member must hold what its name and entry say (streamed, bounded memory).
  const hash = opts.hash ?? nobleSha256;
  for (const [sha, path] of pathBySha) {
    throwIfAborted(opts.signal);
    const entry = zip.get(path)!;
    const h = hash();
    const r = zip.stream(entry, { maxBytes: entry.uncompressedSize, signal: opts.signal }).getReader();
    for (;;) {
      const { value, done } = await r.read();
      if (done) break;
      h.update(value);
    }
    if (h.hex() !== sha) throw new ReconcileInputError({ code: 'bad-vault-archive', file: what }, `${what} was altered: ${path} does not match its SHA-256.`);
  }
  const byId = new Map(manifest.conversations.map((c) => [c.id, c.path]));
  return {
    artifacts: () => Promise.resolve(artifacts),
    bytes: (sha) => {
      const path = pathBySha.get(sha);
      const entry = path === undefined ? undefined : zip.get(path);
      return Promise.resolve(entry ? zip.stream(entry, { maxBytes: entry.uncompressedSize }) : null);
    },
    snapshotIds: () => Promise.resolve([...byId.keys()]),
    snapshot: async (id) => {
      const path = byId.get(id);
      const entry = path === undefined ? undefined : zip.get(path);
      return entry ? zip.bytes(entry, MAX_MANIFEST) : null;
    },
  };
}
