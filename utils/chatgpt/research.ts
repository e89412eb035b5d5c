/**
 * Deep research reports (docs/CHATGPT.md 4.6): the Markdown report of a deep research run with its
 * citations turned into links. 2026 reports sit in a tool message's `widget_state` (a JSON string holding
 * `report_message`); 2025 reports are assistant text messages whose `async_task_id` starts `deepresch_`.
 * Both carry `content_references`, whose `matched_text` marks where each citation sits in the text.
 */
import { obj, str, type Obj } from './json';

export interface ResearchReport {
  title: string | null;
  markdown: string;
}


/** The attribution id of the deep research widget's tool message. */
export const DEEP_RESEARCH = 'connector_openai_deep_research';

/** A widget state (a JSON string, or already an object) -> its report, or null when it holds none. */
export function reportFromWidgetState(state: unknown): ResearchReport | null {
  let parsed: unknown = state;
  if (typeof state === 'string') {
    try {
      parsed = JSON.parse(state);
    } catch {
      return null;
    }
  }
  const message = obj(obj(parsed)?.report_message);
  const parts = obj(message?.content)?.parts;
  const text = Array.isArray(parts) ? str(parts[0]) : null;
  if (!message || text === null) return null;
  const meta = obj(message.metadata);
  return { title: headingOf(text) ?? str(obj(parsed)?.title) ?? str(meta?.async_task_title), markdown: linkCitations(text, meta?.content_references) };
}

/** A 2025 `deepresch_` message's text and metadata -> its report. */
export function reportFromMessage(text: string, meta: Obj): ResearchReport {
  return { title: headingOf(text) ?? str(meta.async_task_title), markdown: linkCitations(text, meta.content_references) };
}

/** The first `# ` heading of a Markdown text, if it opens with one (within its first lines). */
function headingOf(text: string): string | null {
  const head = text.slice(0, 2000).trimStart();
  if (!head.startsWith('# ')) return null;
  const end = head.indexOf('\n');
  return str((end === -1 ? head : head.slice(0, end)).slice(2).trim());
}

/**
 * Each citation marker (`matched_text`) replaced by Markdown links to its sources: the reference's own
 * `alt` when it is a Markdown rendering, else one `[title](url)` per item. Markers without a web source
 * are removed (they are private-use-character tokens a reader cannot use).
 */
function linkCitations(text: string, refs: unknown): string {
  if (!Array.isArray(refs) || refs.length === 0) return text;
  const replacements = new Map<string, string>();
  for (const r of refs) {
    const ref = obj(r);
    const marker = str(ref?.matched_text);
    if (!ref || marker === null || replacements.has(marker) || !text.includes(marker)) continue;
    replacements.set(marker, citationLinks(ref));
  }
  let out = text;
  for (const [marker, links] of replacements) out = out.split(marker).join(links);
  return out;
}

function citationLinks(ref: Obj): string {
  const alt = str(ref.alt);
  if (alt !== null && alt.includes('](')) return ` ${alt.trim()}`;
  const links: string[] = [];
  const items = Array.isArray(ref.items) ? ref.items : [ref];
  for (const it of items) {
    const item = obj(it);
    const url = str(item?.url);
    if (!item || url === null || !/^https?:\/\//i.test(url)) continue;
    const title = (str(item.title) ?? str(item.attribution) ?? url).replace(/[[\]]/g, '');
    links.push(`[${title}](${url.replace(/[()\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)})`);
  }
  return links.length > 0 ? ` (${links.join(', ')})` : '';
}
