/**
 * Text from conversations, made safe for the two outputs (docs/SECURITY.md, "Readable archive").
 *
 * Markdown files keep the text as ChatGPT wrote it, except where a Markdown reader (Obsidian, a Git host)
 * would make it active, or point outside the archive: outside code, `<` becomes `&lt;` (no raw HTML) and a
 * link or image whose target is not http(s)/mailto or one of the archive's files gets its `(` escaped (a
 * reference definition its `[`), so `[x](javascript:…)` shows as text; a fence left open is closed.
 *
 * HTML goes through markdown-it with raw HTML off; links are limited to http(s), mailto and the archive's
 * own files, and an image is shown only when it is one of the archive's files (a remote image would be a
 * network request), otherwise it becomes a plain link.
 */
import MarkdownIt from 'markdown-it';

const SAFE_SCHEME = /^(https?:|mailto:)/i;

/** `](target`: the start of a link or image destination. */
const LINK_TARGET = /(\]\s*)\((\s*<?)([^\s)>]*)/g;

function escapeOutsideCode(segment: string, local: ReadonlySet<string>): string {
  return segment.replace(/</g, '&lt;').replace(LINK_TARGET, (m: string, close: string, open: string, target: string) => {
    if (SAFE_SCHEME.test(target) || target.startsWith('#') || local.has(target)) return m;
    return `${close}\\(${open}${target}`;
  });
}

/** Escapes one line outside fenced code: inline code spans (backtick runs) stay as they are. */
function escapeLine(line: string, local: ReadonlySet<string>): string {
  let out = '';
  let i = 0;
  while (i < line.length) {
    const tick = line.indexOf('`', i);
    if (tick === -1) {
      out += escapeOutsideCode(line.slice(i), local);
      break;
    }
    out += escapeOutsideCode(line.slice(i, tick), local);
    let run = 1;
    while (line[tick + run] === '`') run++;
    const fence = '`'.repeat(run);
    const close = line.indexOf(fence, tick + run);
    if (close === -1) {
      out += fence;
      i = tick + run;
      continue;
    }
    out += line.slice(tick, close + run);
    i = close + run;
  }
  return out;
}

const NO_LOCAL: ReadonlySet<string> = new Set();
/** What the line escapes act on (`<`, a link's `](`, a definition's `]:`), and a line break to normalise. */
const NEEDS_ESCAPE = /[<\]\r]/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
/** A link reference definition, `[label]: target`: its target may also sit on the next line. */
const DEFINITION = /^( {0,3})\[(?:[^\]\\]|\\.)+\]:[ \t]*(?:<([^>]*)>|(\S+))?/;

/** A definition whose target is not allowed loses its `[`, so it stays text instead of a live link. */
function escapeDefinition(line: string, local: ReadonlySet<string>): string {
  const m = DEFINITION.exec(line);
  if (!m) return line;
  const target = m[2] ?? m[3];
  if (target !== undefined && (SAFE_SCHEME.test(target) || target.startsWith('#') || local.has(target))) return line;
  return `${m[1]!}\\${line.slice(m[1]!.length)}`;
}

/**
 * ChatGPT's Markdown for a `.md` file: as written, minus raw HTML and links other than http(s), mailto,
 * `#anchors` and the archive's own files in `local` (see the file comment).
 */
export function markdownForFile(text: string, local: ReadonlySet<string> = NO_LOCAL): string {
  // Most text has nothing to escape: without `<`, `]` or a carriage return only an unclosed fence changes
  // it, and without a fence nothing does: prose skips the line-by-line scan.
  if (!NEEDS_ESCAPE.test(text) && !text.includes('```') && !text.includes('~~~')) return text;
  const lines = text.split(/\r\n|\r|\n/);
  let fence: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const m = FENCE.exec(line);
    if (fence !== null) {
      if (m && m[1]![0] === fence[0] && m[1]!.length >= fence.length && line.trim() === m[1]) fence = null;
      continue;
    }
    if (m) {
      fence = m[1]!;
      continue;
    }
    if (NEEDS_ESCAPE.test(line)) lines[i] = escapeLine(escapeDefinition(line, local), local);
  }
  // An unclosed fence would swallow whatever the file puts after this text (the next message) into code,
  // and a fence opened there would then leave that message's HTML outside any code: close it here.
  if (fence !== null) lines.push(fence);
  return lines.join('\n');
}

/** A fenced block that no line of `text` can close. */
export function fenced(text: string, language = ''): string {
  let longest = 2;
  for (const m of text.matchAll(/`{3,}/g)) longest = Math.max(longest, m[0].length);
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language.replace(/[^\w+#.-]/g, '')}\n${text}\n${fence}`;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Markdown -> HTML for one conversation: `local` holds the archive-relative targets links may point at. */
export interface HtmlRenderer {
  render(text: string, local: ReadonlySet<string>): string;
}

export function createHtmlRenderer(): HtmlRenderer {
  const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
  let allowed: ReadonlySet<string> = new Set();
  const isLocal = (url: string) => allowed.has(url);
  md.validateLink = (url: string) => {
    const u = url.trim();
    return SAFE_SCHEME.test(u) || isLocal(u);
  };
  const defaultImage = md.renderer.rules.image!;
  md.renderer.rules.image = (tokens, idx, options, env, self) => {
    const token = tokens[idx]!;
    const src = String(token.attrGet('src') ?? '');
    if (isLocal(src)) return defaultImage(tokens, idx, options, env, self);
    const alt = self.renderInlineAsText(token.children ?? [], options, env);
    return `<a href="${escapeHtml(src)}">${escapeHtml(String(alt || src))}</a>`;
  };
  // Links that leave the archive carry no referrer.
  const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
  md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    const token = tokens[idx]!;
    if (SAFE_SCHEME.test(String(token.attrGet('href') ?? ''))) {
      token.attrSet('rel', 'noopener noreferrer');
    }
    return defaultLinkOpen(tokens, idx, options, env, self);
  };
  // One conversation's targets are normalised once, not per message (a conversation may hold 10,000 files).
  let lastLocal: ReadonlySet<string> | null = null;
  return {
    render(text, local) {
      if (local !== lastLocal) {
        lastLocal = local;
        allowed = new Set([...local].map((u) => md.normalizeLink(u)));
      }
      return md.render(text);
    },
  };
}
