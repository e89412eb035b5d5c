/**
 * The conversation walker: finds every artifact reference in one conversation JSON, as served by
 * `GET /backend-api/conversation/{id}` or found in an export shard (docs/CHATGPT.md §3.1, §4, §5.2).
 *
 * Shared by the live capture pipeline and the export reconciler, so it must accept every era of the
 * JSON (2023 → 2026) and anything malformed: it never throws, reports what it could not read in
 * `problems`, and never invents a reference (a ref needs a file id, a gen_id or a sandbox path that
 * literally appears in the input).
 *
 * Cost: one pass over `mapping` collecting refs, then short parent walks only for the refs found
 * (timestamps, prompts, sandbox fallbacks). No regular expression runs over message text; the only
 * full-text operation is `indexOf('sandbox:')` on assistant text parts.
 */
import { extensionFor } from '../files/sniff';
import { type ArtifactKind, type ArtifactRef, artifactIdentity, epochSeconds } from '../model';
import { type CanvasCall, canvasFileType, rebuildCanvases } from './canvas';
import { pointerToId } from './ids';
import { DEEP_RESEARCH, type ResearchReport, reportFromMessage, reportFromWidgetState } from './research';
import { extractSandboxTargets, normaliseSandboxPath } from './sandbox-links';
import { isObj, num, obj, str, type Obj } from './json';

export interface WalkResult {
  conversationId: string | null;
  title: string | null;
  /** Seconds since the epoch (`update_time`), null when absent. */
  updateTime: number | null;
  /**
   * `gizmo_id`: the GPT or project the conversation belongs to (`g-p-…` for a project chat, whose reads and
   * file resolutions need the project header, section 4.7), null when none. The export carries it too.
   */
  gizmoId: string | null;
  refs: ArtifactRef[];
  problems: string[];
  /**
   * Every mapping node id and message id in the conversation: the DOM's `data-message-id` values join to
   * these, which tells the content script whether a turn on the page is already known.
   */
  nodeIds: string[];
  /**
   * Image tasks still generating: an async image_gen message without its image yet, or a conversation whose
   * last message is a call to the image tool (the result arrives after the stream; surface section 3.6).
   * The content script re-reads only while this is above zero.
   */
  imagesPending: number;
}

export interface WalkOptions {
  /** Wins over the JSON's own `conversation_id`/`id` (temporary chats, intercepted responses). */
  conversationId?: string;
}


const MAX_PROBLEMS = 50;

/**
 * The JSON path of a message (or, with `nodeOnly`, its mapping node) followed by `rest`: what a problem
 * names, so that a new ChatGPT shape is reported where it sits.
 */
function at(key: string, rest: string, nodeOnly = false): string {
  return `mapping[${JSON.stringify(key.length > 80 ? `${key.slice(0, 80)}…` : key)}]${nodeOnly ? '' : '.message'}${rest}`;
}
/** `.content.parts[p]`: built only when a problem names it (building it for every part was garbage on every message). */
function partPath(p: number): string {
  return `.content.parts[${p}]`;
}
/** Parent walks for neighbouring timestamps and prompts stay local. */
const NEIGHBOUR_STEPS = 16;
/** Budget for the conversation-wide fallback search (characters of python output scanned). */
const FALLBACK_SCAN_BUDGET = 64 * 1024 * 1024;
/** Recipients of a call to the image tool: `dalle.text2im` (2023-2025), image_gen's code name (2025-2026). */
const IMAGE_TOOLS: ReadonlySet<unknown> = new Set(['dalle.text2im', 't2uay3k.sj1i4kz']);

/**
 * A reference with every optional field empty; callers assign what their variant knows. (Assigning rather
 * than spreading it into a literal: one object per ref instead of two, with one shape for all.)
 */
function blankRef(kind: ArtifactKind, conversationId: string, messageId: string, createTime: number | null): ArtifactRef {
  return {
    kind, conversationId, messageId, fallbackMessageId: null, fileId: null, genId: null, prompt: null, seed: null,
    fileName: null, sandboxPath: null, mimeType: null, size: null, width: null, height: null, createTime,
    onCurrentPath: false, expiresAt: null, textdocId: null, text: null, libraryFileId: null,
  };
}

/** Where a canvas ref keeps its text builder (canvas.ts builds a version's text when it is first read). */
const BUILD_TEXT = Symbol('buildText');
/**
 * The `text` of a canvas ref, added last and shared by all of them: one accessor for every ref keeps them
 * fast objects of one shape (a getter of its own each, or one replacing a data property, turned every ref
 * into a slow dictionary, and the walk of a canvas-heavy conversation took three times its JSON.parse).
 */
const CANVAS_TEXT: PropertyDescriptor = {
  get(this: { [BUILD_TEXT]: () => string | null }): string | null {
    return this[BUILD_TEXT]();
  },
  enumerable: true,
  configurable: true,
};

/**
 * Message content types the walker knows (those holding artifacts and those that never do). Any other is
 * reported as skipped, so a new ChatGPT shape shows up by name instead of passing unnoticed.
 */
