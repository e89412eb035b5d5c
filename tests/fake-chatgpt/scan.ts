/**
 * A deliberately simple scan of conversation JSON, only so the fake knows which file ids and sandbox
 * paths "exist". This is NOT the product's walker (utils/chatgpt); it does not try to be clever and it
 * should not be imported by product code.
 */

export interface FakeMessage {
  id: string;
  author: { role: string; name?: string | null; metadata?: Record<string, unknown> };
  content: { content_type: string; parts?: unknown[]; text?: string; [k: string]: unknown };
  create_time: number | null;
  update_time?: number | null;
  status?: string;
  end_turn?: boolean | null;
  weight?: number;
  recipient?: string;
  channel?: string | null;
  metadata?: Record<string, unknown>;
  [k: string]: unknown;
}

export interface FakeNode {
  id: string;
  message: FakeMessage | null;
  parent: string | null;
  children: string[];
}

export interface FakeConversation {
  conversation_id: string;
  id?: string;
  title?: string | null;
  create_time?: number;
  update_time?: number;
  current_node?: string;
  gizmo_id?: string | null;
  is_archived?: boolean;
  mapping: Record<string, FakeNode>;
  [k: string]: unknown;
}

export type FileUse = 'image' | 'chart' | 'upload' | 'pointer' | 'audio' | 'video';

export interface ScannedFile {
  fileId: string;
  use: FileUse;
  messageId: string;
  name: string | null;
  mimeType: string | null;
}

export interface ScannedImage {
  fileId: string;
  assetPointer: string;
  conversationId: string;
  messageId: string;
  createdAt: number;
  width: number | null;
  height: number | null;
  genId: string | null;
  prompt: string | null;
  title: string | null;
}

export interface ScanResult {
  files: Map<string, ScannedFile>;
  /** Decoded `/mnt/data/...` path -> node ids allowed as `message_id` (the linking assistant message first). */
  sandbox: Map<string, string[]>;
  images: ScannedImage[];
}

