// Worker entry of the reconcile CLI: plain JS so a worker thread can start it, then tsx for the TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./reconcile-worker.ts');
