// @vitest-environment node
// No component or entrypoint shows a string that bypasses the message catalogues (utils/i18n.ts): JSX text and
// the text attributes a person reads or hears (title, aria-label, placeholder, alt, …) hold no words of their own.
// Text without letters (`·`, `—`, `×`, numbers) may stay. Strings inside t()/tn() calls are keys, not text.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const TEXT_ATTRIBUTES = new Set(['title', 'aria-label', 'aria-description', 'aria-valuetext', 'aria-placeholder', 'aria-roledescription', 'placeholder', 'alt', 'label']);
const WORDS = /\p{L}/u;

/** Where a literal sits in an expression: under t()/tn() (a key), compared with (a state), an option's value ({ style: 'percent' }). */
function isKeyOrComparison(node: ts.Node): boolean {
  for (let n: ts.Node = node; n.parent && !ts.isJsxExpression(n) && !ts.isJsxAttribute(n); n = n.parent) {
    const p = n.parent;
    if (ts.isCallExpression(p) && p.arguments.includes(n as ts.Expression)) {
      const callee = p.expression.getText();
      if (callee === 't' || callee === 'tn') return true;
    }
    if (ts.isBinaryExpression(p) && [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken].includes(p.operatorToken.kind)) return true;
    if (ts.isCaseClause(p) || ts.isElementAccessExpression(p) || (ts.isPropertyAssignment(p) && p.initializer === n)) return true;
  }
  return false;
}

/** String and template literals with words in an expression, not descending into nested JSX (checked on its own). */
function wordsIn(expr: ts.Node, found: (node: ts.Node, text: string) => void): void {
  const visit = (n: ts.Node): void => {
    if (ts.isJsxElement(n) || ts.isJsxSelfClosingElement(n) || ts.isJsxFragment(n)) return;
    if (ts.isArrowFunction(n) || ts.isFunctionExpression(n)) {
      // Event handlers and render callbacks: only what they return can be shown.
      if (ts.isBlock(n.body)) return;
    }
    if ((ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) && WORDS.test(n.text) && !isKeyOrComparison(n)) found(n, n.text);
    if (ts.isTemplateExpression(n)) {
      const parts = [n.head.text, ...n.templateSpans.map((s) => s.literal.text)].join(' ');
      if (WORDS.test(parts)) found(n, parts);
    }
    ts.forEachChild(n, visit);
  };
  visit(expr);
}

/** Every hard-coded user-visible string in one TSX source, as `line: text`. */
function hardCodedStrings(fileName: string, source: string): string[] {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const out: string[] = [];
  const report = (node: ts.Node, text: string) => out.push(`${fileName}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}: ${text.trim()}`);
  const visit = (node: ts.Node): void => {
    if (ts.isJsxText(node) && WORDS.test(node.text)) report(node, node.text);
    if (ts.isJsxAttribute(node) && TEXT_ATTRIBUTES.has(node.name.getText(sf)) && node.initializer) {
      const init = node.initializer;
      if (ts.isStringLiteral(init) && WORDS.test(init.text)) report(init, `${node.name.getText(sf)}="${init.text}"`);
      if (ts.isJsxExpression(init) && init.expression) wordsIn(init.expression, report);
    }
    // An expression shown as a child of an element: {cond ? 'Loading…' : x}, {x ?? 'Untitled'}.
    if (ts.isJsxExpression(node) && node.expression && !ts.isJsxAttribute(node.parent)) wordsIn(node.expression, report);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

function tsxFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const rel = join(dir, name);
    if (statSync(join(ROOT, rel)).isDirectory()) return tsxFiles(rel);
    return name.endsWith('.tsx') ? [rel] : [];
  });
}

describe('no hard-coded user-visible strings', () => {
  it('the check finds every kind of violation it claims to, and lets keys, states and symbols pass', () => {
    const planted = `
      export const A = ({ n, title }: { n: number; title: string | null }) => (
        <section aria-label="Storage" title={\`Open \${title}\`}>
          <h1>Artifact Vault</h1>
          <input placeholder={n > 1 ? 'Search' : t('filters_search')} />
          <img alt="A chart" />
          <span>{title ?? 'Untitled'}</span>
          <span class={\`tile\${n ? ' tile-selected' : ''}\`} data-testid="artifact-list">· {n} — ×</span>
          <span>{n === 1 ? t('gallery_label') : tn('filters_count', n)}</span>
          <button onClick={() => setMessage('Not shown by the check: a handler')}>{t('preview_download')}</button>
          {state === 'idle' && <p>{t('library_loading')}</p>}
        </section>
      );`;
    const found = hardCodedStrings('planted.tsx', planted).map((s) => s.replace(/^planted\.tsx:\d+: /, ''));
    expect(found).toEqual(['aria-label="Storage"', 'Open', 'Artifact Vault', 'Search', 'alt="A chart"', 'Untitled']);
  });

  it('components and entrypoints show only text from the catalogues', () => {
    const files = [...tsxFiles('components'), ...tsxFiles('entrypoints')];
    expect(files.length).toBeGreaterThan(15);
    const found = files.flatMap((f) => hardCodedStrings(f, readFileSync(join(ROOT, f), 'utf8')));
    expect(found).toEqual([]);
  });
});
