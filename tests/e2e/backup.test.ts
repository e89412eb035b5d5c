/**
 * Backups in real Chromium against the fake chatgpt.com (issue 8): the popup's `Back up this conversation`
 * with live progress, a second click that fetches nothing, and `Download this conversation` restored into an
 * empty profile; `Back up everything` over a generated history (archived chats, two projects, a deleted
 * conversation known only to the image library) under a 429 storm, with the worker stopped and the page
 * closed mid-run; `Pause`/`Resume` and `Cancel`. Run: `npx wxt build && node --import tsx --test tests/e2e/backup.test.ts`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { addHistory } from '../fake-chatgpt/history.ts';
import { writeSampleExport } from '../../scripts/sample-export.ts';
import type { FakeChatGPT, RequestLogEntry } from '../fake-chatgpt/server.ts';
import { scanConversation } from '../fake-chatgpt/scan.ts';
import { conversationReads, e2eSession, hasExtensionBuild, stopServiceWorker, waitFor, type Browser } from './harness.ts';
import { forgetProbe, readVault } from './vault-probe.ts';

const MIXED = '69f1a2b3-4c5d-8e6f-a7b8-c9d0e1f2a3b4';
const skip = !hasExtensionBuild() && 'no .output/chrome-mv3 (run `npx wxt build`)';

/**
 * Routes of the JSON API that run one at a time: conversation reads and listings. File resolutions
 * (files-download, interpreter) run a few at once in their own lane, as the web app fires them; bytes from
 * estuary and the SAS host are not JSON requests.
 */
const JSON_ROUTES = new Set(['session', 'conversation', 'conversations', 'projects', 'project-conversations', 'image-library', 'accounts']);

let fake: FakeChatGPT;
const { launch } = e2eSession({ fresh: true, started: (f) => (fake = f) });

/** The person is signed in (the fake sets the session cookie on a page load); then no ChatGPT tab stays open. */
async function signIn(b: Browser): Promise<void> {
  const tab = await b.page();
  await tab.goto('https://chatgpt.com/');
  await tab.close();
}

/** Shorter pauses than ChatGPT needs (the real ones are 1 s spacing, 60 s doubling to 5 min), so tests end. */
async function setPacing(b: Browser, pacing: { spacingMs: number; basePauseMs: number; capPauseMs: number; bucketCapacity?: number; bucketRefillMs?: number }): Promise<void> {
  const sw = await b.serviceWorker();
  await sw.evaluate(async (p) => {
    await (globalThis as unknown as { chrome: { storage: { local: { set(v: object): Promise<void> } } } }).chrome.storage.local.set({ backupPacing: p });
  }, pacing);
}

/** Pairs of extension reads or listings that were in flight at the same time. */
function overlaps(log: RequestLogEntry[]): string[] {
  const json = log.filter((r) => JSON_ROUTES.has(r.route) && r.fetchSite === 'none').sort((a, b) => a.time - b.time);
  const out: string[] = [];
  for (let i = 1; i < json.length; i++) {
    const prev = json[i - 1]!;
    const cur = json[i]!;
    if (prev.end !== null && cur.time < prev.end) out.push(`${prev.route} ${prev.path} [${prev.time}-${prev.end}] / ${cur.route} ${cur.path} @${cur.time}`);
  }
  return out;
}


/** The browser's tab id of the open ChatGPT tab (the popup is opened for it with `?tab=`). */
async function chatgptTabId(b: Browser): Promise<number> {
  const sw = await b.serviceWorker();
  return sw.evaluate(async () => {
    const c = (globalThis as unknown as { chrome: { tabs: { query(q: object): Promise<{ id: number }[]> } } }).chrome;
    return (await c.tabs.query({ url: 'https://chatgpt.com/*' }))[0]!.id;
  });
}

async function text(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).textContent().catch(() => '')) ?? '';
}

