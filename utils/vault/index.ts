/** The vault: artifact records, content-addressed bytes, conversation snapshots and the work queue. */
export { createVaultDb, getVaultDb } from './db';
export type {
  ArtifactRecord, BackupCounts, BackupItemRecord, BackupRunRecord, ListingStop, BlobRecord, ConversationRecord, ExportConversationRecord, ExportIndexMeta,
  FetchItemRecord, FetchRunRecord, JobRecord, JobType, SnapshotRecord, SnapshotSource, VaultDb,
} from './db';
export { exportIndexMeta, exportShowsNothingNew, saveExportIndex } from './export-index';
export { VaultError } from './errors';
export type { VaultErrorCode } from './errors';
export {
  FILLABLE, commitPrepared, countByStatus, deleteArtifact, getArtifact, getBlob, listArtifacts, markStatus, prepareBytes, recordRefs, storeBlobs,
} from './artifacts';
export type { ListArtifactsQuery, MarkStatusOptions, PreparedBytes, RecordRefsOptions, SaveBytesInfo, SaveBytesResult } from './artifacts';
export { listConversations, saveSnapshot, snapshotIsCurrent } from './snapshots';
export type { SaveSnapshotResult } from './snapshots';
export { enqueueJob, fetchJobId, finishJob, leaseDueJobs, markJobsStarted, pendingJobCount, rescheduleJob } from './jobs';
export type { JobInput } from './jobs';
