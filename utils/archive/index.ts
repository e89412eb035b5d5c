/** The vault archive (contracts.md section 1): streamed writer, validating reader, merging restore. */
export { ArchiveError } from './errors';
export type { ArchiveErrorCode } from './errors';
export {
  ARCHIVE_FORMAT, ARCHIVE_VERSION, MANIFEST_NAME, artifactMemberPath, conversationMemberPath, parseManifest,
} from './manifest';
export type { ManifestArtifact, ManifestConversation, VaultManifest } from './manifest';
export { createBlobSink, writeVaultArchive } from './write';
export type { WriteArchiveOptions, WriteArchiveResult } from './write';
export { readVaultArchive, restoreVaultArchive } from './read';
export type { ReadArchiveOptions, RestoreRejection, RestoreResult, ValidatedArchive } from './read';