const KNOWN_CONTENT_TYPES: ReadonlySet<string> = new Set([
  'text', 'multimodal_text', 'code', 'execution_output', 'tether_browsing_display', 'tether_quote', 'system_error',
  'user_editable_context', 'model_editable_context', 'thoughts', 'reasoning_recap', 'computer_output', 'sonic_webpage',
  'app_pairing_content', 'super_widget', 'citable_code_output', 'memory_recap',
]);
/** Pointer parts that are never artifacts of their own (camera frames of a live session are read with it). */
const QUIET_POINTERS: ReadonlySet<string> = new Set(['image_asset_pointer', 'audio_asset_pointer', 'real_time_user_audio_video_asset_pointer']);

const FILESERVICE_MIME = 'image/vnd.openai.fileservice';

/**
 * A `jupyter_messages` chart value: a pointer string (`image/vnd.openai.fileservice.png`), or in 2025 also a
 * JSON string `{"url":"file-service://…","image_width":…,"image_height":…,"bytes":…}`
 * (`…fileservice2.png`, docs/CHATGPT.md 4.7) naming the same chart with its true size.
 */
function fileServiceValue(v: unknown): { fileId: string; width: number | null; height: number | null; size: number | null } | null {
  if (typeof v !== 'string') return null;
  const t = v.trimStart();
  if (!t.startsWith('{')) {
    const fileId = pointerToId(v);
    return fileId ? { fileId, width: null, height: null, size: null } : null;
  }
  if (t.length > 64 * 1024) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(t);
  } catch {
    return null;
  }
  const o = obj(parsed);
  const fileId = pointerToId(o?.url) ?? pointerToId(o?.asset_pointer);
  return fileId ? { fileId, width: num(o?.image_width), height: num(o?.image_height), size: num(o?.bytes) } : null;
}

/** The text of a tool call's body: a `code` message's `text`, else its first text part. */
function bodyText(content: unknown): string | null {
  const c = obj(content);
  if (!c) return null;
  if (typeof c.text === 'string') return c.text;
  return Array.isArray(c.parts) && typeof c.parts[0] === 'string' ? c.parts[0] : null;
}

// ---------------------------------------------------------------------------------------------------
// Small helpers, exported for the reconciler and for tests.

/**
 * A filename-safe, readable slug: lower case, letters and digits of any script kept, accents dropped,
 * everything else collapsed to `-`, at most `maxLength` characters (cut at a dash when possible).
 */
export function slugify(input: string, maxLength = 60): string {
  const base = input
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
  if (base.length <= maxLength) return base.normalize('NFC');
  const cut = base.slice(0, maxLength);
  const dash = cut.lastIndexOf('-');
  return (dash >= maxLength / 2 ? cut.slice(0, dash) : cut).replace(/-+$/, '').normalize('NFC');
}

function basename(path: string): string {
  const k = path.lastIndexOf('/');
  return k === -1 ? path : path.slice(k + 1);
}

// ---------------------------------------------------------------------------------------------------
// The walk

interface Found {
  ref: ArtifactRef;
  /** Mapping key of the first node this artifact was seen in (for `onCurrentPath`). */
  firstKey: string;
  /** Mapping keys of the other nodes it was seen in; null while there are none (no array per ref for speed). */
  moreKeys: string[] | null;
  /** Mapping key of the node `ref.messageId` belongs to. */
  key: string;
  titleHint: string | null;
  /** Resolve the prompt from the preceding assistant message (image refs with an empty prompt). */
  wantsPrompt: boolean;
}

interface SandboxSeen {
  ref: ArtifactRef;
  key: string;
  order: number;
}

interface PythonOutput {
  key: string;
  messageId: string;
  /** stdout, final expression output and code, kept apart so nothing large is concatenated. */
  texts: string[];
}

function mentions(py: PythonOutput, needle: string): boolean {
  for (const t of py.texts) if (t.includes(needle)) return true;
  return false;
}

class Walk {
  readonly problems: string[] = [];
  private dropped = 0;
  readonly found = new Map<string, Found>();
  /**
   * Canvas documents and their versions by `textdocId`, reported after `found`. A map of their own, so that no
   * `canvas:<conversation>:<textdoc>` key is built per version (the walk's `found` gets no canvas ref).
   */
  readonly canvasVersions = new Map<string, Found>();
  readonly sandbox = new Map<string, SandboxSeen[]>();
  readonly python: PythonOutput[] = [];
  readonly pythonByKey = new Map<string, PythonOutput>();
  readonly canvasCalls: CanvasCall[] = [];
  /** `metadata.canvas` of tool messages, by mapping key. */
  readonly canvasResults = new Map<string, Obj>();
  readonly citedFiles: { key: string; ref: ArtifactRef }[] = [];
  private readonly mediaTypes = { audio: new Map<string | null, { mimeType: string | null; ext: string }>(), video: new Map<string | null, { mimeType: string | null; ext: string }>() };
  private lastExpiryValue: unknown = undefined;
  private lastExpirySeconds: number | null = null;
  imagesPending = 0;
  private order = 0;

  constructor(
    readonly conversationId: string,
    readonly mapping: Obj,
  ) {}

  problem(msg: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(msg);
    else this.dropped++;
  }

  finishProblems(): string[] {
    if (this.dropped > 0) this.problems.push(`… and ${this.dropped} more problems`);
    return this.problems;
  }

  node(key: string): Obj | null {
    return Object.prototype.hasOwnProperty.call(this.mapping, key) ? obj(this.mapping[key]) : null;
  }

  message(key: string): Obj | null {
    return obj(this.node(key)?.message);
  }

