/**
 * Hostile files in the vault (docs/SECURITY.md, "Hostile files"): an SVG carrying script, an onload handler
 * and external references, and an HTML page, are shown only as an `<img>` of a blob (an SVG image never
 * runs script or loads anything) or as a type icon; never inline SVG, never an iframe, object or embed.
 * Downloads keep the sniffed type in the name.
 */
import { describe, expect, it, vi } from 'vitest';
import { click, countingApi, freshDb, manualVisibility, mount, ref, seedSaved, until } from './helpers';
import { fileNamePattern } from '@/utils/storage';

const enc = (s: string) => new TextEncoder().encode(s);
const SVG = enc(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="window.top.__pwned='onload'" width="10" height="10">
<script>window.top.__pwned = 'script'</script>
<image href="https://evil.example/beacon.png" width="10" height="10"/>
<use xlink:href="https://evil.example/sprite.svg#x"/>
<foreignObject width="10" height="10"><iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.example/"></iframe></foreignObject>
</svg>`);
const HTML = enc(`<!doctype html><html><body><script>window.top.__pwned='html'</script>
<img src="x" onerror="window.top.__pwned='img'"><h1>Hostile heading</h1></body></html>`);
const T = new Date(2026, 10, 22, 10, 0).getTime();

async function setup() {
  const db = freshDb();
  await seedSaved(db, ref({ kind: 'sandbox-file', fileId: null, sandboxPath: '/mnt/data/chart.svg', fileName: 'chart.svg' }), SVG, 'image/svg+xml', T, 'Hostile');
  // Named like a picture: the sniffed type decides how it is shown and downloaded.
  await seedSaved(db, ref({ kind: 'sandbox-file', fileId: null, sandboxPath: '/mnt/data/page.png', fileName: 'page.png' }), HTML, 'text/html', T + 1, 'Hostile');
  await seedSaved(db, ref({ kind: 'sandbox-file', fileId: null, sandboxPath: '/mnt/data/report.html', fileName: 'report.html' }), HTML, 'text/html', T + 2, 'Hostile');
  // The original names alone: these tests are about types and extensions, not the File names pattern.
  await fileNamePattern.setValue('{name}');
  const vis = manualVisibility();
  const save = vi.fn<(blob: Blob, name: string) => void>();
  const root = await mount({ api: countingApi(db), observeVisible: vis.observe, save });
  await until(() => root.querySelectorAll('[data-testid="artifact"]').length === 3);
  await vis.showAll();
  await until(() => root.querySelectorAll('.tile img').length === 1);
  return { root, save };
}

/** Nothing that could render the file as a document, or run its script, is in the page. */
function expectInert(root: HTMLElement) {
  expect(root.querySelectorAll('svg, iframe, object, embed, frame, script, foreignObject')).toHaveLength(0);
  expect(root.innerHTML).not.toContain('Hostile heading');
  expect(root.innerHTML).not.toContain('evil.example');
  expect((window as unknown as { __pwned?: string }).__pwned).toBeUndefined();
}

const tile = (root: HTMLElement, name: string) => root.querySelector<HTMLElement>(`[data-id="sandbox:c1:/mnt/data/${name}"]`)!;

describe('hostile files in the library', () => {
  it('shows the SVG only as an <img> of a blob and the HTML files only as type icons', async () => {
    const { root } = await setup();
    const svgImg = tile(root, 'chart.svg').querySelector('img')!;
    expect(svgImg.getAttribute('src')).toMatch(/^blob:/);
    for (const name of ['page.png', 'report.html']) {
      expect(tile(root, name).querySelector('img')).toBeNull();
      expect(tile(root, name).querySelector('[data-testid="type-icon"]')).not.toBeNull();
    }
    expect(tile(root, 'report.html').querySelector('[data-testid="type-icon"]')!.textContent).toBe('HTML');
    expectInert(root);
  });

  it('previews the SVG as an <img> and downloads it as image/svg+xml', async () => {
    const { root, save } = await setup();
    await click(tile(root, 'chart.svg').querySelector('button'));
    const dialog = root.querySelector<HTMLElement>('[data-testid="preview"]')!;
    await until(() => dialog.querySelector('[data-testid="preview-image"]') !== null);
    expect(dialog.querySelector('[data-testid="preview-image"]')!.tagName).toBe('IMG');
    expect(dialog.querySelector('[data-testid="preview-image"]')!.getAttribute('src')).toMatch(/^blob:/);
    expectInert(root);
    await click([...dialog.querySelectorAll('button')].find((b) => b.textContent === 'Download')!);
    await until(() => save.mock.calls.length > 0);
    const [blob, name] = save.mock.calls[0]!;
    expect(name).toBe('chart.svg');
    expect(blob.type).toBe('image/svg+xml');
  });

  it.each([
    ['page.png', 'page.html'],
    ['report.html', 'report.html'],
  ])('previews the HTML file %s as an icon and downloads it as text/html named %s', async (file, downloaded) => {
    const { root, save } = await setup();
    await click(tile(root, file).querySelector('button'));
    const dialog = root.querySelector<HTMLElement>('[data-testid="preview"]')!;
    expect(dialog.querySelector('[data-testid="preview-image"]')).toBeNull();
    expect(dialog.querySelector('.preview-media [data-testid="type-icon"]')).not.toBeNull();
    const download = [...dialog.querySelectorAll('button')].find((b) => b.textContent === 'Download')!;
    await until(() => !download.hasAttribute('disabled'));
    expectInert(root);
    await click(download);
    await until(() => save.mock.calls.length > 0);
    const [blob, name] = save.mock.calls[0]!;
    expect(name).toBe(downloaded);
    expect(blob.type).toBe('text/html');
  });
});

describe('names shown in the library', () => {
  it('a bidi-disguised name is shown through the safe-name rule, in the tile and the preview', async () => {
    const db = freshDb();
    await seedSaved(db, ref({ kind: 'sandbox-file', fileId: null, sandboxPath: '/mnt/data/x', fileName: 'invoice\u202Egpj.exe\u{E0041}' }), HTML, 'text/html', T, 'Names');
    const root = await mount({ api: countingApi(db), observeVisible: manualVisibility().observe });
    await until(() => root.querySelectorAll('[data-testid="artifact"]').length === 1);
    const open = root.querySelector<HTMLElement>('.tile-open')!;
    expect(open.getAttribute('aria-label')).toBe('Open invoicegpj.exe');
    expect(root.innerHTML).not.toContain('\u202E');
    await click(open);
    await until(() => (root.textContent ?? '').includes('File name'));
    expect(root.innerHTML).not.toContain('\u202E');
    expect(root.innerHTML).not.toContain('\u{E0041}');
  });
});
