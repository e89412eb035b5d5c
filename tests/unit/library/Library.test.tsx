import { describe, expect, it, vi } from 'vitest';
import { unzipSync } from 'fflate';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { markStatus, recordRefs, type VaultDb } from '@/utils/vault';
import { BackupControls } from '@/components/BackupControls';
import { CaptureSettings } from '@/components/CaptureSettings';
import { StoragePanel } from '@/components/StoragePanel';
import { captureKinds, saveToDownloads } from '@/utils/storage';
import type { RestoreResult, VaultManifest } from '@/utils/archive';
import { FIRST_SCREEN } from '@/utils/library/listing';
import type { LibraryApi } from '@/utils/library/api';
import { ReadableRunError } from '@/utils/readable-page/client';
import { choose, click, countingApi, freshDb, manualVisibility, mount, ref, seedSaved, seedSnapshot, type, until } from './helpers';

const WEBP = new Uint8Array([...'RIFF'].map((c) => c.charCodeAt(0)).concat([4, 0, 0, 0], [...'WEBP'].map((c) => c.charCodeAt(0))));
const CSV = new TextEncoder().encode('region,total\nnorth,10\n');
const T = new Date(2026, 10, 22, 10, 0).getTime();

async function seed(db: VaultDb) {
  await seedSnapshot(db, 'c1', 'Fox poster');
  await seedSnapshot(db, 'c2', 'Sales analysis');
  await seedSaved(db, ref({ fileId: 'file_fox', genId: 'gen_fox', prompt: 'a red fox poster', seed: 42, fileName: 'fox.webp' }), WEBP, 'image/webp', T, 'Fox poster');
  await seedSaved(db, ref({ fileId: 'file_fox2', prompt: 'a red fox poster, variant', messageId: 'm2' }), WEBP, 'image/webp', T + 1, 'Fox poster');
  await seedSaved(db, ref({ kind: 'sandbox-file', fileId: null, conversationId: 'c2', sandboxPath: '/mnt/data/sales.csv', fileName: 'sales.csv' }), CSV, 'text/csv', T + 2, 'Sales analysis');
  await recordRefs(db, [
    ref({ kind: 'chart', fileId: 'file_chart', conversationId: 'c2' }),
    ref({ kind: 'upload', fileId: 'file_up', conversationId: 'c2', fileName: 'notes.txt' }),
  ], { source: 'backup', conversationTitle: 'Sales analysis' });
  await markStatus(db, 'file:file_chart', 'expired', 'sandbox expired');
}

async function setup(extra: Record<string, unknown> = {}) {
  const db = freshDb();
  await seed(db);
  const api = countingApi(db);
  const vis = manualVisibility();
  const save = vi.fn<(blob: Blob, name: string) => void>();
  const confirm = vi.fn<(m: string) => boolean>(() => true);
  const nav = { storage: { estimate: () => Promise.resolve({ usage: 1e6, quota: 1e11 }), persisted: () => Promise.resolve(true) } } as unknown as Navigator;
  const root = await mount({ api, observeVisible: vis.observe, save, confirm, nav, ...extra });
  await until(() => root.querySelectorAll('[data-testid="artifact"]').length > 0);
  return { db, api, vis, save, confirm, root };
}

const tiles = (root: HTMLElement) => [...root.querySelectorAll<HTMLElement>('[data-testid="artifact"]')];
const tileIds = (root: HTMLElement) => tiles(root).map((t) => t.dataset.id).sort();
const byLabel = (root: HTMLElement, label: string) => root.querySelector<HTMLElement>(`[aria-label="${label}"]`);

