/**
 * The product's domain types, shared by the walker (utils/chatgpt), the vault (utils/vault), the capture
 * pipeline and the UI. Field meanings follow ../shared/docs/contracts.md section 1 (manifest entries).
 */

/** What an artifact is. `upload` is only captured when the person turns it on. */
export type ArtifactKind = 'image' | 'chart' | 'sandbox-file' | 'upload';
export const ARTIFACT_KINDS: readonly ArtifactKind[] = ['image', 'chart', 'sandbox-file', 'upload'];

/** `saved`: bytes present. `expired`: the source says it is gone. `failed`: retries exhausted. */
export type ArtifactStatus = 'saved' | 'pending' | 'expired' | 'failed';
export const ARTIFACT_STATUSES: readonly ArtifactStatus[] = ['saved', 'pending', 'expired', 'failed'];

/** How the bytes reached the vault. */
export type ArtifactSource = 'live' | 'backup' | 'import';
export const ARTIFACT_SOURCES: readonly ArtifactSource[] = ['live', 'backup', 'import'];

/**
 * A time as seconds since the epoch. ChatGPT sends `update_time` as a float in a conversation body and as
 * an ISO-8601 string in the conversation list (chatgpt-surface.md 3.2); both are accepted.
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
 * One artifact reference found in a conversation JSON by the walker. Everything here comes from the
 * backend's JSON, never from the page's DOM.
 */
export interface ArtifactRef {
  kind: ArtifactKind;
  conversationId: string;
  /**
   * Images and charts: the node carrying the asset pointer (usually the tool message). Sandbox files:
   * the assistant message whose text holds the `sandbox:` link. Uploads: the user message.
   */
  messageId: string;
  /** Sandbox files only: the tool message whose output mentions the path (second choice for download). */
  fallbackMessageId: string | null;
  /** `file-…`, `file_…`, a 2023 bare UUID, or null (sandbox files have none until downloaded). */
  fileId: string | null;
  /** `metadata.generation.gen_id`, else `metadata.dalle.gen_id`. */
  genId: string | null;
  prompt: string | null;
  seed: number | null;
  /** The name a person would expect (sandbox basename, upload name, or derived from title and id). */
  fileName: string | null;
  /** Decoded, NFC-normalised `/mnt/data/…` path for sandbox files, else null. */
  sandboxPath: string | null;
  mimeType: string | null;
  /** Size in bytes as declared by the JSON (may differ from the bytes actually served). */
  size: number | null;
  width: number | null;
  height: number | null;
  /** Seconds since the epoch, from the message or its neighbours (image_gen tool messages have null). */
  createTime: number | null;
  /** Whether the node lies on the visible thread (current_node path). Off-path = regenerations, edits. */
  onCurrentPath: boolean;
}

/**
 * The identity of an artifact (contracts.md section 1): sandbox files by (conversation, sandbox path);
 * every other kind by file id when known, else gen_id. Returns null for a reference with neither.
 */
export function artifactIdentity(
  ref: Pick<ArtifactRef, 'kind' | 'conversationId' | 'sandboxPath' | 'fileId' | 'genId'>,
): string | null {
  if (ref.kind === 'sandbox-file') {
    return ref.sandboxPath ? `sandbox:${ref.conversationId}:${ref.sandboxPath}` : null;
  }
  if (ref.fileId) return `file:${ref.fileId}`;
  if (ref.genId) return `gen:${ref.genId}`;
  return null;
}
