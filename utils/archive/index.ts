/** The vault archive (docs/FORMATS.md section 1): streamed writer, and a restore that validates every member before it merges. */
export { ArchiveError } from './errors';
export type { ArchiveErrorCode } from './errors';
export {
  ARCHIVE_FORMAT, ARCHIVE_VERSION, MANIFEST_NAME, artifactMemberPath, conversationMemberPath, parseManifest,
} from './manifest';
export type { ManifestArtifact, ManifestConversation, VaultManifest } from './manifest';
export { createBlobSink, writeVaultArchive } from './write';
export type { WriteArchiveOptions, WriteArchiveResult } from './write';
export { restoreVaultArchive } from './read';
export type { ReadArchiveOptions, RestoreRejection, RestoreResult } from './read';
