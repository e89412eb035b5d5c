/**
 * Reconciliation in the library page, in Firefox (it works in Chrome and Firefox). Stock
 * firefox-esr over WebDriver BiDi with the mv2 build (firefox-harness.ts). A fixture vault is restored
 * through `Restore backup`, then fixture exports (tests/fixtures/exports) in the legacy layout, the 2026
 * sharded layout and as a ZIP of part-ZIPs are chosen through `Export ZIP`: the run happens in the page's
 * worker under Firefox's extension CSP. The class counts shown must be the fixture's, and the downloaded
 * report must give every item its class; for one layout the enriched export is downloaded and checked too.
 * Last, the MV3 build's CSP must let the library page compile WebAssembly (the worker hashes with it).
 * The Chromium suite (reconcile.test.ts) covers the rest (filters, Cancel, bad input); this one stays lean.
 *
 * Skips (with the reason) when Firefox is not installed or port 443 cannot be bound, as firefox.test.ts.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { Page } from 'puppeteer-core';
import { startFakeChatGPT, type FakeChatGPT } from '../fake-chatgpt/server.ts';
import { buildFixtures, C1, labelOf, type ExportFixture, type Fixtures } from '../fixtures/exports/generate.ts';
import type { ReconcileReport } from '../../utils/reconcile/report.ts';
import { openZip } from '../../utils/zip/index.ts';
import {
  buildFirefoxExtension, clickButtonNamed, downloadedFile, downloadPrefs, firefoxSkipReason, labelledFileInput, launchFirefox, type Firefox,
} from './firefox-harness.ts';
import { REPO_ROOT, waitFor } from './harness.ts';

const skip = (await firefoxSkipReason()) ?? false;
const STATUSES = ['matched', 'export-only', 'recovered', 'vault-only', 'lost'] as const;

let fake: FakeChatGPT | null = null;
let ff: Firefox | null = null;
let page: Page;
let fx: Fixtures;
let dir = '';
let downloads = '';

const fileInput = (name: string) => labelledFileInput(page, name);
const clickButton = (name: string) => clickButtonNamed(page, name);

const step = () => page.evaluate(() => document.querySelector('[data-testid="reconcile-view"]')?.getAttribute('data-step') ?? null);

const downloaded = (pattern: RegExp) => downloadedFile(downloads, pattern);

async function reconcile(f: ExportFixture): Promise<void> {
  const path = join(dir, `chatgpt-export-${f.name}.zip`);
  writeFileSync(path, f.zip);
  await (await fileInput('Export ZIP')).uploadFile(path);
  // The view may still show the previous file's result for a moment, so wait for this file's end state.
  const text = () => page.evaluate(() => document.querySelector('[data-testid="reconcile-view"]')?.textContent ?? '');
  const ended = (t: string) => t.includes(`Reconciled ${basename(path)}:`) || t.includes(`${basename(path)} cannot be reconciled`) || t.includes('Reconciliation failed');
  await waitFor(async () => ended(await text()), { timeout: 120_000, interval: 200, message: `${f.name} reconciled` });
  const s = await step();
  if (s !== 'done') assert.fail(`${f.name}: the view ended in ${s}: ${await text()}`);
}

describe('reconcile view (Firefox)', () => {
  before(async () => {
    if (skip) return;
    [fx] = await Promise.all([buildFixtures(), buildFirefoxExtension()]);
    dir = mkdtempSync(join(tmpdir(), 'firefox-reconcile-'));
    downloads = join(dir, 'downloads');
    fake = await startFakeChatGPT({ port: 443 });
    ff = await launchFirefox({
      server: fake,
      prefs: downloadPrefs(downloads),
    });
    page = await ff.openExtensionPage('/library.html');
  });
  after(async () => {
    await ff?.close();
    await fake?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('restores the fixture vault and opens the reconcile view', { skip, timeout: 60_000 }, async () => {
    const vault = join(dir, 'vault.zip');
    writeFileSync(vault, fx.vault);
    await (await fileInput('Restore backup')).uploadFile(vault);
    const restored = await waitFor(
      () => page.evaluate(() => document.querySelector('[data-testid="restore-report"]')?.textContent ?? null),
      { timeout: 30_000, interval: 200, message: 'the restore report' },
    );
    assert.match(restored, /11 added, 0 already present, 0 updated, 0 rejected/);
    await clickButton('Reconcile');
    assert.equal(await step(), 'idle');
  });

  for (const name of ['legacy', 'sharded', 'parts']) {
    test(`${name} export: the class counts shown and the downloaded report are the fixture's`, { skip, timeout: 150_000 }, async () => {
      const f = fx.exports.find((e) => e.name === name)!;
      await reconcile(f);
      const want = Object.fromEntries(STATUSES.map((s) => [s, Object.values(f.expect).filter((v) => v === s).length]));
      const shown = await page.evaluate(
        (statuses: readonly string[]) => Object.fromEntries(statuses.map((s) => [s, Number(document.querySelector(`[data-testid="count-${s}"]`)?.textContent)])),
        STATUSES,
      );
      assert.deepEqual(shown, want, 'class counts shown');

      await clickButton('Download report');
      const rep = await downloaded(/^reconcile-report-\d{4}-\d{2}-\d{2}.*\.json$/);
      const report = JSON.parse(rep.bytes.toString('utf8')) as ReconcileReport;
      assert.equal(report.format, 'chatgpt-artifact-vault/reconcile-report');
      assert.equal(report.export.layout, f.layout);
      assert.equal(report.export.conversations, f.conversations);
      assert.deepEqual(Object.fromEntries(report.items.map((i) => [labelOf(i), i.status])), f.expect, 'every item with its class');
      assert.equal(report.items.length, Object.keys(f.expect).length, 'one item per identity');
      assert.deepEqual(report.summary, want);

      if (name !== 'sharded') return;
      // The enriched export, written by the worker in Firefox: every original member byte for byte, plus vault/.
      await clickButton('Download enriched export');
      const enriched = await downloaded(/^chatgpt-export-sharded-enriched.*\.zip$/);
      const [out, original] = await Promise.all([openZip(new Blob([enriched.bytes as Uint8Array<ArrayBuffer>])), openZip(new Blob([f.zip as Uint8Array<ArrayBuffer>]))]);
      const names = new Set(out.entries.map((e) => e.name));
      for (const e of original.entries) {
        if (e.directory) continue;
        const copy = out.entries.find((o) => o.name === e.name);
        assert.ok(copy, `enriched export lacks ${e.name}`);
        assert.ok(Buffer.from(await out.bytes(copy, 1 << 24)).equals(Buffer.from(await original.bytes(e, 1 << 24))), `${e.name} differs`);
      }
      assert.ok(names.has('vault/reconcile-report.json') && names.has(`vault/conversations/${C1}.json`), [...names].join());
      assert.ok([...names].some((n) => n.startsWith('vault/files/')), 'recovered files under vault/files/');
    });
  }

  test('Download readable archive, in the reconcile view after a run and in the library page: a whole archive each', { skip, timeout: 150_000 }, async () => {
    const check = async (bytes: Buffer, minConversations: number) => {
      const zip = await openZip(new Blob([bytes as Uint8Array<ArrayBuffer>]));
      const names = zip.entries.map((e) => e.name);
      for (const n of ['index.html', 'index.md', 'provenance.json']) assert.ok(names.includes(n), `${n} in ${names.join()}`);
      assert.ok(names.filter((n) => n.startsWith('conversations/') && n.endsWith('.html')).length >= minConversations, names.join());
      const prov = JSON.parse(new TextDecoder().decode(await zip.bytes(zip.get('provenance.json')!, 1 << 24))) as { artifacts: { path: string | null }[] };
      for (const a of prov.artifacts) if (a.path) assert.ok(names.includes(a.path), a.path);
    };
    // The reconcile view's button (the last run's result is still shown), then the page header's.
    const click = (scope: string) => page.evaluate((sel: string) => {
      const b = [...document.querySelectorAll<HTMLButtonElement>(`${sel} button`)].find((x) => x.textContent?.trim() === 'Download readable archive' && !x.disabled);
      b?.click();
      return b !== undefined;
    }, scope);
    assert.ok(await click('[data-testid="reconcile-result"]'), 'the reconcile view\'s button');
    await check((await downloaded(/^chatgpt-archive-\d{4}-\d{2}-\d{2}.*\.zip$/)).bytes, 3);
    assert.ok(await click('header'), 'the library page\'s button');
    await check((await downloaded(/^chatgpt-archive-\d{4}-\d{2}-\d{2}.*\.zip$/)).bytes, 2);
  });

  test('the MV3 build lets the library page compile WebAssembly (the worker hashes with it)', { skip, timeout: 90_000 }, async () => {
    // Firefox MV2 allows WebAssembly in extension pages anyway; MV3 only with 'wasm-unsafe-eval' in the
    // manifest's CSP (wxt.config.ts, docs/SECURITY.md). Without it the worker falls back to slow JS hashing.
    await promisify(execFile)('npx', ['wxt', 'build', '-b', 'firefox', '--mv3'], { cwd: REPO_ROOT, timeout: 120_000 });
    const mv3 = await launchFirefox({ server: fake!, extensionPath: join(REPO_ROOT, '.output/firefox-mv3') });
    try {
      const library = await mv3.openExtensionPage('/library.html');
      const wasm = await library.evaluate(() =>
        WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])).then(() => 'ok', (e: Error) => `refused: ${e.message}`),
      );
      assert.equal(wasm, 'ok');
    } finally {
      await mv3.close();
    }
  });
});
