// @vitest-environment node
/** The CLI (scripts/reconcile.ts) spawned on the fixture exports: exit codes, outputs, nothing left behind. */
import { spawn, spawnSync } from 'node:child_process';
import { unzipSync, zipSync } from 'fflate';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openZip, type RandomAccessSource } from '@/utils/zip';
import { buildFixtures, labelOf, type Fixtures } from '../../fixtures/exports/generate';

const ROOT = join(__dirname, '../../..');
let dir: string;
let fx: Fixtures;

beforeAll(async () => {
  fx = await buildFixtures();
  dir = mkdtempSync(join(tmpdir(), 'reconcile-cli-'));
  for (const e of fx.exports) writeFileSync(join(dir, `export-${e.name}.zip`), e.zip);
  writeFileSync(join(dir, 'vault.zip'), fx.vault);
  for (const b of fx.bad) writeFileSync(join(dir, `bad-${b.name}.zip`), b.bytes);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  return cliWith({}, ...args);
}
function cliWith(env: Record<string, string>, ...args: string[]) {
  // As `npm run` does: cwd is the package, INIT_CWD is where the person typed the command.
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/reconcile.ts', ...args], {
    cwd: ROOT, env: { ...process.env, INIT_CWD: dir, ...env }, encoding: 'utf8', timeout: 60_000,
  });
  const lines = r.stderr.trimEnd().split('\n');
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, last: lines[lines.length - 1] ?? '' };
}
const source = (b: Uint8Array): RandomAccessSource => ({ size: b.length, read: (o, l) => Promise.resolve(b.slice(o, o + l)) });
const outputs = () => readdirSync(dir).filter((n) => n.startsWith('out-') || n.includes('.partial'));

