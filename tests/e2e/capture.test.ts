/**
 * Live capture in real Chromium against the fake chatgpt.com (issue 3's test list). Expected artifacts come
 * from the fake server's own scanner (tests/fake-chatgpt/scan.ts), not from the extension's walker, and
 * expected bytes from the server's byte generator.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expectedBytes, type FakeChatGPT } from '../fake-chatgpt/server.ts';
import { sha256Hex } from '../fake-chatgpt/bytes.ts';
import { scanConversation } from '../fake-chatgpt/scan.ts';
import type { Page } from 'playwright-core';
import { e2eSession, stopServiceWorker, waitFor, type Browser } from './harness.ts';
import { definePageHelpers, everythingStored, readVault, type ProbedArtifact, type VaultDump } from './vault-probe.ts';
import { installHeartbeat, maxGap } from './page-probes.ts';

const MIXED = '69f1a2b3-4c5d-8e6f-a7b8-c9d0e1f2a3b4';
const IMAGE_GEN = '69dc3dc3-8dfc-8333-9e10-000000000002';
const DALLE3 = 'd3d3d3d3-0000-4000-8000-000000000001';
const CODE = 'c1c1c1c1-0000-4000-8000-000000000003';
const BIG = '6a1f0c2e-5e1d-4d6b-9c3a-00000000de02'; // tests/fake-chatgpt/seed/demo-files.json

let fake: FakeChatGPT;
const { launch } = e2eSession({ fresh: true, started: (f) => (fake = f) });

/** What the server knows is in a conversation: file ids (images, charts) and sandbox paths. */
function expected(conversationId: string): { files: string[]; sandbox: string[] } {
  const conv = fake.state.conversations.get(conversationId);
  assert.ok(conv, `fixture ${conversationId} loaded`);
  const scan = scanConversation(conv);
  const files = [...scan.files.values()].filter((f) => f.use === 'image' || f.use === 'chart').map((f) => f.fileId);
  return { files: files.sort(), sandbox: [...scan.sandbox.keys()].sort() };
}

function ofConversation(dump: VaultDump, conversationId: string): ProbedArtifact[] {
  return dump.artifacts.filter((a) => a.conversationId === conversationId);
}

/** Waits until every expected artifact of the conversation is settled (saved, expired or failed). */
let lastSeen = '';

async function settled(b: Browser, conversationId: string, count: number, timeout = 30_000): Promise<ProbedArtifact[]> {
  lastSeen = '';
  return waitFor(
    async () => {
      const mine = ofConversation(await readVault(b), conversationId);
      if (mine.length >= count && mine.every((a) => a.status !== 'pending')) return mine;
      lastSeen = mine.map((a) => `${a.id}=${a.status}${a.reason ? ` (${a.reason})` : ''}`).join('; ');
      return null;
    },
    { timeout, interval: 250, message: `artifacts of ${conversationId} settled` },
  ).catch((err: Error) => {
    throw new Error(`${err.message}; vault: ${lastSeen || 'nothing'}`);
  });
}

/** A fresh browser with the extension, one tab at `url`. */
async function openChat(url: string): Promise<{ b: Browser; page: Page }> {
  const b = await launch();
  const page = await b.page();
  await page.goto(url);
  return { b, page };
}

/** Waits for every artifact the server knows in the conversation to settle; returns them with the expectation. */
async function settledAll(b: Browser, conversationId: string, timeout?: number) {
  const exp = expected(conversationId);
  const saved = await settled(b, conversationId, exp.files.length + exp.sandbox.length, timeout);
  return { exp, saved };
}

