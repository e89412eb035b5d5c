/**
 * Worker threads for the reconcile CLI: conversations are parsed and walked on other cores while the main
 * thread splits the next ones out of the inflating stream (the CPU cost of a 1 GB export is mostly
 * decode + JSON.parse + walk, which would otherwise run after the inflate on one core).
 */
import { Worker } from 'node:worker_threads';
import type { WalkOutcome, WalkPool } from '../utils/reconcile/index.ts';
import { walkBatch } from './reconcile-batch.ts';

export interface NodeWalkPool extends WalkPool {
  /** Waits for every prepared batch to be handed to `onPrepared`, then ends the workers. */
  close(): Promise<void>;
}

export interface PoolOptions {
  /**
   * The readable archive's CLI: conversations are also prepared for rendering, and each batch's prepared
   * conversations (node:v8 serialized) are handed here in the export's order.
   */
  onPrepared?: (bytes: Uint8Array) => Promise<void>;
}

/** Batches in the order they were sent, each handed to `onPrepared` once it and all before it are back. */
function preparedChain(onPrepared: PoolOptions['onPrepared']) {
  let chain: Promise<void> = Promise.resolve();
  return {
    /** The batch's outcomes once its prepared conversations are handed on (what is in flight stays bounded). */
    add(result: Promise<{ outcomes: WalkOutcome[]; prepared: Uint8Array | null }>): Promise<WalkOutcome[]> {
      if (!onPrepared) return result.then((r) => r.outcomes);
      const link = chain.then(async () => {
        const { outcomes, prepared } = await result;
        if (prepared) await onPrepared(prepared);
        return outcomes;
      });
      chain = link.then(() => undefined);
      chain.catch(() => undefined); // thrown from the batch's own promise and from settle()
      return link;
    },
    settle: () => chain,
  };
}

/** `size` worker threads; 0 runs each batch on the calling thread (one core). */
export function createWalkPool(size: number, opts: PoolOptions = {}): NodeWalkPool {
  const prepared = preparedChain(opts.onPrepared);
  const render = opts.onPrepared !== undefined;
  if (size === 0) {
    return {
      walk(bytes, ends, labels) {
        const result = new Promise<ReturnType<typeof walkBatch>>((resolve) => resolve(walkBatch(bytes, ends, render ? labels : undefined)));
        return prepared.add(result);
      },
      close: () => prepared.settle(),
    };
  }
  type Result = { outcomes: WalkOutcome[]; prepared: Uint8Array | null };
  const workers: { worker: Worker; pending: number }[] = [];
  const waiting = new Map<number, { resolve: (r: Result) => void; reject: (e: unknown) => void; w: (typeof workers)[number] }>();
  let nextId = 0;
  for (let i = 0; i < size; i++) {
    // A JS entry that registers tsx: tsx's loader is registered in-process, which workers do not inherit.
    // A smaller old generation makes the worker collect sooner (peak RSS is a target); 512 MB still parses
    // the largest conversations seen (~20 MB of JSON).
    const worker = new Worker(new URL('./reconcile-worker.mjs', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 16 } });
    const slot = { worker, pending: 0 };
    worker.on('message', (m: { id: number } & Result) => {
      const w = waiting.get(m.id);
      if (!w) return;
      waiting.delete(m.id);
      w.w.pending--;
      w.resolve(m);
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
    walk(bytes, ends, labels) {
      let slot = workers[0]!;
      for (const w of workers) if (w.pending < slot.pending) slot = w;
      slot.pending++;
      const id = nextId++;
      const result = new Promise<Result>((resolve, reject) => {
        waiting.set(id, { resolve, reject, w: slot });
        // One buffer per message, transferred, not copied (transferring 512 small buffers cost more than
        // copying them into one).
        slot.worker.postMessage({ id, bytes, ends, labels: render ? labels : undefined }, [bytes.buffer, ends.buffer]);
      });
      return prepared.add(result);
    },
    async close() {
      try {
        await prepared.settle();
      } finally {
        await Promise.all(workers.map((w) => w.worker.terminate()));
      }
    },
  };
}

