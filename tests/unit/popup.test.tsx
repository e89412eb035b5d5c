import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { Popup } from '@/components/Popup';
import type { BackupStatus, ConversationStatus } from '@/utils/messaging';
import { createPopupApi, type PopupApi } from '@/utils/popup/api';
import { storageFull } from '@/utils/storage';
import { freshDb } from './vault/helpers';

const containers: HTMLElement[] = [];
afterEach(() => {
  for (const c of containers.splice(0)) render(null, c);
});

function status(over: Partial<ConversationStatus['counts']> = {}, conversationId: string | null = 'c1'): ConversationStatus {
  return { conversationId, title: 'Fox poster', counts: { saved: 3, pending: 0, expired: 0, failed: 0, ...over }, queued: 0 };
}

const CONV = '00000000-0000-4000-8000-000000000001';

function backupStatus(over: Partial<BackupStatus> = {}): BackupStatus {
  return {
    runId: `conversation:${CONV}`, scope: 'conversation', conversationId: CONV, state: 'running', phase: 'files',
    step: '3 of 12 files', value: 4, max: 13, pausedUntil: null, filesPending: 9, startedAt: 1, finishedAt: null, failures: [], workspace: false,
    counts: { listed: 1, read: 1, skipped: 0, failed: 0, imagesListed: 0, imagesOnlyInLibrary: 0, queued: 12, saved: 3, expired: 0, filesFailed: 0, alreadySaved: 0 },
    ...over,
  };
}

const downloads: string[] = [];

/** The background's answers, set per test. */
interface Background {
  tabStatus(tabId: number): ConversationStatus | null;
  backupStatus?(conversationId: string): BackupStatus | null;
  startBackup?(conversationId: string): BackupStatus | null;
  retryFailed?(conversationId: string): number;
}

/** Watchers the fake connector holds: `changed()` is what a vault write would signal. */
const watchers = new Set<() => void>();
async function changed(): Promise<void> {
  await act(async () => {
    for (const w of watchers) w();
    await new Promise((r) => setTimeout(r, 0));
  });
}

function fakeApi(bg: Background, tabId: number | null, url: string | null): PopupApi {
  return {
    // Catch-up's line is read from its stored state and a (fresh) vault, as the real connector does.
    ...createPopupApi(freshDb()),
    activeTab: () => Promise.resolve({ id: tabId, url }),
    tabStatus: (id) => Promise.resolve(bg.tabStatus(id)),
    backupStatus: (id) => Promise.resolve(bg.backupStatus?.(id) ?? null),
    startBackup: (id) => Promise.resolve(bg.startBackup?.(id) ?? null),
    retryFailed: (id) => Promise.resolve(bg.retryFailed?.(id) ?? 0),
    totals: () => Promise.resolve({ saved: 40, pending: 1, expired: 2, failed: 0 }),
    downloadConversation: (id) => {
      downloads.push(id);
      return Promise.resolve();
    },
    watch: (_id, onChange) => {
      watchers.add(onChange);
      return () => watchers.delete(onChange);
    },
    libraryUrl: () => 'chrome-extension://test/library.html',
  };
}

async function mount(bg: Background, tabId: number | null = 7, url: string | null = null): Promise<HTMLElement> {
  const container = document.createElement('div');
  document.body.append(container);
  containers.push(container);
  await act(() => {
    // A poll far beyond the test: what changes on screen comes from the vault's live signal.
    render(<Popup api={fakeApi(bg, tabId, url)} pollMs={60_000} />, container);
  });
  await act(async () => new Promise((r) => setTimeout(r, 0)));
  return container;
}

