import { describe, expect, it, vi } from 'vitest';
import { CaptureLifetime } from '@/utils/content/lifetime';

describe('CaptureLifetime', () => {
  it('runs timers while the extension is there', async () => {
    const life = new CaptureLifetime(() => 'ext-id');
    const fn = vi.fn();
    life.setTimeout(fn, 1);
    await new Promise((r) => setTimeout(r, 10));
    expect(fn).toHaveBeenCalledOnce();
    expect(life.ended()).toBe(false);
  });

  it('ends when the extension is gone (update, reload, uninstall): timers stop, end callbacks run once', async () => {
    let id: string | undefined = 'ext-id';
    const life = new CaptureLifetime(() => id);
    const fn = vi.fn();
    const tick = vi.fn();
    const ended = vi.fn();
    life.onEnd(ended);
    life.setTimeout(fn, 5);
    life.setInterval(tick, 1);
    id = undefined;
    expect(life.ended()).toBe(true);
    expect(life.ended()).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(fn).not.toHaveBeenCalled();
    expect(tick).not.toHaveBeenCalled();
    expect(ended).toHaveBeenCalledOnce();
    expect(life.signal.aborted).toBe(true);
  });

  it('a timer that fires after the extension went away does nothing', async () => {
    let id: string | undefined = 'ext-id';
    const life = new CaptureLifetime(() => id);
    const fn = vi.fn();
    life.setTimeout(fn, 1);
    id = undefined;
    await new Promise((r) => setTimeout(r, 10));
    expect(fn).not.toHaveBeenCalled();
    expect(life.signal.aborted).toBe(true);
  });

  it('a cancelled timer does not fire', async () => {
    const life = new CaptureLifetime(() => 'ext-id');
    const fn = vi.fn();
    life.setTimeout(fn, 1)();
    await new Promise((r) => setTimeout(r, 10));
    expect(fn).not.toHaveBeenCalled();
  });
});
