/**
 * The one typed messaging contract of the extension, grouped by direction. Every message takes one `data`
 * object and returns a plain value; handlers throw and the library re-throws at the sender.
 *
 * Trust: these run over `browser.runtime` messaging, which page scripts cannot reach. Nothing here is ever
 * fed from `window.postMessage`; see docs/SECURITY.md.
 *
 * Streams do not use these messages: byte chunks of the tab's download jobs and the pieces of a conversation
 * the tab read itself travel over the capture port (utils/capture-port.ts, validated there). Every
 * request with an answer is here.
 */
import { defineExtensionMessaging } from '@webext-core/messaging';
import type { ArtifactProvenance, ArtifactStatus } from '@/utils/model';
import type { BackupCounts, BackupRunRecord, ExportIndexMeta, FetchRunRecord } from '@/utils/vault';

/** What the background knows about one conversation, for the popup and the badge. */
export interface ConversationStatus {
  conversationId: string | null;
  title: string | null;
  counts: Record<ArtifactStatus, number>;
  /** Jobs still queued or running for this conversation. */
  queued: number;
}

/** What the background answers a conversation read with. */
export interface ReadReceipt extends ConversationStatus {
  /** Every node and message id of the conversation (the DOM's `data-message-id` values join to these). */
  nodeIds: string[];
  /** Image tasks the JSON shows still generating (no asset yet): only these justify a follow-up read. */
  imagesPending: number;
}

/**
 * What `readConversation` answers: the receipt of the worker's own read, or that the tab reads the
 * conversation itself and hands it over with `recordConversation`: from now on (the backend refuses the
 * worker), or this once (a 404 for the worker: not on the server yet, or not visible to its request).
 */
export type ReadAnswer = { read: ReadReceipt } | { tabReads: TabReadScope };
export type TabReadScope = 'from-now-on' | 'once';

/** Why a conversation was read: the page changed (`live`), or the person asked for a backup. */
export type ReadReason = 'live' | 'backup';

/** Which conversation to read, and why. */
export interface ReadRequest {
  conversationId: string;
  gizmoId: string | null;
  reason: ReadReason;
}

/** A backup run as the popup and the library page show it (utils/worker/backup). */
export interface BackupStatus {
  /** `everything` or `conversation:<id>`. */
  runId: string;
  scope: BackupRunRecord['scope'];
  conversationId: string | null;
  state: BackupRunRecord['state'];
  phase: BackupRunRecord['phase'];
  /** What the run does now, in words ("Reading the conversation", "Saving files: 3 of 12"). */
  step: string;
  /** For a progressbar: `value` of `max` (max grows while conversations are still being listed). */
  value: number;
  max: number;
  /** While ChatGPT rate-limits: when the run goes on (ms since the epoch), for a countdown. */
  pausedUntil: number | null;
  counts: BackupCounts;
  /** Files of this run still being downloaded. */
  filesPending: number;
  startedAt: number;
  finishedAt: number | null;
  /** Conversations that could not be read, with why (first 50). */
  failures: { conversationId: string; title: string | null; reason: string | null }[];
  /** Whether the run speaks for a ChatGPT workspace (Team/Business) rather than the personal account. */
  workspace: boolean;
  /** Time left at ChatGPT's pace (the bulk pacer's bucket model), while a `Back up everything` run goes on. */
  etaMs?: number | null;
}

/** One `lost` report item the reconcile view hands to the background to fetch (`key`: its index in the report). */
export interface FetchMissingRequestItem extends ArtifactProvenance {
  key: number;
  /** The conversation's project (`g-p-…`) when the export says it is a project chat. */
  gizmoId?: string | null;
}

/** A `Fetch missing files` run as the reconcile view shows it (utils/worker/backup/fetch-missing.ts). */
export interface FetchMissingStatus {
  /** Which report the items came from (the page that started the run applies the outcomes only to it). */
  reportToken: string;
  state: FetchRunRecord['state'];
  step: string;
  /** Items ended, of `max`. */
  value: number;
  max: number;
  counts: FetchRunRecord['counts'];
  /** While ChatGPT rate-limits: when the run goes on (ms since the epoch). */
  pausedUntil: number | null;
}

