import { resolve } from 'node:path';
import type { Alias } from 'vite';
import { defineConfig } from 'wxt';
import { preactWithoutInnerHtml } from './build/preact-without-inner-html';
import { FETCH_SOURCES } from './utils/chatgpt/routes';

/**
 * Host access is limited to the ChatGPT app origins and the file host that serves legacy signed
 * links (see docs/ARCHITECTURE.md, "Permissions"). Every other permission is justified there too.
 */
export const HOST_PERMISSIONS = [
  'https://chatgpt.com/*',
  'https://chat.openai.com/*',
  'https://files.oaiusercontent.com/*',
];

const EXTENSION_PAGES_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "object-src 'none'",
  "img-src 'self' blob: data:",
  "media-src 'self' blob:",
  `connect-src 'self' blob: ${FETCH_SOURCES.join(' ')}`,
  "frame-src 'none'",
  "form-action 'none'",
  "base-uri 'none'",
].join('; ');

/** Where the content script runs (entrypoints/chatgpt.ts). */
const CONTENT_MATCHES = ['https://chatgpt.com/*', 'https://chat.openai.com/*'];

export default defineConfig({
  srcDir: '.',
  outDir: '.output',
  modules: ['@wxt-dev/webextension-polyfill'],
  vite: () => ({ plugins: [preactWithoutInnerHtml()] }),
  hooks: {
    // The privacy policy ships inside the extension (the library page links to it) from its one source.
    'build:publicAssets': (_wxt, files) => {
      files.push({ absoluteSrc: resolve(import.meta.dirname, 'docs/PRIVACY.md'), relativeDest: 'privacy.txt' });
    },
    // The content script runs on the person's page, where the polyfill's wrapper costs ~11 ms at every load
    // (docs/ARCHITECTURE.md, "Page overhead"). It only needs APIs that are promise-based natively in both
    // browsers (storage.local.get, runtime.connect, runtime.id; messaging calls `chrome.*` itself), so its
    // `browser` is the native object, taken from its own global only: the page's markup can name
    // `globalThis.browser`, which WXT's `wxt/browser` reads (utils/content/extension-api.ts).
    'vite:build:extendConfig': (entrypoints, config) => {
      if (!entrypoints.every((e) => e.name === 'chatgpt')) return;
      const native = resolve(import.meta.dirname, 'utils/content/extension-api.ts');
      const alias = config.resolve?.alias;
      const entries: Alias[] = Array.isArray(alias)
        ? (alias as readonly Alias[]).filter((a) => a.find !== 'wxt/browser')
        : Object.entries((alias ?? {}) as Record<string, string>).filter(([find]) => find !== 'wxt/browser').map(([find, replacement]) => ({ find, replacement }));
      config.resolve = { ...config.resolve, alias: [{ find: 'wxt/browser', replacement: native }, ...entries] };
    },
    // entrypoints/chatgpt.ts is built as an unlisted script (no WXT content-script wrapper, which would
    // dispatch a page-visible CustomEvent) and declared here, at document_start (see that file).
    'build:manifestGenerated': (_wxt, manifest) => {
      manifest.content_scripts = [...(manifest.content_scripts ?? []), { matches: CONTENT_MATCHES, js: ['chatgpt.js'], run_at: 'document_start' }];
    },
  },
  manifest: ({ browser }) => ({
    // From public/_locales (utils/i18n.ts): the stores and the browser show them in the person's language.
    name: '__MSG_extension_name__',
    description: '__MSG_extension_description__',
    default_locale: 'en',
    // alarms: wake a stopped worker for pending downloads (backoff ends, storage-full checks).
    permissions: ['storage', 'unlimitedStorage', 'alarms'],
    // downloads: only for the "also save to the Downloads folder" option, requested when the person turns it on.
    // notifications: only to say that a long backup finished, requested when the person starts one.
    optional_permissions: ['downloads', 'notifications'],
    host_permissions: HOST_PERMISSIONS,
    // Extension pages and the worker load only the extension's own files, show images only from it and from
    // blob:/data: URLs the vault makes, fetch only from ChatGPT (FETCH_SOURCES), frame nothing and submit no
    // form; 'wasm-unsafe-eval' (WebAssembly, no JS eval) is for the reconcile worker's hash. WXT writes it as a
    // string for MV2 builds. docs/SECURITY.md, "Content Security Policy of extension pages".
    content_security_policy: { extension_pages: EXTENSION_PAGES_CSP },
    action: { default_title: '__MSG_extension_name__' },
    icons: { 16: 'icon/16.png', 32: 'icon/32.png', 48: 'icon/48.png', 96: 'icon/96.png', 128: 'icon/128.png' },
    // Minimum versions: the newest feature each build relies on (docs/ARCHITECTURE.md, "Minimum browser versions").
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            // data_collection_permissions: Firefox 140 (desktop) and 142 (Android); cookieStore, read by the
            // content script for a workspace account's cookie, also ships in 140.
            gecko: {
              id: 'artifact-vault@chatgpt-artifact-vault.invalid',
              strict_min_version: '140.0',
              data_collection_permissions: { required: ['none'] },
            },
            gecko_android: { strict_min_version: '142.0' },
          },
        }
      : {
          // AbortSignal.any (backup client) is the newest need: Chrome 116. MV3 with 'wasm-unsafe-eval' needs 103.
          minimum_version: '116',
        }),
  }),
});
