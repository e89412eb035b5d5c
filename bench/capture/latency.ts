/**
 * Capture latency (issue 3, "Benchmarks"): from the moment an artifact appears in the page to the moment its
 * bytes are committed in the vault, in real Chromium with the built extension against the fake chatgpt.com on
 * loopback.
 *
 * - "Appears" is recorded in the page by a MutationObserver installed before the app runs (page-scripts.ts):
 *   the first `<img>` carrying the file id, or the first sandbox link/button for the path, on the page clock
 *   (`performance.timeOrigin + performance.now()`).
 * - "Committed" is the artifact record's `capturedAt` (set by the background when it stores the bytes). Both
 *   clocks are this machine's wall clock.
 * - Artifacts come from the initial load of the fixture conversations (2026 markup on chatgpt.com, legacy
 *   markup and signed URLs on chat.openai.com) and from live generations sent one after another in one
 *   conversation, each waiting for the previous pair (a sandbox file, then an async image_gen image) to be
 *   saved, as a person chatting would.
 *
 * The fake server's request log splits each latency in two: appearance -> the extension's first resolution
 * request for that artifact (noticing, reading the conversation, walking, queueing, leasing), and that request
 * -> commit (resolution, download, transfer to the background, hashing, storing).
 */
import { scanConversation } from '../../tests/fake-chatgpt/scan.ts';
import { startFakeChatGPT, type FakeChatGPT } from '../../tests/fake-chatgpt/server.ts';
import type { Page } from 'playwright-core';
import { launchBrowser, waitFor, type Browser } from '../../tests/e2e/harness.ts';
import { APPEARANCE_SCRIPT } from './page-scripts';
import { median, ms, percentile, summary } from './stats';
import { appearanceKey, VaultReader, type ArtifactRow } from './vault';

/** Fixture conversations loaded first (skipping upload-only ones and the 20 MB one, which measure other things). */
const INITIAL: { url: string; id: string }[] = [
  { url: 'https://chatgpt.com/c/c1c1c1c1-0000-4000-8000-000000000003', id: 'c1c1c1c1-0000-4000-8000-000000000003' }, // code interpreter
  { url: 'https://chat.openai.com/c/d3d3d3d3-0000-4000-8000-000000000001', id: 'd3d3d3d3-0000-4000-8000-000000000001' }, // DALL-E 3, legacy
  { url: 'https://chatgpt.com/c/69dc3dc3-8dfc-8333-9e10-000000000002', id: '69dc3dc3-8dfc-8333-9e10-000000000002' }, // image_gen
  { url: 'https://chat.openai.com/c/23232323-0000-4000-8000-000000000005', id: '23232323-0000-4000-8000-000000000005' }, // 2023 legacy
  { url: 'https://chatgpt.com/c/5e5e5e5e-0000-4000-8000-000000000006', id: '5e5e5e5e-0000-4000-8000-000000000006' },
  { url: 'https://chatgpt.com/c/6a1f0c2e-5e1d-4d6b-9c3a-00000000de01', id: '6a1f0c2e-5e1d-4d6b-9c3a-00000000de01' },
  { url: 'https://chatgpt.com/c/69f1a2b3-4c5d-8e6f-a7b8-c9d0e1f2a3b4', id: '69f1a2b3-4c5d-8e6f-a7b8-c9d0e1f2a3b4' }, // 2026 mixed; live generations follow here
];
const MIN_MEASURED = 50;
const MIN_LIVE = 16;
const MAX_LIVE = 24;
const TARGET_P95_MS = 1_500;

interface Measured {
  row: ArtifactRow;
  origin: 'load' | 'live';
  seenAt: number;
  latency: number;
  /** Appearance -> the extension's first resolution request (server clock), when the log shows one. */
  toResolve: number | null;
  /** For live sandbox files: first appearance of the link text mid-stream -> the rendered link. */
  streamWait: number | null;
}

/** Artifacts the extension should capture in a conversation: images, charts, sandbox files (uploads are off). */
function expectedCount(fake: FakeChatGPT, id: string): number {
  const conv = fake.state.conversations.get(id);
  if (!conv) throw new Error(`fixture ${id} missing`);
  const scan = scanConversation(conv);
  return [...scan.files.values()].filter((f) => f.use === 'image' || f.use === 'chart').length + scan.sandbox.size;
}

