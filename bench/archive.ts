/**
 * Vault archive benchmark (docs/FORMATS.md section 1) under Node with fake-indexeddb and Node's Blob.
 *
 * Builds a vault of N artifacts (mostly small images with incompressible bytes, a few large ones, some
 * sharing bytes, some expired or failed without bytes, a few deflated CSVs, one conversation snapshot per
 * 25 artifacts), writes it with writeVaultArchive, then times restoreVaultArchive (validation + merge) into a
 * fresh vault, and checks the restored vault is complete.
 * Runs N = 1,000 and N = 10,000 so the scaling is visible.
 *
 *   node --expose-gc --import tsx -e "import('./bench/archive.ts').then(m=>m.benchArchive()).then(l=>console.log(l.join('\n')))"
 *
 * Peak RSS is sampled every 10 ms during each phase (fake-indexeddb keeps both vaults in this process's
 * memory, so the baseline before a phase is printed too). Set BENCH_ARCHIVE_N=2000,20000 to change sizes.
 */
import { noise } from './random';
import 'fake-indexeddb/auto';
import { createHash } from 'node:crypto';
import Dexie from 'dexie';
import { createBlobSink, restoreVaultArchive, writeVaultArchive } from '../utils/archive';
import { createZipWriter } from '../utils/zip';
import { createVaultDb, type ArtifactRecord, type BlobRecord, type VaultDb } from '../utils/vault';

const gc = (globalThis as { gc?: () => void }).gc;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');


const PNG_SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

interface VaultShape { artifacts: number; blobs: number; bytes: number; conversations: number; withoutBytes: number }

/**
 * Fills `db` directly through Dexie (this bench measures the archive, not recordRefs/prepareBytes):
 * - 1 in 20 artifacts has no bytes (alternately expired and failed);
 * - 1 in 10 of the rest reuses the bytes of the artifact before it (shared content, one member);
 * - 1 in 50 is a sandbox CSV (deflated in the ZIP); 1 in 500 is a large image (256 KiB-1 MiB);
 * - the rest are images of 1-12 KiB; one conversation (~8 KB of JSON) per 25 artifacts.
 */
export async function buildVault(db: VaultDb, n: number): Promise<VaultShape> {
  const records: ArtifactRecord[] = [];
  const blobs = new Map<string, BlobRecord>();
  const conversations: { id: string; title: string; updateTime: number }[] = [];
  let bytesTotal = 0;
  let withoutBytes = 0;
  let prev: { sha: string; size: number; mime: string } | null = null;
  const base = Date.UTC(2026, 10, 22);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(i / 25);
    const conversationId = `bench-conv-${String(c).padStart(5, '0')}`;
    if (i % 25 === 0) conversations.push({ id: conversationId, title: `Bench conversation ${c}`, updateTime: 1795338000 - c });
    const csv = i % 50 === 7;
    const rec: ArtifactRecord = {
      id: csv ? `sandbox:${conversationId}:/mnt/data/table-${i}.csv` : `file:file_bench_${i}`,
      kind: csv ? 'sandbox-file' : 'image', conversationId, messageId: `m${i}`, fallbackMessageId: null,
      fileId: csv ? null : `file_bench_${i}`, genId: csv ? null : `gen_${i}`, prompt: csv ? null : `bench prompt number ${i}`,
      seed: null, fileName: csv ? `table-${i}.csv` : `image-${i}.png`, sandboxPath: csv ? `/mnt/data/table-${i}.csv` : null,
      width: null, height: null, createTime: null, status: 'saved', reason: null, sha256: null, size: null,
      declaredSize: null, mimeType: csv ? 'text/csv' : 'image/png', source: 'live', capturedAt: base - i * 60_000,
      firstSeenAt: base - i * 60_000, updatedAt: base, conversationTitle: `Bench conversation ${c}`, attempts: 0,
    };
    if (i % 20 === 19) {
      Object.assign(rec, { status: i % 40 === 19 ? 'expired' : 'failed', reason: 'bench: no bytes', capturedAt: null });
      withoutBytes++;
    } else if (i % 10 === 3 && prev && !csv) {
      Object.assign(rec, { sha256: prev.sha, size: prev.size, mimeType: prev.mime });
    } else {
      let bytes: Uint8Array<ArrayBuffer>;
      if (csv) {
        bytes = new TextEncoder().encode(['n,square', ...Array.from({ length: 400 + (i % 7) * 100 }, (_, k) => `${k},${k * k + i}`)].join('\n'));
      } else {
        const size = i % 500 === 250 ? 256 * 1024 + ((i * 7919) % (768 * 1024)) : 1024 + ((i * 7919) % (11 * 1024));
        bytes = noise(i + 1, size);
        bytes.set(PNG_SIG);
      }
      const sha = sha256(bytes);
      blobs.set(sha, { sha256: sha, blob: new Blob([bytes], { type: rec.mimeType! }), size: bytes.length, mimeType: rec.mimeType! });
      bytesTotal += bytes.length;
      Object.assign(rec, { sha256: sha, size: bytes.length });
      prev = { sha, size: bytes.length, mime: rec.mimeType! };
    }
    records.push(rec);
  }
  const filler = 'x'.repeat(7_000);
  await db.transaction('rw', [db.artifacts, db.blobs, db.conversations, db.snapshots], async () => {
    await db.artifacts.bulkPut(records);
    await db.blobs.bulkPut([...blobs.values()]);
    await db.conversations.bulkPut(conversations.map((c) => ({ ...c, savedAt: base, gizmoId: null })));
    await db.snapshots.bulkPut(conversations.map((c) => ({
      id: c.id,
      json: JSON.stringify({ conversation_id: c.id, title: c.title, update_time: c.updateTime, mapping: { root: { id: 'root', children: [], note: filler } } }),
    })));
  });
  return { artifacts: n, blobs: blobs.size, bytes: bytesTotal, conversations: conversations.length, withoutBytes };
}

