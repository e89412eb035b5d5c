/**
 * The vault's one IndexedDB database (Dexie). Records and bytes live in separate tables so listing
 * artifacts never loads binary data (docs/STYLE.md habit 7), and bytes are content-addressed by SHA-256 so
 * identical files from two artifacts (a regenerated image served twice, a CSV re-downloaded) are stored once.
 *
 * Schema rules: index only what a query below uses, never index blobs or large fields, never edit a
 * shipped version(n) -- add version(n + 1) with .upgrade() instead. Null values are simply absent from an
 * IndexedDB index (null is not a valid key), so e.g. `sha256` only indexes artifacts that have bytes.
 */
import Dexie, { type EntityTable } from 'dexie';
import type { ArtifactProvenance, ArtifactRef, ArtifactSource, ArtifactStatus } from '@/utils/model';

/** One artifact identity. Bytes, when present, are in `blobs` under `sha256`. */
export interface ArtifactRecord extends Omit<ArtifactRef, 'onCurrentPath' | 'size' | 'mimeType' | 'text' | 'libraryFileId'> {
  /** `artifactIdentity(ref)`: `file:<id>`, `gen:<id>` or `sandbox:<conversation>:<path>`. */
  id: string;
  status: ArtifactStatus;
  /** Short human-readable cause when not `saved`, else null. */
  reason: string | null;
  /** SHA-256 (lower-case hex) of the stored bytes; null without bytes. */
  sha256: string | null;
  /** Stored byte size; null without bytes. */
  size: number | null;
  /** Size declared by the conversation JSON (may differ from the bytes served). */
  declaredSize: number | null;
  /** Declared type until bytes arrive, then the type sniffed from the bytes. */
  mimeType: string | null;
  /** How the bytes (or, before that, the reference) reached the vault. */
  source: ArtifactSource;
  /** Milliseconds since the epoch when bytes were first committed; null without bytes. */
  capturedAt: number | null;
  firstSeenAt: number;
  updatedAt: number;
  conversationTitle: string | null;
  /** Failed or expired fetch attempts recorded through markStatus. */
  attempts: number;
}

/** Content-addressed bytes, shared by every artifact with the same SHA-256. */
export interface BlobRecord {
  sha256: string;
  blob: Blob;
  size: number;
  mimeType: string;
}

/**
 * Who delivered a snapshot: the backend answering the extension itself (`backend`), a vault archive
 * (`restored`) or a content script (`tab`). Only `backend` is the truth; the other two are copies.
 */
export type SnapshotSource = 'backend' | 'restored' | 'tab';

/** Conversation metadata for listings; the JSON itself is in `snapshots`. */
export interface ConversationRecord {
  id: string;
  title: string | null;
  /** `update_time` of the stored snapshot, seconds since the epoch (as the backend sends it). */
  updateTime: number | null;
  /** Milliseconds since the epoch when the snapshot was stored. */
  savedAt: number;
  gizmoId: string | null;
  /**
   * Where the stored snapshot came from when not the backend's own answer to the extension: `restored` from
   * an archive, `tab` delivered by a content script. Absent: the backend (`snapshotIsCurrent` decides).
   */
  source?: Exclude<SnapshotSource, 'backend'>;
  /** Set instead of `source` on rows that versions before `source` restored from an archive. */
  restored?: boolean;
}

/** The backend's conversation JSON text exactly as received (can be ~20 MB). */
export interface SnapshotRecord {
  id: string;
  json: string;
}

export type JobType = 'fetch-artifact';

/** One unit of the persistent work queue; survives a stopped service worker. */
export interface JobRecord {
  /** e.g. `fetch:<artifactId>`; one job per id. */
  id: string;
  type: JobType;
  artifactId: string;
  conversationId: string;
  attempts: number;
  /** Milliseconds since the epoch; the job is due when this is <= now. */
  nextAttemptAt: number;
  /** A worker's claim; a lease in the past is dead and the job can be claimed again. */
  leaseUntil: number | null;
  /**
   * When the claimed job actually began (the queue claims a few ahead of its free slots); null or absent for
   * a claim not started yet. Only a started job counts an attempt when its worker stops mid-job.
   */
  startedAt?: number | null;
  lastError: string | null;
  createdAt: number;
  /** Job-specific data (may hold a signed URL until the job ends; never copied into artifact records). */
  data: Record<string, unknown>;
}

