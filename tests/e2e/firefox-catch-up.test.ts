/**
 * Catch-up in Firefox (issue 19: e2e in Chromium and Firefox), the same scenario and expectations as the
 * Chromium suite (catch-up.test.ts, catch-up-expected.ts): with no ChatGPT tab open, two idle checks cost
 * the two listing requests each; a turn made on the fake's second device (an image and a sandbox file) is
 * saved by the next check, which reads only that conversation. The check is the extension's own alarm,
 * re-created from an extension page with a near `when` (a temporary add-on's alarms may fire that soon): an
 * MV2 background page is not reachable over BiDi, but `browser.alarms` and `browser.storage` are the same
 * from any page of the extension. Stock firefox-esr with the mv2 build (firefox-harness.ts).
 *
 * Skips (with the reason) when Firefox is not installed or port 443 cannot be bound, as firefox.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'puppeteer-core';
import { addTurnElsewhere } from '../fake-chatgpt/device.ts';
import { startFakeChatGPT, type FakeChatGPT } from '../fake-chatgpt/server.ts';
import { asProbeHost, buildFirefoxExtension, firefoxSkipReason, launchFirefox, type Firefox } from './firefox-harness.ts';
import { waitFor } from './harness.ts';
import { readVault } from './vault-probe.ts';
import {
  assertIdleChecks, assertReadOnly, CATCH_UP_ALARM, CATCH_UP_STATE_KEY, catchUpHistory, madeElsewhereSaved, POPUP_AFTER_CATCH_UP,
} from './catch-up-expected.ts';

const skip = (await firefoxSkipReason()) ?? false;

let fake: FakeChatGPT | null = null;
let ff: Firefox | null = null;

type Ext = {
  alarms: { create(name: string, info: object): Promise<void> };
  storage: { local: { get(k: string): Promise<Record<string, unknown>> } };
};

/** Fires the catch-up alarm now from an extension page, as its period would, and waits until that check is recorded. */
async function check(ext: Page): Promise<void> {
  const lastCheck = () => ext.evaluate(async (key: string) => ((await (globalThis as unknown as { browser: Ext }).browser.storage.local.get(key))[key] as { lastCheck?: number } | undefined)?.lastCheck ?? 0, CATCH_UP_STATE_KEY);
  const before = await lastCheck();
  await ext.evaluate(async (alarm: typeof CATCH_UP_ALARM) => {
    await (globalThis as unknown as { browser: Ext }).browser.alarms.create(alarm.name, { when: Date.now() + 50, periodInMinutes: alarm.periodInMinutes });
  }, CATCH_UP_ALARM);
  await waitFor(async () => (await lastCheck()) > before, { timeout: 30_000, interval: 200, message: 'a catch-up check ran' });
}

describe('Catch-up while the browser runs (Firefox)', () => {
  before(async () => {
    if (skip) return;
    await buildFirefoxExtension();
    fake = await startFakeChatGPT({ port: 443 });
    ff = await launchFirefox({ server: fake });
  });
  after(async () => {
    await ff?.close();
    await fake?.close();
  });

  test('idle checks cost the two listings; a turn made elsewhere is saved by the next check with no tab on it', { skip, timeout: 240_000 }, async () => {
    const history = catchUpHistory(fake!);
    const tab = await ff!.page();
    await tab.goto('https://chatgpt.com/'); // signs in (the session cookie) and names the workspace the tabs use
    await tab.close();
    const ext = await ff!.openExtensionPage('/popup.html');
    await check(ext);
    fake!.state.requests = [];
    await check(ext);
    await check(ext);
    assertIdleChecks(fake!.state.requests);

    const made = addTurnElsewhere(fake!.state, { conversationId: history[2]! });
    await check(ext);
    const probe = asProbeHost(ff!);
    await waitFor(async () => madeElsewhereSaved((await readVault(probe)).artifacts, made), { timeout: 60_000, interval: 500, message: 'the image and the sandbox file made elsewhere are saved' });
    assertReadOnly(fake!.state.requests, made.conversationId);

    const popup = await ff!.openExtensionPage('/popup.html');
    const line = await waitFor(
      () => popup.evaluate(() => document.querySelector('[data-testid="popup-catch-up"]')?.textContent ?? null),
      { timeout: 10_000, interval: 200, message: 'the popup\'s catch-up line' },
    );
    assert.match(line, POPUP_AFTER_CATCH_UP);
  });
});
