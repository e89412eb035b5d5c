/**
 * The readable archive in real Chromium (docs/FORMATS.md sections 4 and 5): `Download readable archive` in the
 * library page (the whole vault) and in the reconcile view after a run (the export's conversations with both
 * sides' bytes). Each download is unzipped and its `index.html` opened from file:// with every request
 * recorded: every conversation and image is there, no request leaves the folder, no console error, and a
 * hostile message (script, event handler, javascript: link) is shown as text and never runs.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { zipSync } from 'fflate';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page, Worker } from 'playwright-core';
import { buildFixtures, type Fixtures } from '../fixtures/exports/generate.ts';
import { openZip } from '../../utils/zip/index.ts';
import { e2eSession, hasExtensionBuild } from './harness.ts';

const T = { timeout: 180_000 };
const skip = !hasExtensionBuild() && 'no .output/chrome-mv3 (run `npx wxt build`)';
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const IMAGE_ID = 'file-E2eReadable0Image00001';
const HOSTILE_ID = 'e2e00000-0000-4000-8000-000000000001';
const HOSTILE_TEXT = 'Try <script>window.__pwned = 1</script> and <img src=x onerror="window.__pwned = 2"> or [click me](javascript:window.__pwned=3) </textarea> ![d](data:image/png;base64,AAAA)';

/** A conversation whose title and text attack the page, with one real image from the export. */
function hostileConversation(): unknown {
  const msg = (id: string, role: string, parts: unknown[], extra: Record<string, unknown> = {}) => ({
    id, author: { role, ...(role === 'tool' ? { name: 'dalle.text2im' } : {}) }, create_time: 1776000000 + id.length, content: { content_type: parts.some((p) => typeof p !== 'string') ? 'multimodal_text' : 'text', parts }, ...extra,
  });
  return {
    conversation_id: HOSTILE_ID, title: '<script>window.__pwned = 4</script> Hostile', create_time: 1776000000, update_time: 1776000500, current_node: 'n3',
    mapping: {
      n1: { id: 'n1', parent: null, children: ['n2'], message: msg('n1', 'user', [HOSTILE_TEXT]) },
      n2: { id: 'n2', parent: 'n1', children: ['n3'], message: msg('n2', 'tool', [{ content_type: 'image_asset_pointer', asset_pointer: `file-service://${IMAGE_ID}`, width: 1, height: 1, metadata: { dalle: { gen_id: 'e2egen', prompt: 'a single pixel' } } }]) },
      n3: { id: 'n3', parent: 'n2', children: [], message: msg('n3', 'assistant', ['Here is your pixel. <b>bold?</b>']) },
    },
  };
}

let page: Page;
let context: BrowserContext;
let fx: Fixtures;
let work: string;

const { launch } = e2eSession();
before(async () => {
  if (skip) return;
  fx = await buildFixtures();
  work = mkdtempSync(join(tmpdir(), 'readable-e2e-'));
  const browser = await launch({ downloadsPath: join(work, 'downloads') });
  context = browser.context;
  page = await browser.openExtensionPage('/library.html');
  await page.getByRole('button', { name: 'Download backup' }).waitFor();
});
after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const localDate = () => {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
};

/** Clicks `button`, saves the download and unpacks it (with the product's reader) into a new folder. */
async function downloadArchive(where: 'banner' | 'reconcile-result', folder: string): Promise<{ name: string; root: string; files: string[] }> {
  // The library's button is in the page header; the reconcile view's in its result.
  const scope = where === 'banner' ? page.getByRole('banner') : page.getByTestId('reconcile-result');
  const [d] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), scope.getByRole('button', { name: 'Download readable archive', exact: true }).click()]);
  const bytes = readFileSync(await d.path());
  const zip = await openZip(new Blob([bytes]));
  const root = join(work, folder);
  const files: string[] = [];
  for (const e of zip.entries) {
    if (e.directory) continue;
    const target = join(root, ...e.name.split('/'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, await zip.bytes(e, 1 << 26));
    files.push(e.name);
  }
  return { name: d.suggestedFilename(), root, files };
}

