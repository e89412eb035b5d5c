/**
 * What issue 18's kinds must look like in the vault after a capture, in any browser (kinds.test.ts in Chromium,
 * firefox-kinds.test.ts in Firefox): the fake's voice, canvas, research and project conversations. Expected bytes
 * come from the fake's own scanner and byte generator; expected texts are the fixtures' documents as
 * tests/fixtures/conversations README describes them, and the fake's seed/textdocs.
 */
import assert from 'node:assert/strict';
import { sha256Hex } from '../fake-chatgpt/bytes.ts';
import { scanConversation } from '../fake-chatgpt/scan.ts';
import { expectedBytes, type FakeChatGPT } from '../fake-chatgpt/server.ts';
import { waitFor, type Browser } from './harness.ts';
import { readVault, type ProbedArtifact } from './vault-probe.ts';

export const VOICE = 'b0b0b0b0-0000-4000-8000-000000000001'; // tests/fixtures/conversations/voice-2025.json
export const CANVAS = 'cacacaca-0000-4000-8000-000000000001'; // canvas-2025.json
export const RESEARCH = 'dededede-0000-4000-8000-000000000001'; // research-2026.json
export const PROJECT = '9a9a9a9a-0000-4000-8000-000000000001'; // tests/fake-chatgpt/seed/project.json
export const PROJECT_ID = `g-p-${'9a'.repeat(16)}`;

/** The documents of canvas-2025.json as rebuilt from its messages (latest texts and the one earlier version). */
export const CANVAS_REBUILT: Record<string, string> = {
  'trip-plan.md': '# Trip plan\n\nDay 1: Lisbon.\nDay 2: Sintra.\nDay 3: Porto ($40 train).\n',
  'trip-plan (v1).md': '# Trip plan\n\nDay 1: Lisbon.\nDay 2: Sintra.\n',
  'print-days.py': 'for d in ["Lisbon", "Sintra", "Porto"]:\n    print(d)\n',
};
/**
 * The same with the textdocs route answering (tests/fake-chatgpt/seed/textdocs): the plan's current text holds an
 * edit made in the canvas, and the text rebuilt from the messages is kept as its second version.
 */
export const CANVAS_TEXTS: Record<string, string> = {
  ...CANVAS_REBUILT,
  'trip-plan.md': `${CANVAS_REBUILT['trip-plan.md']}Day 4: back home (edited in the canvas).\n`,
  'trip-plan (v2).md': CANVAS_REBUILT['trip-plan.md']!,
};
export const REPORT =
  '# Heat pumps in cold climates\n\nModern units keep a COP above 2 at -15 C. ([Cold-climate heat pump field study](https://energy.example.gov/ccashp))' +
  ' Installation costs vary by region. ([Install cost survey 2025](https://costs.example.org/survey%20%28pdf%29), [Regional prices](https://prices.example.net/r))\n';

export const ofConversation = (all: ProbedArtifact[], id: string) => all.filter((a) => a.conversationId === id);

/**
 * Waits until the conversation has at least `count` artifacts and none is pending, then reads the vault once
 * more (the probe reads the blobs before the artifacts, so the read that first sees the last one saved may
 * predate its blob); returns them.
 */
export async function settled(b: Browser, conversationId: string, count: number, timeout = 60_000): Promise<ProbedArtifact[]> {
  let last = '';
  await waitFor(
    async () => {
      const mine = ofConversation((await readVault(b)).artifacts, conversationId);
      last = mine.map((a) => `${a.kind} ${a.fileName}=${a.status}${a.reason ? ` (${a.reason})` : ''}`).join('; ');
      return mine.length >= count && mine.every((a) => a.status !== 'pending') ? mine : null;
    },
    { timeout, interval: 250, message: `artifacts of ${conversationId} settled` },
  ).catch((err: Error) => {
    throw new Error(`${err.message}; vault: ${last || 'nothing'}`);
  });
  return ofConversation((await readVault(b)).artifacts, conversationId);
}

function assertSavedBytes(a: ProbedArtifact, served: Buffer, source: string): void {
  assert.equal(a.status, 'saved', `${a.kind} ${a.fileName} saved (${a.reason ?? ''})`);
  assert.equal(a.sha256, sha256Hex(served), `${a.kind} ${a.fileName}: stored hash is the hash of the served bytes`);
  assert.equal(a.blobSha256, a.sha256, `${a.kind} ${a.fileName}: the stored blob really has that hash`);
  assert.equal(a.size, served.length);
  assert.equal(a.source, source);
}

/** Every recording of the voice conversation with kind `audio` and the WAV bytes served; the video container as `video`. */
export function checkVoice(fake: FakeChatGPT, all: ProbedArtifact[], source: string): void {
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
export function checkCanvas(all: ProbedArtifact[], source: string, texts = CANVAS_TEXTS): void {
  const mine = ofConversation(all, CANVAS);
  assert.deepEqual(mine.map((a) => a.fileName).sort(), Object.keys(texts).sort());
  for (const a of mine) {
    assert.equal(a.kind, 'canvas');
    assertSavedBytes(a, Buffer.from(texts[a.fileName!]!, 'utf8'), source);
  }
  assert.equal(mine.find((a) => a.fileName === 'trip-plan.md')!.mimeType, 'text/markdown');
}

/** The textdocs reads of the canvas conversation that got an answer (any status). */
export const textdocsReads = (fake: FakeChatGPT) => fake.state.requests.filter((r) => r.route === 'textdocs' && r.path.includes(CANVAS) && r.bearer);

export function checkResearch(all: ProbedArtifact[], source: string): void {
  const mine = ofConversation(all, RESEARCH);
  assert.deepEqual(mine.map((a) => [a.kind, a.fileName, a.mimeType]), [['research', 'heat-pumps-in-cold-climates.md', 'text/markdown']]);
  assertSavedBytes(mine[0]!, Buffer.from(REPORT, 'utf8'), source);
}

/** The project chat's image and sandbox file, and no read or resolution of it went without the project header. */
export function checkProject(fake: FakeChatGPT, all: ProbedArtifact[], source: string): void {
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
