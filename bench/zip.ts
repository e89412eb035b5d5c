/**
 * ZIP layer benchmark (utils/zip): reading a ~1 GB export-shaped ZIP, our reader against `unzip -p` of the
 * same file in the same run. The target it serves: the reconcile CLI reads a ~1 GB export in at most 2.0x
 * (aim 1.5x) the time of `unzip -p`, under 400 MB peak RSS, so the ZIP layer must be well under that.
 *
 * The ZIP (cached in the OS temp folder, made once with our writer): one deflated `conversations.json` of
 * word-salad conversation JSON (~70% of the bytes) and stored members of incompressible bytes (~30%), like
 * an export's images. Each reader runs in its own process (wall time and peak RSS from /usr/bin/time):
 * - `unzip -p zip > /dev/null`;
 * - our reader with node:zlib inflate and CRC-32 (what the CLI uses), every member streamed in file order;
 * - our reader with the web `DecompressionStream` and the JS CRC-32 (the browser's path, run in Node);
 * - `@zip.js/zip.js` (the maintained library the ZIP-layer decision weighed; no web workers, CRC-32 checked)
 *   with the web `DecompressionStream`, and with node:zlib plugged in as its `DecompressionStream`, the
 *   same inflater as our CLI path, so the difference left is the library's own pipeline.
 *
 *   BENCH_ZIP_MB=1024 node --import tsx bench/zip.ts        (or through bench/run.ts)
 */
import { makeRng, noise } from './random';
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, renameSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createZipWriter, openZip, type RandomAccessSource } from '../utils/zip';
import { fileSource, nodeCrc32, nodeDeflateRaw, nodeInflateRaw, nodeSink } from '../utils/zip/node';
import * as zipjs from '@zip.js/zip.js';
import { jsonArrayStream } from './json-array';

const MB = 1 << 20;
const ZIPJS_VERSION = (JSON.parse(readFileSync(join(fileURLToPath(import.meta.url), '../../node_modules/@zip.js/zip.js/package.json'), 'utf8')) as { version: string }).version;

const WORDS = ('revenue chart quarter fox lighthouse analysis the of and data model export summary result table ' +
  'regression mean median plot figure draft image poster résumé 报告 naïve café column row value trend').split(' ');

/** About `bytes` of conversation-shaped JSON, produced in ~1 MiB pieces. */
function conversationsJson(bytes: number): ReadableStream<Uint8Array> {
  const rng = makeRng(7);
  return jsonArrayStream(bytes, (n) => {
    const words: string[] = [];
    for (let i = 0; i < 60; i++) words.push(WORDS[Math.floor(rng() * WORDS.length)]!);
    return `{"id":"conv-${n}","title":"t ${n}","update_time":${1776000000 + n},"mapping":{"n${n}":` +
      `{"message":{"content":{"parts":[${JSON.stringify(words.join(' '))}]}}}}}`;
  }, MB);
}


async function makeZip(path: string, totalMb: number): Promise<void> {
  const tmp = `${path}.part`;
  const zip = createZipWriter(nodeSink(createWriteStream(tmp)), { deflate: nodeDeflateRaw, crc32: nodeCrc32 });
  const jsonBytes = Math.round(totalMb * 0.7) * MB;
  await zip.add('conversations.json', conversationsJson(jsonBytes), { compress: true });
  const assets = Math.round(totalMb * 0.3);
  for (let i = 0; i < assets; i++) {
    await zip.add(`file-${String(i).padStart(22, '0')}-image.png`, noise(i + 1, MB - 4096 + (i % 8192)));
  }
  await zip.close();
  renameSync(tmp, path);
}

type Mode = 'native' | 'web' | 'zipjs-web' | 'zipjs-zlib';

/** node:zlib raw inflate in the shape zip.js takes for `DecompressionStream` (it only asks for `deflate-raw`). */
class ZlibDecompressionStream {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  constructor(format: string) {
    if (format !== 'deflate-raw') throw new Error(`unexpected format ${format}`);
    ({ readable: this.readable, writable: this.writable } = nodeInflateRaw());
  }
}

/** Our file source (positioned reads of the file) as a zip.js Reader, the same I/O our reader gets. */
class FileSourceReader extends zipjs.Reader<RandomAccessSource> {
  constructor(private readonly src: RandomAccessSource) {
    super(src);
    this.size = src.size;
  }
  override readUint8Array(index: number, length: number): Promise<Uint8Array> {
    return this.src.read(index, length);
  }
}

