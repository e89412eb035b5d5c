// @vitest-environment node
/**
 * Where code runs is in its path: the content script (utils/content/, entrypoints/chatgpt.ts) runs in the
 * person's ChatGPT tab, beside the page's own scripts, and must ship neither the worker's code nor the vault.
 * This follows every import that ships (not `import type`) from each content-script file, through shared
 * modules too, and fails with the chain that reaches a forbidden module.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');

/** What the content script must never reach, by repository path prefix or package name. */
const FORBIDDEN: readonly { prefix: string; why: string }[] = [
  { prefix: 'utils/worker/', why: 'worker code' },
  { prefix: 'entrypoints/background.ts', why: 'worker code' },
  { prefix: 'utils/chatgpt/net/worker-net.ts', why: "the worker's network access" },
  { prefix: 'utils/vault/', why: 'the vault' },
  { prefix: 'dexie', why: 'the vault (Dexie)' },
];

interface Tree {
  /** The module's text, or null when no such file exists. */
  read(path: string): string | null;
}

/** The modules a file imports in a way that ships: static imports and re-exports that are not type-only, and `import()`. */
function shippedImports(path: string, text: string): string[] {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, path.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const specs: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly && ts.isStringLiteral(node.moduleSpecifier)) {
      specs.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      specs.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteral(arg)) specs.push(arg.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specs;
}

/** A specifier as a repository path (`@/` is the repository root), or the package name for a bare one. */
function resolve(tree: Tree, from: string, spec: string): string {
  const local = spec.startsWith('@/') ? spec.slice(2) : spec.startsWith('.') ? posix.join(posix.dirname(from), spec) : null;
  if (local === null) return spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
  const candidates = /\.(ts|tsx|json)$/.test(local) ? [local] : [`${local}.ts`, `${local}.tsx`, `${local}/index.ts`];
  return candidates.find((c) => tree.read(c) !== null) ?? local;
}

/** Every chain of shipped imports from `entry` that ends at a forbidden module. */
function violations(tree: Tree, entry: string): string[] {
  const found: string[] = [];
  const seen = new Set<string>([entry]);
  const queue: string[][] = [[entry]];
  for (let chain = queue.shift(); chain; chain = queue.shift()) {
    const file = chain.at(-1)!;
    const text = tree.read(file);
    if (text === null || !/\.(ts|tsx)$/.test(file)) continue;
    for (const spec of shippedImports(file, text)) {
      const target = resolve(tree, file, spec);
      if (seen.has(target)) continue;
      seen.add(target);
      const rule = FORBIDDEN.find((f) => target === f.prefix || target.startsWith(f.prefix));
      if (rule) found.push(`${[...chain, target].join(' -> ')} (${rule.why})`);
      else queue.push([...chain, target]);
    }
  }
  return found;
}

const disk: Tree = {
  read: (path) => {
    const full = join(ROOT, path);
    return existsSync(full) && !path.endsWith('/') ? readFileSync(full, 'utf8') : null;
  },
};

function filesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|tsx)$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)).split('\\').join('/'));
}

/** The content script: its folder and its entry points (entrypoints/chatgpt.ts, any entrypoints/content*). */
function contentScriptFiles(): string[] {
  const entries = readdirSync(join(ROOT, 'entrypoints'))
    .filter((name) => name === 'chatgpt.ts' || name.startsWith('content'))
    .flatMap((name) => (/\.(ts|tsx)$/.test(name) ? [`entrypoints/${name}`] : filesUnder(`entrypoints/${name}`)));
  return [...entries, ...filesUnder('utils/content')];
}

describe('runtime boundaries', () => {
  it('the content script reaches no worker code and no vault, directly or through shared modules', () => {
    const files = contentScriptFiles();
    expect(files).toContain('entrypoints/chatgpt.ts');
    expect(files).toContain('utils/content/live-capture.ts');
    expect(files.flatMap((f) => violations(disk, f))).toEqual([]);
  });

  it('the scan finds a forbidden module however it is reached, and ignores type-only imports', () => {
    const files: Record<string, string> = {
      'utils/content/a.ts': "import { b } from './b';\nimport type { Db } from '@/utils/vault';\nexport const a = b;",
      'utils/content/b.ts': "export { shared } from '@/utils/shared';\nexport const b = 1;",
      'utils/shared.ts': "import Dexie from 'dexie';\nexport const shared = () => import('@/utils/worker/capture/queue');",
      'utils/worker/capture/queue.ts': 'export const q = 1;',
      'utils/vault/index.ts': 'export type Db = number;',
    };
    const tree: Tree = { read: (p) => files[p] ?? null };
    expect(violations(tree, 'utils/content/a.ts')).toEqual([
      'utils/content/a.ts -> utils/content/b.ts -> utils/shared.ts -> dexie (the vault (Dexie))',
      'utils/content/a.ts -> utils/content/b.ts -> utils/shared.ts -> utils/worker/capture/queue.ts (worker code)',
    ]);
  });

  // A path typo in FORBIDDEN would be a rule that never matches.
  it('every forbidden path exists', () => {
    for (const { prefix } of FORBIDDEN.filter((f) => f.prefix.includes('/'))) expect(existsSync(join(ROOT, prefix)), prefix).toBe(true);
  });
});
