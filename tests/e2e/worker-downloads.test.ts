/**
 * Downloads done by the background worker (issue 9 "The worker downloads", issue 10 items 5 and 6), in real
 * Chromium against the fake chatgpt.com. Who made a request is read from the fake's request log: the
 * extension's requests carry a Bearer token (the fake page's own <img> loads do not), and a request from the
 * worker has `Sec-Fetch-Site: none` where one from a ChatGPT tab has `same-origin`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expectedBytes, type FakeChatGPT } from '../fake-chatgpt/server.ts';
import { sha256Hex } from '../fake-chatgpt/bytes.ts';
import { scanConversation } from '../fake-chatgpt/scan.ts';
import type { RequestLogEntry } from '../fake-chatgpt/state.ts';
import { e2eSession, stopServiceWorker, waitFor, type Browser } from './harness.ts';
import { readVault, type ProbedArtifact } from './vault-probe.ts';

const MIXED = '69f1a2b3-4c5d-8e6f-a7b8-c9d0e1f2a3b4';
const IMAGE_GEN = '69dc3dc3-8dfc-8333-9e10-000000000002';
const BYTE_AND_RESOLVE_ROUTES = new Set(['files-download', 'interpreter', 'estuary', 'sas']);

let fake: FakeChatGPT;
const { launch } = e2eSession({ fresh: true, started: (f) => (fake = f) });

function expectedCount(conversationId: string): number {
  const conv = fake.state.conversations.get(conversationId);
  assert.ok(conv, `fixture ${conversationId} loaded`);
  const scan = scanConversation(conv);
  return [...scan.files.values()].filter((f) => f.use === 'image' || f.use === 'chart').length + scan.sandbox.size;
}

async function settled(b: Browser, conversationId: string, timeout = 45_000): Promise<ProbedArtifact[]> {
  const count = expectedCount(conversationId);
  let last = '';
  return waitFor(
    async () => {
      const mine = (await readVault(b)).artifacts.filter((a) => a.conversationId === conversationId);
      last = mine.map((a) => `${a.id}=${a.status}${a.reason ? ` (${a.reason})` : ''}`).join('; ');
      return mine.length >= count && mine.every((a) => a.status !== 'pending') ? mine : null;
    },
    { timeout, interval: 250, message: `artifacts of ${conversationId} settled` },
  ).catch((err: Error) => {
    throw new Error(`${err.message}; vault: ${last || 'nothing'}`);
  });
}

function assertAllSavedIntact(artifacts: ProbedArtifact[], conversationId: string): void {
  for (const a of artifacts) {
    assert.equal(a.status, 'saved', `${a.id} saved (${a.reason ?? ''})`);
    const served = a.kind === 'sandbox-file' ? expectedBytes('sandbox', conversationId, a.sandboxPath!) : expectedBytes('file', a.fileId!);
    assert.equal(a.sha256, sha256Hex(served), `${a.id}: the hash of the served bytes`);
    assert.equal(a.blobSha256, a.sha256, `${a.id}: the stored blob has that hash`);
  }
}

/**
 * The extension's resolutions and byte downloads: Bearer-carrying, and for the files route with the
 * `conversation_id` the extension adds (the fake app resolves files itself too, without it).
 */
function extensionDownloadRequests(): RequestLogEntry[] {
  return fake.state.requests.filter(
    (r) => BYTE_AND_RESOLVE_ROUTES.has(r.route) && r.bearer && (r.route !== 'files-download' || r.path.includes('conversation_id=')),
  );
}

const fromWorker = (r: RequestLogEntry) => r.fetchSite !== 'same-origin' && r.fetchSite !== 'same-site';

