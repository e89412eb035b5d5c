/**
 * Generated histories for the backup tests, the demo and the benchmark: many small conversations, each with
 * generated images (image_gen tool messages with sediment pointers and gen_ids), some archived, some in
 * projects (listed only through the project routes, as docs/CHATGPT.md 3.2 warns), and some deleted after
 * their images were made (then known only to the image library).
 */
import { createHash } from 'node:crypto';
import type { FakeConversation, FakeNode } from './scan.ts';
import type { FakeState } from './state.ts';

export interface HistoryOptions {
  /** Conversations in the main history. */
  count: number;
  /** Of those, how many are archived. */
  archived?: number;
  /** Projects as [gizmo id, conversations] (on top of `count`). */
  projects?: [string, number][];
  /** Conversations created and then deleted (their images stay in the image library). */
  deleted?: number;
  imagesPerConversation?: number;
  /** Distinguishes the ids of two histories in one fake. */
  seed?: string;
}

const hex = (text: string, n: number) => createHash('sha256').update(text).digest('hex').slice(0, n);

/** A UUID-shaped id derived from a text (stable across runs). */
export function uuidFrom(text: string): string {
  const h = hex(text, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const PROMPTS = ['a lighthouse at dusk', 'a red fox in snow', 'a paper boat on a pond', 'a city skyline at night', 'a bowl of lemons', 'a hot air balloon over hills'];

/** One conversation: a user prompt, then per image a tool message with the image, then an assistant reply. */
export function makeConversation(
  id: string,
  title: string,
  index: number,
  images: number,
  updateTime: number,
  extra: Partial<FakeConversation> = {},
  fileIdFor: (i: number) => string = (i) => `file_${hex(`${id}:file:${i}`, 32)}`,
): FakeConversation {
  const mapping: Record<string, FakeNode> = {};
  const rootId = 'client-created-root';
  mapping[rootId] = { id: rootId, message: null, parent: null, children: [] };
  let parent = rootId;
  const add = (node: Omit<FakeNode, 'parent' | 'children'>) => {
    mapping[node.id] = { ...node, parent, children: [] };
    mapping[parent]!.children.push(node.id);
    parent = node.id;
  };
  const prompt = PROMPTS[index % PROMPTS.length]!;
  const t0 = updateTime - 60;
  add({ id: uuidFrom(`${id}:user`), message: { id: uuidFrom(`${id}:user`), author: { role: 'user' }, content: { content_type: 'text', parts: [`draw ${prompt}`] }, create_time: t0, status: 'finished_successfully', recipient: 'all', metadata: {} } });
  for (let i = 0; i < images; i++) {
    const mid = uuidFrom(`${id}:tool:${i}`);
    const fileId = fileIdFor(i);
    const genId = uuidFrom(`${id}:gen:${i}`);
    add({
      id: mid,
      message: {
        id: mid,
        author: { role: 'tool', name: 't2uay3k.sj1i4kz', metadata: {} },
        content: {
          content_type: 'multimodal_text',
          parts: [{
            content_type: 'image_asset_pointer', asset_pointer: `sediment://${fileId}`, size_bytes: 20_000, width: 256, height: 160,
            metadata: { dalle: { gen_id: genId, prompt: '', seed: null }, generation: { gen_id: genId, height: 160, width: 256 } },
          }],
        },
        create_time: null,
        status: 'finished_successfully',
        recipient: 'all',
        metadata: { async_task_type: 'image_gen', async_task_title: `${title} ${i + 1}`, image_gen_title: `${title} ${i + 1}` },
      },
    });
  }
  const aid = uuidFrom(`${id}:assistant`);
  add({ id: aid, message: { id: aid, author: { role: 'assistant' }, content: { content_type: 'text', parts: [`Here is ${prompt}.`] }, create_time: updateTime, status: 'finished_successfully', recipient: 'all', metadata: {} } });
  return {
    conversation_id: id, id, title, create_time: t0, update_time: updateTime, current_node: aid, mapping,
    gizmo_id: null, is_archived: false, ...extra,
  };
}

/** Adds a generated history to the fake. Returns the ids by kind, for assertions. */
export function addHistory(state: FakeState, opts: HistoryOptions): { history: string[]; archived: string[]; projects: Record<string, string[]>; deleted: string[] } {
  const seed = opts.seed ?? 'h';
  const images = opts.imagesPerConversation ?? 1;
  const base = 1_776_000_000;
  const out = { history: [] as string[], archived: [] as string[], projects: {} as Record<string, string[]>, deleted: [] as string[] };
  let n = 0;
  const make = (title: string, extra: Partial<FakeConversation> = {}) => {
    const id = uuidFrom(`${seed}:${n}`);
    const conv = makeConversation(id, title, n, images, base + n * 600, extra);
    n++;
    return conv;
  };
  for (let i = 0; i < opts.count; i++) {
    const archived = i < (opts.archived ?? 0);
    const conv = make(`${archived ? 'Archived chat' : 'Chat'} ${i + 1}`, { is_archived: archived });
    state.conversations.set(conv.conversation_id, conv);
    (archived ? out.archived : out.history).push(conv.conversation_id);
  }
  for (const [gizmo, count] of opts.projects ?? []) {
    out.projects[gizmo] = [];
    for (let i = 0; i < count; i++) {
      const conv = make(`Project chat ${i + 1}`, { gizmo_id: gizmo });
      state.conversations.set(conv.conversation_id, conv);
      out.projects[gizmo].push(conv.conversation_id);
    }
  }
  for (let i = 0; i < (opts.deleted ?? 0); i++) {
    const conv = make(`Deleted chat ${i + 1}`);
    state.deleted.set(conv.conversation_id, conv);
    out.deleted.push(conv.conversation_id);
  }
  return out;
}
