/**
 * Parsers for the backend's listings used by the whole-history backup (docs/CHATGPT.md 3.2, 3.3): the
 * conversation history (offset pages), projects and their conversations (cursor pages), and the
 * generated-image library (cursor pages). Every parser validates its input and drops items it cannot use
 * instead of throwing, so one odd item never costs a page; a body that is not a listing at all throws.
 */
import { isConversationId, pointerToId } from './ids';
import { isObj, num, str, type Obj } from './json';

/** One conversation as a listing names it. */
export interface ListedConversation {
  id: string;
  title: string | null;
  /** Seconds since the epoch (the list sends ISO strings, the body floats), or null. */
  updateTime: number | null;
  gizmoId: string | null;
  archived: boolean;
}

export interface ConversationPage {
  items: ListedConversation[];
  /** Offset pages: the server's total, when it sends one. */
  total: number | null;
  /** Cursor pages: the next cursor, or null at the end. */
  cursor: string | null;
  /** Items in the raw page (before dropping unusable ones), to tell a short page from the end. */
  rawCount: number;
}

export interface ListedProject {
  id: string;
  name: string | null;
}

export interface ProjectPage {
  items: ListedProject[];
  cursor: string | null;
}

/** One generated image as the image library lists it. */
export interface LibraryImage {
  fileId: string;
  genId: string | null;
  conversationId: string;
  messageId: string;
  /** `recreation_prompt` first (the prompt the conversation JSON lacks), then `prompt`. */
  prompt: string | null;
  title: string | null;
  width: number | null;
  height: number | null;
  /** Seconds since the epoch, or null. */
  createdAt: number | null;
  /** The item's signed download link (estuary, 2026), or null; valid for a short while only, never stored. */
  url: string | null;
}

export interface ImagePage {
  items: LibraryImage[];
  cursor: string | null;
}

class ListingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ListingError';
  }
}


/** Seconds since the epoch from an ISO string, a float in seconds, or a number in milliseconds. */
function toEpochSeconds(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v > 1e11 ? v / 1000 : v;
  if (typeof v === 'string') {
    const ms = Date.parse(v);
    if (!Number.isNaN(ms)) return ms / 1000;
  }
  return null;
}

function httpsUrl(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  try {
    return new URL(v).protocol === 'https:' ? v : null;
  } catch {
    return null;
  }
}

function itemsOf(body: unknown, what: string): unknown[] {
  if (!isObj(body) || !Array.isArray(body.items)) throw new ListingError(`The ${what} answer has no items list`);
  return body.items;
}

function cursorOf(body: Obj): string | null {
  const c = body.cursor;
  if (typeof c === 'string' && c.length > 0) return c;
  if (typeof c === 'number' && Number.isFinite(c)) return String(c);
  return null;
}

function conversationItem(raw: unknown): ListedConversation | null {
  if (!isObj(raw)) return null;
  const id = str(raw.id) ?? str(raw.conversation_id);
  if (!id || !isConversationId(id)) return null;
  return {
    id,
    title: str(raw.title),
    updateTime: toEpochSeconds(raw.update_time),
    gizmoId: str(raw.gizmo_id),
    archived: raw.is_archived === true,
  };
}

/** `GET /backend-api/conversations` (offset pages) or `gizmos/{id}/conversations` (cursor pages). */
export function parseConversationPage(body: unknown): ConversationPage {
  const raw = itemsOf(body, 'conversation list');
  const b = body as Obj;
  return {
    items: raw.map(conversationItem).filter((c): c is ListedConversation => c !== null),
    total: num(b.total),
    cursor: cursorOf(b),
    rawCount: raw.length,
  };
}

/** `gizmos/snorlax/sidebar`: each item nests the project as `gizmo.gizmo` (2025-2026); flatter shapes accepted. */
export function parseProjectPage(body: unknown): ProjectPage {
  const raw = itemsOf(body, 'project list');
  const items: ListedProject[] = [];
  for (const item of raw) {
    if (!isObj(item)) continue;
    const outer = isObj(item.gizmo) ? item.gizmo : item;
    const g = isObj(outer.gizmo) ? outer.gizmo : outer;
    const id = str(g.id);
    if (!id) continue;
    const display = isObj(g.display) ? g.display : {};
    items.push({ id, name: str(display.name) ?? str(g.name) });
  }
  return { items, cursor: cursorOf(body as Obj) };
}

/** `my/recent/image_gen`: items with an asset pointer (or a file id in the URL) and a conversation. */
export function parseImagePage(body: unknown): ImagePage {
  const raw = itemsOf(body, 'image library');
  const items: LibraryImage[] = [];
  for (const item of raw) {
    if (!isObj(item)) continue;
    const fileId = pointerToId(item.asset_pointer) ?? pointerToId(item.file_id);
    const conversationId = str(item.conversation_id);
    if (!fileId || !conversationId || !isConversationId(conversationId)) continue;
    items.push({
      fileId,
      genId: str(item.generation_id) ?? str(item.gen_id),
      conversationId,
      messageId: str(item.message_id) ?? str(item.id) ?? fileId,
      prompt: str(item.recreation_prompt) ?? str(item.prompt),
      title: str(item.title),
      width: num(item.width),
      height: num(item.height),
      createdAt: toEpochSeconds(item.created_at),
      url: httpsUrl(item.url),
    });
  }
  return { items, cursor: cursorOf(body as Obj) };
}