describe('gallery', () => {
  it('shows every artifact grouped by conversation, with badges and type icons, without reading bytes', async () => {
    const { root, api, vis } = await setup();
    expect(tiles(root)).toHaveLength(5);
    expect([...root.querySelectorAll('[data-testid="conversation-header"] .conversation-title')].map((h) => h.textContent).sort())
      .toEqual(['Fox poster', 'Sales analysis', 'Sales analysis']);
    // Saved on 22 Nov; the chart and upload were first seen today: two days, Sales analysis under both.
    expect(root.querySelectorAll('.row-day')).toHaveLength(2);
    const chart = root.querySelector<HTMLElement>('[data-id="file:file_chart"]')!;
    const badge = chart.querySelector<HTMLElement>('[data-testid="status-badge"]')!;
    expect(badge.textContent).toBe('expired');
    expect(badge.title).toBe('sandbox expired');
    expect(root.querySelector('[data-id="sandbox:c2:/mnt/data/sales.csv"] [data-testid="type-icon"]')!.textContent).toBe('CSV');
    expect(root.querySelector('[data-id="file:file_up"] [data-status="pending"], [data-id="file:file_up"]')!.getAttribute('data-status')).toBe('pending');

    // Nothing scrolled into view yet: no blob read, no <img>.
    expect(api.blobReads).toEqual([]);
    expect(root.querySelectorAll('img')).toHaveLength(0);
    expect(vis.pending()).toBe(2); // only the two saved images want thumbnails

    await vis.showAll();
    await until(() => root.querySelectorAll('.tile img').length === 2);
    for (const img of root.querySelectorAll<HTMLImageElement>('.tile img')) expect(img.src).toMatch(/^blob:/);
    expect(api.blobReads).toHaveLength(2);
  });

  it('revokes thumbnail URLs when tiles go away', async () => {
    const revoke = vi.spyOn(URL, 'revokeObjectURL');
    const create = vi.spyOn(URL, 'createObjectURL');
    const { root, vis } = await setup();
    await vis.showAll();
    await until(() => root.querySelectorAll('.tile img').length === 2);
    const urls = [...root.querySelectorAll<HTMLImageElement>('.tile img')].map((i) => i.src);
    await type(byLabel(root, 'Search') as HTMLInputElement, 'sales');
    expect(root.querySelectorAll('.tile img')).toHaveLength(0);
    // Every URL this page created is revoked (an earlier test's unmount may also be counted here).
    const created = create.mock.results.map((r) => r.value as string);
    expect(created.sort()).toEqual(urls.sort());
    expect(revoke.mock.calls.map(([u]) => u)).toEqual(expect.arrayContaining(created));
  });

  it('renders only the visible rows of a large vault', async () => {
    const db = freshDb();
    const refs = Array.from({ length: 3000 }, (_, i) => ref({ fileId: `file_${i}`, conversationId: `c${i % 30}`, prompt: `prompt ${i}` }));
    await recordRefs(db, refs, { source: 'live' });
    const root = await mount({ api: countingApi(db), observeVisible: manualVisibility().observe });
    await until(() => root.querySelector('[data-testid="shown-count"]')?.textContent === '3,000 artifacts');
    const gallery = root.querySelector<HTMLElement>('[data-testid="gallery"]')!;
    expect(Number(gallery.dataset.rows)).toBeGreaterThan(500);
    expect(tiles(root).length).toBeLessThan(150);

    // Scrolling far down renders other rows, still a small window.
    await act(() => {
      gallery.scrollTop = 50_000;
      gallery.dispatchEvent(new Event('scroll'));
    });
    const ids = tileIds(root);
    expect(ids.length).toBeLessThan(150);
    expect(ids).not.toContain('file:file_0');
  });

  it('paints the newest screenful before reading every record, then shows them all', async () => {
    const db = freshDb();
    await recordRefs(db, Array.from({ length: 300 }, (_, i) => ref({ fileId: `file_${i}`, prompt: `prompt ${i}` })), { source: 'live' });
    const api = countingApi(db);
    const calls: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const root = await mount({
      api: {
        ...api,
        listNewestArtifacts: (limit) => (calls.push(`newest ${limit}`), api.listNewestArtifacts(limit)),
        listArtifacts: async () => (calls.push('all'), await held, api.listArtifacts()),
      },
      observeVisible: manualVisibility().observe,
    });
    await until(() => tiles(root).length > 0 && calls.includes('all'));
    expect(calls).toEqual([`newest ${FIRST_SCREEN}`, 'all']);
    expect(root.querySelector('[data-testid="shown-count"]')!.textContent).toBe('Loading every artifact…');
    release();
    await until(() => root.querySelector('[data-testid="shown-count"]')!.textContent === '300 artifacts');
    expect(api.blobReads).toEqual([]);
  });

  it('shows an empty state for an empty vault', async () => {
    const root = await mount({ api: countingApi(freshDb()) });
    await until(() => root.querySelector('[data-testid="empty"]') !== null);
    expect(root.querySelector('[data-testid="empty"]')!.textContent).toMatch(/Nothing saved yet/);
  });
});

