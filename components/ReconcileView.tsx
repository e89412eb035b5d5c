/**
 * The library page's reconcile view (docs/FORMATS.md sections 2 and 4). A file input labelled `Export ZIP`:
 * choosing the official ChatGPT export starts the run at once, in a worker, against the live vault (read
 * only). While it runs: a progress bar with the phase and `Cancel`. Then: the chart of the five classes,
 * `Download report` and `Download enriched export`, and the filterable table of items. A refused export
 * shows one error panel with the reason, and no download at all.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { enrichedExportName, readableArchiveName, reconcileReportName } from '@/utils/library/download-names';
import { ReconcileRunError, startReconcileWorker, type ReconcileRun, type ReportView, type StartReconcile } from '@/utils/reconcile-page/client';
import { NO_RECONCILE_FILTER, type ReconcileFilter } from '@/utils/reconcile-page/filter';
import type { ReconcileProgress, ReconcileReport } from '@/utils/reconcile-page/protocol';
import { RECONCILE_STATUSES } from '@/utils/reconcile-page/report-types';
import { FetchMissing, type FetchMissingBackground } from './FetchMissing';
import { fileNamePattern } from '@/utils/storage';
import { ReconcileChart } from './ReconcileChart';
import { LiveAnnouncer } from './LiveAnnouncer';
import { progressFraction, progressText, ReconcileProgressBar } from './ReconcileProgressBar';
import { ReconcileTable } from './ReconcileTable';
import { observeWithIntersectionObserver, type ObserveVisible } from './useBlobUrl';
import { reconcileNoteText, runErrorText } from './reasons';
import type { ReconcileNote } from '@/utils/reconcile/notes';
import { t, tn } from '@/utils/i18n';

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
  /** The background's `Fetch missing files` run (default: the extension's messages). */
  fetchBackground?: FetchMissingBackground;
}

type State =
  | { step: 'idle'; note: string | null }
  | { step: 'running'; file: string; progress: ReconcileProgress | null }
  | {
    step: 'done'; file: string; report: ReconcileReport; json: Blob; notes: ReconcileNote[]; query: ReconcileRun['query']; writing: ReconcileProgress | null | false;
    note: string | null; writeError: string | null; fetchable: number; token: string;
  }
  | { step: 'error'; file: string; message: string; badInput: boolean };

