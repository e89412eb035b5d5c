/**
 * Issue 18's kinds in real Chromium against the fake chatgpt.com: a voice conversation (both pointer shapes,
 * WAV bytes from the files route), a canvas document with two versions (its current text from the textdocs
 * route, and rebuilt from the messages when that route answers 404 or 500), a deep research report, and a
 * project chat whose reads and file resolutions need the `chatgpt-project-id` header (the fake answers 404
 * without it), each captured live and by `Back up everything`. Expected bytes come from the fake's own
 * scanner and byte generator; expected texts are the fixtures' documents as tests/fixtures/conversations
 * README describes them, and the fake's seed/textdocs. Run: `npx wxt build && node --import tsx --test tests/e2e/kinds.test.ts`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FakeChatGPT } from '../fake-chatgpt/server.ts';
import { e2eSession, hasExtensionBuild, waitFor } from './harness.ts';
import {
  CANVAS, CANVAS_REBUILT, checkCanvas, checkProject, checkResearch, checkVoice, PROJECT, PROJECT_ID, RESEARCH, settled, textdocsReads, VOICE,
} from './kinds-expected.ts';
import { readVault } from './vault-probe.ts';

const skip = !hasExtensionBuild() && 'no .output/chrome-mv3 (run `npx wxt build`)';

let fake: FakeChatGPT;
const { launch } = e2eSession({ fresh: true, started: (f) => (fake = f) });

void describe('voice, canvas, research and project chats captured live', { skip }, () => {
  void test('a voice conversation: every recording saved with kind audio and the WAV bytes served', { timeout: 90_000 }, async () => {
    const b = await launch();
    await (await b.page()).goto(`https://chatgpt.com/c/${VOICE}`);
    checkVoice(fake, await settled(b, VOICE, 4), 'live');
  });

  void test('a canvas conversation: the current text from the textdocs route, the earlier versions, as files of their types', { timeout: 90_000 }, async () => {
    const b = await launch();
    await (await b.page()).goto(`https://chatgpt.com/c/${CANVAS}`);
    checkCanvas(await settled(b, CANVAS, 4), 'live');
    assert.deepEqual(textdocsReads(fake).map((r) => r.status), [200], 'the textdocs route was read once');
    assert.ok(!fake.state.requests.some((r) => r.route === 'textdocs' && !r.path.includes(CANVAS)), 'no other conversation\'s textdocs were read');
  });

  for (const [fault, status] of [['expired', 404], ['500', 500]] as const) {
    void test(`a canvas conversation whose textdocs route answers ${status}: the texts rebuilt from the messages`, { timeout: 90_000 }, async () => {
      fake.state.addFault({ route: 'textdocs', fault });
      const b = await launch();
      await (await b.page()).goto(`https://chatgpt.com/c/${CANVAS}`);
      checkCanvas(await settled(b, CANVAS, 3), 'live', CANVAS_REBUILT);
      assert.deepEqual(textdocsReads(fake).map((r) => r.status), [status], 'asked once, never retried');
    });
  }

  void test('a deep research report: Markdown with its citations as links', { timeout: 90_000 }, async () => {
    const b = await launch();
    await (await b.page()).goto(`https://chatgpt.com/c/${RESEARCH}`);
    checkResearch(await settled(b, RESEARCH, 1), 'live');
  });

  void test('a project chat: its image and sandbox file, read and resolved with the project header', { timeout: 90_000 }, async () => {
    const b = await launch();
    await (await b.page()).goto(`https://chatgpt.com/g/${PROJECT_ID}-office-move/c/${PROJECT}`);
    checkProject(fake, await settled(b, PROJECT, 2), 'live');
    const reads = fake.state.requests.filter((r) => r.route === 'conversation' && r.bearer && r.path.endsWith(PROJECT) && r.status === 200);
    assert.ok(reads.length >= 1, 'the conversation was read');
  });
});

/** Back up everything over the four conversations alone; `throughTab`: the backend refuses the worker, a ChatGPT tab stays open. */
async function backUpEverything(throughTab: boolean): Promise<void> {
  const keep = new Set([VOICE, CANVAS, RESEARCH, PROJECT]);
  for (const id of [...fake.state.conversations.keys()]) if (!keep.has(id)) fake.state.conversations.delete(id);
  assert.equal(fake.state.conversations.size, 4);
  if (throughTab) fake.state.setOptions({ refuseNonPageRequests: true });
  const b = await launch();
  const tab = await b.page();
  await tab.goto('https://chatgpt.com/'); // signed in: the fake sets the session cookie on a page load
  if (!throughTab) await tab.close();
  const sw = await b.serviceWorker();
  await sw.evaluate(async () => {
    const c = (globalThis as unknown as { chrome: { storage: { local: { set(v: object): Promise<void> } } } }).chrome;
    await c.storage.local.set({ backupPacing: { spacingMs: 100, basePauseMs: 1_000, capPauseMs: 2_000 } });
  });
  const page = await b.openExtensionPage('/library.html');
  await page.getByRole('button', { name: 'Back up everything' }).click();
  await page.getByTestId('backup-summary').waitFor({ timeout: 180_000 });
  assert.match((await page.getByTestId('backup-summary').textContent()) ?? '', /4 read, 0 unchanged, 0 could not be read \(of 4 listed\)/);
  const dump = await waitFor(async () => {
    const d = await readVault(b);
    return d.jobs.length === 0 && d.artifacts.every((a) => a.status !== 'pending') ? d : null;
  }, { timeout: 60_000, message: 'every download done' });
  assert.deepEqual([...dump.snapshotIds].sort(), [...keep].sort());
  checkVoice(fake, dump.artifacts, 'backup');
  checkCanvas(dump.artifacts, 'backup');
  const docs = textdocsReads(fake).filter((r) => r.status === 200);
  assert.equal(docs.length, 1, 'the backup read the canvas conversation\'s textdocs once');
  assert.equal(docs[0]!.fetchSite, throughTab ? 'same-origin' : 'none', throughTab ? 'through the tab' : 'by the worker');
  checkResearch(dump.artifacts, 'backup');
  checkProject(fake, dump.artifacts, 'backup');
  if (throughTab) {
    const log = fake.state.requests;
    assert.ok(!log.some((r) => r.fetchSite === 'none' && r.route === 'conversation' && r.status === 200), 'no read by the worker');
    assert.ok(log.some((r) => r.fetchSite === 'same-origin' && r.route === 'conversation' && r.path.endsWith(PROJECT) && r.status === 200), 'the tab read the project chat');
  }
}

void describe('voice, canvas, research and project chats by Back up everything', { skip }, () => {
  void test('one run saves all four conversations\' artifacts', { timeout: 240_000 }, () => backUpEverything(false));
  void test('the same through a ChatGPT tab when the backend refuses the worker', { timeout: 240_000 }, () => backUpEverything(true));
});
