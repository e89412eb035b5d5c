/**
 * Export-first `Back up everything` in Firefox, the scenario of the Chromium suite's chosen-export case
 * (backup.test.ts): an export chosen through `Use another export…` (no reconcile) tells the run which
 * conversations it need not read; a file that is not an export is refused with its reason. Stock firefox-esr
 * over WebDriver BiDi with the mv2 build (firefox-harness.ts); the run's pacing is shortened through
 * `browser.storage` from an extension page, since an MV2 background page is not reachable over BiDi.
 *
 * Skips (with the reason) when Firefox is not installed or port 443 cannot be bound, as firefox.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'puppeteer-core';
import { writeSampleExport } from '../../scripts/sample-export.ts';
import { addHistory } from '../fake-chatgpt/history.ts';
import { startFakeChatGPT, type FakeChatGPT } from '../fake-chatgpt/server.ts';
import { buildFirefoxExtension, clickButtonNamed, firefoxSkipReason, labelledFileInput, launchFirefox, type Firefox } from './firefox-harness.ts';
import { conversationReads, waitFor } from './harness.ts';

const skip = (await firefoxSkipReason()) ?? false;

let fake: FakeChatGPT | null = null;
let ff: Firefox | null = null;
let dir = '';

type Ext = { storage: { local: { set(v: object): Promise<void> } } };


const textOf = (page: Page, selector: string) => page.evaluate((s: string) => document.querySelector(s)?.textContent ?? null, selector);

describe('Back up everything, export first (Firefox)', () => {
  before(async () => {
    if (skip) return;
    await buildFirefoxExtension();
    dir = mkdtempSync(join(tmpdir(), 'firefox-backup-'));
    fake = await startFakeChatGPT({ port: 443 });
    ff = await launchFirefox({ server: fake });
  });
  after(async () => {
    await ff?.close();
    await fake?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('an export chosen in the panel: a bad ZIP says why, the chosen one spares the reads it can', { skip, timeout: 240_000 }, async () => {
    const state = fake!.state;
    state.conversations.clear();
    const plain = addHistory(state, { count: 6, imagesPerConversation: 0, seed: 'ff-chosen-plain' }).history;
    const withImages = addHistory(state, { count: 1, seed: 'ff-chosen-images' }).history;
    const chunks: Uint8Array[] = [];
    await writeSampleExport([...state.conversations.values()], new WritableStream({ write: (c) => void chunks.push(c.slice()) }));
    const exportPath = join(dir, 'chosen-export.zip');
    writeFileSync(exportPath, Buffer.concat(chunks));
    const notExport = join(dir, 'not-an-export.zip');
    writeFileSync(notExport, 'this is not a zip');

    const tab = await ff!.page();
    await tab.goto('https://chatgpt.com/'); // signs the worker in (the session cookie)
    await tab.close();
    const page = await ff!.openExtensionPage('/library.html');
    await page.evaluate(async () => {
      await (globalThis as unknown as { browser: Ext }).browser.storage.local.set({ backupPacing: { spacingMs: 50, basePauseMs: 1_000, capPauseMs: 2_000 } });
    });

    await (await labelledFileInput(page, 'Use another export')).uploadFile(notExport);
    const refusal = await waitFor(
      () => page.evaluate(() => [...document.querySelectorAll('[role="alert"]')].map((a) => a.textContent ?? '').find((t) => t.includes('not-an-export.zip')) ?? null),
      { timeout: 60_000, interval: 200, message: 'the refusal of a file that is not an export' },
    );
    assert.match(refusal, /not-an-export\.zip cannot be used: \S/);

    await (await labelledFileInput(page, 'Use another export')).uploadFile(exportPath);
    await waitFor(
      () => page.evaluate(() => [...document.querySelectorAll('label')].some((l) => /Use the export reconciled on .*chosen-export\.zip/.test(l.textContent ?? '') && l.querySelector<HTMLInputElement>('input[type="checkbox"]')?.checked === true)),
      { timeout: 60_000, interval: 200, message: 'the chosen export, ticked for the next run' },
    );
    state.requests = [];
    await clickButtonNamed(page, 'Back up everything');
    await waitFor(() => textOf(page, '[data-testid="backup-summary"]'), { timeout: 180_000, interval: 250, message: 'the backup summary' });

    assert.deepEqual([...new Set(conversationReads(state.requests))].sort(), [...withImages].sort());
    assert.equal(await textOf(page, '[data-testid="export-saved"]'), `Reads saved by the export: ${plain.length}`);
  });
});
