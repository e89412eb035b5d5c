/**
 * The visible thread of one conversation JSON, as the readable archive shows it (docs/CHATGPT.md sections 3.1 and 4): `current_node`
 * back to the root, reversed, as turns a reader sees. Tool calls to the image tool, hidden system and
 * reasoning messages are left out (their artifacts are still placed: by message id, in `render.ts`);
 * Code Interpreter code and output are kept as their own pieces, folded under the turn when shown.
 * Never throws on malformed input: whatever cannot be read is skipped.
 */
import { isObj, num, str, type Obj } from './json';


export type Piece =
  | { type: 'text'; text: string }
  /** Code sent to the interpreter (or another tool that runs code). */
  | { type: 'code'; language: string; code: string }
  /** What the interpreter printed. */
  | { type: 'output'; text: string };

export interface ThreadMessage {
  /** The message id (artifacts' `messageId`) and the mapping key, both matched when placing artifacts. */
  ids: string[];
  pieces: Piece[];
}

export interface Turn {
  role: 'user' | 'assistant';
  /** Seconds since the epoch of the turn's first timed message. */
  time: number | null;
  messages: ThreadMessage[];
}

export interface Thread {
  title: string | null;
  createTime: number | null;
  updateTime: number | null;
  model: string | null;
  /** Project (`gizmo_id` of a `snorlax` project) or GPT id, as the JSON names it. */
  project: string | null;
  turns: Turn[];
  /** Every id (key and message id) on the visible thread. */
  visible: Set<string>;
}

/** Nodes followed from `current_node` at most (a cycle or a runaway chain stops here). */
const MAX_DEPTH = 200_000;

function textOf(content: Obj): string {
  const parts = content.parts;
  if (Array.isArray(parts)) {
    const texts: string[] = [];
    for (const p of parts) if (typeof p === 'string' && p.length > 0) texts.push(p);
    return texts.join('\n\n');
  }
  return typeof content.text === 'string' ? content.text : typeof content.result === 'string' ? content.result : '';
}

function timeOf(v: unknown): number | null {
  const n = num(v);
  if (n !== null) return n;
  if (typeof v === 'string') {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? null : ms / 1000;
  }
  return null;
}

/** One message as the reader sees it, or null when it shows nothing (its artifacts may still show). */
function piecesOf(msg: Obj): { role: 'user' | 'assistant' | null; pieces: Piece[] } {
  const author = isObj(msg.author) ? msg.author : {};
  const role = str(author.role);
  const name = str(author.name);
  const meta = isObj(msg.metadata) ? msg.metadata : {};
  const content = isObj(msg.content) ? msg.content : null;
  if (role === 'system' || !content) return { role: null, pieces: [] };
  if (meta.is_visually_hidden_from_conversation === true || msg.channel === 'analysis') return { role: role === 'user' ? 'user' : null, pieces: [] };
  const type = str(content.content_type);
  const recipient = msg.recipient;
  const toAll = recipient === undefined || recipient === null || recipient === 'all';
  if (role === 'user') {
    const text = textOf(content);
    return { role: 'user', pieces: text ? [{ type: 'text', text }] : [] };
  }
  if (role === 'assistant') {
    if (!toAll) {
      // Calls to python are shown (folded); calls to other tools (the image tool's JSON, browsing) are not.
      if (recipient === 'python' || (type === 'code' && str(content.language) !== 'json' && !(typeof recipient === 'string' && recipient.includes('.')))) {
        const code = textOf(content);
        return { role: 'assistant', pieces: code ? [{ type: 'code', language: str(content.language) ?? 'python', code }] : [] };
      }
      return { role: 'assistant', pieces: [] };
    }
    if (type === 'code') {
      const code = textOf(content);
      return { role: 'assistant', pieces: code ? [{ type: 'code', language: str(content.language) ?? '', code }] : [] };
    }
    const text = textOf(content);
    return { role: 'assistant', pieces: text ? [{ type: 'text', text }] : [] };
  }
  if (role === 'tool') {
    if (name === 'python' || type === 'execution_output') {
      const text = textOf(content);
      return { role: 'assistant', pieces: text.trim() ? [{ type: 'output', text }] : [] };
    }
    // Other tools' text is instructions to the model ("From now on, do not say…"); their images still show.
    return { role: 'assistant', pieces: [] };
  }
  return { role: null, pieces: [] };
}

export function readThread(conv: unknown): Thread {
  const thread: Thread = { title: null, createTime: null, updateTime: null, model: null, project: null, turns: [], visible: new Set() };
  if (!isObj(conv)) return thread;
  thread.title = typeof conv.title === 'string' ? conv.title : null;
  thread.createTime = timeOf(conv.create_time);
  thread.updateTime = timeOf(conv.update_time);
  thread.model = str(conv.default_model_slug);
  thread.project = str(conv.gizmo_id) ?? str(conv.project_id) ?? null;
  const mapping = conv.mapping;
  if (!isObj(mapping)) return thread;
  const node = (k: string): Obj | null => (Object.prototype.hasOwnProperty.call(mapping, k) && isObj(mapping[k]) ? mapping[k] : null);

  // current_node back to the root; without a usable current_node, the latest leaf.
  let start = str(conv.current_node);
  if (start === null || node(start) === null) start = latestLeaf(mapping);
  const chain: string[] = [];
  const seen = new Set<string>();
  for (let k = start; k !== null && !seen.has(k) && chain.length < MAX_DEPTH; ) {
    const n = node(k);
    if (!n) break;
    seen.add(k);
    chain.push(k);
    k = str(n.parent);
  }
  chain.reverse();

  let turn: Turn | null = null;
  for (const key of chain) {
    const n = node(key)!;
    thread.visible.add(key);
    const msg = isObj(n.message) ? n.message : null;
    if (!msg) continue;
    const id = str(msg.id);
    if (id) thread.visible.add(id);
    const model = str(isObj(msg.metadata) ? msg.metadata.model_slug : null);
    if (model && !thread.model) thread.model = model;
    const { role, pieces } = piecesOf(msg);
    const ids = id && id !== key ? [id, key] : [key];
    const effectiveRole: 'user' | 'assistant' = role ?? 'assistant';
    // A hidden message with no role still carries artifacts (image tool results): it joins the current turn.
    if (!turn || (role !== null && turn.role !== effectiveRole)) {
      turn = { role: effectiveRole, time: null, messages: [] };
      thread.turns.push(turn);
    }
    turn.time ??= timeOf(msg.create_time);
    turn.messages.push({ ids, pieces });
  }
  // Turns that show nothing at all (a hidden system prelude) are dropped by the renderer, not here:
  // their artifacts may still be placed under them.
  return thread;
}

/** The leaf with the latest create_time: the visible end when `current_node` is missing. */
function latestLeaf(mapping: Obj): string | null {
  let best: string | null = null;
  let bestTime = -Infinity;
  for (const k of Object.keys(mapping)) {
    const n = mapping[k];
    if (!isObj(n)) continue;
    const children = n.children;
    if (Array.isArray(children) && children.length > 0) continue;
    const t = isObj(n.message) ? (num(n.message.create_time) ?? -1) : -2;
    if (t >= bestTime) {
      bestTime = t;
      best = k;
    }
  }
  return best;
}
