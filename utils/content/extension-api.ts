/**
 * The extension API as the content script sees it (`wxt/browser` resolves here in the content-script build,
 * wxt.config.ts), taken only from the content script's own global.
 *
 * Window's named access (an element's `id` or `name`) answers from the WindowProperties object in the
 * global's prototype chain, so any markup on the page can stand where a missing global would be:
 * `<form id="browser"><input name="runtime" id="x">` makes `globalThis.browser.runtime.id` the string "x"
 * (WXT's own `globalThis.browser?.runtime?.id ? browser : chrome` then picks the form). Chromium goes further:
 * when the isolated world is made while such an element exists, it hangs its bindings on that element instead
 * of defining `chrome`/`browser` (Chromium 156, verified). Hence the script runs at `document_start`, before
 * the page has markup, when the browser defines both as own properties of the global, which the DOM never
 * shadows; and an own property is all that is read here. Without one, capture stays off rather than using
 * an object the page made.
 */
import type { browser as wxtBrowser } from 'wxt/browser';
import { ownProperty } from './page-dom';

type ExtensionApi = typeof wxtBrowser;


function hasRuntime(api: unknown): api is ExtensionApi {
  const runtime = (api as { runtime?: { id?: unknown; connect?: unknown } } | null | undefined)?.runtime;
  return typeof runtime?.id === 'string' && typeof runtime.connect === 'function';
}

function resolve(): ExtensionApi {
  const api = [ownProperty(globalThis, 'browser'), ownProperty(globalThis, 'chrome')].find(hasRuntime);
  if (!api) throw new Error('[artifact-vault] no extension API on the content script\'s own global; capture is off on this page');
  return api;
}

export const browser = resolve();
