/**
 * Reconciliation in the library page, in real Chromium (docs/FORMATS.md sections 2 and 4): a fixture vault is
 * restored through `Restore backup`, then each fixture export (every layout, tests/fixtures/exports) is chosen
 * through `Export ZIP`; the run happens in the page's worker against the live vault. The downloaded report
 * must give every item its class, and the enriched export must hold every original member byte for byte
 * plus `vault/`. Bad exports show the error panel, download nothing and leave the vault as it was.
 * Run: `npx wxt build && node --import tsx --test tests/e2e/reconcile.test.ts`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { unzipSync, zipSync } from 'fflate';
import { before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { buildFixtures, C1, C3, labelOf, vaultBytes, type Fixtures } from '../fixtures/exports/generate.ts';
import type { ReconcileReport } from '../../utils/reconcile/report.ts';
import { openZip } from '../../utils/zip/index.ts';
import { benchExport } from '../../bench/reconcile-page.ts';
import { e2eSession, hasExtensionBuild } from './harness.ts';
import { vaultFingerprint } from './vault-probe.ts';
import {
  assertFetchedReport, assertFetchRequests, FETCH_DONE, FETCHABLE_BEFORE, LOST_AFTER, LOST_BEFORE, RECOVERED_GAINED, serveExportConversations,
} from './fetch-missing-expected.ts';

const T = { timeout: 180_000 };
const skip = !hasExtensionBuild() && 'no .output/chrome-mv3 (run `npx wxt build`)';

let page: Page;
let fx: Fixtures;

const session = e2eSession();
const { launch } = session;
let browser: Awaited<ReturnType<typeof launch>>;
before(async () => {
  if (skip) return;
  fx = await buildFixtures();
  browser = await launch();
  page = await browser.openExtensionPage('/library.html');
  await page.getByRole('button', { name: 'Download backup' }).waitFor();
});

const localDate = () => {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
};

async function chooseExport(name: string, bytes: Uint8Array): Promise<void> {
  await page.getByLabel('Export ZIP').setInputFiles({ name, mimeType: 'application/zip', buffer: Buffer.from(bytes) });
}

async function download(button: string): Promise<{ name: string; bytes: Buffer }> {
  const [d] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByRole('button', { name: button, exact: true }).click()]);
  return { name: d.suggestedFilename(), bytes: readFileSync(await d.path()) };
}

/**
 * Every member of a ZIP, read with the product's reader (fflate's unzipSync misreads stored members that
 * carry a data descriptor and a ZIP64 local field; Info-ZIP and Python read them as written).
 */
async function members(bytes: Uint8Array): Promise<Record<string, Uint8Array>> {
  const zip = await openZip(new Blob([bytes as Uint8Array<ArrayBuffer>]));
  const out: Record<string, Uint8Array> = {};
  for (const e of zip.entries) if (!e.directory) out[e.name] = await zip.bytes(e, 1 << 26);
  return out;
}

const view = () => page.getByTestId('reconcile-view');