  parentKey(key: string): string | null {
    return str(this.node(key)?.parent);
  }

  // ---- scanning one message ----

  scan(key: string, msg: Obj): void {
    const author = obj(msg.author);
    const role = str(author?.role);
    const name = str(author?.name);
    const messageId = str(msg.id) ?? str(this.node(key)?.id) ?? key;
    const createTime = num(msg.create_time);

    let meta: Obj | null = null;
    if (msg.metadata !== undefined && msg.metadata !== null) {
      meta = obj(msg.metadata);
      if (!meta) this.problem(`${at(key, '.metadata')}: is not an object`);
    }

    const content = msg.content;
    let parts: unknown[] | null = null;
    let contentType: string | null = null;
    if (content !== undefined && content !== null) {
      if (!isObj(content)) {
        this.problem(`${at(key, '.content')}: is not an object`);
      } else {
        contentType = str(content.content_type);
        if (content.parts !== undefined && content.parts !== null) {
          if (Array.isArray(content.parts)) parts = content.parts;
          else this.problem(`${at(key, '.content.parts')}: is not an array`);
        }
      }
    }

    // Only markdown the person sees holds sandbox links: not tool calls (`recipient` other than `all`) and
    // not hidden reasoning (`channel: analysis`, 2025-2026 reasoning models). Slim exports have neither field.
    const recipient = msg.recipient;
    const linksVisible =
      role === 'assistant' && (recipient === undefined || recipient === null || recipient === 'all') && msg.channel !== 'analysis';

    if (contentType !== null && !KNOWN_CONTENT_TYPES.has(contentType)) {
      this.problem(`${at(key, '.content.content_type')}: unknown content_type ${JSON.stringify(contentType.slice(0, 80))} (skipped)`);
    }

    let hasImage = false;
    if (parts) {
      for (let p = 0; p < parts.length; p++) {
        const part = parts[p];
        if (typeof part === 'string') {
          if (linksVisible && part.indexOf('sandbox:') !== -1) this.sandboxLinks(key, messageId, createTime, part);
        } else if (isObj(part)) {
          const pt = part.content_type;
          if (pt === 'image_asset_pointer') {
            hasImage = true;
            this.imagePart(key, p, messageId, createTime, role, name, meta, part);
          } else if (pt === 'audio_asset_pointer') {
            this.mediaPointer(key, p, '', messageId, createTime, 'audio', part);
          } else if (pt === 'real_time_user_audio_video_asset_pointer') {
            const audio = obj(part.audio_asset_pointer);
            if (audio) this.mediaPointer(key, p, '.audio_asset_pointer', messageId, createTime, 'audio', audio);
            const video = obj(part.video_container_asset_pointer);
            if (video) this.mediaPointer(key, p, '.video_container_asset_pointer', messageId, createTime, 'video', video);
          } else if (typeof pt === 'string' && pt.endsWith('_asset_pointer') && !QUIET_POINTERS.has(pt)) {
            this.problem(`${at(key, partPath(p))}: unknown asset pointer content_type ${JSON.stringify(pt.slice(0, 80))} (skipped)`);
          }
        } else if (part !== null) {
          this.problem(`${at(key, partPath(p))}: is neither text nor an object`);
        }
      }
    }

    if (role === 'assistant' && typeof recipient === 'string' && recipient.startsWith('canmore.')) {
      this.canvasCalls.push({ key, recipient, body: bodyText(content), createTime, order: this.order++ });
    }

    if (meta) {
      if (meta.async_task_type === 'image_gen' && !hasImage) this.imagesPending++;
      const agg = meta.aggregate_result;
      if (agg !== undefined && agg !== null) {
        if (isObj(agg)) this.aggregateResult(key, messageId, createTime, agg);
        else this.problem(`${at(key, '.metadata.aggregate_result')}: is not an object`);
      }
      if (role === 'tool' && (name === 'python' || contentType === 'execution_output' || isObj(agg))) {
        this.indexPython(key, messageId, content, obj(agg));
      }
      if (role === 'user' && meta.attachments !== undefined && meta.attachments !== null) {
        if (Array.isArray(meta.attachments)) this.attachments(key, messageId, createTime, meta.attachments);
        else this.problem(`${at(key, '.metadata.attachments')}: is not an array`);
      }
      if (Array.isArray(meta.content_references)) this.fileReferences(key, messageId, createTime, meta.content_references);
      const canvas = obj(meta.canvas);
      if (role === 'tool' && canvas) this.canvasResults.set(key, canvas);
      this.research(key, messageId, createTime, role, content, parts, meta);
    }
  }

