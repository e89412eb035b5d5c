/**
 * Who may talk to the background. Content scripts (ChatGPT tabs of this extension) may send only the
 * ContentToBackground messages and open the capture port; extension pages (popup, library) may send only
 * the UiToBackground messages. Page scripts cannot reach runtime messaging at all, but a content script
 * runs beside hostile page code, so it gets no more than it needs.
 */
import { isChatgptHost, parseChatRoute } from '@/utils/chatgpt/routes';

/** The parts of a runtime MessageSender we read (taken as `unknown`: the messaging library's type is loose). */
interface SenderFields {
  id?: string;
  url?: string;
  tab?: { id?: number; url?: string };
}

function fields(sender: unknown): SenderFields | null {
  return typeof sender === 'object' && sender !== null ? sender : null;
}

/** Our own content script in an https ChatGPT tab. */
export function isChatgptTabSender(raw: unknown): boolean {
  const sender = fields(raw);
  if (!sender || sender.id !== browser.runtime.id) return false;
  const url = sender.url ?? sender.tab?.url;
  if (!url) return false;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && isChatgptHost(u.hostname);
  } catch {
    return false;
  }
}

/** `https://chatgpt.com` or `https://chat.openai.com` for a trusted ChatGPT tab, else null. */
export function senderOrigin(raw: unknown): string | null {
  const sender = fields(raw);
  if (!sender || !isChatgptTabSender(sender)) return null;
  return new URL((sender.url ?? sender.tab?.url)!).origin;
}

/** The tab id of a trusted ChatGPT tab; throws for anyone else. */
export function requireChatgptTab(raw: unknown): number {
  const tabId = fields(raw)?.tab?.id;
  if (tabId == null || !isChatgptTabSender(raw)) throw new Error('Only ChatGPT tabs may send this message');
  return tabId;
}

/**
 * Whether a ChatGPT tab may ask about `conversationId`: the conversation its URL shows (the browser's word,
 * not the content script's). The tab's URL, which follows the app's in-app navigation; Chrome's `sender.url`
 * stays the URL the document loaded with. A temporary chat keeps its id out of the URL: any id is taken there.
 */
function tabShows(raw: unknown, conversationId: string): boolean {
  const sender = fields(raw);
  const url = sender?.tab?.url ?? sender?.url;
  if (!url || !isChatgptTabSender(raw)) return false;
  const route = parseChatRoute(url);
  if (route.kind === 'temporary') return route.conversationId === null || route.conversationId.toLowerCase() === conversationId.toLowerCase();
  return route.kind === 'conversation' && route.conversationId.toLowerCase() === conversationId.toLowerCase();
}

/** Throws unless the sending tab shows `conversationId` (`tabShows`). */
export function requireTabShows(raw: unknown, conversationId: string): void {
  if (!tabShows(raw, conversationId)) throw new Error('Only the conversation this tab shows');
}

/** One of this extension's own pages (popup, library): its URL is under the extension's base URL. */
function isExtensionPageSender(raw: unknown): boolean {
  const sender = fields(raw);
  if (!sender || sender.id !== browser.runtime.id || typeof sender.url !== 'string') return false;
  const base = browser.runtime.getURL('/');
  return sender.url.startsWith(base);
}

/** Throws unless the message comes from one of this extension's own pages. */
export function requireExtensionPage(raw: unknown): void {
  if (!isExtensionPageSender(raw)) throw new Error('Only the extension\'s own pages may send this message');
}
