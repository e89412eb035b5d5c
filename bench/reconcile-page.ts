/**
 * Reconcile in the library page, in real Chromium (the built extension, `.output/chrome-mv3`): a generated
 * legacy-layout export of RECONCILE_PAGE_MB inflated megabytes (default 1024, the 1 GB issue 7 names) is chosen through `Export ZIP`
 * against a small restored vault; the run happens in the page's worker. Reported: the time from choosing the
 * file to the finished view, the longest main-thread stall during the run (Long Tasks API, and the largest
 * gap between 20 ms timer ticks, which also catches stalls the Long Tasks API does not attribute) against
 * the same page idle for 15 s just before (on a loaded machine every task stretches), the
 * page's JS heap, the ratio to the CLI (`npm run reconcile`, report only) on the same files measured in the same
 * run, and, with RECONCILE_PAGE_ENRICHED=1, the time to write `Download enriched export`.
 *
 * The export is built once and cached in the OS temp folder: conversations from bench/walker.ts's builder
 * (a pool of 16 reused under fresh ids, deflated by node:zlib), plus stored incompressible image members
 * (5% of the bytes), the same proportions as bench/reconcile.ts, which times the CLI on the same shape.
 *
 * RECONCILE_PAGE_IMAGES sets the share of stored image members (default 0.05; 0.5 makes hashing dominate).
 * Also printed: which SHA-256 the worker could use, and the MB/s of each SHA-256 measured side by side.
 *
 *   RECONCILE_PAGE_MB=1024 node --import tsx bench/reconcile-page.ts
 */
import { noise } from './random';
import { sha256 } from '@noble/hashes/sha2.js';
import { createHash } from 'node:crypto';
import { createSHA256 } from 'hash-wasm';
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createZipWriter } from '../utils/zip';
import { nodeCrc32, nodeDeflateRaw, nodeSink } from '../utils/zip/node';
import { vaultArchive } from '../tests/fixtures/exports/generate';
import { buildBigConversation } from './walker';
import { jsonArrayStream } from './json-array';

const MB = 1 << 20;
const POOL = 16;
const BASE_ID = '69dc3dc3-8dfc-8333-b000-000000000000';
const enc = new TextEncoder();

/** `bytes` of conversations as one JSON array, streamed, each pool entry under a fresh conversation id. */
function conversationsJson(pool: string[], bytes: number): ReadableStream<Uint8Array> {
  return jsonArrayStream(bytes, (n) => pool[n % pool.length]!.replaceAll(BASE_ID, `${BASE_ID.slice(0, 24)}${n.toString(16).padStart(12, '0')}`));
}


/**
 * The cached export for `totalMb`, built on first use (also the e2e test's long-running export), with
 * `imageShare` of its bytes in stored image members (hashing-bound when large).
 */
export async function benchExport(totalMb: number, imageShare = 0.05): Promise<string> {
  const share = imageShare === 0.05 ? '' : `-img${Math.round(imageShare * 100)}`;
  const path = join(tmpdir(), `reconcile-page-bench-${totalMb}mb${share}-v1.zip`);
  if (existsSync(path)) return path;
  const pool: string[] = [];
  for (let i = 0; i < POOL; i++) pool.push(buildBigConversation(40, 2000 + i).json); // holds BASE_ID as its conversation_id
  const assets = Math.max(4, Math.floor((totalMb * imageShare)));
  const tmp = `${path}.partial`;
  const file = createWriteStream(tmp);
  const closed = new Promise<void>((r) => file.on('close', () => r()));
  const w = createZipWriter(nodeSink(file), { deflate: nodeDeflateRaw, crc32: nodeCrc32 });
  await w.add('chat.html', enc.encode('<html></html>'), { compress: true });
  await w.add('conversations.json', conversationsJson(pool, (totalMb - assets) * MB), { compress: true });
  for (let i = 0; i < assets; i++) {
    const id = `file_${i.toString(16).padStart(32, '0')}`;
    await w.add(`dalle-generations/${id}-aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee.webp`, noise(i + 1, MB), { compress: false });
  }
  await w.close();
  await closed;
  renameSync(tmp, path);
  return path;
}

const BASELINE_MS = 15_000;

interface PageMeasure {
  /** Each phase's words and when it was first shown, then the run's end. */
  phases: [words: string, ms: number][];
  worst: [ms: number, atS: number, phase: string][];
  baseline: { longest: number; count: number; gap: number };
  runMs: number;
  longestTaskMs: number;
  longTasks: number;
  longestGapMs: number;
  heapMb: number | null;
  step: string;
  summary: string;
}

