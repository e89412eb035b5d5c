import { startLiveCapture } from '@/utils/content/live-capture';
import { whenParsed } from '@/utils/content/page-dom';

// Wiring only: utils/content/live-capture.ts watches the page and runs download jobs for the background.
// An unlisted script that wxt.config.ts declares as the content script itself, at document_start: WXT's
// content-script wrapper would announce us to the page with a CustomEvent (and give a page script a way to
// switch its context off), and only at document_start does the browser give this world its own `chrome`
// and `browser`, before the page's markup could stand in for them (utils/content/extension-api.ts).
export default defineUnlistedScript(() => {
  whenParsed(window, () => startLiveCapture());
});
