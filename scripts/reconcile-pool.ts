/**
 * Worker threads for the reconcile CLI: conversations are parsed and walked on other cores while the main
 * thread splits the next ones out of the inflating stream (the CPU cost of a 1 GB export is mostly
 * decode + JSON.parse + walk, which would otherwise run after the inflate on one core).
 */
import { Worker } from 'node:worker_threads';
import type { WalkOutcome, WalkPool } from '../utils/reconcile/index.ts';

export interface NodeWalkPool extends WalkPool {
  close(): Promise<void>;
}

export function createWalkPool(size: number): NodeWalkPool {
  const workers: { worker: Worker; pending: number }[] = [];
  const waiting = new Map<number, { resolve: (o: WalkOutcome[]) => void; reject: (e: unknown) => void; w: (typeof workers)[number] }>();
  let nextId = 0;
  for (let i = 0; i < size; i++) {
    // A JS entry that registers tsx: tsx's loader is registered in-process, which workers do not inherit.
    // A smaller old generation makes the worker collect sooner (peak RSS is a target); 512 MB still parses
    // the largest conversations seen (~20 MB of JSON).
    const worker = new Worker(new URL('./reconcile-worker.mjs', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 16 } });
    const slot = { worker, pending: 0 };
    worker.on('message', (m: { id: number; outcomes: WalkOutcome[] }) => {
      const w = waiting.get(m.id);
      if (!w) return;
      waiting.delete(m.id);
      w.w.pending--;
      w.resolve(m.outcomes);
    });
    worker.on('error', (e) => {
      for (const [id, w] of waiting) {
        if (w.w === slot) {
          waiting.delete(id);
          w.reject(e);
        }
      }
    });
    workers.push(slot);
  }
  return {
    walk(batch) {
      let slot = workers[0]!;
      for (const w of workers) if (w.pending < slot.pending) slot = w;
      slot.pending++;
      const id = nextId++;
      return new Promise<WalkOutcome[]>((resolve, reject) => {
        waiting.set(id, { resolve, reject, w: slot });
        // One buffer per message, transferred, not copied: transferring 512 small buffers cost more than
        // copying them into one (a single conversation goes as it is: the splitter made it a fresh buffer).
        const bytes = batch.length === 1 ? batch[0]! : concat(batch);
        const ends = new Uint32Array(batch.length);
        let end = 0;
        batch.forEach((b, i) => (ends[i] = end += b.length));
        slot.worker.postMessage({ id, bytes, ends }, [bytes.buffer as ArrayBuffer, ends.buffer]);
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.worker.terminate()));
    },
  };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
