/**
 * Issue 18's kinds in Firefox (the mv2 build over WebDriver BiDi, firefox-harness.ts), as kinds.test.ts checks
 * them in Chromium: a voice conversation, a canvas document with two versions (its current text from the
 * textdocs route), a deep research report and a project chat (reads and resolutions with the project header),
 * captured live and by `Back up everything`. Expectations: kinds-expected.ts.
 *
 * Skips (with the reason) when Firefox is not installed or port 443 cannot be bound, as firefox.test.ts does.
 * Run: `node --import tsx --test tests/e2e/firefox-kinds.test.ts` (it builds the Firefox extension itself).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startFakeChatGPT, type FakeChatGPT } from '../fake-chatgpt/server.ts';
import { asProbeHost, buildFirefoxExtension, firefoxSkipReason, launchFirefox, type Firefox } from './firefox-harness.ts';
import { waitFor, type Browser } from './harness.ts';
import {
  CANVAS, checkCanvas, checkProject, checkResearch, checkVoice, PROJECT, PROJECT_ID, RESEARCH, settled, textdocsReads, VOICE,
} from './kinds-expected.ts';
import { readVault } from './vault-probe.ts';

const skip = (await firefoxSkipReason()) ?? false;

let fake: FakeChatGPT | null = null;
let ff: Firefox | null = null;

async function launch(): Promise<Browser> {
  ff = await launchFirefox({ server: fake! });
  return asProbeHost(ff);
}

describe('voice, canvas, research and project chats in Firefox', () => {
  before(async () => {
    if (skip) return;
    await buildFirefoxExtension();
    fake = await startFakeChatGPT({ port: 443 });
  });
  after(async () => {
    await ff?.close();
    await fake?.close();
  });
  beforeEach(async () => {
    if (skip) return;
    await ff?.close();
    ff = null;
    fake!.state.reset();
  });

  test('captured live: each conversation opened in turn, every artifact saved with the served bytes or text', { skip, timeout: 240_000 }, async () => {
    const b = await launch();
    const page = await ff!.page();
    await page.goto(`https://chatgpt.com/c/${VOICE}`);
    checkVoice(fake!, await settled(b, VOICE, 4, 90_000), 'live');
    await page.goto(`https://chatgpt.com/c/${CANVAS}`);
    checkCanvas(await settled(b, CANVAS, 4, 90_000), 'live');
    assert.deepEqual(textdocsReads(fake!).map((r) => r.status), [200], 'the textdocs route was read once');
    await page.goto(`https://chatgpt.com/c/${RESEARCH}`);
    checkResearch(await settled(b, RESEARCH, 1, 90_000), 'live');
    await page.goto(`https://chatgpt.com/g/${PROJECT_ID}-office-move/c/${PROJECT}`);
    checkProject(fake!, await settled(b, PROJECT, 2, 90_000), 'live');
  });

  test('Back up everything: one run saves all four conversations\' artifacts', { skip, timeout: 240_000 }, async () => {
    const keep = new Set([VOICE, CANVAS, RESEARCH, PROJECT]);
    for (const id of [...fake!.state.conversations.keys()]) if (!keep.has(id)) fake!.state.conversations.delete(id);
    const b = await launch();
    const tab = await ff!.page();
    await tab.goto('https://chatgpt.com/'); // signed in: the fake sets the session cookie on a page load
    const library = await ff!.openExtensionPage('/library.html');
    await library.evaluate(async () => {
      const ext = (globalThis as unknown as { browser: { storage: { local: { set(v: object): Promise<void> } } } }).browser;
      await ext.storage.local.set({ backupPacing: { spacingMs: 100, basePauseMs: 1_000, capPauseMs: 2_000 } });
    });
    await waitFor(
      () => library.evaluate(() => {
        const button = [...document.querySelectorAll('button')].find((el) => el.textContent?.trim() === 'Back up everything');
        button?.click();
        return Boolean(button);
      }),
      { timeout: 15_000, interval: 200, message: 'Back up everything clicked' },
    );
    const summary = await waitFor(
      () => library.evaluate(() => document.querySelector('[data-testid="backup-summary"]')?.textContent ?? ''),
      { timeout: 180_000, interval: 500, message: 'the run ended' },
    );
    assert.match(summary, /4 read, 0 unchanged, 0 could not be read \(of 4 listed\)/);
    const dump = await waitFor(async () => {
      const d = await readVault(b);
      return d.jobs.length === 0 && d.artifacts.every((a) => a.status !== 'pending') ? d : null;
    }, { timeout: 60_000, interval: 500, message: 'every download done' });
    assert.deepEqual([...dump.snapshotIds].sort(), [...keep].sort());
    checkVoice(fake!, dump.artifacts, 'backup');
    checkCanvas(dump.artifacts, 'backup');
    checkResearch(dump.artifacts, 'backup');
    checkProject(fake!, dump.artifacts, 'backup');
    assert.equal(textdocsReads(fake!).filter((r) => r.status === 200).length, 1, 'the backup read the canvas conversation\'s textdocs once');
  });
});