void describe('Back up this conversation (popup)', { skip }, () => {
  void test('saves the snapshot and every file with progress, a second click fetches nothing, the download restores elsewhere', { timeout: 180_000 }, async () => {
    const conv = fake.state.conversations.get(MIXED)!;
    const scan = scanConversation(conv);
    const expectedCount = [...scan.files.values()].filter((f) => f.use === 'image' || f.use === 'chart').length + scan.sandbox.size;
    // While the tab captures live, file resolution fails, so the popup's backup is what saves the files.
    const blocked = fake.state.addFault({ route: 'files-download', fault: '500' });
    const blockedSandbox = fake.state.addFault({ route: 'interpreter', fault: '500' });
    const b = await launch();
    const tab = await b.page();
    await tab.goto(`https://chatgpt.com/c/${MIXED}`);
    await waitFor(async () => (await readVault(b)).artifacts.filter((a) => a.conversationId === MIXED).length === expectedCount, { timeout: 30_000, message: 'live capture recorded the references' });
    blocked.remove();
    blockedSandbox.remove();
    // One stalled byte download keeps the run going long enough to watch it (then it is retried).
    fake.state.addFault({ route: 'estuary', fault: 'stall', times: 1, bearer: true });

    const tabId = await chatgptTabId(b);
    let popup = await b.openExtensionPage(`/popup.html?tab=${tabId}`);
    await popup.getByRole('button', { name: 'Back up this conversation' }).click();
    const bar = popup.getByRole('progressbar');
    await bar.waitFor({ timeout: 20_000 });
    assert.ok(Number(await bar.getAttribute('aria-valuemax')) >= 1);
    assert.notEqual(await bar.getAttribute('aria-valuenow'), null);
    await waitFor(async () => /of \d+ files|Reading the conversation/.test(await text(popup, 'backup-step')), { timeout: 20_000, message: 'the step in words' });

    // Closing the popup does not stop the run; reopening shows it live (or finished).
    await popup.close();
    popup = await b.openExtensionPage(`/popup.html?tab=${tabId}`);
    await popup.getByTestId('backup-progress').waitFor({ timeout: 20_000 });
    await popup.getByRole('button', { name: 'Download this conversation' }).waitFor({ timeout: 90_000 });
    assert.equal(await popup.getByRole('progressbar').count(), 0);
    const summary = await text(popup, 'backup-summary');
    assert.match(summary, /Files: \d+ new saved/);

    const dump = await readVault(b);
    const mine = dump.artifacts.filter((a) => a.conversationId === MIXED);
    assert.equal(mine.length, expectedCount);
    assert.deepEqual(mine.filter((a) => a.status !== 'saved').map((a) => `${a.id}: ${a.status} ${a.reason}`), []);
    assert.ok(mine.every((a) => a.blobSha256 === a.sha256));
    assert.ok(dump.snapshotIds.includes(MIXED));
    const newSaved = Number(/Files: (\d+) new saved/.exec(summary)![1]);
    assert.ok(newSaved >= 1, `the popup's run saved files itself (${summary})`);

    // A second click: the conversation is read again, no file is fetched again.
    fake.state.requests = [];
    await popup.getByRole('button', { name: 'Back up this conversation' }).click();
    await waitFor(async () => /0 new saved/.test(await text(popup, 'backup-summary')) && (await popup.getByRole('progressbar').count()) === 0, { timeout: 30_000, message: 'second run done' });
    const fetched = fake.state.requests.filter((r) => ['files-download', 'interpreter', 'estuary', 'sas'].includes(r.route));
    assert.deepEqual(fetched.map((r) => r.path), []);
    assert.match(await text(popup, 'backup-summary'), new RegExp(`${expectedCount} already in the vault`));

    // Download this conversation: one conversation's vault archive, restorable into an empty profile.
    const [download] = await Promise.all([popup.waitForEvent('download'), popup.getByRole('button', { name: 'Download this conversation' }).click()]);
    assert.match(download.suggestedFilename(), /^chatgpt-vault-quarterly-dashboard-\d{4}-\d\d-\d\d\.zip$/);
    const zip = readFileSync(await download.path());

    const empty = await launch();
    const library = await empty.openExtensionPage('/library.html');
    await library.getByLabel('Restore backup').setInputFiles({ name: download.suggestedFilename(), mimeType: 'application/zip', buffer: zip });
    await library.getByTestId('restore-report').waitFor({ timeout: 30_000 });
    assert.match((await library.getByTestId('restore-report').textContent()) ?? '', new RegExp(`${expectedCount} added`));
    const restored = await readVault(empty);
    assert.deepEqual(restored.snapshotIds, [MIXED]);
    assert.equal(restored.artifacts.length, expectedCount);
    assert.deepEqual(
      restored.artifacts.map((a) => [a.id, a.sha256, a.status]).sort(),
      mine.map((a) => [a.id, a.sha256, a.status]).sort(),
    );
    assert.ok(restored.artifacts.every((a) => a.blobSha256 === a.sha256));
  });
});

