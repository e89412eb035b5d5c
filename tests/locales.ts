/**
 * The extension's message catalogues (public/_locales) as tests see them, and a `browser.i18n` that reads
 * them the way Chromium does: named placeholders become their `$n` content, then `$1`… take the
 * substitutions and `$$` is a dollar sign. tests/setup.ts installs English before every test.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakeBrowser } from 'wxt/testing/fake-browser';

export interface CatalogEntry {
  message: string;
  description?: string;
  placeholders?: Record<string, { content: string; example?: string }>;
}
export type Catalog = Record<string, CatalogEntry>;

export const LOCALES_DIR = join(import.meta.dirname, '..', 'public', '_locales');

export function localeNames(): string[] {
  return readdirSync(LOCALES_DIR).sort();
}

export function readCatalog(locale: string): Catalog {
  return JSON.parse(readFileSync(join(LOCALES_DIR, locale, 'messages.json'), 'utf8')) as Catalog;
}

/** Chromium's `getMessage` over one catalogue ('' for an unknown key, as the browser answers). */
export function getMessageFrom(catalog: Catalog): (key: string, substitutions?: string | string[]) => string {
  const byKey = new Map(Object.entries(catalog).map(([k, v]) => [k.toLowerCase(), v]));
  return (key, substitutions) => {
    const entry = byKey.get(key.toLowerCase());
    if (!entry) return '';
    const subs = substitutions === undefined ? [] : Array.isArray(substitutions) ? substitutions : [substitutions];
    return entry.message
      .replace(/\$([A-Za-z0-9_@]+)\$/g, (_, name: string) => entry.placeholders?.[name.toLowerCase()]?.content ?? '')
      .replace(/\$(\$|[1-9])/g, (_, d: string) => (d === '$' ? '$' : subs[Number(d) - 1] ?? ''));
  };
}

/** Shows `locale`'s messages to the code under test, with `uiLanguage` as the browser's UI language. */
export function useLocale(locale: string, uiLanguage = locale.replace('_', '-')): void {
  const get = getMessageFrom(readCatalog(locale));
  fakeBrowser.i18n.getMessage = ((key: string, subs?: string | string[]) => get(key, subs)) as typeof fakeBrowser.i18n.getMessage;
  fakeBrowser.i18n.getUILanguage = () => uiLanguage;
}
