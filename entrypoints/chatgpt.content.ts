import { startLiveCapture } from '@/utils/capture/content';

// Wiring only: utils/capture/content.ts watches the page and runs download jobs for the background.
export default defineContentScript({
  matches: ['https://chatgpt.com/*', 'https://chat.openai.com/*'],
  runAt: 'document_idle',
  main(ctx) {
    startLiveCapture(ctx);
  },
});
