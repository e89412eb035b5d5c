import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConversationIdWatcher } from '@/utils/chatgpt/observed';

/** Stands in for the page's PerformanceObserver: the test hands it resource entries by URL. */
class FakeObserver {
  static last: FakeObserver | null = null;
  disconnected = false;
  constructor(private readonly callback: (list: { getEntries: () => { name: string }[] }) => void) {
    FakeObserver.last = this;
  }
  observe(): void {}
  disconnect(): void {
    this.disconnected = true;
  }
  emit(...urls: string[]): void {
    this.callback({ getEntries: () => urls.map((name) => ({ name })) });
  }
}

beforeEach(() => {
  FakeObserver.last = null;
  vi.stubGlobal('PerformanceObserver', FakeObserver);
});
afterEach(() => vi.unstubAllGlobals());

function watch() {
  const seen: string[] = [];
  const watcher = new ConversationIdWatcher((id) => seen.push(id));
  const observer = FakeObserver.last;
  if (!observer) throw new Error('the watcher made no PerformanceObserver');
  return { watcher, observer, seen };
}

describe('conversation ids from the app own API requests (temporary chats)', () => {
  it.each([
    ['69dc3dc3-8dfc-8333-9e10-000000000002', 'https://chatgpt.com/backend-api/conversation/69dc3dc3-8dfc-8333-9e10-000000000002'],
    ['69dc3dc3-8dfc-8333-9e10-000000000002', 'https://chatgpt.com/backend-api/conversation/69DC3DC3-8DFC-8333-9E10-000000000002/stream_status'],
    ['0c0ffee0-0000-4000-8000-000000000001', 'https://chat.openai.com/backend-api/conversation/0c0ffee0-0000-4000-8000-000000000001/interpreter/download?message_id=x'],
    [null, 'https://chatgpt.com/backend-api/conversations?offset=0&limit=28'],
    [null, 'https://chatgpt.com/backend-api/conversation/local-1234'],
    [null, 'https://chatgpt.com/backend-api/f/conversation'],
    [null, 'https://evil.example/backend-api/conversation/69dc3dc3-8dfc-8333-9e10-000000000002'],
    [null, 'http://chatgpt.com/backend-api/conversation/69dc3dc3-8dfc-8333-9e10-000000000002'],
    [null, 'not a url'],
  ])('is %j for %s', (expected, url) => {
    const { watcher, observer, seen } = watch();
    observer.emit(url);
    expect(watcher.latest()).toBe(expected);
    expect(seen).toEqual(expected ? [expected] : []);
  });

  it('reports each new id once and keeps the latest', () => {
    const A = '0c0ffee0-0000-4000-8000-00000000000a';
    const B = '0c0ffee0-0000-4000-8000-00000000000b';
    const { watcher, observer, seen } = watch();
    observer.emit(`https://chatgpt.com/backend-api/conversation/${A}`, 'https://chatgpt.com/image.png', `https://chatgpt.com/backend-api/conversation/${A}/stream_status`);
    observer.emit(`https://chatgpt.com/backend-api/conversation/${B}`);
    expect(seen).toEqual([A, B]);
    expect(watcher.latest()).toBe(B);
    observer.emit(`https://chatgpt.com/backend-api/conversation/${B}`);
    expect(seen).toEqual([A, B]);
    watcher.disconnect();
    expect(observer.disconnected).toBe(true);
  });
});