interface Visit {
  page: Page;
  requests: string[];
  errors: string[];
}

/** Opens a file of the unpacked archive in a new tab, recording requests that leave file:// and console errors. */
async function visit(path: string): Promise<Visit> {
  const p = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  p.on('request', (r) => {
    if (!r.url().startsWith('file://')) requests.push(r.url());
  });
  p.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  p.on('pageerror', (e) => errors.push(e.message));
  await p.goto(pathToFileURL(path).href);
  await p.waitForLoadState('load');
  return { page: p, requests, errors };
}

/** Every `img` of a page: its file exists in the archive; decoded when `decoded` says so. */
async function checkImages(v: Visit, decoded: (src: string) => boolean): Promise<number> {
  const imgs = await v.page.evaluate(async () => {
    const list = [...document.querySelectorAll('img')];
    for (const img of list) {
      img.loading = 'eager';
      await img.decode().catch(() => undefined);
    }
    return list.map((img) => ({ src: img.src, width: img.naturalWidth }));
  });
  for (const img of imgs) {
    assert.ok(img.src.startsWith('file://'), img.src);
    assert.ok(existsSync(fileURLToPath(img.src)), `missing ${img.src}`);
    if (decoded(img.src)) assert.ok(img.width > 0, `not shown: ${img.src}`);
  }
  return imgs.length;
}

