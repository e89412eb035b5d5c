/**
 * `npm run render -- [<export.zip>] [<vault-archive.zip>] --out <folder | file.zip>` (docs/FORMATS.md section 5).
 * Node wiring only: the export and the vault are read by utils/reconcile (the reconcile CLI's readers, its
 * worker threads and its temporary folder for compressed part-ZIPs), the archive is made by utils/readable.
 *
 * One input is an export or a vault archive as its content says (a vault archive has the vault's
 * manifest.json); two are the export then the vault archive. Exit 0 on success; on bad input exit 2 with one line as the last stderr line and
 * nothing written: the output goes to a temporary name next to the target, renamed only at the end.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { writeFile as fsWriteFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { deflateRaw, crc32 as zlibCrc32 } from 'node:zlib';
import { MANIFEST_NAME } from '../utils/archive/manifest.ts';
import {
  archiveVault, reconcileExport, ReconcileInputError, type HashFactory, type ReconcileOptions, type VaultSide,
} from '../utils/reconcile/index.ts';
import { renderReadableArchive, reconcileInput, vaultInput, type ArchiveOutput, type RenderSummary } from '../utils/readable/index.ts';
import { createZipWriter, openZip, unsafeNameReason, ZipFormatError, type ZipWriter } from '../utils/zip/index.ts';
import { fileSource, nodeCrc32, nodeDeflateRawFast, nodeInflateRaw } from '../utils/zip/node.ts';
import { nodeUtf8Decode } from './reconcile-decode.ts';
import { createWalkPool } from './reconcile-pool.ts';

const USAGE = 'usage: npm run render -- [<export.zip>] [<vault-archive.zip>] --out <folder | file.zip>';

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

function parseArgs(argv: string[]): { inputs: string[]; out: string } {
  const inputs: string[] = [];
  let out: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--out') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new ReconcileInputError(`--out needs a folder or a .zip name. ${USAGE}`);
      out = v;
    } else if (a.startsWith('--out=')) out = a.slice(6);
    else if (a === '-h' || a === '--help') {
      console.log(USAGE);
      process.exit(0);
    } else if (a.startsWith('-')) throw new ReconcileInputError(`Unknown option ${a}. ${USAGE}`);
    else inputs.push(a);
  }
  if (inputs.length < 1 || inputs.length > 2 || !out) throw new ReconcileInputError(USAGE);
  return { inputs, out };
}

/** `npm run` starts us in the package directory; paths the person typed are relative to where they typed them. */
const fromUser = (path: string) => resolve(process.env.INIT_CWD ?? process.cwd(), path);

function checkInput(path: string): void {
  if (!existsSync(path)) throw new ReconcileInputError(`The input ${path} does not exist.`);
  const st = statSync(path);
  if (!st.isFile()) throw new ReconcileInputError(`The input ${path} is not a file.`);
  if (st.size === 0) throw new ReconcileInputError(`The input ${path} is empty (0 bytes).`);
}

/** A vault archive names itself in its manifest; an export never has a `manifest.json` at its root. */
async function isVaultArchive(path: string): Promise<boolean> {
  const src = await fileSource(path);
  try {
    const zip = await openZip(src, { inflate: nodeInflateRaw, crc32: nodeCrc32 });
    return zip.get(MANIFEST_NAME) !== undefined;
  } catch (error) {
    if (error instanceof ZipFormatError) throw new ReconcileInputError(`${basename(path)} cannot be read: ${error.message}`);
    throw error;
  } finally {
    await src.close();
  }
}

const temps = new Set<string>();
function cleanup(): void {
  for (const t of temps) rmSync(t, { force: true, recursive: true });
  temps.clear();
}

async function writeFile(path: string, data: Uint8Array | ReadableStream<Uint8Array>): Promise<void> {
  if (data instanceof Uint8Array) return fsWriteFile(path, data);
  const file = createWriteStream(path);
  const finished = new Promise<void>((res, rej) => {
    file.on('close', res);
    file.on('error', rej);
  });
  await data.pipeTo(Writable.toWeb(file) as WritableStream<Uint8Array>);
  await finished;
}

