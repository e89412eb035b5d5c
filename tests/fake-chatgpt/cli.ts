/**
 * Starts the fake chatgpt.com for manual runs and the demo:
 *   npx tsx tests/fake-chatgpt/cli.ts [--port 8443] [--fixtures DIR]... [--legacy-urls] [--workspace ACCOUNT_ID]
 * then point Chromium at it with the printed --host-resolver-rules (and --ignore-certificate-errors).
 */
import { startFakeChatGPT, type FakeOptions } from './server.ts';

function parseArgs(argv: string[]): { port: number; fixturesDirs?: string[]; options: Partial<FakeOptions> } {
  let port = 8443;
  const dirs: string[] = [];
  const options: Partial<FakeOptions> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--port') port = Number(next());
    else if (a === '--fixtures') dirs.push(next());
    else if (a === '--legacy-urls') options.legacyUrls = true;
    else if (a === '--workspace') options.workspaceAccountId = next();
    else if (a === '--help' || a === '-h') {
      console.log('usage: cli.ts [--port 8443] [--fixtures DIR]... [--legacy-urls] [--workspace ACCOUNT_ID]');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad port ${port}`);
  return { port, ...(dirs.length ? { fixturesDirs: dirs } : {}), options };
}

const args = parseArgs(process.argv.slice(2));
const fake = await startFakeChatGPT(args);
console.log(`fake-chatgpt listening on ${fake.origin} (${fake.state.conversations.size} conversations)`);
console.log(`host resolver rule: --host-resolver-rules="${fake.hostResolverRules}"`);
console.log(
  `try: chromium --user-data-dir=$(mktemp -d) --ignore-certificate-errors --host-resolver-rules="${fake.hostResolverRules}" https://chatgpt.com/`,
);
console.log('control: GET /__fake/requests, POST /__fake/faults, POST /__fake/reset (on chatgpt.com)');
const stop = () => {
  void fake.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
