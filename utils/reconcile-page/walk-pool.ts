/**
 * The reconcile worker's parse pool: conversations are decoded, parsed and walked in nested workers
 * (`walk-worker.ts`) while the reconcile worker inflates, checks and splits the next ones, as the CLI does
 * with its worker threads. Inline, one thread did all of it and the page took ~1.9x the CLI on a 1 GB
 * export (docs/ARCHITECTURE.md, "Reconciliation in the library page").
 */
import type { WalkOutcome, WalkPool } from '@/utils/reconcile';
import type { WalkReply, WalkRequest } from './walk-worker';

export interface PageWalkPool extends WalkPool {
  /** Ends the workers (what they were sent and has not come back fails). */
  close(): void;
}

/**
 * Two parse workers where the browser reports two cores or more (the reconcile worker's own inflate and
 * split keep a third thread busy part of the time, as in the CLI); null on one core or where workers
 * cannot start workers, and the reconcile worker parses inline.
 */
export function pageWalkPool(cores = navigator.hardwareConcurrency || 1): PageWalkPool | null {
  if (cores < 2 || typeof Worker === 'undefined') return null;
  const slots: { worker: Worker; pending: number }[] = [];
  const waiting = new Map<number, { resolve: (o: WalkOutcome[]) => void; reject: (e: Error) => void; slot: (typeof slots)[number] }>();
  let nextId = 0;
  let failed: Error | null = null;
  const fail = (error: Error) => {
    failed ??= error;
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  };
  try {
    for (let i = 0; i < 2; i++) {
      const worker = new Worker(new URL('./walk-worker.ts', import.meta.url), { type: 'module' });
      const slot = { worker, pending: 0 };
      worker.onmessage = (e: MessageEvent<WalkReply>) => {
        const w = waiting.get(e.data.id);
        if (!w) return;
        waiting.delete(e.data.id);
        slot.pending--;
        if ('error' in e.data) w.reject(new Error(e.data.error));
        else w.resolve(e.data.outcomes);
      };
      worker.onerror = (e) => fail(new Error(`A parse worker failed: ${e.message || 'it could not start'}`));
      slots.push(slot);
    }
  } catch {
    for (const s of slots) s.worker.terminate();
    return null;
  }
  return {
    walk(bytes, ends) {
      if (failed) return Promise.reject(failed);
      let slot = slots[0]!;
      for (const s of slots) if (s.pending < slot.pending) slot = s;
      slot.pending++;
      const id = nextId++;
      return new Promise<WalkOutcome[]>((resolve, reject) => {
        waiting.set(id, { resolve, reject, slot });
        // Transferred, not copied: the batch is one buffer made for this message.
        slot.worker.postMessage({ id, bytes, ends } satisfies WalkRequest, [bytes.buffer, ends.buffer]);
      });
    },
    close() {
      for (const s of slots) s.worker.terminate();
      fail(new Error('The parse workers were closed.'));
    },
  };
}
