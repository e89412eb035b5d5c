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
import type { FakeChatGPT } from '../fake-chatgpt/server.ts';
import { e2eSession, hasExtensionBuild, waitFor, type Browser } from './harness.ts';
import { readVault } from './vault-probe.ts';
import {
  assertIdleChecks, assertReadOnly, CATCH_UP_ALARM, CATCH_UP_STATE_KEY, catchUpHistory, madeElsewhereSaved, POPUP_AFTER_CATCH_UP,
} from './catch-up-expected.ts';

const skip = !hasExtensionBuild() && 'no .output/chrome-mv3 (run `npx wxt build`)';

let fake: FakeChatGPT;
const { launch } = e2eSession({ fresh: true, started: (f) => (fake = f) });

type Chrome = {
  alarms: { create(name: string, info: object): Promise<void> };
  storage: { local: { get(k: string): Promise<Record<string, unknown>> } };
};

/** Fires the catch-up alarm now, as its period would, and waits until that check is recorded. */
async function check(b: Browser): Promise<void> {
  const lastCheck = async () => (await b.serviceWorker()).evaluate(async (key) => ((await (globalThis as unknown as { chrome: Chrome }).chrome.storage.local.get(key))[key] as { lastCheck?: number } | undefined)?.lastCheck ?? 0, CATCH_UP_STATE_KEY);
  const before = await lastCheck();
  await (await b.serviceWorker()).evaluate(async (alarm) => {
    await (globalThis as unknown as { chrome: Chrome }).chrome.alarms.create(alarm.name, { when: Date.now() + 50, periodInMinutes: alarm.periodInMinutes });
  }, CATCH_UP_ALARM);
  await waitFor(async () => (await lastCheck()) > before, { timeout: 30_000, message: 'a catch-up check ran' });
}

void describe('Catch-up while the browser runs', { skip }, () => {
  void test('idle checks cost the two listings; a turn made elsewhere is saved by the next check with no tab on it', { timeout: 180_000 }, async () => {
    const history = catchUpHistory(fake);
    const b = await launch();
    const tab = await b.page();
    await tab.goto('https://chatgpt.com/');
    await tab.close();
    await check(b);
    fake.state.requests = [];
    await check(b);
    await check(b);
    assertIdleChecks(fake.state.requests);

    const made = addTurnElsewhere(fake.state, { conversationId: history[2]! });
    await check(b);
    await waitFor(async () => madeElsewhereSaved((await readVault(b)).artifacts, made), { timeout: 60_000, message: 'the image and the sandbox file made elsewhere are saved' });
    assertReadOnly(fake.state.requests, made.conversationId);

    const popup = await b.openExtensionPage('/popup.html');
    const line = await popup.getByTestId('popup-catch-up').textContent({ timeout: 10_000 });
    assert.match(line ?? '', POPUP_AFTER_CATCH_UP);
  });
});