void describe('readable archive (real Chromium)', { skip }, () => {
  void it('library page: Download readable archive of the whole vault opens offline with every conversation and image', T, async () => {
    await page.getByLabel('Restore backup').setInputFiles({ name: 'vault.zip', mimeType: 'application/zip', buffer: Buffer.from(fx.vault) });
    await page.getByTestId('restore-report').waitFor();
    const started: string[] = [];
    const onWorker = (w: Worker) => started.push(w.url());
    page.on('worker', onWorker);
    const got = await downloadArchive('banner', 'library');
    page.off('worker', onWorker);
    assert.equal(got.name, `chatgpt-archive-${localDate()}.zip`);
    // Rendered off the page's main thread: the click started one worker, whose script holds the renderer
    // (it writes provenance.json), and none of the scripts the page itself loaded does.
    assert.equal(started.length, 1, String(started));
    const holdsRenderer = (url: string) => page.evaluate(async (u) => (await (await fetch(u)).text()).includes('provenance.json'), url);
    assert.ok(await holdsRenderer(started[0]!), started[0]);
    const pageScripts = await page.evaluate(() => [...document.querySelectorAll<HTMLScriptElement | HTMLLinkElement>('script[src], link[rel="modulepreload"]')]
      .map((e) => ('src' in e ? e.src : e.href)));
    assert.ok(pageScripts.length > 0);
    for (const s of pageScripts.filter((u) => u !== started[0])) assert.equal(await holdsRenderer(s), false, s);
    const prov = JSON.parse(readFileSync(join(got.root, 'provenance.json'), 'utf8')) as { artifacts: { path: string | null; kind: string }[] };
    const conversations = got.files.filter((f) => f.startsWith('conversations/') && f.endsWith('.html'));
    assert.ok(conversations.length >= 2, String(conversations));

    const index = await visit(join(got.root, 'index.html'));
    const linked = await index.page.locator('ul.convs a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
    assert.equal(linked.length, conversations.length);
    for (const href of linked) assert.ok(existsSync(fileURLToPath(href)), href);
    const images = prov.artifacts.filter((a) => a.path && /\.(png|jpe?g|webp|gif)$/i.test(a.path));
    // The fixture's bytes only start like a PNG: present, not decodable.
    assert.equal(await checkImages(index, () => false), images.length);
    // Search runs from file:// (the inline script) and hides what does not match.
    await index.page.getByRole('searchbox', { name: 'Search conversations' }).fill('zzzz-no-such-thing');
    assert.equal(await index.page.locator('li[data-i]:visible').count(), 0);
    await index.page.getByRole('searchbox', { name: 'Search conversations' }).fill('');
    assert.equal(await index.page.locator('li[data-i]:visible').count(), conversations.length);
    for (const c of conversations) {
      const v = await visit(join(got.root, c));
      await checkImages(v, () => false);
      assert.ok((await v.page.locator('meta[name="chatgpt-conversation-id"]').getAttribute('content'))?.length);
      assert.deepEqual(v.requests, [], c);
      assert.deepEqual(v.errors, [], c);
      await v.page.close();
    }
    assert.deepEqual(index.requests, []);
    assert.deepEqual(index.errors, []);
    await index.page.close();
  });

  void it('reconcile view: Download readable archive renders the export with its image; a hostile message stays text', T, async () => {
    const exportZip = zipSync({
      'conversations.json': new TextEncoder().encode(JSON.stringify([hostileConversation(), JSON.parse(readFileSync('tests/fixtures/conversations/mixed-2026.json', 'utf8'))])),
      [`${IMAGE_ID}-pixel.png`]: new Uint8Array(PNG),
      'chat.html': new TextEncoder().encode('<!doctype html><title>export</title>'),
    });
    await page.getByRole('button', { name: 'Reconcile', exact: true }).click();
    await page.getByLabel('Export ZIP').setInputFiles({ name: 'chatgpt-export.zip', mimeType: 'application/zip', buffer: Buffer.from(exportZip) });
    await page.getByRole('button', { name: 'Download report' }).waitFor({ timeout: 120_000 });
    const got = await downloadArchive('reconcile-result', 'reconcile');
    assert.equal(got.name, `chatgpt-archive-${localDate()}.zip`);
    const hostile = got.files.find((f) => f.startsWith('conversations/') && f.endsWith('.html') && f.includes('Hostile'));
    assert.ok(hostile, String(got.files));
    const pixel = got.files.find((f) => f.startsWith('assets/') && f.includes('Hostile/') && f.endsWith(`${IMAGE_ID}.png`));
    assert.ok(pixel, String(got.files));
    assert.deepEqual(readFileSync(join(got.root, pixel)), PNG);

    const v = await visit(join(got.root, hostile));
    assert.equal(await checkImages(v, () => true), 1);
    assert.equal(await v.page.locator('img').getAttribute('alt'), 'a single pixel');
    assert.equal(await v.page.evaluate(() => (window as { __pwned?: number }).__pwned), undefined);
    assert.equal(await v.page.locator('script').count(), 0);
    assert.equal(await v.page.locator('a[href^="javascript:"], [src^="data:"], [href^="data:"], textarea').count(), 0);
    const text = (await v.page.locator('main').textContent()) ?? '';
    assert.ok(text.includes('<script>window.__pwned = 1</script>'), text);
    assert.ok(text.includes('[click me](javascript:window.__pwned=3)') || text.includes('click me'), text);
    assert.equal(await v.page.locator('h1').textContent(), '<script>window.__pwned = 4</script> Hostile');
    assert.deepEqual(v.requests, []);
    assert.deepEqual(v.errors, []);
    await v.page.close();

    const index = await visit(join(got.root, 'index.html'));
    assert.equal(await index.page.evaluate(() => (window as { __pwned?: number }).__pwned), undefined);
    // The export's two conversations, and the vault's conversations the export lacks: the complete history.
    assert.equal(await index.page.locator('ul.convs a').count(), got.files.filter((f) => f.startsWith('conversations/') && f.endsWith('.html')).length);
    assert.ok(await index.page.getByRole('link', { name: 'Quarterly dashboard' }).count());
    assert.ok(await index.page.getByRole('link', { name: 'Deleted chat' }).count());
    assert.equal(await checkImages(index, (src) => src.endsWith(`${IMAGE_ID}.png`)), got.files.filter((f) => /\.(png|webp|jpe?g)$/.test(f)).length);
    assert.deepEqual(index.requests, []);
    assert.deepEqual(index.errors, []);
    await index.page.close();
  });
});
