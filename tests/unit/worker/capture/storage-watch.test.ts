import { describe, expect, it } from 'vitest';
import type { StorageFullState } from '@/utils/worker/capture/queue';
import { StorageWatch } from '@/utils/worker/capture/storage-watch';

const MiB = 1024 * 1024;

function setup(free: { bytes: number }) {
  const clock = { t: 1_000_000 };
  let state: StorageFullState | null = null;
  let resumes = 0;
  const queue = {
    storageFullState: () => state,
    resumeAfterStorageFull: () => {
      resumes++;
      state = null;
      return Promise.resolve();
    },
  };
  const watch = new StorageWatch(queue, () => Promise.resolve({ quota: 10_000 * MiB, usage: 10_000 * MiB - free.bytes }), () => clock.t);
  const fill = (neededBytes: number) => {
    state = { since: clock.t, neededBytes };
    watch.entered(state);
  };
  return { watch, clock, fill, resumes: () => resumes };
}

describe('StorageWatch', () => {
  it('resumes once the estimate shows room for the file that did not fit, not before', async () => {
    const free = { bytes: 10 * MiB };
    const { watch, clock, fill, resumes } = setup(free);
    fill(50 * MiB);
    clock.t += 60_000;
    expect(await watch.check()).toBe(false);
    free.bytes = 200 * MiB;
    expect(await watch.check()).toBe(true);
    expect(resumes()).toBe(1);
    expect(await watch.check()).toBe(false); // nothing paused any more
  });

  it('does nothing in the first minute, and waits longer after each resume that found the disk still full', async () => {
    const free = { bytes: 1_000 * MiB };
    const { watch, clock, fill, resumes } = setup(free);
    fill(1 * MiB);
    expect(await watch.check()).toBe(false);
    clock.t += 60_000;
    expect(await watch.check()).toBe(true);
    // The estimate was wrong: the next write failed again at once.
    fill(1 * MiB);
    clock.t += 60_000;
    expect(await watch.check()).toBe(false);
    clock.t += 60_000;
    expect(await watch.check()).toBe(true);
    expect(resumes()).toBe(2);
  });
});