/** Installed in the page before the file is chosen: long tasks, timer gaps, and when the run starts and ends. */
const INSTRUMENT = `(() => {
  const m = { longest: 0, count: 0, gap: 0, start: null, end: null, worst: [], phases: [], baseline: { longest: 0, count: 0, gap: 0 } };
  window.__reconcileBench = m;
  const phase = () => document.querySelector('[data-testid="reconcile-phase"]')?.textContent ?? (m.end === null ? 'before the first progress' : 'result');
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (m.start === null) { m.baseline.count++; m.baseline.longest = Math.max(m.baseline.longest, e.duration); continue; }
      if (m.end !== null && e.startTime > m.end + 1000) continue;
      m.count++; m.longest = Math.max(m.longest, e.duration);
      m.worst.push([Math.round(e.duration), Math.round((e.startTime - m.start) / 1000), phase()]);
      m.worst.sort((a, b) => b[0] - a[0]); m.worst.length = Math.min(m.worst.length, 3);
    }
  }).observe({ type: 'longtask' });
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    if (m.start === null) m.baseline.gap = Math.max(m.baseline.gap, now - last - 20);
    else if (m.end === null) m.gap = Math.max(m.gap, now - last - 20);
    last = now;
  }, 20);
  const view = () => document.querySelector('[data-testid="reconcile-view"]');
  new MutationObserver(() => {
    const step = view()?.getAttribute('data-step');
    if (step === 'running' && m.start === null) m.start = performance.now();
    if (m.start !== null && m.end === null && (step === 'done' || step === 'error')) m.end = performance.now();
    // When each phase was first shown ("Hashing files: 12%" -> "Hashing files").
    const words = /^[^:…]+/.exec(document.querySelector('[data-testid="reconcile-phase"]')?.textContent ?? '')?.[0];
    if (m.start !== null && m.end === null && words && m.phases.at(-1)?.[0] !== words) m.phases.push([words, performance.now()]);
  }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-step'], childList: true, characterData: true });
})()`;

/** RSS in KiB of the Chromium whose profile is under `dir`: the largest process and the whole process tree. */
function chromiumRss(dir: string): { largest: number; total: number } {
  const ps = spawnSync('ps', ['-e', '-o', 'pid=,ppid=,rss=,args='], { encoding: 'utf8', maxBuffer: 16 * MB });
  const rows = ps.stdout.split('\n').map((l) => /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(l)).filter((m) => m !== null);
  const root = rows.find((m) => m[4]!.includes(`--user-data-dir=${dir}`) && !m[4]!.includes('--type='));
  if (!root) return { largest: 0, total: 0 };
  const tree = new Set([root[1]!]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const m of rows) {
      if (tree.has(m[1]!) || !tree.has(m[2]!)) continue;
      tree.add(m[1]!);
      grew = true;
    }
  }
  const rss = rows.filter((m) => tree.has(m[1]!)).map((m) => Number(m[3]));
  return { largest: Math.max(...rss), total: rss.reduce((a, b) => a + b, 0) };
}

/** Wall seconds of the CLI (report only) on the same export and vault, for a ratio measured in the same run. */
function cliSeconds(exportPath: string, vaultPath: string, dir: string): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/reconcile.ts', exportPath, vaultPath, '--report', join(dir, 'cli-report.json')], {
    cwd: resolve(import.meta.dirname, '..'), encoding: 'utf8', maxBuffer: 64 * MB,
  });
  if (r.status !== 0) throw new Error(`reconcile CLI failed: ${r.stderr.slice(-300)}`);
  return Number(process.hrtime.bigint() - t) / 1e9;
}

/** MB/s of each incremental SHA-256 the reconciler can use, measured side by side (best of two). */
async function hashSpeeds(): Promise<string> {
  const data = noise(7, 64 * MB);
  const wasm = await createSHA256();
  const candidates: [string, () => { update(b: Uint8Array): void; end(): void }][] = [
    ['@noble/hashes', () => {
      const h = sha256.create();
      return { update: (b) => void h.update(b), end: () => void h.digest() };
    }],
    ['hash-wasm', () => {
      wasm.init();
      return { update: (b) => void wasm.update(b), end: () => void wasm.digest() };
    }],
    ['node:crypto (CLI)', () => {
      const h = createHash('sha256');
      return { update: (b) => void h.update(b), end: () => void h.digest() };
    }],
  ];
  const best = new Map<string, number>();
  for (let round = 0; round < 2; round++) {
    for (const [name, make] of candidates) {
      const t = performance.now();
      const h = make();
      for (let o = 0; o < data.length; o += 64 * 1024) h.update(data.subarray(o, o + 64 * 1024));
      h.end();
      best.set(name, Math.max(best.get(name) ?? 0, 64 / ((performance.now() - t) / 1000)));
    }
  }
  const noble = best.get('@noble/hashes')!;
  return [...best].map(([name, mbs]) => `${name} ${mbs.toFixed(0)} MB/s (${(mbs / noble).toFixed(1)}x)`).join(', ');
}