  private imagePart(
    key: string,
    p: number,
    messageId: string,
    createTime: number | null,
    role: string | null,
    name: string | null,
    meta: Obj | null,
    part: Obj,
  ): void {
    const pm = obj(part.metadata);
    const fileId = pointerToId(part.asset_pointer) ?? pointerToId(pm?.watermarked_asset_pointer) ?? pointerToId(part.watermarked_asset_pointer);
    const isUpload = role === 'user';
    // User pointers carry null generation fields (§4.3); only tool/assistant images have a gen_id.
    const generation = isUpload ? null : obj(pm?.generation);
    const dalle = isUpload ? null : obj(pm?.dalle);
    const genId = str(generation?.gen_id) ?? str(dalle?.gen_id);
    if (!fileId) {
      this.problem(`${at(key, `${partPath(p)}.asset_pointer`)}: ${JSON.stringify(String(part.asset_pointer).slice(0, 80))} has no file id`);
      if (!genId) return;
    }
    // A python tool message showing an image is a chart (L: not seen in payloads, but it is what it means).
    // A pointer declaring a video type is a video, never an upload image.
    const mime = str(part.mime_type);
    const kind: ArtifactKind = mime?.startsWith('video/') ? 'video' : isUpload ? 'upload' : name === 'python' ? 'chart' : 'image';
    const prompt = str(dalle?.prompt);
    const titleHint = str(meta?.image_gen_title) ?? str(meta?.async_task_title);
    this.add(
      {
        kind,
        conversationId: this.conversationId,
        messageId,
        fallbackMessageId: null,
        fileId,
        genId,
        prompt,
        seed: num(generation?.seed) ?? num(dalle?.seed),
        fileName: null,
        sandboxPath: null,
        mimeType: mime,
        size: num(part.size_bytes),
        width: num(part.width) ?? num(generation?.width),
        height: num(part.height) ?? num(generation?.height),
        createTime,
        onCurrentPath: false,
      },
      key,
      titleHint,
      kind === 'image' && prompt === null,
    );
  }

  private aggregateResult(key: string, messageId: string, createTime: number | null, agg: Obj): void {
    const time = createTime ?? num(agg.end_time) ?? num(agg.update_time);
    if (agg.messages !== undefined && agg.messages !== null) {
      if (!Array.isArray(agg.messages)) this.problem(`${at(key, '.metadata.aggregate_result.messages')}: is not an array`);
      else {
        for (let i = 0; i < agg.messages.length; i++) {
          const m: unknown = agg.messages[i];
          if (!isObj(m) || m.message_type !== 'image') continue;
          const fileId = pointerToId(m.image_url);
          if (!fileId) {
            this.problem(`${at(key, `.metadata.aggregate_result.messages[${i}].image_url`)}: ${JSON.stringify(String(m.image_url).slice(0, 80))} has no file id`);
            continue;
          }
          this.addChart(key, messageId, time ?? num(m.time), fileId, num(m.width), num(m.height), null);
        }
      }
    }
    // Raw kernel messages repeat the same charts as display_data; the identity dedupes them.
    const jm = agg.jupyter_messages;
    if (Array.isArray(jm)) {
      for (let j = 0; j < jm.length; j++) {
        const data = obj(obj(obj(jm[j])?.content)?.data);
        if (!data) continue;
        for (const mime in data) {
          if (!mime.startsWith(FILESERVICE_MIME)) continue;
          const chart = fileServiceValue(data[mime]);
          if (!chart) {
            this.problem(`${at(key, `.metadata.aggregate_result.jupyter_messages[${j}].content.data[${JSON.stringify(mime)}]`)}: has no file id`);
            continue;
          }
          // `image/vnd.openai.fileservice.png` and `…fileservice2.png` → image/png
          const ext = mime.slice(mime.lastIndexOf('.') + 1);
          const ref = blankRef('chart', this.conversationId, messageId, time);
          ref.fileId = chart.fileId;
          ref.mimeType = ext && ext !== mime ? `image/${ext}` : null;
          ref.width = chart.width;
          ref.height = chart.height;
          ref.size = chart.size;
          this.add(ref, key, null, false);
        }
      }
    }
  }

  private addChart(key: string, messageId: string, time: number | null, fileId: string, w: number | null, h: number | null, mime: string | null): void {
    const ref = blankRef('chart', this.conversationId, messageId, time);
    ref.fileId = fileId;
    ref.mimeType = mime;
    ref.width = w;
    ref.height = h;
    this.add(ref, key, null, false);
  }

  private attachments(key: string, messageId: string, createTime: number | null, list: unknown[]): void {
    for (let i = 0; i < list.length; i++) {
      const a = list[i];
      if (!isObj(a)) {
        this.problem(`${at(key, `.metadata.attachments[${i}]`)}: is not an object`);
        continue;
      }
      const fileId = pointerToId(a.id);
      if (!fileId) {
        this.problem(`${at(key, `.metadata.attachments[${i}].id`)}: ${JSON.stringify(String(a.id).slice(0, 80))} is not a file id`);
        continue;
      }
      const rawName = str(a.name);
      const mime = str(a.mime_type);
      const ref = blankRef(mime?.startsWith('video/') ? 'video' : 'upload', this.conversationId, messageId, createTime);
      ref.fileId = fileId;
      ref.libraryFileId = pointerToId(a.library_file_id);
      ref.fileName = rawName ? basename(rawName.replace(/\\/g, '/')) || null : null;
      ref.mimeType = mime;
      ref.size = num(a.size);
      ref.width = num(a.width);
      ref.height = num(a.height);
      this.add(ref, key, null, false);
    }
  }

