/**
 * The messages between the library page and its reconcile worker (`worker.ts`). The page sends the chosen
 * export `File` (a Blob handle: the worker reads it with random access, nothing is copied); the worker
 * answers with throttled progress, then the report, and on request the enriched export as a Blob.
 */
import type { ReconcileProgress, ReconcileReport, ReportItem } from './report-types';

export type { ReconcileProgress, ReconcileReport };

export type PageToWorker =
  /** Reconcile `file` against the live vault. Sent once per worker. */
  | { type: 'reconcile'; file: File; exportName: string }
  /** Write the enriched export of the finished run. */
  | { type: 'write-enriched' }
  /** Stop writing the enriched export (the finished report stays usable). */
  | { type: 'cancel-write' };

export type WorkerToPage =
  | { type: 'progress'; progress: ReconcileProgress }
  /**
   * The report's items, a slice at a time before `report`: one message with 100,000 items would hold the
   * page's main thread for most of a second while it is deserialized.
   */
  | { type: 'items'; items: ReportItem[] }
  /** The report with `items` empty (they came before); `json` is the report exactly as `Download report` saves it. */
  | { type: 'report'; report: ReconcileReport; json: Blob }
  | { type: 'enriched'; blob: Blob }
  | { type: 'write-cancelled' }
  /** `badInput`: the export was refused (ReconcileInputError / ZipFormatError); `message` is then its one line. */
  | { type: 'failed'; message: string; badInput: boolean };