const POINTER_RE = /(?:file-service|sediment):\/\/[^\s"'()<>\]]+/g;
// A link target may hold balanced parentheses (`data%20export%20(v2).xlsx`, docs/FORMATS.md section 2).
const SANDBOX_RE = /sandbox:(?:\/\/)?(\/mnt\/data\/(?:[^\s()"'<>\]]|\([^\s()"'<>\]]*\))+)/g;
const PLAIN_PATH_RE = /\/mnt\/data\/[^\s)"'<>\],]+/g;

/** `sediment://<hash>#file_…#wm` -> `file_…`; `file-service://file-…` -> `file-…`. */
export function pointerToFileId(pointer: string): string {
  const rest = pointer.replace(/^(?:file-service|sediment):\/\//, '');
  const segs = rest.split('#');
  return segs.find((s) => s.startsWith('file_') || s.startsWith('file-')) ?? segs[0] ?? rest;
}

export function decodeSandboxPath(raw: string): string {
  let p = raw;
  try {
    p = decodeURIComponent(raw);
  } catch {
    // a literal '%' that is not an escape: keep the raw text
  }
  return p.normalize('NFC');
}

function strings(value: unknown, out: string[]): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) strings(v, out);
  return out;
}

function asRecord(v: unknown): Record<string, unknown> | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function scanConversation(conv: FakeConversation): ScanResult {
  const files = new Map<string, ScannedFile>();
  const sandbox = new Map<string, string[]>();
  const images: ScannedImage[] = [];
  const cid = conv.conversation_id;
  const add = (f: ScannedFile) => {
    const prev = files.get(f.fileId);
    // a specific use (image/chart/upload) wins over a bare pointer seen in some other string
    if (!prev || prev.use === 'pointer') files.set(f.fileId, f);
  };
  const nodeTime = (node: FakeNode | undefined, depth = 0): number | null => {
    if (!node || depth > 4) return null;
    return num(node.message?.create_time) ?? nodeTime(node.parent ? conv.mapping[node.parent] : undefined, depth + 1);
  };

  for (const node of Object.values(conv.mapping ?? {})) {
    const msg = node?.message;
    if (!msg) continue;
    const mid = node.id ?? msg.id;
    const md = asRecord(msg.metadata) ?? {};

    for (const part of msg.content?.parts ?? []) {
      const p = asRecord(part);
      // Voice mode (docs/CHATGPT.md 4.6): a plain audio pointer, or one nested in a live-session part.
      const media = p?.content_type === 'real_time_user_audio_video_asset_pointer'
        ? [asRecord(p.audio_asset_pointer), asRecord(p.video_container_asset_pointer)]
        : p?.content_type === 'audio_asset_pointer' ? [p] : [];
      for (const m of media) {
        if (typeof m?.asset_pointer !== 'string') continue;
        const use = m.content_type === 'video_container_asset_pointer' ? 'video' : 'audio';
        add({ fileId: pointerToFileId(m.asset_pointer), use, messageId: mid, name: null, mimeType: use === 'audio' ? 'audio/wav' : 'video/mp4' });
      }
      if (!p || p.content_type !== 'image_asset_pointer' || typeof p.asset_pointer !== 'string') continue;
      const fileId = pointerToFileId(p.asset_pointer);
      const pm = asRecord(p.metadata) ?? {};
      const isUpload = msg.author?.role === 'user' || pm.sanitized === true;
      add({ fileId, use: isUpload ? 'upload' : 'image', messageId: mid, name: null, mimeType: null });
      if (!isUpload) {
        const gen = asRecord(pm.generation);
        const dalle = asRecord(pm.dalle);
        const genId = (gen?.gen_id ?? dalle?.gen_id ?? null) as string | null;
        const prompt = typeof dalle?.prompt === 'string' && dalle.prompt ? dalle.prompt : null;
        images.push({
          fileId,
          assetPointer: p.asset_pointer,
          conversationId: cid,
          messageId: mid,
          createdAt: nodeTime(node) ?? conv.update_time ?? conv.create_time ?? 0,
          width: num(p.width),
          height: num(p.height),
          genId,
          prompt,
          title: (md.async_task_title ?? md.image_gen_title ?? conv.title ?? null) as string | null,
        });
      }
    }
    const attachments = Array.isArray(md.attachments) ? md.attachments : [];
    for (const a of attachments) {
      const r = asRecord(a);
      if (r && typeof r.id === 'string') {
        add({
          fileId: r.id,
          use: 'upload',
          messageId: mid,
          name: typeof r.name === 'string' ? r.name : null,
          mimeType: typeof r.mime_type === 'string' ? r.mime_type : null,
        });
      }
    }
    const agg = asRecord(md.aggregate_result);
    for (const m of Array.isArray(agg?.messages) ? agg.messages : []) {
      const r = asRecord(m);
      if (r && typeof r.image_url === 'string' && r.image_url.includes('://')) {
        add({ fileId: pointerToFileId(r.image_url), use: 'chart', messageId: mid, name: null, mimeType: null });
      }
    }
    const texts = strings(msg, []);
    for (const s of texts) {
      for (const m of s.matchAll(POINTER_RE)) {
        add({ fileId: pointerToFileId(m[0]), use: 'pointer', messageId: mid, name: null, mimeType: null });
      }
      for (const m of s.matchAll(SANDBOX_RE)) {
        const path = decodeSandboxPath(m[1]!);
        const ids = sandbox.get(path) ?? [];
        if (!ids.includes(mid)) ids.unshift(mid);
        sandbox.set(path, ids);
      }
    }
  }
  // Second choice for message_id (Superpower ChatGPT's way): tool nodes whose output mentions the path.
  for (const node of Object.values(conv.mapping ?? {})) {
    const msg = node?.message;
    if (!msg || msg.author?.role !== 'tool') continue;
    for (const s of strings(msg, [])) {
      for (const m of s.matchAll(PLAIN_PATH_RE)) {
        const ids = sandbox.get(decodeSandboxPath(m[0]));
        if (ids && !ids.includes(node.id)) ids.push(node.id);
      }
    }
  }
  return { files, sandbox, images };
}

/** The visible thread: walk `parent` up from `current_node`, then reverse. */
export function currentPath(conv: FakeConversation): FakeNode[] {
  const out: FakeNode[] = [];
  const seen = new Set<string>();
  let id: string | null | undefined = conv.current_node;
  while (id && conv.mapping[id] && !seen.has(id)) {
    seen.add(id);
    const n: FakeNode = conv.mapping[id]!;
    out.push(n);
    id = n.parent;
  }
  return out.reverse();
}
