/**
 * `npm run reconcile -- <export.zip> [<vault-archive.zip>] [--report report.json] [--out enriched.zip]`
 * (docs/FORMATS.md section 3). Node wiring only: the work is utils/reconcile, with node:zlib inflation,
 * node:zlib CRC-32 and node:crypto hashing plugged in.
 *
 * Exit 0 on success. Bad input: exit 2, one line (at most 300 characters, no stack) as the last stderr line,
 * and nothing left behind: outputs are written to temporary names next to their targets and renamed only
 * when everything succeeded; on any failure, Ctrl+C, SIGTERM or SIGHUP the temporary files are deleted.
 * Temporaries are `mkstemp`-style: random names, created exclusively (`wx`: an existing file or a planted
 * symlink makes the write fail, it is never followed), spilled parts in a private `mkdtemp` folder.
 */
import { createHash, randomBytes } from 'node:crypto';
import { availableParallelism, tmpdir } from 'node:os';
import { createWriteStream, existsSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import {
  archiveVault, formatSummary, reconcileExport, ReconcileInputError, reportJsonStream, writeEnrichedExport, type HashFactory, type ReconcileOptions, type ReconcileProgress,
  type VaultSide,
} from '../utils/reconcile/index.ts';
import { fileSource, nodeCrc32, nodeDeflateRaw, nodeInflateRaw } from '../utils/zip/node.ts';
import { createWalkPool } from './reconcile-pool.ts';

const USAGE = 'usage: npm run reconcile -- <export.zip> [<vault-archive.zip>] [--report report.json] [--out enriched.zip]';

const nodeSha256: HashFactory = () => {
  const h = createHash('sha256');
  return { update: (b) => void h.update(b), hex: () => h.digest('hex') };
};

const emptyVault: VaultSide = {
  artifacts: () => Promise.resolve([]),
  bytes: () => Promise.resolve(null),
  snapshotIds: () => Promise.resolve([]),
  snapshot: () => Promise.resolve(null),
};

interface Args { exportPath: string; vaultPath: string | null; report: string | null; out: string | null }

function parseArgs(argv: string[]): Args {
  const positional: string[] = [];
  let report: string | null = null;
  let out: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--report' || a === '--out') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new ReconcileInputError(`${a} needs a file name. ${USAGE}`);
      if (a === '--report') report = v;
      else out = v;
    } else if (a.startsWith('--report=')) report = a.slice(9);
    else if (a.startsWith('--out=')) out = a.slice(6);
    else if (a === '-h' || a === '--help') {
      console.log(USAGE);
      process.exit(0);
    } else if (a.startsWith('-')) throw new ReconcileInputError(`Unknown option ${a}. ${USAGE}`);
    else positional.push(a);
  }
  if (positional.length < 1 || positional.length > 2) throw new ReconcileInputError(USAGE);
  return { exportPath: positional[0]!, vaultPath: positional[1] ?? null, report, out };
}

function checkInput(path: string, what: string): void {
  if (!existsSync(path)) throw new ReconcileInputError(`${what} ${path} does not exist.`);
  const st = statSync(path);
  if (!st.isFile()) throw new ReconcileInputError(`${what} ${path} is not a file.`);
  if (st.size === 0) throw new ReconcileInputError(`${what} ${path} is empty (0 bytes).`);
}

/** Progress on stderr: a redrawn bar on a terminal, a plain line per phase and per 10% otherwise. */
function progressPrinter(): { onProgress: (p: ReconcileProgress) => void; done: () => void } {
  const tty = process.stderr.isTTY;
  let lastPhase = '';
  let lastTenth = -1;
  let lastDraw = 0;
  return {
    onProgress(p) {
      const pct = p.total > 0 ? Math.min(100, Math.floor((p.done / p.total) * 100)) : 0;
      if (tty) {
        const now = Date.now();
        if (p.phase === lastPhase && now - lastDraw < 100 && pct < 100) return;
        lastDraw = now;
        lastPhase = p.phase;
        const width = 30;
        const fill = Math.round((pct / 100) * width);
        process.stderr.write(`\r\x1b[2K${p.phase.padEnd(13)} [${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${String(pct).padStart(3)}%`);
        return;
      }
      const tenth = Math.floor(pct / 10);
      if (p.phase !== lastPhase || tenth !== lastTenth) {
        lastPhase = p.phase;
        lastTenth = tenth;
        process.stderr.write(`${p.phase} ${pct}%\n`);
      }
    },
    done() {
      if (tty && lastPhase !== '') process.stderr.write('\r\x1b[2K');
    },
  };
}

const temps = new Set<string>();
/** A random name next to `target` (the final rename stays on one file system), created by writeFileStream. */
function tempFor(target: string): string {
  const t = join(dirname(resolve(target)), `.${basename(target)}.${randomBytes(12).toString('hex')}.partial`);
  temps.add(t);
  return t;
}
function cleanup(): void {
  for (const t of temps) rmSync(t, { force: true, recursive: true });
  temps.clear();
}

/**
 * Unpacks a part-ZIP stored compressed inside the export into a temporary folder (deleted at the end, on
 * failure and on Ctrl+C), so a part of any size is read from disk rather than memory.
 */
