/**
 * The library page in real Chromium: the vault archive round trip between two browser profiles, refusal of
 * malformed archives with the vault untouched, and the gallery screenshot for the README
 * (docs/library-screenshot.png). Vaults are seeded through the page's own `Restore backup` input with
 * archives generated here (bench/library.ts builders). Run: `node --import tsx --test tests/e2e/library.test.ts`
 * after `npx wxt build`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { unzipSync, strToU8 } from 'fflate';
import type { Page } from 'playwright-core';
import { buildArchive, sampleVault } from '../../bench/library.ts';
import type { VaultManifest } from '../../utils/archive/manifest.ts';
import { e2eSession, hasExtensionBuild, REPO_ROOT, waitFor, type Browser } from './harness.ts';
import { vaultFingerprint } from './vault-probe.ts';

const T = { timeout: 120_000 };
const skip = !hasExtensionBuild() && 'no .output/chrome-mv3 (run `npx wxt build`)';

const e2e = e2eSession();

async function openLibrary(): Promise<{ browser: Browser; page: Page }> {
  const browser = await e2e.launch();
  const page = await browser.openExtensionPage('/library.html');
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.getByRole('button', { name: 'Download backup' }).waitFor();
  return { browser, page };
}

async function restore(page: Page, name: string, bytes: Uint8Array): Promise<string> {
  // The contract: one control named `Restore backup` (the file input, through its label).
  assert.equal(await page.getByRole('button', { name: 'Restore backup' }).count(), 1);
  await page.getByLabel('Restore backup').setInputFiles({ name, mimeType: 'application/zip', buffer: Buffer.from(bytes) });
  const report = page.getByTestId('restore-report');
  await report.waitFor();
  return (await report.textContent()) ?? '';
}

async function downloadBackup(page: Page): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download backup' }).click()]);
  const path = await download.path();
  return { name: download.suggestedFilename(), bytes: readFileSync(path) };
}

const localDate = () => {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
};

const sample = sampleVault();
const sampleZip = buildArchive(sample.artifacts, sample.conversations);

describe('library page (real Chromium)', { skip }, () => {
  let first: { browser: Browser; page: Page };

  it('restores a vault archive through `Restore backup` and shows the gallery (screenshot)', T, async () => {
    first = await openLibrary();
    const { page } = first;
    const report = await restore(page, 'sample.zip', sampleZip);
    assert.match(report, new RegExp(`${sample.artifacts.length} added, 0 already present, 0 updated, 0 rejected`));
    await page.getByTestId('artifact').first().waitFor();
    assert.equal(await page.getByTestId('shown-count').textContent(), `${sample.artifacts.length} artifacts`);
    // Thumbnails are blob: URLs in <img>, the SVG included; they load as tiles come into view.
    await page.waitForFunction(() => {
      const imgs = [...document.querySelectorAll<HTMLImageElement>('.tile img')];
      return imgs.length >= 3 && imgs.every((i) => i.complete && i.naturalWidth > 0);
    });
    const srcs = await page.locator('.tile img').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).src));
    assert.ok(srcs.every((s) => s.startsWith('blob:chrome-extension://')), srcs.join());
    const failed = page.locator('[data-testid="artifact"][data-status="failed"] [data-testid="status-badge"]');
    assert.equal(await failed.getAttribute('title'), 'HTTP 503 after 5 attempts');

    // Search narrows by prompt.
    await page.getByRole('searchbox', { name: 'Search' }).fill('neon');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="artifact"]').length === 1);
    await page.getByRole('searchbox', { name: 'Search' }).fill('');
    await page.waitForFunction((n) => document.querySelector('[data-testid="shown-count"]')?.textContent === `${n} artifacts`, sample.artifacts.length);

    // Open a preview for the screenshot: full image and provenance.
    await page.getByRole('button', { name: 'Open fox.png' }).click();
    await page.getByTestId('preview-image').waitFor();
    await page.waitForFunction(() => (document.querySelector('[data-testid="preview-image"]') as HTMLImageElement).naturalWidth > 0);
    assert.equal(
      await page.getByRole('link', { name: 'Open conversation on ChatGPT' }).getAttribute('href'),
      'https://chatgpt.com/c/6f1c0000-0000-4000-8000-00000000f0c5',
    );
    await page.getByTestId('restore-report').getByText('Restored sample.zip').waitFor();
    // The committed docs/library-screenshot.png is refreshed on request only (UPDATE_SCREENSHOTS=1), so that a
    // test run does not dirty the work tree; otherwise the shot goes to .tmp/ for a look.
    const shot = process.env.UPDATE_SCREENSHOTS ? join(REPO_ROOT, 'docs/library-screenshot.png') : join(REPO_ROOT, '.tmp/library-screenshot.png');
    await page.screenshot({ path: shot });
  });

  it('round trip: Download backup from one profile, Restore backup into a fresh one, identical manifest and bytes', T, async () => {
    const { page } = first;
    const backup = await downloadBackup(page);
    assert.equal(backup.name, `chatgpt-vault-${localDate()}.zip`);

    const second = await openLibrary();
    const report = await restore(second.page, backup.name, backup.bytes);
    assert.match(report, new RegExp(`${sample.artifacts.length} added`));
    const again = await downloadBackup(second.page);

    const a = unzipSync(new Uint8Array(backup.bytes));
    const b = unzipSync(new Uint8Array(again.bytes));
    assert.deepEqual(Object.keys(b).sort(), Object.keys(a).sort());
    for (const name of Object.keys(a)) if (name !== 'manifest.json') assert.deepEqual(Buffer.from(b[name]!), Buffer.from(a[name]!), name);
    const manifest = (files: Record<string, Uint8Array>) => {
      const m = JSON.parse(Buffer.from(files['manifest.json']!).toString('utf8')) as VaultManifest;
      // Restored entries are new to the second vault: source becomes `import` (docs/FORMATS.md 1); the rest is equal.
      return { ...m, createdAt: null, artifacts: m.artifacts.map((x) => ({ ...x, source: null })) };
    };
    assert.deepEqual(manifest(b), manifest(a));
    // And the first download holds exactly the sample's bytes.
    const original = unzipSync(sampleZip);
    for (const name of Object.keys(original).filter((n) => n.startsWith('artifacts/'))) {
      assert.deepEqual(Buffer.from(a[name]!), Buffer.from(original[name]!), name);
    }

    // Restoring the same backup again changes nothing.
    const before = await vaultFingerprint(second.page);
    assert.match(await restore(second.page, backup.name, backup.bytes), new RegExp(`0 added, ${sample.artifacts.length} already present, 0 updated`));
    assert.equal(await vaultFingerprint(second.page), before);
  });

  const tampered: Array<[string, () => Uint8Array, RegExp]> = [
    ['not a ZIP', () => strToU8('PK? no, just text pretending to be a backup'), /not a ZIP archive/],
    ['the wrong format', () => buildArchive(sample.artifacts, sample.conversations, (_f, m: { format: string }) => (m.format = 'someone-elses-vault')), /format is "someone-elses-vault"/],
    ['a bad hash', () => buildArchive(sample.artifacts, sample.conversations, (files, m: VaultManifest) => {
      const path = m.artifacts[0]!.path!;
      const bytes = (files[path] as [Uint8Array, unknown])[0].slice();
      bytes[bytes.length - 20]! ^= 0xff;
      files[path] = bytes;
    }), /does not match its (SHA-256|checksum)/],
    ['a missing member', () => buildArchive(sample.artifacts, sample.conversations, (files, m: VaultManifest) => {
      delete files[m.artifacts[1]!.path!];
    }), /is missing/],
    ['a "../" member name', () => buildArchive(sample.artifacts, sample.conversations, (files) => {
      files['../../escape.txt'] = strToU8('owned');
    }), /"\.\.\/[^"]*": .*unsafe name|has a "\.\." path segment/],
  ];

  it('keeps a hostile SVG and an HTML file inert: an <img> or an icon, no script run, nothing fetched', T, async () => {
    // Each script would set a page-level flag; the external references point at the fake server, which logs them.
    const flag = "window.top.__pwned = 'x'";
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="40" onload="${flag}">
<script>${flag}</script><rect width="40" height="40" fill="#c00"/>
<image href="https://chatgpt.com/hostile-beacon/image.png" width="10" height="10"/>
<use xlink:href="https://chatgpt.com/hostile-beacon/sprite.svg#x"/>
<foreignObject width="40" height="40"><iframe xmlns="http://www.w3.org/1999/xhtml" src="https://chatgpt.com/hostile-beacon/frame"></iframe></foreignObject></svg>`;
    const html = `<!doctype html><html><body><script>${flag}</script><img src="https://chatgpt.com/hostile-beacon/html.png" onerror="${flag}"><h1>Hostile heading</h1></body></html>`;
    const conv = { id: '6f1c0000-0000-4000-8000-0000000bad00', title: 'Hostile files', updateTime: 1795338000 };
    const file = (n: number, fileName: string, mimeType: string, text: string) => ({
      kind: 'sandbox-file' as const, conversationId: conv.id, messageId: `msg-hostile-${n}`, fileId: null, genId: null, fileName,
      sandboxPath: `/mnt/data/${fileName}`, prompt: null, mimeType, status: 'saved' as const, reason: null,
      capturedAt: `2026-11-23T10:0${n}:00.000Z`, source: 'live' as const, bytes: strToU8(text),
    });
    const { page } = await openLibrary();
    const report = await restore(page, 'hostile.zip', buildArchive([file(1, 'chart.svg', 'image/svg+xml', svg), file(2, 'page.html', 'text/html', html)], [conv]));
    assert.match(report, /2 added/);
    e2e.fake.state.requests = [];
    await page.reload();
    const svgImg = page.locator('[data-id$="/mnt/data/chart.svg"] img');
    await svgImg.waitFor();
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('[data-id$="/mnt/data/chart.svg"] img');
      return img?.complete && img.naturalWidth > 0;
    });
    assert.match((await svgImg.getAttribute('src')) ?? '', /^blob:chrome-extension:/);
    assert.equal(await page.locator('[data-id$="/mnt/data/page.html"] img').count(), 0);
    assert.equal(await page.locator('[data-id$="/mnt/data/page.html"] [data-testid="type-icon"]').textContent(), 'HTML');
    for (const name of ['chart.svg', 'page.html']) {
      await page.getByRole('button', { name: `Open ${name}` }).click();
      await page.getByTestId('preview').waitFor();
      await page.getByTestId('preview').getByRole('button', { name: 'Download', exact: true }).and(page.locator(':not([disabled])')).waitFor();
      await page.getByRole('button', { name: 'Close preview' }).click();
    }
    await page.getByRole('button', { name: 'Open chart.svg' }).click();
    await page.waitForFunction(() => document.querySelector<HTMLImageElement>('[data-testid="preview-image"]')?.naturalWidth);
    const inert = await page.evaluate(() => ({
      pwned: (window as Window & { __pwned?: unknown }).__pwned ?? null,
      active: document.querySelectorAll('svg, iframe, object, embed, frame, foreignObject').length,
      text: document.body.innerHTML.includes('Hostile heading'),
    }));
    assert.deepEqual(inert, { pwned: null, active: 0, text: false });
    // Opened as documents of the extension's origin (blob: URLs made by the library page), as a person might
    // open one: the extension pages' CSP runs none of their script (which would reach the extension's API).
    const opener = "window.__pwned = 'x'; chrome.storage.local.set({ pwned: location.href })";
    const urls = await page.evaluate(([svgDoc, htmlDoc]) => [
      URL.createObjectURL(new Blob([svgDoc!], { type: 'image/svg+xml' })),
      URL.createObjectURL(new Blob([htmlDoc!], { type: 'text/html' })),
    ], [svg.replaceAll(flag, opener), html.replaceAll(flag, opener)]);
    // The CSP's refusal is the proof the script was there to run and did not: wait for it, not for a time.
    const refused = new Set<string>();
    page.context().on('console', (m) => {
      if (/Content Security Policy/.test(m.text())) refused.add(m.page()?.url() ?? '');
    });
    for (const url of urls) {
      const [tab] = await Promise.all([page.context().waitForEvent('page'), page.evaluate((u) => void window.open(u), url)]);
      await tab.waitForLoadState();
      await waitFor(() => refused.has(url), { timeout: 10_000, message: `the CSP refused the script of ${url}` });
      assert.equal(tab.url(), url, 'the document opened');
      assert.equal(await tab.evaluate(() => (window as Window & { __pwned?: unknown }).__pwned ?? null), null, `no script ran in ${url}`);
      await tab.close();
    }
    const stored = await page.evaluate(() => (globalThis as unknown as { chrome: { storage: { local: { get(k: string): Promise<object> } } } }).chrome.storage.local.get('pwned'));
    assert.deepEqual(stored, {}, 'nothing reached the extension\'s storage');
    const beacons = e2e.fake.state.requests.filter((r) => r.path.startsWith('/hostile-beacon/'));
    assert.deepEqual(beacons, []);
  });

  it('rejects malformed archives whole, with a clear message, leaving the vault untouched', T, async () => {
    const { page } = first;
    const before = await vaultFingerprint(page);
    const tiles = await page.getByTestId('artifact').count();
    for (const [what, make, message] of tampered) {
      const text = await restore(page, `${what}.zip`, make());
      assert.match(text, /was not restored; your vault is unchanged/, what);
      assert.match(text, message, what);
      assert.equal(await page.getByTestId('restore-report').getAttribute('role'), 'alert', what);
      assert.equal(await vaultFingerprint(page), before, `vault changed after ${what}`);
    }
    assert.equal(await page.getByTestId('artifact').count(), tiles);
  });
});
