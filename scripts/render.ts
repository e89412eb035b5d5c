/**
 * `npm run render -- [<export.zip>] [<vault-archive.zip>] --out <folder | file.zip>` (docs/FORMATS.md section 5).
 * Node wiring only: the export and the vault are read by utils/reconcile (with the reconcile CLI's plumbing,
 * scripts/cli.ts: parse workers, spill folder, temporaries, exit codes), the archive is made by utils/readable.
 *
 * One pass over the export: the parse workers that walk each conversation for the reconciliation also
 * prepare it for the archive (scripts/reconcile-batch.ts), and the prepared conversations wait in a temporary
 * file until the matching is done; then the main thread places the artifacts and writes the pages.
 *
 * One input is an export or a vault archive as its content says (a vault archive has the vault's
 * manifest.json); two are the export then the vault archive. Exit 0 on success; on bad input exit 2 with one line as the last stderr line and
 * nothing written: the output goes to a temporary name next to the target, renamed only at the end.
 */
import { createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { open, writeFile as fsWriteFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { deserialize } from 'node:v8';
import { MANIFEST_NAME } from '../utils/archive/manifest.ts';
import { archiveVault, reconcileExport, ReconcileInputError } from '../utils/reconcile/index.ts';
import {
  preparedReconcileInput, renderReadableArchive, vaultInput, type ArchiveOutput, type PreparedExportConversation, type RenderSummary,
} from '../utils/readable/index.ts';
import { createZipWriter, openZip, pipelinedZipWriter, unsafeNameReason, ZipFormatError } from '../utils/zip/index.ts';
import { fileSource, nodeCrc32, nodeDeflateRawBytes, nodeDeflateRawFast, nodeInflateRaw } from '../utils/zip/node.ts';
import { parseNamePattern, TOKEN_LIST } from '../utils/files/name-pattern.ts';
import {
  checkInput, emptyVault, fromUser, keep, nodeSha256, parseArgs, progressPrinter, removeTempDir, runCli, spiller, tempDir, tempFor, walkPool, writeFileStream,
} from './cli.ts';

const USAGE = 'usage: npm run render -- [<export.zip>] [<vault-archive.zip>] --out <folder | file.zip> [--names <pattern>]';

/** A vault archive names itself in its manifest; an export never has a `manifest.json` at its root. */
async function isVaultArchive(path: string): Promise<boolean> {
  const src = await fileSource(path);
  try {
    const zip = await openZip(src, { inflate: nodeInflateRaw, crc32: nodeCrc32 });
    return zip.get(MANIFEST_NAME) !== undefined;
  } catch (error) {
    if (error instanceof ZipFormatError) throw new ReconcileInputError({ code: 'zip', file: basename(path), zip: error.code }, `${basename(path)} cannot be read: ${error.message}`);
    throw error;
  } finally {
    await src.close();
  }
}

async function writeFile(path: string, data: Uint8Array | ReadableStream<Uint8Array>): Promise<void> {
  if (data instanceof Uint8Array) return fsWriteFile(path, data, { flag: 'wx' });
  return writeFileStream(path, (sink) => data.pipeTo(sink));
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

/**
 * The conversations the parse workers prepared, kept on disk in the export's order until the matching is
 * done (a 1 GB export's would not fit the memory target): one record per batch, its length (4 bytes,
 * little-endian) then the batch serialized by node:v8.
 */
async function preparedFile() {
  const dir = tempDir('chatgpt-vault-render-');
  const path = join(dir, 'prepared.bin');
  const file = await open(path, 'wx+');
  let size = 0;
  return {
    async write(bytes: Uint8Array) {
      const head = new Uint8Array(4);
      new DataView(head.buffer).setUint32(0, bytes.length, true);
      await file.writev([head, bytes], size);
      size += 4 + bytes.length;
    },
    async *read(): AsyncGenerator<PreparedExportConversation> {
      const head = new Uint8Array(4);
      for (let at = 0; at < size;) {
        await file.read(head, 0, 4, at);
        const length = new DataView(head.buffer).getUint32(0, true);
        const body = new Uint8Array(length);
        await file.read(body, 0, length, at + 4);
        at += 4 + length;
        yield* deserialize(body) as PreparedExportConversation[];
      }
    },
    async close() {
      await file.close().catch(() => undefined);
      removeTempDir(dir);
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
  const { positional, values } = parseArgs(process.argv.slice(2), USAGE, {
    '--out': 'a folder or a .zip name',
    '--names': `a file name pattern (tokens ${TOKEN_LIST})`,
  });
  if (positional.length < 1 || positional.length > 2 || !values.get('--out')) throw new ReconcileInputError({ code: 'usage' }, USAGE);
  // The assets' names: the `File names` setting's pattern and parser (its default when absent).
  const names = values.get('--names');
  const parsedNames = names === undefined ? null : parseNamePattern(names);
  if (parsedNames && !parsedNames.ok) throw new ReconcileInputError({ code: 'usage' }, `--names ${JSON.stringify(names)}: ${parsedNames.error}`);
  const inputs = positional.map(fromUser);
  const out = fromUser(values.get('--out')!);
  for (const p of inputs) checkInput(p, 'The input');
  if (inputs.some((p) => resolve(p) === resolve(out))) throw new ReconcileInputError({ code: 'usage' }, `The output ${out} is one of the inputs; choose another name.`);
  const asZip = /\.zip$/i.test(out);
  if (existsSync(out) && (asZip || !statSync(out).isDirectory() || readdirSync(out).length > 0)) {
    throw new ReconcileInputError({ code: 'usage' }, `The output ${out} already exists; choose a new ${asZip ? 'file name' : 'folder or an empty one'}.`);
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
  const progress = progressPrinter();
  const exportSrc = exportPath === null ? null : await fileSource(exportPath);
  const vaultSrc = vaultPath === null ? null : await fileSource(vaultPath);
  const prepared = exportSrc ? await preparedFile() : null;
  const pool = prepared ? walkPool({ onPrepared: (b) => prepared.write(b) }) : undefined;
  const parts = spiller('render');
  try {
    const vault = vaultSrc ? await archiveVault(vaultSrc, { ...common, name: basename(vaultPath!) }) : emptyVault;
    let input;
    if (exportSrc && pool && prepared) {
      const result = await reconcileExport(exportSrc, basename(exportPath!), vault, { ...common, pool, spill: parts.spill, onProgress: progress.onProgress });
      await pool.close();
      input = preparedReconcileInput(result, prepared.read());
    } else input = await vaultInput(vault);

    const tmp = tempFor(out);
    let output: ArchiveOutput;
    let finish: () => Promise<void>;
    if (asZip) {
      const file = createWriteStream(tmp, { flags: 'wx' });
      const finished = new Promise<void>((res, rej) => {
        file.on('close', res);
        file.on('error', rej);
      });
      finished.catch(() => undefined);
      const writer = createZipWriter(Writable.toWeb(file) as WritableStream<Uint8Array>, { deflate: nodeDeflateRawFast, crc32: nodeCrc32 });
      const zip = pipelinedZipWriter(writer, { deflateBytes: nodeDeflateRawBytes, crc32: nodeCrc32 });
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
    const summary = await renderReadableArchive(input, output, {
      namePattern: parsedNames?.pattern,
      onProgress: (p) => progress.line(`rendering: ${p.conversations} conversations, ${p.assets} files`),
    });
    await finish();
    renameSync(tmp, out);
    keep(tmp);
    progress.done();
    console.log(formatSummary(summary, out));
    for (const n of summary.notes.slice(0, 20)) process.stderr.write(`note: ${n}\n`);
    if (summary.notes.length > 20) process.stderr.write(`note: … and ${summary.notes.length - 20} more (index.html lists them all)\n`);
  } finally {
    progress.done();
    await pool?.close().catch(() => undefined);
    await prepared?.close();
    await parts.close();
    await exportSrc?.close();
    await vaultSrc?.close();
  }
}

await runCli('render', main, (error) => {
  // A member found corrupt only when its bytes are copied is bad input too.
  if (error instanceof ZipFormatError) return `An input cannot be read: ${error.message}`.slice(0, 300);
  if (error instanceof ReconcileInputError) return error.message.slice(0, 300);
  return null;
});
