/**
 * The vault side of a reconciliation, behind one small read-only interface: the live Dexie vault in the
 * browser (`dexie-vault.ts`) or a vault archive ZIP (`archive-vault.ts`, the CLI's input).
 */
import type { ArtifactProvenance, ArtifactStatus } from '@/utils/model';

/** One vault artifact identity, metadata only. */
export interface VaultArtifact extends Omit<ArtifactProvenance, 'prompt'> {
  /** `artifactIdentity`: `file:<id>`, `gen:<id>` or `sandbox:<conversation>:<path>`. */
  id: string;
  mimeType: string | null;
  status: ArtifactStatus;
  /** SHA-256 of the bytes the vault holds, or null when it holds none. */
  sha256: string | null;
  size: number | null;
  conversationTitle: string | null;
  /** The prompt and the reason for a missing copy, when the vault knows them (the readable archive shows both). */
  prompt?: string | null;
  reason?: string | null;
}

export interface VaultSide {
  /** Every artifact identity the vault knows, with or without bytes. */
  artifacts(): Promise<VaultArtifact[]>;
  /** The bytes for a SHA-256 the vault holds, streamed, or null when they are missing. */
  bytes(sha256: string): Promise<ReadableStream<Uint8Array> | null>;
  /** Ids of the conversations the vault holds snapshots of. */
  snapshotIds(): Promise<string[]>;
  /** A snapshot's JSON bytes as stored, or null. */
  snapshot(id: string): Promise<Uint8Array | null>;
}
