/**
 * The library page's reconcile view (docs/FORMATS.md sections 2 and 4). A file input labelled `Export ZIP`:
 * choosing the official ChatGPT export starts the run at once, in a worker, against the live vault (read
 * only). While it runs: a progress bar with the phase and `Cancel`. Then: the chart of the five classes,
 * `Download report` and `Download enriched export`, and the filterable table of items. A refused export
 * shows one error panel with the reason, and no download at all.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { enrichedExportName, readableArchiveName, reconcileReportName } from '@/utils/library/names';
import { ReconcileRunError, startReconcileWorker, type ReconcileRun, type StartReconcile } from '@/utils/reconcile-page/client';
import { NO_RECONCILE_FILTER, type ReconcileFilter } from '@/utils/reconcile-page/filter';
import type { ReconcileProgress, ReconcileReport } from '@/utils/reconcile-page/protocol';
import { RECONCILE_STATUSES } from '@/utils/reconcile-page/report-types';
import { ReconcileChart } from './ReconcileChart';
import { LiveAnnouncer } from './LiveAnnouncer';
import { progressFraction, progressText, ReconcileProgressBar } from './ReconcileProgressBar';
import { ReconcileTable } from './ReconcileTable';
import { observeWithIntersectionObserver, type ObserveVisible } from './useBlobUrl';

export interface ReconcileViewProps {
  /** Saves a Blob as a download. */
  save: (blob: Blob, fileName: string) => void;
  /** Vault bytes by SHA-256, for thumbnails. */
  loadBlob: (sha256: string) => Promise<Blob | null>;
  /** Starts a run (default: in a worker over the live vault). */
  start?: StartReconcile;
  observeVisible?: ObserveVisible;
  /** The date in the report's download name. */
  now?: () => Date;
}

type State =
  | { step: 'idle'; note: string | null }
  | { step: 'running'; file: string; progress: ReconcileProgress | null }
  | { step: 'done'; file: string; report: ReconcileReport; json: Blob; notes: string[]; query: ReconcileRun['query']; writing: ReconcileProgress | null | false; note: string | null; writeError: string | null }
  | { step: 'error'; file: string; message: string; badInput: boolean };

