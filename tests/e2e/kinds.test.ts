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
import { sha256Hex } from '../fake-chatgpt/bytes.ts';
import { scanConversation } from '../fake-chatgpt/scan.ts';
import { expectedBytes, type FakeChatGPT } from '../fake-chatgpt/server.ts';
import { e2eSession, hasExtensionBuild, waitFor, type Browser } from './harness.ts';
import { readVault, type ProbedArtifact } from './vault-probe.ts';

const VOICE = 'b0b0b0b0-0000-4000-8000-000000000001'; // tests/fixtures/conversations/voice-2025.json
const CANVAS = 'cacacaca-0000-4000-8000-000000000001'; // canvas-2025.json
const RESEARCH = 'dededede-0000-4000-8000-000000000001'; // research-2026.json
const PROJECT = '9a9a9a9a-0000-4000-8000-000000000001'; // tests/fake-chatgpt/seed/project.json
const PROJECT_ID = `g-p-${'9a'.repeat(16)}`;
const skip = !hasExtensionBuild() && 'no .output/chrome-mv3 (run `npx wxt build`)';

/** The documents of canvas-2025.json as rebuilt from its messages (latest texts and the one earlier version). */
const CANVAS_REBUILT: Record<string, string> = {
  'trip-plan.md': '# Trip plan\n\nDay 1: Lisbon.\nDay 2: Sintra.\nDay 3: Porto ($40 train).\n',
  'trip-plan (v1).md': '# Trip plan\n\nDay 1: Lisbon.\nDay 2: Sintra.\n',
  'print-days.py': 'for d in ["Lisbon", "Sintra", "Porto"]:\n    print(d)\n',
};
/**
 * The same with the textdocs route answering (tests/fake-chatgpt/seed/textdocs): the plan's current text holds an
 * edit made in the canvas, and the text rebuilt from the messages is kept as its second version.
 */
const CANVAS_TEXTS: Record<string, string> = {
  ...CANVAS_REBUILT,
  'trip-plan.md': `${CANVAS_REBUILT['trip-plan.md']}Day 4: back home (edited in the canvas).\n`,
  'trip-plan (v2).md': CANVAS_REBUILT['trip-plan.md']!,
};
const REPORT =
  '# Heat pumps in cold climates\n\nModern units keep a COP above 2 at -15 C. ([Cold-climate heat pump field study](https://energy.example.gov/ccashp))' +
  ' Installation costs vary by region. ([Install cost survey 2025](https://costs.example.org/survey%20%28pdf%29), [Regional prices](https://prices.example.net/r))\n';

let fake: FakeChatGPT;
const { launch } = e2eSession({ fresh: true, started: (f) => (fake = f) });

const ofConversation = (all: ProbedArtifact[], id: string) => all.filter((a) => a.conversationId === id);

/** Waits until the conversation has at least `count` artifacts and none is pending; returns them. */
async function settled(b: Browser, conversationId: string, count: number, timeout = 60_000): Promise<ProbedArtifact[]> {
  let last = '';
  return waitFor(
    async () => {
      const mine = ofConversation((await readVault(b)).artifacts, conversationId);
      last = mine.map((a) => `${a.kind} ${a.fileName}=${a.status}${a.reason ? ` (${a.reason})` : ''}`).join('; ');
      return mine.length >= count && mine.every((a) => a.status !== 'pending') ? mine : null;
    },
    { timeout, interval: 250, message: `artifacts of ${conversationId} settled` },
  ).catch((err: Error) => {
    throw new Error(`${err.message}; vault: ${last || 'nothing'}`);
  });
}

function assertSavedBytes(a: ProbedArtifact, served: Buffer, source: string): void {
  assert.equal(a.status, 'saved', `${a.kind} ${a.fileName} saved (${a.reason ?? ''})`);
  assert.equal(a.sha256, sha256Hex(served), `${a.kind} ${a.fileName}: stored hash is the hash of the served bytes`);
  assert.equal(a.blobSha256, a.sha256, `${a.kind} ${a.fileName}: the stored blob really has that hash`);
  assert.equal(a.size, served.length);
  assert.equal(a.source, source);
}

/** Every recording of the voice conversation with kind `audio` and the WAV bytes served; the video container as `video`. */
function checkVoice(all: ProbedArtifact[], source: string): void {
  const scan = scanConversation(fake.state.conversations.get(VOICE)!);
  const media = [...scan.files.values()].filter((f) => f.use === 'audio' || f.use === 'video');
  assert.equal(media.filter((f) => f.use === 'audio').length, 3, 'the fixture has three recordings');
  const mine = ofConversation(all, VOICE);
  assert.deepEqual(mine.map((a) => `${a.kind} ${a.fileId}`).sort(), media.map((f) => `${f.use} ${f.fileId}`).sort(), 'one artifact per recording, of its kind');
  for (const f of media) {
    const a = mine.find((x) => x.fileId === f.fileId)!;
    const served = expectedBytes(f.use as 'audio' | 'video', f.fileId);
    assertSavedBytes(a, served, source);
    if (f.use === 'audio') {
      assert.equal(served.subarray(0, 4).toString('latin1'), 'RIFF');
      assert.equal(a.mimeType, 'audio/wav');
      assert.ok((a as ProbedArtifact & { expiresAt?: number | null }).expiresAt, `${a.fileName} keeps its expiry date`);
    }
  }
}

