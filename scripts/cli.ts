/**
 * What the two command-line tools (`npm run reconcile`, `npm run render`; docs/FORMATS.md sections 3 and 5)
 * share: arguments, input checks, progress on stderr, temporary outputs and their cleanup, the spill folder
 * for compressed part-ZIPs, the parse workers, node:crypto hashing, exit codes and signals.
 *
 * Temporaries are `mkstemp`-style: random names next to their targets (the final rename stays on one file
 * system), created exclusively (`wx`: an existing file or a planted symlink makes the write fail, it is
 * never followed), spilled parts in a private `mkdtemp` folder; all are deleted on any failure, Ctrl+C,
 * SIGTERM or SIGHUP.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { ReconcileInputError, type HashFactory, type ReconcileOptions, type ReconcileProgress, type VaultSide } from '../utils/reconcile/index.ts';
import { fileSource } from '../utils/zip/node.ts';
import { createWalkPool, type NodeWalkPool, type PoolOptions } from './reconcile-pool.ts';

export const nodeSha256: HashFactory = () => {
  const h = createHash('sha256');
  return { update: (b) => void h.update(b), hex: () => h.digest('hex') };
};

export const emptyVault: VaultSide = {
  artifacts: () => Promise.resolve([]),
  bytes: () => Promise.resolve(null),
  snapshotIds: () => Promise.resolve([]),
  snapshot: () => Promise.resolve(null),
};

/**
 * Positional arguments and `--name value` / `--name=value` options; `-h` prints the usage and exits 0.
 * `options` maps each option to what its value is, for the error when it is missing.
 */
export function parseArgs(argv: string[], usage: string, options: Record<string, string>): { positional: string[]; values: Map<string, string> } {
  const positional: string[] = [];
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf('=');
    if (Object.hasOwn(options, a)) {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new ReconcileInputError({ code: 'usage' }, `${a} needs ${options[a]}. ${usage}`);
      values.set(a, v);
    } else if (a.startsWith('--') && eq > 0 && Object.hasOwn(options, a.slice(0, eq))) values.set(a.slice(0, eq), a.slice(eq + 1));
    else if (a === '-h' || a === '--help') {
      console.log(usage);
      process.exit(0);
    } else if (a.startsWith('-')) throw new ReconcileInputError({ code: 'usage' }, `Unknown option ${a}. ${usage}`);
    else positional.push(a);
  }
  return { positional, values };
}

/** `npm run` starts us in the package directory; paths the person typed are relative to where they typed them. */
export function fromUser(path: string): string {
  return resolve(process.env.INIT_CWD ?? process.cwd(), path);
}

export function checkInput(path: string, what: string): void {
  if (!existsSync(path)) throw new ReconcileInputError({ code: 'usage' }, `${what} ${path} does not exist.`);
  const st = statSync(path);
  if (!st.isFile()) throw new ReconcileInputError({ code: 'usage' }, `${what} ${path} is not a file.`);
  if (st.size === 0) throw new ReconcileInputError({ code: 'usage' }, `${what} ${path} is empty (0 bytes).`);
}

/** Progress on stderr: a redrawn bar on a terminal, a plain line per phase and per 10% otherwise. */
export function progressPrinter(): { onProgress: (p: ReconcileProgress) => void; line: (text: string) => void; done: () => void } {
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
    /** A count that has no total (rendering): redrawn on a terminal at most 10 times a second, else every 2 s. */
    line(text) {
      const now = Date.now();
      if (now - lastDraw < (tty ? 100 : 2000)) return;
      lastDraw = now;
      lastPhase = 'line';
      process.stderr.write(tty ? `\r\x1b[2K${text}` : `${text}\n`);
    },
    done() {
      if (tty && lastPhase !== '') process.stderr.write('\r\x1b[2K');
    },
  };
}

const temps = new Set<string>();

/** A random name next to `target`, deleted on failure unless `keep` is called after the final rename. */
export function tempFor(target: string): string {
  const t = join(dirname(resolve(target)), `.${basename(target)}.${randomBytes(12).toString('hex')}.partial`);
  temps.add(t);
  return t;
}
export function keep(temp: string): void {
  temps.delete(temp);
}
/** A private folder in the OS temp folder, deleted at the end (`removeTempDir`) and on any failure. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.add(dir);
  return dir;
}
export function removeTempDir(dir: string): void {
  rmSync(dir, { force: true, recursive: true });
  temps.delete(dir);
}
function cleanup(): void {
  for (const t of temps) rmSync(t, { force: true, recursive: true });
  temps.clear();
}

export async function writeFileStream(path: string, write: (sink: WritableStream<Uint8Array>) => Promise<void>): Promise<void> {
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

/**
 * Unpacks a part-ZIP stored compressed inside the export into a temporary folder (deleted at the end, on
 * failure and on Ctrl+C), so a part of any size is read from disk rather than memory.
 */
export function spiller(name: string): { spill: NonNullable<ReconcileOptions['spill']>; close(): Promise<void> } {
  let dir: string | null = null;
  const files: { close(): Promise<void> }[] = [];
  return {
    async spill(_name, bytes) {
      dir ??= tempDir(`chatgpt-vault-${name}-`);
      const path = join(dir, `part-${files.length}.zip`);
      await writeFileStream(path, (sink) => bytes.pipeTo(sink));
      const src = await fileSource(path);
      files.push(src);
      return src;
    },
    async close() {
      for (const f of files) await f.close().catch(() => undefined);
      if (dir !== null) removeTempDir(dir);
    },
  };
}

/**
 * The parse workers: conversations are parsed and walked in worker threads while the main thread splits the
 * next ones out of the inflating stream. On this project's 2-core machines a 1 GB export took 17.7 s with one
 * worker against 25.4 s inline (2026-11, same load), at 371 vs 317 MB peak RSS; two workers took the 1 GB
 * legacy export from 10.6 s to 8.4 s (2.57x -> 2.04x `unzip -p`) at 355 MB. RECONCILE_WORKERS=N sets the count;
 * 0 parses inline (the browser's path), as does a single core.
 */
export function workerCount(): number {
  const n = Number(process.env.RECONCILE_WORKERS ?? Math.min(2, availableParallelism() >= 2 ? availableParallelism() : 0));
  return Number.isInteger(n) && n > 0 ? n : 0;
}
export function walkPool(opts: PoolOptions = {}): NodeWalkPool {
  return createWalkPool(workerCount(), opts);
}
export type { NodeWalkPool };

/**
 * Runs `main` as the tool `name`: exit 0 on success; bad input (`inputError` says which errors are, and how
 * they read) exits 2 with that one line as the last stderr line; anything else is an internal error (exit 1,
 * with its stack). Signals and failures delete every temporary first.
 */
export async function runCli(name: string, main: () => Promise<void>, inputError: (error: unknown) => string | null): Promise<void> {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.on(signal, () => {
      cleanup();
      process.stderr.write(signal === 'SIGINT' ? `${name}: cancelled\n` : `${name}: stopped by ${signal}\n`);
      process.exit(code);
    });
  }
  try {
    await main();
  } catch (error) {
    cleanup();
    const line = inputError(error);
    if (line !== null) {
      process.stderr.write(`${line}\n`);
      process.exit(2);
    }
    process.stderr.write(`${name}: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  }
}
