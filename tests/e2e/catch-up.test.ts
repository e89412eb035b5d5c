/**
 * Catch-up in real Chromium against the fake chatgpt.com (issue 19): with no ChatGPT tab open, two idle checks
 * cost the two listing requests each; then the fake's second device adds a turn with an image and a sandbox
 * file to an existing conversation, and the next check saves both. The check is the worker's own alarm,
 * re-created from the test with a near `when` (an unpacked extension's alarms may fire that soon), so the
 * product has no test hook. Run: `npx wxt build && node --import tsx --test tests/e2e/catch-up.test.ts`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { addTurnElsewhere } from '../fake-chatgpt/device.ts';
import { addHistory } from '../fake-chatgpt/history.ts';
import type { FakeChatGPT } from '../fake-chatgpt/server.ts';
import { e2eSession, hasExtensionBuild, waitFor, type Browser } from './harness.ts';
import { readVault } from './vault-probe.ts';

const skip = !hasExtensionBuild() && 'no .output/chrome-mv3 (run `npx wxt build`)';
const LISTINGS = new Set(['conversations', 'image-library']);
const JSON_ROUTES = new Set(['conversation', 'conversations', 'projects', 'project-conversations', 'image-library', 'files-download', 'interpreter']);

let fake: FakeChatGPT;
const { launch } = e2eSession({ fresh: true, started: (f) => (fake = f) });

type Chrome = {
  alarms: { create(name: string, info: object): Promise<void> };
  storage: { local: { get(k: string): Promise<Record<string, unknown>> } };
};

/** Fires the catch-up alarm now, as its period would, and waits until that check is recorded. */
async function check(b: Browser): Promise<void> {
  const sw = await b.serviceWorker();
  const before = await sw.evaluate(async () => ((await (globalThis as unknown as { chrome: Chrome }).chrome.storage.local.get('catchUpState')).catchUpState as { lastCheck?: number } | undefined)?.lastCheck ?? 0);
  await sw.evaluate(async () => {
    await (globalThis as unknown as { chrome: Chrome }).chrome.alarms.create('catch-up', { when: Date.now() + 50, periodInMinutes: 5 });
  });
  await waitFor(async () => {
    const s = await (await b.serviceWorker()).evaluate(async () => ((await (globalThis as unknown as { chrome: Chrome }).chrome.storage.local.get('catchUpState')).catchUpState as { lastCheck?: number } | undefined)?.lastCheck ?? 0);
    return s > before;
  }, { timeout: 30_000, message: 'a catch-up check ran' });
}

void describe('Catch-up while the browser runs', { skip }, () => {
  void test('idle checks cost the two listings; a turn made elsewhere is saved by the next check with no tab on it', { timeout: 180_000 }, async () => {
    fake.state.conversations.clear();
    const { history } = addHistory(fake.state, { count: 5, imagesPerConversation: 0, seed: 'catch-up-e2e' });
    const b = await launch();
    const tab = await b.page();
    await tab.goto('https://chatgpt.com/');
    await tab.close();
    await check(b);
    fake.state.requests = [];
    await check(b);
    await check(b);
    const idle = fake.state.requests.filter((r) => JSON_ROUTES.has(r.route));
    assert.deepEqual(idle.map((r) => r.route).sort(), ['conversations', 'conversations', 'image-library', 'image-library']);
    assert.ok(idle.every((r) => LISTINGS.has(r.route)));

    const target = history[2]!;
    const made = addTurnElsewhere(fake.state, { conversationId: target });
    await check(b);
    await waitFor(async () => {
      const mine = (await readVault(b)).artifacts.filter((a) => a.conversationId === target);
      return mine.length >= 2 && mine.every((a) => a.status === 'saved') && mine.some((a) => a.fileId === made.fileId) && mine.some((a) => a.sandboxPath === made.sandboxPath);
    }, { timeout: 60_000, message: 'the image and the sandbox file made elsewhere are saved' });
    const reads = fake.state.requests.filter((r) => r.route === 'conversation').map((r) => decodeURIComponent(r.path.split('/').pop()!));
    assert.deepEqual(reads, [target]);

    const popup = await b.openExtensionPage('/popup.html');
    const line = await popup.getByTestId('popup-catch-up').textContent({ timeout: 10_000 });
    assert.match(line ?? '', /^Last checked \d\d:\d\d( [AP]M)?: 1 conversation read, 2 new files \(2 of 2 saved\)\.$/);
  });
});
