/**
 * Canvas documents (`canmore`, docs/CHATGPT.md 4.6): their current texts as the textdocs route answers them
 * (`parseTextdocs`), and rebuilt from the conversation's create and update calls when it does not answer. A
 * create call's body is `{name, type, content}`; an update's is `{updates:[{pattern, multiple, replacement}]}`
 * (Python regular expressions applied to the whole document); the tool message answering each call names the
 * document in `metadata.canvas`.
 */
import { obj, str, type Obj } from './json';

export interface CanvasCall {
  key: string;
  recipient: string;
  body: string | null;
  createTime: number | null;
  order: number;
}

export interface CanvasDocument {
  textdocId: string;
  title: string | null;
  /** `document`, `code/python`, … */
  type: string | null;
  /** Every version, oldest first; the last is the current text. */
  versions: CanvasVersion[];
}

export interface CanvasVersion {
  /**
   * The version's text, built on first use (each update rewrites the whole document, so building every
   * version of a long-edited canvas up front costs many times the JSON it comes from). Null when an update
   * on the way to it could not be applied.
   */
  text: () => string | null;
  /** The mapping key of the tool message (else the call) that made this version. */
  key: string;
  createTime: number | null;
}


/** Languages of `code/<language>` canvases -> the file extension. Unknown languages get `.txt`. */
const CODE_EXTENSIONS: Record<string, string> = {
  python: 'py', javascript: 'js', typescript: 'ts', react: 'jsx', html: 'html', css: 'css', java: 'java', c: 'c',
  cpp: 'cpp', csharp: 'cs', go: 'go', rust: 'rs', ruby: 'rb', php: 'php', swift: 'swift', kotlin: 'kt', sql: 'sql',
  bash: 'sh', shell: 'sh', json: 'json', yaml: 'yaml', r: 'r', scala: 'scala', lua: 'lua', perl: 'pl', dart: 'dart',
  markdown: 'md', latex: 'tex', xml: 'xml',
};

/** The extension and MIME type for a canvas type: a document is Markdown, code takes its language's extension. */
export function canvasFileType(type: string | null): { ext: string; mime: string } {
  if (type === null || type === 'document' || !type.startsWith('code/')) return { ext: 'md', mime: 'text/markdown' };
  const ext = CODE_EXTENSIONS[type.slice(5).toLowerCase()] ?? 'txt';
  return { ext, mime: ext === 'md' ? 'text/markdown' : ext === 'html' ? 'text/html' : 'text/plain' };
}

function parseBody(body: string | null): Obj | null {
  if (body === null || body.length > 16 << 20) return null;
  try {
    return obj(JSON.parse(body));
  } catch {
    return null;
  }
}

const PY_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\' };

/**
 * A Python `re.sub` replacement as a JavaScript one: `\1` and `\g<name>` back-references become `$1` and
 * `$<name>`, `\n`, `\t`, `\r` and `\\` their characters, and a literal `$` is escaped.
 */
function jsReplacement(python: string): string {
  // Most replacements are plain text: nothing to rewrite.
  if (python.indexOf('$') === -1 && python.indexOf('\\') === -1) return python;
  return python.replace(/\$|\\g<(\w+)>|\\(\d{1,2})|\\([ntr\\])/g, (m, name?: string, digits?: string, esc?: string) => {
    if (m === '$') return '$$';
    if (name !== undefined) return /^\d+$/.test(name) ? `$${name}` : `$<${name}>`;
    if (digits !== undefined) return `$${digits}`;
    return PY_ESCAPES[esc!] ?? m;
  });
}

/**
 * Whether a pattern from conversation JSON (written by the model, or by whoever made an export) runs in time
 * linear-ish in the document: no quantified group (`(a+)+`, `(a|aa)*`, `(.*a){25}`), no back-reference, and
 * at most three unbounded quantifiers. The tool's real patterns are `.*` and escaped literal text with a few
 * `\s+`; anything else could hold the worker for minutes, so it is skipped with a note instead.
 */
function isBoundedPattern(source: string): boolean {
  if (source.length > 10_000) return false;
  let unbounded = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      if (/[1-9k]/.test(next)) return false;
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '*' || c === '+' || (c === '{' && /^\{\d+,\}/.test(source.slice(i)))) {
      if (++unbounded > 3) return false;
    }
    if (c === ')' && /^\)[*+?{]/.test(source.slice(i))) return false;
  }
  return true;
}

/**
 * Compiled patterns by source, one map per flag set. `String.prototype.replace` starts a global expression at
 * index 0 and a non-global one ignores `lastIndex`, so one RegExp serves every update with the same pattern
 * (documents rewritten with `.*` over and over would otherwise compile it each time).
 */
interface PatternCache {
  once: Map<string, RegExp>;
  all: Map<string, RegExp>;
}

/** One update call's edits, compiled; null when a pattern is not a usable expression. */
function compileUpdates(updates: unknown, cache: PatternCache): { re: RegExp; replacement: string }[] | null {
  if (!Array.isArray(updates)) return null;
  const out: { re: RegExp; replacement: string }[] = [];
  for (const u of updates) {
    const up = obj(u);
    const pattern = typeof up?.pattern === 'string' ? up.pattern : null;
    const replacement = typeof up?.replacement === 'string' ? up.replacement : null;
    if (pattern === null || replacement === null || !isBoundedPattern(pattern)) return null;
    try {
      // Python's `(?s)`-less `.*` over a whole document is how the tool rewrites all of it: dotAll.
      const source = pattern.startsWith('(?s)') ? pattern.slice(4) : pattern;
      const global = up!.multiple === true;
      const compiled = global ? cache.all : cache.once;
      let re = compiled.get(source);
      if (re === undefined) compiled.set(source, (re = new RegExp(source, global ? 'gs' : 's')));
      out.push({ re, replacement: jsReplacement(replacement) });
    } catch {
      return null;
    }
  }
  return out;
}

