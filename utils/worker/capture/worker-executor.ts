/**
 * The queue's first choice: downloads done by the background worker itself (resolution and bytes), so no
 * byte and no base64 crosses a ChatGPT page. A failure that means the backend will not serve the worker
 * comes back as `refused`, and the queue gives the job to a tab instead (utils/worker/capture/queue.ts).
 */
import { ByteSink } from './byte-sink';
import { fetchArtifact, type JobSpec } from '@/utils/chatgpt/net/fetcher';
import type { Executor, ExecutorResult } from './queue';
import type { WorkerNet } from '@/utils/chatgpt/net/worker-net';
import { attemptInWorker } from '@/utils/worker/worker-or-tab';

export class WorkerExecutor implements Executor {
  readonly id = 'worker';
  /** Not tied to a tab: any conversation. */
  conversationId: string | null = null;

  constructor(private readonly net: WorkerNet) {}

  async run(spec: JobSpec): Promise<ExecutorResult> {
    const ctx = this.net.context(spec.origin, spec.account, spec.paced === true);
    const sink = new ByteSink(ctx.maxFileBytes);
    const attempt = await attemptInWorker(() => fetchArtifact(spec, ctx, sink));
    if (attempt.ok) return { ok: true, file: attempt.value, bytes: sink.bytes() };
    return attempt.refused ? { ok: false, refused: true, failure: attempt.failure } : { ok: false, failure: attempt.failure };
  }
}
