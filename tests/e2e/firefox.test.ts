/**
 * Live capture and Back up everything in Firefox (issue 3: bytes move from the page to the vault, 20+ MB files included, in Chrome
 * AND Firefox). Stock firefox-esr over WebDriver BiDi (firefox-harness.ts) with the mv2 build, against the
 * fake chatgpt.com on port 443. Expected artifacts come from the fake server's scanner, expected bytes from
 * its byte generator; the vault is read with the same probe as the Chromium suite (vault-probe.ts).
 *
 * Skips (with the reason) when Firefox is not installed or port 443 cannot be bound, so a developer
 * without root still gets a green run; CI (.ci/run, root) installs firefox-esr.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sha256Hex } from '../fake-chatgpt/bytes.ts';
import { addHistory } from '../fake-chatgpt/history.ts';
import { scanConversation } from '../fake-chatgpt/scan.ts';
import { expectedBytes, startFakeChatGPT, type FakeChatGPT } from '../fake-chatgpt/server.ts';
import { asProbeHost, buildFirefoxExtension, firefoxSkipReason, launchFirefox, type Firefox } from './firefox-harness.ts';
import { waitFor, type Browser } from './harness.ts';
import { readVault, type ProbedArtifact } from './vault-probe.ts';
import { installHeartbeat, maxGap } from './page-probes.ts';

const MIXED = '69f1a2b3-4c5d-8e6f-a7b8-c9d0e1f2a3b4';
const BIG = '6a1f0c2e-5e1d-4d6b-9c3a-00000000de02'; // tests/fake-chatgpt/seed/demo-files.json
const BIG_PATH = '/mnt/data/big-export.zip';

const skip = (await firefoxSkipReason()) ?? false;

let fake: FakeChatGPT | null = null;
let ff: Firefox | null = null;
let probe: Browser | null = null;

async function launch(): Promise<Browser> {
  ff = await launchFirefox({ server: fake! });
  probe = asProbeHost(ff);
  return probe;
}

/** What the server knows is in a conversation: file ids (images, charts) and sandbox paths. */
function expected(conversationId: string): { files: string[]; sandbox: string[] } {
  const conv = fake!.state.conversations.get(conversationId);
  assert.ok(conv, `fixture ${conversationId} loaded by the fake server`);
  const scan = scanConversation(conv);
  const files = [...scan.files.values()].filter((f) => f.use === 'image' || f.use === 'chart').map((f) => f.fileId);
  return { files: files.sort(), sandbox: [...scan.sandbox.keys()].sort() };
}

/**
 * Waits until `count` artifacts of the conversation are in the vault and none is pending, then reads the
 * vault once more: the probe reads the blobs store before the artifacts store (two transactions), so the
 * read that first sees the last artifact saved may predate its blob.
 */
async function settled(b: Browser, conversationId: string, count: number, timeout: number): Promise<ProbedArtifact[]> {
  let lastSeen = '';
  await waitFor(
    async () => {
      const mine = (await readVault(b)).artifacts.filter((a) => a.conversationId === conversationId);
      lastSeen = mine.map((a) => `${a.id}=${a.status}${a.reason ? ` (${a.reason})` : ''}`).join('; ');
      return mine.length >= count && mine.every((a) => a.status !== 'pending') ? mine : null;
    },
    { timeout, interval: 500, message: `artifacts of ${conversationId} settled in Firefox` },
  ).catch((err: Error) => {
    throw new Error(`${err.message}; vault: ${lastSeen || 'nothing'}`);
  });
  return (await readVault(b)).artifacts.filter((a) => a.conversationId === conversationId);
}

function servedBytes(a: ProbedArtifact, conversationId: string): Buffer {
  return a.kind === 'sandbox-file' ? expectedBytes('sandbox', conversationId, a.sandboxPath!) : expectedBytes('file', a.fileId!);
}