export function ReconcileView({
  save,
  loadBlob,
  start = startReconcileWorker,
  observeVisible = observeWithIntersectionObserver,
  now = () => new Date(),
  fetchBackground,
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
      const { report, json, notes, fetchable } = await current.done;
      if (run.current === current) {
        setState({
          step: 'done', file: file.name, report, json, notes, query: (f, o, l) => current.query(f, o, l), writing: false, note: null, writeError: null,
          fetchable, token: crypto.randomUUID(),
        });
      }
    } catch (error) {
      if (run.current !== current) return;
      run.current = null;
      const e = error instanceof ReconcileRunError ? error : new ReconcileRunError(String(error), false);
      setState(e.cancelled ? { step: 'idle', note: t('reconcile_cancelled', file.name) } : { step: 'error', file: file.name, message: runErrorText(e), badInput: e.badInput });
    }
  };

  const cancel = () => {
    run.current?.cancel();
  };

  /** `Download enriched export` and `Download readable archive`: one write at a time, in the worker. */
  const downloadWrite = async (s: Extract<State, { step: 'done' }>, what: 'enriched' | 'readable') => {
    const mine = run.current;
    if (!mine) return;
    const says = what === 'enriched'
      ? { done: 'reconcile_enriched_done', cancelled: 'reconcile_enriched_cancelled', failed: 'reconcile_enriched_failed' } as const
      : { done: 'reconcile_readable_done', cancelled: 'reconcile_readable_cancelled', failed: 'reconcile_readable_failed' } as const;
    setState({ ...s, writing: null, note: null, writeError: null });
    try {
      const blob = await (what === 'enriched' ? mine.writeEnriched() : mine.writeReadable(await fileNamePattern.getValue()));
      save(blob, what === 'enriched' ? enrichedExportName(s.file) : readableArchiveName(now()));
      setState((cur) => (cur.step === 'done' ? { ...cur, writing: false, note: t(says.done) } : cur));
    } catch (error) {
      const e = error instanceof ReconcileRunError ? error : new ReconcileRunError(String(error), false);
      // A member that turns out bad only while it is copied (the report never reads it) ends here, with nothing saved.
      const update = e.cancelled ? { note: t(says.cancelled) } : { writeError: t(says.failed, runErrorText(e)) };
      setState((cur) => (cur.step === 'done' ? { ...cur, writing: false, ...update } : cur));
    }
  };

  /** The report after `Fetch missing files` changed items: chart, table and `Download report` follow. */
  const onFetched = (view: ReportView) =>
    setState((cur) => {
      const mine = run.current;
      if (cur.step !== 'done' || !mine) return cur;
      return { ...cur, report: view.report, json: view.json, fetchable: view.fetchable, query: (f, o, l) => mine.query(f, o, l) };
    });

  const busy = state.step === 'running';
  const resultText = state.step === 'done'
    ? t('reconcile_done', state.file, tn('count_conversations', state.report.export.conversations), tn('count_files', state.report.export.assetMembers), state.report.export.layout)
    : '';
  // One live region for the run, the writes after it and their results, paced (LiveAnnouncer); errors are alerts.
  const working = state.step === 'running' ? state.progress : state.step === 'done' && state.writing !== false ? state.writing : undefined;
  const announce = working !== undefined
    ? { text: progressText(working), fraction: progressFraction(working), final: false }
    : { text: state.step === 'done' ? state.note ?? resultText : state.step === 'idle' ? state.note ?? '' : '', fraction: null, final: true };
  return (
    <section class="reconcile" aria-label={t('reconcile_label')} data-testid="reconcile-view" data-step={state.step}>
      <div class="reconcile-intro">
        <label class={`button-like primary${busy ? ' disabled' : ''}`}>
          {t('reconcile_choose_export')}
          <input
            type="file"
            class="visually-hidden"
            accept=".zip,application/zip"
            disabled={busy}
            onChange={(e) => void choose(e.currentTarget)}
            data-testid="export-input"
          />
        </label>
        <p class="muted">{t('reconcile_intro')}</p>
      </div>

      <LiveAnnouncer {...announce} testId="reconcile-announce" />
      {state.step === 'idle' && state.note && <p class="report">{state.note}</p>}

      {state.step === 'running' && (
        <div class="reconcile-running">
          <p>{t('reconcile_running', state.file)}</p>
          <ReconcileProgressBar progress={state.progress} onCancel={cancel} />
        </div>
      )}

      {state.step === 'error' && (
        <div class="reconcile-error" role="alert" data-testid="reconcile-error">
          <h2>{state.badInput ? t('reconcile_bad_input', state.file) : t('reconcile_failed')}</h2>
          <p data-testid="reconcile-error-message">{state.message}</p>
          <p class="muted">{t('reconcile_failed_unchanged')}</p>
        </div>
      )}

      {state.step === 'done' && (
        <div class="reconcile-result" data-testid="reconcile-result">
          <p>{resultText}</p>
          {state.notes.length > 0 && (
            <details class="reconcile-notes" data-testid="reconcile-notes">
              <summary>{reconcileNoteText(state.notes[0]!)}</summary>
              <ul>{state.notes.slice(1).map((n, i) => <li key={i}><code>{reconcileNoteText(n)}</code></li>)}</ul>
            </details>
          )}
          <ReconcileChart summary={state.report.summary} active={filter.status} onSelect={(status) => setFilter({ ...filter, status })} />
          <div class="reconcile-downloads">
            <button type="button" onClick={() => save(state.json, reconcileReportName(now()))}>{t('reconcile_download_report')}</button>
            <button type="button" disabled={state.writing !== false} onClick={() => void downloadWrite(state, 'enriched')}>
              {t('reconcile_download_enriched')}
            </button>
            <button type="button" disabled={state.writing !== false} onClick={() => void downloadWrite(state, 'readable')}>
              {t('library_header_download_readable')}
            </button>
            {state.note && <span class="muted">{state.note}</span>}
          </div>
          {state.writeError && <p role="alert" class="report error" data-testid="enriched-error">{state.writeError}</p>}
          {state.writing !== false && <ReconcileProgressBar progress={state.writing} onCancel={() => run.current?.cancelWrite()} />}
          {run.current && <FetchMissing fetchable={state.fetchable} reportToken={state.token} run={run.current} onReport={onFetched} background={fetchBackground} />}
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
