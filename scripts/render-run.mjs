// `npm run render`: scripts/render.ts from its bundle, as `npm run reconcile` runs (scripts/run-bundled.mjs).
// package.json also caps the main thread's old generation at 320 MB: the renderer's garbage (one conversation's
// JSON, tokens and pages at a time) was otherwise collected lazily: 762 MB peak RSS on the 1 GB bench export; on the
// 128 MB one 230 MB uncapped, 159 MB with a 128 MB cap. What it keeps grows only by a line per conversation and file.
import { runBundled } from './run-bundled.mjs';

await runBundled('render');
