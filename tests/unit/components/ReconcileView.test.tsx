import { afterEach, describe, expect, it, vi } from 'vitest';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { ReconcileView, type ReconcileViewProps } from '@/components/ReconcileView';
import { ReconcileRunError, type ReconcileRun, type StartReconcile } from '@/utils/reconcile-page/client';
import type { ReconcileProgress, ReconcileReport } from '@/utils/reconcile-page/protocol';
import type { ReportItem } from '@/utils/reconcile-page/report-types';
import { filterItems } from '@/utils/reconcile-page/filter';
import type { ReconcileNote } from '@/utils/reconcile/notes';
import { choose, click, manualVisibility, type, until } from '../library/helpers';

const containers: HTMLElement[] = [];
afterEach(() => {
  for (const c of containers.splice(0)) {
    render(null, c);
    c.remove();
  }
});

function item(over: Partial<ReportItem>): ReportItem {
  return {
    status: 'matched', kind: 'image', conversationId: 'c1', messageId: 'm1', fileId: null, genId: null, fileName: null,
    sandboxPath: null, exportMember: null, vaultSha256: null, identical: null, ...over,
  };
}

const ITEMS: ReportItem[] = [
  item({ status: 'matched', fileId: 'file_fox', fileName: 'fox.png', exportMember: 'file_fox-fox.png', vaultSha256: 'a'.repeat(64), identical: true }),
  item({ status: 'recovered', kind: 'sandbox-file', fileName: 'results.csv', sandboxPath: '/mnt/data/results.csv', vaultSha256: 'b'.repeat(64) }),
  item({ status: 'recovered', kind: 'chart', fileId: 'file_chart', conversationId: 'c2', vaultSha256: 'c'.repeat(64) }),
  item({ status: 'export-only', fileId: 'file_sunset', fileName: 'sunset.webp', exportMember: 'file_sunset-sunset.webp' }),
  item({ status: 'vault-only', kind: 'image', genId: 'gen_1', conversationId: 'c9', vaultSha256: 'd'.repeat(64) }),
  item({ status: 'lost', kind: 'sandbox-file', fileName: 'model.pkl', sandboxPath: '/mnt/data/model.pkl' }),
];

function report(items: ReportItem[] = ITEMS): ReconcileReport {
  const summary = { matched: 0, 'export-only': 0, recovered: 0, 'vault-only': 0, lost: 0 };
  for (const it of items) summary[it.status]++;
  return { format: 'chatgpt-artifact-vault/reconcile-report', version: 1, export: { layout: 'legacy', conversations: 3, assetMembers: 2 }, summary, items };
}

/** A run the test drives by hand: progress, finish, fail, and the enriched write. */
function fakeRuns() {
  const runs: {
    file: File;
    progress: (p: ReconcileProgress) => void;
    finish: (r: ReconcileReport, notes?: ReconcileNote[]) => void;
    fail: (e: ReconcileRunError) => void;
    cancelled: boolean;
    writes: { resolve: (b: Blob) => void; reject: (e: unknown) => void }[];
    writeCancelled: boolean;
  }[] = [];
  const start: StartReconcile = (file, onProgress) => {
    let finish!: (r: { report: ReconcileReport; json: Blob; notes: ReconcileNote[]; fetchable: number }) => void;
    let fail!: (e: unknown) => void;
    const done = new Promise<{ report: ReconcileReport; json: Blob; notes: ReconcileNote[]; fetchable: number }>((res, rej) => ((finish = res), (fail = rej)));
    let items: ReportItem[] = [];
    const entry: (typeof runs)[number] = {
      file, progress: onProgress, cancelled: false, writes: [], writeCancelled: false,
      // As the worker does: the report comes without its items, which are queried a page at a time.
      finish: (r, notes = []) => {
        items = r.items;
        finish({ report: { ...r, items: [] }, json: new Blob([JSON.stringify(r)], { type: 'application/json' }), notes, fetchable: 0 });
      },
      fail: (e) => fail(e),
    };
    runs.push(entry);
    const run: ReconcileRun = {
      done,
      query: (filter, offset, limit) => {
        const matches = filterItems(items, filter);
        return Promise.resolve({ rows: matches.slice(offset, offset + limit), total: matches.length });
      },
      fetchList: () => Promise.resolve([]),
      applyFetched: () => Promise.reject(new Error('not used here')),
      writeEnriched: () => new Promise<Blob>((resolve, reject) => entry.writes.push({ resolve, reject })),
      writeReadable: () => new Promise<Blob>((resolve, reject) => entry.writes.push({ resolve, reject })),
      cancelWrite: () => {
        entry.writeCancelled = true;
        entry.writes.shift()?.reject(new ReconcileRunError('Cancelled.', false, true));
      },
      cancel: () => {
        entry.cancelled = true;
        fail(new ReconcileRunError('Cancelled.', false, true));
      },
    };
    return run;
  };
  return { start, runs };
}

