import { describe, expect, it } from 'vitest';
import { badgeFor } from '@/utils/capture/badge';
import type { ConversationStatus } from '@/utils/messaging';

const status = (saved: number, pending: number, expired: number, failed: number, conversationId: string | null = 'c1'): ConversationStatus => ({
  conversationId, title: 'T', counts: { saved, pending, expired, failed }, queued: pending,
});

const GREEN = '#15803d';
const GREY = '#4b5563';
const AMBER = '#b45309';

describe('badgeFor', () => {
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
  ])('saved %i pending %i expired %i failed %i -> %j', (saved, pending, expired, failed, text, color) => {
    expect(badgeFor(status(saved, pending, expired, failed))).toMatchObject({ text, color });
  });

  it('the title lists only the non-zero counts after the saved count', () => {
    expect(badgeFor(status(2, 0, 0, 0)).title).toBe('ChatGPT Artifact Vault: 2 saved');
    expect(badgeFor(status(0, 1, 2, 3)).title).toBe('ChatGPT Artifact Vault: 0 saved, 1 pending, 2 expired, 3 failed');
    expect(badgeFor(status(4, 0, 0, 1)).title).toBe('ChatGPT Artifact Vault: 4 saved, 1 failed');
  });

  it('no conversation: empty neutral badge whatever the counts', () => {
    expect(badgeFor(status(9, 9, 9, 9, null))).toEqual({ text: '', color: GREY, title: 'ChatGPT Artifact Vault' });
  });
});
