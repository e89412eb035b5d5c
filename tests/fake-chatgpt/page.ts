/**
 * The HTML shell of the fake app. The real page is a React app; ours is `app/app.js` (vanilla JS)
 * mounted into the same landmarks the extension cares about (docs/CHATGPT.md §6).
 */
import type { FakeConversation } from './scan.ts';

/** JSON safe to inline in a <script> (no `</script>`, no U+2028 surprises). */
function inlineJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function renderPage(opts: { accessToken: string; share: { id: string; conversation: FakeConversation | null } | null; extraHtml?: string }): string {
  const bootstrap = inlineJson({ session: { accessToken: opts.accessToken } });
  // Share pages embed their JSON in the React Router context (2025-26) instead of fetching it.
  const share = opts.share
    ? `<script>window.__reactRouterContext = ${inlineJson({
        state: {
          loaderData: {
            'routes/share.$shareId.($action)': {
              serverResponse: opts.share.conversation
                ? { type: 'data', data: { ...opts.share.conversation, share_id: opts.share.id, is_public: true } }
                : { type: 'error', data: { detail: 'Share not found' } },
            },
          },
        },
      })};</script>`
    : '';
  return `<!doctype html>
<html lang="en" data-fake-chatgpt="1">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ChatGPT</title>
<link rel="stylesheet" href="/cdn/assets/fake-app.css">
<script id="client-bootstrap" type="application/json">${bootstrap}</script>
${share}
</head>
<body>
<div id="app-root">
  <nav id="sidebar" aria-label="Chat history">
    <a href="/" data-testid="create-new-chat-button" data-nav>New chat</a>
    <a href="/?temporary-chat=true" data-testid="temporary-chat-link">Temporary chat</a>
    <h2>Chats</h2>
    <div id="history"></div>
  </nav>
  <main id="main">
    <h1 id="conversation-title"></h1>
    <div id="thread" data-scroll-root></div>
    <div id="thread-bottom-container">
      <form id="composer" data-type="unified-composer">
        <textarea id="prompt-textarea" name="prompt-textarea" placeholder="Ask anything" rows="2"></textarea>
        <span id="composer-button-slot"><button type="submit" data-testid="send-button" aria-label="Send prompt">Send</button></span>
      </form>
    </div>
  </main>
</div>
<div id="toasts" role="status"></div>
${opts.extraHtml ?? ''}
<script src="/cdn/assets/fake-app.js" defer></script>
</body>
</html>
`;
}