function assertSavedExactly(artifacts: ProbedArtifact[], conversationId: string, exp: { files: string[]; sandbox: string[] }) {
  const files = artifacts.filter((a) => a.kind !== 'sandbox-file').map((a) => a.fileId).sort();
  const sandbox = artifacts.filter((a) => a.kind === 'sandbox-file').map((a) => a.sandboxPath).sort();
  assert.deepEqual(files, exp.files, 'every image and chart, once');
  assert.deepEqual(sandbox, exp.sandbox, 'every sandbox file, once');
  for (const a of artifacts) {
    assert.equal(a.status, 'saved', `${a.id} saved (${a.reason ?? ''})`);
    const served = a.kind === 'sandbox-file' ? expectedBytes('sandbox', conversationId, a.sandboxPath!) : expectedBytes('file', a.fileId!);
    assert.equal(a.sha256, sha256Hex(served), `${a.id}: stored hash is the hash of the served bytes`);
    assert.equal(a.blobSha256, a.sha256, `${a.id}: the stored blob really has that hash`);
    assert.equal(a.size, served.length);
    assert.equal(a.conversationId, conversationId);
    assert.ok(a.messageId, `${a.id} has a message id`);
    assert.ok(a.fileName, `${a.id} has a file name`);
    assert.ok(a.capturedAt, `${a.id} has a capture time`);
    assert.equal(a.source, 'live');
  }
}

/** Requests the extension made (content script requests carry the Bearer token; the fake page's <img> loads do not). */
function extensionDownloads(path: string): number {
  return fake.state.requests.filter((r) => r.path.includes(path) && r.status === 200 && r.bearer).length;
}

/** Conversation reads in the fake's log: the extension worker's (no Sec-Fetch-Site same-origin) and the app's. */
function reads(conversationId: string) {
  const all = fake.state.requests.filter((r) => r.route === 'conversation' && r.method === 'GET' && r.path.endsWith(conversationId));
  return { extension: all.filter((r) => r.fetchSite !== 'same-origin'), page: all.filter((r) => r.fetchSite === 'same-origin') };
}