describe('search and filters', () => {
  it.each<[string, string[]]>([
    ['fox', ['file:file_fox', 'file:file_fox2']],
    ['variant', ['file:file_fox2']],
    ['sales.csv', ['sandbox:c2:/mnt/data/sales.csv']],
    ['sales analysis', ['file:file_chart', 'file:file_up', 'sandbox:c2:/mnt/data/sales.csv']],
    ['notes', ['file:file_up']],
  ])('search %j', async (query, expected) => {
    const { root } = await setup();
    await type(byLabel(root, 'Search') as HTMLInputElement, query);
    expect(tileIds(root)).toEqual(expected.sort());
    expect(root.querySelector('[data-testid="shown-count"]')!.textContent).toBe(`${expected.length} of 5 artifacts`);
  });

  it('says so when nothing matches', async () => {
    const { root } = await setup();
    await type(byLabel(root, 'Search') as HTMLInputElement, 'zebra');
    expect(root.querySelector('[data-testid="no-match"]')).not.toBeNull();
  });

  it.each<[number, string, string[]]>([
    [0, 'chart', ['file:file_chart']],
    [0, 'sandbox-file', ['sandbox:c2:/mnt/data/sales.csv']],
    [1, 'expired', ['file:file_chart']],
    [1, 'pending', ['file:file_up']],
    [1, 'saved', ['file:file_fox', 'file:file_fox2', 'sandbox:c2:/mnt/data/sales.csv']],
    [2, 'backup', ['file:file_chart', 'file:file_up']],
    [2, 'import', []],
  ])('filter #%i = %s', async (which, value, expected) => {
    const { root } = await setup();
    const select = root.querySelectorAll<HTMLSelectElement>('[data-testid="filters"] select')[which]!;
    await choose(select, value);
    expect(tileIds(root)).toEqual(expected.sort());
  });
});

describe('preview', () => {
  it('shows the full image, provenance and a link back to the conversation; downloads the bytes', async () => {
    const { root, save } = await setup();
    await click(byLabel(root, 'Open fox.webp'));
    const dialog = root.querySelector<HTMLElement>('[data-testid="preview"]')!;
    expect(dialog.getAttribute('role')).toBe('dialog');
    await until(() => dialog.querySelector('[data-testid="preview-image"]') !== null);
    expect(dialog.querySelector<HTMLImageElement>('[data-testid="preview-image"]')!.src).toMatch(/^blob:/);
    const prov = dialog.querySelector('[data-testid="provenance"]')!.textContent;
    for (const text of ['a red fox poster', 'gen_fox', '42', 'file_fox', 'm1', 'Fox poster']) expect(prov).toContain(text);
    const sha = (await import('node:crypto')).createHash('sha256').update(WEBP).digest('hex');
    expect(prov).toContain(sha);
    const link = [...dialog.querySelectorAll('a')].find((a) => a.textContent.includes('Open conversation'))!;
    expect(link.getAttribute('href')).toBe('https://chatgpt.com/c/c1');
    expect(link.getAttribute('rel')).toContain('noopener');

    await click([...dialog.querySelectorAll('button')].find((b) => b.textContent === 'Download')!);
    await until(() => save.mock.calls.length > 0);
    expect(save).toHaveBeenCalledTimes(1);
    const [blob, name] = save.mock.calls[0]!;
    // The default File names pattern: the capture day (no message time), the prompt, the original name.
    expect(name).toBe('2026-11-22 a red fox poster - fox.webp');
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(WEBP);
  });

  it('takes focus when it opens; Escape or Close preview closes it and gives focus back to its tile', async () => {
    const { root } = await setup();
    const opener = byLabel(root, 'Open fox.webp')!;
    opener.focus();
    await click(opener);
    const dialog = root.querySelector<HTMLElement>('[data-testid="preview"]')!;
    expect(dialog.contains(document.activeElement)).toBe(true);

    await act(() => {
      document.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    });
    expect(root.querySelector('[data-testid="preview"]')).toBeNull();
    expect(document.activeElement).toBe(byLabel(root, 'Open fox.webp'));

    await click(byLabel(root, 'Open sales.csv'));
    await click(byLabel(root, 'Close preview'));
    expect(root.querySelector('[data-testid="preview"]')).toBeNull();
    expect(document.activeElement).toBe(byLabel(root, 'Open sales.csv'));
  });

  it('shows the reason and no download for an artifact without bytes', async () => {
    const { root } = await setup();
    await click(byLabel(root, 'Open chart file_chart'));
    const dialog = root.querySelector<HTMLElement>('[data-testid="preview"]')!;
    expect(dialog.textContent).toContain('sandbox expired');
    expect([...dialog.querySelectorAll('button')].find((b) => b.textContent === 'Download')!.hasAttribute('disabled')).toBe(true);
  });

  it('deletes only after confirmation; a shared blob survives until both artifacts are gone', async () => {
    const { root, db, confirm } = await setup();
    const sha = (await db.artifacts.get('file:file_fox'))!.sha256!;
    const deleteButton = () => [...root.querySelectorAll('[data-testid="preview"] button')].find((b) => b.textContent === 'Delete')!;

    confirm.mockReturnValueOnce(false);
    await click(byLabel(root, 'Open fox.webp'));
    await click(deleteButton());
    expect(confirm).toHaveBeenCalledWith(expect.stringContaining('Delete "fox.webp"'));
    expect(await db.artifacts.get('file:file_fox')).toBeDefined();

    await click(deleteButton());
    await until(() => tiles(root).length === 4);
    expect(await db.artifacts.get('file:file_fox')).toBeUndefined();
    expect(await db.blobs.get(sha)).toBeDefined(); // file_fox2 still uses it
    expect(root.querySelector('[data-testid="preview"]')).toBeNull();

    await click(byLabel(root, 'Open a red fox poster, variant'));
    await click(deleteButton());
    await until(() => tiles(root).length === 3);
    expect(await db.blobs.get(sha)).toBeUndefined();
  });

  it('takes a deleted artifact off the gallery before the full list is read again', async () => {
    const db = freshDb();
    await seed(db);
    const api = countingApi(db);
    let hold = false;
    const root = await mount({
      api: { ...api, listArtifacts: async () => (hold ? new Promise<never>(() => {}) : api.listArtifacts()) },
      observeVisible: manualVisibility().observe,
      confirm: () => true,
    });
    await until(() => tiles(root).length === 5);
    hold = true;
    await click(byLabel(root, 'Open fox.webp'));
    await click([...root.querySelectorAll('[data-testid="preview"] button')].find((b) => b.textContent === 'Delete')!);
    await until(() => tiles(root).length === 4);
    expect(tileIds(root)).not.toContain('file:file_fox');
  });
});

