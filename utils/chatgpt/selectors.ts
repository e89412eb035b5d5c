/**
 * Every DOM selector we use on chatgpt.com / chat.openai.com, each an ordered fallback list (newest first)
 * with the date it was first seen. The page is only a *signal* (something changed, a reply finished);
 * ids, prompts and names always come from the conversation JSON through the walker, so a selector that
 * stops matching costs latency, never an artifact (the content script also re-reads the conversation
 * when the page settles after any large change).
 *
 * Sources: docs/CHATGPT.md section 6. Tested against committed HTML fixtures in
 * tests/fixtures/dom/ by tests/unit/chatgpt/selectors.test.ts.
 */

export interface SelectorList {
  /** What the selector finds, for logs and tests. */
  readonly purpose: string;
  readonly candidates: readonly string[];
}

function list(purpose: string, candidates: readonly string[]): SelectorList {
  return { purpose, candidates };
}

export const SELECTORS = {
  /** One conversation turn (user or assistant). */
  turn: list('conversation turn', [
    'section[data-turn-id]', // 2026-03 new UI: section[data-turn-id][data-turn="user|assistant"]
    '[data-turn-key]', // 2026-07 newest builds
    'article[data-testid^="conversation-turn-"]', // legacy (2023 - 2026-06), gone by 2026-07
  ]),
  /** An element carrying a message id equal to the mapping node id (joins the DOM to the JSON). */
  messageId: list('message id carrier', [
    '[data-message-id]', // 2023 - 2026, stable
    '[data-chatgpt-search-message-ids]', // 2026-07 newest builds (space-separated list)
  ]),
  /** A generated image (DALL-E 3 or image_gen). Alt text is localized, so containers come first. */
  generatedImage: list('generated image', [
    '[class*="group/imagegen-image"] img', // 2025-2026
    '[class*="group/generated-image-preview"] img', // 2026
    '[data-testid="image-gen-overlay-actions"]', // 2026 overlay buttons beside the image
    'img[alt="Generated image"]', // English UI, 2024-2026
    'img[src*="/backend-api/estuary/content"]', // 2025-2026 estuary-served images
    'img[src*="files.oaiusercontent.com"]', // legacy signed links, 2023-2025
  ]),
  /** A Code Interpreter inline chart. */
  chartImage: list('code interpreter chart', [
    'img[alt="Output image"]', // some 2025-2026 builds (not pinned down; see surface section 9)
  ]),
  /** A sandbox file link in an assistant message. */
  sandboxLink: list('sandbox file link', [
    '.markdown button', // 2026 UI renders sandbox links as buttons inside .markdown
    'a[href^="sandbox:"]', // legacy <a href="sandbox:/mnt/data/...">
  ]),
  /** Present while a reply is streaming. */
  streaming: list('reply streaming', [
    '[data-testid="stop-button"]', // 2024-2026 composer stop button
    '.result-streaming', // 2023-2026 streaming text container
    '[role="status"][aria-busy="true"]', // 2026
  ]),
  /** The composer: its attachments are the user's pending uploads, never artifacts. */
  composer: list('composer', [
    '#thread-bottom-container', // 2025-2026
    'form[data-type="unified-composer"]', // 2025-2026
    '#prompt-textarea', // 2023-2026
  ]),
} as const satisfies Record<string, SelectorList>;

export type SelectorName = keyof typeof SELECTORS;

const joined = new Map<SelectorName, string>();

/** The joined selector (any candidate matches); joined once, since the content script asks on every mutation. */
export function anyOf(name: SelectorName): string {
  let selector = joined.get(name);
  if (selector === undefined) joined.set(name, (selector = SELECTORS[name].candidates.join(', ')));
  return selector;
}

/** Whether a reply is streaming right now (one query; the content script asks only when a streaming element changed). */
export function isStreaming(root: ParentNode): boolean {
  return root.querySelector(anyOf('streaming')) !== null;
}

/** The message ids (mapping node ids) one element carries itself, without looking at its descendants. */
export function messageIdsOf(el: Element): string[] {
  const single = el.getAttribute('data-message-id');
  const many = el.getAttribute('data-chatgpt-search-message-ids');
  const ids = single ? [single] : [];
  if (many) for (const id of many.split(/\s+/)) if (id) ids.push(id);
  return ids;
}
