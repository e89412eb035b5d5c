/**
 * Storage full: when the vault cannot store a file, the queue pauses (a state, not a failed attempt) and
 * this watch decides when to try again. It is run by a periodic alarm (once a minute, never a short poll):
 * it resumes when the browser's estimate shows room for the file that did not fit (plus a margin), and
 * waits longer (up to 30 min) each time a resume found the disk still full, so a wrong estimate costs at
 * most one download now and then.
 */
import type { CaptureQueue, StorageFullState } from './queue';

export const STORAGE_CHECK_ALARM = 'storage-check';
/** Room to keep beyond the file itself (the snapshot and record writes around it). */
const MARGIN_BYTES = 64 * 1024 * 1024;
const FIRST_WAIT_MS = 60_000;
const MAX_WAIT_MS = 30 * 60_000;

type Estimate = () => Promise<{ quota?: number; usage?: number }>;

const browserEstimate: Estimate = () => navigator.storage.estimate();

export class StorageWatch {
  private failedResumes = 0;
  private lastResumeAt = -Infinity;

  constructor(
    private readonly queue: Pick<CaptureQueue, 'storageFullState' | 'resumeAfterStorageFull'>,
    private readonly estimate: Estimate = browserEstimate,
    private readonly now: () => number = Date.now,
  ) {}

  /** The queue paused: a pause right after a resume means the resume came too early. */
  entered(state: StorageFullState): void {
    this.failedResumes = state.since - this.lastResumeAt < MAX_WAIT_MS ? this.failedResumes + 1 : 0;
  }

  /** The periodic check. Returns whether downloads were resumed. */
  async check(): Promise<boolean> {
    const state = this.queue.storageFullState();
    if (!state) return false;
    const wait = Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** this.failedResumes);
    if (this.now() - state.since < wait) return false;
    if (!(await this.hasRoomFor(state.neededBytes))) return false;
    this.lastResumeAt = this.now();
    await this.queue.resumeAfterStorageFull();
    return true;
  }

  private async hasRoomFor(neededBytes: number): Promise<boolean> {
    try {
      const { quota, usage } = await this.estimate();
      // No estimate to go by: trying again once per wait is all we can do.
      if (quota === undefined || usage === undefined) return true;
      return quota - usage >= neededBytes + MARGIN_BYTES;
    } catch {
      return true;
    }
  }
}
