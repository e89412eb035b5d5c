/**
 * A backup run's identity and its fresh checkpoint record. The checkpoint itself is stored through
 * utils/vault/backup-runs.ts before each next request, so a stopped service worker, a closed page or a
 * browser restart resumes where it stopped and reads nothing twice.
 */
import type { BackupCounts, BackupRunRecord } from '@/utils/vault';

export const EVERYTHING_RUN = 'everything';

/** The run id of a one-conversation backup (the popup's button). */
export function conversationRunId(conversationId: string): string {
  return `conversation:${conversationId}`;
}

function emptyCounts(): BackupCounts {
  return {
    listed: 0, read: 0, skipped: 0, failed: 0, imagesListed: 0, imagesOnlyInLibrary: 0,
    queued: 0, saved: 0, expired: 0, filesFailed: 0, alreadySaved: 0,
  };
}

export function newRun(
  scope: BackupRunRecord['scope'],
  origin: string,
  conversationId: string | null,
  now: number,
  account: string | null = null,
): BackupRunRecord {
  return {
    id: scope === 'everything' ? EVERYTHING_RUN : conversationRunId(conversationId!),
    scope,
    conversationId,
    origin,
    account,
    state: 'running',
    phase: scope === 'everything' ? 'probe' : 'conversations',
    historyOffset: 0,
    archivedOffset: 0,
    projectsCursor: null,
    projectsListed: false,
    projects: [],
    imagesCursor: null,
    waiting: [],
    counts: emptyCounts(),
    step: 'Starting',
    pausedUntil: null,
    startedAt: now,
    updatedAt: now,
    finishedAt: null,
    error: null,
  };
}
