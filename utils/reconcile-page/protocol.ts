/**
 * The messages between the library page and its reconcile worker (`worker.ts`). The page sends the chosen
 * export `File` (a Blob handle: the worker reads it with random access, nothing is copied); the worker
 * answers with throttled progress, then the report without its items, and on request one page of items
 * (filtered there) or the enriched export as a Blob. The items stay in the worker: 160,000 item objects on
 * the page cost a 0.6 s garbage-collection pause when they arrived, for a table that shows 100 at a time.
 */
import type { FetchMissingOutcome, FetchMissingRequestItem } from '@/utils/messaging';
import type { ReconcileReason } from '@/utils/reconcile/errors';
import type { ReconcileNote } from '@/utils/reconcile/notes';
import type { ReconcileFilter } from './filter';
import type { ReconcileProgress, ReconcileReport, ReportItem } from './report-types';

export type { ReconcileProgress, ReconcileReport };

/** One page of the filtered items, and how many match in all. */
export interface ItemsPage {
  rows: ReportItem[];
  total: number;
}

export type PageToWorker =
  /** Reconcile `file` against the live vault. Sent once per worker. */
  | { type: 'reconcile'; file: File; exportName: string }
  /** Only keep `file`'s conversation index for export-first `Back up everything` (no reconcile). Sent once per worker. */
  | { type: 'index'; file: File; exportName: string }
  /** One page of the finished run's items; answered by `rows` with the same `id`. */
  | { type: 'query'; id: number; filter: ReconcileFilter; offset: number; limit: number }
  /** Write the enriched export of the finished run. */
  | { type: 'write-enriched' }
  /** Write the readable archive of the finished run: the export's conversations with both sides' bytes. */
  | { type: 'write-readable'; namePattern?: string }
  /** Stop writing the enriched export or the readable archive (the finished report stays usable). */
  | { type: 'cancel-write' }
  /** The finished run's `lost` items that `Fetch missing files` can fetch; answered by `fetch-list` with the same `id`. */
  | { type: 'fetch-list'; id: number }
  /** How fetches ended (from the background): the report is updated in place and sent again as `updated`. */
  | { type: 'apply-fetched'; outcomes: FetchMissingOutcome[] };

export type WorkerToPage =
  | { type: 'progress'; progress: ReconcileProgress }
  /**
   * The report with `items` empty (the page asks for pages of them); `json` is the report as `Download report`
   * saves it; `notes`: what the reader could not read or skipped (conversation, JSON path, reason).
   */
  | { type: 'report'; report: ReconcileReport; json: Blob; notes: ReconcileNote[]; fetchable: number }
  /** The report after `apply-fetched` (items empty again, as in `report`), its JSON, and how many items can still be fetched. */
  | { type: 'updated'; report: ReconcileReport; json: Blob; fetchable: number }
  /** The export's index is kept (after `index`); `notes` as in `report`. */
  | { type: 'indexed'; notes: ReconcileNote[] }
  | { type: 'fetch-list'; id: number; items: FetchMissingRequestItem[] }
  | ({ type: 'rows'; id: number } & ItemsPage)
  | { type: 'enriched'; blob: Blob }
  | { type: 'readable'; blob: Blob }
  | { type: 'write-cancelled' }
  /**
   * `badInput`: the export was refused (ReconcileInputError / ZipFormatError), `reason` says why (the page
   * shows it in the person's language) and `message` is its English line; otherwise `message` is the error's.
   */
  | { type: 'failed'; message: string; badInput: boolean; reason: ReconcileReason | null };