void describe('Back up everything (library page)', { skip }, () => {
  void test('export-first: after a reconcile, conversations the export shows without files and unchanged since are not read', { timeout: 240_000 }, async () => {
    fake.state.conversations.clear();
    const plain = addHistory(fake.state, { count: 10, imagesPerConversation: 0, seed: 'plain' }).history;
    const withImages = addHistory(fake.state, { count: 2, seed: 'images' }).history;
    // The export as ChatGPT would give it today (no binaries needed: only conversations are indexed).
    const chunks: Uint8Array[] = [];
    await writeSampleExport([...fake.state.conversations.values()], new WritableStream({ write: (c) => void chunks.push(c.slice()) }));
    const exportZip = Buffer.concat(chunks);
    // One conversation without files changes after the export was made, and one appears that it lacks.
    const changed = fake.state.conversations.get(plain[3]!)!;
    changed.update_time = (changed.update_time as number) + 3_600;
    const newer = addHistory(fake.state, { count: 1, imagesPerConversation: 0, seed: 'newer' }).history;

    const b = await launch();
    await signIn(b);
    await setPacing(b, { spacingMs: 50, basePauseMs: 1_000, capPauseMs: 2_000 });
    const page = await b.openExtensionPage('/library.html');
    await page.getByRole('button', { name: 'Reconcile', exact: true }).click();
    await page.getByLabel('Export ZIP').setInputFiles({ name: 'chatgpt-export.zip', mimeType: 'application/zip', buffer: exportZip });
    await page.getByRole('button', { name: 'Download report' }).waitFor({ timeout: 60_000 });

    await page.reload();
    const useExport = page.getByRole('checkbox', { name: /Use the export reconciled on .*chatgpt-export\.zip/ });
    await useExport.waitFor();
    assert.equal(await useExport.isChecked(), true);
    fake.state.requests = [];
    await page.getByRole('button', { name: 'Back up everything' }).click();
    await page.getByTestId('backup-summary').waitFor({ timeout: 180_000 });

    const reads = new Set(conversationReads(fake.state.requests));
    assert.deepEqual([...reads].sort(), [...withImages, plain[3]!, ...newer].sort());
    assert.equal(await text(page, 'export-saved'), 'Reads saved by the export: 9');
    assert.match(await text(page, 'backup-step'), /9 reads saved by the export chatgpt-export\.zip/);
  });

  void test('export-first with an export chosen in the panel: a bad ZIP says why, the chosen one is used without a reconcile', { timeout: 240_000 }, async () => {
    fake.state.conversations.clear();
    const plain = addHistory(fake.state, { count: 6, imagesPerConversation: 0, seed: 'chosen-plain' }).history;
    const withImages = addHistory(fake.state, { count: 1, seed: 'chosen-images' }).history;
    const chunks: Uint8Array[] = [];
    await writeSampleExport([...fake.state.conversations.values()], new WritableStream({ write: (c) => void chunks.push(c.slice()) }));
    const exportZip = Buffer.concat(chunks);

    const b = await launch();
    await signIn(b);
    await setPacing(b, { spacingMs: 50, basePauseMs: 1_000, capPauseMs: 2_000 });
    const page = await b.openExtensionPage('/library.html');
    const chooser = page.getByLabel('Use another export…');
    await chooser.setInputFiles({ name: 'not-an-export.zip', mimeType: 'application/zip', buffer: Buffer.from('this is not a zip') });
    await page.getByRole('alert').filter({ hasText: /not-an-export\.zip cannot be used: / }).waitFor({ timeout: 60_000 });

    await chooser.setInputFiles({ name: 'chosen-export.zip', mimeType: 'application/zip', buffer: exportZip });
    const useExport = page.getByRole('checkbox', { name: /Use the export reconciled on .*chosen-export\.zip/ });
    await useExport.waitFor({ timeout: 60_000 });
    assert.equal(await useExport.isChecked(), true);
    fake.state.requests = [];
    await page.getByRole('button', { name: 'Back up everything' }).click();
    await page.getByTestId('backup-summary').waitFor({ timeout: 180_000 });

    assert.deepEqual([...new Set(conversationReads(fake.state.requests))].sort(), [...withImages].sort());
    assert.equal(await text(page, 'export-saved'), `Reads saved by the export: ${plain.length}`);
  });

  void test('a 36-conversation history (4 archived, 2 projects, 1 deleted) under a 429 storm, worker stopped and page closed mid-run: completes, one request at a time, nothing lost or doubled', { timeout: 300_000 }, async () => {
    fake.state.conversations.clear();
    const ids = addHistory(fake.state, { count: 30, archived: 4, projects: [[`g-p-${'a'.repeat(32)}`, 3], [`g-p-${'b'.repeat(32)}`, 3]], deleted: 1, seed: 'e2e' });
    const all = [...ids.history, ...ids.archived, ...Object.values(ids.projects).flat()];
    assert.equal(all.length, 36);
    fake.state.setOptions({ rateLimit: { capacity: 6, refillPerSec: 2 } });
    const b = await launch();
    await signIn(b);
    // The bucket model starts above the fake's bucket (6, refilling 2/s; ChatGPT's is ~200 refilling 1/min), so
    // the storm still happens and is learned, and refills come at the fake's rate, not at ChatGPT's.
    await setPacing(b, { spacingMs: 100, basePauseMs: 3_000, capPauseMs: 6_000, bucketCapacity: 12, bucketRefillMs: 500 });

    let page = await b.openExtensionPage('/library.html');
    await page.getByRole('button', { name: 'Back up everything' }).click();
    const bar = page.getByRole('progressbar');
    await bar.waitFor({ timeout: 20_000 });
    assert.notEqual(await bar.getAttribute('aria-valuemax'), null);
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    await page.getByRole('button', { name: 'Cancel' }).waitFor();
    // The storm shows as a countdown.
    await page.getByTestId('backup-countdown').filter({ hasText: /next request in \d+ s/ }).waitFor({ timeout: 60_000 });

    // Mid-run: stop the worker and close the page; reopening the page brings the run back.
    await waitFor(() => conversationReads(fake.state.requests).length >= 10, { timeout: 120_000, message: 'ten conversations read' });
    await page.close();
    forgetProbe(b);
    await stopServiceWorker(b.context, b.extensionId!);
    page = await b.openExtensionPage('/library.html');
    await page.getByTestId('backup-progress').waitFor({ timeout: 20_000 });
    await page.getByTestId('backup-summary').waitFor({ timeout: 240_000 });
    assert.equal(await page.getByRole('button', { name: 'Cancel' }).count(), 0);
    assert.equal(await page.getByRole('progressbar').count(), 0);
    const summary = await text(page, 'backup-summary');
    assert.match(summary, /Conversations: 36 read, 0 unchanged, 0 could not be read \(of 36 listed\)/);
    assert.match(summary, /Images found only in the image library: 1/);
    assert.equal(await text(page, 'backup-account'), 'For your personal ChatGPT account');

    const log = fake.state.requests;
    assert.ok(log.some((r) => r.status === 429), 'the storm happened');
    assert.deepEqual(overlaps(log), [], 'never two reads or listings in flight');
    const reads = conversationReads(log);
    const counted = new Map<string, number>();
    for (const id of reads) counted.set(id, (counted.get(id) ?? 0) + 1);
    // A read cut by the stopped worker may be repeated once; nothing else is read twice.
    const twice = [...counted].filter(([, n]) => n > 1);
    assert.ok(twice.length <= 1 && twice.every(([, n]) => n === 2), `read twice: ${JSON.stringify(twice)}`);

    const dump = await readVault(b);
    assert.deepEqual([...dump.snapshotIds].sort(), [...all].sort());
    const ofHistory = dump.artifacts.filter((a) => all.includes(a.conversationId));
    assert.equal(ofHistory.length, 36);
    const gone = dump.artifacts.filter((a) => a.conversationId === ids.deleted[0]);
    assert.equal(gone.length, 1);
    assert.equal(gone[0]!.source, 'backup');
    assert.ok(gone[0]!.genId && gone[0]!.messageId && gone[0]!.prompt, 'gen_id, message id and prompt from the image library');
    assert.deepEqual(dump.artifacts.filter((a) => a.status !== 'saved').map((a) => `${a.id} ${a.status} ${a.reason}`), []);
    assert.ok(dump.artifacts.every((a) => a.source === 'backup' && a.blobSha256 === a.sha256));
    assert.equal(dump.jobs.length, 0);
  });

  void test('Pause holds the run, Resume goes on, Cancel stops it promptly, its queued files included', { timeout: 180_000 }, async () => {
    fake.state.conversations.clear();
    addHistory(fake.state, { count: 40, seed: 'pause' });
    // Byte downloads hang, so files the run queued are still waiting when it is cancelled.
    const stall = fake.state.addFault({ route: 'estuary', fault: 'stall' });
    const b = await launch();
    await signIn(b);
    await setPacing(b, { spacingMs: 300, basePauseMs: 1_000, capPauseMs: 2_000 });
    const page = await b.openExtensionPage('/library.html');
    await page.getByRole('button', { name: 'Back up everything' }).click();
    await waitFor(() => conversationReads(fake.state.requests).length >= 3, { timeout: 60_000, message: 'reading started' });
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Resume' }).waitFor({ timeout: 10_000 });
    const atPause = conversationReads(fake.state.requests).length;
    await new Promise((r) => setTimeout(r, 2_000));
    assert.equal(conversationReads(fake.state.requests).length, atPause, 'no conversation read while paused');
    assert.match(await text(page, 'backup-step'), /Paused/);

    await page.getByRole('button', { name: 'Resume' }).click();
    await waitFor(() => conversationReads(fake.state.requests).length >= atPause + 3, { timeout: 60_000, message: 'reading resumed' });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByTestId('backup-summary').waitFor({ timeout: 10_000 });
    assert.equal(await page.getByRole('button', { name: 'Cancel' }).count(), 0);
    const atCancel = conversationReads(fake.state.requests).length;
    await new Promise((r) => setTimeout(r, 2_000));
    assert.equal(conversationReads(fake.state.requests).length, atCancel, 'nothing read after Cancel');
    assert.ok(atCancel < 40);
    // Its queued files were dropped with it: each ends failed with the reason; the ones already downloading
    // end the same way when they fail (the stall times out), never retried. Nothing is left to download.
    stall.remove();
    await waitFor(async () => (await readVault(b)).jobs.length === 0, { timeout: 60_000, message: 'no download left after Cancel' });
    const dump = await readVault(b);
    const dropped = dump.artifacts.filter((a) => a.status === 'failed');
    assert.ok(dropped.length > 0, 'some files were still queued at Cancel');
    assert.deepEqual(dump.artifacts.filter((a) => a.status !== 'saved' && !(a.status === 'failed' && /cancelled/.test(a.reason ?? ''))).map((a) => `${a.id} ${a.status} ${a.reason}`), []);
    const bytesAfter = fake.state.requests.filter((r) => r.route === 'estuary').length;
    await new Promise((r) => setTimeout(r, 2_000));
    assert.equal(fake.state.requests.filter((r) => r.route === 'estuary').length, bytesAfter, 'no download after Cancel');
    // A new run can start afterwards.
    await page.getByRole('button', { name: 'Back up everything' }).waitFor();
  });
});

