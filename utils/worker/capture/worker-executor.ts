/**
 * The queue's first choice: downloads done by the background worker itself (resolution and bytes), so no
 * byte and no base64 crosses a ChatGPT page. A failure that means the backend will not serve the worker
 * comes back as `refused`, and the queue gives the job to a tab instead (utils/worker/capture/queue.ts).
 */
import { ByteSink } from './byte-sink';
import { toFailure } from '@/utils/chatgpt/net/failure';
import { fetchArtifact, type JobSpec } from '@/utils/chatgpt/net/fetcher';
import type { Executor, ExecutorResult } from './queue';
import { refusesWorker, type WorkerNet } from '@/utils/chatgpt/net/worker-net';

export class WorkerExecutor implements Executor {
  readonly id = 'worker';
  /** Not tied to a tab: any conversation. */
  conversationId: string | null = null;

  constructor(private readonly net: WorkerNet) {}

  async run(spec: JobSpec): Promise<ExecutorResult> {
    const ctx = this.net.context(spec.origin, spec.account, spec.paced === true);
    const sink = new ByteSink(ctx.maxFileBytes);
    try {
      const file = await fetchArtifact(spec, ctx, sink);
      return { ok: true, file, bytes: sink.bytes() };
    } catch (err) {
      const failure = toFailure(err);
      return refusesWorker(failure) ? { ok: false, refused: true, failure } : { ok: false, failure };
    }
  }
}
