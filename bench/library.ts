/**
 * Library benchmark and sample vault archives (also used by tests/e2e/library.test.ts).
 *
 * `benchLibrary()` runs in real Chromium (the built extension, `.output/chrome-mv3`): it restores a
 * 10,000-artifact vault archive through the page's own `Restore backup` input, and writes a 100,000-artifact
 * vault straight into IndexedDB; for each it reloads `/library.html` and measures the time from navigation
 * to the first painted gallery tile (with the phases: page script, each listing call, tile in the DOM), the
 * time until every record is listed, the longest main-thread task after the first paint, a search over
 * everything (100k), and the JS heap. The page runs with `?probe=1` (utils/library/probe.ts), which also
 * counts blob reads through the library API: those made by the time the first tiles enter the DOM (the
 * listing) and, separately, the lazy thumbnail reads for tiles in view.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { deflateSync, crc32 } from 'node:zlib';
import { strToU8, zipSync, type Zippable } from 'fflate';
import { artifactMemberPath, type ManifestArtifact } from '../utils/archive/manifest';
import type { LibraryProbe } from '../utils/library/probe';

/** The page's globals the benchmark reads (`?probe=1`, and Chromium's `performance.memory`). */
type ProbedWindow = Window & { __libraryProbe?: LibraryProbe };
const heapUsed = (): number | null => (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? null;

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A minimal RGBA PNG encoder (filter 0 rows, zlib from Node). */
export function encodePng(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): Uint8Array {
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 4 + 1);
    raw[row] = 0;
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      raw.set([r, g, b, 255], row + 1 + x * 4);
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return new Uint8Array(Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0)),
  ]));
}

type RGB = [number, number, number];
const mix = (a: RGB, b: RGB, t: number): RGB => [0, 1, 2].map((i) => Math.round(a[i]! + (b[i]! - a[i]!) * Math.min(1, Math.max(0, t)))) as RGB;

/** Little generated pictures so the gallery screenshot shows real thumbnails. */
export const PICTURES: Record<string, (x: number, y: number, s: number) => RGB> = {
  sunset: (x, y, s) => {
    const sky = mix([58, 28, 113], [255, 140, 66], y / s);
    const sun = Math.hypot(x - s * 0.62, y - s * 0.55) < s * 0.16;
    const ridge = s * (0.7 + 0.06 * Math.sin(x / s * 9) + 0.04 * Math.sin(x / s * 23));
    if (y > ridge) return mix([40, 24, 60], [20, 12, 30], (y - ridge) / (s - ridge));
    return sun ? [255, 214, 102] : sky;
  },
  fox: (x, y, s) => {
    const cx = s / 2, top = s * 0.22, bottom = s * 0.78;
    const t = (y - top) / (bottom - top);
    const inHead = t >= 0 && t <= 1 && Math.abs(x - cx) < (1 - t) * s * 0.34 + s * 0.04;
    const inEarL = y < s * 0.4 && y > s * 0.12 && Math.abs(x - s * 0.33) < (y - s * 0.12) * 0.5;
    const inEarR = y < s * 0.4 && y > s * 0.12 && Math.abs(x - s * 0.67) < (y - s * 0.12) * 0.5;
    const eye = Math.hypot(x - s * 0.42, y - s * 0.42) < s * 0.03 || Math.hypot(x - s * 0.58, y - s * 0.42) < s * 0.03;
    const muzzle = t > 0.55 && t <= 1 && Math.abs(x - cx) < (1 - t) * s * 0.34 + s * 0.04 && Math.abs(x - cx) < s * 0.12;
    if (eye) return [30, 30, 30];
    if (muzzle) return [250, 240, 228];
    if (inHead || inEarL || inEarR) return mix([242, 120, 38], [214, 84, 20], y / s);
    return mix([18, 78, 84], [10, 44, 52], Math.hypot(x - cx, y - cx) / s);
  },
  forest: (x, y, s) => {
    const base = mix([196, 226, 214], [122, 173, 150], y / s);
    for (const [cx, w, h, c] of [[0.2, 0.18, 0.55, [34, 94, 64]], [0.5, 0.24, 0.7, [24, 74, 50]], [0.8, 0.2, 0.6, [44, 110, 76]]] as const) {
      const topY = s * (1 - h);
      if (y > topY && Math.abs(x - s * cx) < (y - topY) / (s - topY) * s * w) return c as unknown as RGB;
    }
    return base;
  },
  ocean: (x, y, s) => {
    const wave = Math.sin(x / s * 12 + y / s * 3) * 0.5 + 0.5;
    const band = Math.floor((y / s) * 10 + Math.sin(x / s * 6) * 0.8) % 2 === 0;
    return mix(band ? [12, 74, 140] : [20, 110, 180], [140, 220, 240], wave * 0.35 + (1 - y / s) * 0.3);
  },
  neon: (x, y, s) => {
    const grid = (x % (s / 8) < 2 || y % (s / 8) < 2);
    const glow = Math.max(0, 1 - Math.hypot(x - s / 2, y - s * 0.35) / (s * 0.3));
    if (grid && y > s * 0.45) return [255, 62, 165];
    return mix([16, 10, 40], [255, 110, 199], glow);
  },
  chart: (x, y, s) => {
    const pad = s * 0.12;
    if (x > pad && x < s - pad / 2 && (Math.abs(y - (s - pad)) < 1.5)) return [90, 90, 90];
    if (y > pad / 2 && y < s - pad && Math.abs(x - pad) < 1.5) return [90, 90, 90];
    const bars = [0.35, 0.55, 0.45, 0.8, 0.65, 0.9];
    const bw = (s - pad * 1.5) / bars.length;
    const i = Math.floor((x - pad - 4) / bw);
    const h = bars[i];
    if (h !== undefined && (x - pad - 4) % bw < bw * 0.7 && y > (s - pad) - h * (s - pad * 1.6) && y < s - pad - 1) return mix([16, 163, 127], [12, 120, 96], i / bars.length);
    return [250, 250, 250];
  },
};

