// The command-line tools (`npm run reconcile`, `npm run render`) run as plain-JS bundles (esbuild) rather than
// under tsx: tsx's loader cost ~0.7 s of CPU and ~60 MB of RSS across the main thread and the two parse workers
// (each worker registered it again). A bundle is rebuilt only when one of its input files is newer than it, so
// edits are always picked up.
import { build, stop } from 'esbuild';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function upToDate(CACHE, FILES, INPUTS) {
  if (!existsSync(INPUTS) || !FILES.every((f) => existsSync(join(CACHE, f)))) return false;
  try {
    const { startedAt, inputs } = JSON.parse(readFileSync(INPUTS, 'utf8'));
    return inputs.every((p) => statSync(join(ROOT, p)).mtimeMs < startedAt);
  } catch {
    return false; // an input was deleted or the list is unreadable
  }
}

async function rebuild(name, CACHE, FILES, INPUTS) {
  mkdirSync(CACHE, { recursive: true });
  // Built into a private folder and renamed into place, so concurrent runs never see half a file.
  const tmp = mkdtempSync(join(CACHE, 'build-'));
  // An input saved while esbuild reads it is newer than this, so the next run builds again.
  const startedAt = Date.now();
  try {
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: { [name]: `scripts/${name}.ts`, 'reconcile-worker': 'scripts/reconcile-worker.ts' },
      outdir: tmp,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      metafile: true,
      logLevel: 'error',
    });
    writeFileSync(join(tmp, 'inputs.json'), JSON.stringify({ startedAt, inputs: Object.keys(result.metafile.inputs) }));
    for (const f of FILES) renameSync(join(tmp, f), join(CACHE, f));
    renameSync(join(tmp, 'inputs.json'), INPUTS);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    await stop();
  }
}

/**
 * Runs `scripts/<name>.ts` from its bundle in node_modules/.cache/<name>-cli, built beside the reconcile CLI's
 * parse worker, which keeps its name: scripts/reconcile-pool.ts finds it next to the main file, bundled or not.
 */
export async function runBundled(name) {
  const CACHE = join(ROOT, 'node_modules', '.cache', `${name}-cli`);
  const FILES = [`${name}.mjs`, 'reconcile-worker.mjs'];
  const INPUTS = join(CACHE, 'inputs.json');
  if (!upToDate(CACHE, FILES, INPUTS)) await rebuild(name, CACHE, FILES, INPUTS);
  await import(pathToFileURL(join(CACHE, `${name}.mjs`)).href);
}