describe('selection', () => {
  it('downloads the selected artifacts as a ZIP named by conversation', async () => {
    const { root, save } = await setup();
    expect(root.querySelector('[data-testid="selection-bar"]')).toBeNull();
    await click(byLabel(root, 'Select fox.webp'));
    await click(byLabel(root, 'Select a red fox poster, variant'));
    const bar = root.querySelector<HTMLElement>('[data-testid="selection-bar"]')!;
    expect(bar.textContent).toContain('2 selected');
    await click([...bar.querySelectorAll('button')].find((b) => b.textContent === 'Download selected as ZIP')!);
    await until(() => save.mock.calls.length === 1);
    const [blob, name] = save.mock.calls[0]!;
    expect(name).toBe('Fox poster.zip');
    const files = unzipSync(new Uint8Array(await blob.arrayBuffer()));
    expect(Object.keys(files).sort()).toEqual(['Fox poster/2026-11-22 a red fox poster - fox.webp', 'Fox poster/2026-11-22 a red fox poster, variant - image-file_fox2.webp']);
    expect(files['Fox poster/2026-11-22 a red fox poster - fox.webp']).toEqual(WEBP);
  });

  it('selects a whole conversation and skips artifacts without bytes', async () => {
    const { root, save } = await setup();
    await click(byLabel(root, 'Select all in Sales analysis'));
    expect(root.querySelector('[data-testid="selection-bar"]')!.textContent).toContain('3 selected');
    await click([...root.querySelectorAll('[data-testid="selection-bar"] button')].find((b) => b.textContent === 'Download selected as ZIP')!);
    await until(() => save.mock.calls.length === 1);
    expect(save.mock.calls[0]![1]).toBe('Sales analysis.zip');
    expect(Object.keys(unzipSync(new Uint8Array(await save.mock.calls[0]![0].arrayBuffer())))).toEqual(['Sales analysis/2026-11-22 Sales analysis - sales.csv']);
    expect(root.textContent).toContain('2 without saved bytes skipped');
    await click([...root.querySelectorAll('[data-testid="selection-bar"] button')].find((b) => b.textContent === 'Clear selection')!);
    expect(root.querySelector('[data-testid="selection-bar"]')).toBeNull();
  });
});