/** How one handed-over item ended. */
export interface FetchMissingOutcome {
  key: number;
  state: 'saved' | 'expired' | 'failed';
  reason: string | null;
  sha256: string | null;
}

/** Content script -> background. */
export interface ContentToBackground {
  /** The tab now shows this conversation (or none), so the badge can follow it. */
  conversationShown(data: { conversationId: string | null }): ConversationStatus;
  /**
   * Read the conversation in the background (no JSON crosses the page), record it and queue its downloads.
   * `account` is the raw `_account` cookie (a workspace id, not a secret): a worker cannot read the page's
   * cookies. When the worker cannot serve it, the answer says the tab reads it itself (`tabReads`); any other
   * failure is thrown (a CaptureFailure with its cause, for the tab to retry).
   */
  readConversation(data: ReadRequest & { account: string | null }): ReadAnswer;
  /**
   * Record a conversation the tab read itself. Its text was streamed over the capture port as `readId`'s
   * `read-chunk` pieces (one big message would hold the page's main thread while it is serialized); this
   * waits until `chunks` pieces of `length` characters in all arrived, and throws if they do not.
   */
  recordConversation(data: ReadRequest & { readId: string; chunks: number; length: number }): ReadReceipt;
}

/** Extension pages (popup, library) -> background. */
export interface UiToBackground {
  /** Status of the conversation open in a tab (the popup asks for the active tab). */
  tabStatus(data: { tabId: number }): ConversationStatus;
  /** Start a backup (or return the one already going): the whole history, or one conversation. */
  backupStart(data: { scope: 'everything'; exportFirst?: boolean } | { scope: 'conversation'; conversationId: string; origin?: string; tabId?: number }): BackupStatus;
  /** A backup run's live state, or null when there never was one. */
  backupStatus(data: { runId: string }): BackupStatus | null;
  /** `Pause`, `Resume` or `Cancel` a run. */
  backupControl(data: { runId: string; action: 'pause' | 'resume' | 'cancel' }): BackupStatus | null;
  /** The export the last reconcile indexed (what an export-first `Back up everything` uses), or null. */
  exportIndexInfo(data: Record<string, never>): ExportIndexMeta | null;
  /** Start fetching these report items (or return the run still going, with its own report token). */
  fetchMissingStart(data: { items: FetchMissingRequestItem[]; reportToken: string }): FetchMissingStatus;
  /** The `Fetch missing files` run's state, or null when there never was one. */
  fetchMissingStatus(data: Record<string, never>): FetchMissingStatus | null;
  /** `Pause`, `Resume` or `Cancel` the run. */
  fetchMissingControl(data: { action: 'pause' | 'resume' | 'cancel' }): FetchMissingStatus | null;
  /** How the run's items ended so far (items still to fetch are not listed). */
  fetchMissingResults(data: Record<string, never>): FetchMissingOutcome[];
  /** Retry every failed artifact (and pending ones waiting for backoff) right away. */
  retryFailed(data: { conversationId: string | null }): number;
}

/** Background -> content script. */
export interface BackgroundToContent {
  /**
   * A backup read (a listing or one conversation of the tab's origin) fetched by the tab, for a worker the
   * backend refuses, for the run's workspace cookie `account` (null: personal), whichever the tab shows.
   */
  pageRead(data: { url: string; account: string | null; gizmoId?: string | null }): PageReadAnswer;
}

/** What a tab's backup read got: the status, the body for a 2xx, and Retry-After as sent. */
export interface PageReadAnswer {
  status: number;
  text: string | null;
  retryAfter: string | null;
}

export type ProtocolMap = ContentToBackground & UiToBackground & BackgroundToContent;

export const { sendMessage, onMessage, removeAllListeners } = defineExtensionMessaging<ProtocolMap>();
