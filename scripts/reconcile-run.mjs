// `npm run reconcile`: scripts/reconcile.ts from its bundle (scripts/run-bundled.mjs says why a bundle).
import { runBundled } from './run-bundled.mjs';

await runBundled('reconcile');