describe('Download readable archive', () => {
  /** The worker's side, played by the test: what the page asked for, and its progress and cancel. */
  function fakeWorker() {
    const calls: { ids: ReadonlySet<string> | undefined; pattern: string | undefined; onProgress?: (p: { conversations: number; assets: number; bytes: number }) => void; signal?: AbortSignal; finish: () => void }[] = [];
    const writeReadable: LibraryApi['writeReadable'] = (ids, pattern, run = {}) => new Promise((resolve, reject) => {
      run.signal?.addEventListener('abort', () => reject(new ReadableRunError('Cancelled.', true)));
      calls.push({
        ids, pattern: pattern?.source, onProgress: run.onProgress, signal: run.signal,
        finish: () => resolve({ blob: new Blob(['zip']), summary: { conversations: 2, assets: 3, bytes: 3, notSaved: 0, library: 0, notes: [] } }),
      });
    });
    return { calls, writeReadable };
  }
  const status = (root: HTMLElement) => root.textContent ?? '';
  const button = (root: HTMLElement, name: string) => [...root.querySelectorAll('button')].find((b) => b.textContent === name) ?? null;

  it('shows the worker\'s progress, and Cancel stops it and says so', async () => {
    const db = freshDb();
    await seed(db);
    const fake = fakeWorker();
    const save = vi.fn();
    const root = await mount({ api: { ...countingApi(db), writeReadable: fake.writeReadable }, observeVisible: manualVisibility().observe, save });
    await until(() => root.querySelectorAll('[data-testid="artifact"]').length > 0);
    expect(button(root, 'Cancel')).toBeNull();
    await click(button(root, 'Download readable archive'));
    await until(() => fake.calls.length === 1);
    // The default File names pattern goes to the worker as its text.
    expect(fake.calls[0]!.pattern).toBe('{date} {prompt|title} - {name}');
    expect(button(root, 'Download readable archive')!.disabled).toBe(true);
    await act(() => fake.calls[0]!.onProgress!({ conversations: 7, assets: 12, bytes: 100 }));
    expect(status(root)).toContain('Writing the readable archive: 7 conversations, 12 files…');
    await click(button(root, 'Cancel'));
    expect(fake.calls[0]!.signal!.aborted).toBe(true);
    await until(() => status(root).includes('Writing the readable archive was cancelled.'));
    expect(save).not.toHaveBeenCalled();
    expect(button(root, 'Cancel')).toBeNull();
    expect(button(root, 'Download readable archive')!.disabled).toBe(false);
  });

  it('saves what the worker wrote and reports its counts', async () => {
    const db = freshDb();
    await seed(db);
    const fake = fakeWorker();
    const save = vi.fn();
    const root = await mount({ api: { ...countingApi(db), writeReadable: fake.writeReadable }, observeVisible: manualVisibility().observe, save });
    await until(() => root.querySelectorAll('[data-testid="artifact"]').length > 0);
    await click(button(root, 'Download readable archive'));
    await until(() => fake.calls.length === 1);
    await act(() => fake.calls[0]!.finish());
    await until(() => save.mock.calls.length === 1);
    expect(save.mock.calls[0]![1]).toMatch(/^chatgpt-archive-.*\.zip$/);
    expect(status(root)).toContain('Readable archive downloaded: 2 conversations, 3 files.');
  });
});