/** A backup run's checkpoint (utils/worker/backup): where listing stopped and what is still awaited; survives a stopped worker. */
/** Which listing a backup stopped early, and why: it went round in circles. */
export interface ListingStop {
  /** A full page that added nothing (offsets), a cursor seen before, or a page with nothing new (cursors). */
  why: 'repeated' | 'came-back' | 'nothing-new';
  list: 'history' | 'archived' | 'images' | 'projects' | 'project';
  /** The offset that repeated (`repeated`), or the project whose list it was (`project`). */
  at?: number | string;
}

export interface BackupRunRecord {
  /** `everything`, or `conversation:<id>` for the popup's one-conversation backup. */
  id: string;
  scope: 'everything' | 'conversation';
  conversationId: string | null;
  origin: string;
  /** The workspace cookie the run speaks for (`ChatGPT-Account-Id`); null or absent: the personal account. */
  account?: string | null;
  state: 'running' | 'paused' | 'done' | 'cancelled';
  phase: 'probe' | 'history' | 'archived' | 'projects' | 'conversations' | 'images' | 'files' | 'done';
  /** Listing checkpoints: the next offset or cursor of each listing. */
  historyOffset: number;
  archivedOffset: number;
  projectsCursor: string | null;
  projectsListed: boolean;
  /** Projects still to list, first one in progress with its cursor. */
  projects: { id: string; cursor: string | null }[];
  imagesCursor: string | null;
  /** Cursors the cursor listing in progress has already asked for (a repeat means a cycle). */
  cursorsSeen?: string[];
  /** Listings stopped because they went round in circles, for the summary (words from an older version). */
  listingStops?: (ListingStop | string)[];
  /** Artifact ids this run queued for download whose outcome is not known yet. */
  waiting: string[];
  /**
   * Export-first: the reconciled export whose index (`exportConversations`) spares reads of conversations it
   * shows without any artifact and unchanged since; null or absent: every listed conversation is read.
   */
  exportFirst?: ExportIndexMeta | null;
  counts: BackupCounts;
  /** The last thing the run did, in words. */
  step: string;
  /** While ChatGPT rate-limits: when the next request may go (ms since the epoch). */
  pausedUntil: number | null;
  startedAt: number;
  updatedAt: number;
  finishedAt: number | null;
  error: string | null;
}

export interface BackupCounts {
  listed: number;
  read: number;
  /** Conversations whose stored snapshot was as new as the listing's and had nothing left to fetch. */
  skipped: number;
  failed: number;
  imagesListed: number;
  /** Images the library knew and no conversation read did (gone or unreadable conversations). */
  imagesOnlyInLibrary: number;
  /** Files this run queued for download, and how each ended. */
  queued: number;
  saved: number;
  expired: number;
  filesFailed: number;
  /** Files the vault already held when the run met them. */
  alreadySaved: number;
  /** Conversations not read because the export showed them without artifacts and unchanged (absent: 0). */
  exportSkipped?: number;
}

/** One conversation a backup run must read; `state` is `todo` until it is read, skipped or has failed. */
export interface BackupItemRecord {
  /** `<runId>|<conversationId>`. */
  id: string;
  runId: string;
  state: 'todo' | 'done' | 'skipped' | 'failed';
  conversationId: string;
  title: string | null;
  gizmoId: string | null;
  /** The listing's update time (seconds), to skip a conversation whose stored snapshot is as new. */
  updateTime: number | null;
  reason: string | null;
  /** Listing order, so a run reads in the order it listed. */
  order: number;
}

/** The export the last reconcile read (one row, id `last`): what `Back up everything` may trust instead of reads. */
export interface ExportIndexMeta {
  id: 'last';
  /** The export's file name as chosen. */
  name: string;
  /** Milliseconds since the epoch when it was reconciled. */
  reconciledAt: number;
  conversations: number;
}

/** One conversation of that export: enough to tell whether reading it again could find anything. */
export interface ExportConversationRecord {
  /** Conversation id. */
  id: string;
  /** The export's `update_time` of it (seconds), or null when it had none. */
  updateTime: number | null;
  /** Whether the walker found any artifact reference in it (an image, a file link, an upload, a canvas…). */
  artifacts: boolean;
  /** Its project (`g-p-…`) when it is a project chat (absent otherwise, and in indexes written before). */
  projectGizmoId?: string;
}

