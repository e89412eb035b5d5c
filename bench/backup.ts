/**
 * Backup benchmarks (issue 8), two parts measured in one run:
 *
 * (a) Byte throughput, real Chromium with the built extension: one conversation with 200 images of about
 *     1 MB each on the loopback fake, backed up with `Back up everything` (no ChatGPT tab open, so the
 *     worker downloads: image-library links where it has them, a file-id resolution where not, then hash
 *     and store). The fake makes every image before either side runs (it caches them), so neither side
 *     pays for the fake's PNG encoding. The baseline is a plain parallel `fetch`, from an extension page in
 *     the same browser right after, of the same requests the extension made: every file-id resolution
 *     (with the token) and every byte URL, all at once, nothing hashed or stored. Then the fetch + store
 *     floor: the same requests again, each body also hashed and put as a Blob into IndexedDB, one put per
 *     file (what any backup must do at least). Ratios: bytes over the time byte downloads were in flight
 *     (union of the byte requests' intervals), and bytes over the whole file phase (first resolution or byte
 *     request to the last file stored, which includes hashing and writing 200 MB to IndexedDB), the latter
 *     both to the plain fetch and to the floor.
 * (b) Pacing overhead, Node: the runner (utils/worker/backup) over a fake-indexeddb vault against the loopback fake
 *     with a 1,000-conversation history and no rate limit, at a 50 ms spacing: wall time over (JSON requests x
 *     spacing), and the process's peak heap and RSS while it runs (the runner's memory; the worker adds the
 *     browser's own).
 */
import 'fake-indexeddb/auto';
import { performance } from 'node:perf_hooks';
import { addHistory, makeConversation, uuidFrom } from '../tests/fake-chatgpt/history.ts';
import { MEDIUM_MARKER } from '../tests/fake-chatgpt/bytes.ts';
import { SESSION_COOKIE, startFakeChatGPT, type FakeChatGPT, type RequestLogEntry } from '../tests/fake-chatgpt/server.ts';
import { hasExtensionBuild, launchBrowser, waitFor } from '../tests/e2e/harness.ts';
import { BackupClient } from '../utils/worker/backup/client';
import { EVERYTHING_RUN } from '../utils/worker/backup/checkpoint';
import { Pacer } from '../utils/worker/backup/pacer';
import { BackupRunner } from '../utils/worker/backup/runner';
import { walkConversation } from '../utils/chatgpt/walker';
import { createVaultDb, recordRefs, saveSnapshot } from '../utils/vault';
import { VaultReader } from './capture/vault';
import { fetchFloor } from './fetch-floor';

const JSON_ROUTES = new Set(['session', 'conversation', 'conversations', 'projects', 'project-conversations', 'image-library', 'files-download', 'interpreter']);

function union(intervals: [number, number][]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [s, e] = sorted[0] ?? [0, 0];
  for (const [a, b] of sorted.slice(1)) {
    if (a > e) {
      total += e - s;
      [s, e] = [a, b];
    } else e = Math.max(e, b);
  }
  return total + (e - s);
}

const mbps = (bytes: number, ms: number) => (bytes / 1e6 / (ms / 1000)).toFixed(1);

async function byteThroughput(): Promise<string[]> {
  const fake = await startFakeChatGPT({ fixturesDirs: [] });
  try {
    fake.state.conversations.clear();
    const id = uuidFrom('bench-200');
    const fileId = (i: number) => `file-${MEDIUM_MARKER}${String(i).padStart(6, '0')}abcdefghijkl`;
    fake.state.conversations.set(id, makeConversation(id, 'Two hundred pictures', 0, 200, 1_776_000_000, {}, fileId));
    // Made once here (the fake caches them): the first side to ask would otherwise wait for the encoding.
    const { expectedBytes } = await import('../tests/fake-chatgpt/bytes.ts');
    for (let i = 0; i < 200; i++) expectedBytes('file', fileId(i));
    const browser = await launchBrowser({ server: fake });
    try {
      const tab = await browser.page();
      await tab.goto('https://chatgpt.com/');
      await tab.close();
      const page = await browser.openExtensionPage('/library.html');
      fake.state.requests = [];
      const t0 = Date.now();
      await page.getByRole('button', { name: 'Back up everything' }).click();
      await page.getByTestId('backup-summary').waitFor({ timeout: 600_000 });
      const wall = Date.now() - t0;
      const bytesReqs = fake.state.requests.filter((r) => r.route === 'estuary' && r.status === 200 && r.end !== null);
      const resolutions = fake.state.requests.filter((r) => r.route === 'files-download');
      const sizes = await sizesOf(fake, bytesReqs);
      const total = sizes.reduce((a, b) => a + b, 0);
      const active = union(bytesReqs.map((r) => [r.time, r.end!]));
      const stored = await lastCapturedAt(browser);
      const phase = stored - Math.min(...[...bytesReqs, ...resolutions].map((r) => r.time));
      const urls = bytesReqs.map((r) => `https://chatgpt.com${r.path}`);
      const resolveUrls = resolutions.map((r) => `https://chatgpt.com${r.path}`);
      const baseline = await fetchFloor(page, urls, resolveUrls, false);
      const floor = await fetchFloor(page, urls, resolveUrls, true);
      const activeRatio = (total / active) / (baseline.bytes / baseline.ms);
      const phaseRatio = (total / phase) / (baseline.bytes / baseline.ms);
      const floorRatio = (floor.bytes / floor.ms) / (baseline.bytes / baseline.ms);
      const phaseToFloor = (total / phase) / (floor.bytes / floor.ms);
      return [
        `backup (a): 200 files, ${(total / 1e6).toFixed(0)} MB, whole run ${(wall / 1000).toFixed(1)} s; bytes in flight ${(active / 1000).toFixed(1)} s -> ${mbps(total, active)} MB/s; ` +
          `plain parallel fetch of the same requests (${resolveUrls.length} resolutions + ${urls.length} byte URLs, nothing stored) ${(baseline.ms / 1000).toFixed(2)} s -> ${mbps(baseline.bytes, baseline.ms)} MB/s; ` +
          `ratio ${activeRatio.toFixed(2)} (target >= 0.8: ${activeRatio >= 0.8 ? 'met' : 'NOT met'})`,
        `backup (a): fetch + store floor (the same requests at once, each body hashed with SHA-256 and put as a Blob into IndexedDB, one put per file) ` +
          `${(floor.ms / 1000).toFixed(2)} s -> ${mbps(floor.bytes, floor.ms)} MB/s, ratio to the plain fetch ${floorRatio.toFixed(2)}`,
        `backup (a): over the whole file phase (first resolution or byte request to the last file stored: incl. hashing and writing to IndexedDB) ${(phase / 1000).toFixed(1)} s -> ${mbps(total, phase)} MB/s, ` +
          `ratio ${phaseRatio.toFixed(2)} to the plain fetch (target >= 0.8: ${phaseRatio >= 0.8 ? 'met' : 'NOT met'}), ${phaseToFloor.toFixed(2)} to the fetch + store floor`,
      ];
    } finally {
      await browser.close();
    }
  } finally {
    await fake.close();
  }
}