/** The archive as files under `root` (paths are checked again: nothing may leave the folder). */
function folderOutput(root: string): ArchiveOutput {
  const made = new Set<string>();
  return {
    async add(path, data) {
      const reason = unsafeNameReason(path);
      if (reason !== null) throw new Error(`refusing to write ${JSON.stringify(path)}: the name ${reason}`);
      const target = join(root, ...path.split('/'));
      const dir = dirname(target);
      if (!made.has(dir)) {
        mkdirSync(dir, { recursive: true });
        made.add(dir);
      }
      await writeFile(target, data);
    },
  };
}

const deflateRawAsync = promisify(deflateRaw);
/** Pages deflated (zlib's thread pool) but not yet written: beyond this the renderer waits for the writes. */
const MAX_PENDING_BYTES = 8 << 20;

/**
 * The archive as a ZIP, pages pipelined: a page (bytes in memory) is deflated in one call in zlib's thread
 * pool and written later, still compressed, with its CRC (`addRaw`), while the renderer goes on with the
 * next conversation; members stay in the order they were added. A deflate stream per page, awaited before
 * the next conversation, left the main thread idle a fifth of the time and cost more in stream plumbing.
 */
function pipelinedZipOutput(writer: ZipWriter): ArchiveOutput & { close(): Promise<void> } {
  let chain: Promise<void> = Promise.resolve();
  let failed: { error: unknown } | null = null;
  let pending = 0;
  const check = () => {
    if (failed) throw failed.error;
  };
  const settle = async () => {
    await chain;
    check();
  };
  const then = (step: () => Promise<void>) => {
    chain = chain.then(() => (failed ? undefined : step())).catch((error: unknown) => {
      failed ??= { error };
    });
  };
  return {
    async add(path, data, o) {
      check();
      if (!(data instanceof Uint8Array)) {
        await settle();
        return writer.add(path, data, o);
      }
      const method = o.compress ? 8 : 0;
      const crc = zlibCrc32(data);
      const body = o.compress ? deflateRawAsync(data, { level: 1 }) : Promise.resolve(data);
      body.catch(() => undefined); // awaited in order below; a failure surfaces there
      pending += data.length;
      then(async () => {
        const bytes = new Uint8Array(await body);
        pending -= data.length;
        const member = { method, crc32: crc, compressedSize: bytes.length, uncompressedSize: data.length };
        await writer.addRaw(path, member, new ReadableStream({
          start(ctrl) {
            ctrl.enqueue(bytes);
            ctrl.close();
          },
        }));
      });
      if (pending > MAX_PENDING_BYTES) await settle();
    },
    async close() {
      await settle();
      await writer.close();
    },
  };
}