async function setup(extra: Partial<ReconcileViewProps> = {}) {
  const { start, runs } = fakeRuns();
  const save = vi.fn<(blob: Blob, name: string) => void>();
  const blobs = new Map([['a'.repeat(64), new Blob(['png'], { type: 'image/png' })], ['c'.repeat(64), new Blob(['png'], { type: 'image/png' })]]);
  const loadBlob = vi.fn((sha: string) => Promise.resolve(blobs.get(sha) ?? null));
  const vis = manualVisibility();
  const container = document.createElement('div');
  document.body.append(container);
  containers.push(container);
  await act(() => {
    render(<ReconcileView start={start} save={save} loadBlob={loadBlob} observeVisible={vis.observe} now={() => new Date(2026, 10, 30, 9)} {...extra} />, container);
  });
  return { root: container, runs, save, loadBlob, vis };
}

const input = (root: HTMLElement) => root.querySelector<HTMLInputElement>('input[type="file"]')!;
const button = (root: HTMLElement, name: string) => [...root.querySelectorAll('button')].find((b) => b.textContent?.trim() === name) ?? null;
const step = (root: HTMLElement) => root.querySelector<HTMLElement>('[data-testid="reconcile-view"]')!.dataset.step;
const kindSelect = (root: HTMLElement) => root.querySelectorAll<HTMLSelectElement>('.reconcile-table select')[1]!;
const rows = (root: HTMLElement) => [...root.querySelectorAll<HTMLElement>('[data-testid="reconcile-row"]')];

async function chooseFile(root: HTMLElement, name = 'chatgpt-export.zip') {
  const file = new File([new Uint8Array([0x50, 0x4b, 5, 6])], name, { type: 'application/zip' });
  const el = input(root);
  Object.defineProperty(el, 'files', { value: [file], configurable: true });
  await act(() => {
    el.dispatchEvent(new Event('change', { bubbles: true }));
  });
  return file;
}

async function act0(fn: () => void) {
  await act(async () => {
    fn();
    await new Promise((r) => setTimeout(r, 0));
  });
}