/** Records the page's visibility states in order (injected before the page's scripts). */
function trackVisibility(): void {
  const w = window as unknown as { __visibility: string[] };
  w.__visibility = [document.visibilityState];
  document.addEventListener('visibilitychange', () => {
    if (w.__visibility.at(-1) !== document.visibilityState) w.__visibility.push(document.visibilityState);
  });
}

/** Waits for the demo conversation's artifacts, then checks the 20+ MB file against the served bytes. */
async function bigFileSaved(b: Browser): Promise<ProbedArtifact> {
  const exp = expected(BIG);
  assert.ok(exp.sandbox.includes(BIG_PATH), `${BIG_PATH} is in the fixture`);
  const saved = await settled(b, BIG, exp.files.length + exp.sandbox.length, 100_000);
  const big = saved.find((a) => a.sandboxPath === BIG_PATH);
  assert.ok(big, 'the big file is in the vault');
  const served = expectedBytes('sandbox', BIG, BIG_PATH);
  assert.ok(served.length >= 20 * 1024 * 1024, `the fake serves at least 20 MB (${served.length})`);
  assert.equal(big.status, 'saved', `big file saved (${big.reason ?? ''})`);
  assert.equal(big.size, served.length, 'stored size is the served size');
  assert.equal(big.sha256, sha256Hex(served), 'stored hash is the SHA-256 of the served bytes');
  for (const a of saved) assert.equal(a.status, 'saved', `${a.id} saved too (${a.reason ?? ''})`);
  return big;
}

