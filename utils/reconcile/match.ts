/**
 * Matching export identities to vault artifacts and classifying each (docs/FORMATS.md section 2). Pure:
 * what the export holds and what the vault holds go in, one report item per identity comes out.
 *
 * Order: file id, then gen_id, then (sandbox files) conversation + decoded NFC path, then SHA-256 of
 * bytes both sides have. Each pass only claims export items no earlier pass claimed.
 */
import { artifactIdentity, type ArtifactKind, type LooseProvenance, TEXT_KINDS } from '@/utils/model';
import { normaliseSandboxPath } from '@/utils/chatgpt/sandbox-links';
import type { ReportItem, ReconcileStatus } from './report';
import type { VaultArtifact } from './vault-side';
import type { ExportRef } from './walk-task';
import type { LibraryFile } from '@/utils/chatgpt/library-files';

/** An asset member of the export, hashed. */
export interface ExportAsset {
  fileId: string;
  /** Display path: the member name, or `<part>.zip!/<member>` inside a part-ZIP. */
  member: string;
  sha256: string;
  size: number;
  /** The original name from `conversation_asset_file_names.json`, else the member's basename (an unnamed `.dat` named by its bytes). */
  originalName: string;
  /** The type its first bytes show, or null. */
  mimeType: string | null;
  kindHint: ArtifactKind;
}


export interface ExportSide {
  /** Conversation ids present in the export. */
  conversationIds: ReadonlySet<string>;
  /** Walker refs of every export conversation. */
  refs: Iterable<ExportRef>;
  library: readonly LibraryFile[];
  /** Asset members by lower-cased file id (section 5.3: the first member wins). */
  assets: ReadonlyMap<string, ExportAsset>;
  /** `textdocs/` members by canvas document id (`fileId` holds the id). */
  textdocs?: ReadonlyMap<string, ExportAsset>;
}

/** A report item with what the enriched export needs to write it. */
export interface MatchedItem {
  item: ReportItem;
  vault: VaultArtifact | null;
  exportSha256: string | null;
  /** Whether the export names this identity (else only the vault knows it): decides `recovered` vs `vault-only` once bytes arrive. */
  fromExport: boolean;
  /** The image's prompt, from the export or the vault (the provenance `Fetch missing files` saves with the bytes). */
  prompt: string | null;
}

interface Draft extends Omit<LooseProvenance, 'prompt'> {
  asset: ExportAsset | null;
  vault: VaultArtifact | null;
  textdocId?: string | null;
  prompt?: string | null;
}

const lower = (s: string) => s.toLowerCase();

function fill(d: Draft, from: Partial<Draft>): void {
  d.conversationId ??= from.conversationId ?? null;
  d.messageId ??= from.messageId ?? null;
  d.fileId ??= from.fileId ?? null;
  d.genId ??= from.genId ?? null;
  d.fileName ??= from.fileName ?? null;
}

/** A Library row's kind: generated image by its gen_id or category, video or recording by type, else upload. */
function libraryKind(lf: LibraryFile): ArtifactKind {
  const category = lf.category?.toLowerCase() ?? '';
  if (lf.genId || category.includes('image_gen') || category.includes('generated')) return 'image';
  if (lf.mimeType?.startsWith('video/')) return 'video';
  if (lf.mimeType?.startsWith('audio/')) return 'audio';
  return 'upload';
}

