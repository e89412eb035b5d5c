// @vitest-environment node
/** The CLI (scripts/render.ts) spawned on the fixture exports and vault: exit codes, the archive, nothing left behind on bad input. */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSampleExport } from '../../../scripts/sample-export';
import { buildFixtures, type Fixtures } from '../../fixtures/exports/generate';
import { relativeLinks } from '../readable/helpers';
import { archiveVault, reconcileExport } from '../../../utils/reconcile';
import { reconcileInput, renderReadableArchive, type ArchiveOutput } from '../../../utils/readable';
import { fileSource, nodeCrc32, nodeInflateRaw } from '../../../utils/zip/node';

const ROOT = join(__dirname, '../../..');
let dir: string;
let fx: Fixtures;

beforeAll(async () => {
  fx = await buildFixtures();
  dir = mkdtempSync(join(tmpdir(), 'render-cli-'));
  for (const e of fx.exports) writeFileSync(join(dir, `export-${e.name}.zip`), e.zip);
  writeFileSync(join(dir, 'vault.zip'), fx.vault);
  for (const b of fx.bad) writeFileSync(join(dir, `bad-${b.name}.zip`), b.bytes);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  // As `npm run` does: cwd is the package, INIT_CWD is where the person typed the command.
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/render.ts', ...args], {
    cwd: ROOT, env: { ...process.env, INIT_CWD: dir }, encoding: 'utf8', timeout: 60_000,
  });
  const lines = r.stderr.trimEnd().split('\n');
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, last: lines[lines.length - 1] ?? '' };
}
const leftovers = () => readdirSync(dir).filter((n) => n.startsWith('out-') || n.includes('.partial'));

/** The archive as path -> bytes, from a ZIP or a folder. */
function files(out: string): Map<string, Uint8Array> {
  const path = join(dir, out);
  if (out.endsWith('.zip')) return new Map(Object.entries(unzipSync(new Uint8Array(readFileSync(path)))).filter(([n]) => !n.endsWith('/')));
  const m = new Map<string, Uint8Array>();
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else m.set(relative(path, p).split('\\').join('/'), new Uint8Array(readFileSync(p)));
    }
  };
  walk(path);
  return m;
}

/** The contract's checks on a whole archive: links resolve, provenance paths hold bytes of their SHA-256. */
function checkArchive(archive: Map<string, Uint8Array>): { provenance: { path: string | null; sha256: string | null; status: string; kind: string }[] } {
  const text = (p: string) => new TextDecoder().decode(archive.get(p));
  for (const required of ['index.html', 'index.md', 'provenance.json']) expect(archive.has(required), required).toBe(true);
  for (const [p] of archive) {
    if (!p.endsWith('.md') && !p.endsWith('.html')) continue;
    for (const target of relativeLinks(p, text(p))) expect(archive.has(target), `${p} links ${target}`).toBe(true);
  }
  const prov = JSON.parse(text('provenance.json')) as { format: string; artifacts: { path: string | null; sha256: string | null; status: string; kind: string }[] };
  expect(prov.format).toBe('chatgpt-artifact-vault/readable-archive');
  for (const a of prov.artifacts) {
    if (a.path === null) continue;
    expect(archive.has(a.path), a.path).toBe(true);
    if (a.sha256) expect(createHash('sha256').update(archive.get(a.path)!).digest('hex')).toBe(a.sha256);
  }
  return { provenance: prov.artifacts };
}