/**
 * Counts Blob reads (arrayBuffer, text, stream). Under Node one small read costs ~20 µs; in a browser each
 * one is a round trip to the blob registry (about a millisecond for a File), so the count is the number
 * that carries over to the extension even where Node's wall time does not.
 */
let blobReads = 0;
let inRead = false;
for (const method of ['arrayBuffer', 'text', 'stream', 'bytes'] as const) {
  const proto = Blob.prototype as unknown as Record<string, ((...args: unknown[]) => unknown) | undefined>;
  const original = proto[method];
  if (!original) continue;
  proto[method] = function (this: Blob, ...args: unknown[]) {
    // Node's text() calls arrayBuffer(): count the outer call only.
    if (inRead) return original.apply(this, args);
    blobReads++;
    inRead = true;
    try {
      return original.apply(this, args);
    } finally {
      inRead = false;
    }
  };
}

interface Measured<T> { value: T; ms: number; cpuMs: number; peakRss: number; startRss: number; reads: number }

/** Runs `fn` while sampling RSS every 10 ms; returns its result, wall and CPU time, peak RSS and Blob reads. */
async function measured<T>(fn: () => Promise<T>): Promise<Measured<T>> {
  gc?.();
  const startRss = process.memoryUsage.rss();
  let peakRss = startRss;
  const timer = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage.rss()); }, 10);
  const reads0 = blobReads;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    const value = await fn();
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    return { value, ms, cpuMs: (cpu.user + cpu.system) / 1000, peakRss, startRss, reads: blobReads - reads0 };
  } finally {
    clearInterval(timer);
  }
}

interface RunResult { n: number; lines: string[]; restoreMs: number; membersPerS: number }

const MB = (b: number) => `${(b / 1e6).toFixed(1)} MB`;