void describe('Backups in a workspace (Team/Business)', { skip }, () => {
  void test('the popup and Back up everything speak for the workspace selected in ChatGPT (ChatGPT-Account-Id)', { timeout: 180_000 }, async () => {
    fake.state.conversations.clear();
    const ids = addHistory(fake.state, { count: 3, seed: 'workspace' });
    // Every backend call now needs `ChatGPT-Account-Id: <this>` (403 without it), as a workspace's do.
    fake.state.setOptions({ workspaceAccountId: 'ws-0000fake0000team' });
    const b = await launch();
    await setPacing(b, { spacingMs: 100, basePauseMs: 1_000, capPauseMs: 2_000 });
    const first = ids.history[0]!;
    // The open tab captures its conversation live, and so reports the selected workspace to the worker.
    const tab = await b.page();
    await tab.goto(`https://chatgpt.com/c/${first}`);
    await waitFor(async () => (await readVault(b)).artifacts.some((a) => a.conversationId === first && a.status === 'saved'), { timeout: 30_000, message: 'live capture in the workspace' });

    const tabId = await chatgptTabId(b);
    const popup = await b.openExtensionPage(`/popup.html?tab=${tabId}`);
    await popup.getByRole('button', { name: 'Back up this conversation' }).click();
    await popup.getByRole('button', { name: 'Download this conversation' }).waitFor({ timeout: 60_000 });
    assert.match(await text(popup, 'backup-summary'), /0 expired, 0 failed, 1 already in the vault/);
    await popup.close();
    await tab.close();

    // No ChatGPT tab open now: the run uses the workspace the tabs reported last.
    const page = await b.openExtensionPage('/library.html');
    await page.getByRole('button', { name: 'Back up everything' }).click();
    await page.getByTestId('backup-summary').waitFor({ timeout: 120_000 });
    assert.match(await text(page, 'backup-summary'), /0 could not be read \(of 3 listed\)/);
    assert.equal(await text(page, 'backup-account'), 'For the workspace selected in ChatGPT');

    const ours = fake.state.requests.filter((r) => r.fetchSite === 'none' && r.path.startsWith('/backend-api/') && r.route !== 'estuary');
    assert.ok(ours.some((r) => r.route === 'conversations') && ours.some((r) => r.route === 'image-library'), 'the run listed the history and the image library');
    assert.deepEqual(ours.filter((r) => r.status === 403).map((r) => `${r.route} ${r.path}`), [], 'nothing refused for lack of the workspace header');
    const dump = await readVault(b);
    assert.deepEqual([...dump.snapshotIds].sort(), [...ids.history].sort());
    assert.deepEqual(dump.artifacts.filter((a) => a.status !== 'saved').map((a) => `${a.id} ${a.status} ${a.reason}`), []);
    assert.equal(dump.artifacts.length, 3);
  });
});

