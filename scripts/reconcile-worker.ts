/** A worker thread of the reconcile CLI: parses and walks the conversations it is sent (scripts/reconcile-batch.ts). */
import { parentPort } from 'node:worker_threads';
import { walkBatch } from './reconcile-batch.ts';

/** A batch comes as one buffer and where each conversation in it ends; labels when it is also rendered. */
parentPort!.on('message', (msg: { id: number; bytes: Uint8Array; ends: Uint32Array; labels?: string[] }) => {
  const { outcomes, prepared } = walkBatch(msg.bytes, msg.ends, msg.labels);
  parentPort!.postMessage({ id: msg.id, outcomes, prepared }, prepared ? [prepared.buffer as ArrayBuffer] : []);
});
