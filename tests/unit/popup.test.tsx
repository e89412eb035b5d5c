import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { Popup } from '@/components/Popup';
import { onMessage, removeAllListeners, type ConversationStatus } from '@/utils/messaging';
import { storageFull } from '@/utils/storage';

const containers: HTMLElement[] = [];
afterEach(() => {
  removeAllListeners();
  for (const c of containers.splice(0)) render(null, c);
});

function status(over: Partial<ConversationStatus['counts']> = {}, conversationId: string | null = 'c1'): ConversationStatus {
  return { conversationId, title: 'Fox poster', counts: { saved: 3, pending: 0, expired: 0, failed: 0, ...over }, queued: 0 };
}

async function mount(tabId: number | null = 7): Promise<HTMLElement> {
  const container = document.createElement('div');
  document.body.append(container);
  containers.push(container);
  await act(async () => {
    render(<Popup getTabId={async () => tabId} />, container);
  });
  await act(async () => new Promise((r) => setTimeout(r, 0)));
  return container;
}

describe('Popup', () => {
  it('shows what was saved for the tab, with expired and failed as warnings', async () => {
    onMessage('tabStatus', ({ data }) => (data.tabId === 7 ? status({ expired: 1, failed: 2 }) : status({}, null)));
    const el = await mount();
    expect(el.querySelector('h1')?.textContent).toBe('Fox poster');
    expect(el.querySelector('[data-testid="popup-counts"]')?.textContent).toBe('3 saved1 expired2 failed');
    expect([...el.querySelectorAll('.warn')].map((w) => w.textContent)).toEqual(['1 expired', '2 failed']);
  });

  it('backs up the conversation of the tab when asked', async () => {
    onMessage('tabStatus', () => status());
    const asked: number[] = [];
    onMessage('backupTab', ({ data }) => {
      asked.push(data.tabId);
      return status({ pending: 2 });
    });
    const el = await mount();
    const button = [...el.querySelectorAll('button')].find((b) => b.textContent === 'Back up this conversation')!;
    expect(button.disabled).toBe(false);
    await act(async () => {
      button.click();
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(asked).toEqual([7]);
    expect(el.querySelector('[role="alert"]')?.textContent).toMatch(/Backup started/);
    expect(el.textContent).toContain('2 pending');
  });

  it('offers no backup outside a conversation', async () => {
    onMessage('tabStatus', () => status({}, null));
    const el = await mount();
    const button = [...el.querySelectorAll('button')].find((b) => b.textContent === 'Back up this conversation')!;
    expect(button.disabled).toBe(true);
    expect(el.textContent).toContain('Open a ChatGPT conversation');
  });
});

describe('Popup retry', () => {
  it('offers to retry failed files only when there are some, and asks the background for this conversation', async () => {
    let failed = 2;
    onMessage('tabStatus', () => status({ failed }));
    const asked: (string | null)[] = [];
    onMessage('retryFailed', ({ data }) => {
      asked.push(data.conversationId);
      failed = 0;
      return 2;
    });
    const el = await mount();
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
    onMessage('tabStatus', () => status());
    const el = await mount();
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
