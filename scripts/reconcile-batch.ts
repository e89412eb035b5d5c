/**
 * One batch of conversations for the reconcile CLI's parse workers (or inline): each parsed and walked for
 * matching, and, when the batch carries labels for the readable archive (`npm run render`), prepared for
 * it from the same parse and walk, so the export is read once (docs/ARCHITECTURE.md, "Readable archive").
 */
import { serialize } from 'node:v8';
import { walkConversation } from '../utils/chatgpt/walker.ts';
import { outcomeOf, parseConversation, walkBytes, type WalkOutcome } from '../utils/reconcile/walk-task.ts';
import { createHtmlRenderer, prepareExportConversation, type PreparedConversation, type PreparedExportConversation } from '../utils/readable/index.ts';
import { nodeUtf8Decode } from './reconcile-decode.ts';

let html: ReturnType<typeof createHtmlRenderer> | null = null;

/**
 * `bytes` holds the conversations back to back, `ends` where each ends. With `labels`, also returns the
 * batch's prepared conversations serialized (node:v8) in one buffer, or null when the batch has none.
 */
export function walkBatch(bytes: Uint8Array, ends: Uint32Array, labels?: string[]): { outcomes: WalkOutcome[]; prepared: Uint8Array | null } {
  const outcomes: WalkOutcome[] = [];
  const prepared: PreparedExportConversation[] = [];
  let start = 0;
  for (let i = 0; i < ends.length; i++) {
    const one = bytes.subarray(start, ends[i]);
    start = ends[i]!;
    if (!labels) {
      outcomes.push(walkBytes(one, nodeUtf8Decode));
      continue;
    }
    const t0 = performance.now();
    const parsed = parseConversation(one, nodeUtf8Decode);
    if (!parsed.ok) {
      outcomes.push(parsed);
      continue;
    }
    const t1 = performance.now();
    const walk = walkConversation(parsed.conv);
    outcomes.push(outcomeOf(walk, t1 - t0, performance.now() - t1));
    prepared.push(encoded(prepareExportConversation(labels[i]!, parsed.conv, (html ??= createHtmlRenderer()), walk)));
  }
  if (prepared.length === 0) return { outcomes, prepared: null };
  const b = serialize(prepared);
  // Its own buffer, so it can be transferred.
  return { outcomes, prepared: b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : new Uint8Array(b) };
}

const utf8 = new TextEncoder();
const join = (texts: PreparedConversation['headerMd'][]) => texts.map((t) => (typeof t === 'string' ? t : new TextDecoder().decode(t))).join('\n');

/**
 * The prepared text as UTF-8, each run of finished pieces of a message as one part: the main thread then
 * copies bytes into the pages instead of joining and encoding page-sized strings (and the batch serializes
 * as a few large buffers rather than many strings).
 */
function encoded(p: PreparedExportConversation): PreparedExportConversation {
  if (!('prepared' in p.item)) return p;
  const c = p.item.prepared;
  const bytes = (t: PreparedConversation['headerMd']) => (typeof t === 'string' ? utf8.encode(t) : t);
  const turns = c.turns.map((t) => ({
    mdHead: bytes(t.mdHead),
    htmlHead: bytes(t.htmlHead),
    messages: t.messages.map((m) => {
      const pieces: PreparedConversation['turns'][number]['messages'][number]['pieces'] = [];
      let run: { md: PreparedConversation['headerMd'][]; html: PreparedConversation['headerMd'][] } | null = null;
      const flush = () => {
        if (run) pieces.push({ md: utf8.encode(join(run.md)), html: utf8.encode(join(run.html)) });
        run = null;
      };
      for (const piece of m.pieces) {
        if (typeof piece === 'string') {
          flush();
          pieces.push(piece);
          continue;
        }
        run ??= { md: [], html: [] };
        run.md.push(piece.md);
        run.html.push(piece.html);
      }
      flush();
      return { ids: m.ids, pieces };
    }),
  }));
  return { ...p, item: { label: p.item.label, prepared: { ...c, headerMd: bytes(c.headerMd), headerHtml: bytes(c.headerHtml), turns } } };
}
