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

function status(over: Partial<BackupStatus>): BackupStatus {
  return {
    runId: 'everything', scope: 'everything', conversationId: null, state: 'running', phase: 'conversations', step: 'Starting',
    value: 0, max: 100, pausedUntil: null, filesPending: 0, startedAt: 0, finishedAt: null, failures: [], workspace: false,
    counts: { listed: 100, read: 0, skipped: 0, failed: 0, imagesListed: 0, imagesOnlyInLibrary: 0, queued: 0, saved: 0, expired: 0, filesFailed: 0, alreadySaved: 0 },
    ...over,
  };
}

describe('the backup live region (BackupProgress + LiveAnnouncer)', () => {
  it('is a polite region that hears a few of 40 counter ticks and the result at once', async () => {
    const c = document.createElement('div');
    document.body.append(c);
    containers.push(c);
    const t = 0;
    const said: string[] = [];
    const show = async (s: BackupStatus) => {
      await act(() => render(<BackupProgress status={s} now={() => t} />, c));
      const region = c.querySelector('[data-testid="backup-announce"]')!;
      if (said.at(-1) !== region.textContent) said.push(region.textContent ?? '');
    };
    // No pace given: the component's default (10 s or 10 %), on the real clock; the ticks come within a test's millisecond.
    for (let i = 1; i <= 40; i++) await show(status({ step: `Reading conversation ${i} of 100`, value: i }));
    const region = c.querySelector('[data-testid="backup-announce"]')!;
    expect(region.getAttribute('aria-live')).toBe('polite');
    expect(region.getAttribute('role')).toBe('status');
    expect(c.querySelector('[data-testid="backup-step"]')!.getAttribute('role')).toBeNull();
    // The first, then one per 10 % crossed: 10, 20, 30, 40.
    expect(said).toEqual(['Reading conversation 1 of 100', 'Reading conversation 10 of 100', 'Reading conversation 20 of 100', 'Reading conversation 30 of 100', 'Reading conversation 40 of 100']);
    await show(status({ state: 'done', step: 'Done: 40 conversations read', value: 40 }));
    expect(said.at(-1)).toBe('Done: 40 conversations read');
  });

  it('does not read out a run that had ended before the page opened', async () => {
    const c = document.createElement('div');
    document.body.append(c);
    containers.push(c);
    await act(() => render(<BackupProgress status={status({ state: 'done', step: 'Done: 3 read' })} />, c));
    expect(c.querySelector('[data-testid="backup-announce"]')!.textContent).toBe('');
  });
});