/** Unpacks a compressed part-ZIP into a temporary folder (as the reconcile CLI does). */
function spiller(): { spill: NonNullable<ReconcileOptions['spill']>; close(): Promise<void> } {
  let dir: string | null = null;
  const files: { close(): Promise<void> }[] = [];
  return {
    async spill(_name, bytes) {
      if (dir === null) {
        dir = mkdtempSync(join(tmpdir(), 'chatgpt-vault-render-'));
        temps.add(dir);
      }
      const path = join(dir, `part-${files.length}.zip`);
      await writeFile(path, bytes);
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

function formatSummary(s: RenderSummary, out: string): string {
  const mb = (s.bytes / 1e6).toFixed(1);
  return [
    `Readable archive written to ${out}`,
    `  conversations  ${s.conversations}`,
    `  files          ${s.assets} (${mb} MB)`,
    `  not saved      ${s.notSaved}`,
    `  no conversation ${s.library} (assets/_library)`,
    `  notes          ${s.notes.length}${s.notes.length ? ' (listed in index.html)' : ''}`,
  ].join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const inputs = args.inputs.map(fromUser);
  const out = fromUser(args.out);
  for (const p of inputs) checkInput(p);
  if (inputs.some((p) => resolve(p) === resolve(out))) throw new ReconcileInputError(`The output ${out} is one of the inputs; choose another name.`);
  const asZip = /\.zip$/i.test(out);
  if (existsSync(out) && (asZip || !statSync(out).isDirectory() || readdirSync(out).length > 0)) {
    throw new ReconcileInputError(`The output ${out} already exists; choose a new ${asZip ? 'file name' : 'folder or an empty one'}.`);
  }

  // Two inputs are export then vault archive, as the usage says (swapped when given the other way round);
  // one input is whichever its content says.
  let exportPath: string | null = null;
  let vaultPath: string | null = null;
  if (inputs.length === 2) {
    const swap = (await isVaultArchive(inputs[0]!)) && !(await isVaultArchive(inputs[1]!));
    [exportPath, vaultPath] = swap ? [inputs[1]!, inputs[0]!] : [inputs[0]!, inputs[1]!];
  } else if (await isVaultArchive(inputs[0]!)) vaultPath = inputs[0]!;
  else exportPath = inputs[0]!;

  const common = { inflate: nodeInflateRaw, crc32: nodeCrc32, hash: nodeSha256 };
  const tty = process.stderr.isTTY;
  const say = (line: string) => process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
  const exportSrc = exportPath === null ? null : await fileSource(exportPath);
  const vaultSrc = vaultPath === null ? null : await fileSource(vaultPath);
  const workers = Number(process.env.RECONCILE_WORKERS ?? Math.min(2, availableParallelism() >= 2 ? availableParallelism() : 0));
  const pool = exportSrc && Number.isInteger(workers) && workers > 0 ? createWalkPool(workers) : undefined;
  const parts = spiller();
  const tmp = join(dirname(out), `.${basename(out)}.${process.pid}.partial`);
  try {
    if (vaultSrc) say('reading the vault archive');
    const vault = vaultSrc ? await archiveVault(vaultSrc, { ...common, name: basename(vaultPath!) }) : emptyVault;
    let input;
    if (exportSrc) {
      let lastPhase = '';
      const result = await reconcileExport(exportSrc, basename(exportPath!), vault, {
        ...common, pool, spill: parts.spill,
        onProgress: (p) => {
          if (p.phase !== lastPhase) say(`${(lastPhase = p.phase)}`);
        },
      });
      await pool?.close();
      input = reconcileInput(result, { decode: nodeUtf8Decode });
    } else input = await vaultInput(vault);

    temps.add(tmp);
    let output: ArchiveOutput;
    let finish: () => Promise<void>;
    if (asZip) {
      const file = createWriteStream(tmp);
      const finished = new Promise<void>((res, rej) => {
        file.on('close', res);
        file.on('error', rej);
      });
      const zip = pipelinedZipOutput(createZipWriter(Writable.toWeb(file) as WritableStream<Uint8Array>, { deflate: nodeDeflateRawFast, crc32: nodeCrc32 }));
      output = zip;
      finish = async () => {
        await zip.close();
        await finished;
      };
    } else {
      mkdirSync(tmp);
      output = folderOutput(tmp);
      finish = () => Promise.resolve();
    }
    let lastTick = 0;
    const summary = await renderReadableArchive(input, output, {
      onProgress: (p) => {
        const now = Date.now();
        if (now - lastTick < (tty ? 100 : 2000)) return;
        lastTick = now;
        say(`rendering: ${p.conversations} conversations, ${p.assets} files`);
      },
    });
    await finish();
    renameSync(tmp, out);
    temps.delete(tmp);
    if (tty) process.stderr.write('\r\x1b[2K');
    console.log(formatSummary(summary, out));
    for (const n of summary.notes.slice(0, 20)) process.stderr.write(`note: ${n}\n`);
    if (summary.notes.length > 20) process.stderr.write(`note: … and ${summary.notes.length - 20} more (index.html lists them all)\n`);
  } finally {
    await pool?.close();
    await parts.close();
    await exportSrc?.close();
    await vaultSrc?.close();
  }
}

process.on('SIGINT', () => {
  cleanup();
  process.stderr.write('render: cancelled\n');
  process.exit(130);
});

try {
  await main();
} catch (error) {
  cleanup();
  if (error instanceof ReconcileInputError || error instanceof ZipFormatError) {
    // A member found corrupt only when its bytes are copied is bad input too.
    process.stderr.write(`${(error instanceof ZipFormatError ? `An input cannot be read: ${error.message}` : error.message).slice(0, 300)}\n`);
    process.exit(2);
  }
  process.stderr.write(`render: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
