/**
 * Live generation: `POST /backend-api/f/conversation` (2025+) and the legacy `POST /backend-api/conversation`.
 * The stream imitates the 2025-26 delta encoding (docs/CHATGPT.md §3.6): `delta_encoding`, an
 * `input_message`, an `add` of the assistant message, `append` deltas, a final `patch`, typed events,
 * then `[DONE]`. The image_gen result arrives ASYNCHRONOUSLY after the stream, as on the real site, so
 * only a re-GET of the conversation sees it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { expectedBytes } from './bytes.ts';
import type { FakeConversation, FakeMessage, FakeNode } from './scan.ts';
import type { FakeState } from './state.ts';

export const IMAGE_GEN_TOOL = 't2uay3k.sj1i4kz'; // 2025-26 tool name for image_gen

interface GenerateBody {
  conversation_id?: string | null;
  parent_message_id?: string | null;
  model?: string;
  history_and_training_disabled?: boolean;
  temporary?: boolean;
  messages?: { id?: string; content?: { parts?: unknown[] } }[];
}

export type GenerateResult =
  | { ok: false; status: number; body: unknown }
  | { ok: true; conversationId: string; run(res: ServerResponse, truncate: boolean): void };

const nowSec = () => Date.now() / 1000;

export function textMessage(id: string, role: string, text: string, extra: Partial<FakeMessage> = {}): FakeMessage {
  return {
    id,
    author: { role, name: null, metadata: {} },
    create_time: nowSec(),
    update_time: null,
    content: { content_type: 'text', parts: [text] },
    status: 'finished_successfully',
    end_turn: role === 'assistant' ? true : null,
    weight: 1,
    metadata: {},
    recipient: 'all',
    channel: role === 'assistant' ? 'final' : null,
    ...extra,
  };
}

export function attach(conv: FakeConversation, parentId: string, message: FakeMessage): FakeNode {
  const node: FakeNode = { id: message.id, message, parent: parentId, children: [] };
  conv.mapping[message.id] = node;
  conv.mapping[parentId]?.children.push(message.id);
  conv.current_node = message.id;
  conv.update_time = nowSec();
  return node;
}

function newConversation(state: FakeState, model: string): FakeConversation {
  const t = nowSec();
  const cid = randomUUID();
  return {
    conversation_id: cid,
    id: cid,
    title: 'New chat',
    create_time: t,
    update_time: t,
    current_node: 'client-created-root',
    default_model_slug: model,
    gizmo_id: null,
    is_archived: false,
    is_starred: null,
    moderation_results: [],
    safe_urls: [],
    blocked_urls: [],
    conversation_origin: null,
    async_status: null,
    mapping: { 'client-created-root': { id: 'client-created-root', message: null, parent: null, children: [] } },
    _fake_live: state.liveCounter,
  };
}

/** Adds the async image_gen trio (code request, tool image with a sediment pointer, tool text). */
export function appendImageGen(state: FakeState, conv: FakeConversation, prompt: string): string {
  const parent = conv.current_node ?? 'client-created-root';
  const fileId = `file_00000000${randomBytes(12).toString('hex')}`;
  const genId = randomUUID();
  const title = prompt.slice(0, 40) || 'Image';
  const code = textMessage(randomUUID(), 'assistant', '', {
    content: {
      content_type: 'code',
      language: 'json',
      text: JSON.stringify({ prompt, size: '1024x1024', n: 1, transparent_background: false }),
    },
    recipient: IMAGE_GEN_TOOL,
    channel: 'commentary',
    end_turn: false,
  });
  attach(conv, parent, code);
  const toolId = randomUUID();
  const tool: FakeMessage = {
    ...textMessage(toolId, 'tool', ''),
    author: { role: 'tool', name: IMAGE_GEN_TOOL, metadata: {} },
    create_time: null, // image_gen tool messages carry no create_time (2025-26 payloads)
    content: {
      content_type: 'multimodal_text',
      parts: [
        {
          content_type: 'image_asset_pointer',
          asset_pointer: `sediment://${fileId}`,
          size_bytes: expectedBytes('file', fileId).length,
          width: 1024,
          height: 1024,
          fovea: null,
          metadata: {
            dalle: { gen_id: genId, prompt: '', seed: null, parent_gen_id: null, edit_op: null, serialization_title: 'DALL-E generation metadata' },
            generation: {
              gen_id: genId, gen_size: 'image', gen_size_v2: null, seed: null, parent_gen_id: null,
              width: 1024, height: 1024, orientation: 'square', transparent_background: false,
              serialization_title: 'Image Generation metadata',
            },
            container_pixel_width: 1024,
            container_pixel_height: 1024,
            sanitized: false,
            asset_pointer_link: null,
            watermarked_asset_pointer: null,
            gizmo: null,
          },
        },
      ],
    },
    metadata: {
      async_task_id: `imagegen_${randomBytes(8).toString('hex')}`,
      async_task_type: 'image_gen',
      async_task_title: title,
      image_gen_title: title,
      response_message_id: toolId,
    },
  };
  attach(conv, code.id, tool);
  const done = textMessage(randomUUID(), 'tool', 'GPT-4o returned 1 images. From now on, do not say or show ANYTHING. Please end this turn now.', {
    author: { role: 'tool', name: IMAGE_GEN_TOOL, metadata: {} },
    metadata: { is_visually_hidden_from_conversation: true },
  });
  attach(conv, toolId, done);
  return fileId;
}