/** A version's text: the previous version's with this one's edits applied, built once, when first read. */
function editedText(before: () => string | null, edits: { re: RegExp; replacement: string }[]): () => string | null {
  let value: string | null | undefined;
  return () => {
    if (value === undefined) {
      const prev = before();
      value = prev;
      if (prev !== null) for (const e of edits) value = value!.replace(e.re, e.replacement);
    }
    return value;
  };
}

/**
 * Every canvas document the calls build, in call order (by time, then by position in the mapping).
 * `resultOf(key)` gives the `metadata.canvas` of the tool message answering the call at `key`, with its key.
 * `problem` hears each call that could not be applied.
 */
export function rebuildCanvases(
  calls: readonly CanvasCall[],
  resultOf: (key: string) => { key: string; canvas: Obj } | null,
  problem: (key: string, reason: string) => void,
): CanvasDocument[] {
  const docs = new Map<string, CanvasDocument>();
  const patterns: PatternCache = { once: new Map(), all: new Map() };
  let last: CanvasDocument | null = null;
  const byTime = (a: CanvasCall, b: CanvasCall) => (a.createTime ?? 0) - (b.createTime ?? 0) || a.order - b.order;
  // Usually already in order (the mapping lists messages as they came): no copy to sort then.
  const sorted = calls.every((c, i) => i === 0 || byTime(calls[i - 1]!, c) <= 0) ? calls : [...calls].sort(byTime);
  for (const call of sorted) {
    const isCreate = call.recipient === 'canmore.create_textdoc';
    if (!isCreate && call.recipient !== 'canmore.update_textdoc') continue;
    const body = parseBody(call.body);
    const result = resultOf(call.key);
    if (result?.canvas.is_failure === true) continue;
    if (!body) {
      problem(call.key, `${call.recipient} body is not a JSON object (skipped)`);
      continue;
    }
    const id = str(result?.canvas.textdoc_id) ?? str(body.textdoc_id);
    if (isCreate) {
      const content = typeof body.content === 'string' ? body.content : null;
      if (content === null) {
        problem(call.key, 'canmore.create_textdoc without content (skipped)');
        continue;
      }
      // Slim exports drop the tool messages: the create call's own key stands in for the id.
      const doc: CanvasDocument = {
        textdocId: id ?? `call-${call.key}`,
        title: str(body.name) ?? str(result?.canvas.title),
        type: str(result?.canvas.textdoc_type) ?? str(body.type),
        versions: [{ text: () => content, key: result?.key ?? call.key, createTime: call.createTime }],
      };
      docs.set(doc.textdocId, doc);
      last = doc;
      continue;
    }
    const doc: CanvasDocument | null | undefined = (id !== null ? docs.get(id) : undefined) ?? (id === null ? last : undefined);
    if (!doc) {
      problem(call.key, `canmore.update_textdoc of a document this conversation never created (${id ?? 'no id'}) (skipped)`);
      continue;
    }
    const edits = compileUpdates(body.updates, patterns);
    if (edits === null) {
      problem(call.key, 'canmore.update_textdoc with an unusable or unbounded pattern (skipped)');
      continue;
    }
    const text = editedText(doc.versions[doc.versions.length - 1]!.text, edits);
    doc.versions.push({ text, key: result?.key ?? call.key, createTime: call.createTime });
    last = doc;
  }
  return [...docs.values()];
}

/** One document of the textdocs route's answer. */
export interface Textdoc {
  textdocId: string;
  /** The current text: it includes the person's own edits, which no message of the conversation holds. */
  content: string;
  version: number | null;
  title: string | null;
  type: string | null;
}

/**
 * `GET /backend-api/conversation/{id}/textdocs` (docs/CHATGPT.md 4.6): an array of documents
 * `{id, version, content, title, textdoc_type, comments, updated_at}` (2024-10 to 2026). Only `id` and
 * `content` are needed; an entry without them, or an answer that is not an array, becomes a note with its JSON
 * path. Two entries for one document: the higher version wins.
 */
export function parseTextdocs(json: unknown): { docs: Map<string, Textdoc>; skipped: string[] } {
  const docs = new Map<string, Textdoc>();
  const skipped: string[] = [];
  if (!Array.isArray(json)) {
    skipped.push(`$: the textdocs answer is ${json === null ? 'null' : typeof json === 'object' ? 'an object' : `a ${typeof json}`}, not an array (skipped)`);
    return { docs, skipped };
  }
  json.forEach((entry: unknown, i) => {
    const e = obj(entry);
    if (!e) {
      skipped.push(`$[${i}]: is not an object (skipped)`);
      return;
    }
    const id = str(e.id);
    if (id === null) {
      skipped.push(`$[${i}].id: missing or not a string (skipped)`);
      return;
    }
    if (typeof e.content !== 'string') {
      skipped.push(`$[${i}].content: missing or not a string (skipped)`);
      return;
    }
    const version = typeof e.version === 'number' && Number.isInteger(e.version) ? e.version : null;
    const held = docs.get(id);
    if (held && (held.version ?? -1) >= (version ?? -1)) return;
    docs.set(id, { textdocId: id, content: e.content, version, title: str(e.title), type: str(e.textdoc_type) });
  });
  return { docs, skipped };
}
