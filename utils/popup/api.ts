/**
 * What the toolbar popup needs from the extension, as one injectable object (as `LibraryApi` is for the
 * library page): the tab it speaks about, the background's answers for it, the vault's totals, and a
 * live signal when the vault changes, so the popup follows a backup without polling.
 */
import { conversationRunId } from '@/utils/worker/backup/checkpoint';
import { conversationFileName } from '@/utils/library/download-names';
import { saveBlob } from '@/utils/library/download';
import type { ArtifactStatus } from '@/utils/model';
import { sendMessage, type BackupStatus, type ConversationStatus } from '@/utils/messaging';
import { countByStatus, getArtifacts, getBackupRun, getVaultDb, pendingJobCount, watchVault, type VaultDb } from '@/utils/vault';
import { parseCatchUpState, type CatchUpResult } from '@/utils/worker/catch-up/state';
import { catchUpState } from '@/utils/storage';
import { createBlobSink, writeVaultArchive } from '@/utils/archive';

export interface ActiveTab {
  id: number | null;
  /** Known for ChatGPT tabs (host permission); null elsewhere. */
  url: string | null;
}

/** What the popup says about catch-up's last check. */
export interface CatchUpLine {
  lastCheck: number;
  /** What the check found, as a code the popup words in the person's language (null: not known). */
  result: CatchUpResult | null;
  queued: number;
  saved: number;
}

export interface PopupApi {
  /** The tab the popup speaks about. */
  activeTab(): Promise<ActiveTab>;
  /** The background's counts and title for a tab's conversation (null: it knows none). */
  tabStatus(tabId: number): Promise<ConversationStatus | null>;
  /** The one-conversation backup of `conversationId`, or null when there is none. */
  backupStatus(conversationId: string): Promise<BackupStatus | null>;
  /** Starts (or returns the going) backup of `conversationId`, speaking for the tab's origin. */
  startBackup(conversationId: string, tab: ActiveTab | null): Promise<BackupStatus | null>;
  /** Queues this conversation's failed files again; returns how many. */
  retryFailed(conversationId: string): Promise<number>;
  /** The vault's totals (other tabs). */
  totals(): Promise<Record<ArtifactStatus, number>>;
  /** Builds and saves `Download this conversation`. */
  downloadConversation(conversationId: string, title: string | null): Promise<void>;
  /** Catch-up's last check, with how many of the files it queued are saved; null before the first. */
  catchUp(): Promise<CatchUpLine | null>;
  /**
   * Calls `onChange` now and whenever the vault's records, jobs or this conversation's backup run change
   * (the whole vault's records when `conversationId` is null); returns the unsubscribe.
   */
  watch(conversationId: string | null, onChange: () => void): () => void;
  /** The library page's address. */
  libraryUrl(): string;
}

export function createPopupApi(db: VaultDb = getVaultDb()): PopupApi {
  return {
    async activeTab() {
      const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
      return { id: tab?.id ?? null, url: tab?.url ?? null };
    },
    tabStatus: (tabId) => sendMessage('tabStatus', { tabId }),
    backupStatus: (conversationId) => sendMessage('backupStatus', { runId: conversationRunId(conversationId) }),
    startBackup(conversationId, tab) {
      const origin = tab?.url ? new URL(tab.url).origin : undefined;
      return sendMessage('backupStart', { scope: 'conversation', conversationId, origin, ...(tab?.id != null ? { tabId: tab.id } : {}) });
    },
    retryFailed: (conversationId) => sendMessage('retryFailed', { conversationId }),
    totals: () => countByStatus(db),
    async downloadConversation(conversationId, title) {
      const sink = createBlobSink();
      await writeVaultArchive(db, sink.writable, { conversationId });
      saveBlob(sink.toBlob(), conversationFileName(title ?? conversationId));
    },
    async catchUp() {
      const state = parseCatchUpState(await catchUpState.getValue());
      if (state.lastCheck === null) return null;
      const records = await getArtifacts(db, state.queued);
      return { lastCheck: state.lastCheck, result: state.result, queued: state.queued.length, saved: records.filter((r) => r?.status === 'saved').length };
    },
    watch(conversationId, onChange) {
      const query = async (): Promise<unknown> => conversationId === null
        ? countByStatus(db)
        : Promise.all([getBackupRun(db, conversationRunId(conversationId)), countByStatus(db, conversationId), pendingJobCount(db, conversationId)]);
      return watchVault(query, () => onChange());
    },
    libraryUrl: () => browser.runtime.getURL('/library.html'),
  };
}