/** A `Fetch missing files` run (utils/worker/backup/fetch-missing.ts): checkpointed like a backup run. */
export interface FetchRunRecord {
  /** `fetch-missing` (one run at a time). */
  id: string;
  /** The page's token for the report the items came from, so that only that report applies the outcomes. */
  reportToken: string;
  origin: string;
  account: string | null;
  state: 'running' | 'paused' | 'done' | 'cancelled';
  total: number;
  counts: { saved: number; expired: number; failed: number };
  step: string;
  startedAt: number;
  updatedAt: number;
  finishedAt: number | null;
  error: string | null;
}

/** One item of a fetch run: the report item's identity and provenance, and how its fetch ended. */
export interface FetchItemRecord extends ArtifactProvenance {
  /** `<runId>|<key>`. */
  id: string;
  runId: string;
  /** The report item's index, which the page uses to update it. */
  key: number;
  order: number;
  state: 'todo' | 'saved' | 'expired' | 'failed';
  /** Why it is not saved (the server's words when it gave any). */
  reason: string | null;
  /** SHA-256 of the saved bytes. */
  sha256: string | null;
  /** The conversation's project (`g-p-…`) as the export gave it: its requests carry the project header. */
  gizmoId?: string | null;
}

export type VaultDb = Dexie & {
  exports: EntityTable<ExportIndexMeta, 'id', ExportIndexMeta>;
  exportConversations: EntityTable<ExportConversationRecord, 'id', ExportConversationRecord>;
  fetchRuns: EntityTable<FetchRunRecord, 'id', FetchRunRecord>;
  fetchItems: EntityTable<FetchItemRecord, 'id', FetchItemRecord>;
  backupRuns: EntityTable<BackupRunRecord, 'id', BackupRunRecord>;
  backupItems: EntityTable<BackupItemRecord, 'id', BackupItemRecord>;
  artifacts: EntityTable<ArtifactRecord, 'id', ArtifactRecord>;
  blobs: EntityTable<BlobRecord, 'sha256', BlobRecord>;
  conversations: EntityTable<ConversationRecord, 'id', ConversationRecord>;
  snapshots: EntityTable<SnapshotRecord, 'id', SnapshotRecord>;
  jobs: EntityTable<JobRecord, 'id', JobRecord>;
};

const VAULT_DB_NAME = 'artifact-vault';

/** Opens (lazily: Dexie opens on first use) a vault database. Tests pass a unique name. */
export function createVaultDb(name: string = VAULT_DB_NAME): VaultDb {
  // Relaxed durability (Chromium): a commit returns once the OS has the data, not after an fsync. Every job
  // commits a few small transactions; fsync-ing each halved the backup's byte throughput (bench/backup.ts).
  // Atomicity is unchanged: a power cut can lose the last commits, never corrupt the vault, and lost jobs rerun.
  const db = new Dexie(name, { chromeTransactionDurability: 'relaxed' }) as VaultDb;
  db.version(1).stores({
    // conversationId: a conversation's artifacts (library page, countByStatus per chat).
    // kind, status: filtered listings and counts. capturedAt: recent captures (capturedAfter).
    // sha256: other references to a blob before deleting it.
    artifacts: 'id, conversationId, kind, status, capturedAt, sha256',
    // Looked up by primary key only.
    blobs: 'sha256',
    conversations: 'id',
    snapshots: 'id',
    // artifactId: jobs of an artifact (deleteArtifact). nextAttemptAt: due jobs.
    // conversationId: pending work per conversation (pendingJobCount).
    jobs: 'id, artifactId, nextAttemptAt, conversationId',
  });
  // Backup checkpoints (utils/worker/backup). backupItems [runId+state+order]: the next conversation to read in
  // listing order, and counts per state; runId: a run's items (removed with the run).
  db.version(2).stores({
    backupRuns: 'id',
    backupItems: 'id, runId, [runId+state+order]',
  });
  // New tables only (nothing to migrate). exports: the last reconciled export (one row); exportConversations:
  // its conversations by id (export-first backup). fetchItems [runId+state+order]: the next item of a
  // `Fetch missing files` run in report order, and its outcomes by state.
  db.version(3).stores({
    exports: 'id',
    exportConversations: 'id',
    fetchRuns: 'id',
    fetchItems: 'id, runId, [runId+state+order]',
  });
  return db;
}

let singleton: VaultDb | null = null;

/** The extension's vault, created on first call. */
export function getVaultDb(): VaultDb {
  singleton ??= createVaultDb();
  return singleton;
}