/** When the last file was stored (the vault's capturedAt, on this machine's clock like the fake's log). */
async function lastCapturedAt(browser: Awaited<ReturnType<typeof launchBrowser>>): Promise<number> {
  const rows = await new VaultReader(browser).artifacts();
  return Math.max(...rows.map((r) => r.capturedAt ?? 0));
}

async function sizesOf(_fake: FakeChatGPT, reqs: RequestLogEntry[]): Promise<number[]> {
  const { expectedBytes } = await import('../tests/fake-chatgpt/bytes.ts');
  return reqs.map((r) => expectedBytes('file', new URL(`https://x${r.path}`).searchParams.get('id')!).length);
}

async function pacingOverhead(): Promise<string[]> {
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // the fake's self-signed certificate, loopback only
  const fake = await startFakeChatGPT({ fixturesDirs: [] });
  try {
    fake.state.conversations.clear();
    addHistory(fake.state, { count: 1000, imagesPerConversation: 0, seed: 'bench-1000' });
    const cookie = `${SESSION_COOKIE}=${fake.state.sessionToken}`;
    const doFetch: typeof fetch = (input, init = {}) => {
      const headers = new Headers(init.headers);
      headers.set('cookie', cookie);
      return fetch(input, { ...init, headers });
    };
    const spacingMs = 50;
    const db = createVaultDb(`bench-backup-${Date.now()}`);
    const client = new BackupClient({ origin: fake.origin, pacer: new Pacer({ spacingMs, basePauseMs: 60_000, capPauseMs: 300_000 }), fetch: doFetch });
    const runner = new BackupRunner({
      db,
      client: () => client,
      // What the background's recordConversation does for a conversation without files (bench has no WXT storage).
      recordConversation: async (json) => {
        const walk = walkConversation(JSON.parse(json));
        await saveSnapshot(db, json);
        await recordRefs(db, walk.refs, { source: 'backup', conversationTitle: walk.title });
      },
      kick: () => undefined,
    });
    global.gc?.();
    const base = process.memoryUsage();
    let peakHeap = base.heapUsed;
    let peakRss = base.rss;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakHeap = Math.max(peakHeap, m.heapUsed);
      peakRss = Math.max(peakRss, m.rss);
    }, 50);
    fake.state.requests = [];
    const t0 = performance.now();
    await runner.start('everything', { origin: fake.origin, account: null });
    await waitFor(async () => (await runner.status(EVERYTHING_RUN))?.state === 'done', { timeout: 900_000, interval: 200 });
    const wall = performance.now() - t0;
    clearInterval(sampler);
    const run = (await runner.status(EVERYTHING_RUN))!;
    const jsonRequests = fake.state.requests.filter((r) => JSON_ROUTES.has(r.route) && r.route !== 'session').length;
    const ratio = wall / (jsonRequests * spacingMs);
    db.close();
    return [
      `backup (b): ${run.counts.read} conversations read with ${jsonRequests} JSON requests at ${spacingMs} ms spacing in ${(wall / 1000).toFixed(1)} s: ` +
        `ratio to requests x spacing ${ratio.toFixed(2)} (1.00 = paced by the spacing alone); ` +
        `peak heap ${((peakHeap - base.heapUsed) / 1e6).toFixed(0)} MB above the start (${(peakHeap / 1e6).toFixed(0)} MB), peak RSS ${(peakRss / 1e6).toFixed(0)} MB`,
    ];
  } finally {
    await fake.close();
  }
}

export { byteThroughput };

export async function benchBackup(): Promise<string[]> {
  const lines = await pacingOverhead();
  if (!hasExtensionBuild()) return [...lines, 'backup (a): skipped, no extension build in .output/chrome-mv3 (run `npx wxt build`)'];
  return [...lines, ...(await byteThroughput())];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await benchBackup()) console.log(line);
}
