/**
 * The `File names` setting: one pattern, such as `{date} {prompt|title} - {name}`, names every copy that
 * leaves the vault (a download, the Downloads-folder copy, a selection ZIP member, a readable archive's
 * asset). Tokens take the artifact's values; `{a|b}` takes `b` when `a` is empty; `{prompt:30}` keeps at most
 * 30 characters. The original extension is always kept (the sniffed type's, as `withExtension` decides), and
 * the result goes through the one safe-name rule (`safeFileName`). Uniqueness per folder is the caller's
 * (`UniqueNames`): a pattern cannot promise it.
 */
import { safeFileName } from './safe-file-name';
import { withExtension } from './sniff';

/** The tokens, in the order the settings help lists them (what each gives: `copy_token_*` in the catalogues). */
const NAME_TOKENS = ['date', 'time', 'title', 'prompt', 'name', 'kind', 'id'] as const;

export type NameToken = (typeof NAME_TOKENS)[number];
const isToken = (n: string): n is NameToken => (NAME_TOKENS as readonly string[]).includes(n);

/** What a person would pick: the day, what it shows (the prompt, else the chat's title) and its own name. */
export const DEFAULT_NAME_PATTERN = '{date} {prompt|title} - {name}';

/** Characters a token gives when the pattern does not say (`{prompt:60}` says). */
const DEFAULT_LENGTH: Record<NameToken, number> = { date: 10, time: 5, title: 48, prompt: 48, name: 80, kind: 20, id: 40 };
const MAX_LENGTH = 200;
/** UTF-8 bytes of a whole name, extension included: 255 is every file system's limit, and paths add up. */
const MAX_NAME_BYTES = 150;

/** The values a name is made from. */
export interface NameFields {
  kind: string;
  /** The name it came with (`q3_revenue.csv`, `fox-poster-file_x.png`); its extension is kept. */
  fileName: string | null;
  /** The sniffed type: decides the extension when the name has a wrong one or none. */
  mimeType: string | null;
  prompt: string | null;
  /** The conversation's title. */
  title: string | null;
  /** When it was made, milliseconds since the epoch. */
  time: number | null;
  id: string | null;
}

type Part = { text: string } | { tokens: NameToken[]; max: number };

/** A checked pattern. */
export interface NamePattern {
  readonly source: string;
  readonly parts: readonly Part[];
}

/** What is wrong with a pattern, for the UI to say in the person's language (`error` says it in English). */
export type PatternProblem =
  | { code: 'empty' | 'too-long' | 'no-token' }
  | { code: 'stray-close' | 'unclosed'; at: number }
  | { code: 'unknown-token'; token: string }
  | { code: 'bad-length'; token: string; max: number };

export type ParsedPattern = { ok: true; pattern: NamePattern } | { ok: false; error: string; problem: PatternProblem };

/** `{date}, {time}, …`: the tokens, as a pattern writes them. */
export const TOKEN_LIST = NAME_TOKENS.map((t) => `{${t}}`).join(', ');

/** Checks a pattern; the error says what is wrong in words a person can act on. */
export function parseNamePattern(source: string): ParsedPattern {
  if (source.trim() === '') return { ok: false, error: `The pattern is empty. Use tokens such as ${TOKEN_LIST}.`, problem: { code: 'empty' } };
  if (source.length > 300) return { ok: false, error: 'The pattern is longer than 300 characters.', problem: { code: 'too-long' } };
  const parts: Part[] = [];
  let at = 0;
  while (at < source.length) {
    const open = source.indexOf('{', at);
    const close = source.indexOf('}', at);
    if (close !== -1 && (open === -1 || close < open)) return { ok: false, error: `A "}" at character ${close + 1} has no "{" before it.`, problem: { code: 'stray-close', at: close + 1 } };
    if (open === -1) {
      parts.push({ text: source.slice(at) });
      break;
    }
    if (open > at) parts.push({ text: source.slice(at, open) });
    if (close === -1) return { ok: false, error: `The "{" at character ${open + 1} is not closed with "}".`, problem: { code: 'unclosed', at: open + 1 } };
    const body = source.slice(open + 1, close).trim();
    const m = /^([^:]*)(?::\s*(\d{1,3}))?$/.exec(body);
    const names = (m?.[1] ?? body).split('|').map((s) => s.trim().toLowerCase());
    const unknown = names.find((n) => !isToken(n));
    if (!m || unknown !== undefined) {
      const token = unknown ?? body;
      return {
        ok: false, error: `Unknown token {${token}}. The tokens are ${TOKEN_LIST}; {a|b} uses b when a is empty, {prompt:30} keeps 30 characters.`,
        problem: { code: 'unknown-token', token },
      };
    }
    const tokens = names as NameToken[];
    const max = m[2] !== undefined ? Number(m[2]) : Math.max(...tokens.map((t) => DEFAULT_LENGTH[t]));
    if (max < 1 || max > MAX_LENGTH) return { ok: false, error: `{${body}}: the length must be between 1 and ${MAX_LENGTH}.`, problem: { code: 'bad-length', token: body, max: MAX_LENGTH } };
    parts.push({ tokens, max });
    at = close + 1;
  }
  if (!parts.some((p) => 'tokens' in p)) return { ok: false, error: `The pattern has no token, so every file would get the same name. Use tokens such as ${TOKEN_LIST}.`, problem: { code: 'no-token' } };
  return { ok: true, pattern: { source, parts } };
}

