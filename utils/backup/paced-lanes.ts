/**
 * The capture fetcher's lanes (utils/capture/lanes.ts) for a bulk run: every JSON request it makes (file
 * resolutions, interpreter downloads) goes one at a time through the backup's Pacer, so a bulk run never
 * sends two JSON requests at once and a 429 pauses them all; byte downloads from the file host use the
 * worker's byte slots as live capture does. Aborting the run's signal ends a wait for the pacer.
 */
import { RequestLanes } from '@/utils/capture/lanes';
import type { Pacer } from './pacer';

export class PacedLanes extends RequestLanes {
  constructor(
    private readonly pacer: Pacer,
    private readonly byteLane: Pick<RequestLanes, 'bytes'>,
    private readonly signal?: AbortSignal,
  ) {
    // Only the byte slots below are used; these options are never read.
    super({ jsonGapMs: 0, bytesConcurrency: 1 });
  }

  override json<T>(call: () => Promise<T>): Promise<T> {
    return this.pacer.run(call, this.signal);
  }

  override pauseJson(ms: number): void {
    this.pacer.hold(ms);
  }

  override resolve<T>(call: () => Promise<T>): Promise<T> {
    return this.pacer.run(call, this.signal);
  }

  override resolveSucceeded(): void {
    this.pacer.succeeded();
  }

  override resolveRateLimited(retryAfterMs: number | null): number {
    return this.pacer.rateLimited(retryAfterMs);
  }

  override bytes<T>(call: () => Promise<T>): Promise<T> {
    return this.byteLane.bytes(call);
  }
}
