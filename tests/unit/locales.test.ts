// @vitest-environment node
// The message catalogues (public/_locales) agree with English and with the code: every key the code asks
// for exists in every locale, no locale has a key English lacks, and placeholders are the same everywhere.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localeNames, readCatalog, type Catalog } from '../locales';

const ROOT = resolve(import.meta.dirname, '../..');
const en = readCatalog('en');

/** `<base>` of every `<base>_other` in English: keys whose forms `tn` picks by Intl.PluralRules. */
const pluralBases = new Set(Object.keys(en).filter((k) => k.endsWith('_other')).map((k) => k.slice(0, -'_other'.length)));

function pluralForm(key: string): { base: string; category: string } | null {
  const m = /^(.*)_(zero|one|two|few|many|other)$/.exec(key);
  return m && pluralBases.has(m[1]!) ? { base: m[1]!, category: m[2]! } : null;
}

/** Placeholder names as the message uses them ($NAME$) and as it defines them, each with its `$n`. */
function placeholders(entry: Catalog[string]): { used: string[]; defined: Record<string, string> } {
  const used = [...new Set([...entry.message.matchAll(/\$([A-Za-z0-9_@]+)\$/g)].map((m) => m[1]!.toLowerCase()))].sort();
  const defined = Object.fromEntries(Object.entries(entry.placeholders ?? {}).map(([k, v]) => [k.toLowerCase(), v.content]));
  return { used, defined };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const rel = join(dir, name);
    if (statSync(join(ROOT, rel)).isDirectory()) return sourceFiles(rel);
    return /\.(ts|tsx|html)$/.test(name) ? [rel] : [];
  });
}
const code = [...sourceFiles('components'), ...sourceFiles('entrypoints'), ...sourceFiles('utils'), 'wxt.config.ts']
  .map((f) => ({ file: f, text: readFileSync(join(ROOT, f), 'utf8') }));

/** Keys the code asks for: t('key'), tn('base') (its forms), `__MSG_key__`. */
function keysInCode(): Array<{ file: string; key: string; plural: boolean }> {
  return code.flatMap(({ file, text }) => [
    ...[...text.matchAll(/\bt\(\s*'([^']+)'/g)].map((m) => ({ file, key: m[1]!, plural: false })),
    ...[...text.matchAll(/\btn\(\s*'([^']+)'/g)].map((m) => ({ file, key: m[1]!, plural: true })),
    ...[...text.matchAll(/__MSG_([A-Za-z0-9_]+)__/g)].map((m) => ({ file, key: m[1]!, plural: false })),
  ]);
}

describe('message catalogues', () => {
  const locales = localeNames();

  it('English, Simplified Chinese and Japanese are there, and the manifest defaults to English', () => {
    expect(locales).toEqual(expect.arrayContaining(['en', 'ja', 'zh_CN']));
    expect(readFileSync(join(ROOT, 'wxt.config.ts'), 'utf8')).toMatch(/default_locale: 'en'/);
  });

  it('the code finds its keys by the patterns this test reads (t, tn, __MSG_)', () => {
    const keys = keysInCode();
    expect(keys.filter((k) => k.plural).length).toBeGreaterThan(5);
    expect(keys.some((k) => k.file === 'wxt.config.ts' && k.key === 'extension_name')).toBe(true);
  });

  it.each(localeNames())('%s has every key the code uses, in every plural form its language needs', (locale) => {
    const catalog = readCatalog(locale);
    const categories = new Intl.PluralRules(catalog.ui_language?.message ?? locale.replace('_', '-')).resolvedOptions().pluralCategories;
    const missing: string[] = [];
    for (const { file, key, plural } of keysInCode()) {
      const needed = plural ? categories.map((c) => `${key}_${c}`) : [key];
      for (const k of needed) if (!(k in catalog)) missing.push(`${k} (${file})`);
    }
    expect(missing).toEqual([]);
  });

  it.each(localeNames())('%s has exactly the keys English has (plural forms by its own plural rules)', (locale) => {
    const catalog = readCatalog(locale);
    const categories: string[] = new Intl.PluralRules(catalog.ui_language?.message ?? locale.replace('_', '-')).resolvedOptions().pluralCategories;
    const extra = Object.keys(catalog).filter((k) => {
      if (k in en) return false;
      const form = pluralForm(k);
      return !(form && categories.includes(form.category));
    });
    const missing = Object.keys(en).filter((k) => {
      if (k in catalog) return false;
      const form = pluralForm(k);
      return !(form && !categories.includes(form.category));
    });
    expect({ extra, missing }).toEqual({ extra: [], missing: [] });
    for (const base of pluralBases) expect(catalog, `${locale}: ${base}_other`).toHaveProperty(`${base}_other`);
  });

  it.each(localeNames())('%s uses the same placeholders as English, each defined and used', (locale) => {
    const catalog = readCatalog(locale);
    const wrong: string[] = [];
    for (const [key, entry] of Object.entries(catalog)) {
      const form = pluralForm(key);
      const reference = en[key] ?? (form ? en[`${form.base}_other`] : undefined);
      if (!reference) continue; // reported by the key test
      const mine = placeholders(entry);
      const theirs = placeholders(reference);
      if (JSON.stringify(mine.defined) !== JSON.stringify(theirs.defined)) wrong.push(`${key}: defines ${JSON.stringify(mine.defined)}, English ${JSON.stringify(theirs.defined)}`);
      if (JSON.stringify(mine.used) !== JSON.stringify(Object.keys(mine.defined).sort())) wrong.push(`${key}: uses ${mine.used.join(',')} but defines ${Object.keys(mine.defined).join(',')}`);
    }
    expect(wrong).toEqual([]);
  });

  it.each(localeNames())('%s is a valid catalogue: key names the browsers accept, unique ignoring case, non-empty messages', (locale) => {
    const catalog = readCatalog(locale);
    const keys = Object.keys(catalog);
    expect(keys.filter((k) => !/^[A-Za-z0-9_]+$/.test(k))).toEqual([]);
    expect(new Set(keys.map((k) => k.toLowerCase())).size).toBe(keys.length);
    expect(keys.filter((k) => typeof catalog[k]!.message !== 'string' || catalog[k]!.message.trim() === '')).toEqual([]);
    // Its `ui_language` (the language Intl formats in) is a BCP 47 tag of the folder's language.
    const tag = catalog.ui_language!.message;
    expect(Intl.getCanonicalLocales(tag)[0]!.split('-')[0]).toBe(locale.split('_')[0]);
  });

  it('every English key is used by the code (no dead strings)', () => {
    const all = code.map((c) => c.text).join('\n');
    const unused = Object.keys(en).filter((k) => {
      const form = pluralForm(k);
      const asked = form ? `'${form.base}'` : `'${k}'`;
      return !all.includes(asked) && !all.includes(`__MSG_${k}__`);
    });
    expect(unused).toEqual([]);
  });
});