/** The canvas's latest text, its earlier versions and the code document, as files of their types. */
function checkCanvas(all: ProbedArtifact[], source: string, texts = CANVAS_TEXTS): void {
  const mine = ofConversation(all, CANVAS);
  assert.deepEqual(mine.map((a) => a.fileName).sort(), Object.keys(texts).sort());
  for (const a of mine) {
    assert.equal(a.kind, 'canvas');
    assertSavedBytes(a, Buffer.from(texts[a.fileName!]!, 'utf8'), source);
  }
  assert.equal(mine.find((a) => a.fileName === 'trip-plan.md')!.mimeType, 'text/markdown');
}

/** The textdocs reads of the canvas conversation that got an answer (any status). */
const textdocsReads = () => fake.state.requests.filter((r) => r.route === 'textdocs' && r.path.includes(CANVAS) && r.bearer);

function checkResearch(all: ProbedArtifact[], source: string): void {
  const mine = ofConversation(all, RESEARCH);
  assert.deepEqual(mine.map((a) => [a.kind, a.fileName, a.mimeType]), [['research', 'heat-pumps-in-cold-climates.md', 'text/markdown']]);
  assertSavedBytes(mine[0]!, Buffer.from(REPORT, 'utf8'), source);
}

/** The project chat's image and sandbox file, and no read or resolution of it went without the project header. */
function checkProject(all: ProbedArtifact[], source: string): void {
  const scan = scanConversation(fake.state.conversations.get(PROJECT)!);
  const image = [...scan.files.values()].find((f) => f.use === 'image')!;
  const path = [...scan.sandbox.keys()][0]!;
  const mine = ofConversation(all, PROJECT);
  assert.deepEqual(mine.map((a) => a.kind).sort(), ['image', 'sandbox-file']);
  assertSavedBytes(mine.find((a) => a.kind === 'image' && a.fileId === image.fileId)!, expectedBytes('file', image.fileId), source);
  assertSavedBytes(mine.find((a) => a.kind === 'sandbox-file' && a.sandboxPath === path)!, expectedBytes('sandbox', PROJECT, path), source);
  const refused = fake.state.requests.filter((r) => r.bearer && r.path.includes(PROJECT) && r.status === 404);
  assert.deepEqual(refused.map((r) => `${r.route} ${r.path}`), [], 'no request about the project chat was refused');
}

void describe('voice, canvas, research and project chats captured live', { skip }, () => {
  void test('a voice conversation: every recording saved with kind audio and the WAV bytes served', { timeout: 90_000 }, async () => {
    const b = await launch();
    await (await b.page()).goto(`https://chatgpt.com/c/${VOICE}`);
    checkVoice(await settled(b, VOICE, 4), 'live');
  });

  void test('a canvas conversation: the current text from the textdocs route, the earlier versions, as files of their types', { timeout: 90_000 }, async () => {
    const b = await launch();
    await (await b.page()).goto(`https://chatgpt.com/c/${CANVAS}`);
    checkCanvas(await settled(b, CANVAS, 4), 'live');
    assert.deepEqual(textdocsReads().map((r) => r.status), [200], 'the textdocs route was read once');
    assert.ok(!fake.state.requests.some((r) => r.route === 'textdocs' && !r.path.includes(CANVAS)), 'no other conversation\'s textdocs were read');
  });

  for (const [fault, status] of [['expired', 404], ['500', 500]] as const) {
    void test(`a canvas conversation whose textdocs route answers ${status}: the texts rebuilt from the messages`, { timeout: 90_000 }, async () => {
      fake.state.addFault({ route: 'textdocs', fault });
      const b = await launch();
      await (await b.page()).goto(`https://chatgpt.com/c/${CANVAS}`);
      checkCanvas(await settled(b, CANVAS, 3), 'live', CANVAS_REBUILT);
      assert.deepEqual(textdocsReads().map((r) => r.status), [status], 'asked once, never retried');
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
    checkProject(await settled(b, PROJECT, 2), 'live');
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
  checkVoice(dump.artifacts, 'backup');
  checkCanvas(dump.artifacts, 'backup');
  const docs = textdocsReads().filter((r) => r.status === 200);
  assert.equal(docs.length, 1, 'the backup read the canvas conversation\'s textdocs once');
  assert.equal(docs[0]!.fetchSite, throughTab ? 'same-origin' : 'none', throughTab ? 'through the tab' : 'by the worker');
  checkResearch(dump.artifacts, 'backup');
  checkProject(dump.artifacts, 'backup');
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