/** A manifest entry (docs/FORMATS.md section 1) with its bytes, for building sample archives. */
export type SampleArtifact = Omit<ManifestArtifact, 'size' | 'sha256' | 'path'> & { bytes?: Uint8Array };

export interface SampleConversation {
  id: string;
  title: string;
  updateTime: number;
}

/** Builds a vault archive (docs/FORMATS.md section 1) from entries; members are exactly what they claim. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests poke at any manifest field
export function buildArchive(artifacts: SampleArtifact[], conversations: SampleConversation[], tamper: (files: Zippable, manifest: any) => void = () => {}): Uint8Array {
  const files: Zippable = {};
  const entries = artifacts.map(({ bytes, ...a }) => {
    if (!bytes) return { ...a, size: null, sha256: null, path: null };
    const sha = sha256(bytes);
    const path = artifactMemberPath(sha, a.mimeType);
    files[path] = [bytes, { level: a.mimeType?.startsWith('image/png') ? 0 : 6 }];
    return { ...a, size: bytes.length, sha256: sha, path };
  });
  const convs = conversations.map((c) => {
    const path = `conversations/${c.id}.json`;
    files[path] = strToU8(JSON.stringify({ conversation_id: c.id, title: c.title, update_time: c.updateTime, mapping: {} }));
    return { ...c, path };
  });
  const manifest = { format: 'chatgpt-artifact-vault', version: 1, createdAt: '2026-11-22T10:00:00.000Z', artifacts: entries, conversations: convs };
  tamper(files, manifest);
  return zipSync({ 'manifest.json': strToU8(JSON.stringify(manifest, null, 2)), ...files });
}

const SVG_CHART = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 160"><rect width="240" height="160" fill="#fff"/>
<polyline fill="none" stroke="#7c3aed" stroke-width="4" points="20,130 60,100 100,110 140,60 180,70 220,25"/>
<line x1="20" y1="140" x2="230" y2="140" stroke="#999"/><text x="20" y="18" font-family="sans-serif" font-size="14">Revenue by month</text></svg>`;

/** The gallery's demo data: three conversations, images, charts (PNG and SVG), files, and losses. */
export function sampleVault(): { artifacts: SampleArtifact[]; conversations: SampleConversation[] } {
  const png = (name: string, size = 256) => encodePng(size, size, (x, y) => PICTURES[name]!(x, y, size));
  const day1 = '2026-11-22T09:';
  const day0 = '2026-11-21T16:';
  const img = (conversationId: string, n: number, picture: string, prompt: string, at: string, seed: number): SampleArtifact => ({
    kind: 'image', conversationId, messageId: `msg-${conversationId}-${n}`, fileId: `file_0000${conversationId.slice(-4)}${n}`,
    genId: `gen-${picture}-${n}`, fileName: `${picture}.png`, sandboxPath: null, prompt, mimeType: 'image/png', status: 'saved',
    reason: null, capturedAt: at, source: 'live', seed, bytes: png(picture),
  });
  const conversations: SampleConversation[] = [
    { id: '6f1c0000-0000-4000-8000-00000000f0c5', title: 'Fox poster ideas', updateTime: 1795338000 },
    { id: '6f1c0000-0000-4000-8000-0000000051e5', title: 'Quarterly sales analysis', updateTime: 1795336000 },
    { id: '6f1c0000-0000-4000-8000-00000000ocea', title: 'Ocean wallpapers', updateTime: 1795250000 },
  ];
  const [fox, sales, ocean] = conversations.map((c) => c.id) as [string, string, string];
  const artifacts: SampleArtifact[] = [
    img(fox, 1, 'fox', 'A geometric fox poster, teal background, flat vector style', `${day1}58:10.000Z`, 1843),
    img(fox, 2, 'sunset', 'Same fox mood as a sunset over purple mountains', `${day1}55:02.000Z`, 99120),
    img(fox, 3, 'forest', 'Minimal pine forest, pastel greens', `${day1}51:44.000Z`, 5521),
    {
      kind: 'chart', conversationId: sales, messageId: 'msg-sales-chart', fileId: 'file-SalesChart0001', genId: null, fileName: 'sales-by-region.png',
      sandboxPath: null, prompt: null, mimeType: 'image/png', status: 'saved', reason: null, capturedAt: `${day1}20:00.000Z`, source: 'live', bytes: png('chart'),
    },
    {
      kind: 'sandbox-file', conversationId: sales, messageId: 'msg-sales-svg', fileId: 'file-SalesSvg0001', genId: null, fileName: 'revenue.svg',
      sandboxPath: '/mnt/data/revenue.svg', prompt: null, mimeType: 'image/svg+xml', status: 'saved', reason: null, capturedAt: `${day1}21:00.000Z`,
      source: 'live', bytes: strToU8(SVG_CHART),
    },
    {
      kind: 'sandbox-file', conversationId: sales, messageId: 'msg-sales-csv', fileId: null, genId: null, fileName: 'sales_q3.csv',
      sandboxPath: '/mnt/data/sales_q3.csv', prompt: null, mimeType: 'text/csv', status: 'saved', reason: null, capturedAt: `${day1}22:00.000Z`,
      source: 'live', bytes: strToU8('region,q3\nnorth,120\nsouth,95\neast,143\nwest,88\n'),
    },
    {
      kind: 'sandbox-file', conversationId: sales, messageId: 'msg-sales-xlsx', fileId: null, genId: null, fileName: 'forecast.xlsx',
      sandboxPath: '/mnt/data/forecast.xlsx', prompt: null, mimeType: null, status: 'expired', reason: 'sandbox expired (404)',
      capturedAt: null, source: 'backup', firstSeenAt: `${day1}19:00.000Z`,
    },
    img(ocean, 1, 'ocean', 'Layered ocean waves wallpaper, deep blues', `${day0}10:00.000Z`, 7),
    img(ocean, 2, 'neon', 'Synthwave horizon with a neon grid', `${day0}05:00.000Z`, 8),
    {
      kind: 'image', conversationId: ocean, messageId: 'msg-ocean-3', fileId: 'file_00000000ocea3', genId: 'gen-ocean-3', fileName: null,
      sandboxPath: null, prompt: 'Ocean at night with bioluminescence', mimeType: 'image/png', status: 'failed',
      reason: 'HTTP 503 after 5 attempts', capturedAt: null, source: 'live', firstSeenAt: `${day0}01:00.000Z`,
    },
  ];
  return { artifacts, conversations };
}

