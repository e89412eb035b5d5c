/**
 * The page's handle on one reconciliation: it starts a dedicated worker (`worker.ts`, bundled by Vite as a
 * file of the extension, so it runs under the extension's own CSP in Chrome and Firefox), hands it the
 * chosen File and turns its messages into promises. All heavy work (inflating, splitting, hashing,
 * matching, writing the enriched ZIP) happens in that worker; the page only renders what it is told.
 */
import type { FetchMissingOutcome, FetchMissingRequestItem } from '@/utils/messaging';
import type { ReconcileReason } from '@/utils/reconcile/errors';
import type { ReconcileNote } from '@/utils/reconcile/notes';
import type { ReconcileFilter } from './filter';
import type { ItemsPage, PageToWorker, ReconcileProgress, ReconcileReport, WorkerToPage } from './protocol';

/** Why a run or a write ended without a result. */
export class ReconcileRunError extends Error {
  override readonly name = 'ReconcileRunError';
  constructor(
    message: string,
    /** The export was refused as bad input (its message is the one line to show). */
    readonly badInput: boolean,
    /** The person cancelled. */
    readonly cancelled = false,
    /** Why the input was refused, when it was (badInput). */
    readonly reason: ReconcileReason | null = null,
  ) {
    super(message);
  }
}

/** A finished run's report as the page shows it: items empty (pages are queried), the JSON `Download report` saves. */
export interface ReportView {
  report: ReconcileReport;
  json: Blob;
  /** `lost` items `Fetch missing files` can still fetch. */
  fetchable: number;
}

export interface ReconcileRun {
  /** The report and its JSON as a Blob, or a ReconcileRunError. */
  readonly done: Promise<ReportView & { notes: ReconcileNote[] }>;
  /** The `lost` items that can be fetched directly, for the background. */
  fetchList(): Promise<FetchMissingRequestItem[]>;
  /** Updates the report with how fetches ended; resolves with the updated report. */
  applyFetched(outcomes: FetchMissingOutcome[]): Promise<ReportView>;
  /** One page of the finished run's items matching `filter` (filtered in the worker). */
  query(filter: ReconcileFilter, offset: number, limit: number): Promise<ItemsPage>;
  /** Writes the enriched export of the finished run (progress goes to the run's `onProgress`). */
  writeEnriched(): Promise<Blob>;
  /** Writes the readable archive of the finished run (one write at a time, like `writeEnriched`). */
  writeReadable(namePattern?: string): Promise<Blob>;
  /** Stops writing the enriched export or the readable archive; the write rejects with a cancelled error. */
  cancelWrite(): void;
  /** Ends the run at once (the worker is terminated; it never writes to the vault, so nothing is left half done). */
  cancel(): void;
}

export type StartReconcile = (file: File, onProgress: (p: ReconcileProgress) => void) => ReconcileRun;

interface Pending<T> {
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
}

/** Runs a reconciliation of `file` against the live vault in a new worker. */
export const startReconcileWorker: StartReconcile = (file, onProgress) =>
  connectRun(new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }), file, onProgress);

/** Reads a chosen export's conversations only and keeps its index; resolves with the read's notes (with `index-not-kept` when it could not be written), or rejects with a ReconcileRunError. */
export type StartIndex = (file: File) => Promise<{ notes: ReconcileNote[] }>;

/** Keeps `file`'s conversation index for export-first `Back up everything` in a new reconcile worker (no reconcile, no asset read). */
export const startIndexWorker: StartIndex = (file) => {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  return new Promise<{ notes: ReconcileNote[] }>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<WorkerToPage>) => {
      const m = e.data;
      if (m.type === 'indexed') resolve({ notes: m.notes });
      else if (m.type === 'failed') reject(new ReconcileRunError(m.message, m.badInput, false, m.reason));
      else return;
      worker.terminate();
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      worker.terminate();
      reject(new ReconcileRunError(`The reconcile worker stopped: ${e.message || 'unknown error'}`, false));
    };
    worker.postMessage({ type: 'index', file, exportName: file.name } satisfies PageToWorker);
  });
};