  /**
   * `metadata.content_references[]` entries of `type: "file"` (2026): citations of a file, usually an upload
   * the conversation already lists. Kept aside and added after the pass only when nothing else names the id,
   * so seventeen citations of one PDF stay one upload.
   */
  private fileReferences(key: string, messageId: string, createTime: number | null, list: unknown[]): void {
    for (let i = 0; i < list.length; i++) {
      const r = obj(list[i]);
      if (!r || r.type !== 'file') continue;
      const fileId = pointerToId(r.file_id) ?? pointerToId(r.id) ?? pointerToId(r.asset_pointer) ?? pointerToId(r.library_file_id);
      if (!fileId) {
        this.problem(`${at(key, `.metadata.content_references[${i}]`)}: a file reference without a file id (skipped)`);
        continue;
      }
      const ref = blankRef('upload', this.conversationId, messageId, createTime);
      ref.fileId = fileId;
      ref.fileName = str(r.name) ?? str(r.title);
      ref.mimeType = str(r.mime_type);
      this.citedFiles.push({ key, ref });
    }
  }

  /**
   * A voice recording (`audio_asset_pointer`, alone or inside `real_time_user_audio_video_asset_pointer`) or
   * the video container of a live session: one identity per file id, with the date the backend deletes it.
   */
  private mediaPointer(key: string, p: number, inner: string, messageId: string, createTime: number | null, kind: 'audio' | 'video', part: Obj): void {
    const fileId = pointerToId(part.asset_pointer);
    if (!fileId) {
      this.problem(`${at(key, `${partPath(p)}${inner}.asset_pointer`)}: ${JSON.stringify(String(part.asset_pointer).slice(0, 80))} has no file id`);
      return;
    }
    const type = this.mediaType(kind, str(part.format));
    const ref = blankRef(kind, this.conversationId, messageId, createTime);
    ref.fileId = fileId;
    ref.mimeType = type.mimeType;
    ref.size = num(part.size_bytes);
    ref.expiresAt = this.expiry(part.expiry_datetime);
    ref.fileName = `${kind === 'audio' ? 'voice' : 'video'}-${fileId}.${type.ext}`;
    this.add(ref, key, null, false);
  }

  /** A recording's MIME type and file extension from its `format`, worked out once per format (every recording repeats it). */
  private mediaType(kind: 'audio' | 'video', format: string | null): { mimeType: string | null; ext: string } {
    const cache = this.mediaTypes[kind];
    let type = cache.get(format);
    if (type === undefined) {
      const mimeType = format ? `${kind}/${format === 'mp3' ? 'mpeg' : format}` : null;
      type = { mimeType, ext: extensionFor(mimeType) ?? format ?? (kind === 'audio' ? 'wav' : 'mp4') };
      // Formats come from the JSON: a hostile one cannot grow the cache without bound.
      if (cache.size < 64) cache.set(format, type);
    }
    return type;
  }

  /** `expiry_datetime` in seconds; the parsed date is kept for the next pointer, which usually repeats it (one message's recordings share it). */
  private expiry(value: unknown): number | null {
    if (value !== this.lastExpiryValue) {
      this.lastExpiryValue = value;
      this.lastExpirySeconds = epochSeconds(value);
    }
    return this.lastExpirySeconds;
  }

  /** A deep research report (docs/CHATGPT.md 4.6): the widget's state, or a 2025 `deepresch_` text message. */
  private research(key: string, messageId: string, createTime: number | null, role: string | null, content: unknown, parts: unknown[] | null, meta: Obj): void {
    let report: ResearchReport | null = null;
    const sdk = obj(meta.chatgpt_sdk);
    if (role === 'tool' && sdk?.attribution_id === DEEP_RESEARCH) {
      const state = meta.widget_state ?? sdk.widget_state ?? obj(meta.tool_response_metadata)?.venus_widget_state;
      report = reportFromWidgetState(state);
      if (!report) this.problem(`${at(key, '.metadata.widget_state')}: a deep research widget without a readable report (skipped)`);
    } else if (role === 'assistant' && typeof meta.async_task_id === 'string' && meta.async_task_id.startsWith('deepresch_')) {
      const text = parts && typeof parts[0] === 'string' ? parts[0] : typeof obj(content)?.text === 'string' ? (obj(content)!.text as string) : null;
      if (text) report = reportFromMessage(text, meta);
    }
    if (!report) return;
    const ref = blankRef('research', this.conversationId, messageId, createTime);
    ref.fileName = `${slugify(report.title ?? str(meta.async_task_title) ?? '') || 'research-report'}.md`;
    ref.mimeType = 'text/markdown';
    ref.text = report.markdown;
    this.add(ref, key, null, false);
  }

  private sandboxLinks(key: string, messageId: string, createTime: number | null, text: string): void {
    for (const raw of extractSandboxTargets(text)) {
      const path = normaliseSandboxPath(raw);
      if (!path) {
        this.problem(`${at(key, '.content.parts')}: unusable sandbox link ${JSON.stringify(raw.slice(0, 80))}`);
        continue;
      }
      let seen = this.sandbox.get(path);
      if (!seen) this.sandbox.set(path, (seen = []));
      // The same message linking the same path twice is one occurrence.
      if (seen.some((s) => s.key === key)) continue;
      const ref = blankRef('sandbox-file', this.conversationId, messageId, createTime);
      ref.fileName = basename(path);
      ref.sandboxPath = path;
      seen.push({ key, order: this.order++, ref });
    }
  }

  private indexPython(key: string, messageId: string, content: unknown, agg: Obj | null): void {
    const pieces: string[] = [];
    const c = obj(content);
    if (typeof c?.text === 'string') pieces.push(c.text);
    if (agg) {
      if (typeof agg.final_expression_output === 'string') pieces.push(agg.final_expression_output);
      if (typeof agg.code === 'string') pieces.push(agg.code);
    }
    if (pieces.length === 0) return;
    const entry = { key, messageId, texts: pieces };
    this.python.push(entry);
    this.pythonByKey.set(key, entry);
  }

