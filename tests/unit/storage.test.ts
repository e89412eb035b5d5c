import { describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { captureKinds } from '@/utils/storage';

describe('captureKinds', () => {
  it('choices saved under version 1 keep their values and gain the new kinds, on', async () => {
    fakeBrowser.reset();
    await fakeBrowser.storage.local.set({ captureKinds: { image: false, chart: true, 'sandbox-file': true, upload: true }, captureKinds$: { v: 1 } });
    await captureKinds.migrate();
    expect(await captureKinds.getValue()).toEqual({
      image: false, chart: true, 'sandbox-file': true, upload: true, audio: true, video: true, canvas: true, research: true,
    });
  });
});