/** Resolves once the conversation has at least `count` records and none is pending; the rows. */
async function settled(vault: VaultReader, conversationId: string, count: number, timeout: number): Promise<ArtifactRow[]> {
  return waitFor(
    async () => {
      const mine = (await vault.artifacts()).filter((a) => a.conversationId === conversationId);
      return mine.length >= count && mine.every((a) => a.status !== 'pending') ? mine : null;
    },
    { timeout, interval: 50, message: `${count} artifacts of ${conversationId} settled` },
  );
}

/** Server time of the extension's first resolution request for this artifact, if any. */
function resolveRequestAt(fake: FakeChatGPT, a: ArtifactRow): number | null {
  for (const r of fake.state.requests) {
    if (!r.bearer) continue;
    if (a.kind === 'sandbox-file') {
      if (r.route !== 'interpreter' || !r.path.includes(encodeURIComponent(a.conversationId))) continue;
      const path = new URL(r.path, 'https://x').searchParams.get('sandbox_path');
      if (path?.normalize('NFC') === a.sandboxPath?.normalize('NFC')) return r.time;
    } else if (r.route === 'files-download' && a.fileId && r.path.includes(encodeURIComponent(a.fileId)) && r.path.includes('conversation_id=')) {
      return r.time;
    }
  }
  return null;
}

async function seenInPage(page: Page): Promise<Record<string, number>> {
  return page.evaluate<Record<string, number>>(`({ ...window.__benchSeen })`);
}

export async function measureLatency(): Promise<string[]> {
  const fake = await startFakeChatGPT();
  let b: Browser | null = null;
  const notes: string[] = [];
  try {
    b = await launchBrowser({ server: fake });
    const vault = new VaultReader(b);
    const page = await b.page();
    await page.addInitScript(APPEARANCE_SCRIPT);
    const seen: Record<string, number> = {};
    const origins = new Map<string, 'load' | 'live'>();

    for (const conv of INITIAL) {
      await page.goto(conv.url);
      const rows = await settled(vault, conv.id, expectedCount(fake, conv.id), 20_000).catch((e: Error) => {
        notes.push(`capture: load of ${conv.id} did not settle: ${e.message}`);
        return [] as ArtifactRow[];
      });
      for (const r of rows) origins.set(r.id, 'load');
      Object.assign(seen, await seenInPage(page));
    }

    // Live generations in the last conversation, one after another.
    const live = INITIAL[INITIAL.length - 1]!.id;
    // Spare artifacts: a few never show in the page (see below) and are not counted.
    let sent = 0;
    while (sent < MAX_LIVE && (sent < MIN_LIVE || origins.size < MIN_MEASURED + 6)) {
      const before = (await vault.artifacts()).filter((a) => a.conversationId === live).length;
      await page.evaluate(`window.__fakeApp.send(${JSON.stringify(`chart ${sent + 1} and a picture of it`)})`);
      sent++;
      const rows = await settled(vault, live, before + 2, 20_000).catch((e: Error) => {
        notes.push(`capture: live generation ${sent} did not settle: ${e.message}`);
        return null;
      });
      if (!rows) break;
      for (const r of rows) if (!origins.has(r.id)) origins.set(r.id, 'live');
    }
    Object.assign(seen, await seenInPage(page));
    const rows = await vault.artifacts();

    const measured: Measured[] = [];
    let neverShown = 0;
    const notSaved: string[] = [];
    for (const row of rows) {
      const origin = origins.get(row.id);
      if (!origin) continue;
      if (row.status !== 'saved' || row.capturedAt === null) {
        notSaved.push(`${row.id}=${row.status}`);
        continue;
      }
      const key = appearanceKey(row);
      const seenAt = key ? seen[key] : undefined;
      if (seenAt === undefined) {
        // Not an <img> or link in the page: an image on a branch the page does not show, a chart only in
        // jupyter output, or a link the fake app's tiny markdown cannot render (a title, parentheses).
        neverShown++;
        continue;
      }
      const resolveAt = resolveRequestAt(fake, row);
      const text = key?.startsWith('sandbox:') ? seen[`streamtext:${key.slice('sandbox:'.length)}`] : undefined;
      measured.push({
        row,
        origin,
        seenAt,
        latency: row.capturedAt - seenAt,
        toResolve: resolveAt === null ? null : resolveAt - seenAt,
        streamWait: text === undefined ? null : seenAt - text,
      });
    }
    await vault.close();
    return [...report(measured, sent, neverShown, notSaved), readsRatio(fake), resolutionSpacing(fake), ...notes];
  } finally {
    await b?.close();
    await fake.close();
  }
}

