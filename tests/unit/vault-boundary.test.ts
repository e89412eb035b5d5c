// @vitest-environment node
// The vault is reached through utils/vault/ only: no product file elsewhere touches a Dexie table, opens a
// transaction, or imports Dexie or the vault's database module. Files are read from disk (not `git ls-files`),
// so a file not committed yet is checked too.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const PRODUCT_DIRS = ['utils', 'components', 'entrypoints'];
const VAULT_DIR = 'utils/vault/';

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ts|tsx)$/.test(f))
    .map((f) => relative(ROOT, join(ROOT, dir, f)).split('\\').join('/'));
}

/** The table names, read from the schema itself, so a table added later is covered without editing this test. */
function tableNames(): string[] {
  const schema = readFileSync(join(ROOT, VAULT_DIR, 'db.ts'), 'utf8');
  const names = new Set<string>();
  for (const [, block] of schema.matchAll(/\.stores\(\{([\s\S]*?)\}\)/g)) {
    for (const [, name] of block!.matchAll(/^\s*(\w+)\s*:\s*'/gm)) names.add(name!);
  }
  return [...names];
}

const tables = tableNames();
const table = tables.join('|');
const RULES: { what: string; pattern: RegExp }[] = [
  // `db.artifacts`, `this.db.jobs`, `this.deps.db.fetchRuns`, `getVaultDb().blobs`, `vaultDb.snapshots`...
  { what: 'touches a Dexie table', pattern: new RegExp(`(?:\\b\\w*db\\b|getVaultDb\\(\\))\\s*\\??\\.\\s*(?:${table})\\b`, 'i') },
  { what: 'takes a Dexie table out of the database', pattern: new RegExp(`\\{[^}]*\\b(?:${table})\\b[^}]*\\}\\s*=\\s*[\\w.]*db\\b`, 'i') },
  { what: 'opens a Dexie transaction', pattern: /\b\w*db\b\s*\??\.\s*transaction\s*\(/i },
  { what: 'imports Dexie', pattern: /from\s+['"]dexie['"]|import\(\s*['"]dexie['"]\s*\)/ },
  { what: "imports the vault's database module", pattern: /from\s+['"](?:@\/utils\/vault\/db|(?:\.\.\/)+(?:utils\/)?vault\/db)['"]/ },
];

/** Every rule broken in `text`, by line. Comment lines are blanked first; a chain split over lines still matches. */
function violations(file: string, text: string): string[] {
  const code = text
    .split('\n')
    .map((line) => (/^\s*(\/\/|\/\*|\*)/.test(line) ? '' : line.replace(/\s\/\/.*$/, '')))
    .join('\n');
  const out: string[] = [];
  for (const rule of RULES) {
    for (const m of code.matchAll(new RegExp(rule.pattern.source, `${rule.pattern.flags}g`))) {
      const line = code.slice(0, m.index).split('\n').length;
      out.push(`${file}:${line} ${rule.what}: ${m[0].replace(/\s+/g, ' ')}`);
    }
  }
  return out;
}

describe('the vault is reached through utils/vault/ only', () => {
  it('knows the tables from the schema', () => {
    expect(tables).toEqual(expect.arrayContaining(['artifacts', 'blobs', 'jobs', 'backupRuns', 'fetchItems']));
  });

  it('flags each way of reaching a table directly', () => {
    const samples = [
      'const r = await db.artifacts.get(id);',
      'await this.deps.db.fetchRuns.put(run);',
      'getVaultDb().jobs.count()',
      'const { blobs } = db;',
      "await this.db.transaction('rw', tables, async () => {});",
      'await this.db\n      .jobs\n      .filter((job) => job.leaseUntil !== null)',
      "import Dexie from 'dexie';",
      "import { liveQuery } from 'dexie';",
      "import { createVaultDb } from '@/utils/vault/db';",
      "import type { VaultDb } from '../vault/db';",
    ];
    for (const sample of samples) expect(violations('sample.ts', sample), sample).toHaveLength(1);
    // Same words, no table: a manifest's conversations, a result's counters, the vault's own operations.
    for (const fine of ['manifest.conversations.filter((c) => c.id)', 'result.conversations.added++', "import { getArtifacts, type VaultDb } from '@/utils/vault';"]) {
      expect(violations('sample.ts', fine), fine).toEqual([]);
    }
  });

  it('no file outside utils/vault/ touches a table, a transaction, Dexie or the database module', () => {
    const found = PRODUCT_DIRS.flatMap(sources)
      .filter((f) => !f.startsWith(VAULT_DIR))
      .flatMap((f) => violations(f, readFileSync(join(ROOT, f), 'utf8')));
    expect(found).toEqual([]);
  });
});
