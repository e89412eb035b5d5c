/**
 * Readable archive benchmark (docs/FORMATS.md section 5, issue 16).
 *
 * 1. The library page's path, under Node with fake-indexeddb and Node's Blob: a vault of 10,000 artifacts
 *    in 1,000 conversations (each snapshot a real conversation whose messages carry its images and a
 *    sandbox link). `Download readable archive` (vaultInput over dexieVault, renderReadableArchive, the ZIP
 *    writer into Blob parts) against `Download backup` (writeVaultArchive) of the same vault, alternated,
 *    fastest of each: the ratio (must <= 1.5x, aim 1.1x), the peak JS heap (sampled every 10 ms; must
 *    < 300 MB) and the longest the event loop went without a turn while rendering (long-task stand-in;
 *    must stay under 200 ms).
 * 2. The CLI: `npm run render` against `npm run reconcile` (report only) on the same large export plus the
 *    fixture vault archive (bench/reconcile.ts builds and caches the export), wall time ratio (must <= 1.5x)
 *    and peak RSS of each (must < 400 MB), from /usr/bin/time.
 *
 *   READABLE_BENCH_MB=1024 READABLE_BENCH_RUNS=2 node --expose-gc --import tsx bench/readable.ts
 */
import { noise } from './random';
import 'fake-indexeddb/auto';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Dexie from 'dexie';
import { createBlobSink, writeVaultArchive } from '../utils/archive';
import { dexieVault } from '../utils/reconcile/dexie-vault';
import { renderReadableArchive, vaultInput, zipOutput, type RenderSummary } from '../utils/readable';
import { createVaultDb, type ArtifactRecord, type BlobRecord, type VaultDb } from '../utils/vault';
import { benchInputs, timed } from './reconcile';

const gc = (globalThis as { gc?: () => void }).gc;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const MB = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
const PNG_SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const WORDS = 'the of a revenue chart fox poster image table model quarter report data plot draft final summary lighthouse'.split(' ');

/** One conversation's JSON: a question, a tool message with its images, an answer linking its CSV. */
function conversationJson(id: string, title: string, time: number, images: string[], csv: string | null, i: number): string {
  const text = (n: number) => Array.from({ length: n }, (_, k) => WORDS[(i * 7 + k * 13) % WORDS.length]).join(' ');
  const mapping: Record<string, unknown> = {
    root: { id: 'root', parent: null, children: ['u'], message: null },
    u: { id: 'u', parent: 'root', children: ['t'], message: { id: 'u', author: { role: 'user' }, create_time: time, content: { content_type: 'text', parts: [`${text(60)}?`] } } },
    t: {
      id: 't', parent: 'u', children: ['a'],
      message: {
        id: 't', author: { role: 'tool', name: 'dalle.text2im' }, create_time: time + 5,
        content: { content_type: 'multimodal_text', parts: images.map((f, k) => ({ content_type: 'image_asset_pointer', asset_pointer: `sediment://${f}`, metadata: { dalle: { gen_id: `g${i}-${k}`, prompt: `bench prompt ${i}-${k} ${text(20)}` } } })) },
      },
    },
    a: {
      id: 'a', parent: 't', children: [],
      message: { id: 'a', author: { role: 'assistant' }, create_time: time + 9, content: { content_type: 'text', parts: [`${text(400)}\n\n${csv ? `[The table](sandbox:${csv})\n\n` : ''}\`\`\`python\nprint(${i})\n\`\`\`\n`] } },
    },
  };
  return JSON.stringify({ conversation_id: id, title, create_time: time, update_time: time + 10, current_node: 'a', default_model_slug: 'gpt-5', mapping });
}