describe('ReconcileView', () => {
  it('idle: a file input labelled `Export ZIP`, no progress, no downloads', async () => {
    const { root, runs } = await setup();
    expect(step(root)).toBe('idle');
    const label = input(root).closest('label')!;
    expect(label.textContent).toContain('Export ZIP');
    expect(input(root).accept).toContain('.zip');
    expect(root.querySelector('[role="progressbar"]')).toBeNull();
    expect(button(root, 'Download report')).toBeNull();
    expect(button(root, 'Download enriched export')).toBeNull();
    expect(runs).toHaveLength(0);
  });

  it('running: choosing a file starts the run at once; the bar shows the phase in words and its percent', async () => {
    const { root, runs } = await setup();
    const file = await chooseFile(root);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.file).toBe(file);
    expect(step(root)).toBe('running');
    expect(input(root).disabled).toBe(true);
    const bar = root.querySelector<HTMLElement>('[role="progressbar"]')!;
    expect(bar.hasAttribute('aria-valuenow')).toBe(false); // nothing reported yet: indeterminate

    await act0(() => runs[0]!.progress({ phase: 'conversations', done: 42, total: 100 }));
    expect(bar.getAttribute('aria-valuenow')).toBe('42');
    expect(bar.getAttribute('aria-valuemax')).toBe('100');
    expect(root.querySelector('[data-testid="reconcile-phase"]')!.textContent).toBe('Reading conversations: 42%');
    await act0(() => runs[0]!.progress({ phase: 'hashing', done: 1, total: 3 }));
    expect(root.querySelector('[data-testid="reconcile-phase"]')!.textContent).toBe('Hashing files: 33%');
  });

  it('Cancel stops the run and returns to the idle view with a note', async () => {
    const { root, runs } = await setup();
    await chooseFile(root);
    await click(button(root, 'Cancel'));
    await until(() => step(root) === 'idle');
    expect(runs[0]!.cancelled).toBe(true);
    expect(root.textContent).toContain('Cancelled; chatgpt-export.zip was not reconciled.');
    expect(input(root).disabled).toBe(false);
  });

  it('done: what the walker could not read or skipped is listed by conversation, JSON path and reason', async () => {
    const { root, runs } = await setup();
    await chooseFile(root);
    await act0(() => runs[0]!.finish(report(), [
      { code: 'walker-summary', conversations: 1 },
      { code: 'walker', conversation: 'c1', detail: 'mapping["n1"].message.content.content_type: unknown content_type "hologram" (skipped)' },
    ]));
    await until(() => step(root) === 'done');
    const notes = root.querySelector('[data-testid="reconcile-notes"]')!;
    expect(notes.querySelector('summary')!.textContent).toBe('1 conversation had parts that could not be read or were skipped:');
    expect([...notes.querySelectorAll('li')].map((li) => li.textContent)).toEqual([
      'conversation c1: mapping["n1"].message.content.content_type: unknown content_type "hologram" (skipped)',
    ]);
  });

  it('done: chart of the five classes, downloads, and a table filtered by class, kind and text', async () => {
    const { root, runs, save, vis, loadBlob } = await setup();
    await chooseFile(root);
    await act0(() => runs[0]!.finish(report()));
    await until(() => step(root) === 'done');
    expect(root.querySelector('[role="progressbar"]')).toBeNull();
    expect(root.querySelector('[data-testid="reconcile-notes"]')).toBeNull();

    const counts = Object.fromEntries(
      ['matched', 'export-only', 'recovered', 'vault-only', 'lost'].map((s) => [s, root.querySelector(`[data-testid="count-${s}"]`)!.textContent]),
    );
    expect(counts).toEqual({ matched: '1', 'export-only': '1', recovered: '2', 'vault-only': '1', lost: '1' });
    expect(root.querySelector('[data-testid="reconcile-chart"] figcaption')!.textContent).toBe('6 items by class');
    expect(rows(root)).toHaveLength(6);

    // Thumbnails: only items whose vault bytes are a picture, read once visible.
    expect(loadBlob).not.toHaveBeenCalled();
    await until(() => vis.pending() === 3); // rows arrive from the (async) query; their thumbnails wait to be seen
    await vis.showAll();
    await until(() => root.querySelectorAll('.reconcile-thumb img').length === 2);
    expect(loadBlob.mock.calls.map((c) => c[0]).sort()).toEqual(['a'.repeat(64), 'c'.repeat(64), 'd'.repeat(64)]);

    // The chart filters by class; clicking the active class again clears it.
    await click(root.querySelector('[data-status="recovered"] .chart-row'));
    expect(rows(root).map((r) => r.dataset.status)).toEqual(['recovered', 'recovered']);
    expect(root.querySelector('[data-status="recovered"] .chart-row')!.getAttribute('aria-pressed')).toBe('true');
    await choose(kindSelect(root), 'chart');
    expect(rows(root)).toHaveLength(1);
    await click(root.querySelector('[data-status="recovered"] .chart-row'));
    expect(rows(root)).toHaveLength(1); // the kind filter stays
    await choose(kindSelect(root), 'all');
    await type(root.querySelector<HTMLInputElement>('[aria-label="Filter items"]')!, 'FOX');
    expect(rows(root)).toHaveLength(1);
    expect(root.querySelector('[data-testid="reconcile-shown"]')!.textContent).toBe('1 of 6 items');
    await type(root.querySelector<HTMLInputElement>('[aria-label="Filter items"]')!, 'nothing-like-this');
    expect(rows(root)).toHaveLength(0);
    expect(root.textContent).toContain('No item matches this filter.');

    // Conversation links go to chatgpt.com.
    await type(root.querySelector<HTMLInputElement>('[aria-label="Filter items"]')!, '');
    const link = rows(root)[0]!.querySelector('a')!;
    expect(link.getAttribute('href')).toMatch(/^https:\/\/chatgpt\.com\/c\/c\d$/);

    // Download report: the JSON, named with the local date.
    await click(button(root, 'Download report'));
    expect(save).toHaveBeenCalledTimes(1);
    const [json, name] = save.mock.calls[0]!;
    expect(name).toBe('reconcile-report-2026-11-30.json');
    expect((JSON.parse(await json.text()) as ReconcileReport).summary.recovered).toBe(2);

    // Download enriched export: progress while the worker writes, then `<export name>-enriched.zip`.
    await click(button(root, 'Download enriched export'));
    expect(button(root, 'Download enriched export')!.disabled).toBe(true);
    await act0(() => runs[0]!.progress({ phase: 'writing', done: 5, total: 10 }));
    expect(root.querySelector('[data-testid="reconcile-phase"]')!.textContent).toBe('Writing the enriched export: 50%');
    const zip = new Blob(['zip'], { type: 'application/zip' });
    await act0(() => runs[0]!.writes.shift()!.resolve(zip));
    await until(() => save.mock.calls.length === 2);
    expect(save.mock.calls[1]).toEqual([zip, 'chatgpt-export-enriched.zip']);
    expect(root.querySelector('[role="progressbar"]')).toBeNull();
    expect(button(root, 'Download enriched export')!.disabled).toBe(false);

    // Download readable archive: the same worker write, saved as chatgpt-archive-<local date>.zip.
    await click(button(root, 'Download readable archive'));
    expect(button(root, 'Download readable archive')!.disabled).toBe(true);
    expect(button(root, 'Download enriched export')!.disabled).toBe(true);
    await act0(() => runs[0]!.progress({ phase: 'rendering', done: 1, total: 4 }));
    expect(root.querySelector('[data-testid="reconcile-phase"]')!.textContent).toBe('Writing the readable archive: 25%');
    const archive = new Blob(['zip'], { type: 'application/zip' });
    await act0(() => runs[0]!.writes.shift()!.resolve(archive));
    await until(() => save.mock.calls.length === 3);
    expect(save.mock.calls[2]).toEqual([archive, 'chatgpt-archive-2026-11-30.zip']);
    expect(root.textContent).toContain('Readable archive downloaded.');
  });

  it('pages through thousands of items 100 rows at a time', async () => {
    const { root, runs } = await setup();
    await chooseFile(root);
    const many = Array.from({ length: 2_345 }, (_, i) => item({ status: i % 2 ? 'lost' : 'matched', fileId: `file_${i}`, fileName: `f${i}.png` }));
    await act0(() => runs[0]!.finish(report(many)));
    await until(() => step(root) === 'done');
    expect(rows(root)).toHaveLength(100);
    expect(root.querySelector('[data-testid="reconcile-page"]')!.textContent).toBe('Items 1–100 of 2,345');
    await click(button(root, 'Next'));
    expect(root.querySelector('[data-testid="reconcile-page"]')!.textContent).toBe('Items 101–200 of 2,345');
    expect(rows(root)[0]!.textContent).toContain('f100.png');
    await click(root.querySelector('[data-status="lost"] .chart-row'));
    expect(root.querySelector('[data-testid="reconcile-page"]')!.textContent).toBe('Items 1–100 of 1,172');
  });

  it('cancelling the enriched write keeps the report and says so', async () => {
    const { root, runs, save } = await setup();
    await chooseFile(root);
    await act0(() => runs[0]!.finish(report()));
    await until(() => step(root) === 'done');
    await click(button(root, 'Download enriched export'));
    await click(button(root, 'Cancel'));
    await until(() => root.textContent.includes('Writing the enriched export was cancelled.'));
    expect(runs[0]!.writeCancelled).toBe(true);
    expect(runs[0]!.cancelled).toBe(false);
    expect(save).not.toHaveBeenCalled();
    expect(rows(root)).toHaveLength(6);
  });

  it('a failed enriched write shows an alert, saves nothing and keeps the report', async () => {
    const { root, runs, save } = await setup();
    await chooseFile(root);
    await act0(() => runs[0]!.finish(report()));
    await until(() => step(root) === 'done');
    await click(button(root, 'Download enriched export'));
    await act0(() => runs[0]!.writes.shift()!.reject(new ReconcileRunError('Member "chat.html" inflates past the 1000 bytes it declares.', true)));
    const alert = root.querySelector<HTMLElement>('[data-testid="enriched-error"]')!;
    expect(alert.getAttribute('role')).toBe('alert');
    expect(alert.textContent).toBe('The enriched export was not written: Member "chat.html" inflates past the 1000 bytes it declares.');
    expect(save).not.toHaveBeenCalled();
    expect(rows(root)).toHaveLength(6);
    expect(button(root, 'Download enriched export')!.disabled).toBe(false);
  });

  it('error: bad input shows one panel with the message and no download', async () => {
    const { root, runs, save } = await setup();
    await chooseFile(root, 'notes.zip');
    const message = 'notes.zip cannot be read: not a ZIP file (no end of central directory record).';
    await act0(() => runs[0]!.fail(new ReconcileRunError(message, true)));
    await until(() => step(root) === 'error');
    const panel = root.querySelector<HTMLElement>('[role="alert"][data-testid="reconcile-error"]')!;
    expect(panel.querySelector('h2')!.textContent).toBe('notes.zip cannot be reconciled');
    expect(panel.querySelector('[data-testid="reconcile-error-message"]')!.textContent).toBe(message);
    expect(panel.textContent).toContain('your vault is unchanged');
    expect(button(root, 'Download report')).toBeNull();
    expect(button(root, 'Download enriched export')).toBeNull();
    expect(rows(root)).toHaveLength(0);
    expect(save).not.toHaveBeenCalled();

    // Choosing another file starts a fresh run.
    await chooseFile(root, 'good.zip');
    expect(runs).toHaveLength(2);
    expect(step(root)).toBe('running');
  });

  it('an unexpected failure is reported as such, not as bad input', async () => {
    const { root, runs } = await setup();
    await chooseFile(root);
    await act0(() => runs[0]!.fail(new ReconcileRunError('Reconciliation failed: QuotaExceededError', false)));
    await until(() => step(root) === 'error');
    expect(root.querySelector('[data-testid="reconcile-error"] h2')!.textContent).toBe('Reconciliation failed');
  });

  it('unmounting ends a running worker', async () => {
    const { root, runs } = await setup();
    await chooseFile(root);
    await act(() => {
      render(null, root);
    });
    expect(runs[0]!.cancelled).toBe(true);
  });
});
