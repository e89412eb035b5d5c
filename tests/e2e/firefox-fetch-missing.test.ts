/**
 * `Fetch missing files` in Firefox (issue 19: e2e in Chromium and Firefox), with the same expectations as the
 * Chromium suite (reconcile.test.ts, fetch-missing-expected.ts): after reconciling the legacy fixture export
 * against the fixture vault, the three `lost` items are fetched directly (no conversation read, one JSON
 * request at a time): E and the CSV come back saved, G expired with the reason, and the counts shown and the
 * downloaded report follow. Here C1 is a project chat (its `gizmo_id` in the fake and in the export), so the
 * fake answers its file and interpreter requests 404 unless they carry the project header: E and the CSV
 * ending saved shows the header went along. Stock firefox-esr with the mv2 build (firefox-harness.ts).
 *
 * Skips (with the reason) when Firefox is not installed or port 443 cannot be bound, as firefox.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'puppeteer-core';
import { startFakeChatGPT, type FakeChatGPT } from '../fake-chatgpt/server.ts';
import { buildFixtures, type Fixtures } from '../fixtures/exports/generate.ts';
import type { ReconcileReport } from '../../utils/reconcile/report.ts';
import {
  buildFirefoxExtension, clickButtonNamed, downloadedFile, downloadPrefs, firefoxSkipReason, labelledFileInput, launchFirefox, type Firefox,
} from './firefox-harness.ts';
import { waitFor } from './harness.ts';
import {
  assertFetchedReport, assertFetchRequests, FETCH_DONE, FETCHABLE_BEFORE, LOST_AFTER, LOST_BEFORE, PROJECT, projectExport, RECOVERED_GAINED,
  serveExportConversations,
} from './fetch-missing-expected.ts';

const skip = (await firefoxSkipReason()) ?? false;

let fake: FakeChatGPT | null = null;
let ff: Firefox | null = null;
let page: Page;
let fx: Fixtures;
let dir = '';
let downloads = '';

const text = (testId: string) => page.evaluate((id: string) => document.querySelector(`[data-testid="${id}"]`)?.textContent ?? null, testId);

describe('Fetch missing files (Firefox)', () => {
  before(async () => {
    if (skip) return;
    [fx] = await Promise.all([buildFixtures(), buildFirefoxExtension()]);
    dir = mkdtempSync(join(tmpdir(), 'firefox-fetch-missing-'));
    downloads = join(dir, 'downloads');
    fake = await startFakeChatGPT({ port: 443 });
    serveExportConversations(fake, PROJECT);
    ff = await launchFirefox({ server: fake, prefs: downloadPrefs(downloads) });
    const tab = await ff.page();
    await tab.goto('https://chatgpt.com/'); // signs the worker in (the session cookie)
    page = await ff.openExtensionPage('/library.html');
  });
  after(async () => {
    await ff?.close();
    await fake?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('lost items of a project chat come back saved or expired; the counts and the downloaded report follow', { skip, timeout: 240_000 }, async () => {
    const vault = join(dir, 'vault.zip');
    writeFileSync(vault, fx.vault);
    await (await labelledFileInput(page, 'Restore backup')).uploadFile(vault);
    await waitFor(() => text('restore-report'), { timeout: 30_000, interval: 200, message: 'the restore report' });
    await clickButtonNamed(page, 'Reconcile');

    const exportPath = join(dir, 'chatgpt-export-project.zip');
    writeFileSync(exportPath, await projectExport(PROJECT));
    await (await labelledFileInput(page, 'Export ZIP')).uploadFile(exportPath);
    await waitFor(async () => (await text('fetchable')) !== null, { timeout: 120_000, interval: 200, message: 'the export reconciled' });
    assert.equal(Number(await text('count-lost')), LOST_BEFORE);
    assert.match((await text('fetchable')) ?? '', FETCHABLE_BEFORE);
    const recoveredBefore = Number(await text('count-recovered'));

    fake!.state.requests = [];
    await clickButtonNamed(page, 'Fetch missing files');
    let step: string | null = null;
    await waitFor(async () => FETCH_DONE.test((step = await text('fetch-step')) ?? ''), { timeout: 120_000, interval: 200, message: 'the run done' })
      .catch((err: Error) => assert.fail(`${err.message}; last step: ${step}`));
    await waitFor(async () => (await text('count-lost')) === String(LOST_AFTER), { timeout: 30_000, interval: 200, message: 'the counts updated' });
    assert.equal(Number(await text('count-recovered')), recoveredBefore + RECOVERED_GAINED);
    // Nothing left to fetch (the expired one is not offered again).
    assert.equal(await page.evaluate(() => [...document.querySelectorAll('button')].some((b) => b.textContent?.trim() === 'Fetch missing files')), false);

    await clickButtonNamed(page, 'Download report');
    const report = JSON.parse((await downloadedFile(downloads, /^reconcile-report-\d{4}-\d{2}-\d{2}.*\.json$/)).bytes.toString('utf8')) as ReconcileReport;
    assertFetchedReport(report);
    assertFetchRequests(fake!.state.requests);
  });
});