/** 10 artifacts per conversation (1 in 10 a sandbox CSV, 1 in 20 without bytes), images of 1-12 KiB. */
async function buildVault(db: VaultDb, conversations: number): Promise<{ artifacts: number; bytes: number }> {
  const records: ArtifactRecord[] = [];
  const blobs: BlobRecord[] = [];
  const snapshots: { id: string; json: string }[] = [];
  const convs: { id: string; title: string; updateTime: number; savedAt: number; gizmoId: null }[] = [];
  let bytesTotal = 0;
  const base = Date.UTC(2026, 10, 22);
  for (let c = 0; c < conversations; c++) {
    const id = `bench-conv-${String(c).padStart(5, '0')}`;
    const title = `Bench conversation ${c}`;
    const time = 1_790_000_000 - c * 3_600;
    const images: string[] = [];
    let csv: string | null = null;
    for (let k = 0; k < 10; k++) {
      const i = c * 10 + k;
      const isCsv = k === 9;
      const fileId = `file_${i.toString(16).padStart(32, '0')}`;
      if (isCsv) csv = `/mnt/data/table-${i}.csv`;
      else images.push(fileId);
      const rec: ArtifactRecord = {
        id: isCsv ? `sandbox:${id}:${csv}` : `file:${fileId}`, kind: isCsv ? 'sandbox-file' : 'image', conversationId: id,
        messageId: isCsv ? 'a' : 't', fallbackMessageId: null, fileId: isCsv ? null : fileId, genId: isCsv ? null : `g${c}-${k}`,
        prompt: isCsv ? null : `bench prompt ${c}-${k}`, seed: null, fileName: isCsv ? `table-${i}.csv` : `image-${i}.png`,
        sandboxPath: isCsv ? csv : null, width: null, height: null, createTime: time, status: 'saved', reason: null, sha256: null, size: null,
        declaredSize: null, mimeType: isCsv ? 'text/csv' : 'image/png', source: 'live', capturedAt: base - i * 60_000, firstSeenAt: base - i * 60_000,
        updatedAt: base, conversationTitle: title, attempts: 0,
      };
      if (i % 20 === 19) Object.assign(rec, { status: 'expired', reason: 'bench: no bytes', capturedAt: null });
      else {
        let bytes: Uint8Array<ArrayBuffer>;
        if (isCsv) bytes = new TextEncoder().encode(['n,square', ...Array.from({ length: 400 }, (_, x) => `${x},${x * x + i}`)].join('\n'));
        else {
          bytes = noise(i + 1, 1024 + ((i * 7919) % (11 * 1024)));
          bytes.set(PNG_SIG);
        }
        const sha = sha256(bytes);
        blobs.push({ sha256: sha, blob: new Blob([bytes], { type: rec.mimeType! }), size: bytes.length, mimeType: rec.mimeType! });
        bytesTotal += bytes.length;
        Object.assign(rec, { sha256: sha, size: bytes.length });
      }
      records.push(rec);
    }
    snapshots.push({ id, json: conversationJson(id, title, time, images, csv, c) });
    convs.push({ id, title, updateTime: time + 10, savedAt: base, gizmoId: null });
  }
  await db.transaction('rw', [db.artifacts, db.blobs, db.conversations, db.snapshots], async () => {
    await db.artifacts.bulkPut(records);
    await db.blobs.bulkPut(blobs);
    await db.conversations.bulkPut(convs);
    await db.snapshots.bulkPut(snapshots);
  });
  return { artifacts: records.length, bytes: bytesTotal };
}

interface Measured<T> { value: T; ms: number; peakHeap: number; startHeap: number; maxGapMs: number }

/** Runs `fn` sampling the JS heap and the event loop's longest gap between 10 ms ticks. */
async function measured<T>(fn: () => Promise<T>): Promise<Measured<T>> {
  gc?.();
  const startHeap = process.memoryUsage().heapUsed;
  let peakHeap = startHeap;
  let last = performance.now();
  let maxGapMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, 10);
  const t0 = performance.now();
  try {
    const value = await fn();
    return { value, ms: performance.now() - t0, peakHeap: Math.max(peakHeap, process.memoryUsage().heapUsed), startHeap, maxGapMs };
  } finally {
    clearInterval(timer);
  }
}