describe('Popup', () => {
  it('shows what was saved for the tab, with expired and failed as warnings', async () => {
    const el = await mount({ tabStatus: (tabId) => (tabId === 7 ? status({ expired: 1, failed: 2 }) : status({}, null)) });
    expect(el.querySelector('h1')?.textContent).toBe('Fox poster');
    expect(el.querySelector('[data-testid="popup-counts"]')?.textContent).toBe('3 saved1 expired2 failed');
    expect([...el.querySelectorAll('.warn')].map((w) => w.textContent)).toEqual(['1 expired', '2 failed']);
  });

  it('backs up the conversation in the background, shows its progress, then the counts and the download', async () => {
    const started: string[] = [];
    let live = backupStatus();
    const bg: Background = {
      tabStatus: () => status({}, CONV),
      startBackup: (id) => {
        started.push(id);
        return live;
      },
      backupStatus: () => (started.length ? live : null),
    };
    downloads.length = 0;
    const el = await mount(bg, 7, `https://chatgpt.com/c/${CONV}`);
    const button = [...el.querySelectorAll('button')].find((b) => b.textContent === 'Back up this conversation')!;
    await act(async () => {
      button.click();
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(started).toEqual([CONV]);
    const bar = el.querySelector('[role="progressbar"]')!;
    expect([bar.getAttribute('aria-valuenow'), bar.getAttribute('aria-valuemax')]).toEqual(['4', '13']);
    expect(el.querySelector('[data-testid="backup-step"]')?.textContent).toBe('3 of 12 files');
    expect([...el.querySelectorAll('button')].some((b) => b.textContent === 'Download this conversation')).toBe(false);

    live = backupStatus({ state: 'done', phase: 'done', step: 'Done', value: 13, filesPending: 0, finishedAt: 2, counts: { ...live.counts, saved: 12 } });
    // Nothing changes on screen until the vault signals a change.
    await act(async () => new Promise((r) => setTimeout(r, 50)));
    expect(el.querySelector('[role="progressbar"]')).not.toBeNull();
    await changed();
    expect(el.querySelector('[role="progressbar"]')).toBeNull();
    expect(el.querySelector('[data-testid="backup-summary"]')?.textContent).toContain('12 new saved');
    const download = [...el.querySelectorAll('button')].find((b) => b.textContent === 'Download this conversation')!;
    await act(async () => {
      download.click();
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(downloads).toEqual([CONV]);
  });

  it('on another tab explains the extension and shows the vault totals', async () => {
    const el = await mount({ tabStatus: () => status({}, null) }, 3, 'https://example.org/');
    expect(el.querySelector('[data-testid="popup-totals"]')?.textContent).toBe('In the vault: 40 saved, 1 pending, 2 expired, 0 failed.');
    expect([...el.querySelectorAll('button')].some((b) => b.textContent === 'Back up this conversation')).toBe(false);
    expect(el.querySelector('a')?.textContent).toBe('Open the library');
  });

});

describe('Popup retry', () => {
  it('offers to retry failed files only when there are some, and asks the background for this conversation', async () => {
    let failed = 2;
    const asked: (string | null)[] = [];
    const el = await mount({
      tabStatus: () => status({ failed }),
      retryFailed: (id) => {
        asked.push(id);
        failed = 0;
        return 2;
      },
    });
    const retry = [...el.querySelectorAll('button')].find((b) => b.textContent === 'Retry failed files')!;
    expect(retry).toBeTruthy();
    await act(async () => {
      retry.click();
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(asked).toEqual(['c1']);
    expect(el.querySelector('[role="alert"]')?.textContent).toBe('Retrying 2 files.');
    expect([...el.querySelectorAll('button')].some((b) => b.textContent === 'Retry failed files')).toBe(false);
  });
});

describe('Popup: storage full', () => {
  it('says saving is paused and what to do while the background reports storage full, and nothing otherwise', async () => {
    const el = await mount({ tabStatus: () => status() });
    expect(el.querySelector('[data-testid="storage-full"]')).toBeNull();
    await act(async () => {
      await storageFull.setValue({ since: Date.now(), neededBytes: 1_000 });
      await new Promise((r) => setTimeout(r, 10));
    });
    expect(el.querySelector('[data-testid="storage-full"]')?.textContent).toMatch(/Storage full: saving is paused\. Free disk space/);
    await act(async () => {
      await storageFull.setValue(null);
      await new Promise((r) => setTimeout(r, 10));
    });
    expect(el.querySelector('[data-testid="storage-full"]')).toBeNull();
  });
});

describe('Popup: catch-up', () => {
  it('says when catch-up last checked and what that check found, with how many of its files are saved', async () => {
    const { catchUpState } = await import('@/utils/storage');
    const at = new Date(2026, 11, 7, 14, 5).getTime();
    await catchUpState.setValue({ lastCheck: at, result: { code: 'read', conversations: 1, files: 2 }, queued: ['file:none-1', 'file:none-2'], seen: {}, pending: [], place: null });
    try {
      const el = await mount({ tabStatus: () => status({}, null) }, 7, 'https://example.com/');
      // The vault lookup settles after the first render.
      for (let i = 0; i < 100 && !el.querySelector('[data-testid="popup-catch-up"]'); i++) await act(async () => new Promise((r) => setTimeout(r, 10)));
      expect(el.querySelector('[data-testid="popup-catch-up"]')?.textContent).toBe('Last checked 02:05 PM: 1 conversation read, 2 new files (0 of 2 saved).');
    } finally {
      await catchUpState.setValue(null);
    }
  });

  it('says nothing before the first check', async () => {
    const el = await mount({ tabStatus: () => status({}, null) }, 7, 'https://example.com/');
    expect(el.querySelector('[data-testid="popup-catch-up"]')).toBeNull();
  });
});