describe('live capture', () => {
  test('2026 markup: DALL-E 3 and image_gen images, a chart and sandbox files are saved with provenance', { timeout: 60_000 }, async () => {
    const { b } = await openChat(`https://chatgpt.com/c/${MIXED}`);
    const { exp, saved } = await settledAll(b, MIXED);
    assertSavedExactly(saved, MIXED, exp);
    const images = saved.filter((a) => a.kind === 'image');
    assert.ok(images.some((a) => a.fileId?.startsWith('file-')), 'a DALL-E 3 (file-service) image');
    assert.ok(images.some((a) => a.fileId?.startsWith('file_')), 'an image_gen (sediment) image');
    for (const img of images) assert.ok(img.genId && img.prompt, `${img.id} has gen_id and prompt`);
    assert.ok(saved.some((a) => a.kind === 'chart'));
    const dump = await readVault(b);
    assert.ok(dump.snapshotIds.includes(MIXED), 'conversation snapshot stored');
    assert.equal(dump.jobs.length, 0, 'no job left');
  });

  test('chat.openai.com with the legacy markup and legacy signed file URLs', { timeout: 60_000 }, async () => {
    const { b, page } = await openChat(`https://chat.openai.com/c/${DALLE3}`);
    await page.waitForSelector('article[data-testid^="conversation-turn-"]');
    const exp = expected(DALLE3);
    const saved = await settled(b, DALLE3, exp.files.length + exp.sandbox.length);
    assertSavedExactly(saved, DALLE3, exp);
    const sas = fake.state.requests.filter((r) => r.host === 'files.oaiusercontent.com' && r.status === 200);
    assert.ok(sas.length >= exp.files.length, 'bytes came from the legacy signed URLs');
    assert.ok(sas.every((r) => !r.bearer), 'no Authorization header is sent to the file host');
  });

  test('live generation: the async image and a sandbox file that expires 15 s later are both saved', { timeout: 60_000 }, async () => {
    const { b, page } = await openChat(`https://chatgpt.com/c/${CODE}`);
    const { exp } = await settledAll(b, CODE);
    const before = ofConversation(await readVault(b), CODE).length;
    await page.evaluate(() => (window as unknown as { __fakeApp: { send(t: string): Promise<void> } }).__fakeApp.send('make another chart and a picture'));
    const after = await waitFor(
      async () => {
        const mine = ofConversation(await readVault(b), CODE);
        const live = mine.filter((a) => a.sandboxPath?.startsWith('/mnt/data/live-') || (a.kind === 'image' && !exp.files.includes(a.fileId ?? '')));
        return live.length >= 2 && live.every((a) => a.status === 'saved') ? mine : null;
      },
      { timeout: 14_000, interval: 200, message: 'live sandbox file and async image saved before the sandbox expires' },
    );
    assert.equal(after.length, before + 2, 'exactly the two new artifacts were added');
    const liveFile = after.find((a) => a.sandboxPath?.startsWith('/mnt/data/live-'))!;
    assert.equal(liveFile.sha256, sha256Hex(expectedBytes('sandbox', CODE, liveFile.sandboxPath!)));
  });

  test('a sandbox already expired on load is marked expired with a reason, without a retry storm', { timeout: 60_000 }, async () => {
    const exp = expected(CODE);
    const gone = exp.sandbox[0]!;
    fake.state.expireSandbox(CODE, gone, Date.now() - 60_000);
    const { b, page } = await openChat(`https://chatgpt.com/c/${CODE}`);
    const all = await settled(b, CODE, exp.files.length + exp.sandbox.length);
    const expired = all.find((a) => a.sandboxPath === gone)!;
    assert.equal(expired.status, 'expired');
    assert.match(expired.reason ?? '', /expired|gone|no longer/i);
    const others = all.filter((a) => a !== expired);
    assert.deepEqual(others.filter((a) => a.status !== 'saved').map((a) => `${a.id}: ${a.status} ${a.reason}`), [], 'the other files are saved');
    const asks = () => fake.state.requests.filter((r) => r.route === 'interpreter' && decodeURIComponent(r.path).includes(gone)).length;
    const count = asks();
    assert.ok(count <= 4, `at most one resolution per candidate route (${count})`);
    await page.waitForTimeout(3_000);
    assert.equal(asks(), count, 'no further attempts after the verdict');
  });

  test('in-app navigation to a second conversation saves its artifacts and does not double the first', { timeout: 60_000 }, async () => {
    const { b, page } = await openChat(`https://chatgpt.com/c/${MIXED}`);
    const first = expected(MIXED);
    await settled(b, MIXED, first.files.length + first.sandbox.length);
    await page.click(`a[href="/c/${IMAGE_GEN}"]`);
    await page.waitForURL(`**/c/${IMAGE_GEN}`);
    const second = expected(IMAGE_GEN);
    const saved = await settled(b, IMAGE_GEN, second.files.length + second.sandbox.length);
    assertSavedExactly(saved, IMAGE_GEN, second);
    const dump = await readVault(b);
    assert.equal(ofConversation(dump, MIXED).length, first.files.length + first.sandbox.length, 'first conversation not doubled');
    for (const id of first.files) assert.equal(extensionDownloads(`id=${id}`), 1, `${id} downloaded once`);
  });

  test('faults (429 without Retry-After, 500, a stall, a truncated body) each followed by success: saved once, never corrupt', { timeout: 90_000 }, async () => {
    const exp = expected(MIXED);
    const [a, b2, c] = exp.files;
    // Aimed at the extension's requests: its resolutions carry conversation_id, its downloads a Bearer
    // token (the fake page's own <img> loads do not), and only it resolves sandbox files on load.
    const faults = [
      fake.state.addFault({ route: 'files-download', match: `${a}?post_id=&inline=false&conversation_id=`, fault: '429', times: 1 }),
      fake.state.addFault({ route: 'interpreter', fault: '500', times: 1 }),
      fake.state.addFault({ route: 'estuary', match: `id=${b2}`, fault: 'stall', times: 1, bearer: true }),
      fake.state.addFault({ route: 'estuary', match: `id=${c}`, fault: 'truncate', times: 1, bearer: true }),
    ];
    const { b } = await openChat(`https://chatgpt.com/c/${MIXED}`);
    const saved = await settled(b, MIXED, exp.files.length + exp.sandbox.length, 75_000);
    assertSavedExactly(saved, MIXED, exp);
    for (const f of faults) assert.equal(f.hits, 1, `fault ${f.fault} on ${f.route} was injected once`);
    const dump = await readVault(b);
    assert.equal(dump.blobCount, new Set(dump.artifacts.map((x) => x.sha256).filter(Boolean)).size, 'one blob per content');
  });

  test('a rate-limited conversation read (429 without Retry-After) is retried, not dropped', { timeout: 60_000 }, async () => {
    // Both the fake page's own read and ours may meet these; the page then shows nothing, yet capture succeeds.
    const fault = fake.state.addFault({ route: 'conversation', match: MIXED, fault: '429', times: 3 });
    const { b } = await openChat(`https://chatgpt.com/c/${MIXED}`);
    const { exp, saved } = await settledAll(b, MIXED, 45_000);
    assertSavedExactly(saved, MIXED, exp);
    assert.equal(fault.hits, 3, 'the reads were rate limited');
  });

  test('the service worker stopped in the middle of a capture: everything completes after it wakes, nothing doubled', { timeout: 90_000 }, async () => {
    const exp = expected(MIXED);
    // Every byte download fails once, so the jobs sit in backoff when the worker is stopped.
    fake.state.addFault({ route: 'estuary', fault: '500', times: exp.files.length + exp.sandbox.length, bearer: true });
    const { b } = await openChat(`https://chatgpt.com/c/${MIXED}`);
    await waitFor(() => fake.state.requests.some((r) => r.fault === '500'), { timeout: 20_000, message: 'a download failed' });
    await stopServiceWorker(b.context, b.extensionId!);
    const saved = await settled(b, MIXED, exp.files.length + exp.sandbox.length, 60_000);
    assertSavedExactly(saved, MIXED, exp);
    const dump = await readVault(b);
    assert.equal(dump.jobs.length, 0);
  });

  test('after the worker idled out with nothing queued, new artifacts are still captured', { timeout: 60_000 }, async () => {
    const { b, page } = await openChat(`https://chatgpt.com/c/${CODE}`);
    const { exp } = await settledAll(b, CODE);
    // Chrome stops an idle worker after 30 s; the tab's capture port closes with it and the tab, having
    // been told the queue is empty, does not reconnect by itself.
    await stopServiceWorker(b.context, b.extensionId!);
    await page.evaluate(() => (window as unknown as { __fakeApp: { send(t: string): Promise<void> } }).__fakeApp.send('one more file'));
    await waitFor(
      async () => {
        const live = ofConversation(await readVault(b), CODE).filter((a) => !exp.files.includes(a.fileId ?? '') && !exp.sandbox.includes(a.sandboxPath ?? ''));
        return live.length >= 2 && live.every((a) => a.status === 'saved');
      },
      { timeout: 20_000, interval: 250, message: 'the new sandbox file and image saved by a woken worker' },
    );
  });

  test('two tabs on one conversation produce one copy of each artifact', { timeout: 60_000 }, async () => {
    const b = await launch();
    const [p1, p2] = [await b.page(), await b.page()];
    await Promise.all([p1.goto(`https://chatgpt.com/c/${MIXED}`), p2.goto(`https://chatgpt.com/c/${MIXED}`)]);
    const exp = expected(MIXED);
    const saved = await settled(b, MIXED, exp.files.length + exp.sandbox.length);
    assertSavedExactly(saved, MIXED, exp);
    await p1.waitForTimeout(1_500);
    for (const id of exp.files) assert.equal(extensionDownloads(`id=${id}`), 1, `${id} fetched once across both tabs`);
  });

  test('forged page messages change nothing in the vault and nothing leaks to the page', { timeout: 60_000 }, async () => {
    const b = await launch();
    const page = await b.page();
    // Record every window message from the very start, before the content script runs, and every event a
    // WXT content script announces itself with (its type names our public extension id).
    await page.addInitScript((id) => {
      const seen: unknown[] = [];
      (window as unknown as { __seen: unknown[] }).__seen = seen;
      window.addEventListener('message', (e) => seen.push(e.data));
      for (const name of ['chatgpt', 'chatgpt.content', 'content', 'content-scripts/chatgpt']) {
        const type = `${id}:${name}:wxt:content-script-started`;
        for (const target of [document, window]) target.addEventListener(type, () => seen.push({ event: type }), true);
      }
    }, b.extensionId!);
    await page.goto(`https://chatgpt.com/c/${MIXED}`);
    await settledAll(b, MIXED);
    const before = await readVault(b);
    await definePageHelpers(page);
    const leaked = await page.evaluate(async (ids) => {
      const seen = (window as unknown as { __seen: unknown[] }).__seen;
      const forged = [
        { type: 'conversationRead', data: { conversationId: ids.other, json: '{"conversation_id":"x","mapping":{}}' } },
        { t: 'done', jobId: 'fetch:file:file-AAAAAAAAAAAAAAAAAAAAAA', chunks: 0, size: 0 },
        { t: 'chunk', jobId: 'x', seq: 0, b64: 'AAAA' },
        { source: 'artifact-vault', action: 'save', url: 'https://evil.example/x.png' },
        { messageId: 'backupNow', data: {} },
      ];
      for (const m of forged) window.postMessage(m, '*');
      document.dispatchEvent(new CustomEvent('artifact-vault', { detail: forged[0] }));
      const hasRuntime = typeof (globalThis as { chrome?: { runtime?: { sendMessage?: unknown } } }).chrome?.runtime?.sendMessage === 'function';
      await new Promise((r) => setTimeout(r, 2_000));
      return { fromOthers: seen.filter((d) => !forged.some((f) => JSON.stringify(f) === JSON.stringify(d))), hasRuntime };
    }, { other: DALLE3 });
    assert.deepEqual(leaked.fromOthers, [], 'the extension posts and dispatches nothing to the page');
    const after = await readVault(b);
    assert.deepEqual(after.artifacts.map((a) => [a.id, a.status, a.sha256]).sort(), before.artifacts.map((a) => [a.id, a.status, a.sha256]).sort());
    assert.deepEqual(after.snapshotIds.sort(), before.snapshotIds.sort());
    assert.ok(!fake.state.requests.some((r) => r.path.includes(DALLE3)), 'the forged conversation was never read');
  });

  test('a 20+ MB sandbox file moves from the page to the vault intact while the page stays responsive', { timeout: 90_000 }, async () => {
    const b = await launch();
    const page = await b.page();
    await page.addInitScript(installHeartbeat);
    await page.goto(`https://chatgpt.com/c/${BIG}`);
    const exp = expected(BIG);
    const saved = await settled(b, BIG, exp.files.length + exp.sandbox.length, 75_000);
    const big = saved.find((a) => a.sandboxPath === '/mnt/data/big-export.zip');
    assert.ok(big, 'the big file is in the vault');
    const served = expectedBytes('sandbox', BIG, big.sandboxPath!);
    assert.ok(served.length >= 20 * 1024 * 1024, `the fake serves at least 20 MB (${served.length})`);
    assert.equal(big.status, 'saved', big.reason ?? '');
    assert.equal(big.size, served.length);
    assert.equal(big.sha256, sha256Hex(served));
    assert.equal(big.blobSha256, big.sha256, 'the stored blob is byte-identical');
    const longestPause = await page.evaluate(maxGap);
    assert.ok(longestPause < 1_000, `the page kept running during the transfer (longest pause ${Math.round(longestPause)} ms)`);
  });

  test('a temporary chat (no id in the URL) is captured through the id the app itself requests', { timeout: 60_000 }, async () => {
    const { b, page } = await openChat('https://chatgpt.com/?temporary-chat=true');
    await page.waitForFunction(() => document.documentElement.dataset.fakeAppState === 'idle');
    await page.evaluate(() => (window as unknown as { __fakeApp: { send(t: string): Promise<void> } }).__fakeApp.send('draw a kite'));
    const id = await waitFor(() => [...fake.state.temporary][0], { timeout: 15_000, message: 'the fake started a temporary chat' });
    assert.ok(!page.url().includes(id), 'the id is not in the URL');
    const saved = await waitFor(
      async () => {
        const mine = ofConversation(await readVault(b), id);
        return mine.length >= 2 && mine.every((a) => a.status === 'saved') ? mine : null;
      },
      { timeout: 20_000, interval: 250, message: 'the temporary chat sandbox file and image saved' },
    );
    assert.ok(saved.some((a) => a.kind === 'sandbox-file') && saved.some((a) => a.kind === 'image'), 'both kinds captured');
  });

  test('a project chat (/g/g-p-.../c/...) is captured, and the badge counts what was saved', { timeout: 60_000 }, async () => {
    const { b } = await openChat(`https://chatgpt.com/g/g-p-0123456789abcdef0123456789abcdef-research/c/${DALLE3}`);
    const { exp, saved } = await settledAll(b, DALLE3);
    assertSavedExactly(saved, DALLE3, exp);
    const probe = await b.openExtensionPage('/library.html');
    // The badge follows the files a moment after they settle (one refresh per burst): wait for the count itself.
    let badge: string | null = null;
    await waitFor(
      async () =>
        (badge = await probe.evaluate(async () => {
          const c = (globalThis as unknown as {
            chrome: {
              tabs: { query(q: { url: string }): Promise<{ id?: number }[]> };
              action: { getBadgeText(d: { tabId: number }): Promise<string> };
            };
          }).chrome;
          const [tab] = await c.tabs.query({ url: 'https://chatgpt.com/*' });
          return tab?.id != null ? c.action.getBadgeText({ tabId: tab.id }) : null;
        })) === String(saved.length) || null,
      { timeout: 10_000, message: 'badge set' },
    ).catch(() => null);
    assert.equal(badge, String(saved.length), 'the badge shows the saved count for this tab');
  });

  test('conversations are read by the background when the backend serves it: no JSON crosses the page', { timeout: 60_000 }, async () => {
    const { b } = await openChat(`https://chatgpt.com/c/${MIXED}`);
    const { exp, saved } = await settledAll(b, MIXED);
    assertSavedExactly(saved, MIXED, exp);
    const reads = fake.state.requests.filter((r) => r.route === 'conversation' && r.path.endsWith(MIXED));
    const fromWorker = reads.filter((r) => r.fetchSite !== 'same-origin');
    const fromPage = reads.filter((r) => r.fetchSite === 'same-origin');
    assert.ok(fromWorker.length >= 1 && fromWorker.every((r) => r.bearer && r.status === 200), `the worker read it (${fromWorker.length})`);
    assert.equal(fromPage.length, 1, 'the only page read is the fake app\'s own');
  });

  test('when the backend refuses the worker, the tab reads and delivers the conversation itself', { timeout: 60_000 }, async () => {
    fake.state.setOptions({ refuseNonPageRequests: true });
    const { b } = await openChat(`https://chatgpt.com/c/${MIXED}`);
    const { exp, saved } = await settledAll(b, MIXED);
    assertSavedExactly(saved, MIXED, exp);
    assert.ok(fake.state.requests.some((r) => r.status === 403 && r.fetchSite !== 'same-origin'), 'the worker was refused');
    const pageReads = fake.state.requests.filter((r) => r.route === 'conversation' && r.path.endsWith(MIXED) && r.fetchSite === 'same-origin');
    assert.ok(pageReads.length >= 2, `the tab read it besides the fake app (${pageReads.length})`);
  });

  test('a workspace account: every API call carries ChatGPT-Account-Id and capture succeeds', { timeout: 60_000 }, async () => {
    fake.state.setOptions({ workspaceAccountId: 'ws-0000fake0000team' });
    const { b } = await openChat(`https://chatgpt.com/c/${MIXED}`);
    const { exp, saved } = await settledAll(b, MIXED);
    assertSavedExactly(saved, MIXED, exp);
    const ours = fake.state.requests.filter((r) => r.bearer && (r.route === 'files-download' || r.route === 'interpreter'));
    assert.ok(ours.length >= exp.files.length + exp.sandbox.length, 'the resolutions were logged');
    assert.deepEqual(ours.filter((r) => !r.accountHeader).map((r) => r.path), [], 'no resolution went out without the account header');
  });

  test('reads only when something changed: the extension reads a conversation no more often than the app does, and misses nothing', { timeout: 90_000 }, async (t) => {
    const { b, page } = await openChat(`https://chatgpt.com/c/${CODE}`);
    const { exp } = await settledAll(b, CODE);
    const before = ofConversation(await readVault(b), CODE).length;
    // A reply with a sandbox file and an async image (it lands about 1 s after the stream ends).
    await page.evaluate(() => (window as unknown as { __fakeApp: { send(t: string): Promise<void> } }).__fakeApp.send('a table and a picture'));
    await waitFor(
      async () => {
        const live = ofConversation(await readVault(b), CODE).filter((a) => !exp.files.includes(a.fileId ?? '') && !exp.sandbox.includes(a.sandboxPath ?? ''));
        return live.length >= 2 && live.every((a) => a.status === 'saved');
      },
      { timeout: 20_000, interval: 250, message: 'the live sandbox file and the async image saved' },
    );
    await page.waitForFunction(() => document.documentElement.dataset.fakeAppState === 'idle', undefined, { timeout: 20_000 });
    // In-app navigation away and back.
    await page.click(`a[href="/c/${IMAGE_GEN}"]`);
    await page.waitForURL(`**/c/${IMAGE_GEN}`);
    const second = expected(IMAGE_GEN);
    assertSavedExactly(await settled(b, IMAGE_GEN, second.files.length + second.sandbox.length), IMAGE_GEN, second);
    await page.goBack();
    await page.waitForURL(`**/c/${CODE}`);
    await waitFor(() => reads(CODE).extension.length >= 3, { timeout: 15_000, message: 'the conversation shown again was read' });
    // Room for any follow-up read the extension would still make.
    await page.waitForTimeout(4_000);
    const code = reads(CODE);
    const other = reads(IMAGE_GEN);
    const ours = code.extension.length + other.extension.length;
    const app = code.page.length + other.page.length;
    t.diagnostic(`conversation reads: extension ${ours}, app ${app}`);
    assert.ok(ours <= app, `extension reads ${ours} (${code.extension.length} + ${other.extension.length}) <= app reads ${app} (${code.page.length} + ${other.page.length})`);
    // One per view of CODE (2), one for the finished reply, at most one for the image that arrived after it.
    assert.ok(code.extension.length <= 4, `reads of the conversation with the reply: ${code.extension.length}`);
    assert.equal(other.extension.length, 1, 'one read for one view of a conversation that did not change');
    const all = ofConversation(await readVault(b), CODE);
    assert.equal(all.length, before + 2, 'nothing missed, nothing doubled');
    assert.deepEqual(all.filter((a) => a.status !== 'saved').map((a) => a.id), []);
  });

  test('nothing a page script dispatches or posts stops capture', { timeout: 60_000 }, async () => {
    const { b, page } = await openChat(`https://chatgpt.com/c/${CODE}`);
    const { exp } = await settledAll(b, CODE);
    const extensionId = b.extensionId!;
    await page.evaluate((id) => {
      // WXT's content-script context stops itself on `<id>:<script name>:wxt:content-script-started` (WXT
      // 0.20.27 and 0.21); the id is public. Every name and shape a page could guess, on every target, both ways.
      const names = ['chatgpt', 'chatgpt.content', 'content', 'content-scripts/chatgpt'];
      for (const name of names) {
        for (const suffix of ['wxt:content-script-started', 'wxt:locationchange']) {
          const type = `${id}:${name}:${suffix}`;
          for (const detail of names.map((n) => ({ contentScriptName: n, messageId: 'page' }))) {
            for (const target of [document, window, document.documentElement]) {
              target.dispatchEvent(new CustomEvent(type, { detail, bubbles: true }));
            }
            window.postMessage({ type, ...detail }, '*');
          }
          document.dispatchEvent(new Event(type));
        }
      }
      window.postMessage({ type: 'wxt:content-script-started', contentScriptName: 'chatgpt', messageId: 'page' }, '*');
    }, extensionId);
    await page.evaluate(() => (window as unknown as { __fakeApp: { send(t: string): Promise<void> } }).__fakeApp.send('still listening?'));
    await waitFor(
      async () => {
        const live = ofConversation(await readVault(b), CODE).filter((a) => !exp.files.includes(a.fileId ?? '') && !exp.sandbox.includes(a.sandboxPath ?? ''));
        return live.length >= 2 && live.every((a) => a.status === 'saved');
      },
      { timeout: 20_000, interval: 250, message: 'the reply after the page\'s signals captured' },
    );
  });

  test('markup that names the extension\'s globals (DOM clobbering) does not stop capture', { timeout: 90_000 }, async () => {
    // No script: elements whose id or name is a global the content script might reach for. Window's named
    // access makes them `window.browser`, `window.chrome`, `window.content`; a form's inputs make
    // `browser.runtime.id` a string and `browser.storage` an input. Two pages, since two shapes of one name
    // make a collection instead.
    const shapes = [
      `<form id="browser" hidden><input name="runtime" id="x"><input name="storage"><input name="id" value="x"></form>
       <form id="chrome" hidden><input name="runtime" id="y"><input name="storage"><input name="tabs"></form>
       <form id="content" hidden><input name="fetch"></form>`,
      `<img name="browser" hidden><img name="chrome" hidden><form id="chrome" hidden><input name="runtime" id="z"></form>
       <form id="browser" hidden><form id="runtime"><input name="id" value="w"><input name="connect"></form><input name="runtime"></form>
       <iframe name="content" hidden srcdoc="<p>x</p>"></iframe>`,
    ];
    const b = await launch();
    for (const [i, conversationId] of [CODE, MIXED].entries()) {
      fake.state.setOptions({ pageHtml: shapes[i]! });
      const page = await b.page();
      await page.goto(`https://chatgpt.com/c/${conversationId}`);
      // (The main world has a `chrome` of its own; the content script's world would not, were it made now.)
      const named = await page.evaluate(() => String((window as unknown as { browser: unknown }).browser));
      assert.match(named, /HTML/, 'the page\'s markup names `browser`');
      const { exp } = await settledAll(b, conversationId);
      await page.evaluate(() => (window as unknown as { __fakeApp: { send(t: string): Promise<void> } }).__fakeApp.send('a file and a picture'));
      await waitFor(
        async () => {
          const live = ofConversation(await readVault(b), conversationId).filter((a) => !exp.files.includes(a.fileId ?? '') && !exp.sandbox.includes(a.sandboxPath ?? ''));
          return live.length >= 2 && live.every((a) => a.status === 'saved');
        },
        { timeout: 20_000, interval: 250, message: `the new reply captured under markup shape ${i + 1}` },
      );
      await page.close();
    }
  });

  test('no stored value contains the access token', { timeout: 60_000 }, async () => {
    const { b, page } = await openChat(`https://chatgpt.com/c/${MIXED}`);
    const { exp } = await settledAll(b, MIXED);
    await page.evaluate(() => (window as unknown as { __fakeApp: { send(t: string): Promise<void> } }).__fakeApp.send('one more'));
    await waitFor(async () => ofConversation(await readVault(b), MIXED).filter((a) => a.status === 'saved').length > exp.files.length + exp.sandbox.length, { timeout: 20_000 });
    const stored = await everythingStored(b);
    assert.ok(stored.length > 1000, 'the probe really read the vault');
    assert.ok(!stored.includes(fake.state.accessToken), 'the access token is stored nowhere');
    assert.ok(!stored.includes('sig='), 'no signed URL is stored');
  });
});