/**
 * Conversation reads over the whole session (loads and every live reply): the extension's worker (no
 * same-origin Sec-Fetch-Site) against the app's own. ChatGPT rate-limits reads per account (surface section 7).
 */
function readsRatio(fake: FakeChatGPT): string {
  const gets = fake.state.requests.filter((r) => r.route === 'conversation' && r.method === 'GET' && /\/conversation\/[0-9a-f-]{36}$/.test(r.path));
  const ours = gets.filter((r) => r.fetchSite !== 'same-origin').length;
  const app = gets.length - ours;
  const ratio = ours / Math.max(1, app);
  return `capture reads: the extension read conversations ${ours} times, the app itself ${app} times over the session (ratio ${ratio.toFixed(2)}; target <= 1.0: ${ratio <= 1 ? 'met' : 'NOT met'})`;
}

/**
 * Gaps between the extension's consecutive resolution requests (files/download, interpreter/download): they
 * go through the serialized, spaced JSON lane, so on a conversation load with several artifacts the n-th one
 * waits about n gaps.
 */
function resolutionSpacing(fake: FakeChatGPT): string {
  const times = fake.state.requests
    .filter((r) => r.bearer && (r.route === 'interpreter' || (r.route === 'files-download' && r.path.includes('conversation_id='))))
    .map((r) => r.time)
    .sort((a, b) => a - b);
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  const close = gaps.filter((g) => g < 1_000);
  return `capture latency: the extension's ${times.length} resolution requests (JSON lane) came at least ${ms(Math.min(...gaps))} apart (median of gaps under 1 s: ${ms(median(close))}); on a load, the n-th artifact of a conversation waits about n such gaps`;
}

function report(measured: Measured[], sent: number, neverShown: number, notSaved: string[]): string[] {
  const all = measured.map((m) => m.latency);
  const p95 = percentile(all, 95);
  const lines: string[] = [];
  const verdict = p95 < TARGET_P95_MS ? 'met' : 'NOT met';
  lines.push(
    `capture latency: ${measured.length} artifacts (page appearance -> bytes committed): ${summary(all)}; target p95 < ${ms(TARGET_P95_MS)}: ${verdict}`,
  );
  const kinds = ['image', 'chart', 'sandbox-file'];
  for (const kind of kinds) {
    for (const origin of ['load', 'live'] as const) {
      const group = measured.filter((m) => m.row.kind === kind && m.origin === origin);
      if (group.length === 0) continue;
      const toResolve = group.map((m) => m.toResolve).filter((x): x is number => x !== null);
      const after = group.filter((m) => m.toResolve !== null).map((m) => m.latency - m.toResolve!);
      lines.push(
        `capture latency: ${kind} (${origin === 'load' ? 'conversation load' : 'live reply'}) n=${group.length}: ${summary(group.map((m) => m.latency))}` +
          ` | appear->resolve request p50 ${ms(median(toResolve))}, request->committed p50 ${ms(median(after))}`,
      );
    }
  }
  const waits = measured.map((m) => m.streamWait).filter((x): x is number => x !== null);
  if (waits.length) {
    // The pipeline waits for a reply to finish streaming before it reads; a link whose text arrives
    // mid-stream is only rendered (and only read) once the stream ends.
    const liveSandbox = measured.filter((m) => m.streamWait !== null);
    const fromText = liveSandbox.map((m) => m.latency + m.streamWait!);
    const share = median(waits) / median(fromText);
    lines.push(
      `capture latency: live sandbox links counted from their text mid-stream instead: ${summary(fromText)}; the wait for the end of the stream is p50 ${ms(median(waits))}` +
        ` (${Math.round(share * 100)}% of it${share > 0.5 ? ' -- it dominates: the pipeline deliberately reads only after a reply finished streaming' : ''}; not counted above)`,
    );
  }
  const negatives = all.filter((x) => x < 0).length;
  lines.push(
    `capture latency: ${sent} live generations; ${neverShown} saved artifacts never shown as an <img> or link by the fake page (off-path branch, chart only in jupyter output, links its markdown cannot render) not counted;` +
      ` ${negatives} committed before the page showed them (negative, counted)${notSaved.length ? `; not saved: ${notSaved.join(', ')}` : ''}`,
  );
  return lines;
}
