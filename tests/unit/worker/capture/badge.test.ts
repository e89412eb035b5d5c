import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { badgeRefresher, updateBadge } from '@/utils/worker/capture/badge';
import type { ConversationStatus } from '@/utils/messaging';

const status = (saved: number, pending: number, expired: number, failed: number, conversationId: string | null = 'c1'): ConversationStatus => ({
  conversationId, title: 'T', counts: { saved, pending, expired, failed }, queued: pending,
});

/** The fake browser stores badge colours as [r, g, b, a], the way Chrome reports them. */
const rgba = (hex: string): number[] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).concat(255);
const GREEN = rgba('#15803d');
const GREY = rgba('#4b5563');
const AMBER = rgba('#b45309');
const RED = rgba('#b91c1c');
const TAB = 7;

/** What the toolbar shows for the tab after `updateBadge`. */
async function shown(s: ConversationStatus, storageFull = false): Promise<{ text: string; color: number[]; title: string }> {
  await updateBadge(TAB, s, storageFull);
  return {
    text: await fakeBrowser.action.getBadgeText({ tabId: TAB }),
    color: await fakeBrowser.action.getBadgeBackgroundColor({ tabId: TAB }),
    title: await fakeBrowser.action.getTitle({ tabId: TAB }),
  };
}

describe('updateBadge', () => {
  it.each([
    // saved, pending, expired, failed -> text, colour
    [0, 0, 0, 0, '', GREEN],
    [3, 0, 0, 0, '3', GREEN],
    [3, 2, 0, 0, '3', GREEN],
    [0, 2, 0, 0, '…', GREY],
    [0, 0, 1, 0, '!', AMBER],
    [0, 0, 0, 1, '!', AMBER],
    [0, 4, 0, 1, '!', AMBER],
    [5, 0, 1, 0, '5!', AMBER],
    [5, 1, 0, 2, '5!', AMBER],
  ])('saved %i pending %i expired %i failed %i -> %j', async (saved, pending, expired, failed, text, color) => {
    expect(await shown(status(saved, pending, expired, failed))).toMatchObject({ text, color });
  });

  it('the title lists only the non-zero counts after the saved count', async () => {
    expect((await shown(status(2, 0, 0, 0))).title).toBe('ChatGPT Artifact Vault: 2 saved');
    expect((await shown(status(0, 1, 2, 3))).title).toBe('ChatGPT Artifact Vault: 0 saved, 1 pending, 2 expired, 3 failed');
    expect((await shown(status(4, 0, 0, 1))).title).toBe('ChatGPT Artifact Vault: 4 saved, 1 failed');
  });

  it('no conversation: empty neutral badge whatever the counts', async () => {
    expect(await shown(status(9, 9, 9, 9, null))).toEqual({ text: '', color: GREY, title: 'ChatGPT Artifact Vault' });
  });

  it('a full vault shows FULL in red over any counts', async () => {
    const full = await shown(status(5, 1, 0, 2), true);
    expect(full).toMatchObject({ text: 'FULL', color: RED });
    expect(full.title).toMatch(/storage full, saving is paused/);
  });

  it('sets only the given tab', async () => {
    await shown(status(3, 0, 0, 0));
    expect(await fakeBrowser.action.getBadgeText({ tabId: TAB + 1 })).toBe('');
  });
});

describe('badgeRefresher', () => {
  afterEach(() => vi.useRealTimers());

  it('refreshes a conversation once per burst of settled files, each conversation on its own', () => {
    vi.useFakeTimers();
    const refreshed: string[] = [];
    const soon = badgeRefresher((id) => refreshed.push(id), 250);
    for (let i = 0; i < 500; i++) soon('c1');
    soon('c2');
    vi.advanceTimersByTime(249);
    expect(refreshed).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(refreshed).toEqual(['c1', 'c2']);
    // A file settling after the refresh gets a refresh of its own.
    soon('c1');
    vi.advanceTimersByTime(250);
    expect(refreshed).toEqual(['c1', 'c2', 'c1']);
  });
});
