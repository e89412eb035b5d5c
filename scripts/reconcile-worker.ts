/** A worker thread of the reconcile CLI: parses and walks the conversations it is sent (utils/reconcile/walk-task.ts). */
import { parentPort } from 'node:worker_threads';
import { walkBytes } from '../utils/reconcile/walk-task.ts';
import { nodeUtf8Decode } from './reconcile-decode.ts';

parentPort!.on('message', (msg: { id: number; batch: Uint8Array[] }) => {
  parentPort!.postMessage({ id: msg.id, outcomes: msg.batch.map((bytes) => walkBytes(bytes, nodeUtf8Decode)) });
});
