import { startLiveCapture } from '@/utils/capture/content';

// Wiring only: utils/capture/content.ts watches the page and runs download jobs for the background.
export default defineContentScript({
  matches: ['https://chatgpt.com/*', 'https://chat.openai.com/*'],
  runAt: 'document_idle',
  // WXT's legacy "script started" window.postMessage would tell every page script our extension id.
  noScriptStartedPostMessage: true,
  // `ctx` is deliberately unused: a page script can invalidate it (docs/SECURITY.md); capture keeps its own
  // lifetime, which only an update or removal of the extension ends (utils/capture/lifetime.ts).
  main() {
    startLiveCapture();
  },
});
