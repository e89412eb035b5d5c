/**
 * Accessibility of every page and state a person reaches, in real Chromium with axe-core
 * (@axe-core/playwright): the library empty, with a gallery and with 10,000 artifacts, its settings and
 * storage, an image preview and a voice recording's preview, `Back up everything` running, the reconcile view
 * after a run (chart, table, the reader's notes open, `Download readable archive`), and the popup on a
 * conversation and elsewhere. Each state is checked
 * in the light and the dark colour scheme (emulated `prefers-color-scheme`); a serious or critical violation
 * fails. Run: `npx wxt build && node --import tsx --test tests/e2e/accessibility.test.ts`.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { buildArchive, sampleVault, seedLibraryDirect, type SampleArtifact } from '../../bench/library.ts';
import { addHistory } from '../fake-chatgpt/history.ts';
import { buildFixtures, type Fixtures } from '../fixtures/exports/generate.ts';
import { e2eSession, hasExtensionBuild, waitFor, type Browser } from './harness.ts';

const T = { timeout: 180_000 };
const skip = !hasExtensionBuild() && 'no .output/chrome-mv3 (run `npx wxt build`)';
const SAMPLE = '69f1a2b3-4c5d-8e6f-a7b8-c9d0e1f2a3b4'; // tests/fake-chatgpt seed: the mixed-2026 conversation

/** Serious and critical axe violations on the page as it is, in both colour schemes, as readable lines. */
async function violations(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    const result = await new AxeBuilder({ page }).analyze();
    for (const v of result.violations) {
      if (v.impact !== 'serious' && v.impact !== 'critical') continue;
      for (const node of v.nodes) found.push(`[${colorScheme}] ${v.id} (${v.impact}) ${node.target.join(' ')}: ${node.failureSummary?.replace(/\s+/g, ' ') ?? v.help}`);
    }
  }
  await page.emulateMedia({ colorScheme: null });
  return found;
}

async function expectAccessible(page: Page, state: string): Promise<void> {
  assert.deepEqual(await violations(page), [], `${state}: serious or critical axe violations`);
}

const e2e = e2eSession();
let browser: Browser;
let library: Page;
let fx: Fixtures;

before(async () => {
  if (skip) return;
  fx = await buildFixtures();
  browser = await e2e.launch();
  library = await browser.openExtensionPage('/library.html');
  await library.setViewportSize({ width: 1280, height: 800 });
  await library.getByRole('button', { name: 'Download backup' }).waitFor();
});

async function restore(bytes: Uint8Array): Promise<void> {
  const report = library.getByTestId('restore-report');
  await library.getByLabel('Restore backup').setInputFiles({ name: 'vault.zip', mimeType: 'application/zip', buffer: Buffer.from(bytes) });
  await report.waitFor();
}

/** A short, valid 8 kHz mono WAV: a voice recording for the preview's player. */
function wav(samples = 800): Uint8Array {
  const out = new Uint8Array(44 + samples);
  const v = new DataView(out.buffer);
  const ascii = (at: number, s: string) => [...s].forEach((ch, i) => v.setUint8(at + i, ch.charCodeAt(0)));
  ascii(0, 'RIFF'); v.setUint32(4, 36 + samples, true); ascii(8, 'WAVE');
  ascii(12, 'fmt '); v.setUint32(16, 16, true); v.setUint16(20, 1, true); v.setUint16(22, 1, true);
  v.setUint32(24, 8000, true); v.setUint32(28, 8000, true); v.setUint16(32, 1, true); v.setUint16(34, 8, true);
  ascii(36, 'data'); v.setUint32(40, samples, true);
  for (let i = 0; i < samples; i++) v.setUint8(44 + i, 128 + Math.round(60 * Math.sin(i / 4)));
  return out;
}

