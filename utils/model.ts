/**
 * The product's domain types, shared by the walker (utils/chatgpt), the vault (utils/vault), the capture
 * pipeline and the UI. Field meanings follow docs/FORMATS.md section 1 (manifest entries).
 */

/**
 * What an artifact is (docs/FORMATS.md section 1). `upload` is only captured when the person turns it on.
 * `audio`: a voice-mode recording; `video`: a video a conversation or an export carries; `canvas`: a canvas
 * (`canmore`) document's latest text; `research`: a deep research report as Markdown.
 */
export type ArtifactKind = 'image' | 'chart' | 'sandbox-file' | 'upload' | 'audio' | 'video' | 'canvas' | 'research';
export const ARTIFACT_KINDS: readonly ArtifactKind[] = ['image', 'chart', 'sandbox-file', 'upload', 'audio', 'video', 'canvas', 'research'];

/** Kinds whose bytes are text the walker writes from the conversation JSON (no download). */
export const TEXT_KINDS: ReadonlySet<ArtifactKind> = new Set(['canvas', 'research']);

/** `saved`: bytes present. `expired`: the source says it is gone. `failed`: retries exhausted. */
export type ArtifactStatus = 'saved' | 'pending' | 'expired' | 'failed';
export const ARTIFACT_STATUSES: readonly ArtifactStatus[] = ['saved', 'pending', 'expired', 'failed'];

/** How the bytes reached the vault. */
export type ArtifactSource = 'live' | 'backup' | 'import';
export const ARTIFACT_SOURCES: readonly ArtifactSource[] = ['live', 'backup', 'import'];

/**
 * A time as seconds since the epoch. ChatGPT sends `update_time` as a float in a conversation body and as
 * an ISO-8601 string in the conversation list (docs/CHATGPT.md 3.2); both are accepted.
 */
export function epochSeconds(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : ms / 1000;
  }
  return null;
}

/**
 * An artifact's identity and provenance: the one type that every artifact reference, vault record, download
 * job, archive manifest entry, reconcile item and fetch item builds on (each extends it or picks from it).
 * `artifactIdentity` computes an artifact's id from these fields.
 */
export interface ArtifactProvenance {
  kind: ArtifactKind;
  conversationId: string;
  /**
   * Images and charts: the node carrying the asset pointer (usually the tool message). Sandbox files:
   * the assistant message whose text holds the `sandbox:` link. Uploads: the user message.
   */
  messageId: string;
  /** `file-…`, `file_…`, a 2023 bare UUID, or null (sandbox files have none until downloaded). */
  fileId: string | null;
  /** `metadata.generation.gen_id`, else `metadata.dalle.gen_id`. */
  genId: string | null;
  /** The name a person would expect (sandbox basename, upload name, or derived from title and id). */
  fileName: string | null;
  /** Decoded, NFC-normalised `/mnt/data/…` path for sandbox files, else null. */
  sandboxPath: string | null;
  prompt: string | null;
}

/**
 * The same identity where the conversation and message may be unknown: a file of an export that no
 * conversation names (the reconcile match and report).
 */
export type LooseProvenance = Omit<ArtifactProvenance, 'conversationId' | 'messageId'> & {
  conversationId: string | null;
  messageId: string | null;
};

/**
 * One artifact reference found in a conversation JSON by the walker. Everything here comes from the
 * backend's JSON, never from the page's DOM.
 */
export interface ArtifactRef extends ArtifactProvenance {
  /** Sandbox files only: the tool message whose output mentions the path (second choice for download). */
  fallbackMessageId: string | null;
  seed: number | null;
  mimeType: string | null;
  /** Size in bytes as declared by the JSON (may differ from the bytes actually served). */
  size: number | null;
  width: number | null;
  height: number | null;
  /** Seconds since the epoch, from the message or its neighbours (image_gen tool messages have null). */
  createTime: number | null;
  /** Whether the node lies on the visible thread (current_node path). Off-path = regenerations, edits. */
  onCurrentPath: boolean;
  /** Seconds since the epoch after which the backend deletes the file (voice recordings' `expiry_datetime`), else null. */
  expiresAt?: number | null;
  /** Canvas documents: the `textdoc_id` (the latest text), or `<textdoc_id>@v<n>` for an earlier version; else null. */
  textdocId?: string | null;
  /**
   * Canvas documents (each version) and research reports: the text the walker rebuilt from the JSON, which
   * is what the vault saves as their bytes; else null.
   */
  text?: string | null;
  /** Uploads: the `libfile_…` id of the Library entry the attachment came from (2026), else null. */
  libraryFileId?: string | null;
}

/**
 * The identity of an artifact (docs/FORMATS.md section 1): sandbox files by (conversation, sandbox path),
 * canvas documents by (conversation, textdoc id), research reports by (conversation, message); every other
 * kind by file id when known, else gen_id. Returns null for a reference with neither.
 */
export function artifactIdentity(
  ref: Pick<ArtifactProvenance, 'kind' | 'conversationId' | 'sandboxPath' | 'fileId' | 'genId'> & Partial<Pick<ArtifactRef, 'textdocId' | 'messageId'>>,
): string | null {
  if (ref.kind === 'sandbox-file') {
    return ref.sandboxPath ? `sandbox:${ref.conversationId}:${ref.sandboxPath}` : null;
  }
  if (ref.kind === 'canvas') return ref.textdocId ? `canvas:${ref.conversationId}:${ref.textdocId}` : null;
  if (ref.kind === 'research') return ref.messageId ? `research:${ref.conversationId}:${ref.messageId}` : null;
  if (ref.fileId) return `file:${ref.fileId}`;
  if (ref.genId) return `gen:${ref.genId}`;
  return null;
}
