/**
 * The library by keyboard alone, in real Chromium (no mouse call anywhere): Tab reaches every action, each
 * showing a focus ring. Restore a backup (Enter on `Restore backup` opens the browser's file chooser, which
 * the test answers); search; Enter on a tile opens the preview, which takes the focus, and Escape gives it back
 * to the tile; start and cancel `Back up everything`; download the readable archive; reconcile the demo's
 * sample export, see its recovered thumbnails decoded, download its report and its readable archive. The
 * gallery is a plain list per conversation: Tab goes tile by tile, and each tile's list position stays right
 * at 10,000 artifacts while the virtualized rows come and go.
 * Run: `npx wxt build && node --import tsx --test tests/e2e/keyboard.test.ts`.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { buildArchive, sampleVault, seedLibraryDirect } from '../../bench/library.ts';
import { writeDemoExport } from '../../scripts/demo-export.ts';
import { addHistory } from '../fake-chatgpt/history.ts';
import { e2eSession, hasExtensionBuild, REPO_ROOT, waitFor, type Browser } from './harness.ts';
import { readVault } from './vault-probe.ts';

const skip = !hasExtensionBuild() && 'no .output/chrome-mv3 (run `npx wxt build`)';
const e2e = e2eSession();
const T = { timeout: 240_000 };
const SAMPLE = '69f1a2b3-4c5d-8e6f-a7b8-c9d0e1f2a3b4'; // the demo's sample conversation (tests/fake-chatgpt seed)

interface Focused { name: string; inPreview: boolean; inReconcile: boolean; ring: boolean }

/**
 * What has the focus: its accessible name as the tests use it (a file input by its label), whether it is in
 * the preview or the reconcile view, and whether a focus ring shows (on the label of a hidden file input).
 */
function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    const label = (el as HTMLInputElement | null)?.labels?.[0] ?? null;
    const ringOn = el?.classList.contains('visually-hidden') && label ? label : el;
    const style = ringOn ? getComputedStyle(ringOn) : null;
    return {
      name: (el?.getAttribute('aria-label') || (el as HTMLInputElement | null)?.placeholder || label?.textContent || el?.textContent || '').trim(),
      inPreview: Boolean(el?.closest('[data-testid="preview"]')),
      inReconcile: Boolean(el?.closest('[data-testid="reconcile-view"]')),
      ring: Boolean(style && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0),
    };
  });
}

/** Presses Tab (or Shift+Tab) until the element named `name` (and passing `where`) has the focus; fails after `max` presses. */
async function tabTo(page: Page, name: string, opts: { back?: boolean; max?: number; where?: (f: Focused) => boolean } = {}): Promise<Focused> {
  for (let i = 0; i < (opts.max ?? 80); i++) {
    await page.keyboard.press(opts.back ? 'Shift+Tab' : 'Tab');
    const now = await focused(page);
    if (now.name === name && (opts.where?.(now) ?? true)) return now;
  }
  assert.fail(`Tab never reached "${name}"`);
}

/** Enter on the focused file input opens the browser's chooser; the test picks `file` in it. */
async function chooseByKeyboard(page: Page, file: string | { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  // Adding the listener turns on the chooser's interception, asynchronously: one round trip to the page puts it
  // in force before the key (otherwise the browser's own dialog may open, and no event comes).
  await page.evaluate(() => 0);
  await page.keyboard.press('Enter');
  await (await chooser).setFiles(file);
}

/** Enter on the focused button starts a download; its suggested file name. */
async function downloadByKeyboard(page: Page, timeout = 60_000): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout }), page.keyboard.press('Enter')]);
  return download.suggestedFilename();
}

/**
 * The gallery's list semantics as rendered: every row of tiles is a list named after its conversation, and its
 * tiles' positions run on from the row before, within the conversation's count. Returns the problems found.
 */
function listProblems(page: Page): Promise<string[]> {
  return page.getByTestId('gallery').evaluate((gallery) => {
    const problems: string[] = [];
    const lists = [...gallery.querySelectorAll<HTMLElement>('[role="list"]')];
    if (lists.length === 0) problems.push('no list rendered');
    for (const list of lists) {
      const items = [...list.children] as HTMLElement[];
      const name = list.getAttribute('aria-label');
      if (!name) problems.push('a row of tiles has no name');
      let previous: number | null = null;
      for (const item of items) {
        const pos = Number(item.getAttribute('aria-posinset'));
        const size = Number(item.getAttribute('aria-setsize'));
        if (item.getAttribute('role') !== 'listitem') problems.push(`${name}: a child is not a listitem`);
        if (!(pos >= 1 && pos <= size)) problems.push(`${name}: position ${pos} of ${size}`);
        if (previous !== null && pos !== previous + 1) problems.push(`${name}: ${previous} then ${pos}`);
        previous = pos;
      }
    }
    return problems;
  });
}