/** `n` artifacts across `n / 25` conversations; every one saved with a small distinct PNG. */
export function largeVault(n: number): { artifacts: SampleArtifact[]; conversations: SampleConversation[] } {
  const conversations: SampleConversation[] = [];
  const artifacts: SampleArtifact[] = [];
  const tiny = encodePng(8, 8, (x, y) => [x * 30, y * 30, 128]);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(i / 25);
    const id = `bench-conv-${String(c).padStart(5, '0')}`;
    if (i % 25 === 0) conversations.push({ id, title: `Bench conversation ${c}`, updateTime: 1795338000 - c });
    // A distinct tail byte after IEND keeps the PNG valid and every SHA-256 distinct.
    const bytes = new Uint8Array(tiny.length + 4);
    bytes.set(tiny);
    new DataView(bytes.buffer).setUint32(tiny.length, i);
    artifacts.push({
      kind: 'image', conversationId: id, messageId: `m${i}`, fileId: `file_bench_${i}`, genId: null, fileName: `image-${i}.png`,
      sandboxPath: null, prompt: `bench prompt number ${i}`, mimeType: 'image/png', status: 'saved', reason: null,
      capturedAt: new Date(Date.UTC(2026, 10, 22) - i * 60_000).toISOString(), source: 'live', bytes,
    });
  }
  return { artifacts, conversations };
}

