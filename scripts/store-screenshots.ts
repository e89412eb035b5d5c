/**
 * `npm run store-screenshots`: the store listing's screenshots (docs/store/*.png, 1280x800 as the Chrome Web
 * Store asks; the popup at its own size), taken from the demo rather than drawn: the fake chatgpt.com, the
 * built extension in Chromium, the demo's sample conversation captured live, the sample vault of
 * bench/library.ts restored for a fuller gallery, and the demo's sample export reconciled in the page.
 * Commit the PNGs it writes, so a change in how the product looks shows in review.
 */
import { execSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { buildArchive, sampleVault } from '../bench/library.ts';
import { addHistory } from '../tests/fake-chatgpt/history.ts';
import { startFakeChatGPT } from '../tests/fake-chatgpt/server.ts';
import { REPO_ROOT, launchBrowser, waitFor } from '../tests/e2e/harness.ts';
import { readVault } from '../tests/e2e/vault-probe.ts';
import { writeDemoExport } from './demo-export.ts';

const SAMPLE = '69f1a2b3-4c5d-8e6f-a7b8-c9d0e1f2a3b4'; // tests/fixtures/conversations/mixed-2026.json
const OUT = join(REPO_ROOT, 'docs/store');
const VIEWPORT = { width: 1280, height: 800 };

if (!process.argv.includes('--no-build')) execSync('npx wxt build', { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
mkdirSync(join(REPO_ROOT, '.tmp'), { recursive: true });
mkdirSync(OUT, { recursive: true });
const sample = await writeDemoExport(join(REPO_ROOT, '.tmp/sample-chatgpt-export.zip'));
const fake = await startFakeChatGPT();
const browser = await launchBrowser({ server: fake });

/**
 * Waits until every thumbnail on screen shows its picture: none is still a placeholder (its bytes are read
 * once it is in view) and every image has decoded, so no screenshot shows an empty grey box.
 */
async function settle(page: Page): Promise<void> {
  // Source text, not a function: tsx would wrap the inner function in `__name(...)`, which the page lacks.
  await page.waitForFunction(`(() => {
    const onScreen = (el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth;
    };
    return [...document.querySelectorAll('.thumb-placeholder')].every((p) => !onScreen(p))
      && [...document.images].every((img) => img.complete && (img.naturalWidth > 0 || !onScreen(img)));
  })()`, null, { timeout: 20_000 });
  await page.waitForTimeout(300);
}

async function shot(page: Page, name: string): Promise<void> {
  await settle(page);
  await page.screenshot({ path: join(OUT, name) });
  console.log(`wrote docs/store/${name}`);
}

try {
  // The demo: a live capture of the sample conversation.
  const chat = await browser.page();
  await chat.setViewportSize(VIEWPORT);
  await chat.goto(`https://chatgpt.com/c/${SAMPLE}`);
  await waitFor(async () => {
    const mine = (await readVault(browser)).artifacts.filter((a) => a.conversationId === SAMPLE);
    return mine.length > 0 && mine.every((a) => a.status !== 'pending');
  }, { timeout: 30_000, interval: 250, message: 'capture finished' });

  const library = await browser.openExtensionPage('/library.html');
  await library.setViewportSize(VIEWPORT);
  await library.getByRole('button', { name: 'Download backup' }).waitFor();
  const vault = sampleVault();
  await library.getByLabel('Restore backup').setInputFiles({ name: 'vault.zip', mimeType: 'application/zip', buffer: Buffer.from(buildArchive(vault.artifacts, vault.conversations)) });
  await library.getByTestId('restore-report').waitFor();
  await library.reload();
  await library.getByTestId('artifact').first().waitFor();
  await shot(library, 'library.png');
  await library.emulateMedia({ colorScheme: 'dark' });
  await shot(library, 'library-dark.png');
  await library.emulateMedia({ colorScheme: null });

  await library.getByRole('button', { name: 'Open fox.png' }).click();
  await library.getByTestId('preview-image').waitFor();
  await shot(library, 'preview.png');
  await library.keyboard.press('Escape');

  // The popup on the sample conversation.
  const sw = await browser.serviceWorker();
  const tabId = await sw.evaluate(async () => {
    const c = (globalThis as unknown as { chrome: { tabs: { query(q: object): Promise<{ id: number }[]> } } }).chrome;
    return (await c.tabs.query({ url: 'https://chatgpt.com/c/*' }))[0]!.id;
  });
  const popup = await browser.openExtensionPage(`/popup.html?tab=${tabId}`);
  await popup.setViewportSize({ width: 360, height: 600 });
  await popup.getByRole('button', { name: 'Back up this conversation' }).waitFor();
  await settle(popup);
  await popup.locator('.popup').screenshot({ path: join(OUT, 'popup.png') });
  console.log('wrote docs/store/popup.png');
  await popup.close();

  // Reconcile the demo's sample export (its images and files live only in the vault: recovered).
  await library.getByRole('button', { name: 'Reconcile', exact: true }).click();
  await library.getByLabel('Export ZIP').setInputFiles(sample.path);
  await library.getByTestId('reconcile-result').waitFor({ timeout: 60_000 });
  await library.getByTestId('reconcile-row').first().waitFor();
  await library.locator('[data-testid="reconcile-row"][data-status="recovered"] [data-testid="reconcile-thumb"] img').first().waitFor();
  await shot(library, 'reconcile.png');

  // Back up everything while it runs, over a longer history at ChatGPT's own pace (one read a second).
  addHistory(fake.state, { count: 24, seed: 'store' });
  await library.getByRole('button', { name: 'Reconcile', exact: true }).click();
  await library.getByRole('button', { name: 'Back up everything' }).click();
  await library.getByRole('progressbar').waitFor({ timeout: 20_000 });
  await waitFor(async () => Number(/conversation (\d+) of/.exec((await library.getByTestId('backup-step').textContent().catch(() => '')) ?? '')?.[1] ?? 0) >= 6,
    { timeout: 60_000, message: 'the run is a few conversations in' });
  await shot(library, 'backup-running.png');
  await library.getByRole('button', { name: 'Cancel' }).click();
  await library.getByTestId('backup-summary').waitFor({ timeout: 30_000 });
} finally {
  await browser.close();
  await fake.close();
}