void describe('worker downloads', () => {
  void test('with the worker served, images, a chart and sandbox files are saved and no download comes from the page', { timeout: 90_000 }, async () => {
    const browser = await launch();
    const page = await browser.page();
    await page.goto(`https://chatgpt.com/c/${MIXED}`);
    assertAllSavedIntact(await settled(browser, MIXED), MIXED);
    const ours = extensionDownloadRequests();
    assert.ok(ours.some((r) => r.route === 'estuary' && r.status === 200), 'bytes were downloaded');
    assert.deepEqual(ours.filter((r) => !fromWorker(r)).map((r) => `${r.route} ${r.path}`), [], 'every resolution and byte request came from the worker, none from the tab');
  });

  void test('when the backend refuses the worker, the tab fallback still saves everything', { timeout: 90_000 }, async () => {
    fake.state.setOptions({ refuseNonPageRequests: true });
    const browser = await launch();
    const page = await browser.page();
    await page.goto(`https://chatgpt.com/c/${MIXED}`);
    assertAllSavedIntact(await settled(browser, MIXED), MIXED);
    assert.ok(fake.state.requests.some((r) => fromWorker(r) && r.status === 403), 'the worker was refused');
    const ours = extensionDownloadRequests();
    assert.ok(ours.some((r) => !fromWorker(r) && r.route === 'estuary' && r.status === 200), 'the tab downloaded the bytes');
  });

  void test('pending downloads finish with no ChatGPT tab open', { timeout: 90_000 }, async () => {
    const count = expectedCount(MIXED);
    // Every byte download fails once, so the jobs are still queued when the tab is closed.
    fake.state.addFault({ route: 'estuary', fault: '500', times: count, bearer: true });
    const browser = await launch();
    const page = await browser.page();
    await page.goto(`https://chatgpt.com/c/${MIXED}`);
    await waitFor(async () => (await readVault(browser)).artifacts.filter((a) => a.conversationId === MIXED).length >= count, { timeout: 30_000, message: 'recorded' });
    await waitFor(() => fake.state.requests.some((r) => r.fault === '500'), { timeout: 20_000, message: 'a download failed' });
    await page.close();
    const closedAt = Date.now();
    try {
      assertAllSavedIntact(await settled(browser, MIXED, 60_000), MIXED);
    } catch (err) {
      console.log(JSON.stringify(fake.state.requests.filter((r) => r.route !== 'page' && r.route !== 'static').map((r) => [r.time - closedAt, r.route, r.fetchSite, r.status, r.bearer, r.fault, r.path.slice(0, 90)])));
      throw err;
    }
    const late = fake.state.requests.filter((r) => r.route === 'estuary' && r.status === 200 && r.bearer && r.time >= closedAt);
    assert.ok(late.length > 0, 'bytes were downloaded after the tab closed');
    assert.equal((await readVault(browser)).jobs.length, 0, 'no job left');
  });

  void test('the worker stopped in the middle of a download: nothing is lost, the interruption counts as one attempt', { timeout: 90_000 }, async () => {
    // One download hangs (the fake never answers), so the worker is stopped with the job leased.
    const stall = fake.state.addFault({ route: 'estuary', fault: 'stall', times: 1, bearer: true });
    const browser = await launch();
    const page = await browser.page();
    await page.goto(`https://chatgpt.com/c/${MIXED}`);
    await waitFor(() => stall.hits === 1, { timeout: 30_000, message: 'a download stalled' });
    await stopServiceWorker(browser.context, browser.extensionId!);
    // Wake it the way the person would: the tab keeps working (a reload asks the background to read again).
    await page.reload();
    assertAllSavedIntact(await settled(browser, MIXED, 60_000), MIXED);
    const dump = await readVault(browser);
    assert.equal(dump.jobs.length, 0);
    assert.equal(dump.blobCount, new Set(dump.artifacts.map((a) => a.sha256)).size, 'one blob per content, nothing doubled');
  });

  void test('switching workspace: the worker speaks for the workspace the tab shows, never the first one', { timeout: 90_000 }, async () => {
    fake.state.setOptions({ workspaceAccountId: 'ws-0000fake000000aa' });
    const browser = await launch();
    const page = await browser.page();
    await page.goto(`https://chatgpt.com/c/${MIXED}`);
    assertAllSavedIntact(await settled(browser, MIXED), MIXED);
    // The person switches workspace: the app reloads with the new workspace cookie.
    fake.state.setOptions({ workspaceAccountId: 'ws-0000fake000000bb' });
    const switchedAt = Date.now();
    await page.goto(`https://chatgpt.com/c/${IMAGE_GEN}`);
    assertAllSavedIntact(await settled(browser, IMAGE_GEN), IMAGE_GEN);
    // (A late read of the first conversation by the page that still showed the old workspace may carry it.)
    const refused = fake.state.requests.filter((r) => r.time >= switchedAt && r.bearer && fromWorker(r) && r.status === 403 && !r.path.includes(MIXED));
    assert.deepEqual(refused.map((r) => `${r.route} ${r.path}`), [], 'no worker request went out with the old workspace');
    const workerCalls = fake.state.requests.filter((r) => r.time >= switchedAt && r.bearer && fromWorker(r) && r.route !== 'accounts');
    assert.ok(workerCalls.length > 0 && workerCalls.every((r) => r.accountHeader), 'the worker did the work, with an account header');
  });
});
