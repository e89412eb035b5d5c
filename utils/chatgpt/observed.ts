/**
 * Facts the content script can learn passively from the app's own network activity, through the
 * Resource Timing API (URLs only; no page-world code, no response bodies). Temporary chats never put their
 * conversation id in the page URL (docs/CHATGPT.md sections 1 and 7), but the app's own API calls for
 * them do (`GET /backend-api/conversation/{id}` and its sub-routes).
 */
import { isUuid } from './ids';
import { isChatgptHost } from './routes';

// 2023-2026: `/backend-api/conversation/{uuid}` and sub-routes (`/stream_status`, `/textdocs`,
// `/interpreter/download`, `/attachment/...`). `/backend-api/conversations` (the list) has no id.
const CONVERSATION_API_RE = /^\/backend-api\/conversation\/([0-9a-fA-F-]{36})(?:\/|$)/;

/** The conversation id in an API URL the app requested, or null. Only ChatGPT hosts count. */
function conversationIdFromApiUrl(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' || !isChatgptHost(u.hostname)) return null;
  const id = CONVERSATION_API_RE.exec(u.pathname)?.[1];
  return id && isUuid(id) ? id.toLowerCase() : null;
}

/**
 * Watches resource timing entries and remembers the most recent conversation id the app talked about.
 * A page script could request a URL with some other id; the worst that follows is that we read that
 * conversation from the backend with the person's own session, which stores only genuine artifacts.
 */
export class ConversationIdWatcher {
  private latestId: string | null = null;
  private readonly observer: PerformanceObserver | null = null;

  constructor(onChange: (id: string) => void, perf: Performance = performance) {
    const scan = (entries: PerformanceEntryList) => {
      for (const entry of entries) {
        // A page loads hundreds of images: a substring test first, URL parsing only for API calls.
        if (!entry.name.includes('/backend-api/conversation/')) continue;
        const id = conversationIdFromApiUrl(entry.name);
        if (id && id !== this.latestId) {
          this.latestId = id;
          onChange(id);
        }
      }
    };
    if (typeof PerformanceObserver === 'undefined') return;
    this.observer = new PerformanceObserver((list) => scan(list.getEntries()));
    try {
      this.observer.observe({ type: 'resource', buffered: true });
    } catch {
      this.observer.observe({ entryTypes: ['resource'] });
      scan(perf.getEntriesByType('resource'));
    }
  }

  latest(): string | null {
    return this.latestId;
  }

  disconnect(): void {
    this.observer?.disconnect();
  }
}