export function matchItems(exp: ExportSide, vault: readonly VaultArtifact[]): MatchedItem[] {
  const drafts: Draft[] = [];
  const byFile = new Map<string, Draft>();
  const byGen = new Map<string, Draft>();
  const bySandbox = new Map<string, Draft>();
  /** Canvas documents and research reports by their identity (conversation + textdoc id / message id). */
  const byText = new Map<string, Draft>();
  /** Library uploads by their `libfile_` id. */
  const byLibrary = new Map<string, Draft>();

  const index = (d: Draft) => {
    if (d.fileId && !byFile.has(lower(d.fileId))) byFile.set(lower(d.fileId), d);
    if (d.genId && !byGen.has(d.genId)) byGen.set(d.genId, d);
  };
  /** An export identity: joins an existing one by file id, else by gen_id, else is new. */
  const addExport = (d: Draft) => {
    const same = (d.fileId ? byFile.get(lower(d.fileId)) : undefined)
      ?? (d.genId ? byGen.get(d.genId) : undefined);
    if (same && !(same.fileId && d.fileId && lower(same.fileId) !== lower(d.fileId))) {
      // A generated image or chart beats an upload with the same id (as in the walker).
      if (same.kind === 'upload' && d.kind !== 'upload') same.kind = d.kind;
      fill(same, d);
      same.prompt ??= d.prompt ?? null;
      index(same);
      return;
    }
    drafts.push(d);
    index(d);
  };

  for (const ref of exp.refs) {
    const d: Draft = {
      kind: ref.kind, conversationId: ref.conversationId, messageId: ref.messageId, fileId: ref.fileId, genId: ref.genId,
      fileName: ref.fileName, sandboxPath: ref.sandboxPath, asset: null, vault: null, prompt: ref.prompt ?? null,
    };
    if (ref.kind === 'sandbox-file') {
      const key = `${ref.conversationId}\u0000${ref.sandboxPath}`;
      if (!bySandbox.has(key)) {
        bySandbox.set(key, d);
        drafts.push(d);
      }
    } else if (TEXT_KINDS.has(ref.kind)) {
      const key = artifactIdentity(ref);
      if (key !== null && !byText.has(key)) {
        d.textdocId = ref.textdocId ?? null;
        byText.set(key, d);
        drafts.push(d);
      }
    } else {
      addExport(d);
      if (ref.libraryFileId) byLibrary.set(lower(ref.libraryFileId), byFile.get(lower(ref.fileId ?? '')) ?? d);
    }
  }
  for (const lf of exp.library) {
    // A row naming only its `libfile_` id is the upload an attachment's `library_file_id` points at.
    const same = byLibrary.get(lower(lf.fileId)) ?? (lf.libraryFileId ? byLibrary.get(lower(lf.libraryFileId)) : undefined);
    if (same) {
      fill(same, { conversationId: lf.conversationId, messageId: lf.messageId, genId: lf.genId, fileName: lf.fileName });
      continue;
    }
    addExport({
      kind: libraryKind(lf), conversationId: lf.conversationId, messageId: lf.messageId, fileId: lf.fileId,
      genId: lf.genId, fileName: lf.fileName, sandboxPath: null, asset: null, vault: null,
    });
  }
  for (const [id, a] of exp.assets) {
    if (byFile.has(id)) continue;
    addExport({
      kind: a.kindHint, conversationId: null, messageId: null, fileId: a.fileId, genId: null, fileName: a.originalName,
      sandboxPath: null, asset: null, vault: null,
    });
  }
  // Export bytes: only a member that resolves to the item's file id (sandbox files never have any); a canvas
  // document's latest text from `textdocs/`, and a `textdocs/` member no conversation names is an item of its own.
  const docsSeen = new Set<string>();
  for (const d of drafts) {
    if (d.kind === 'canvas' && d.textdocId) {
      d.asset = exp.textdocs?.get(d.textdocId) ?? null;
      if (d.asset) docsSeen.add(d.textdocId);
    } else if (d.kind !== 'sandbox-file' && d.fileId) d.asset = exp.assets.get(lower(d.fileId)) ?? null;
  }
  for (const [id, a] of exp.textdocs ?? []) {
    if (docsSeen.has(id)) continue;
    drafts.push({ kind: 'canvas', conversationId: null, messageId: null, fileId: null, genId: null, fileName: a.originalName, sandboxPath: null, asset: a, vault: null, textdocId: id });
  }

  const vaultSorted = [...vault].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const unclaimed = new Set(vaultSorted);
  const claim = (a: VaultArtifact, d: Draft | undefined): boolean => {
    if (!d || d.vault) return false;
    d.vault = a;
    unclaimed.delete(a);
    return true;
  };
  // 0. canvas documents and research reports: their identity (they have no file id).
  for (const a of vaultSorted) {
    if (TEXT_KINDS.has(a.kind)) claim(a, byText.get(a.id));
  }
  // 1. file id
  for (const a of vaultSorted) {
    if (a.kind !== 'sandbox-file' && a.fileId) claim(a, byFile.get(lower(a.fileId)));
  }
  // 2. gen_id: the same identity unless both sides know a file id and the ids differ.
  for (const a of [...unclaimed]) {
    if (a.kind === 'sandbox-file' || !a.genId) continue;
    const d = byGen.get(a.genId);
    if (d && d.kind !== 'sandbox-file' && !(d.fileId && a.fileId && lower(d.fileId) !== lower(a.fileId))) claim(a, d);
  }
  // 3. sandbox files: conversation + decoded, NFC-normalised path.
  for (const a of [...unclaimed]) {
    if (a.kind !== 'sandbox-file' || !a.sandboxPath) continue;
    const path = normaliseSandboxPath(a.sandboxPath) ?? a.sandboxPath;
    claim(a, bySandbox.get(`${a.conversationId}\u0000${path}`));
  }
  // 4. SHA-256 of bytes present on both sides.
  const bySha = new Map<string, Draft[]>();
  for (const d of drafts) {
    if (!d.asset || d.vault) continue;
    let list = bySha.get(d.asset.sha256);
    if (!list) bySha.set(d.asset.sha256, (list = []));
    list.push(d);
  }
  for (const a of [...unclaimed]) {
    if (!a.sha256 || a.status !== 'saved') continue;
    const list = bySha.get(a.sha256);
    while (list && list.length > 0 && !claim(a, list.shift())) { /* skip items claimed meanwhile */ }
  }

  const out: MatchedItem[] = [];
  const fromExport = new Set(drafts);
  for (const a of unclaimed) {
    drafts.push({
      kind: a.kind, conversationId: a.conversationId, messageId: a.messageId, fileId: a.fileId, genId: a.genId,
      fileName: a.fileName, sandboxPath: a.sandboxPath, asset: null, vault: a,
    });
  }
  for (const d of drafts) {
    const v = d.vault;
    if (v) fill(d, v);
    const vaultSha = v && v.status === 'saved' && v.sha256 ? v.sha256 : null;
    const exportSha = d.asset?.sha256 ?? null;
    let status: ReconcileStatus;
    if (exportSha && vaultSha) status = 'matched';
    else if (exportSha) status = 'export-only';
    else if (!vaultSha) status = 'lost';
    else if (fromExport.has(d) || (d.conversationId !== null && exp.conversationIds.has(d.conversationId))) status = 'recovered';
    else status = 'vault-only';
    out.push({
      item: {
        status, kind: d.kind, conversationId: d.conversationId, messageId: d.messageId, fileId: d.fileId, genId: d.genId,
        fileName: d.fileName, sandboxPath: d.sandboxPath, exportMember: d.asset?.member ?? null, vaultSha256: vaultSha,
        identical: exportSha && vaultSha ? exportSha === vaultSha : null,
      },
      vault: v,
      exportSha256: exportSha,
      fromExport: fromExport.has(d),
      prompt: d.prompt ?? v?.prompt ?? null,
    });
  }
  return out;
}
