/**
 * The content script's half of live capture, on chatgpt.com and chat.openai.com: wiring only.
 *
 * - page-signals.ts decides when the conversation needs reading (the page is only a signal),
 * - conversation-reader.ts gets it read (by the background, or by this tab as a fallback),
 * - port-client.ts runs the download jobs the background leases to this tab and carries the streams,
 * - lifetime.ts ends all of it when the extension is updated or removed, and never because of the page.
 * Nothing the page posts or dispatches is trusted or listened to, and nothing is read through a name the
 * page's markup could take over (page-dom.ts).
 */
import { ConversationIdWatcher } from '@/utils/chatgpt/observed';
import { parseChatRoute } from '@/utils/chatgpt/routes';
import { pageWorkspace } from '@/utils/chatgpt/session';
import { onMessage, sendMessage } from '@/utils/messaging';
import { ConversationReader } from './conversation-reader';
import { createFetchContext, readConversation } from '@/utils/chatgpt/net/fetcher';
import { RequestLanes } from '@/utils/chatgpt/net/lanes';
import { CaptureLifetime } from './lifetime';
import { cookieOf, documentElementOf, listen, ownProperty } from './page-dom';
import { pageRead } from './page-read';
import { PageSession } from '@/utils/chatgpt/net/page-session';
import { PageSignals, pageObserver, type Shown } from './page-signals';
import { CaptureClient } from './port-client';

/**
 * Console output for people debugging capture on a live page: `chrome.storage.local.set({ artifactVaultDebug:
 * true })` in the extension's console, then reload the tab. Read once, asynchronously: the page's
 * `localStorage` costs a synchronous load of its whole storage area on first use.
 */
let debugOn = false;
function debug(...args: unknown[]): void {
  if (debugOn) console.debug('[artifact-vault]', ...args);
}
function readDebugFlag(): void {
  browser.storage.local.get('artifactVaultDebug').then(
    (v) => void (debugOn = Boolean(v.artifactVaultDebug)),
    () => undefined,
  );
}

export function startLiveCapture(win: Window = window, life = new CaptureLifetime()): void {
  readDebugFlag();
  const root = documentElementOf(win.document);
  if (!root) return;
  const origin = win.location.origin;
  // Firefox: `content.fetch` sends requests as the page does (page origin, first-party cookies); the
  // content script's own `fetch` would carry the extension's origin. Chrome content scripts already fetch as
  // the page. Either way the function is the browser's own, out of the page scripts' reach (in Chrome
  // `content` is any element the page names so: only the global's own property counts).
  const firefoxContent = ownProperty(globalThis, 'content') as { fetch?: unknown } | undefined;
  const pageFetch: typeof fetch =
    typeof firefoxContent?.fetch === 'function' ? (firefoxContent.fetch as typeof fetch).bind(firefoxContent) : win.fetch.bind(win);
  const cookies = () => cookieOf(win.document);
  const session = new PageSession(origin, pageFetch, cookies);
  const fetchCtx = createFetchContext(origin, pageFetch, session, new RequestLanes({ jsonGapMs: 250, bytesConcurrency: 3 }));
  const client = new CaptureClient(fetchCtx, session, () => life.ended());
  client.connect();
  life.onEnd(() => client.close());

  // Temporary chats keep their id out of the URL; the app's own API requests reveal it. Watched only while
  // a temporary chat is shown: every image the page loads is a resource entry.
  let temporaryIds: ConversationIdWatcher | null = null;
  life.onEnd(() => temporaryIds?.disconnect());
  // Parsed once per URL: asked on every look, and the URL changes far less often than the page.
  let routed: { href: string; route: ReturnType<typeof parseChatRoute> } | null = null;
  const current = (): Shown | null => {
    const href = win.location.href;
    if (routed?.href !== href) routed = { href, route: parseChatRoute(href) };
    const route = routed.route;
    if (route.kind !== 'temporary' && temporaryIds) {
      temporaryIds.disconnect();
      temporaryIds = null;
    }
    if (route.kind === 'conversation') return { id: route.conversationId, gizmoId: route.gizmoId };
    if (route.kind === 'temporary') {
      temporaryIds ??= new ConversationIdWatcher(() => queueMicrotask(() => signals.schedule()));
      const id = route.conversationId ?? temporaryIds.latest();
      return id ? { id, gizmoId: null } : null;
    }
    return null;
  };

  const reader: ConversationReader = new ConversationReader({
    // The port first: a worker that idled out closed it, and the jobs this read queues need a tab to run them.
    readInBackground: (req) => {
      client.connect();
      return sendMessage('readConversation', req);
    },
    readInTab: (id, gizmoId) => readConversation(fetchCtx, id, gizmoId),
    deliver: async ({ json, ...req }) => sendMessage('recordConversation', { ...req, ...(await client.streamConversation(json)) }),
    account: () => pageWorkspace(ownProperty(win, 'cookieStore'), cookies),
    setTimeout: (fn, ms) => void life.setTimeout(fn, ms),
    now: Date.now,
    onReceipt: (id, receipt) => signals.receipt(id, receipt),
    debug,
  });
  const signals: PageSignals = new PageSignals({
    root,
    current,
    reader,
    shown: (id) => {
      client.connect();
      void sendMessage('conversationShown', { conversationId: id }).catch(() => undefined);
    },
    setTimeout: (fn, ms) => life.setTimeout(fn, ms),
    now: Date.now,
    watch: (attributeFilter) => {
      if (!life.ended()) observer.watch(attributeFilter);
    },
    debug,
  });

  // In-app navigation: the Navigation API says when the URL changes (Chromium); elsewhere the URL is compared
  // on each mutation batch that did not already ask for a look (every navigation changes the page).
  const navigation = ownProperty(win, 'navigation') as EventTarget | undefined;
  if (navigation) listen(navigation, 'currententrychange', () => signals.schedule(), { signal: life.signal });
  let href = navigation ? '' : win.location.href;
  // No lifetime check per batch (a thousand per long conversation): the end disconnects the observer, and it
  // is noticed on the next look, timer or port disconnect.
  const observer = pageObserver(root, (records) => {
    if (!signals.observe(records) && !navigation && win.location.href !== href) {
      href = win.location.href;
      signals.schedule();
    }
  });
  listen(win, 'popstate', () => signals.schedule(), { signal: life.signal });
  life.setInterval(() => signals.driftCheck(), 10_000);
  life.onEnd(() => observer.disconnect());
  signals.start();

  onMessage('pageRead', ({ data }) => pageRead(fetchCtx, session, data.url, data.account, data.gizmoId ?? null));
}