/** A library page, 1280x800, with its controls up. */
async function openLibrary(browser: Browser): Promise<Page> {
  const page = await browser.openExtensionPage('/library.html');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByRole('button', { name: 'Download backup' }).waitFor();
  await page.locator('body').focus();
  return page;
}

void describe('the library by keyboard alone', { skip }, () => {
  void it('restore, search, a preview and Escape back to its tile, the gallery list, Back up everything, the readable archive', T, async () => {
    addHistory(e2e.fake.state, { count: 6, seed: 'keyboard' });
    const stall = e2e.fake.state.addFault({ route: 'estuary', fault: 'stall' });
    const browser = await e2e.launch();
    const tab = await browser.page();
    await tab.goto('https://chatgpt.com/');
    await tab.close();
    const page = await openLibrary(browser);

    // Restore, through the browser's file chooser.
    assert.equal((await tabTo(page, 'Restore backup')).ring, true, 'Restore backup shows a focus ring');
    const sample = sampleVault();
    await chooseByKeyboard(page, { name: 'vault.zip', mimeType: 'application/zip', buffer: Buffer.from(buildArchive(sample.artifacts, sample.conversations)) });
    await page.getByTestId('restore-report').waitFor();
    await page.getByTestId('artifact').first().waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="restore-announce"]')?.textContent?.startsWith('Restored vault.zip'));
    const total = await page.getByTestId('shown-count').textContent();

    // Search.
    assert.equal((await tabTo(page, 'Search')).ring, true, 'the search shows a focus ring');
    await page.keyboard.type('fox');
    await page.waitForFunction((before) => document.querySelector('[data-testid="shown-count"]')?.textContent !== before, total);
    assert.ok(Number.parseInt((await page.getByTestId('shown-count').textContent()) ?? '', 10) < Number.parseInt(total ?? '', 10), 'the search filtered the gallery');

    // A tile, its preview, and Escape back to the tile.
    assert.equal((await tabTo(page, 'Open fox.png')).ring, true, 'the tile shows a focus ring');
    await page.keyboard.press('Enter');
    await page.getByTestId('preview-image').waitFor();
    assert.equal((await focused(page)).inPreview, true, 'the preview took the focus');
    await page.keyboard.press('Escape');
    await page.getByTestId('preview').waitFor({ state: 'detached' });
    assert.equal((await focused(page)).name, 'Open fox.png', 'the focus is back on the tile');

    // The gallery: Tab goes tile by tile (open, then select), in list order.
    await tabTo(page, 'Search', { back: true });
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
    await page.waitForFunction((all) => document.querySelector('[data-testid="shown-count"]')?.textContent === all, total);
    await tabTo(page, 'Open fox.png');
    const order: string[] = [];
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Tab');
      order.push((await focused(page)).name);
    }
    assert.deepEqual(order, ['Select fox.png', 'Open sunset.png', 'Select sunset.png', 'Open forest.png', 'Select forest.png']);
    assert.deepEqual(await listProblems(page), []);
    const fox = page.getByRole('list', { name: 'Fox poster ideas' }).getByRole('listitem');
    assert.deepEqual(await fox.evaluateAll((items) => items.map((li) => `${li.getAttribute('aria-posinset')}/${li.getAttribute('aria-setsize')}`)), ['1/3', '2/3', '3/3']);

    // Back up everything: start, then cancel.
    assert.equal((await tabTo(page, 'Back up everything', { back: true })).ring, true, 'the button shows a focus ring');
    await page.keyboard.press('Enter');
    await page.getByRole('progressbar').waitFor({ timeout: 20_000 });
    await tabTo(page, 'Cancel');
    await page.keyboard.press('Enter');
    await page.getByTestId('backup-summary').waitFor({ timeout: 30_000 });
    assert.match((await page.getByTestId('backup-everything').textContent()) ?? '', /Cancelled/);
    assert.equal(await page.getByRole('button', { name: 'Cancel' }).count(), 0);
    stall.remove();

    // The readable archive of the vault.
    await page.locator('body').focus();
    assert.equal((await tabTo(page, 'Download readable archive')).ring, true, 'the button shows a focus ring');
    assert.match(await downloadByKeyboard(page), /^chatgpt-archive-\d{4}-\d{2}-\d{2}\.zip$/);
  });

  void it('reconcile the sample export: recovered thumbnails decoded, its report and readable archive downloaded', T, async () => {
    mkdirSync(join(REPO_ROOT, '.tmp'), { recursive: true });
    const exported = await writeDemoExport(join(REPO_ROOT, '.tmp/keyboard-sample-export.zip'));
    const browser = await e2e.launch();
    // The demo: the sample conversation captured live, so the vault holds what the export lacks.
    const chat = await browser.page();
    await chat.goto(`https://chatgpt.com/c/${SAMPLE}`);
    await waitFor(async () => {
      const mine = (await readVault(browser)).artifacts.filter((a) => a.conversationId === SAMPLE);
      return mine.length > 0 && mine.every((a) => a.status !== 'pending');
    }, { timeout: 60_000, interval: 250, message: 'capture finished' });
    const page = await openLibrary(browser);

    assert.equal((await tabTo(page, 'Reconcile')).ring, true, 'Reconcile shows a focus ring');
    await page.keyboard.press('Enter');
    await page.getByTestId('reconcile-view').waitFor();
    assert.equal((await tabTo(page, 'Export ZIP')).ring, true, 'Export ZIP shows a focus ring');
    await chooseByKeyboard(page, exported.path);
    await page.getByTestId('reconcile-result').waitFor({ timeout: 120_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid="reconcile-announce"]')?.textContent?.startsWith('Reconciled '));

    // Every recovered picture shows: its thumbnail has decoded, none is left an empty placeholder.
    const recovered = page.locator('[data-testid="reconcile-row"][data-status="recovered"] [data-testid="reconcile-thumb"]');
    await recovered.first().waitFor();
    assert.ok((await recovered.count()) >= 2, 'the sample export has recovered pictures');
    await page.waitForFunction(() => {
      const thumbs = [...document.querySelectorAll('[data-testid="reconcile-row"][data-status="recovered"] [data-testid="reconcile-thumb"]')];
      return thumbs.every((t) => { const img = t.querySelector('img'); return img !== null && img.complete && img.naturalWidth > 0; });
    }, null, { timeout: 20_000 });

    await tabTo(page, 'Download report');
    assert.match(await downloadByKeyboard(page), /^reconcile-report-\d{4}-\d{2}-\d{2}\.json$/);
    const inView = await tabTo(page, 'Download readable archive', { where: (f) => f.inReconcile });
    assert.equal(inView.ring, true, 'the button shows a focus ring');
    assert.match(await downloadByKeyboard(page, 120_000), /^chatgpt-archive-\d{4}-\d{2}-\d{2}\.zip$/);
  });

  void it('the gallery at 10,000 artifacts: Tab tile by tile, list positions right while rows come and go', T, async () => {
    const browser = await e2e.launch();
    const page = await openLibrary(browser);
    await seedLibraryDirect(page, 10_000);
    await page.reload();
    await page.waitForFunction(() => document.querySelector('[data-testid="shown-count"]')?.textContent?.startsWith('10,000 '), null, { timeout: 120_000 });
    await page.getByTestId('artifact').first().waitFor();
    await page.locator('body').focus();
    // (image-0 is alone on the newest day; image-1 starts the next day's part of the same conversation.)
    await tabTo(page, 'Open image-1.png', { max: 120 });
    const order: string[] = [];
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('Tab');
      order.push((await focused(page)).name);
    }
    assert.deepEqual(order, ['Select image-1.png', 'Open image-2.png', 'Select image-2.png']);
    assert.deepEqual(await listProblems(page), []);
    // Down the list with the keyboard (PageDown, then End on the focused gallery scroll it): other rows, same rules.
    await tabTo(page, 'Gallery', { back: true });
    for (let i = 0; i < 8; i++) await page.keyboard.press('PageDown');
    await page.waitForFunction(() => (document.querySelector('[data-testid="gallery"]')?.scrollTop ?? 0) > 2000);
    assert.deepEqual(await listProblems(page), []);
    await page.keyboard.press('End');
    const last = page.getByRole('list', { name: 'Bench conversation 399' }).getByRole('listitem').last();
    await last.waitFor();
    const [pos, size] = await last.evaluate((li) => [li.getAttribute('aria-posinset'), li.getAttribute('aria-setsize')]);
    assert.ok(Number(size) > 1 && pos === size, `the last tile is ${pos} of ${size}`);
    assert.deepEqual(await listProblems(page), []);
  });
});