async function runOnce(n: number): Promise<RunResult> {
  const tag = `${process.pid}-${n}-${Date.now()}`;
  const source = createVaultDb(`bench-archive-src-${tag}`);
  const target = createVaultDb(`bench-archive-dst-${tag}`);
  try {
    const shape = await buildVault(source, n);
    const write = await measured(async () => {
      const sink = createBlobSink();
      await writeVaultArchive(source, sink.writable, { now: new Date('2026-11-23T10:00:00.000Z') });
      return sink.toBlob();
    });
    const zip = write.value;
    const members = 1 + shape.blobs + shape.conversations;
    const restore = await measured(() => restoreVaultArchive(target, zip));

    // The restored vault must be complete, or the timing means nothing.
    const r = restore.value;
    const [artifacts, blobs, snapshots] = await Promise.all([target.artifacts.count(), target.blobs.count(), target.snapshots.count()]);
    const problems: string[] = [];
    if (r.added !== n || artifacts !== n) problems.push(`${artifacts} artifacts (added ${r.added}), expected ${n}`);
    if (blobs !== shape.blobs) problems.push(`${blobs} blobs, expected ${shape.blobs}`);
    if (snapshots !== shape.conversations) problems.push(`${snapshots} snapshots, expected ${shape.conversations}`);
    const sample = (await target.artifacts.where('kind').equals('sandbox-file').first())!;
    const row = (await target.blobs.get(sample.sha256!))!;
    if (sha256(new Uint8Array(await row.blob.arrayBuffer())) !== sample.sha256) problems.push('a restored blob does not match its SHA-256');

    const perS = members / (restore.ms / 1000);
    const lines = [
      `archive N=${n.toLocaleString('en')}: ${MB(zip.size)} ZIP, ${members.toLocaleString('en')} members (${shape.blobs} blobs, ${MB(shape.bytes)} of bytes; ${shape.conversations} snapshots; ${shape.withoutBytes} entries without bytes)`,
      `  write    ${(write.ms / 1000).toFixed(2)} s`,
      `  restore  ${(restore.ms / 1000).toFixed(2)} s, CPU ${(restore.cpuMs / 1000).toFixed(2)} s, ${restore.reads.toLocaleString('en')} Blob reads (validate + merge into a fresh vault), ${perS.toFixed(0)} members/s`,
      `  RSS: before restore ${MB(restore.startRss)}, peak during restore ${MB(restore.peakRss)} (+${MB(restore.peakRss - restore.startRss)})`,
      ...problems.map((p) => `  WRONG: ${p}`),
    ];
    return { n, lines, restoreMs: restore.ms, membersPerS: perS };
  } finally {
    source.close();
    target.close();
    await Dexie.delete(source.name);
    await Dexie.delete(target.name);
    gc?.();
  }
}

/**
 * Issue 10: a 41 MiB manifest of no real entries (padding strings in an extra field) once cost +118 MiB of
 * heap before anything refused it. Measures heap and RSS while restore refuses it now.
 */
async function benchHostileManifest(): Promise<string[]> {
  // Letters from incompressible noise: the ratio bound must not be what refuses it.
  const padding = Array.from({ length: 205 }, (_, k) => new TextDecoder().decode(noise(k + 1, 200 << 10).map((x) => 97 + (x % 26))));
  const text = JSON.stringify({ format: 'chatgpt-artifact-vault', version: 1, createdAt: '2026-11-30T00:00:00.000Z', artifacts: [], conversations: [], padding });
  const sink = createBlobSink();
  const zip = createZipWriter(sink.writable);
  await zip.add('manifest.json', new TextEncoder().encode(text), { compress: true });
  await zip.close();
  const file = sink.toBlob();
  const manifestMb = text.length / (1 << 20);
  const target = createVaultDb(`bench-archive-hostile-${process.pid}`);
  try {
    gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    let heapPeak = heap0;
    const timer = setInterval(() => { heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed); }, 2);
    const t0 = performance.now();
    const outcome = await restoreVaultArchive(target, file).then(() => 'ACCEPTED (wrong)', (e: unknown) => (e instanceof Error ? e.message : String(e)));
    const ms = performance.now() - t0;
    clearInterval(timer);
    return [`archive: a ${manifestMb.toFixed(0)} MiB manifest with 0 entries (${MB(file.size)} ZIP): ${(ms / 1000).toFixed(2)} s, heap +${MB(heapPeak - heap0)} (sampled every 2 ms); ${outcome.slice(0, 120)}`];
  } finally {
    target.close();
    await Dexie.delete(target.name);
  }
}

export async function benchArchive(): Promise<string[]> {
  const sizes = (process.env.BENCH_ARCHIVE_N ?? '1000,10000').split(',').map(Number).filter((x) => x > 0);
  const lines: string[] = [];
  const runs: RunResult[] = [];
  for (const n of sizes) {
    const run = await runOnce(n);
    runs.push(run);
    lines.push(...run.lines);
  }
  const [small, large] = [runs[0], runs[runs.length - 1]];
  if (small && large && small !== large) {
    const k = large.n / small.n;
    lines.push(`archive scaling ${small.n}→${large.n} (${k}x members): restore ${(large.restoreMs / small.restoreMs).toFixed(1)}x time (linear = ${k}x)`);
  }
  lines.push(...(await benchHostileManifest()));
  lines.push(`archive: process peak RSS ${MB(process.resourceUsage().maxRSS * 1024)}${gc ? '' : ' (run node with --expose-gc for steadier numbers)'}`);
  return lines;
}
