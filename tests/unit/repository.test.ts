// @vitest-environment node
// The repository stands on its own: its comments and docs point only at files inside it.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const tracked = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
const texts = tracked.filter((f) => /\.(ts|tsx|mjs|js|sh|css|html|md)$/.test(f) && existsSync(join(ROOT, f)));

describe('the repository stands on its own', () => {
  it('no file points at notes kept outside the repository', () => {
    const outside = /shared\/docs|chatgpt-surface\.md|contracts\.md|toolchain\.md|(?<![A-Z])style\.md/;
    const offenders = texts
      .filter((f) => f !== 'tests/unit/repository.test.ts')
      .filter((f) => outside.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('every relative link in a Markdown file resolves to a file in the repository', () => {
    const broken: string[] = [];
    for (const f of texts.filter((t) => t.endsWith('.md'))) {
      const text = readFileSync(join(ROOT, f), 'utf8').replace(/```[\s\S]*?```|`[^`\n]*`/g, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target!)) continue;
        if (!existsSync(join(ROOT, dirname(f), decodeURI(target!)))) broken.push(`${f} -> ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