function sse(res: ServerResponse, event: string | null, data: unknown): void {
  if (res.destroyed) return;
  const payload = typeof data === 'string' && data === '[DONE]' ? data : JSON.stringify(data);
  res.write(`${event ? `event: ${event}\n` : ''}data: ${payload}\n\n`);
}

export function startGeneration(state: FakeState, raw: Buffer, timers: Set<NodeJS.Timeout>): GenerateResult {
  let body: GenerateBody;
  try {
    body = JSON.parse(raw.toString('utf8') || '{}') as GenerateBody;
  } catch {
    return { ok: false, status: 400, body: { detail: 'Invalid JSON' } };
  }
  const first = body.messages?.[0];
  const prompt = first?.content?.parts?.find((p): p is string => typeof p === 'string');
  if (typeof prompt !== 'string') {
    return { ok: false, status: 422, body: { detail: [{ loc: ['body', 'messages'], msg: 'field required', type: 'value_error' }] } };
  }
  const model = body.model ?? 'auto';
  let conv: FakeConversation;
  const isNew = !body.conversation_id;
  if (body.conversation_id) {
    const found = state.conversations.get(body.conversation_id);
    if (!found) return { ok: false, status: 404, body: { detail: 'conversation_not_found' } };
    conv = found;
  } else {
    state.liveCounter++;
    conv = newConversation(state, model);
    state.conversations.set(conv.conversation_id, conv);
    if (body.history_and_training_disabled || body.temporary) state.temporary.add(conv.conversation_id);
  }
  const cid = conv.conversation_id;
  const parentId =
    body.parent_message_id && conv.mapping[body.parent_message_id] ? body.parent_message_id : (conv.current_node ?? 'client-created-root');
  const userMsg = textMessage(first?.id ?? randomUUID(), 'user', prompt);
  attach(conv, parentId, userMsg);

  const n = ++state.liveCounter;
  const sandboxPath = `/mnt/data/live-${n}.csv`;
  const assistantId = randomUUID();
  const text = `Done: I analysed "${prompt.slice(0, 40)}" and saved the table. [Download the CSV](sandbox:${sandboxPath})`;
  const chunks = text.match(/.{1,14}/gs) ?? [text];

  return {
    ok: true,
    conversationId: cid,
    run(res, truncate) {
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        'x-accel-buffering': 'no',
      });
      const inProgress = { ...textMessage(assistantId, 'assistant', ''), status: 'in_progress', end_turn: null };
      const steps: (() => void)[] = [
        () => sse(res, 'delta_encoding', 'v1'),
        () => sse(res, null, { type: 'input_message', input_message: userMsg, conversation_id: cid }),
        () => sse(res, 'delta', { p: '', o: 'add', v: { message: inProgress, conversation_id: cid, error: null }, c: 0 }),
        ...chunks.map((c, i) => () =>
          sse(res, 'delta', i === 0 ? { p: '/message/content/parts/0', o: 'append', v: c } : { v: c })),
        () => {
          sse(res, 'delta', {
            p: '',
            o: 'patch',
            v: [
              { p: '/message/status', o: 'replace', v: 'finished_successfully' },
              { p: '/message/end_turn', o: 'replace', v: true },
              { p: '/message/metadata', o: 'append', v: { is_complete: true, finish_details: { type: 'stop' } } },
            ],
          });
          // The assistant turn exists server-side from here on; its sandbox lives sandboxTtlMs.
          attach(conv, userMsg.id, textMessage(assistantId, 'assistant', text, { metadata: { model_slug: model } }));
          state.expireSandbox(cid, sandboxPath, Date.now() + state.options.sandboxTtlMs);
        },
        () => sse(res, null, { type: 'message_stream_complete', conversation_id: cid }),
        () => {
          if (!isNew) return;
          conv.title = prompt.split(/\s+/).slice(0, 5).join(' ') || 'New chat';
          sse(res, null, { type: 'title_generation', title: conv.title, conversation_id: cid });
        },
        () => {
          // Approximates the 2025-26 handoff that precedes async image results (shape not verified).
          if (state.options.liveImage) sse(res, null, { type: 'stream_handoff', conversation_id: cid, reason: 'async_task' });
        },
        () => sse(res, null, '[DONE]'),
      ];
      const gap = Math.max(10, Math.round(state.options.streamDurationMs / steps.length));
      const cutAt = truncate ? Math.floor(steps.length / 2) : steps.length;
      let i = 0;
      const later = (fn: () => void, ms: number) => {
        const t = setTimeout(() => {
          timers.delete(t);
          fn();
        }, ms);
        timers.add(t);
      };
      const tick = () => {
        if (i === cutAt && truncate) {
          // truncate: the stream dies mid-way. The server keeps the conversation as it stands.
          res.socket?.destroy();
          return;
        }
        steps[i++]!();
        if (i < steps.length) {
          later(tick, gap);
          return;
        }
        if (!res.destroyed) res.end();
        if (state.options.liveImage) {
          later(() => {
            // skipped after a reset (the conversation object was replaced or dropped)
            if (state.conversations.get(cid) === conv) appendImageGen(state, conv, prompt);
          }, state.options.asyncImageDelayMs);
        }
      };
      tick();
    },
  };
}