void describe('accessibility (axe-core, light and dark)', { skip }, () => {
  void it('the library with an empty vault, and its settings open', T, async () => {
    await library.getByTestId('empty').waitFor();
    await library.getByTestId('storage').waitFor();
    await expectAccessible(library, 'empty library');
    // The footer's privacy link opens the policy shipped in the package (docs/PRIVACY.md).
    const policy = await library.getByRole('link', { name: 'Privacy policy' }).evaluate((a: HTMLAnchorElement) => fetch(a.href).then((r) => r.text()));
    assert.match(policy, /^# Privacy policy/);
    await library.getByText('Settings', { exact: true }).click();
    await library.locator('.settings-menu[open]').waitFor();
    await expectAccessible(library, 'settings open');
    // The File names field with its token help open and an invalid pattern's message shown.
    await library.getByText('Tokens', { exact: true }).click();
    const names = library.getByRole('textbox', { name: 'File names' });
    await names.fill('{date} {nope}');
    await library.getByTestId('name-pattern-error').waitFor();
    await expectAccessible(library, 'file names pattern invalid');
    await library.getByRole('button', { name: 'Use the default pattern' }).click();
    await library.getByTestId('name-pattern-error').waitFor({ state: 'detached' });
    await library.getByText('Tokens', { exact: true }).click();
    await library.getByText('Settings', { exact: true }).click();
  });

  void it('the library with 10,000 artifacts', T, async () => {
    const big = await browser.openExtensionPage('/library.html');
    await big.setViewportSize({ width: 1280, height: 800 });
    await big.getByRole('button', { name: 'Download backup' }).waitFor();
    await seedLibraryDirect(big, 10_000);
    await big.reload();
    await big.waitForFunction(() => document.querySelector('[data-testid="shown-count"]')?.textContent?.startsWith('10,000 '), null, { timeout: 120_000 });
    await big.locator('.tile-media img').first().waitFor();
    await expectAccessible(big, '10,000 artifacts');
    // Far down the virtualized list too (other rows, other list positions).
    await big.getByTestId('gallery').evaluate((g) => g.scrollTo(0, g.scrollHeight / 2));
    await big.getByText('Bench conversation 200', { exact: true }).first().waitFor();
    await expectAccessible(big, '10,000 artifacts, scrolled to the middle');
    await big.close();
  });

  void it('the library with a gallery, an image preview and a voice recording preview', T, async () => {
    const sample = sampleVault();
    const [fox] = sample.conversations;
    const voice: SampleArtifact = {
      kind: 'audio', conversationId: fox!.id, messageId: 'msg-voice-1', fileId: 'file_00000000voice1', genId: null, fileName: 'voice-note.wav',
      sandboxPath: null, prompt: null, mimeType: 'audio/wav', status: 'saved', reason: null, capturedAt: '2026-11-22T09:59:00.000Z',
      source: 'live', bytes: wav(),
    };
    await restore(buildArchive([...sample.artifacts, voice], sample.conversations));
    await library.getByTestId('artifact').first().waitFor();
    await library.locator('.tile-media img').first().waitFor();
    await expectAccessible(library, 'gallery');
    await library.getByRole('button', { name: 'Open fox.png' }).click();
    await library.getByTestId('preview-image').waitFor();
    await expectAccessible(library, 'preview open');
    await library.getByRole('button', { name: 'Close preview' }).click();
    await library.getByRole('button', { name: 'Open voice-note.wav' }).click();
    await library.getByTestId('preview-audio').waitFor();
    await expectAccessible(library, 'voice recording preview open');
    await library.getByRole('button', { name: 'Close preview' }).click();
    await library.getByTestId('preview').waitFor({ state: 'detached' });
  });

  void it('Back up everything while it runs', T, async () => {
    addHistory(e2e.fake.state, { count: 6, seed: 'a11y' });
    // Byte downloads hang, so the run is still going while axe looks at it.
    const stall = e2e.fake.state.addFault({ route: 'estuary', fault: 'stall' });
    const tab = await browser.page();
    await tab.goto('https://chatgpt.com/');
    await tab.close();
    await library.getByRole('button', { name: 'Back up everything' }).click();
    await library.getByRole('progressbar').waitFor({ timeout: 20_000 });
    await library.getByRole('button', { name: 'Cancel' }).waitFor();
    await expectAccessible(library, 'Back up everything running');
    await library.getByRole('button', { name: 'Cancel' }).click();
    await library.getByTestId('backup-summary').waitFor({ timeout: 30_000 });
    stall.remove();
    await expectAccessible(library, 'Back up everything finished');
  });

  // Four axe passes and a run in the worker: minutes on the shared machine.
  void it('the reconcile view, before and after a run, and Fetch missing files', { timeout: 360_000 }, async () => {
    await restore(fx.vault);
    await library.getByRole('button', { name: 'Reconcile', exact: true }).click();
    await library.getByTestId('reconcile-view').waitFor();
    await expectAccessible(library, 'reconcile view idle');
    const mixed = fx.exports.find((e) => e.name === 'mixed')!;
    await library.getByLabel('Export ZIP').setInputFiles({ name: 'chatgpt-export.zip', mimeType: 'application/zip', buffer: Buffer.from(mixed.zip) });
    await library.getByTestId('reconcile-result').waitFor({ timeout: 120_000 });
    await library.getByTestId('reconcile-row').first().waitFor();
    const view = library.getByTestId('reconcile-view');
    await view.getByRole('button', { name: 'Download readable archive' }).waitFor();
    await view.getByTestId('reconcile-chart').waitFor();
    await expectAccessible(library, 'reconcile view done');
    // What the reader could not read or skipped, opened.
    await view.getByTestId('reconcile-notes').locator('summary').click();
    await view.locator('[data-testid="reconcile-notes"][open] li').first().waitFor();
    await expectAccessible(library, 'reconcile view done, reader notes open');

    // `Fetch missing files` while it runs (resolutions hang), reached and driven from the keyboard.
    const stalls = [e2e.fake.state.addFault({ route: 'files-download', fault: 'stall' }), e2e.fake.state.addFault({ route: 'interpreter', fault: 'stall' })];
    const fetchPanel = library.getByTestId('fetch-missing');
    const fetchButton = library.getByRole('button', { name: 'Fetch missing files', exact: true });
    const tab = await browser.page();
    await tab.goto('https://chatgpt.com/'); // the worker's session (this test may run alone)
    await tab.close();
    await fetchButton.focus();
    await library.keyboard.press('Enter');
    await fetchPanel.getByRole('progressbar', { name: 'Fetching missing files' }).waitFor({ timeout: 20_000 });
    await expectAccessible(library, 'Fetch missing files running');
    await fetchPanel.getByRole('button', { name: 'Pause' }).focus();
    await library.keyboard.press('Enter');
    await fetchPanel.getByRole('button', { name: 'Resume' }).waitFor({ timeout: 20_000 });
    await fetchPanel.getByRole('button', { name: 'Cancel' }).focus();
    await library.keyboard.press('Enter');
    await fetchPanel.getByRole('progressbar').waitFor({ state: 'detached', timeout: 20_000 });
    for (const s of stalls) s.remove();
    await expectAccessible(library, 'Fetch missing files cancelled');
  });

  void it('the popup, on a ChatGPT conversation and on another tab', T, async () => {
    const elsewhere = await browser.openExtensionPage('/popup.html');
    await elsewhere.getByRole('link', { name: /library/i }).first().waitFor();
    await expectAccessible(elsewhere, 'popup elsewhere');
    await elsewhere.close();

    const tab = await browser.page();
    await tab.goto(`https://chatgpt.com/c/${SAMPLE}`);
    const sw = await browser.serviceWorker();
    const tabId = await waitFor(() => sw.evaluate(async () => {
      const c = (globalThis as unknown as { chrome: { tabs: { query(q: object): Promise<{ id: number }[]> } } }).chrome;
      return (await c.tabs.query({ url: 'https://chatgpt.com/c/*' }))[0]?.id;
    }));
    const popup = await browser.openExtensionPage(`/popup.html?tab=${tabId}`);
    await popup.getByRole('button', { name: 'Back up this conversation' }).waitFor();
    await expectAccessible(popup, 'popup on a conversation');
  });
});