/** Child mode, zip.js: every member streamed in file order, CRC-32 checked; prints the inflated byte count. */
async function readAllZipJs(path: string, zlib: boolean): Promise<void> {
  const src = await fileSource(path);
  zipjs.configure({ useWebWorkers: false, useCompressionStream: true, ...(zlib ? { DecompressionStream: ZlibDecompressionStream } : {}) });
  const reader = new zipjs.ZipReader(new FileSourceReader(src), { checkCrc32: true });
  let total = 0;
  const entries = (await reader.getEntries()).sort((a, b) => a.offset - b.offset);
  for (const e of entries) {
    if (e.directory) continue;
    await e.getData(new WritableStream<Uint8Array>({ write(chunk) { total += chunk.length; } }));
  }
  await reader.close();
  await src.close();
  console.log(String(total));
}

/** Child mode: stream every member of the ZIP with our reader; prints the inflated byte count. */
async function readAll(path: string, native: boolean): Promise<void> {
  const src = await fileSource(path);
  const zip = await openZip(src, native ? { inflate: nodeInflateRaw, crc32: nodeCrc32 } : {});
  let total = 0;
  for (const e of [...zip.entries].sort((a, b) => a.offset - b.offset)) {
    const reader = zip.stream(e).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
    }
  }
  await src.close();
  console.log(String(total));
}

interface Run { seconds: number; cpu: number; rssMb: number; out: string }

function timed(cmd: string, args: string[], stdoutToNull = false): Run {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', cmd, ...args], {
    stdio: ['ignore', stdoutToNull ? 'ignore' : 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr.slice(-300)}`);
  const last = r.stderr.trim().split('\n').pop()!.split(' ');
  return { seconds: Number(last[0]), cpu: Number(last[1]) + Number(last[2]), rssMb: Number(last[3]) / 1024, out: stdoutToNull ? '' : r.stdout.trim() };
}

export async function benchZip(): Promise<string[]> {
  const totalMb = Number(process.env.BENCH_ZIP_MB ?? 1024);
  const path = join(tmpdir(), `cgav-bench-zip-${totalMb}MB.zip`);
  if (!existsSync(path)) await makeZip(path, totalMb);
  const zipMb = statSync(path).size / MB;
  const self = fileURLToPath(import.meta.url);
  const child = (mode: Mode) => timed(process.execPath, ['--import', 'tsx', self, '--read', path, mode]);
  const sh = (cmd: string) => timed('/bin/sh', ['-c', cmd], true);
  // Interleaved, two rounds, best of each (the machine is shared).
  const runs = { unzip: [] as Run[], native: [] as Run[], web: [] as Run[], 'zipjs-web': [] as Run[], 'zipjs-zlib': [] as Run[] };
  for (let round = 0; round < 2; round++) {
    runs.unzip.push(sh(`unzip -p '${path}' > /dev/null`));
    for (const mode of ['native', 'web', 'zipjs-web', 'zipjs-zlib'] as const) runs[mode].push(child(mode));
  }
  // Every reader must have inflated the same bytes, or its time means nothing.
  const counts = new Set([...runs.native, ...runs.web, ...runs['zipjs-web'], ...runs['zipjs-zlib']].map((r) => r.out));
  if (counts.size !== 1) throw new Error(`the readers disagree on the inflated size: ${[...counts].join(', ')}`);
  // CPU time (user + system) is printed too: on a shared machine it moves much less than wall time.
  const best = (rs: Run[]) => rs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const u = best(runs.unzip);
  const line = (label: string, r: Run) =>
    `zip: ${label}: ${r.seconds.toFixed(2)} s (${(r.seconds / u.seconds).toFixed(2)}x unzip -p), CPU ${r.cpu.toFixed(1)} s (${(r.cpu / u.cpu).toFixed(2)}x), peak RSS ${r.rssMb.toFixed(0)} MB`;
  return [
    `zip: ${totalMb} MB inflated in a ${zipMb.toFixed(0)} MB ZIP (${path}); best of 2 interleaved runs; load average ${loadavg()[0]!.toFixed(1)}`,
    line('unzip -p > /dev/null', u),
    line('utils/zip + node:zlib inflate + zlib CRC-32 (CLI path)', best(runs.native)),
    line('utils/zip + web DecompressionStream + JS CRC-32 (browser path, in Node)', best(runs.web)),
    line(`@zip.js/zip.js ${ZIPJS_VERSION} + web DecompressionStream, no workers`, best(runs['zipjs-web'])),
    line(`@zip.js/zip.js ${ZIPJS_VERSION} + node:zlib as its DecompressionStream, no workers`, best(runs['zipjs-zlib'])),
  ];
}

if (process.argv[2] === '--read') {
  const mode = process.argv[4] as Mode;
  if (mode === 'zipjs-web' || mode === 'zipjs-zlib') await readAllZipJs(process.argv[3]!, mode === 'zipjs-zlib');
  else await readAll(process.argv[3]!, mode === 'native');
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const l of await benchZip()) console.log(l);
}
