/**
 * One conversation's bytes -> what matching needs: decode, `JSON.parse`, `walkConversation`. The same
 * function runs inline or in worker threads (the CLI), so both paths read a conversation identically.
 */
import type { ArtifactRef } from '@/utils/model';
import { walkConversation } from '@/utils/chatgpt/walker';

/** What matching needs of a walker ref; the rest (prompts, sizes, times) would only hold memory. */
export type ExportRef = Pick<ArtifactRef, 'kind' | 'conversationId' | 'messageId' | 'fileId' | 'genId' | 'fileName' | 'sandboxPath'>;

export type WalkOutcome =
  | { ok: true; conversationId: string | null; updateTime: number | null; refs: ExportRef[]; hadProblems: boolean; parseMs: number; walkMs: number }
  | { ok: false; reason: string };

const decoder = new TextDecoder('utf-8', { fatal: true });

export function walkBytes(bytes: Uint8Array): WalkOutcome {
  const t0 = performance.now();
  let conv: unknown;
  try {
    conv = JSON.parse(decoder.decode(bytes));
  } catch (error) {
    return { ok: false, reason: `is not valid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  if (typeof conv !== 'object' || conv === null || Array.isArray(conv)) return { ok: false, reason: 'is not a conversation object' };
  const t1 = performance.now();
  const walk = walkConversation(conv);
  const refs = walk.refs.map((r): ExportRef => ({
    kind: r.kind, conversationId: r.conversationId, messageId: r.messageId, fileId: r.fileId, genId: r.genId, fileName: r.fileName,
    sandboxPath: r.sandboxPath,
  }));
  return {
    ok: true, conversationId: walk.conversationId, updateTime: walk.updateTime, refs, hadProblems: walk.problems.length > 0,
    parseMs: t1 - t0, walkMs: performance.now() - t1,
  };
}

/**
 * Runs `walkBytes` elsewhere (worker threads in the CLI) so parsing overlaps splitting and inflating on
 * another core. `walk` may take ownership of `bytes` (transfer its buffer).
 */
export interface WalkPool {
  walk(bytes: Uint8Array): Promise<WalkOutcome>;
}
