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
  FILLABLE, allArtifacts, artifactsPage, artifactsWithStatus, blobKeysAmong, commitPrepared, conversationArtifactIds, conversationArtifacts,
  countByStatus, deleteArtifact, getArtifact, getArtifacts, getBlob, hasOpenArtifacts, listArtifacts, markStatus, newestCaptured, prepareBytes,
  recordRefs, storeBlobs,
} from './artifacts';
export type { ListArtifactsQuery, MarkStatusOptions, PreparedBytes, RecordRefsOptions, SaveBytesInfo, SaveBytesResult } from './artifacts';
export { getConversation, getConversations, getSnapshotJson, listConversations, saveSnapshot, snapshotIds, snapshotIsCurrent } from './snapshots';
export type { SaveSnapshotResult } from './snapshots';
export {
  conversationJobIds, dropJobs, enqueueJob, fetchJobId, finishJob, getJobs, leaseDueJobs, leasedJobs, markJobsStarted, pendingJobCount, releaseJob,
  releaseLeases, rescheduleJob, upcomingJobs,
} from './jobs';
export type { JobInput } from './jobs';
export { addItems, createRun, failedItems, finishItem, getBackupRun, listBackupRuns, nextItem, saveRun } from './backup-runs';
export type { BackupItemInput } from './backup-runs';
export { fetchRunItems, finishFetchItem, getFetchRun, nextFetchItem, saveFetchRun, startFetchRun } from './fetch-runs';
export { applyRestore, archiveContents } from './archive';
export type { ArchiveContents, RestoreMerge } from './archive';
export { watchVault } from './live';