export async function benchReconcilePage(): Promise<string[]> {
  // RECONCILE_PAGE_EXT: another build (e.g. the previous commit's) to compare in the same session.
  const ext = resolve(process.env.RECONCILE_PAGE_EXT ?? resolve(import.meta.dirname, '../.output/chrome-mv3'));
  if (!existsSync(join(ext, 'manifest.json'))) return ['reconcile-page: skipped (no .output/chrome-mv3; run `npx wxt build`)'];
  const totalMb = Number(process.env.RECONCILE_PAGE_MB ?? 1024);
  const imageShare = Number(process.env.RECONCILE_PAGE_IMAGES ?? 0.05);
  const enriched = process.env.RECONCILE_PAGE_ENRICHED === '1';
  const t0 = Date.now();
  const exportPath = await benchExport(totalMb, imageShare);
  const buildS = (Date.now() - t0) / 1000;
  const zipMb = statSync(exportPath).size / MB;
  const { chromium } = await import('playwright-core');
  const dir = mkdtempSync(join(tmpdir(), 'reconcile-page-bench-'));
  const vaultPath = join(dir, 'vault.zip');
  writeFileSync(vaultPath, await vaultArchive());
  const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1280, height: 800 },
    ignoreDefaultArgs: ['--disable-extensions'],
    args: [`--disable-extensions-except=${ext}`, `--load-extension=${ext}`, '--no-sandbox', '--disable-gpu', '--no-first-run', '--enable-precise-memory-info'],
  });
  try {
    const sw = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
    const page = await context.newPage();
    await page.goto(`chrome-extension://${new URL(sw.url()).host}/library.html`);
    await page.getByLabel('Restore backup').setInputFiles(vaultPath);
    await page.getByTestId('restore-report').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Reconcile', exact: true }).click();
    await page.evaluate(INSTRUMENT);
    // The same page, idle, for a while first: what the machine alone does to the main thread (on a loaded
    // machine, the run's stalls are read against this baseline).
    await page.waitForTimeout(BASELINE_MS);
    await page.getByLabel('Export ZIP').setInputFiles(exportPath);
    // Memory while it runs, sampled each second: workers have no performance.memory, so the RSS of this
    // Chromium's processes (the largest one is the renderer holding the page and its worker).
    const peak = { process: 0, total: 0 };
    let parseWorkers = 0;
    page.on('worker', (w) => void (w.url().includes('/assets/walk-worker-') && parseWorkers++));
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const rss = chromiumRss(dir);
        peak.process = Math.max(peak.process, rss.largest);
        peak.total = Math.max(peak.total, rss.total);
        await new Promise((r) => setTimeout(r, 1_000));
      }
    })();
    await page.waitForFunction(() => (window as unknown as { __reconcileBench: { end: number | null } }).__reconcileBench.end !== null, null, {
      timeout: 1_800_000,
      polling: 500,
    });
    sampling = false;
    await sampler;
    const m: PageMeasure = await page.evaluate(() => {
      const b = (window as unknown as { __reconcileBench: Omit<PageMeasure, 'runMs' | 'longestTaskMs' | 'longTasks' | 'longestGapMs' | 'heapMb' | 'step' | 'summary'> & {
        longest: number; count: number; gap: number; start: number; end: number;
      } }).__reconcileBench;
      const view = document.querySelector('[data-testid="reconcile-view"]')!;
      const heap = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize;
      return {
        phases: [...b.phases.map(([w, t]) => [w, t - b.start] as [string, number]), ['end', b.end - b.start]],
        worst: b.worst, baseline: b.baseline, runMs: b.end - b.start, longestTaskMs: b.longest, longTasks: b.count, longestGapMs: b.gap,
        heapMb: heap === undefined ? null : heap / 1e6, step: view.getAttribute('data-step') ?? '',
        summary: ['matched', 'export-only', 'recovered', 'vault-only', 'lost']
          .map((s) => `${s} ${document.querySelector(`[data-testid="count-${s}"]`)?.textContent ?? '?'}`).join(', '),
      };
    });
    // Which SHA-256 the worker could use: WebAssembly unless the extension's CSP refuses it (then @noble/hashes).
    const worker = page.workers().find((w) => w.url().includes('/assets/worker-'));
    const wasm = worker
      ? await worker.evaluate(() => WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])).then(() => 'allowed', () => 'refused'))
      : 'worker not found';
    const imageMb = Math.max(4, Math.floor(totalMb * imageShare));
    const hashing = m.phases.findIndex(([w]) => w === 'Hashing files');
    const hashMbs = hashing < 0 ? 'n/a' : `${(imageMb / ((m.phases[hashing + 1]![1] - m.phases[hashing]![1]) / 1000)).toFixed(0)} MB/s (read from the File + SHA-256)`;
    if (m.step !== 'done') throw new Error(`the run ended in "${m.step}": ${await page.getByTestId('reconcile-view').textContent()}`);
    // Shown before the CLI's run, which takes minutes on a loaded machine.
    process.stderr.write(`reconcile-page: ${(m.runMs / 1000).toFixed(2)} s in the page, longest long task ${m.longestTaskMs.toFixed(0)} ms, longest timer gap ${m.longestGapMs.toFixed(0)} ms, parse workers ${parseWorkers}\n`);
    const cli = cliSeconds(exportPath, vaultPath, dir);
    const lines = [
      `reconcile-page (real Chromium, the page's worker; ${zipMb.toFixed(0)} MB ZIP, ${totalMb} MB inflated, legacy layout, ${Math.round(imageShare * 100)}% in stored images${buildS > 1 ? `, built in ${buildS.toFixed(0)} s` : ''}):`,
      `  choose file -> result shown: ${(m.runMs / 1000).toFixed(2)} s (${(totalMb / (m.runMs / 1000)).toFixed(0)} MB/s inflated) = ${(m.runMs / 1000 / cli).toFixed(2)}x the CLI on the same files in this run (${cli.toFixed(2)} s, incl. ~1 s Node start; must <= 1.5x, aim 1.3x)`,
      `  classes: ${m.summary}`,
      `  phases as shown: ${m.phases.slice(0, -1).map(([w, t], i) => `${w} ${((m.phases[i + 1]![1] - t) / 1000).toFixed(2)} s`).join(', ')}; image members ${imageMb} MB hashed at ${hashMbs}`,
      `  WebAssembly in the reconcile worker: ${wasm} (hash-wasm SHA-256 when allowed, else @noble/hashes); parse workers started: ${parseWorkers}`,
      `  main thread during the run (the longest stall): longest long task ${m.longestTaskMs.toFixed(0)} ms (${m.longTasks} long tasks), longest timer gap ${m.longestGapMs.toFixed(0)} ms; page JS heap ${m.heapMb?.toFixed(1) ?? 'n/a'} MB`,
      `  memory during the run (RSS sampled each second): largest Chromium process ${(peak.process / 1024).toFixed(0)} MB, all of this Chromium ${(peak.total / 1024).toFixed(0)} MB (RSS sum, shared pages counted per process)`,
      `  worst long tasks (ms @ s into the run, phase shown): ${m.worst.map(([ms, at, ph]) => `${ms} @ ${at} s "${ph}"`).join('; ') || 'none'}`,
      `  baseline, the same page idle for ${BASELINE_MS / 1000} s just before: longest long task ${m.baseline.longest.toFixed(0)} ms (${m.baseline.count}), longest timer gap ${m.baseline.gap.toFixed(0)} ms; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`,
    ];
    if (enriched) {
      const w0 = Date.now();
      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: 1_800_000 }),
        page.getByRole('button', { name: 'Download enriched export' }).click(),
      ]);
      const writtenMs = Date.now() - w0;
      const size = statSync(await download.path()).size / MB;
      lines.push(`  Download enriched export: ${(writtenMs / 1000).toFixed(2)} s to a ${size.toFixed(0)} MB Blob (${download.suggestedFilename()})`);
    }
    lines.push(`  SHA-256 in this run (Node's V8, 64 MiB in 64 KiB chunks): ${await hashSpeeds()}`);
    // For comparison only: WebCrypto is native but digests whole buffers (no streaming), so the worker cannot use it.
    const subtleMbs = await page.evaluate(async () => {
      const data = new Uint8Array(64 << 20).map((_, i) => (i * 2654435761) >>> 24);
      const t = performance.now();
      await crypto.subtle.digest('SHA-256', data);
      return 64 / ((performance.now() - t) / 1000);
    });
    lines.push(`  WebCrypto SHA-256 in the page (one 64 MiB buffer, not streaming): ${subtleMbs.toFixed(0)} MB/s`);
    return lines;
  } finally {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await benchReconcilePage()) console.log(line);
}