/**
 * Writes `n` artifact records (all sharing one small PNG blob), `n / 25` conversations, straight into the
 * page's vault with raw IndexedDB: the cheap way to a 100,000-artifact vault (a restore of that size takes
 * minutes). Source text, not a function: tsx would wrap inner functions in `__name(...)`, which the page lacks.
 */
const SEED_DIRECT = `async ({ n, png, sha }) => {
  const db = await new Promise((ok, bad) => {
    const req = indexedDB.open('artifact-vault');
    req.onsuccess = () => ok(req.result);
    req.onerror = () => bad(req.error);
  });
  const day0 = Date.UTC(2026, 10, 22);
  const now = Date.now();
  const CHUNK = 20000;
  for (let from = 0; from < n; from += CHUNK) {
    const tx = db.transaction(['artifacts', 'blobs', 'conversations'], 'readwrite');
    if (from === 0) tx.objectStore('blobs').put({ sha256: sha, blob: new Blob([new Uint8Array(png)], { type: 'image/png' }), size: png.length, mimeType: 'image/png' });
    const arts = tx.objectStore('artifacts');
    const convs = tx.objectStore('conversations');
    for (let i = from; i < Math.min(n, from + CHUNK); i++) {
      const c = Math.floor(i / 25);
      const conversationId = 'bench-conv-' + String(c).padStart(5, '0');
      if (i % 25 === 0) convs.put({ id: conversationId, title: 'Bench conversation ' + c, updateTime: 1795338000 - c, savedAt: now, gizmoId: null });
      const t = day0 - i * 60000;
      arts.put({
        id: 'file:file_bench_' + i, kind: 'image', conversationId, messageId: 'm' + i, fallbackMessageId: null, fileId: 'file_bench_' + i,
        genId: null, prompt: 'bench prompt number ' + i, seed: null, fileName: 'image-' + i + '.png', sandboxPath: null, mimeType: 'image/png',
        width: 8, height: 8, createTime: t / 1000, status: 'saved', reason: null, sha256: sha, size: png.length, declaredSize: null,
        source: 'live', capturedAt: t, firstSeenAt: t, updatedAt: now, conversationTitle: 'Bench conversation ' + c, attempts: 0,
      });
    }
    await new Promise((ok, bad) => { tx.oncomplete = ok; tx.onerror = () => bad(tx.error); tx.onabort = () => bad(tx.error); });
  }
  db.close();
}`;

