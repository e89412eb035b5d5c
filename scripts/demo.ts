/**
 * `npm start`: the product on a fake chatgpt.com, no account needed. Builds the extension, serves the fake
 * ChatGPT (tests/fake-chatgpt/) on 127.0.0.1, and opens Chromium with the extension on a sample conversation.
 *
 * With a display: a window you can use (send a message in the composer to watch a live capture). Without one:
 * headless; it waits for the capture, prints what was saved, reconciles the sample export in the library page,
 * writes screenshots, and exits. To see the window on a machine without a display, run `xvfb-run npm start`.
 *
 * Both ways it first writes `.tmp/sample-chatgpt-export.zip`, an official-style export of the demo's
 * conversations that lacks their binaries (scripts/sample-export.ts), to try reconciliation with.
 */
import { execSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { startFakeChatGPT } from '../tests/fake-chatgpt/server.ts';
import { REPO_ROOT, launchBrowser, waitFor } from '../tests/e2e/harness.ts';
import { readVault } from '../tests/e2e/vault-probe.ts';
import { writeDemoExport } from './demo-export.ts';

const SAMPLE = '69f1a2b3-4c5d-8e6f-a7b8-c9d0e1f2a3b4'; // tests/fixtures/conversations/mixed-2026.json
const headed = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY) && !process.argv.includes('--headless');

if (!process.argv.includes('--no-build')) {
  console.log('Building the extension (wxt build)...');
  execSync('npx wxt build', { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}
const out = join(REPO_ROOT, '.tmp');
mkdirSync(out, { recursive: true });
const sample = await writeDemoExport(join(out, 'sample-chatgpt-export.zip'));
const samplePath = relative(process.cwd(), sample.path) || sample.path;
const fake = await startFakeChatGPT();
console.log(`Fake chatgpt.com on ${fake.origin} with ${fake.state.conversations.size} sample conversations.`);
const browser = await launchBrowser({ server: fake, headless: !headed });
const page = await browser.page();
await page.goto(`https://chatgpt.com/c/${SAMPLE}`);

if (headed) {
  await browser.openExtensionPage('/library.html');
  await page.bringToFront();
  console.log(`
Chromium is open on a sample conversation at https://chatgpt.com/c/${SAMPLE} (served by the fake).
- Watch the toolbar badge (pin "ChatGPT Artifact Vault" from the puzzle menu): it counts what was saved.
- Send a message in the composer: the reply adds a sandbox file and, a moment later, an image; both are saved.
- The library tab shows everything in the vault. Close the window or press Ctrl+C to stop.

Reconcile with an official export: ${samplePath} is a sample one of these ${sample.conversations} conversations
(2026 layout; like real exports it lacks their images and files).
- In the library tab: click \`Reconcile\`, then \`Export ZIP\` and choose that file.
- On the command line: npm run reconcile -- ${samplePath}
  (against this vault: \`Download backup\` in the library, then
   npm run reconcile -- ${samplePath} <the backup .zip> --report report.json --out enriched.zip)`);
  const stop = async () => {
    await browser.close().catch(() => undefined);
    await fake.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  browser.context.on('close', () => void stop());
} else {
  console.log('No display found: running headless (use `xvfb-run npm start` to see the window).');
  const saved = await waitFor(
    async () => {
      const v = await readVault(browser);
      const mine = v.artifacts.filter((a) => a.conversationId === SAMPLE);
      return mine.length > 0 && mine.every((a) => a.status !== 'pending') ? mine : null;
    },
    { timeout: 30_000, interval: 250, message: 'capture finished' },
  );
  console.log(`\nCaptured from "${SAMPLE}" (the sample conversation):`);
  for (const a of saved) {
    console.log(`  ${a.status.padEnd(8)} ${a.kind.padEnd(13)} ${(a.fileName ?? '').padEnd(42)} ${a.size ?? 0} bytes  sha256 ${a.sha256?.slice(0, 12)}…`);
  }
  await page.screenshot({ path: join(out, 'demo-chatgpt.png') });
  const library = await browser.openExtensionPage('/library.html');
  await library.setViewportSize({ width: 1280, height: 800 });
  await library.waitForTimeout(1_000);
  await library.screenshot({ path: join(out, 'demo-library.png') });

  // Reconcile the sample export in the page, as a person would, and keep this vault as an archive for the CLI.
  const [backup] = await Promise.all([library.waitForEvent('download'), library.getByRole('button', { name: 'Download backup' }).click()]);
  const vaultPath = join(out, 'demo-vault.zip');
  await backup.saveAs(vaultPath);
  await library.getByRole('button', { name: 'Reconcile', exact: true }).click();
  await library.getByLabel('Export ZIP').setInputFiles(sample.path);
  await library.getByTestId('reconcile-result').or(library.getByTestId('reconcile-error')).waitFor({ timeout: 60_000 });
  // The thumbnails of the recovered pictures are read once their rows are on screen: shoot once they show
  // (after 20 s the shot is taken anyway; the demo is not a test).
  await library.waitForFunction(() => [...document.querySelectorAll('[data-testid="reconcile-thumb"]')]
    .every((t) => t.getBoundingClientRect().top > innerHeight || (t.querySelector('img')?.naturalWidth ?? 0) > 0), null, { timeout: 20_000 }).catch(() => undefined);
  const counts = await library.getByTestId('reconcile-chart').locator('li').evaluateAll((lis) =>
    lis.map((li) => `${li.getAttribute('data-status')} ${li.querySelector('[data-testid^="count-"]')?.textContent}`).join(', '));
  await library.screenshot({ path: join(out, 'demo-reconcile.png') });
  const vaultRel = relative(process.cwd(), vaultPath);
  console.log(`
Reconciled ${samplePath} (a sample official export of the demo's ${sample.conversations} conversations; like real
exports it lacks their images and files) with this vault in the library page:
  ${counts || 'no result'}
Try it yourself: in the library page click \`Reconcile\`, then \`Export ZIP\` and choose that file. Or with the CLI,
against the vault archive saved from this run:
  npm run reconcile -- ${samplePath} ${vaultRel} --report report.json --out enriched.zip`);
  console.log(`\nScreenshots: .tmp/demo-chatgpt.png (the fake ChatGPT page), .tmp/demo-library.png (the library), .tmp/demo-reconcile.png (reconcile).`);
  await browser.close();
  await fake.close();
}
