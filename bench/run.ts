/**
 * Runs every benchmark in order and prints its lines: `npx tsx bench/run.ts` (for steadier numbers:
 * `node --expose-gc --import tsx bench/run.ts`). Name benches to run only those: `npm run bench -- capture`.
 * To add a bench, import its function and append it to the list.
 */
import { benchCapture } from './capture';
import { benchArchive } from './archive';
import { benchBackup } from './backup';
import { benchExportFirst } from './export-first';
import { benchPacing } from './pacing';
import { benchLibrary } from './library';
import { benchReconcilePage } from './reconcile-page';
import { benchWalker } from './walker';
import { benchZip } from './zip';
import { benchReconcile } from './reconcile';
import { benchReadable } from './readable';

const benches: [name: string, run: () => string[] | Promise<string[]>][] = [
  ['walker', benchWalker],
  ['library', benchLibrary],
  ['reconcile-page', benchReconcilePage],
  ['archive', benchArchive],
  ['zip', benchZip],
  // RECONCILE_BENCH_MB=128 for a quick run (default ~1 GB per layout).
  ['reconcile', benchReconcile],
  // READABLE_BENCH_MB=128 for a quick run of its CLI part (default ~1 GB, the reconcile bench's export).
  ['readable', benchReadable],
  ['capture', benchCapture],
  ['backup', benchBackup],
  ['export-first', benchExportFirst],
  // Scaled clock (PACING_BENCH_SCALE, default 400): ChatGPT's hours in a minute or two.
  ['pacing', benchPacing],
];

const only = process.argv.slice(2);
for (const [name, run] of benches) {
  if (only.length > 0 && !only.includes(name)) continue;
  try {
    for (const line of await run()) console.log(line);
  } catch (err) {
    console.log(`${name}: FAILED: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
