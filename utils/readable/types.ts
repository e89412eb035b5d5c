/**
 * What the readable-archive renderer (docs/FORMATS.md section 5) takes and where it writes. Sources (vault,
 * export, reconcile result) adapt to these in `sources.ts`; the renderer itself knows no Dexie, ZIP or Node.
 */
import type { ArtifactRef, ArtifactStatus } from '@/utils/model';
import type { PreparedConversation } from './render';

/** One artifact the archive knows: its identity and provenance always, bytes only when someone holds them. */
export interface ReadableArtifact
  extends Pick<ArtifactRef, 'kind' | 'fileId' | 'genId' | 'fileName' | 'sandboxPath' | 'prompt' | 'mimeType'> {
  /** Null for a file of no conversation (the image library, an export's stray member). */
  conversationId: string | null;
  messageId: string | null;
  /** `saved` with bytes; else the vault's status or `missing` (nobody ever held the bytes). */
  status: ArtifactStatus | 'missing';
  reason: string | null;
  sha256: string | null;
  /** The bytes exactly as captured or exported, streamed; null when nobody holds them. */
  open: (() => Promise<ReadableStream<Uint8Array> | null>) | null;
}

/** One conversation as its source holds it: parsed JSON, prepared already (the CLI's parse workers), or unreadable. */
export type ConversationItem =
  | { label: string; json: unknown }
  | { label: string; prepared: PreparedConversation }
  | { label: string; problem: string };

export interface ReadableInput {
  /** Each conversation once, the newest copy (the sources decide); a repeated id is skipped with a note. */
  conversations: AsyncIterable<ConversationItem>;
  artifacts: readonly ReadableArtifact[];
  /**
   * A selection: files the conversations mention that are not in `artifacts` are left out, not named as
   * not saved (they were not chosen, not lost).
   */
  onlyListed?: boolean;
}

/** Where the archive's files go: the one ZIP writer (`zipOutput`) or a folder (the CLI). */
export interface ArchiveOutput {
  /** `path` is relative, `/`-separated, already safe and unique. */
  add(path: string, data: Uint8Array | ReadableStream<Uint8Array>, opts: { compress: boolean }): Promise<void>;
}

export interface RenderProgress {
  conversations: number;
  assets: number;
  /** Bytes of assets written. */
  bytes: number;
}

export interface RenderSummary extends RenderProgress {
  /** Artifacts named in place without bytes. */
  notSaved: number;
  /** Artifacts of no conversation in the archive (`assets/_library/`). */
  library: number;
  /** Conversations or artifacts skipped, one line each (also listed in the index). */
  notes: string[];
}
