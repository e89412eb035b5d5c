/**
 * A parse worker of the reconcile worker (started by `walk-pool.ts`): decodes, parses and walks the
 * conversations of each batch it is sent with the same `walkBytes` as inline, so the outcomes are the same.
 */
import { walkBytes, type WalkOutcome } from '@/utils/reconcile/walk-task';

export interface WalkRequest { id: number; bytes: Uint8Array; ends: Uint32Array }
export type WalkReply = { id: number; outcomes: WalkOutcome[] } | { id: number; error: string };

const scope = self as unknown as { postMessage(m: WalkReply): void; onmessage: ((e: MessageEvent<WalkRequest>) => void) | null };

scope.onmessage = (e) => {
  const { id, bytes, ends } = e.data;
  try {
    const outcomes: WalkOutcome[] = [];
    let start = 0;
    for (const end of ends) {
      outcomes.push(walkBytes(bytes.subarray(start, end)));
      start = end;
    }
    scope.postMessage({ id, outcomes });
  } catch (error) {
    scope.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
};
