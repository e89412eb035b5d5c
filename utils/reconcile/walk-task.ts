/**
 * One conversation's bytes -> what matching needs: decode, `JSON.parse`, `walkConversation`. The same
 * function runs inline or in worker threads (the CLI), so both paths read a conversation identically.
 */
import type { ArtifactRef } from '@/utils/model';
import { walkConversation } from '@/utils/chatgpt/walker';
import { projectIdFromGizmo } from '@/utils/chatgpt/routes';

/** What matching needs of a walker ref; the rest (prompts, sizes, times) would only hold memory. */
export type ExportRef = Pick<ArtifactRef, 'kind' | 'conversationId' | 'messageId' | 'fileId' | 'genId' | 'fileName' | 'sandboxPath'> & {
  /** Canvas documents: part of their identity. */
  textdocId?: string | null;
  /** Uploads from the Library (2026): joins a `library_files.json` row that names only its `libfile_` id. */
  libraryFileId?: string | null;
  /** Generated images only (few, short): the prompt, for the provenance of a file `Fetch missing files` saves. */
  prompt?: string | null;
};

/** A conversation keeps at most this many walker problems for the report; the rest are counted. */
const MAX_KEPT_PROBLEMS = 5;

export type WalkOutcome =
  | {
    ok: true; conversationId: string | null; updateTime: number | null; refs: ExportRef[];
    /** The conversation's project (`g-p-…`), for `Fetch missing files`' project header; null for any other chat. */
    projectGizmoId: string | null;
    /** What the walker could not read or skipped (JSON path and reason), the first few, and how many in all. */
    problems: string[]; problemCount: number; parseMs: number; walkMs: number;
  }
  | { ok: false; reason: string };

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Strict UTF-8 to a string: throws on invalid input and drops a leading byte order mark, as `TextDecoder` does. */
export type Utf8Decode = (bytes: Uint8Array) => string;

const webDecode: Utf8Decode = (bytes) => decoder.decode(bytes);

/** Decode + `JSON.parse` of one conversation: the object, or why it is not one. */
export function parseConversation(bytes: Uint8Array, decode: Utf8Decode = webDecode): { ok: true; conv: object } | { ok: false; reason: string } {
  let conv: unknown;
  try {
    conv = JSON.parse(decode(bytes));
  } catch (error) {
    return { ok: false, reason: `is not valid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  if (typeof conv !== 'object' || conv === null || Array.isArray(conv)) return { ok: false, reason: 'is not a conversation object' };
  return { ok: true, conv };
}

/** What matching keeps of a walk (copied strings, see `fresh`). */
export function outcomeOf(walk: ReturnType<typeof walkConversation>, parseMs: number, walkMs: number): WalkOutcome {
  const conversationId = walk.conversationId === null ? null : fresh(walk.conversationId);
  const refs = walk.refs.map((r): ExportRef => ({
    kind: r.kind, conversationId: conversationId ?? r.conversationId, messageId: fresh(r.messageId), fileId: freshOrNull(r.fileId),
    genId: freshOrNull(r.genId), fileName: freshOrNull(r.fileName), sandboxPath: freshOrNull(r.sandboxPath),
    textdocId: freshOrNull(r.textdocId ?? null), libraryFileId: freshOrNull(r.libraryFileId ?? null),
    ...(r.kind === 'image' && r.prompt ? { prompt: fresh(r.prompt) } : {}),
  }));
  return {
    ok: true, conversationId, updateTime: walk.updateTime, refs, projectGizmoId: projectIdFromGizmo(walk.gizmoId) ? fresh(walk.gizmoId!) : null,
    problems: walk.problems.slice(0, MAX_KEPT_PROBLEMS).map(fresh), problemCount: walk.problems.length, parseMs, walkMs,
  };
}

/** `decode` may be a faster platform decoder with the same results (the CLI's worker uses node:buffer). */
export function walkBytes(bytes: Uint8Array, decode: Utf8Decode = webDecode): WalkOutcome {
  const t0 = performance.now();
  const parsed = parseConversation(bytes, decode);
  if (!parsed.ok) return parsed;
  const t1 = performance.now();
  const walk = walkConversation(parsed.conv);
  return outcomeOf(walk, t1 - t0, performance.now() - t1);
}

/**
 * Runs `walkBytes` elsewhere (worker threads in the CLI, nested workers in the page) so parsing overlaps
 * splitting and inflating on another core: a batch of conversations per call (one round trip each), an
 * outcome per conversation in order.
 */
export interface WalkPool {
  /**
   * `bytes` holds the batch's conversations back to back and `ends` where each ends; the pool owns both
   * (it may transfer their buffers). `labels` name each conversation for notes (`<file> item <n>`); a pool
   * that renders keeps them.
   */
  walk(bytes: Uint8Array<ArrayBuffer>, ends: Uint32Array<ArrayBuffer>, labels: string[]): Promise<WalkOutcome[]>;
}

/**
 * A copy of `s` that owns its characters. V8 may give substrings of the parsed text as slices that keep
 * the whole conversation text alive; what is kept after the walk must not pin those megabytes.
 */
function fresh(s: string): string {
  return s.length === 0 ? s : (` ${s}`).slice(1);
}
const freshOrNull = (s: string | null) => (s === null ? null : fresh(s));