function spiller(): { spill: NonNullable<ReconcileOptions['spill']>; close(): Promise<void> } {
  let dir: string | null = null;
  const files: { close(): Promise<void> }[] = [];
  return {
    async spill(_name, bytes) {
      if (dir === null) {
        dir = mkdtempSync(join(tmpdir(), 'chatgpt-vault-reconcile-'));
        temps.add(dir);
      }
      const path = join(dir, `part-${files.length}.zip`);
      await writeFileStream(path, (sink) => bytes.pipeTo(sink));
      const src = await fileSource(path);
      files.push(src);
      return src;
    },
    async close() {
      for (const f of files) await f.close().catch(() => undefined);
      if (dir !== null) {
        rmSync(dir, { force: true, recursive: true });
        temps.delete(dir);
      }
    },
  };
}

async function writeFileStream(path: string, write: (sink: WritableStream<Uint8Array>) => Promise<void>): Promise<void> {
  // Exclusive: never an existing file, never through a symlink someone planted at the name.
  const file = createWriteStream(path, { flags: 'wx' });
  const finished = new Promise<void>((res, rej) => {
    file.on('close', res);
    file.on('error', rej);
  });
  // A failed write aborts the sink, which destroys the file with the same error: it is thrown from here once.
  finished.catch(() => undefined);
  await write(Writable.toWeb(file) as WritableStream<Uint8Array>);
  await finished;
}

/** `npm run` starts us in the package directory; paths the person typed are relative to where they typed them. */
function fromUser(path: string): string {
  return resolve(process.env.INIT_CWD ?? process.cwd(), path);
}

async function main(): Promise<void> {
  const parsed = parseArgs(process.argv.slice(2));
  const args: Args = {
    exportPath: fromUser(parsed.exportPath),
    vaultPath: parsed.vaultPath === null ? null : fromUser(parsed.vaultPath),
    report: parsed.report === null ? null : fromUser(parsed.report),
    out: parsed.out === null ? null : fromUser(parsed.out),
  };
  checkInput(args.exportPath, 'The export');
  if (args.vaultPath !== null) checkInput(args.vaultPath, 'The vault archive');
  for (const o of [args.report, args.out]) {
    if (o !== null && [args.exportPath, args.vaultPath].some((p) => p !== null && resolve(p) === resolve(o))) {
      throw new ReconcileInputError(`The output ${o} is one of the inputs; choose another name (the original export is never modified).`);
    }
  }
  const progress = progressPrinter();
  const exportSrc = await fileSource(args.exportPath);
  const vaultSrc = args.vaultPath === null ? null : await fileSource(args.vaultPath);
  // Conversations are parsed and walked in a worker thread while the main thread splits the next ones out
  // of the inflating stream: on this project's 2-core machines a 1 GB export took 17.7 s with one worker
  // against 25.4 s inline (2026-11, same load), at 371 vs 317 MB peak RSS; parsing stays the critical path, and
  // two workers took the 1 GB legacy export from 10.6 s to 8.4 s (2.57x -> 2.04x `unzip -p`) at 355 MB.
  // RECONCILE_WORKERS=N sets the count; 0 parses inline (the browser's path). One core: inline.
  const workers = Number(process.env.RECONCILE_WORKERS ?? Math.min(2, availableParallelism() >= 2 ? availableParallelism() : 0));
  const pool = Number.isInteger(workers) && workers > 0 ? createWalkPool(workers) : undefined;
  const parts = spiller();
  try {
    const common = { inflate: nodeInflateRaw, crc32: nodeCrc32, hash: nodeSha256 };
    const vault = vaultSrc ? await archiveVault(vaultSrc, { ...common, name: basename(args.vaultPath!) }) : emptyVault;
    const result = await reconcileExport(exportSrc, basename(args.exportPath), vault, { ...common, pool, spill: parts.spill, onProgress: progress.onProgress });
    const renames: [string, string][] = [];
    if (args.out !== null) {
      const tmp = tempFor(args.out);
      await writeFileStream(tmp, (sink) => writeEnrichedExport(result, sink, { deflate: nodeDeflateRaw, crc32: nodeCrc32, onProgress: progress.onProgress }));
      renames.push([tmp, args.out]);
    }
    if (args.report !== null) {
      const tmp = tempFor(args.report);
      await writeFileStream(tmp, (sink) => reportJsonStream(result.report).pipeTo(sink));
      renames.push([tmp, args.report]);
    }
    for (const [tmp, target] of renames) {
      renameSync(tmp, target);
      temps.delete(tmp);
    }
    progress.done();
    console.log(formatSummary(result.report));
    for (const p of result.problems) process.stderr.write(`note: ${p}\n`);
    // For bench/reconcile.ts: where the time went.
    if (process.env.RECONCILE_STATS) process.stderr.write(`stats ${JSON.stringify(result.stats)}\n`);
  } finally {
    progress.done();
    await pool?.close();
    await parts.close();
    await exportSrc.close();
    await vaultSrc?.close();
  }
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
  process.on(signal, () => {
    cleanup();
    process.stderr.write(signal === 'SIGINT' ? 'reconcile: cancelled\n' : `reconcile: stopped by ${signal}\n`);
    process.exit(code);
  });
}

try {
  await main();
} catch (error) {
  cleanup();
  if (error instanceof ReconcileInputError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`reconcile: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
