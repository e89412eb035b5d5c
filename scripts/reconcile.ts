/**
 * `npm run reconcile -- <export.zip> [<vault-archive.zip>] [--report report.json] [--out enriched.zip]`
 * (docs/FORMATS.md section 3). Node wiring only: the work is utils/reconcile, with node:zlib inflation,
 * node:zlib CRC-32 and node:crypto hashing plugged in; the plumbing it shares with `npm run render` is
 * scripts/cli.ts.
 *
 * Exit 0 on success. Bad input: exit 2, one line (at most 300 characters, no stack) as the last stderr line,
 * and nothing left behind: outputs are written to temporary names next to their targets and renamed only
 * when everything succeeded; on any failure, Ctrl+C, SIGTERM or SIGHUP the temporary files are deleted.
 */
import { renameSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import {
  archiveVault, formatSummary, noteText, reconcileExport, ReconcileInputError, reportJsonStream, writeEnrichedExport,
} from '../utils/reconcile/index.ts';
import { fileSource, nodeCrc32, nodeDeflateRaw, nodeInflateRaw } from '../utils/zip/node.ts';
import {
  checkInput, emptyVault, fromUser, keep, nodeSha256, parseArgs, progressPrinter, runCli, spiller, tempFor, workerCount, writeFileStream,
} from './cli.ts';
import { createWalkPool } from './reconcile-pool.ts';

const USAGE = 'usage: npm run reconcile -- <export.zip> [<vault-archive.zip>] [--report report.json] [--out enriched.zip]';

async function main(): Promise<void> {
  const { positional, values } = parseArgs(process.argv.slice(2), USAGE, { '--report': 'a file name', '--out': 'a file name' });
  if (positional.length < 1 || positional.length > 2) throw new ReconcileInputError({ code: 'usage' }, USAGE);
  const exportPath = fromUser(positional[0]!);
  const vaultPath = positional[1] === undefined ? null : fromUser(positional[1]);
  const report = values.has('--report') ? fromUser(values.get('--report')!) : null;
  const out = values.has('--out') ? fromUser(values.get('--out')!) : null;
  checkInput(exportPath, 'The export');
  if (vaultPath !== null) checkInput(vaultPath, 'The vault archive');
  for (const o of [report, out]) {
    if (o !== null && [exportPath, vaultPath].some((p) => p !== null && resolve(p) === resolve(o))) {
      throw new ReconcileInputError({ code: 'usage' }, `The output ${o} is one of the inputs; choose another name (the original export is never modified).`);
    }
  }
  const progress = progressPrinter();
  const exportSrc = await fileSource(exportPath);
  const vaultSrc = vaultPath === null ? null : await fileSource(vaultPath);
  const workers = workerCount();
  const pool = workers > 0 ? createWalkPool(workers) : undefined;
  const parts = spiller('reconcile');
  try {
    const common = { inflate: nodeInflateRaw, crc32: nodeCrc32, hash: nodeSha256 };
    const vault = vaultSrc ? await archiveVault(vaultSrc, { ...common, name: basename(vaultPath!) }) : emptyVault;
    const result = await reconcileExport(exportSrc, basename(exportPath), vault, { ...common, pool, spill: parts.spill, onProgress: progress.onProgress });
    const renames: [string, string][] = [];
    if (out !== null) {
      const tmp = tempFor(out);
      await writeFileStream(tmp, (sink) => writeEnrichedExport(result, sink, { deflate: nodeDeflateRaw, crc32: nodeCrc32, onProgress: progress.onProgress }));
      renames.push([tmp, out]);
    }
    if (report !== null) {
      const tmp = tempFor(report);
      await writeFileStream(tmp, (sink) => reportJsonStream(result.report).pipeTo(sink));
      renames.push([tmp, report]);
    }
    for (const [tmp, target] of renames) {
      renameSync(tmp, target);
      keep(tmp);
    }
    progress.done();
    console.log(formatSummary(result.report));
    for (const p of result.problems) process.stderr.write(`note: ${noteText(p)}\n`);
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

await runCli('reconcile', main, (error) => (error instanceof ReconcileInputError ? error.message : null));