describe('live capture and backup in Firefox', () => {
  // Skipped per test (not per suite), so the e2e summary counts them as skipped; the hooks then do nothing.
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
    probe = null;
    fake!.state.reset();
  });

  test('2026 markup: every image, chart and sandbox file is saved with the served bytes', { skip, timeout: 90_000 }, async () => {
    const b = await launch();
    const page = await ff!.page();
    await page.goto(`https://chatgpt.com/c/${MIXED}`);
    const exp = expected(MIXED);
    const saved = await settled(b, MIXED, exp.files.length + exp.sandbox.length, 60_000);
    const files = saved.filter((a) => a.kind !== 'sandbox-file').map((a) => a.fileId).sort();
    const sandbox = saved.filter((a) => a.kind === 'sandbox-file').map((a) => a.sandboxPath).sort();
    assert.deepEqual(files, exp.files, 'every image and chart, once');
    assert.deepEqual(sandbox, exp.sandbox, 'every sandbox file, once');
    assert.ok(saved.some((a) => a.kind === 'image') && saved.some((a) => a.kind === 'chart'), 'images and a chart among them');
    for (const a of saved) {
      assert.equal(a.status, 'saved', `${a.id} saved (${a.reason ?? ''})`);
      const served = servedBytes(a, MIXED);
      assert.equal(a.sha256, sha256Hex(served), `${a.id}: stored hash is the SHA-256 of the served bytes`);
      assert.equal(a.blobSha256, a.sha256, `${a.id}: the stored blob really has that hash`);
      assert.equal(a.size, served.length, `${a.id}: stored size`);
      assert.equal(a.source, 'live', `${a.id}: captured live`);
    }
    // The bytes came through the page's session (Bearer), as in Chromium, not from the fake page's own <img> loads.
    assert.ok(
      fake!.state.requests.some((r) => r.route === 'estuary' && r.bearer && r.status === 200),
      'the extension downloaded bytes with the page session',
    );
    const dump = await readVault(b);
    assert.ok(dump.snapshotIds.includes(MIXED), 'conversation snapshot stored');
    assert.equal(dump.jobs.length, 0, 'no job left');
  });

  test('a workspace account: the workspace cookie of the page reaches every read and resolution, and capture succeeds', { skip, timeout: 90_000 }, async () => {
    fake!.state.setOptions({ workspaceAccountId: 'ws-0000fake0000team' });
    const b = await launch();
    const page = await ff!.page();
    await page.goto(`https://chatgpt.com/c/${MIXED}`);
    const exp = expected(MIXED);
    const saved = await settled(b, MIXED, exp.files.length + exp.sandbox.length, 60_000);
    assert.deepEqual(saved.filter((a) => a.status !== 'saved').map((a) => `${a.id}: ${a.reason ?? ''}`), [], 'every artifact saved');
    const ours = fake!.state.requests.filter((r) => r.bearer && ['conversation', 'files-download', 'interpreter'].includes(r.route));
    assert.ok(ours.some((r) => r.route === 'conversation'), 'the extension read the conversation');
    assert.deepEqual(ours.filter((r) => !r.accountHeader).map((r) => r.path), [], 'none went out without the account header');
  });

  test('a 20+ MB sandbox file reaches the vault intact while the ChatGPT tab is in the background', { skip, timeout: 120_000 }, async () => {
    const b = await launch();
    const page = await ff!.page();
    await page.evaluateOnNewDocument(trackVisibility);
    // The probe's extension tab opens in front, so the ChatGPT tab loads and captures hidden, as when the
    // person has moved on to another tab. Hidden tabs get their timers clamped (Firefox: 1 s and more).
    await readVault(b);
    await page.goto(`https://chatgpt.com/c/${BIG}`);
    const big = await bigFileSaved(b);
    assert.equal(big.blobSha256, big.sha256, 'the stored blob is byte-identical');
    const seen = await page.evaluate(() => (window as unknown as { __visibility: string[] }).__visibility);
    assert.deepEqual(seen, ['hidden'], 'the ChatGPT tab stayed in the background for the whole capture');
  });

  test('a 20+ MB sandbox file reaches the vault intact while the page in front keeps running', { skip, timeout: 120_000 }, async () => {
    const b = await launch();
    await readVault(b); // the probe tab first, so the ChatGPT tab opened next is the one in front
    const page = await ff!.page();
    await page.evaluateOnNewDocument(trackVisibility);
    await page.evaluateOnNewDocument(installHeartbeat);
    await page.goto(`https://chatgpt.com/c/${BIG}`);
    const big = await bigFileSaved(b);
    assert.equal(big.blobSha256, big.sha256, 'the stored blob is byte-identical');
    const seen = await page.evaluate(() => (window as unknown as { __visibility: string[] }).__visibility);
    assert.deepEqual(seen, ['visible'], 'the ChatGPT tab stayed in front for the whole capture');
    const longestPause = await page.evaluate(maxGap);
    assert.ok(longestPause < 1_000, `the page kept running during the transfer (longest pause ${Math.round(longestPause)} ms)`);
  });

  test('Back up everything: a history with an archived chat, a project and an image only the library knows, all saved', { skip, timeout: 120_000 }, async () => {
    fake!.state.conversations.clear();
    const ids = addHistory(fake!.state, { count: 3, archived: 1, projects: [[`g-p-${'f'.repeat(32)}`, 1]], deleted: 1, seed: 'firefox' });
    const all = [...ids.history, ...ids.archived, ...Object.values(ids.projects).flat()];
    const b = await launch();
    const tab = await ff!.page();
    await tab.goto('https://chatgpt.com/');
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
      { timeout: 90_000, interval: 500, message: 'the run ended' },
    );
    assert.match(summary, /Conversations: 4 read, 0 unchanged, 0 could not be read \(of 4 listed\)/);
    assert.match(summary, /Images found only in the image library: 1/);
    const dump = await readVault(b);
    assert.deepEqual([...dump.snapshotIds].sort(), [...all].sort());
    assert.equal(dump.artifacts.length, 5);
    for (const a of dump.artifacts) {
      assert.equal(a.status, 'saved', `${a.id} saved (${a.reason ?? ''})`);
      assert.equal(a.blobSha256, a.sha256, `${a.id}: the stored blob has its hash`);
    }
  });
});