void describe('reconcile view (real Chromium)', { skip }, () => {
  let before: string;

  void it('restores the fixture vault, then opens the reconcile view one button away', T, async () => {
    await page.getByLabel('Restore backup').setInputFiles({ name: 'vault.zip', mimeType: 'application/zip', buffer: Buffer.from(fx.vault) });
    const report = page.getByTestId('restore-report');
    await report.waitFor();
    assert.match((await report.textContent()) ?? '', /11 added, 0 already present, 0 updated, 0 rejected/);
    before = await vaultFingerprint(page);

    await page.getByRole('button', { name: 'Reconcile', exact: true }).click();
    await view().waitFor();
    assert.equal(await view().getAttribute('data-step'), 'idle');
    // The extension's CSP lets its pages and workers compile WebAssembly (hash-wasm); otherwise hashing falls
    // back to the slower @noble/hashes and nothing else would show it.
    const wasm = await page.evaluate(() => WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])).then(() => true, () => false));
    assert.equal(wasm, true, 'WebAssembly allowed in the extension page');
    assert.equal(await page.getByRole('button', { name: 'Download report' }).count(), 0);
    // The gallery steps aside while the view is shown.
    assert.equal(await page.getByTestId('filters').isVisible(), false);
  });

  for (const name of ['legacy', 'sharded', 'parts', 'mixed']) {
    void it(`${name} export: report classes per item, enriched export with every original member byte for byte`, T, async () => {
      const f = fx.exports.find((e) => e.name === name)!;
      const file = `chatgpt-export-${name}.zip`;
      await chooseExport(file, f.zip);
      await page.waitForFunction(() => document.querySelector('[data-testid="reconcile-view"]')?.getAttribute('data-step') !== 'running', null, { timeout: 120_000 });
      if ((await view().getAttribute('data-step')) !== 'done') assert.fail(`not done: ${await view().textContent()}`);

      // The chart and the table, as shown.
      const shown: Record<string, number> = {};
      for (const s of ['matched', 'export-only', 'recovered', 'vault-only', 'lost']) shown[s] = Number(await page.getByTestId(`count-${s}`).textContent());
      // The table asks the worker for its first page of rows.
      await page.getByTestId('reconcile-shown').filter({ hasText: `${Object.keys(f.expect).length} items` }).waitFor();
      assert.equal(await page.getByTestId('reconcile-row').count(), Object.keys(f.expect).length);

      // Download report: the contract's JSON, every item with its class.
      const rep = await download('Download report');
      assert.equal(rep.name, `reconcile-report-${localDate()}.json`);
      const report = JSON.parse(rep.bytes.toString('utf8')) as ReconcileReport;
      assert.equal(report.format, 'chatgpt-artifact-vault/reconcile-report');
      assert.equal(report.version, 1);
      assert.equal(report.export.layout, f.layout);
      assert.equal(report.export.conversations, f.conversations);
      assert.deepEqual(report.items.map(labelOf).sort(), Object.keys(f.expect).sort(), 'one item per identity');
      assert.deepEqual(Object.fromEntries(report.items.map((i) => [labelOf(i), i.status])), f.expect);
      assert.deepEqual(shown, report.summary);

      // Download enriched export: the original members untouched, plus vault/.
      const enriched = await download('Download enriched export');
      assert.equal(enriched.name, `chatgpt-export-${name}-enriched.zip`);
      const out = await members(enriched.bytes);
      const original = await members(f.zip);
      for (const [member, bytes] of Object.entries(original)) {
        assert.ok(out[member], `enriched export lacks ${member}`);
        assert.ok(Buffer.from(out[member]).equals(Buffer.from(bytes)), `${member} differs`);
      }
      const added = Object.keys(out).filter((n) => !(n in original));
      assert.ok(added.every((n) => n.startsWith('vault/')), added.join());
      assert.ok(added.includes('vault/reconcile-report.json'));
      assert.ok(added.includes(`vault/conversations/${C1}.json`) && added.includes(`vault/conversations/${C3}.json`), added.join());
      // Each recovered / vault-only file with the vault's bytes, and the vault's copy of a matched file whose
      // export bytes differ.
      const files = added.filter((n) => n.startsWith('vault/files/'));
      const withFiles = report.items.filter(
        (i) => (i.status === 'recovered' || i.status === 'vault-only' || (i.status === 'matched' && i.identical === false)) && i.vaultSha256,
      );
      assert.equal(files.length, withFiles.length, files.join());
      for (const it of withFiles) {
        const want = Buffer.from(vaultBytes(labelOf(it))!);
        assert.ok(files.some((n) => n.startsWith(`vault/files/${it.conversationId}/`) && Buffer.from(out[n]!).equals(want)), `no vault file for ${labelOf(it)}`);
      }
    });
  }

  void it('parts stored compressed (unpacked into a Blob), and an export zipped again inside a folder: the same classes', T, async () => {
    const parts = fx.exports.find((e) => e.name === 'parts')!;
    const sharded = fx.exports.find((e) => e.name === 'sharded')!;
    const inFolder: Record<string, Uint8Array> = { '__MACOSX/Export/._conversations-000.json': new Uint8Array(4) };
    for (const [member, bytes] of Object.entries(unzipSync(sharded.zip))) inFolder[`Export/${member}`] = bytes;
    const variants = [
      { file: 'chatgpt-export-deflated-parts.zip', zip: zipSync(unzipSync(parts.zip), { level: 6 }), f: parts },
      { file: 'chatgpt-export-in-a-folder.zip', zip: zipSync(inFolder, { level: 0 }), f: sharded },
    ];
    for (const { file, zip, f } of variants) {
      await chooseExport(file, zip);
      await page.waitForFunction(() => document.querySelector('[data-testid="reconcile-view"]')?.getAttribute('data-step') !== 'running', null, { timeout: 120_000 });
      if ((await view().getAttribute('data-step')) !== 'done') assert.fail(`${file} not done: ${await view().textContent()}`);
      for (const s of ['matched', 'export-only', 'recovered', 'vault-only', 'lost']) {
        const expected = Object.values(f.expect).filter((c) => c === s).length;
        assert.equal(Number(await page.getByTestId(`count-${s}`).textContent()), expected, `${file}: ${s}`);
      }
    }
  });

  void it('filters the table by class from the chart, and shows thumbnails the vault holds', T, async () => {
    await page.locator('[data-status="recovered"] .chart-row').click();
    const rows = page.getByTestId('reconcile-row');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="reconcile-row"]')].every((r) => r.getAttribute('data-status') === 'recovered'));
    assert.ok((await rows.count()) > 0);
    await page.locator('[data-status="recovered"] .chart-row').click();
    // Thumbnails are read once their row is on screen; the rows re-render after the click, so scroll each poll.
    await page.waitForFunction(() => {
      document.querySelector('.reconcile-thumb')?.scrollIntoView({ block: 'center' });
      return document.querySelectorAll('.reconcile-thumb img').length > 0;
    });
    const src = await page.locator('.reconcile-thumb img').first().getAttribute('src');
    assert.match(src ?? '', /^blob:chrome-extension:\/\//);
  });

  void it('Cancel stops a long run at once; the next file runs normally', T, async () => {
    // A 64 MB export takes seconds in the worker; Cancel is clicked as soon as the bar shows.
    await page.getByLabel('Export ZIP').setInputFiles(await benchExport(64));
    await page.getByRole('progressbar').waitFor();
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="reconcile-view"]')?.getAttribute('data-step') === 'idle', null, { timeout: 5_000 });
    assert.match((await view().textContent()) ?? '', /Cancelled; reconcile-page-bench-64mb-v1\.zip was not reconciled\./);
    assert.equal(await page.getByRole('progressbar').count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Download report' }).count(), 0);

    const f = fx.exports[0]!;
    await chooseExport('again.zip', f.zip);
    await page.getByRole('button', { name: 'Download report' }).waitFor({ timeout: 60_000 });
  });

  void it('never changed the vault', T, async () => {
    assert.equal(await vaultFingerprint(page), before);
  });

  void it('bad exports: one clear message in the error panel, no download, the vault unchanged', T, async () => {
    const cases = fx.bad.filter((b) => !b.vault && !b.late);
    assert.ok(cases.length >= 8);
    for (const b of cases) {
      await chooseExport(`${b.name}.zip`, b.bytes);
      await page.waitForFunction(() => document.querySelector('[data-testid="reconcile-view"]')?.getAttribute('data-step') !== 'running', null, { timeout: 60_000 });
      assert.equal(await view().getAttribute('data-step'), 'error', b.name);
      const panel = page.getByRole('alert').filter({ has: page.getByTestId('reconcile-error-message') });
      assert.equal(await panel.count(), 1, b.name);
      assert.equal(await panel.locator('h2').textContent(), `${b.name}.zip cannot be reconciled`, b.name);
      const message = (await page.getByTestId('reconcile-error-message').textContent()) ?? '';
      assert.match(message, b.message, b.name);
      assert.ok(message.length <= 300 && !message.includes('\n') && !/at \S+ \(/.test(message), `${b.name}: ${message}`);
      assert.equal(await page.getByRole('button', { name: 'Download report' }).count(), 0, b.name);
      assert.equal(await page.getByRole('button', { name: 'Download enriched export' }).count(), 0, b.name);
    }
    assert.equal(await vaultFingerprint(page), before);
  });

  void it('a member found bad only while the enriched export is written: an alert, no download', T, async () => {
    const late = fx.bad.filter((b) => b.late);
    assert.ok(late.length >= 1);
    let downloads = 0;
    const count = () => downloads++;
    page.on('download', count);
    for (const b of late) {
      await chooseExport(`${b.name}.zip`, b.bytes);
      await page.getByRole('button', { name: 'Download enriched export' }).waitFor({ timeout: 60_000 });
      await page.getByRole('button', { name: 'Download enriched export' }).click();
      const alert = page.getByTestId('enriched-error');
      await alert.waitFor({ timeout: 60_000 });
      assert.equal(await alert.getAttribute('role'), 'alert');
      assert.match((await alert.textContent()) ?? '', b.message, b.name);
      assert.equal(await page.getByRole('progressbar').count(), 0);
    }
    page.off('download', count);
    assert.equal(downloads, 0);
    assert.equal(await vaultFingerprint(page), before);
  });

  // Last: it changes the vault (the tests above compare it with the restored one).
  void it('Fetch missing files: lost items come back saved or expired, one JSON request at a time; the report, chart and download follow', T, async () => {
    const fake = session.fake;
    serveExportConversations(fake);
    const tab = await browser.page();
    await tab.goto('https://chatgpt.com/'); // signs the worker in (the session cookie)
    const f = fx.exports.find((e) => e.name === 'legacy')!;
    await chooseExport('chatgpt-export-legacy.zip', f.zip);
    await page.getByRole('button', { name: 'Download report' }).waitFor({ timeout: 60_000 });
    const recoveredBefore = Number(await page.getByTestId('count-recovered').textContent());
    assert.equal(Number(await page.getByTestId('count-lost').textContent()), LOST_BEFORE);
    assert.match((await page.getByTestId('fetchable').textContent()) ?? '', FETCHABLE_BEFORE);

    fake.state.requests = [];
    await page.getByRole('button', { name: 'Fetch missing files', exact: true }).click();
    await page.getByTestId('fetch-step').filter({ hasText: FETCH_DONE }).waitFor({ timeout: 90_000 });
    await page.waitForFunction((n) => document.querySelector('[data-testid="count-lost"]')?.textContent === String(n), LOST_AFTER, { timeout: 30_000 });
    assert.equal(Number(await page.getByTestId('count-recovered').textContent()), recoveredBefore + RECOVERED_GAINED);
    // Nothing left to fetch (the expired one is not offered again).
    assert.equal(await page.getByRole('button', { name: 'Fetch missing files', exact: true }).count(), 0);

    assertFetchedReport(JSON.parse((await download('Download report')).bytes.toString('utf8')) as ReconcileReport);
    assertFetchRequests(fake.state.requests);
    await tab.close();
  });
});
