// Plain-node entry for `npm run fake-chatgpt` (package.json runs `node tests/fake-chatgpt/cli.mjs`):
// registers tsx's ESM loader, then runs the TypeScript CLI.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
