/** A worker thread of the reconcile CLI: parses and walks the conversations it is sent (utils/reconcile/walk-task.ts). */
import { parentPort } from 'node:worker_threads';
import { walkBytes } from '../utils/reconcile/walk-task.ts';
import { nodeUtf8Decode } from './reconcile-decode.ts';

/** A batch comes as one buffer and where each conversation in it ends. */
parentPort!.on('message', (msg: { id: number; bytes: Uint8Array; ends: Uint32Array }) => {
  const outcomes = [];
  let start = 0;
  for (const end of msg.ends) {
    outcomes.push(walkBytes(msg.bytes.subarray(start, end), nodeUtf8Decode));
    start = end;
  }
  parentPort!.postMessage({ id: msg.id, outcomes });
});
