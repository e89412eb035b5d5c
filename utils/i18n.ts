/**
 * Every string a person reads goes through here: `t('library_header_title')`, `tn('gallery_day_items', count)`.
 * Messages live in `public/_locales/<locale>/messages.json` (the browser's own i18n, so the manifest's
 * `__MSG_…__` and the pages share one catalogue); English is the reference, and `MessageKey` is its key set,
 * so a typo is a type error. Numbers, dates and sizes are formatted with `Intl` in the language the messages
 * are shown in (docs/ARCHITECTURE.md, "Languages").
 */
import type en from '@/public/_locales/en/messages.json';

export type MessageKey = keyof typeof en;

/** Keys with plural forms: `<base>_one`, `<base>_other`, … in English; `tn` picks the form by `Intl.PluralRules`. */
export type PluralKey = { [K in MessageKey]: K extends `${infer Base}_other` ? Base : never }[MessageKey];

/** A substitution: numbers are formatted for the UI language (`3,000`, `3.000`, …). */
export type Arg = string | number;

// WXT types getMessage by the generated key list; keys here are checked against `MessageKey` instead.
type GetMessage = (key: string, substitutions: string[]) => string;

function getMessage(key: string, subs: string[]): string {
  try {
    return (browser.i18n.getMessage as GetMessage)(key, subs);
  } catch {
    return '';
  }
}

/**
 * The language for `Intl`: the browser's UI language when it is the language of the messages shown (keeps
 * `en-GB`'s dates), else the messages' own (`ui_language` in each catalogue: the browser may show a locale's
 * messages while its UI falls back to another language, as Chromium does without that locale's resources).
 */
export function uiLocale(): string {
  const messages = getMessage('ui_language', []) || 'en';
  let browserUi = '';
  try {
    browserUi = browser.i18n.getUILanguage();
  } catch {
    // No i18n API in this context: the messages' language is all there is.
  }
  const sameLanguage = browserUi.toLowerCase().split(/[-_]/)[0] === messages.toLowerCase().split(/[-_]/)[0];
  const chosen = sameLanguage ? browserUi.replace('_', '-') : messages;
  try {
    return Intl.getCanonicalLocales(chosen)[0] ?? 'en';
  } catch {
    return 'en';
  }
}

/** A number in the UI language. */
export function formatNumber(n: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(uiLocale(), options).format(n);
}

/** A date and time (milliseconds since the epoch) in the UI language. */
export function formatDateTime(ms: number): string {
  return new Date(ms).toLocaleString(uiLocale());
}

/** A time of day (milliseconds since the epoch), hours and minutes, in the UI language. */
export function formatTime(ms: number): string {
  return new Date(ms).toLocaleTimeString(uiLocale(), { hour: '2-digit', minute: '2-digit' });
}

/** A date (milliseconds since the epoch) in the UI language. */
export function formatDate(ms: number): string {
  return new Date(ms).toLocaleDateString(uiLocale());
}

const BYTE_UNITS = ['kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;

/** `1.2 GB`-style sizes (decimal units, as browsers show them), in the UI language; null when unknown. */
export function formatSize(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return t('size_unknown');
  if (n < 1000) return t('size_bytes', n);
  let v = n;
  let u = -1;
  do {
    v /= 1000;
    u++;
  } while (v >= 1000 && u < BYTE_UNITS.length - 1);
  return formatNumber(v < 10 ? Math.round(v * 10) / 10 : Math.round(v), { style: 'unit', unit: BYTE_UNITS[u], unitDisplay: 'short', maximumFractionDigits: 1 });
}

/** The message for `key` with `$1`… filled in; the key itself when no catalogue has it, so a gap shows. */
export function t(key: MessageKey, ...args: Arg[]): string {
  const subs = args.map((a) => (typeof a === 'number' ? formatNumber(a) : a));
  return getMessage(key, subs) || key;
}

/** The plural form of `base` for `count` (passed as `$1`, formatted), then the other arguments as `$2`…. */
export function tn(base: PluralKey, count: number, ...args: Arg[]): string {
  const form = new Intl.PluralRules(uiLocale()).select(count);
  const subs = [count, ...args];
  const exact = `${base}_${form}` as MessageKey;
  const text = t(exact, ...subs);
  return text === exact ? t(`${base}_other` as MessageKey, ...subs) : text;
}