interface PaintRun {
  paint: number;
  heap: number | null;
  blobReadsAtPaint: number;
  tiles: number;
  rows: number;
  /** Page script start, the first listing call's end, the first tile in the DOM (ms after navigation). */
  script: number;
  calls: { name: string; start: number; end: number | null; count: number | null }[];
  inDom: number;
  /** When every record was listed (the full list, after the first paint), or null if not yet. */
  complete: number | null;
  /** The longest main-thread task after the first paint, until every record was listed (ms). */
  longestTaskAfterPaint: number;
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mb = (n: number | null) => (n === null ? 'n/a' : `${(n / 1e6).toFixed(1)} MB`);

/** Reloads the library `times` times and reads the probe after each first paint, then after the full list. */
async function measurePaint(page: import('playwright-core').Page, n: number, times: number): Promise<PaintRun[]> {
  const runs: PaintRun[] = [];
  for (let i = 0; i < times; i++) {
    await page.reload();
    await page.waitForFunction(() => (window as ProbedWindow).__libraryProbe?.firstTilePaintedAt != null, null, { timeout: 120_000 });
    const r = await page.evaluate<Omit<PaintRun, 'complete' | 'longestTaskAfterPaint'>>(`(() => {
      const p = window.__libraryProbe;
      return {
        paint: p.firstTilePaintedAt,
        heap: performance.memory?.usedJSHeapSize ?? null,
        blobReadsAtPaint: p.blobReadsAtFirstTile,
        tiles: document.querySelectorAll('[data-testid="artifact"]').length,
        rows: Number(document.querySelector('[data-testid="gallery"]')?.dataset.rows ?? 0),
        script: p.scriptAt,
        calls: p.calls,
        inDom: p.firstTileInDomAt,
      };
    })()`);
    // The whole list arrives after the first paint; wait for the count to reach n.
    await page.waitForFunction((want) => document.querySelector('[data-testid="shown-count"]')?.textContent?.startsWith(`${want.toLocaleString('en')} `), n, { timeout: 300_000 });
    const after = await page.evaluate<{ complete: number; longest: number }>(`(() => {
      const p = window.__libraryProbe;
      const tasks = p.longTasks.filter((t) => t.start >= p.firstTilePaintedAt);
      return { complete: performance.now(), longest: tasks.reduce((m, t) => Math.max(m, t.duration), 0) };
    })()`);
    runs.push({ ...r, complete: after.complete, longestTaskAfterPaint: after.longest });
  }
  return runs;
}

function describeRuns(runs: PaintRun[]): string[] {
  const last = runs[runs.length - 1]!;
  const phase = (r: PaintRun) => {
    const calls = r.calls.map((c) => `${c.name}${c.count === null ? '' : `(${c.count})`} ${c.start.toFixed(0)}-${c.end?.toFixed(0) ?? '?'}`).join(', ');
    return `script ${r.script.toFixed(0)}, ${calls}, tile in DOM ${r.inDom.toFixed(0)}, painted ${r.paint.toFixed(0)}`;
  };
  return [
    `  first gallery tile painted: median ${median(runs.map((r) => r.paint)).toFixed(0)} ms after navigation (runs: ${runs.map((r) => r.paint.toFixed(0)).join(', ')} ms)`,
    `  phases of the median run (ms after navigation): ${phase(runs.slice().sort((a, b) => a.paint - b.paint)[Math.floor(runs.length / 2)]!)}`,
    `  phases of the slowest run: ${phase(runs.reduce((a, b) => (b.paint > a.paint ? b : a)))}`,
    `  every record listed (counts, search over all): median ${median(runs.map((r) => r.complete ?? NaN)).toFixed(0)} ms after navigation; longest main-thread task after the first paint: median ${median(runs.map((r) => r.longestTaskAfterPaint)).toFixed(0)} ms`,
    `  JS heap used at first paint: ${mb(last.heap)}`,
    `  DOM: ${last.tiles} tiles rendered (${last.rows} virtual rows at first paint)`,
    `  blob reads while listing (until the first tiles were in the DOM): ${runs.map((r) => r.blobReadsAtPaint).join(', ')} per run`,
  ];
}

async function heapAfterGc(context: import('playwright-core').BrowserContext, page: import('playwright-core').Page): Promise<number | null> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  return page.evaluate(heapUsed);
}

async function withLibraryPage<T>(ext: string, dir: string, name: string, fn: (context: import('playwright-core').BrowserContext, page: import('playwright-core').Page) => Promise<T>): Promise<T> {
  const { chromium } = await import('playwright-core');
  const context = await chromium.launchPersistentContext(join(dir, name), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    ignoreDefaultArgs: ['--disable-extensions'],
    args: [`--disable-extensions-except=${ext}`, `--load-extension=${ext}`, '--no-sandbox', '--disable-gpu', '--no-first-run',
      '--enable-precise-memory-info', '--js-flags=--expose-gc'],
  });
  try {
    const sw = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
    const id = new URL(sw.url()).host;
    const page = await context.newPage();
    await page.goto(`chrome-extension://${id}/library.html?probe=1`);
    return await fn(context, page);
  } finally {
    await context.close();
  }
}

/** Seeds the vault of an open extension page with `n` records through SEED_DIRECT (seconds for 10,000). */
export async function seedLibraryDirect(page: import('playwright-core').Page, n: number): Promise<void> {
  const tiny = encodePng(8, 8, (x, y) => [x * 30, y * 30, 128]);
  await page.evaluate(`(${SEED_DIRECT})(${JSON.stringify({ n, png: Array.from(tiny), sha: sha256(tiny) })})`);
}

