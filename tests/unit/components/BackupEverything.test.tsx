import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import type { ExportIndexMeta } from '@/utils/vault';
import { ReconcileRunError, type StartIndex } from '@/utils/reconcile-page/client';
import type { ReconcileNote } from '@/utils/reconcile/notes';
import { until } from '../library/helpers';

/** The background as the panel sees it: no run yet, and the export index the last read left. */
const background = vi.hoisted(() => ({ index: null as ExportIndexMeta | null, calls: [] as string[] }));
vi.mock('@/utils/messaging', () => ({
  sendMessage: vi.fn(async (name: string) => {
    background.calls.push(name);
    if (name === 'exportIndexInfo') return background.index;
    return null;
  }),
}));

const { BackupEverything } = await import('@/components/BackupEverything');

const containers: HTMLElement[] = [];
beforeEach(() => {
  background.index = null;
  background.calls = [];
});
afterEach(() => {
  for (const c of containers.splice(0)) {
    render(null, c);
    c.remove();
  }
});

/** Index reads the test settles by hand. */
function fakeRuns() {
  const runs: { file: File; finish: (notes?: ReconcileNote[]) => void; fail: (e: unknown) => void }[] = [];
  const start: StartIndex = (file) => {
    let finish!: (notes?: ReconcileNote[]) => void;
    let fail!: (e: unknown) => void;
    const done = new Promise<{ notes: ReconcileNote[] }>((res, rej) => ((finish = (notes = []) => res({ notes })), (fail = rej)));
    runs.push({ file, finish, fail });
    return done;
  };
  return { runs, start };
}

async function mountPanel(start: StartIndex): Promise<HTMLElement> {
  const root = document.createElement('div');
  document.body.append(root);
  containers.push(root);
  await act(() => render(<BackupEverything startIndex={start} requestNotifications={() => {}} />, root));
  return root;
}

async function chooseFile(root: HTMLElement, name: string): Promise<void> {
  const el = root.querySelector<HTMLInputElement>('[data-testid="backup-export-input"]')!;
  Object.defineProperty(el, 'files', { value: [new File([new Uint8Array([0x50, 0x4b, 5, 6])], name)], configurable: true });
  await act(() => {
    el.dispatchEvent(new Event('change', { bubbles: true }));
  });
}

describe('BackupEverything: an export chosen for the next run', () => {
  it('reads the chosen export in the worker, then shows it as the export the run will use', async () => {
    const { runs, start } = fakeRuns();
    const root = await mountPanel(start);
    expect(root.querySelector('[data-testid="export-first"]')).toBeNull();
    await chooseFile(root, 'export-2026-12.zip');
    expect(runs.map((r) => r.file.name)).toEqual(['export-2026-12.zip']);
    expect(root.textContent).toContain('Reading export-2026-12.zip for the next run');

    // The worker wrote the index of this export; the panel asks the background for it again.
    background.index = { id: 'last', name: 'export-2026-12.zip', reconciledAt: Date.UTC(2026, 11, 8), conversations: 12 };
    await act(async () => runs[0]!.finish());
    await until(() => root.querySelector('[data-testid="export-first"]') !== null);
    const box = root.querySelector<HTMLInputElement>('[data-testid="export-first"]')!;
    expect(box.checked).toBe(true);
    expect(box.parentElement!.textContent).toContain('export-2026-12.zip');
    expect(root.textContent).not.toContain('Reading export-2026-12.zip');
  });

  it('a refused export shows the reader\'s reason and keeps the export the panel had', async () => {
    background.index = { id: 'last', name: 'older.zip', reconciledAt: Date.UTC(2026, 10, 1), conversations: 3 };
    const { runs, start } = fakeRuns();
    const root = await mountPanel(start);
    await until(() => root.querySelector('[data-testid="export-first"]') !== null);
    await chooseFile(root, 'empty.zip');
    await act(async () => runs[0]!.fail(new ReconcileRunError('empty.zip is empty (0 bytes).', true, false, { code: 'empty', file: 'empty.zip' })));
    await until(() => root.querySelector('[role="alert"]') !== null);
    expect(root.querySelector('[role="alert"]')!.textContent).toBe(
      'empty.zip cannot be used: empty.zip is empty (0 bytes): it is not a ChatGPT data export.',
    );
    expect(root.querySelector('[data-testid="export-first"]')!.parentElement!.textContent).toContain('older.zip');
  });

  it('an export read but whose index could not be kept says so instead of showing the older export as chosen', async () => {
    background.index = { id: 'last', name: 'older.zip', reconciledAt: Date.UTC(2026, 10, 1), conversations: 3 };
    const { runs, start } = fakeRuns();
    const root = await mountPanel(start);
    await chooseFile(root, 'new.zip');
    await act(async () => runs[0]!.finish([{ code: 'index-not-kept', detail: 'QuotaExceededError' }]));
    await until(() => root.querySelector('[role="alert"]') !== null);
    expect(root.querySelector('[role="alert"]')!.textContent).toMatch(/^new\.zip cannot be used: .*QuotaExceededError/);
  });
});