export function ReconcileView({
  save,
  loadBlob,
  start = startReconcileWorker,
  observeVisible = observeWithIntersectionObserver,
  now = () => new Date(),
}: ReconcileViewProps) {
  const [state, setState] = useState<State>({ step: 'idle', note: null });
  const [filter, setFilter] = useState<ReconcileFilter>(NO_RECONCILE_FILTER);
  const run = useRef<ReconcileRun | null>(null);
  useEffect(() => () => run.current?.cancel(), []);

  const choose = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    input.value = ''; // choosing the same file again must start another run
    if (!file) return;
    run.current?.cancel();
    setFilter(NO_RECONCILE_FILTER);
    setState({ step: 'running', file: file.name, progress: null });
    let mine: ReconcileRun | null = null;
    mine = start(file, (progress) =>
      setState((s) => {
        if (mine === null || run.current !== mine) return s;
        if (s.step === 'running') return { ...s, progress };
        if (s.step === 'done' && s.writing !== false) return { ...s, writing: progress };
        return s;
      }),
    );
    const current = mine;
    run.current = current;
    try {
      const { report, json, notes } = await current.done;
      if (run.current === current) setState({ step: 'done', file: file.name, report, json, notes, query: (f, o, l) => current.query(f, o, l), writing: false, note: null, writeError: null });
    } catch (error) {
      if (run.current !== current) return;
      run.current = null;
      const e = error instanceof ReconcileRunError ? error : new ReconcileRunError(String(error), false);
      setState(e.cancelled ? { step: 'idle', note: `Cancelled; ${file.name} was not reconciled.` } : { step: 'error', file: file.name, message: e.message, badInput: e.badInput });
    }
  };

  const cancel = () => {
    run.current?.cancel();
  };

  /** `Download enriched export` and `Download readable archive`: one write at a time, in the worker. */
  const downloadWrite = async (s: Extract<State, { step: 'done' }>, what: 'enriched' | 'readable') => {
    const mine = run.current;
    if (!mine) return;
    const label = what === 'enriched' ? 'enriched export' : 'readable archive';
    setState({ ...s, writing: null, note: null, writeError: null });
    try {
      const blob = await (what === 'enriched' ? mine.writeEnriched() : mine.writeReadable());
      save(blob, what === 'enriched' ? enrichedExportName(s.file) : readableArchiveName(now()));
      setState((cur) => (cur.step === 'done' ? { ...cur, writing: false, note: `${label[0]!.toUpperCase()}${label.slice(1)} downloaded.` } : cur));
    } catch (error) {
      const e = error instanceof ReconcileRunError ? error : new ReconcileRunError(String(error), false);
      // A member that turns out bad only while it is copied (the report never reads it) ends here, with nothing saved.
      const update = e.cancelled ? { note: `Writing the ${label} was cancelled.` } : { writeError: `The ${label} was not written: ${e.message}` };
      setState((cur) => (cur.step === 'done' ? { ...cur, writing: false, ...update } : cur));
    }
  };

  const busy = state.step === 'running';
  const resultText = state.step === 'done'
    ? `Reconciled ${state.file}: ${state.report.export.conversations} conversations and ${state.report.export.assetMembers} files in the export (${state.report.export.layout} layout).`
    : '';
  // One live region for the run, the writes after it and their results, paced (LiveAnnouncer); errors are alerts.
  const working = state.step === 'running' ? state.progress : state.step === 'done' && state.writing !== false ? state.writing : undefined;
  const announce = working !== undefined
    ? { text: progressText(working), fraction: progressFraction(working), final: false }
    : { text: state.step === 'done' ? state.note ?? resultText : state.step === 'idle' ? state.note ?? '' : '', fraction: null, final: true };
  return (
    <section class="reconcile" aria-label="Reconcile" data-testid="reconcile-view" data-step={state.step}>
      <div class="reconcile-intro">
        <label class={`button-like primary${busy ? ' disabled' : ''}`}>
          Export ZIP
          <input
            type="file"
            class="visually-hidden"
            accept=".zip,application/zip"
            disabled={busy}
            onChange={(e) => void choose(e.currentTarget)}
            data-testid="export-input"
          />
        </label>
        <p class="muted">
          Choose your official ChatGPT export (the ZIP from Settings, Data controls, Export). Each file is checked
          against this vault: what the export has, what only the vault kept, and what is lost. Your vault is not changed.
        </p>
      </div>

      <LiveAnnouncer {...announce} testId="reconcile-announce" />
      {state.step === 'idle' && state.note && <p class="report">{state.note}</p>}

      {state.step === 'running' && (
        <div class="reconcile-running">
          <p>Reconciling {state.file}…</p>
          <ReconcileProgressBar progress={state.progress} onCancel={cancel} />
        </div>
      )}

      {state.step === 'error' && (
        <div class="reconcile-error" role="alert" data-testid="reconcile-error">
          <h2>{state.badInput ? `${state.file} cannot be reconciled` : 'Reconciliation failed'}</h2>
          <p data-testid="reconcile-error-message">{state.message}</p>
          <p class="muted">Nothing was written and your vault is unchanged.</p>
        </div>
      )}

      {state.step === 'done' && (
        <div class="reconcile-result" data-testid="reconcile-result">
          <p>{resultText}</p>
          {state.notes.length > 0 && (
            <details class="reconcile-notes" data-testid="reconcile-notes">
              <summary>{state.notes[0]}</summary>
              <ul>{state.notes.slice(1).map((n, i) => <li key={i}><code>{n.trim()}</code></li>)}</ul>
            </details>
          )}
          <ReconcileChart summary={state.report.summary} active={filter.status} onSelect={(status) => setFilter({ ...filter, status })} />
          <div class="reconcile-downloads">
            <button type="button" onClick={() => save(state.json, reconcileReportName(now()))}>Download report</button>
            <button type="button" disabled={state.writing !== false} onClick={() => void downloadWrite(state, 'enriched')}>
              Download enriched export
            </button>
            <button type="button" disabled={state.writing !== false} onClick={() => void downloadWrite(state, 'readable')}>
              Download readable archive
            </button>
            {state.note && <span class="muted">{state.note}</span>}
          </div>
          {state.writeError && <p role="alert" class="report error" data-testid="enriched-error">{state.writeError}</p>}
          {state.writing !== false && <ReconcileProgressBar progress={state.writing} onCancel={() => run.current?.cancelWrite()} />}
          <ReconcileTable
            query={state.query}
            totalItems={RECONCILE_STATUSES.reduce((n, s) => n + state.report.summary[s], 0)}
            filter={filter}
            onFilterChange={setFilter}
            loadBlob={loadBlob}
            observeVisible={observeVisible}
          />
        </div>
      )}
    </section>
  );
}
