/**
 * The reconcile worker of the library page (started by `client.ts`). It opens the vault itself (same
 * extension origin, read only through `dexieVault`), reads the chosen export File with random access
 * (Blob.slice, never the whole file), inflates with the native DecompressionStream, parses conversations in
 * nested workers (walk-pool.ts), hashes with WebAssembly (wasm-hash.ts), and keeps the result so that the enriched export can be written on request, streamed
 * into disk-backable Blob parts, and so that the readable archive (utils/readable) of the export's
 * conversations with both sides' bytes can be written the same way.
 * Nothing here writes to the vault.
 */
import { createBlobSink } from '@/utils/archive';
import { getVaultDb, saveExportIndex } from '@/utils/vault';
import { ZipFormatError, blobSource, webInflateRaw } from '@/utils/zip';
import { ReconcileInputError, dexieVault, zipReason, readExportIndex, reconcileExport, writeEnrichedExport, type ReconcileResult } from '@/utils/reconcile';
import { renderReadableArchive, reconcileInput, zipOutput } from '@/utils/readable';
import { applyFetchOutcomes, fetchableItems } from './fetch-missing';
import { namePatternOrDefault } from '@/utils/files/name-pattern';
import { filterItems, type ReconcileFilter } from './filter';
import type { ItemsPage, PageToWorker, ReconcileProgress, WorkerToPage } from './protocol';
import type { ReportItem } from './report-types';
import type { ReconcileNote } from '@/utils/reconcile/notes';
import { pageSha256 } from './wasm-hash';
import { pageWalkPool } from './walk-pool';

/** The worker's global scope (the project's TypeScript lib is DOM, not WebWorker). */
const scope = self as unknown as { postMessage(m: WorkerToPage): void; onmessage: ((e: MessageEvent<PageToWorker>) => void) | null };
const send = (m: WorkerToPage) => scope.postMessage(m);

/** At most one progress message per interval (and on every phase change), so the page is not flooded. */
function throttledProgress(intervalMs = 100): (p: ReconcileProgress) => void {
  let last = 0;
  let phase = '';
  return (p) => {
    const now = performance.now();
    if (p.phase === phase && now - last < intervalMs && p.done < p.total) return;
    last = now;
    phase = p.phase;
    send({ type: 'progress', progress: { phase: p.phase, done: p.done, total: p.total } });
  };
}

function failure(error: unknown): WorkerToPage {
  if (error instanceof ReconcileInputError) return { type: 'failed', message: error.message, badInput: true, reason: error.reason };
  if (error instanceof ZipFormatError) return { type: 'failed', message: error.message, badInput: true, reason: zipReason(currentExport, error) };
  return { type: 'failed', message: error instanceof Error ? error.message : String(error), badInput: false, reason: null };
}

/** A part-ZIP stored compressed is unpacked into a Blob (folded in 8 MB pieces the browser can keep on disk). */
async function spillToBlob(_name: string, bytes: ReadableStream<Uint8Array>) {
  const sink = createBlobSink();
  await bytes.pipeTo(sink.writable);
  return blobSource(sink.toBlob());
}

let result: ReconcileResult | null = null;
/** The export's name, for a refusal that does not name its file. */
let currentExport = '';
let writing: AbortController | null = null;
/** The last filter's matches, so paging through them does not filter again. */
let lastQuery: { key: string; matches: ReportItem[] } | null = null;

function query(filter: ReconcileFilter, offset: number, limit: number): ItemsPage {
  if (!result) return { rows: [], total: 0 };
  const key = JSON.stringify(filter);
  if (lastQuery?.key !== key) lastQuery = { key, matches: filterItems(result.report.items, filter) };
  return { rows: lastQuery.matches.slice(offset, offset + limit), total: lastQuery.matches.length };
}