  private add(ref: ArtifactRef, key: string, titleHint: string | null, wantsPrompt: boolean): void {
    const id = foundKey(ref);
    if (id === null) return;
    const prev = this.found.get(id);
    if (!prev) {
      this.found.set(id, { ref, key, firstKey: key, moreKeys: null, titleHint, wantsPrompt });
      return;
    }
    seenAgain(prev, key);
    // A generated image or chart beats an upload with the same id: its node carries the generation data.
    if (prev.ref.kind === 'upload' && ref.kind !== 'upload') {
      const older = prev.ref;
      prev.ref = ref;
      prev.key = key;
      prev.wantsPrompt = wantsPrompt;
      fillNulls(prev.ref, older);
    } else {
      fillNulls(prev.ref, ref);
      if (prev.ref.prompt !== null) prev.wantsPrompt = false;
    }
    prev.titleHint ??= titleHint;
  }

  // ---- after the pass ----

  /** Canvas documents rebuilt from their create/update calls: the latest text, earlier versions kept. */
  canvases(): void {
    const resultOf = (key: string) => {
      const children = this.node(key)?.children;
      if (Array.isArray(children)) {
        for (const c of children) {
          const canvas = typeof c === 'string' ? this.canvasResults.get(c) : undefined;
          if (canvas) return { key: c as string, canvas };
        }
      }
      // Nodes without `children` (slim 2026 shards): the tool message whose parent is the call.
      for (const [k, canvas] of this.canvasResults) if (this.parentKey(k) === key) return { key: k, canvas };
      return null;
    };
    const docs = rebuildCanvases(this.canvasCalls, resultOf, (key, reason) => this.problem(`${at(key, '.content')}: ${reason}`));
    for (const doc of docs) {
      const { ext, mime } = canvasFileType(doc.type);
      const stem = slugify(doc.title ?? '') || 'canvas';
      const n = doc.versions.length;
      // The document itself holds the latest text; each earlier version is an artifact of its own
      // (`<textdoc id>@v<n>`), so a later update never loses the text it replaced.
      doc.versions.forEach((v, i) => {
        const latest = i === n - 1;
        const textdocId = latest ? doc.textdocId : `${doc.textdocId}@v${i + 1}`;
        const ref = {
          kind: 'canvas', conversationId: this.conversationId, messageId: str(this.message(v.key)?.id) ?? v.key, fallbackMessageId: null,
          fileId: null, genId: null, prompt: null, seed: null, fileName: latest ? `${stem}.${ext}` : `${stem} (v${i + 1}).${ext}`,
          sandboxPath: null, mimeType: mime, size: null, width: null, height: null, createTime: v.createTime, onCurrentPath: false,
          expiresAt: null, textdocId, libraryFileId: null,
          [BUILD_TEXT]: v.text,
        } as ArtifactRef & { [BUILD_TEXT]: () => string | null };
        // Built when read (saving it), not during the walk.
        Object.defineProperty(ref, 'text', CANVAS_TEXT);
        this.canvasVersions.set(textdocId, { ref, key: v.key, firstKey: v.key, moreKeys: null, titleHint: doc.title, wantsPrompt: false });
      });
    }
  }

  /**
   * Keys on the visible thread: `current_node` and its ancestors. Null when every node is on it: when there is
   * no usable current node, and when the thread holds all `nodeCount` nodes (a conversation without branches,
   * the usual case, needs no set of its keys).
   */
  currentPath(currentNode: unknown, nodeCount: number): Set<string> | null {
    const start = str(currentNode);
    if (!start) {
      this.problem('current_node is missing; every node is treated as on the current path');
      return null;
    }
    if (!this.node(start)) {
      this.problem(`current_node ${start} is not in mapping; every node is treated as on the current path`);
      return null;
    }
    const chain: string[] = [];
    let k = start;
    let node = this.node(start);
    while (node) {
      // More steps than nodes: the parent links loop, and the walk with a set finds where.
      if (chain.length === nodeCount) return this.pathWithCycle(start);
      chain.push(k);
      const parent = str(node.parent);
      if (parent === null) break;
      node = this.node(parent);
      if (!node) this.problem(`${at(k, '', true)}.parent: ${parent} is not in mapping`);
      k = parent;
    }
    // Distinct mapping keys, as many as the mapping has: every node is on the thread.
    return chain.length === nodeCount ? null : new Set(chain);
  }

  /** `currentPath` of parent links that loop: the keys up to the first one seen twice, which the problem names. */
  private pathWithCycle(start: string): Set<string> {
    const path = new Set<string>();
    let k = start;
    let node = this.node(start);
    while (node && !path.has(k)) {
      path.add(k);
      const parent = str(node.parent);
      if (parent === null) break;
      node = this.node(parent);
      k = parent;
    }
    this.problem(`cycle in parent links at node ${k}`);
    return path;
  }