async function benchVault(): Promise<string[]> {
  const conversations = Number(process.env.READABLE_BENCH_CONVERSATIONS ?? 1000);
  const runs = Math.max(1, Number(process.env.READABLE_BENCH_RUNS ?? 2));
  const db = createVaultDb(`bench-readable-${process.pid}-${Date.now()}`);
  try {
    const shape = await buildVault(db, conversations);
    const backup = async () => {
      const sink = createBlobSink();
      await writeVaultArchive(db, sink.writable);
      return sink.toBlob().size;
    };
    const readable = async (): Promise<{ size: number; summary: RenderSummary }> => {
      const sink = createBlobSink();
      const out = zipOutput(sink.writable);
      const summary = await renderReadableArchive(await vaultInput(dexieVault(db)), out);
      await out.writer.close();
      return { size: sink.toBlob().size, summary };
    };
    let b = await measured(backup);
    let r = await measured(readable);
    for (let i = 1; i < runs; i++) {
      const b2 = await measured(backup);
      const r2 = await measured(readable);
      b = b2.ms < b.ms ? { ...b2, maxGapMs: Math.max(b.maxGapMs, b2.maxGapMs) } : { ...b, maxGapMs: Math.max(b.maxGapMs, b2.maxGapMs) };
      if (r2.ms < r.ms) r = { ...r2, peakHeap: Math.max(r.peakHeap, r2.peakHeap), maxGapMs: Math.max(r.maxGapMs, r2.maxGapMs) };
      else r = { ...r, peakHeap: Math.max(r.peakHeap, r2.peakHeap), maxGapMs: Math.max(r.maxGapMs, r2.maxGapMs) };
    }
    const s = r.value.summary;
    const problems: string[] = [];
    if (s.conversations !== conversations) problems.push(`${s.conversations} conversations rendered, expected ${conversations}`);
    if (s.assets + s.notSaved !== shape.artifacts) problems.push(`${s.assets} files + ${s.notSaved} not saved, expected ${shape.artifacts}`);
    return [
      `readable vault: ${shape.artifacts.toLocaleString('en')} artifacts, ${conversations.toLocaleString('en')} conversations, ${MB(shape.bytes)} of bytes`,
      `  Download readable archive ${(r.ms / 1000).toFixed(2)} s (${MB(r.value.size)}) vs Download backup ${(b.ms / 1000).toFixed(2)} s (${MB(b.value)}) = ${(r.ms / b.ms).toFixed(2)}x (must <= 1.5x, aim 1.1x)`,
      `  JS heap: before ${MB(r.startHeap)}, peak ${MB(r.peakHeap)} (must < 300 MB); longest event-loop gap ${r.maxGapMs.toFixed(0)} ms (must < 200; Download backup's ${b.maxGapMs.toFixed(0)} ms: fake-indexeddb reads block where IndexedDB does not)`,
      ...problems.map((p) => `  WRONG: ${p}`),
    ];
  } finally {
    db.close();
    await Dexie.delete(db.name);
  }
}

/** What `npm run reconcile` and `npm run render` run (package.json). */
const RECONCILE = [process.execPath, '--max-semi-space-size=2', 'scripts/reconcile-run.mjs'];
const RENDER = [process.execPath, '--max-semi-space-size=2', '--max-old-space-size=320', 'scripts/render-run.mjs'];

async function benchCli(): Promise<string[]> {
  const totalMb = Number(process.env.READABLE_BENCH_MB ?? 1024);
  const runs = Math.max(1, Number(process.env.READABLE_BENCH_RUNS ?? 2));
  const { exportPath, vaultPath } = await benchInputs('legacy', totalMb);
  const report = join(tmpdir(), `readable-bench-report-${process.pid}.json`);
  const out = join(tmpdir(), `readable-bench-${process.pid}.zip`);
  // The first run of each after an edit builds its bundle: not timed.
  for (const cmd of [RECONCILE, RENDER]) timed([...cmd, '--help']);
  let rec = timed([...RECONCILE, exportPath, vaultPath, '--report', report]);
  rmSync(out, { force: true });
  let ren = timed([...RENDER, exportPath, vaultPath, '--out', out]);
  for (let i = 1; i < runs; i++) {
    rmSync(report, { force: true });
    const r1 = timed([...RECONCILE, exportPath, vaultPath, '--report', report]);
    rmSync(out, { force: true });
    const r2 = timed([...RENDER, exportPath, vaultPath, '--out', out]);
    rec = r1.seconds < rec.seconds ? { ...r1, rssMb: Math.max(r1.rssMb, rec.rssMb) } : { ...rec, rssMb: Math.max(r1.rssMb, rec.rssMb) };
    ren = r2.seconds < ren.seconds ? { ...r2, rssMb: Math.max(r2.rssMb, ren.rssMb) } : { ...ren, rssMb: Math.max(r2.rssMb, ren.rssMb) };
  }
  rmSync(report, { force: true });
  rmSync(out, { force: true });
  if (rec.status !== 0) throw new Error(`reconcile CLI failed: ${rec.stderr.slice(-400)}`);
  if (ren.status !== 0) throw new Error(`render CLI failed: ${ren.stderr.slice(-400)}`);
  return [
    `readable CLI (legacy export, ${totalMb} MB inflated, + vault archive): npm run render ${ren.seconds.toFixed(2)} s vs npm run reconcile ${rec.seconds.toFixed(2)} s = ${(ren.seconds / rec.seconds).toFixed(2)}x (must <= 1.5x; CPU ${(ren.cpu / rec.cpu).toFixed(2)}x); ` +
      `CPU ${ren.cpu.toFixed(1)} s vs ${rec.cpu.toFixed(1)} s; peak RSS render ${ren.rssMb.toFixed(0)} MB, reconcile ${rec.rssMb.toFixed(0)} MB (must < 400); load average ${loadavg()[0]!.toFixed(1)}`,
  ];
}

export async function benchReadable(): Promise<string[]> {
  return [...(await benchVault()), ...(await benchCli())];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await benchReadable()) console.log(line);
}
