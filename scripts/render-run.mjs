// `npm run render`: runs scripts/render.ts (with the reconcile CLI's worker) the way scripts/reconcile-run.mjs runs
// the reconcile CLI, and for the same reasons: as a plain-JS bundle (esbuild) rather than under tsx.
// tsx's loader cost ~0.7 s of CPU and ~60 MB of RSS across the main thread and the two parse workers
// (each worker registered it again), on a CLI whose targets are 2.0x `unzip -p` and 400 MB peak RSS.
// package.json also caps the main thread's old generation at 320 MB: the renderer's garbage (one conversation's
// JSON, tokens and pages at a time) was otherwise collected lazily: 762 MB peak RSS on the 1 GB bench export; on the
// 128 MB one 230 MB uncapped, 159 MB with a 128 MB cap. What it keeps grows only by a line per conversation and file.
// The bundle is rebuilt only when one of its input files is newer than it, so edits are always picked up.
import { build, stop } from 'esbuild';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CACHE = join(ROOT, 'node_modules', '.cache', 'render-cli');
// The worker keeps its name: scripts/reconcile-pool.ts finds it next to the main file, bundled or not.
const FILES = ['render.mjs', 'reconcile-worker.mjs'];
const INPUTS = join(CACHE, 'inputs.json');

function upToDate() {
  if (!existsSync(INPUTS) || !FILES.every((f) => existsSync(join(CACHE, f)))) return false;
  try {
    const { startedAt, inputs } = JSON.parse(readFileSync(INPUTS, 'utf8'));
    return inputs.every((p) => statSync(join(ROOT, p)).mtimeMs < startedAt);
  } catch {
    return false; // an input was deleted or the list is unreadable
  }
}

async function rebuild() {
  mkdirSync(CACHE, { recursive: true });
  // Built into a private folder and renamed into place, so concurrent runs never see half a file.
  const tmp = mkdtempSync(join(CACHE, 'build-'));
  // An input saved while esbuild reads it is newer than this, so the next run builds again.
  const startedAt = Date.now();
  try {
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: { render: 'scripts/render.ts', 'reconcile-worker': 'scripts/reconcile-worker.ts' },
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

if (!upToDate()) await rebuild();
await import(pathToFileURL(join(CACHE, 'render.mjs')).href);