  /** Nearest create_time: ancestors first (the code message before an image_gen tool message), then children. */
  neighbourTime(key: string): number | null {
    let k = this.parentKey(key);
    for (let step = 0; k !== null && step < NEIGHBOUR_STEPS; step++) {
      const t = num(this.message(k)?.create_time);
      if (t !== null) return t;
      k = this.parentKey(k);
    }
    k = key;
    for (let step = 0; step < NEIGHBOUR_STEPS; step++) {
      const children = this.node(k)?.children;
      if (!Array.isArray(children)) break;
      const next = str(children[0]);
      if (next === null) break;
      const t = num(this.message(next)?.create_time);
      if (t !== null) return t;
      k = next;
    }
    return null;
  }

  /**
   * The `prompt` key of the JSON an assistant message sent to the image tool just before this node
   * (`dalle.text2im` in 2023–2025, the `t2uay3k.sj1i4kz` code message in 2025–2026), or null.
   */
  precedingPrompt(key: string): string | null {
    let k = this.parentKey(key);
    for (let step = 0; k !== null && step < NEIGHBOUR_STEPS; step++) {
      const m = this.message(k);
      const role = str(obj(m?.author)?.role);
      if (role === 'user') return null;
      if (role === 'assistant' && m) {
        const c = obj(m.content);
        const text = typeof c?.text === 'string' ? c.text : Array.isArray(c?.parts) && typeof c.parts[0] === 'string' ? c.parts[0] : null;
        if (text !== null && text.length < 200_000 && text.trimStart().startsWith('{')) {
          try {
            const parsed: unknown = JSON.parse(text);
            const prompt = isObj(parsed) ? str(parsed.prompt) : null;
            if (prompt) return prompt;
          } catch {
            // Not JSON (a normal reply): keep looking further up only through tool messages.
          }
        }
        return null;
      }
      k = this.parentKey(k);
    }
    return null;
  }

  /** The python tool message whose output or code mentions `path`: same turn first, then anywhere. */
  pythonFallback(assistantKey: string, path: string): string | null {
    const base = basename(path);
    let k = this.parentKey(assistantKey);
    const seen = new Set<string>();
    while (k !== null && !seen.has(k)) {
      seen.add(k);
      const py = this.pythonByKey.get(k);
      if (py && (mentions(py, path) || mentions(py, base))) return py.messageId;
      if (str(obj(this.message(k)?.author)?.role) === 'user') break;
      k = this.parentKey(k);
    }
    // Files made in an earlier turn and linked later: the last python message naming the full path.
    let budget = FALLBACK_SCAN_BUDGET;
    for (let i = this.python.length - 1; i >= 0 && budget > 0; i--) {
      const py = this.python[i]!;
      for (const t of py.texts) budget -= t.length;
      if (mentions(py, path)) return py.messageId;
    }
    return null;
  }
}

/**
 * The key of `walk.found`: the artifact's identity (`artifactIdentity`), except that a file id stands for
 * itself. File ids never contain `:`, so they meet no other identity; building `file:<id>` for every ref and
 * hashing it was a fifth of a voice-heavy walk.
 */
function foundKey(ref: ArtifactRef): string | null {
  if (ref.fileId && ref.kind !== 'sandbox-file' && ref.kind !== 'canvas' && ref.kind !== 'research') return ref.fileId;
  return artifactIdentity(ref);
}

/** Every node key and message id, each once, in mapping order (a node's key, then its message's id). */
function keysAndMessageIds(mapping: Obj, keys: string[]): string[] {
  const ids = new Set<string>();
  for (const key of keys) {
    ids.add(key);
    const messageId = str(obj(obj(mapping[key])?.message)?.id);
    if (messageId) ids.add(messageId);
  }
  return [...ids];
}

function seenAgain(f: Found, key: string): void {
  if (f.moreKeys) f.moreKeys.push(key);
  else f.moreKeys = [key];
}

function fillNulls(target: ArtifactRef, from: ArtifactRef): void {
  if (target.fileId === null) target.fileId = from.fileId;
  if (target.genId === null) target.genId = from.genId;
  if (target.prompt === null) target.prompt = from.prompt;
  if (target.seed === null) target.seed = from.seed;
  if (target.fileName === null) target.fileName = from.fileName;
  if (target.mimeType === null) target.mimeType = from.mimeType;
  if (target.size === null) target.size = from.size;
  if (target.width === null) target.width = from.width;
  if (target.height === null) target.height = from.height;
  if (target.createTime === null) target.createTime = from.createTime;
  target.expiresAt ??= from.expiresAt ?? null;
  target.libraryFileId ??= from.libraryFileId ?? null;
}

/** Walks one conversation JSON. Never throws. */
export function walkConversation(conv: unknown, opts: WalkOptions = {}): WalkResult {
  try {
    return walkUnsafe(conv, opts);
  } catch (err) {
    // Defensive: a bug here must not break capture of other conversations.
    return {
      conversationId: opts.conversationId ?? null,
      title: null,
      updateTime: null,
      gizmoId: null,
      refs: [],
      problems: [`walker failed: ${err instanceof Error ? err.message : String(err)}`],
      nodeIds: [],
      imagesPending: 0,
    };
  }
}