void describe('Back up everything when ChatGPT refuses the extension\'s own requests', { skip }, () => {
  void test('with no ChatGPT tab the run pauses and says what to do; with one open, Resume reads through it and finishes', { timeout: 180_000 }, async () => {
    fake.state.conversations.clear();
    const ids = addHistory(fake.state, { count: 3, seed: 'refused' });
    // A Cloudflare-like challenge (403 HTML) for every API request that does not come from a ChatGPT page.
    fake.state.setOptions({ refuseNonPageRequests: true });
    const b = await launch();
    await signIn(b);
    await setPacing(b, { spacingMs: 100, basePauseMs: 1_000, capPauseMs: 2_000 });
    const page = await b.openExtensionPage('/library.html');
    await page.getByRole('button', { name: 'Back up everything' }).click();
    await waitFor(async () => /open ChatGPT in a tab/.test(await text(page, 'backup-step')), { timeout: 60_000, message: 'the run asks for a ChatGPT tab' });
    await page.getByRole('button', { name: 'Resume' }).waitFor({ timeout: 10_000 });
    assert.equal(conversationReads(fake.state.requests).length, 0);

    const tab = await b.page();
    await tab.goto('https://chatgpt.com/');
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByTestId('backup-summary').waitFor({ timeout: 120_000 });
    assert.match(await text(page, 'backup-summary'), /Conversations: 3 read, 0 unchanged, 0 could not be read \(of 3 listed\)/);
    const log = fake.state.requests;
    assert.ok(log.some((r) => r.fetchSite === 'none' && r.status === 403), 'the worker was refused');
    assert.ok(!log.some((r) => r.fetchSite === 'none' && r.route === 'conversation' && r.status === 200), 'no read by the worker');
    assert.deepEqual([...new Set(conversationReads(log))].sort(), [...ids.history].sort());
    const dump = await readVault(b);
    assert.deepEqual([...dump.snapshotIds].sort(), [...ids.history].sort());
    // The files too, through the tab (the sign-in tab's port may have closed before the queue heard of it).
    assert.equal(dump.artifacts.length, 3);
    assert.deepEqual(dump.artifacts.filter((a) => a.status !== 'saved').map((a) => `${a.id} ${a.status} ${a.reason}`), []);
    assert.ok(dump.artifacts.every((a) => a.blobSha256 === a.sha256));
    assert.ok(!log.some((r) => r.fetchSite === 'none' && r.route === 'estuary' && r.status === 200), 'no bytes served to the worker');
    assert.deepEqual(dump.jobs, []);
  });
});