function connectRun(worker: Worker, file: File, onProgress: (p: ReconcileProgress) => void): ReconcileRun {
  let reportWait: Pending<ReportView & { notes: ReconcileNote[] }> | null = null;
  const updates: ((v: ReportView) => void)[] = [];
  const lists = new Map<number, (items: FetchMissingRequestItem[]) => void>();
  let writeWait: Pending<Blob> | null = null;
  let finished = false;
  const queries = new Map<number, (page: ItemsPage) => void>();
  let nextQuery = 0;
  const done = new Promise<ReportView & { notes: ReconcileNote[] }>((resolve, reject) => (reportWait = { resolve, reject }));
  const post = (m: PageToWorker) => worker.postMessage(m);

  const fail = (err: ReconcileRunError) => {
    if (writeWait) {
      writeWait.reject(err);
      writeWait = null;
    } else if (reportWait) {
      reportWait.reject(err);
      reportWait = null;
    }
  };

  worker.onmessage = (e: MessageEvent<WorkerToPage>) => {
    const m = e.data;
    switch (m.type) {
      case 'progress':
        onProgress(m.progress);
        break;
      case 'rows':
        queries.get(m.id)?.({ rows: m.rows, total: m.total });
        queries.delete(m.id);
        break;
      case 'report':
        finished = true;
        reportWait?.resolve({ report: m.report, json: m.json, notes: m.notes, fetchable: m.fetchable });
        reportWait = null;
        break;
      case 'updated':
        updates.shift()?.({ report: m.report, json: m.json, fetchable: m.fetchable });
        break;
      case 'fetch-list':
        lists.get(m.id)?.(m.items);
        lists.delete(m.id);
        break;
      case 'enriched':
      case 'readable':
        writeWait?.resolve(m.blob);
        writeWait = null;
        break;
      case 'write-cancelled':
        fail(new ReconcileRunError('Cancelled.', false, true));
        break;
      case 'failed':
        fail(new ReconcileRunError(m.message, m.badInput, false, m.reason));
        break;
    }
  };
  worker.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    fail(new ReconcileRunError(`The reconcile worker stopped: ${e.message || 'unknown error'}`, false));
  };
  post({ type: 'reconcile', file, exportName: file.name });

  const write = (message: Extract<PageToWorker, { type: 'write-enriched' | 'write-readable' }>): Promise<Blob> => {
    if (!finished) return Promise.reject(new ReconcileRunError('The reconciliation has not finished.', false));
    if (writeWait) return Promise.reject(new ReconcileRunError('An export is already being written.', false));
    const blob = new Promise<Blob>((resolve, reject) => (writeWait = { resolve, reject }));
    post(message);
    return blob;
  };

  return {
    done,
    query(filter, offset, limit) {
      const id = nextQuery++;
      const page = new Promise<ItemsPage>((resolve) => queries.set(id, resolve));
      post({ type: 'query', id, filter, offset, limit });
      return page;
    },
    fetchList() {
      const id = nextQuery++;
      const items = new Promise<FetchMissingRequestItem[]>((resolve) => lists.set(id, resolve));
      post({ type: 'fetch-list', id });
      return items;
    },
    applyFetched(outcomes) {
      // Answered in order: the worker handles messages one at a time.
      const view = new Promise<ReportView>((resolve) => updates.push(resolve));
      post({ type: 'apply-fetched', outcomes });
      return view;
    },
    writeEnriched: () => write({ type: 'write-enriched' }),
    writeReadable: (namePattern) => write({ type: 'write-readable', namePattern }),
    cancelWrite() {
      if (writeWait) post({ type: 'cancel-write' });
    },
    cancel() {
      worker.terminate();
      const cancelled = new ReconcileRunError('Cancelled.', false, true);
      writeWait?.reject(cancelled);
      reportWait?.reject(cancelled);
      writeWait = reportWait = null;
    },
  };
}
