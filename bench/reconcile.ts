/**
 * Reconcile benchmark: the CLI (`npm run reconcile`, report only) on a generated ~1 GB export in each
 * layout, against `unzip -p` of the same ZIP in the same run. Targets (issue 20): at most 1.2x `unzip -p`
 * and under 300 MB peak RSS; aim 1.0x and 256 MB. Also the walker's share of the time.
 *
 * The exports (cached in the OS temp folder, made once with our writer and node:zlib deflate):
 * conversations from bench/walker.ts's realistic builder (every artifact variant, ~200 KB each, a pool of
 * 32 reused under fresh ids), ~95% of the bytes deflated, plus stored incompressible asset members.
 * - legacy: one `conversations.json`, `dalle-generations/` and `user-*` members;
 * - sharded: slim 2026 shards (no tool messages) of ~50 MB, `<id>.dat` members, manifest and name map;
 * - parts: the sharded export split into two stored part-ZIPs inside one ZIP;
 * - tiny (not in the default list): `RECONCILE_BENCH_TINY` (default 300,000) conversations of ~150 bytes each
 *   in one conversations.json, the case where handing conversations to the parse workers one at a time cost
 *   a message round trip each (now in batches).
 * Each run is its own process timed by /usr/bin/time (wall time and peak RSS); the fastest of each, worst RSS.
 *
 *   RECONCILE_BENCH_MB=1024 RECONCILE_BENCH_LAYOUTS=legacy,sharded,parts RECONCILE_BENCH_RUNS=2 node --import tsx bench/reconcile.ts
 */
import { noise } from './random';
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createZipWriter, type ZipWriter } from '../utils/zip';
import { nodeCrc32, nodeDeflateRaw, nodeSink } from '../utils/zip/node';
import { buildBigConversation } from './walker';
import { vaultArchive } from '../tests/fixtures/exports/generate';
import { jsonArrayStream } from './json-array';

const MB = 1 << 20;
const ROOT = join(fileURLToPath(import.meta.url), '../..');
const POOL = 32;
const BASE_ID = '69dc3dc3-8dfc-8333-b000-000000000000';
const enc = new TextEncoder();

type Layout = 'legacy' | 'sharded' | 'parts' | 'tiny';

/** What `npm run reconcile` runs (package.json). */
const CLI = [process.execPath, '--max-semi-space-size=2', 'scripts/reconcile-run.mjs'];

function slimJson(json: string): string {
  const conv = JSON.parse(json) as { mapping: Record<string, { id: string; parent: string | null; message: Record<string, unknown> | null }> };
  const mapping: Record<string, unknown> = {};
  for (const [k, n] of Object.entries(conv.mapping)) {
    const m = n.message;
    if ((m?.author as { role?: string } | undefined)?.role === 'tool') continue;
    mapping[k] = { id: n.id, parent: n.parent, message: m ? { author: m.author, content: m.content, create_time: m.create_time, id: m.id, metadata: m.metadata } : null };
  }
  return JSON.stringify({ ...conv, mapping });
}

/** `bytes` of conversations as one JSON array, streamed; `start` numbers the conversation ids. */
function conversations(pool: string[], bytes: number, start: number): ReadableStream<Uint8Array> {
  return jsonArrayStream(bytes, (i) => {
    const n = start + i;
    return pool[n % pool.length]!.replace(BASE_ID, `${BASE_ID.slice(0, 24)}${n.toString(16).padStart(12, '0')}`);
  });
}

const sedId = (i: number) => `file_${i.toString(16).padStart(32, '0')}`;

async function writeZip(path: string, fill: (w: ZipWriter) => Promise<void>): Promise<void> {
  const tmp = `${path}.partial`;
  const file = createWriteStream(tmp);
  const closed = new Promise<void>((r) => file.on('close', () => r()));
  const w = createZipWriter(nodeSink(file), { deflate: nodeDeflateRaw, crc32: nodeCrc32 });
  await fill(w);
  await w.close();
  await closed;
  renameSync(tmp, path);
}

