// `npm run render`: scripts/render.ts from its bundle, as `npm run reconcile` runs (scripts/run-bundled.mjs).
// package.json also caps the main thread's old generation at 320 MB: the renderer's garbage (one conversation's
// JSON, tokens and pages at a time) would otherwise be collected lazily, far above what it keeps (a line per
// conversation and file). The figures are in docs/ARCHITECTURE.md.
import { runBundled } from './run-bundled.mjs';

await runBundled('render');
