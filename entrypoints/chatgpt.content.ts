import { startLiveCapture } from '@/utils/capture/content';

// Wiring only: utils/capture/content.ts watches the page and runs download jobs for the background.
export default defineContentScript({
  matches: ['https://chatgpt.com/*', 'https://chat.openai.com/*'],
  runAt: 'document_idle',
  // WXT's legacy "script started" window.postMessage would tell every page script our extension id; its
  // document event does the same job (stopping an older copy after an update) without posting to the page.
  noScriptStartedPostMessage: true,
  main(ctx) {
    startLiveCapture(ctx);
  },
});