const DEFAULT_PATTERN = (parseNamePattern(DEFAULT_NAME_PATTERN) as { ok: true; pattern: NamePattern }).pattern;

/** The pattern a setting holds, or the default when it does not parse (the settings UI says why). */
export function namePatternOrDefault(source: string | null | undefined): NamePattern {
  if (source == null) return DEFAULT_PATTERN;
  const parsed = parseNamePattern(source);
  return parsed.ok ? parsed.pattern : DEFAULT_PATTERN;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `name.ext` -> [`name`, `.ext`] when the tail looks like an extension (`report.v2 final` has none). */
function splitExtension(fileName: string): [string, string] {
  const dot = fileName.lastIndexOf('.');
  if (dot <= 0 || !/^\.[a-z0-9]{1,8}$/i.test(fileName.slice(dot))) return [fileName, ''];
  return [fileName.slice(0, dot), fileName.slice(dot)];
}

/**
 * One value made safe and short: the safe-name rule first (bidi, control characters and separators go
 * before anything is counted), then cut at a word boundary when one is near, with no dangling punctuation.
 */
function shorten(value: string | null, max: number): string {
  if (value === null) return '';
  const clean = safeFileName(value, '', 4 * MAX_LENGTH);
  const chars = [...clean];
  if (chars.length <= max) return clean;
  // One character more, so a word that ends right at the limit is kept whole.
  const cut = chars.slice(0, max + 1).join('');
  const space = cut.lastIndexOf(' ');
  return (space >= max / 2 ? cut.slice(0, space) : chars.slice(0, max).join('')).replace(/[\s.,;:!\-–—_(]+$/u, '');
}

function tokenValue(token: NameToken, f: NameFields, max: number): string {
  switch (token) {
    case 'date':
    case 'time': {
      if (f.time === null || !Number.isFinite(f.time)) return '';
      const d = new Date(f.time);
      return token === 'date' ? `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` : `${pad(d.getHours())}-${pad(d.getMinutes())}`;
    }
    case 'name': {
      // A file that came without a name is called by its kind and id, as the vault shows it.
      const stem = f.fileName === null ? '' : splitExtension(safeFileName(f.fileName, ''))[0];
      return shorten(stem || (f.id !== null ? `${f.kind}-${f.id}` : f.kind), max);
    }
    default:
      return shorten(f[token], max);
  }
}

/** Text between tokens that only separates them (` - `, `_`, a space): dropped next to an empty value. */
const SEPARATOR_ONLY = /^[\s\-–—_.,;·|+~]*$/u;

/** The stem the pattern gives for `f` (no extension), empty when every value is. */
function stemOf(pattern: NamePattern, f: NameFields): string {
  const values = pattern.parts.map((p) => {
    if ('text' in p) return p.text;
    for (const t of p.tokens) {
      const v = tokenValue(t, f, p.max);
      if (v !== '') return v;
    }
    return '';
  });
  const keep = pattern.parts.map(() => true);
  let anyValue = false;
  pattern.parts.forEach((p, i) => {
    if ('text' in p) return;
    if (values[i] !== '') {
      anyValue = true;
      return;
    }
    // An empty value takes the separator before it with it (`{date} {prompt} - {name}` without a prompt
    // is `2026-03-14 - name`), or the one after it when it leads.
    const before = pattern.parts[i - 1];
    const after = pattern.parts[i + 1];
    if (before && 'text' in before && keep[i - 1] && SEPARATOR_ONLY.test(before.text)) keep[i - 1] = false;
    else if (after && 'text' in after && SEPARATOR_ONLY.test(after.text)) keep[i + 1] = false;
  });
  if (!anyValue) return '';
  return values.filter((_, i) => keep[i]).join('');
}

/**
 * The name of a copy: the pattern's stem, the original extension (corrected to the sniffed type), made
 * safe. A pattern that gives nothing for this artifact (`{prompt}` for a CSV) falls back to the default
 * pattern, then to the kind: never an empty or broken name.
 */
export function patternFileName(pattern: NamePattern, f: NameFields): string {
  const ext = f.fileName === null ? '' : splitExtension(safeFileName(f.fileName, '')).at(1)!;
  let stem = stemOf(pattern, f);
  if (safeFileName(stem, '') === '' && pattern !== DEFAULT_PATTERN) stem = stemOf(DEFAULT_PATTERN, f);
  const safeStem = safeFileName(stem, f.kind || 'file');
  return safeFileName(withExtension(safeFileName(`${safeStem}${ext}`, f.kind || 'file', MAX_NAME_BYTES), f.mimeType), f.kind || 'file', MAX_NAME_BYTES);
}

/** A made-up artifact for the settings preview when the vault is empty. */
export const SAMPLE_FIELDS: NameFields = {
  kind: 'image',
  fileName: 'sunset-over-lake-file_7Qx2.png',
  mimeType: 'image/png',
  prompt: 'A watercolor sunset over a quiet mountain lake, with two swans',
  title: 'Wall art for the living room',
  time: new Date(2026, 2, 14, 18, 42).getTime(),
  id: 'file_7Qx2KcP9mJw4',
};