async function build(layout: Layout, totalMb: number, path: string, pools: { full: string[]; slim: string[] }): Promise<void> {
  const assetBytes = Math.floor(totalMb * MB * 0.05);
  const assetCount = Math.max(4, Math.floor(assetBytes / MB));
  const convBytes = totalMb * MB - assetBytes;
  const shardBytes = 50 * MB;
  const shards = Math.max(1, Math.ceil(convBytes / shardBytes));
  const perShard = Math.ceil(convBytes / shards);
  const add2026 = async (w: ZipWriter, from: number, to: number, assetsFrom: number, assetsTo: number) => {
    const names: string[] = [];
    for (let i = from; i < to; i++) names.push(`conversations-${String(i).padStart(3, '0')}.json`);
    await w.add('export_manifest.json', enc.encode(JSON.stringify({ version: 1, logical_files: { 'conversations.json': { files: names, sharded: true } } })), { compress: true });
    for (const [k, name] of names.entries()) {
      // Each shard holds distinct conversations (ids continue across shards).
      await w.add(name, conversations(pools.slim, perShard, (from + k) * 10_000), { compress: true });
    }
    const map: Record<string, string> = {};
    for (let i = assetsFrom; i < assetsTo; i++) {
      await w.add(`${sedId(i)}.dat`, noise(i + 1, MB), { compress: false });
      map[`${sedId(i)}.dat`] = `dalle-generations/${i}.webp`;
    }
    await w.add('conversation_asset_file_names.json', enc.encode(JSON.stringify(map)), { compress: true });
  };
  if (layout === 'tiny') {
    const count = Number(process.env.RECONCILE_BENCH_TINY ?? 300_000);
    const id = (n: number) => `${BASE_ID.slice(0, 24)}${n.toString(16).padStart(12, '0')}`;
    await writeZip(path, async (w) => {
      await w.add('conversations.json', jsonArrayStream(count * 150, (n) =>
        JSON.stringify({ id: id(n), conversation_id: id(n), title: `Chat ${n}`, create_time: 1.7e9 + n, update_time: 1.7e9 + n, mapping: {} })), { compress: true });
    });
  } else if (layout === 'legacy') {
    await writeZip(path, async (w) => {
      await w.add('chat.html', enc.encode('<html></html>'), { compress: true });
      await w.add('conversations.json', conversations(pools.full, convBytes, 0), { compress: true });
      for (let i = 0; i < assetCount; i++) {
        const dir = i % 2 ? 'dalle-generations' : 'user-abc';
        await w.add(`${dir}/${sedId(i)}-aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee.webp`, noise(i + 1, MB), { compress: false });
      }
    });
  } else if (layout === 'sharded') {
    await writeZip(path, (w) => add2026(w, 0, shards, 0, assetCount));
  } else {
    const half = Math.ceil(shards / 2);
    const p1 = `${path}.p1`;
    const p2 = `${path}.p2`;
    await writeZip(p1, (w) => add2026(w, 0, half, 0, assetCount >> 1));
    await writeZip(p2, (w) => add2026(w, half, shards, assetCount >> 1, assetCount));
    const { openAsBlob } = await import('node:fs');
    await writeZip(path, async (w) => {
      await w.add('export-part-001.zip', await openAsBlob(p1), { compress: false });
      await w.add('export-part-002.zip', await openAsBlob(p2), { compress: false });
    });
    rmSync(p1);
    rmSync(p2);
  }
}

/**
 * Wall seconds, CPU seconds (user + system, all threads) and peak RSS (MB) of a command, from /usr/bin/time.
 * CPU time is printed too because it moves much less than wall time when other work shares the cores.
 */
export function timed(cmd: string[], env: Record<string, string> = {}): { seconds: number; cpu: number; rssMb: number; stderr: string; status: number | null } {
  const r = spawnSync('/usr/bin/time', ['-f', '@@time %e %U %S %M', ...cmd], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 * MB });
  const m = /@@time ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  if (!m) throw new Error(`no timing for ${cmd.join(' ')}: ${r.stderr.slice(-500)}`);
  return { seconds: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), rssMb: Number(m[4]) / 1024, stderr: r.stderr, status: r.status };
}

/**
 * The cached ~`totalMb` export of `layout` (built on first use) and the fixture vault archive beside it:
 * the inputs of this bench, shared with bench/readable.ts so both CLIs run on the same files.
 */
export async function benchInputs(layout: Layout, totalMb: number): Promise<{ exportPath: string; vaultPath: string }> {
  const vaultPath = join(tmpdir(), 'reconcile-bench-vault.zip');
  writeFileSync(vaultPath, await vaultArchive());
  const exportPath = join(tmpdir(), `reconcile-bench-${layout}-${totalMb}mb-v1.zip`);
  if (!existsSync(exportPath)) {
    const pools = { full: [] as string[], slim: [] as string[] };
    for (let i = 0; i < POOL; i++) {
      const { json } = buildBigConversation(40, 1000 + i);
      pools.full.push(json);
      pools.slim.push(slimJson(json));
    }
    await build(layout, totalMb, exportPath, pools);
  }
  return { exportPath, vaultPath };
}

