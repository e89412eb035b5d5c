/**
 * A second "device" on the same account (a phone): it adds turns to existing conversations while the browser
 * is idle, each an assistant reply with a `sandbox:` link (a CSV whose sandbox lives `sandboxTtlMs`) and,
 * optionally, an image_gen image; the conversation's `update_time` moves, so the listing shows it first.
 * Driven by `POST /__fake/device` or by a timer (`startDevice`). Nothing of it passes through a page.
 */
import { randomUUID } from 'node:crypto';
import { appendImageGen, attach, textMessage } from './live.ts';
import type { FakeState } from './state.ts';

export interface ElsewhereTurn {
  conversationId: string;
  /** Also make an image (default true). */
  image?: boolean;
  /** The sandbox file's name (default `elsewhere-<n>.csv`). */
  file?: string;
}

export interface ElsewhereResult {
  conversationId: string;
  sandboxPath: string;
  fileId: string | null;
}

let made = 0;

/** Adds one turn made "elsewhere" to a conversation; throws for an unknown one. */
export function addTurnElsewhere(state: FakeState, turn: ElsewhereTurn): ElsewhereResult {
  const conv = state.conversations.get(turn.conversationId);
  if (!conv) throw new Error(`unknown conversation ${turn.conversationId}`);
  const n = ++made;
  const sandboxPath = `/mnt/data/${turn.file ?? `elsewhere-${n}.csv`}`;
  const user = textMessage(randomUUID(), 'user', `From my phone: table ${n}`);
  attach(conv, conv.current_node ?? 'client-created-root', user);
  attach(conv, user.id, textMessage(randomUUID(), 'assistant', `Here it is. [Download the table](sandbox:${sandboxPath})`, { metadata: { model_slug: 'gpt-5' } }));
  state.expireSandbox(conv.conversation_id, sandboxPath, Date.now() + state.options.sandboxTtlMs);
  const fileId = turn.image === false ? null : appendImageGen(state, conv, `A picture from my phone ${n}`);
  return { conversationId: conv.conversation_id, sandboxPath, fileId };
}

/** Adds a turn elsewhere every `everyMs` to the given conversations in turn; returns a stop function. */
export function startDevice(state: FakeState, conversationIds: readonly string[], everyMs: number, timers: Set<NodeJS.Timeout>): () => void {
  let i = 0;
  const timer = setInterval(() => {
    const id = conversationIds[i++ % conversationIds.length];
    if (id && state.conversations.has(id)) addTurnElsewhere(state, { conversationId: id });
  }, everyMs);
  timers.add(timer);
  return () => {
    clearInterval(timer);
    timers.delete(timer);
  };
}