/**
 * The library page at 10,000 artifacts (restored through the page's own `Restore backup` input) and at
 * 100,000 (written straight into IndexedDB): time to the first painted tile with its phases, time until
 * every record is listed, JS heap, blob reads. Needs `npx wxt build` first (it says so and returns).
 * `BENCH_LIBRARY_N` / `BENCH_LIBRARY_BIG_N` change the sizes (0 skips the big one).
 */
export async function benchLibrary(): Promise<string[]> {
  const ext = resolve(import.meta.dirname, '../.output/chrome-mv3');
  if (!existsSync(join(ext, 'manifest.json'))) return ['library: skipped (no .output/chrome-mv3; run `npx wxt build`)'];
  const N = Number(process.env.BENCH_LIBRARY_N ?? 10_000);
  const BIG = Number(process.env.BENCH_LIBRARY_BIG_N ?? 100_000);
  const dir = mkdtempSync(join(tmpdir(), 'vault-bench-'));
  const lines: string[] = [];
  try {
    const { artifacts, conversations } = largeVault(N);
    const archivePath = join(dir, 'bench.zip');
    writeFileSync(archivePath, buildArchive(artifacts, conversations));
    lines.push(...await withLibraryPage(ext, dir, 'profile-restored', async (context, page) => {
      const t0 = Date.now();
      await page.getByLabel('Restore backup').setInputFiles(archivePath);
      await page.getByTestId('restore-report').waitFor({ timeout: 600_000 });
      const report = (await page.getByTestId('restore-report').textContent()) ?? '';
      const restoreMs = Date.now() - t0;
      if (!report.includes(`${N} added`)) throw new Error(`restore did not add ${N}: ${report}`);
      const runs = await measurePaint(page, N, 5);
      // Thumbnails of the visible tiles load after the list; count them once they are in.
      await page.waitForFunction(() => document.querySelectorAll('.tile img').length > 0, null, { timeout: 30_000 });
      const lazy = await page.evaluate(() => ({
        thumbs: document.querySelectorAll('.tile img').length,
        blobReads: (window as ProbedWindow).__libraryProbe?.blobReads ?? 0,
      }));
      return [
        `library (real Chromium, ${N.toLocaleString('en')} artifacts, ${conversations.length} conversations; restore through the page ${(restoreMs / 1000).toFixed(1)} s):`,
        ...describeRuns(runs),
        `  then lazily: ${lazy.blobReads} blob reads for ${lazy.thumbs} thumbnails in view (of ${N}); JS heap after GC with every record listed: ${mb(await heapAfterGc(context, page))}`,
      ];
    }));
    if (BIG > 0) {
      lines.push(...await withLibraryPage(ext, dir, 'profile-direct', async (context, page) => {
        await page.getByRole('button', { name: 'Download backup' }).waitFor();
        const t0 = Date.now();
        await seedLibraryDirect(page, BIG);
        const seedMs = Date.now() - t0;
        // The seeding built 100,000 records in this page's heap, which no person's library page ever holds
        // (capture writes from the worker): collected here, not during the first measured load.
        await heapAfterGc(context, page);
        const runs = await measurePaint(page, BIG, 3);
        // One search over every record: the first builds each record's search text, the second reuses it.
        const search = async (query: string, want: string) => {
          // From the unfiltered list each time (fill() would otherwise pass through an empty query).
          await page.getByLabel('Search').fill('');
          await page.waitForFunction((w) => document.querySelector('[data-testid="shown-count"]')?.textContent === w, `${BIG.toLocaleString('en')} artifacts`, { timeout: 60_000 });
          const t = Date.now();
          await page.getByLabel('Search').fill(query);
          await page.waitForFunction((w) => document.querySelector('[data-testid="shown-count"]')?.textContent === w, want, { timeout: 60_000 });
          return Date.now() - t;
        };
        const first = await search(`number ${BIG - 1}`, `1 of ${BIG.toLocaleString('en')} artifacts`);
        const second = await search(`number ${BIG - 2}`, `1 of ${BIG.toLocaleString('en')} artifacts`);
        return [
          `library (real Chromium, ${BIG.toLocaleString('en')} artifacts written straight into IndexedDB in ${(seedMs / 1000).toFixed(1)} s):`,
          ...describeRuns(runs),
          `  search over all ${BIG.toLocaleString('en')} (as seen by the driver): first ${first} ms, then ${second} ms`,
          `  JS heap after GC with every record listed: ${mb(await heapAfterGc(context, page))}`,
        ];
      }));
    }
    return lines;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
