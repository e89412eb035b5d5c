/**
 * The library by keyboard alone, in real Chromium: Tab reaches the search, a tile, `Back up everything` and
 * its `Cancel`, each showing a focus ring; typing searches; Enter opens the preview, which takes the focus;
 * Escape closes it and the focus is back on its tile; Enter starts a backup and Cancel stops it. (The vault is
 * seeded through the `Restore backup` file input: a file chooser is the browser's, not the page's.)
 * Run: `npx wxt build && node --import tsx --test tests/e2e/keyboard.test.ts`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { buildArchive, sampleVault } from '../../bench/library.ts';
import { addHistory } from '../fake-chatgpt/history.ts';
import { e2eSession, hasExtensionBuild } from './harness.ts';

const skip = !hasExtensionBuild() && 'no .output/chrome-mv3 (run `npx wxt build`)';
const e2e = e2eSession();

interface Focused { name: string; inPreview: boolean; ring: boolean }

/** What has the focus: its accessible name as the tests use it, and whether a focus ring shows. */
function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    const style = el ? getComputedStyle(el) : null;
    return {
      name: (el?.getAttribute('aria-label') ?? (el as HTMLInputElement | null)?.placeholder ?? el?.textContent ?? '').trim(),
      inPreview: Boolean(el?.closest('[data-testid="preview"]')),
      ring: Boolean(style && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0),
    };
  });
}

/** Presses Tab (or Shift+Tab) until the element named `name` has the focus; fails after `max` presses. */
async function tabTo(page: Page, name: string, opts: { back?: boolean; max?: number } = {}): Promise<Focused> {
  for (let i = 0; i < (opts.max ?? 60); i++) {
    await page.keyboard.press(opts.back ? 'Shift+Tab' : 'Tab');
    const now = await focused(page);
    if (now.name === name) return now;
  }
  assert.fail(`Tab never reached "${name}"`);
}

void describe('the library by keyboard alone', { skip }, () => {
  void it('search, open a preview, Escape back to its tile, start and cancel Back up everything', { timeout: 180_000 }, async () => {
    addHistory(e2e.fake.state, { count: 6, seed: 'keyboard' });
    const stall = e2e.fake.state.addFault({ route: 'estuary', fault: 'stall' });
    const browser = await e2e.launch();
    const tab = await browser.page();
    await tab.goto('https://chatgpt.com/');
    await tab.close();
    const page = await browser.openExtensionPage('/library.html');
    await page.setViewportSize({ width: 1280, height: 800 });
    const sample = sampleVault();
    await page.getByLabel('Restore backup').setInputFiles({ name: 'vault.zip', mimeType: 'application/zip', buffer: Buffer.from(buildArchive(sample.artifacts, sample.conversations)) });
    await page.getByTestId('restore-report').waitFor();
    await page.getByTestId('artifact').first().waitFor();
    const total = await page.getByTestId('shown-count').textContent();

    // Search.
    await page.locator('body').focus();
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
  });
});