async function reconcile(file: File, exportName: string): Promise<void> {
  const pool = pageWalkPool();
  currentExport = exportName;
  try {
    const hash = await pageSha256();
    result = await reconcileExport(blobSource(file), exportName, dexieVault(getVaultDb()), {
      inflate: webInflateRaw,
      hash,
      pool: pool ?? undefined,
      onProgress: throttledProgress(),
      spill: spillToBlob,
    });
  } catch (error) {
    send(failure(error));
    return;
  } finally {
    pool?.close();
  }
  const { report } = result;
  const notes = await keepIndex(exportName, result.conversations, result.problems);
  send({ type: 'report', report: { ...report, items: [] }, json: reportJson(), notes, fetchable: fetchableItems(result).length });
}

/**
 * The vault's one write from here: the export's index, which an export-first `Back up everything` reads.
 * Returns the read's notes, with `index-not-kept` when it could not be written.
 */
async function keepIndex(exportName: string, conversations: ReconcileResult['conversations'], problems: readonly ReconcileNote[]): Promise<ReconcileNote[]> {
  const notes = [...problems];
  try {
    await saveExportIndex(getVaultDb(), { name: exportName, reconciledAt: Date.now() }, conversations);
  } catch (error) {
    notes.push({ code: 'index-not-kept', detail: error instanceof Error ? error.message : String(error) });
  }
  return notes;
}

/** An export chosen for export-first `Back up everything`: only its conversations are read, then its index is kept. */
async function indexOnly(file: File, exportName: string): Promise<void> {
  const pool = pageWalkPool();
  currentExport = exportName;
  let read;
  try {
    read = await readExportIndex(blobSource(file), exportName, { inflate: webInflateRaw, pool: pool ?? undefined, spill: spillToBlob });
  } catch (error) {
    send(failure(error));
    return;
  } finally {
    pool?.close();
  }
  send({ type: 'indexed', notes: await keepIndex(exportName, read.conversations, read.problems) });
}

const reportJson = () => new Blob([JSON.stringify(result!.report, null, 2)], { type: 'application/json' });

function applyFetched(outcomes: Parameters<typeof applyFetchOutcomes>[1]): void {
  if (!result) return;
  if (applyFetchOutcomes(result, outcomes)) lastQuery = null;
  send({ type: 'updated', report: { ...result.report, items: [] }, json: reportJson(), fetchable: fetchableItems(result).length });
}

async function writeEnriched(): Promise<void> {
  if (!result || writing) return;
  const abort = (writing = new AbortController());
  const parts = createBlobSink();
  try {
    await writeEnrichedExport(result, parts.writable, { signal: abort.signal, onProgress: throttledProgress() });
    send({ type: 'enriched', blob: parts.toBlob('application/zip') });
  } catch (error) {
    send(abort.signal.aborted ? { type: 'write-cancelled' } : failure(error));
  } finally {
    writing = null;
  }
}

async function writeReadable(namePattern: string | undefined): Promise<void> {
  if (!result || writing) return;
  const abort = (writing = new AbortController());
  const parts = createBlobSink();
  const total = Math.max(1, result.report.export.conversations);
  const progress = throttledProgress();
  try {
    const out = zipOutput(parts.writable);
    await renderReadableArchive(reconcileInput(result), out, {
      signal: abort.signal,
      namePattern: namePatternOrDefault(namePattern),
      onProgress: (p) => progress({ phase: 'rendering', done: Math.min(p.conversations, total), total }),
    });
    await out.writer.close();
    send({ type: 'readable', blob: parts.toBlob('application/zip') });
  } catch (error) {
    send(abort.signal.aborted ? { type: 'write-cancelled' } : failure(error));
  } finally {
    writing = null;
  }
}

scope.onmessage = (e: MessageEvent<PageToWorker>) => {
  const m = e.data;
  if (m.type === 'reconcile') void reconcile(m.file, m.exportName);
  else if (m.type === 'index') void indexOnly(m.file, m.exportName);
  else if (m.type === 'query') send({ type: 'rows', id: m.id, ...query(m.filter, m.offset, m.limit) });
  else if (m.type === 'write-enriched') void writeEnriched();
  else if (m.type === 'write-readable') void writeReadable(m.namePattern);
  else if (m.type === 'cancel-write') writing?.abort();
  else if (m.type === 'fetch-list') send({ type: 'fetch-list', id: m.id, items: result ? fetchableItems(result) : [] });
  else if (m.type === 'apply-fetched') applyFetched(m.outcomes);
};