describe('backup controls', () => {
  it('downloads the vault archive under chatgpt-vault-<local date>.zip', async () => {
    const { root, save } = await setup();
    const button = [...root.querySelectorAll('button')].find((b) => b.textContent === 'Download backup')!;
    await click(button);
    await until(() => save.mock.calls.length === 1);
    const [blob, name] = save.mock.calls[0]!;
    const d = new Date();
    const p = (n: number) => String(n).padStart(2, '0');
    expect(name).toBe(`chatgpt-vault-${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}.zip`);
    const manifest = JSON.parse(new TextDecoder().decode(unzipSync(new Uint8Array(await blob.arrayBuffer()))['manifest.json'])) as VaultManifest;
    expect(manifest.artifacts).toHaveLength(5);
  });

  function mountControls(onRestore: (f: File) => Promise<RestoreResult>) {
    const container = document.createElement('div');
    document.body.append(container);
    render(<BackupControls onDownload={async () => {}} onRestore={onRestore} />, container);
    return container;
  }

  async function chooseFile(container: HTMLElement, file: File) {
    const input = container.querySelector<HTMLInputElement>('input[type=file]')!;
    Object.defineProperty(input, 'files', { value: [file], configurable: true });
    await act(() => {
      input.dispatchEvent(new Event('change', { bubbles: true }));
    });
  }

  it('labels the file input "Restore backup" and reports the outcome of a restore', async () => {
    const onRestore = vi.fn(() => Promise.resolve({
      added: 3, alreadyPresent: 2, updated: 1, rejected: [{ path: 'artifacts[4]', reason: 'no identity' }],
      conversations: { added: 1, updated: 0, alreadyPresent: 0 },
    }));
    const c = mountControls(onRestore);
    const input = c.querySelector<HTMLInputElement>('input[type=file]')!;
    expect(input.closest('label')!.textContent.trim()).toBe('Restore backup');
    await chooseFile(c, new File(['x'], 'vault.zip'));
    await until(() => c.querySelector('[data-testid="restore-report"]') !== null);
    expect(onRestore).toHaveBeenCalledTimes(1);
    const report = c.querySelector('[data-testid="restore-report"]')!;
    // Said through the live region that was there before the restore began (a new region is often not read).
    expect(report.getAttribute('role')).toBeNull();
    await until(() => c.querySelector('[data-testid="restore-announce"]')!.textContent.startsWith('Restored vault.zip: 3 added, 2 already present, 1 updated, 1 rejected'));
    expect(report.textContent).toContain('3 added, 2 already present, 1 updated, 1 rejected');
    expect(report.textContent).toContain('artifacts[4]: no identity');
    render(null, c);
  });

  it('shows a refused archive as an alert saying the vault is unchanged', async () => {
    const c = mountControls(() => Promise.reject(
      new Error('The archive was altered: artifacts/abc.png does not match its SHA-256.')
    ));
    await chooseFile(c, new File(['x'], 'bad.zip'));
    await until(() => c.querySelector('[role="alert"]') !== null);
    expect(c.querySelector('[role="alert"]')!.textContent).toBe(
      'bad.zip was not restored; your vault is unchanged. The archive was altered: artifacts/abc.png does not match its SHA-256.',
    );
    render(null, c);
  });
});

describe('capture settings and storage', () => {
  async function mountSettings(requestDownloads: () => Promise<boolean>) {
    const c = document.createElement('div');
    document.body.append(c);
    await act(() => {
      render(<CaptureSettings requestDownloads={requestDownloads} />, c);
    });
    await until(() => c.querySelector('input') !== null);
    const box = (label: string) => [...c.querySelectorAll('label')].find((l) => l.textContent.includes(label))!.querySelector('input')!;
    return { c, box };
  }

  it('has uploads off by default and saves changes', async () => {
    const { c, box } = await mountSettings(() => Promise.resolve(true));
    expect(box('Generated images').checked).toBe(true);
    expect(box('My uploads').checked).toBe(false);
    expect(box('Voice recordings').checked).toBe(true);
    await click(box('My uploads'));
    await until(() => box('My uploads').checked);
    expect(await captureKinds.getValue()).toEqual({
      image: true, chart: true, 'sandbox-file': true, upload: true, audio: true, video: true, canvas: true, research: true,
    });
    render(null, c);
  });

  it('turns on saving to Downloads only when the permission is granted', async () => {
    const refuse = await mountSettings(() => Promise.resolve(false));
    await click(refuse.box('Downloads folder'));
    await until(() => refuse.c.textContent.includes('did not grant'));
    expect(await saveToDownloads.getValue()).toBe(false);
    render(null, refuse.c);

    const grant = await mountSettings(() => Promise.resolve(true));
    await click(grant.box('Downloads folder'));
    await until(() => grant.box('Downloads folder').checked);
    expect(await saveToDownloads.getValue()).toBe(true);
    render(null, grant.c);
  });

  it('shows usage, warns when space is low and asks for persistence', async () => {
    let persisted = false;
    const persist = vi.fn(() => Promise.resolve((persisted = true)));
    const nav = {
      storage: { estimate: () => Promise.resolve({ usage: 9.5e9, quota: 1e10 }), persisted: () => Promise.resolve(persisted), persist },
    } as unknown as Navigator;
    const c = document.createElement('div');
    document.body.append(c);
    await act(() => {
      render(<StoragePanel nav={nav} />, c);
    });
    await until(() => c.querySelector('[data-testid="storage"]') !== null);
    expect(c.textContent).toContain('9.5 GB used · 500 MB available');
    expect(c.querySelector('[role="alert"]')!.textContent).toMatch(/Space is running low/);
    await click([...c.querySelectorAll('button')].find((b) => b.textContent === 'Keep vault persistent')!);
    await until(() => c.textContent.includes('Persistent: the browser will not evict'));
    expect(persist).toHaveBeenCalledTimes(1);
    render(null, c);
  });
});