describe('npm run reconcile', () => {
  it.each(['legacy', 'sharded', 'parts', 'mixed'])('%s: exit 0, the report, the enriched export with every original member', { timeout: 60_000 }, async (name) => {
    const f = fx.exports.find((e) => e.name === name)!;
    const r = cli(`export-${name}.zip`, 'vault.zip', '--report', `out-${name}.json`, '--out', `out-${name}.zip`);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/matched\s+\d+/);
    const report = JSON.parse(readFileSync(join(dir, `out-${name}.json`), 'utf8')) as { items: { status: string; fileId: string | null; genId: string | null; sandboxPath: string | null }[] };
    expect(Object.fromEntries(report.items.map((i) => [labelOf(i), i.status]))).toEqual(f.expect);
    const enriched = await openZip(source(new Uint8Array(readFileSync(join(dir, `out-${name}.zip`)))));
    const original = await openZip(source(f.zip));
    for (const e of original.entries) {
      expect(await enriched.bytes(enriched.get(e.name)!, 1 << 20), e.name).toEqual(await original.bytes(e, 1 << 20));
    }
    expect(enriched.get('vault/reconcile-report.json')).toBeDefined();
    expect(readdirSync(dir).filter((n) => n.includes('.partial'))).toEqual([]);
  });

  it('without a vault archive: every export item is export-only or lost', { timeout: 60_000 }, () => {
    const r = cli('export-legacy.zip', '--report', 'out-novault.json');
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'out-novault.json'), 'utf8')) as { summary: Record<'matched' | 'recovered' | 'vault-only', number> };
    expect(report.summary.matched + report.summary.recovered + report.summary['vault-only']).toBe(0);
    rmSync(join(dir, 'out-novault.json'));
  });

  it('parts stored compressed inside the export: unpacked to a temporary folder, the same report, nothing left in the temp dir', { timeout: 60_000 }, () => {
    const parts = fx.exports.find((e) => e.name === 'parts')!;
    writeFileSync(join(dir, 'export-deflated-parts.zip'), zipSync(unzipSync(parts.zip), { level: 6 }));
    const tmp = mkdtempSync(join(tmpdir(), 'reconcile-spill-'));
    try {
      const deflated = cliWith({ TMPDIR: tmp, RECONCILE_STATS: '1' }, 'export-deflated-parts.zip', 'vault.zip', '--report', 'out-deflated.json');
      expect(deflated.code).toBe(0);
      const stored = cliWith({ RECONCILE_STATS: '1' }, 'export-parts.zip', 'vault.zip', '--report', 'out-stored.json');
      expect(stored.code).toBe(0);
      const spilled = (r: { stderr: string }) => (JSON.parse(/^stats (.*)$/m.exec(r.stderr)![1]!) as { spilledBytes: number }).spilledBytes;
      // Every part of the deflated export went through the temporary folder (the fixture stores all but a small one).
      expect(spilled(deflated)).toBeGreaterThan(spilled(stored));
      expect(readFileSync(join(dir, 'out-deflated.json'), 'utf8')).toBe(readFileSync(join(dir, 'out-stored.json'), 'utf8'));
      expect(readdirSync(tmp).filter((n) => n.startsWith('chatgpt-vault-reconcile-'))).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
      for (const n of ['export-deflated-parts.zip', 'out-deflated.json', 'out-stored.json']) rmSync(join(dir, n), { force: true });
    }
  });

  it('RECONCILE_WORKERS=2 (worker threads) writes the same report as inline', { timeout: 60_000 }, () => {
    expect(cliWith({ RECONCILE_WORKERS: '2' }, 'export-mixed.zip', 'vault.zip', '--report', 'out-w2.json').code).toBe(0);
    expect(cliWith({ RECONCILE_WORKERS: '0' }, 'export-mixed.zip', 'vault.zip', '--report', 'out-w0.json').code).toBe(0);
    expect(readFileSync(join(dir, 'out-w2.json'), 'utf8')).toBe(readFileSync(join(dir, 'out-w0.json'), 'utf8'));
    rmSync(join(dir, 'out-w2.json'));
    rmSync(join(dir, 'out-w0.json'));
  });

  it('`npm run reconcile` (the esbuild bundle, scripts/reconcile-run.mjs) writes the same report and exits 2 the same way', { timeout: 90_000 }, () => {
    const run = (...args: string[]) => spawnSync(process.execPath, ['--max-semi-space-size=2', 'scripts/reconcile-run.mjs', ...args], {
      cwd: ROOT, env: { ...process.env, INIT_CWD: dir }, encoding: 'utf8', timeout: 80_000,
    });
    const bundled = run('export-mixed.zip', 'vault.zip', '--report', 'out-bundle.json');
    expect(bundled.stderr).not.toMatch(/error/i);
    expect(bundled.status).toBe(0);
    expect(cli('export-mixed.zip', 'vault.zip', '--report', 'out-tsx.json').code).toBe(0);
    expect(readFileSync(join(dir, 'out-bundle.json'), 'utf8')).toBe(readFileSync(join(dir, 'out-tsx.json'), 'utf8'));
    rmSync(join(dir, 'out-bundle.json'));
    rmSync(join(dir, 'out-tsx.json'));
    const before = outputs();
    const bad = run('bad-truncated.zip', '--report', 'out-bad.json');
    expect(bad.status).toBe(2);
    expect(bad.stderr.trimEnd().split('\n').pop()).toMatch(fx.bad.find((b) => b.name === 'truncated')!.message);
    expect(outputs()).toEqual(before);
  });

  const bad = ['empty', 'not-a-zip', 'truncated', 'no-conversations', 'invalid-shard', 'manifest-missing-shard', 'conversations-object',
    'hostile-dotdot', 'hostile-absolute', 'inflates-past-declared', 'inflates-past-declared-late'];
  it.each(bad)('bad export %s: exit 2, one clear last line, no output left', { timeout: 60_000 }, (name) => {
    const before = outputs();
    const r = cli(`bad-${name}.zip`, 'vault.zip', '--report', 'out-bad.json', '--out', 'out-bad.zip');
    expect(r.code).toBe(2);
    expect(r.last).toMatch(fx.bad.find((b) => b.name === name)!.message);
    expect(r.last.length).toBeLessThanOrEqual(300);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack
    expect(outputs()).toEqual(before);
  });

  it.each([
    ['a missing export', ['no-such-export.zip'], /does not exist/],
    ['a vault archive without manifest.json', ['export-legacy.zip', 'bad-vault-without-manifest.zip', '--out', 'out-bad.zip'], /no manifest\.json/],
    ['a missing vault archive', ['export-legacy.zip', 'nope.zip'], /does not exist/],
    ['no arguments', [], /usage/],
    ['an output that is the input', ['export-legacy.zip', '--out', 'export-legacy.zip'], /one of the inputs/],
  ])('%s: exit 2', { timeout: 60_000 }, (_what, args, message) => {
    const before = outputs();
    const r = cli(...args);
    expect(r.code).toBe(2);
    expect(r.last).toMatch(message);
    expect(outputs()).toEqual(before);
  });

  it('never writes through a symlink planted at a temporary name: the names are random and created exclusively', { timeout: 60_000 }, async () => {
    const before = outputs();
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'precious');
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/reconcile.ts', 'export-legacy.zip', 'vault.zip', '--report', 'out-sym.json'], {
      cwd: ROOT, env: { ...process.env, INIT_CWD: dir }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    // The name the CLI would have used with a name made of its pid: planted before it gets there (tsx takes ~1 s to start).
    symlinkSync(victim, join(dir, `.out-sym.json.${child.pid}.partial`));
    const code = await new Promise<number | null>((res) => child.on('close', res));
    expect(code).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(JSON.parse(readFileSync(join(dir, 'out-sym.json'), 'utf8'))).toHaveProperty('items');
    rmSync(join(dir, `.out-sym.json.${child.pid}.partial`));
    rmSync(join(dir, 'out-sym.json'));
    rmSync(victim);
    expect(outputs()).toEqual(before);
  });

  it.each([['SIGTERM', 143], ['SIGHUP', 129], ['SIGINT', 130]] as const)('%s mid-run removes the spill folder and every temporary output', { timeout: 90_000 }, async (signal, exitCode) => {
    // A part stored compressed (so it is unpacked into TMPDIR) holding ~40 MB of conversations: seconds of work.
    const filler = 'lorem ipsum dolor sit amet '.repeat(20);
    const convs = Array.from({ length: 20_000 }, (_, n) => ({ id: `c-${n}`, conversation_id: `c-${n}`, title: `${n} ${filler}`, update_time: n, mapping: {} }));
    const part = zipSync({ 'conversations.json': new TextEncoder().encode(JSON.stringify(convs)) }, { level: 1 });
    writeFileSync(join(dir, 'export-slow.zip'), zipSync({ 'chatgpt-export-part-001.zip': part, 'chatgpt-export-part-002.zip': part }, { level: 6 }));
    const before = outputs();
    const tmp = mkdtempSync(join(tmpdir(), 'reconcile-signal-'));
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/reconcile.ts', 'export-slow.zip', '--report', 'out-slow.json', '--out', 'out-slow.zip'], {
        cwd: ROOT, env: { ...process.env, INIT_CWD: dir, TMPDIR: tmp, RECONCILE_WORKERS: '0' }, stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const closed = new Promise<number | null>((res) => child.on('close', res));
      const spillDirs = () => readdirSync(tmp).filter((n) => n.startsWith('chatgpt-vault-reconcile-'));
      for (let i = 0; i < 3000 && spillDirs().length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(spillDirs()).toHaveLength(1); // mid-run: the spill folder exists
      child.kill(signal);
      expect(await closed).toBe(exitCode);
      expect(stderr).toMatch(signal === 'SIGINT' ? /cancelled/ : new RegExp(`stopped by ${signal}`));
      expect(spillDirs()).toEqual([]);
      expect(existsSync(join(dir, 'out-slow.json'))).toBe(false);
      expect(outputs()).toEqual(before);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
      rmSync(join(dir, 'export-slow.zip'), { force: true });
    }
  });
});