describe('npm run render', () => {
  it.each(['legacy', 'sharded', 'parts', 'mixed'])('%s export + vault: exit 0, a ZIP with every conversation and every file either side holds', { timeout: 60_000 }, (name) => {
    const r = cli(`export-${name}.zip`, 'vault.zip', '--out', `out-${name}.zip`);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/conversations\s+3/);
    const archive = files(`out-${name}.zip`);
    const { provenance } = checkArchive(archive);
    // Both sides' bytes: the vault's images and the export-only ones.
    expect(provenance.filter((a) => a.path !== null).length).toBeGreaterThanOrEqual(10);
    expect(provenance.some((a) => a.path === null && a.status !== 'saved')).toBe(true);
    expect([...archive.keys()].filter((p) => p.startsWith('conversations/') && p.endsWith('.html'))).toHaveLength(3);
    rmSync(join(dir, `out-${name}.zip`));
    expect(leftovers()).toEqual([]);
  });

  it('a vault archive alone into a folder', { timeout: 60_000 }, () => {
    const r = cli('vault.zip', '--out', 'out-folder');
    expect(r.code).toBe(0);
    const archive = files('out-folder');
    checkArchive(archive);
    expect([...archive.keys()].some((p) => p.startsWith('assets/_library/'))).toBe(true);
    rmSync(join(dir, 'out-folder'), { recursive: true });
  });

  it('--names: the assets are named by the `File names` pattern, as the UI names them', { timeout: 60_000 }, () => {
    const r = cli('vault.zip', '--out', 'out-names.zip', '--names', 'x {kind}-{id}');
    expect(r.code, r.stderr).toBe(0);
    const { provenance } = checkArchive(files('out-names.zip'));
    const saved = provenance.filter((a): a is typeof a & { path: string } => a.path !== null);
    expect(saved.length).toBeGreaterThan(0);
    for (const a of saved) expect(a.path.slice(a.path.lastIndexOf('/') + 1), a.path).toMatch(new RegExp(`^x ${a.kind}-`));
    rmSync(join(dir, 'out-names.zip'));
  });

  it.each([
    ['an unknown token', '{date} {colour}', /^--names "\{date\} \{colour\}": Unknown token \{colour\}\. The tokens are \{date\}/],
    ['no token', 'photo', /^--names "photo": The pattern has no token/],
    ['an unclosed brace', '{date', /^--names "\{date": The "\{" at character 1 is not closed/],
  ])('--names with %s: exit 2 with the parser\'s reason, nothing written', { timeout: 60_000 }, (_name, pattern, message) => {
    const r = cli('vault.zip', '--out', 'out-badnames.zip', '--names', pattern);
    expect(r.code).toBe(2);
    expect(r.last).toMatch(message);
    expect(leftovers()).toEqual([]);
  });

  it('an export alone: its conversations, and its own files', { timeout: 60_000 }, () => {
    const r = cli('export-legacy.zip', '--out', 'out-export.zip');
    expect(r.code).toBe(0);
    const { provenance } = checkArchive(files('out-export.zip'));
    expect(provenance.some((a) => a.path !== null)).toBe(true);
    rmSync(join(dir, 'out-export.zip'));
  });

  it('the sample export of `npm start`: every conversation rendered, its files named as not saved', { timeout: 60_000 }, async () => {
    const conversations = ['tests/fixtures/conversations/mixed-2026.json', 'tests/fake-chatgpt/seed/demo.json', 'tests/fake-chatgpt/seed/demo-files.json']
      .flatMap((rel) => {
        const data = JSON.parse(readFileSync(join(ROOT, rel), 'utf8')) as unknown;
        return Array.isArray(data) ? (data as unknown[]) : [data];
      });
    const chunks: Uint8Array[] = [];
    await writeSampleExport(conversations, new WritableStream({ write: (c) => void chunks.push(c.slice()) }));
    writeFileSync(join(dir, 'sample.zip'), Buffer.concat(chunks));
    const r = cli('sample.zip', '--out', 'out-sample');
    expect(r.code).toBe(0);
    const archive = files('out-sample');
    const { provenance } = checkArchive(archive);
    expect([...archive.keys()].filter((p) => p.startsWith('conversations/') && p.endsWith('.md'))).toHaveLength(conversations.length);
    expect(provenance.length).toBeGreaterThan(0);
    expect(provenance.every((a) => a.path === null)).toBe(true);
    rmSync(join(dir, 'out-sample'), { recursive: true });
  });

  it.each([
    ['no input', ['--out', 'out-x.zip'], /^usage: npm run render/],
    ['no --out', ['export-legacy.zip'], /^usage: npm run render/],
    ['a missing file', ['nope.zip', '--out', 'out-x.zip'], /does not exist/],
    ['two exports', ['export-legacy.zip', 'export-sharded.zip', '--out', 'out-x.zip'], /export-sharded\.zip has no manifest\.json/],
    ['an output that is an input', ['export-legacy.zip', '--out', 'export-legacy.zip'], /is one of the inputs/],
  ])('%s: exit 2, one line, nothing written', (_name, args, message) => {
    const r = cli(...args);
    expect(r.code).toBe(2);
    expect(r.last).toMatch(message);
    expect(leftovers()).toEqual([]);
  });

  it('an output folder that already holds files: exit 2, the folder untouched', () => {
    writeFileSync(join(dir, 'keep.txt'), 'x');
    const r = cli('vault.zip', '--out', '.');
    expect(r.code).toBe(2);
    expect(r.last).toMatch(/already exists/);
    expect(existsSync(join(dir, 'index.html'))).toBe(false);
    rmSync(join(dir, 'keep.txt'));
  });

  it('every bad input of docs/FORMATS.md section 3: exit 2, one line of at most 300 characters, nothing written', { timeout: 120_000 }, () => {
    // The late one is a bad chat.html, which the archive never reads (the reconcile CLI meets it copying members).
    for (const b of fx.bad.filter((x) => !x.late)) {
      const args = b.name === 'vault-without-manifest' ? ['export-legacy.zip', `bad-${b.name}.zip`] : [`bad-${b.name}.zip`];
        const r = cli(...args, '--out', 'out-bad.zip');
      expect(r.code, `${b.name}: ${r.stderr}`).toBe(2);
      expect(r.last, b.name).toMatch(b.message);
      expect(r.last.length, b.name).toBeLessThanOrEqual(300);
      expect(r.stderr, b.name).not.toMatch(/\n\s+at /);
      expect(leftovers(), b.name).toEqual([]);
    }
  });

  it('`npm run render` (the esbuild bundle, scripts/render-run.mjs) writes the same archive and exits 2 the same way', { timeout: 90_000 }, () => {
    const run = (...args: string[]) => spawnSync(process.execPath, ['--max-semi-space-size=2', 'scripts/render-run.mjs', ...args], {
      cwd: ROOT, env: { ...process.env, INIT_CWD: dir }, encoding: 'utf8', timeout: 90_000,
    });
    const ok = run('export-sharded.zip', 'vault.zip', '--out', 'out-bundle');
    expect(ok.status).toBe(0);
    expect(cli('export-sharded.zip', 'vault.zip', '--out', 'out-tsx').code).toBe(0);
    const a = files('out-bundle');
    const b = files('out-tsx');
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const [p, bytes] of a) expect(b.get(p), p).toEqual(bytes);
    rmSync(join(dir, 'out-bundle'), { recursive: true });
    rmSync(join(dir, 'out-tsx'), { recursive: true });
    const bad = run('bad-truncated.zip', '--out', 'out-bad.zip');
    expect(bad.status).toBe(2);
    expect(leftovers()).toEqual([]);
  });

  it.each([['two parse workers', '2'], ['inline', '0']])('renders in one pass (%s) exactly what the page renders from the same reconciliation', { timeout: 120_000 }, async (_name, workers) => {
    for (const name of ['legacy', 'sharded', 'parts', 'mixed']) {
      // The page's path: the export reconciled, then its conversations read again and rendered one by one.
      const exp = await fileSource(join(dir, `export-${name}.zip`));
      const vlt = await fileSource(join(dir, 'vault.zip'));
      const expected = new Map<string, Uint8Array>();
      const order: string[] = [];
      const memory: ArchiveOutput = {
        async add(path, data) {
          order.push(path);
          expected.set(path, data instanceof Uint8Array ? data : new Uint8Array(await new Response(data).arrayBuffer()));
        },
      };
      try {
        const opts = { inflate: nodeInflateRaw, crc32: nodeCrc32 };
        const result = await reconcileExport(exp, `export-${name}.zip`, await archiveVault(vlt, { ...opts, name: 'vault.zip' }), opts);
        await renderReadableArchive(reconcileInput(result), memory);
      } finally {
        await exp.close();
        await vlt.close();
      }
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/render.ts', `export-${name}.zip`, 'vault.zip', '--out', `out-once-${name}.zip`], {
        cwd: ROOT, env: { ...process.env, INIT_CWD: dir, RECONCILE_WORKERS: workers }, encoding: 'utf8', timeout: 60_000,
      });
      expect(r.status, r.stderr).toBe(0);
      const zip = unzipSync(new Uint8Array(readFileSync(join(dir, `out-once-${name}.zip`))));
      expect(Object.keys(zip).filter((n) => !n.endsWith('/')), name).toEqual(order);
      for (const [path, bytes] of expected) expect(zip[path], `${name}: ${path}`).toEqual(bytes);
      rmSync(join(dir, `out-once-${name}.zip`));
    }
    expect(leftovers()).toEqual([]);
  });
});