function walkUnsafe(conv: unknown, opts: WalkOptions): WalkResult {
  if (!isObj(conv)) {
    return { conversationId: opts.conversationId ?? null, title: null, updateTime: null, gizmoId: null, refs: [], problems: ['conversation is not a JSON object'], nodeIds: [], imagesPending: 0 };
  }
  const ownId = str(conv.conversation_id) ?? str(conv.id);
  const conversationId = str(opts.conversationId) ?? ownId;
  const title = typeof conv.title === 'string' ? conv.title : null;
  const updateTime = epochSeconds(conv.update_time);
  const gizmo = str(conv.gizmo_id);
  const gizmoId = gizmo !== null && gizmo.length <= 200 ? gizmo : null;
  const problems: string[] = [];
  if (ownId && conversationId && ownId !== conversationId) {
    problems.push(`conversation_id ${ownId} differs from the expected ${conversationId}; using the expected id`);
  }
  const mapping = conv.mapping;
  if (!isObj(mapping)) {
    problems.push('mapping is missing or not an object');
    return { conversationId, title, updateTime, gizmoId, refs: [], problems, nodeIds: [], imagesPending: 0 };
  }
  if (!conversationId) {
    problems.push('no conversation id (conversation_id, id or opts.conversationId); no refs reported');
    return { conversationId: null, title, updateTime, gizmoId, refs: [], problems, nodeIds: [], imagesPending: 0 };
  }

  const walk = new Walk(conversationId, mapping);
  walk.problems.push(...problems);

  const keys = Object.keys(mapping);
  // A message id is normally its node's key: then the keys are every id, and no set of them is built.
  let idsDiffer = false;
  for (const key of keys) {
    const node = mapping[key];
    if (!isObj(node)) {
      walk.problem(`${at(key, '', true)}: is not an object`);
      continue;
    }
    const msg = node.message;
    if (msg === null || msg === undefined) continue;
    if (!isObj(msg)) {
      walk.problem(`${at(key, '')}: is not an object`);
      continue;
    }
    const messageId = str(msg.id);
    if (messageId && messageId !== key) idsDiffer = true;
    walk.scan(key, msg);
  }

  const path = walk.currentPath(conv.current_node, keys.length);
  // The visible thread ends with a call to the image tool: its result is still on its way.
  const last = typeof conv.current_node === 'string' ? walk.message(conv.current_node) : null;
  if (last && IMAGE_TOOLS.has(last.recipient)) walk.imagesPending++;
  const onPath = (f: Found): boolean => {
    if (path === null || path.has(f.firstKey)) return true;
    if (f.moreKeys) for (const k of f.moreKeys) if (path.has(k)) return true;
    return false;
  };

  // Citations of a file fold into the upload the conversation already lists; others are uploads of their own.
  for (const c of walk.citedFiles) {
    const id = foundKey(c.ref);
    const same = id === null ? undefined : walk.found.get(id);
    if (same) seenAgain(same, c.key);
    else if (id !== null) walk.found.set(id, { ref: c.ref, key: c.key, firstKey: c.key, moreKeys: null, titleHint: null, wantsPrompt: false });
  }
  if (walk.canvasCalls.length > 0) walk.canvases();

  const refs: ArtifactRef[] = [];
  // Titles repeat across refs (every chart of a conversation shares its title): slugify each once.
  const slugs = new Map<string, string>();
  const slugOf = (s: string): string => {
    let v = slugs.get(s);
    if (v === undefined) slugs.set(s, (v = slugify(s)));
    return v;
  };
  const finish = (f: Found): void => {
    const ref = f.ref;
    ref.onCurrentPath = onPath(f);
    if (ref.createTime === null) ref.createTime = walk.neighbourTime(f.key);
    if (f.wantsPrompt && ref.prompt === null) ref.prompt = walk.precedingPrompt(f.key) ?? f.titleHint;
    if (ref.fileName === null) {
      const id = ref.fileId ?? ref.genId ?? '';
      const stem = slugOf(f.titleHint ?? title ?? '') || ref.kind;
      // Generated images and charts are PNG or WebP: `.png` when the type is unknown.
      const ext = extensionFor(ref.mimeType) ?? 'png';
      ref.fileName = ref.kind === 'upload' ? `upload-${id}.${ext}` : `${stem}-${id}.${ext}`;
    }
    refs.push(ref);
  };
  // forEach, not for-of: an iterator result object per ref was a tenth of a voice-heavy walk's garbage.
  walk.found.forEach(finish);
  walk.canvasVersions.forEach(finish);

  for (const seen of walk.sandbox.values()) {
    // One ref per path. Its message is the link on the visible thread if any, else the latest one.
    for (const s of seen) s.ref.onCurrentPath = path === null || path.has(s.key);
    let best = seen[0]!;
    for (const s of seen) {
      if (s.ref.onCurrentPath !== best.ref.onCurrentPath) {
        if (s.ref.onCurrentPath) best = s;
        continue;
      }
      if ((s.ref.createTime ?? -Infinity) > (best.ref.createTime ?? -Infinity) || ((s.ref.createTime ?? -Infinity) === (best.ref.createTime ?? -Infinity) && s.order > best.order)) best = s;
    }
    const ref = best.ref;
    if (ref.createTime === null) ref.createTime = walk.neighbourTime(best.key);
    ref.fallbackMessageId = walk.pythonFallback(best.key, ref.sandboxPath!);
    refs.push(ref);
  }

  const nodeIds = idsDiffer ? keysAndMessageIds(mapping, keys) : keys;
  return { conversationId, title, updateTime, gizmoId, refs, problems: walk.finishProblems(), nodeIds, imagesPending: walk.imagesPending };
}