export async function benchReconcile(): Promise<string[]> {
  const totalMb = Number(process.env.RECONCILE_BENCH_MB ?? 1024);
  const runs = Math.max(1, Number(process.env.RECONCILE_BENCH_RUNS ?? 2));
  const layouts = (process.env.RECONCILE_BENCH_LAYOUTS ?? 'legacy,sharded,parts').split(',') as Layout[];
  const pools = { full: [] as string[], slim: [] as string[] };
  for (let i = 0; i < POOL; i++) {
    const { json } = buildBigConversation(40, 1000 + i);
    pools.full.push(json);
    pools.slim.push(slimJson(json));
  }
  const vaultPath = join(tmpdir(), 'reconcile-bench-vault.zip');
  writeFileSync(vaultPath, await vaultArchive());
  // The first `npm run reconcile` after an edit builds the bundle (scripts/reconcile-run.mjs): not timed.
  spawnSync(CLI[0]!, [...CLI.slice(1), '--help'], { cwd: ROOT, stdio: 'ignore' });
  const lines: string[] = [];
  for (const layout of layouts) {
    const path = join(tmpdir(), layout === 'tiny' ? `reconcile-bench-tiny-${process.env.RECONCILE_BENCH_TINY ?? 300_000}-v1.zip` : `reconcile-bench-${layout}-${totalMb}mb-v1.zip`);
    if (!existsSync(path)) await build(layout, totalMb, path, pools);
    const zipMb = statSync(path).size / MB;
    const report = join(tmpdir(), `reconcile-bench-${layout}.json`);
    // The part-ZIP layout: `unzip -p` of the outer ZIP only copies the stored parts; the fair floor is
    // inflating what is inside them too, so the parts are unzipped through a pipe.
    const unzipCmd = layout === 'parts'
      ? ['bash', '-c', `d=$(mktemp -d) && unzip -q -d "$d" '${path}' && for p in "$d"/*.zip; do unzip -p "$p"; done > /dev/null; rm -rf "$d"`]
      : ['bash', '-c', `unzip -p '${path}' > /dev/null`];
    // The machine is shared: alternate the two and keep each one's fastest run (RECONCILE_BENCH_RUNS, default 2).
    let unzip = timed(unzipCmd);
    let cli = timed([...CLI, path, vaultPath, '--report', report], { RECONCILE_STATS: '1' });
    for (let run = 1; run < runs; run++) {
      const u = timed(unzipCmd);
      const c = timed([...CLI, path, vaultPath, '--report', report], { RECONCILE_STATS: '1' });
      if (u.seconds < unzip.seconds) unzip = u;
      if (c.status !== 0 || c.seconds < cli.seconds) cli = { ...c, rssMb: Math.max(c.rssMb, cli.rssMb) };
      else cli = { ...cli, rssMb: Math.max(c.rssMb, cli.rssMb) };
    }
    if (cli.status !== 0) throw new Error(`reconcile CLI failed on ${layout}: ${cli.stderr.slice(-400)}`);
    const stats = JSON.parse(/stats (\{.*\})/.exec(cli.stderr)?.[1] ?? '{}') as { conversationsMs?: number; parseMs?: number; walkMs?: number; hashMs?: number };
    const ratio = cli.seconds / unzip.seconds;
    const walkShare = (stats.walkMs ?? 0) / 1000 / cli.seconds;
    const line = (
      `reconcile ${layout}: ${zipMb.toFixed(0)} MB ZIP (${layout === 'tiny' ? `${process.env.RECONCILE_BENCH_TINY ?? 300_000} small conversations` : `${totalMb} MB inflated`}), CLI ${cli.seconds.toFixed(2)} s vs unzip -p ${unzip.seconds.toFixed(2)} s = ${ratio.toFixed(2)}x (must <= 1.2x, aim 1.0x); CPU ${cli.cpu.toFixed(1)} s vs ${unzip.cpu.toFixed(1)} s; ` +
      `peak RSS ${cli.rssMb.toFixed(0)} MB (must < 300, aim 256); walker ${((stats.walkMs ?? 0) / 1000).toFixed(2)} s = ${(walkShare * 100).toFixed(0)}% of wall, ` +
      `JSON.parse ${((stats.parseMs ?? 0) / 1000).toFixed(2)} s, conversations phase ${((stats.conversationsMs ?? 0) / 1000).toFixed(2)} s, hashing ${((stats.hashMs ?? 0) / 1000).toFixed(2)} s; load average ${loadavg()[0]!.toFixed(1)}`
    );
    // A ~1 GB layout takes minutes: show each result as it comes.
    process.stderr.write(`${line}\n`);
    lines.push(line);
    rmSync(report, { force: true });
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await benchReconcile()) console.log(line);
}
