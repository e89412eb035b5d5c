/**
 * `sandbox:` links in assistant markdown (docs/CHATGPT.md section 4.4): every link target in a piece of
 * text, and the file path each one names. Used by the walker; no regular expression runs over the text
 * (one `indexOf('sandbox:')` per link, then bounded scans).
 */

/** A markdown link target longer than this is not a file link. */
const MAX_LINK_CHARS = 2048;

/**
 * Every `sandbox:` link target in a piece of assistant markdown, raw (still encoded), in order:
 * markdown links and images `[x](sandbox:…)` with balanced parentheses and an optional title,
 * `<sandbox:…>` autolinks and `](<sandbox:…>)`, quoted `href="sandbox:…"`, and bare mentions.
 */
export function extractSandboxTargets(text: string): string[] {
  const out: string[] = [];
  let i = text.indexOf('sandbox:');
  while (i !== -1) {
    const before = i > 0 ? text.charCodeAt(i - 1) : 0;
    let end: number;
    if (before === 0x28 /* ( */ && i >= 2 && text.charCodeAt(i - 2) === 0x5d /* ] */) {
      end = scanMarkdownDestination(text, i);
      let target = text.slice(i, end);
      target = stripLinkTitle(target);
      out.push(target);
    } else if (before === 0x3c /* < */) {
      end = scanUntil(text, i, '>');
      out.push(text.slice(i, end));
    } else if (before === 0x22 /* " */ || before === 0x27 /* ' */) {
      end = scanUntil(text, i, before === 0x22 ? '"' : "'");
      out.push(text.slice(i, end));
    } else {
      end = scanBare(text, i);
      out.push(trimBareTail(text.slice(i, end)));
    }
    i = text.indexOf('sandbox:', Math.max(end, i + 8));
  }
  return out;
}

/** End index of a markdown link destination starting at `start`: the `)` closing it at depth 0. */
function scanMarkdownDestination(text: string, start: number): number {
  let depth = 0;
  const limit = Math.min(text.length, start + MAX_LINK_CHARS);
  for (let j = start; j < limit; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x5c /* \ */) {
      j++;
      continue;
    }
    if (c === 0x0a || c === 0x0d) return j;
    if (c === 0x28) depth++;
    else if (c === 0x29) {
      if (depth === 0) return j;
      depth--;
    }
  }
  return limit;
}

function scanUntil(text: string, start: number, stop: string): number {
  const limit = Math.min(text.length, start + MAX_LINK_CHARS);
  for (let j = start; j < limit; j++) {
    const c = text[j];
    if (c === stop || c === '\n' || c === '\r') return j;
  }
  return limit;
}

function scanBare(text: string, start: number): number {
  const limit = Math.min(text.length, start + MAX_LINK_CHARS);
  for (let j = start; j < limit; j++) {
    const c = text.charCodeAt(j);
    // whitespace, quotes, angle brackets, backtick, brackets end a bare mention
    if (c <= 0x20 || c === 0x22 || c === 0x27 || c === 0x3c || c === 0x3e || c === 0x60 || c === 0x5b || c === 0x5d) return j;
  }
  return limit;
}

/**
 * Drops sentence punctuation and an unbalanced closing parenthesis after a bare mention. One count of
 * the parentheses, then each trimmed character adjusts it: linear in the mention's length.
 */
function trimBareTail(s: string): string {
  let end = s.length;
  let balance = 0; // closing minus opening parentheses in s[0, end)
  for (let k = 0; k < end; k++) {
    const c = s.charCodeAt(k);
    if (c === 0x28) balance--;
    else if (c === 0x29) balance++;
  }
  for (;;) {
    const c = s[end - 1];
    if (c === '.' || c === ',' || c === ';' || c === ':' || c === '!' || c === '?') {
      end--;
      continue;
    }
    if (c === ')' && balance > 0) {
      end--;
      balance--;
      continue;
    }
    return s.slice(0, end);
  }
}

/** `sandbox:/mnt/data/a.csv "Title"` → `sandbox:/mnt/data/a.csv`; also `<…>` wrapped destinations. */
function stripLinkTitle(target: string): string {
  let t = target;
  const last = t[t.length - 1];
  if (last === '"' || last === "'") {
    const open = t.lastIndexOf(` ${last}`, t.length - 2);
    if (open > 0) t = t.slice(0, open);
  }
  return t.trimEnd();
}

/**
 * The decoded, NFC-normalised absolute path for a raw `sandbox:` target, or null when it is not a
 * usable file path. `sandbox:` and an optional `//` are stripped (2023–2026 both seen), markdown
 * backslash escapes removed, percent-escapes decoded once (malformed escapes are kept literally).
 */
export function normaliseSandboxPath(raw: string): string | null {
  let s = raw.startsWith('sandbox:') ? raw.slice(8) : raw;
  if (s.startsWith('<') && s.endsWith('>')) s = s.slice(1, -1);
  if (s.startsWith('//')) s = s.slice(2);
  s = stripIosSuffix(s).trim();
  if (s.indexOf('\\') !== -1) s = s.replace(/\\([!-/:-@[-`{-~])/g, '$1');
  if (s.indexOf('%') !== -1) s = percentDecode(s);
  if (!s.startsWith('/')) s = `/${s}`;
  s = s.normalize('NFC');
  if (s.length > 1024 || s.endsWith('/')) return null;
  for (let k = 0; k < s.length; k++) {
    if (s.charCodeAt(k) < 0x20) return null;
  }
  const segs = s.split('/');
  for (let k = 1; k < segs.length; k++) {
    const seg = segs[k];
    if (seg === '' || seg === '.' || seg === '..') return null;
  }
  return s;
}

/**
 * Links written by the iOS app carry `?_chatgptios_conversationID=…&_chatgptios_messageID=…`, sometimes
 * inside the file name's parentheses (`report%20(1?_chatgptios_…).ipynb`): each such query is cut up to the
 * next `)` or the end (docs/CHATGPT.md 4.7).
 */
function stripIosSuffix(s: string): string {
  let from = 0;
  for (;;) {
    const q = s.indexOf(IOS_QUERY, from);
    if (q === -1) return s;
    const close = s.indexOf(')', q);
    s = close === -1 ? s.slice(0, q) : s.slice(0, q) + s.slice(close);
    from = q;
  }
}
const IOS_QUERY = '?_chatgptios_';

function percentDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    // Decode each run of valid escapes on its own; a stray `%` (as in `100%.csv`) stays literal.
    return s.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}
