import { afterEach, describe, expect, it } from 'vitest';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { BackupProgress } from '@/components/BackupProgress';
import type { BackupStatus } from '@/utils/messaging';

const containers: HTMLElement[] = [];
afterEach(() => {
  for (const c of containers.splice(0)) {
    render(null, c);
    c.remove();
  }
});

const NOW = 1_800_000_000_000;
function status(over: Partial<BackupStatus>): BackupStatus {
  return {
    runId: 'everything', scope: 'everything', conversationId: null, state: 'running', phase: 'conversations', step: 'Reading conversation 3 of 9',
    value: 2, max: 9, pausedUntil: null, filesPending: 0, startedAt: NOW - 1000, finishedAt: null, failures: [], workspace: false,
    counts: { listed: 9, read: 2, skipped: 0, failed: 0, imagesListed: 0, imagesOnlyInLibrary: 0, queued: 0, saved: 0, expired: 0, filesFailed: 0, alreadySaved: 0 },
    ...over,
  };
}

async function mount(s: BackupStatus): Promise<HTMLElement> {
  const c = document.createElement('div');
  document.body.append(c);
  containers.push(c);
  await act(() => {
    render(<BackupProgress status={s} now={() => NOW} />, c);
  });
  return c;
}

describe('BackupProgress: the rate-limit pause', () => {
  it.each([
    [30_000, 'next request in 30 s'],
    // The longest pause a Retry-After buys (10 minutes), in minutes.
    [600_000, 'next request in 10 min 0 s'],
  ])('a pause of %i ms shows "%s"', async (ms, text) => {
    const root = await mount(status({ pausedUntil: NOW + ms }));
    expect(root.querySelector('[data-testid="backup-countdown"]')!.textContent).toBe(`ChatGPT is rate limiting: ${text}`);
  });
});

describe('BackupProgress: time left at ChatGPT\'s pace', () => {
  it.each([
    [(3 * 60 + 20) * 60_000 + 90_000, "About 3 h 20 min left at ChatGPT's pace"],
    [42 * 60_000, "About 42 min left at ChatGPT's pace"],
    [20_000, "Less than a minute left at ChatGPT's pace"],
    [2 * 3_600_000, "About 2 h left at ChatGPT's pace"],
  ])('%i ms left shows "%s"', async (ms, text) => {
    const c = await mount(status({ etaMs: ms }));
    expect(c.querySelector('[data-testid="backup-eta"]')?.textContent).toBe(text);
  });

  it('shows no estimate while it is unknown (still listing) or once the run has ended', async () => {
    expect((await mount(status({ etaMs: null, phase: 'history' }))).querySelector('[data-testid="backup-eta"]')).toBeNull();
    expect((await mount(status({ etaMs: 60_000, state: 'done' }))).querySelector('[data-testid="backup-eta"]')).toBeNull();
  });
});
