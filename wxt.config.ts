import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { Alias } from 'vite';
import { defineConfig } from 'wxt';
import { preactWithoutInnerHtml } from './build/preact-without-inner-html';

/**
 * Host access is limited to the ChatGPT app origins and the file host that serves legacy signed
 * links (see docs/ARCHITECTURE.md, "Permissions"). Every other permission is justified there too.
 */
export const HOST_PERMISSIONS = [
  'https://chatgpt.com/*',
  'https://chat.openai.com/*',
  'https://files.oaiusercontent.com/*',
];

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
    // `browser` is the native object, as WXT's own `wxt/browser` gives it without the polyfill module.
    'vite:build:extendConfig': (entrypoints, config) => {
      if (!entrypoints.every((e) => e.type === 'content-script')) return;
      const native = createRequire(import.meta.url).resolve('wxt/browser');
      const alias = config.resolve?.alias;
      const entries: Alias[] = Array.isArray(alias)
        ? (alias as readonly Alias[]).filter((a) => a.find !== 'wxt/browser')
        : Object.entries((alias ?? {}) as Record<string, string>).filter(([find]) => find !== 'wxt/browser').map(([find, replacement]) => ({ find, replacement }));
      config.resolve = { ...config.resolve, alias: [{ find: 'wxt/browser', replacement: native }, ...entries] };
    },
  },
  manifest: ({ browser }) => ({
    name: 'ChatGPT Artifact Vault',
    description:
      'Saves every image, chart and Code Interpreter file ChatGPT makes for you, the moment it appears.',
    // alarms: wake a stopped worker for pending downloads (backoff ends, storage-full checks).
    permissions: ['storage', 'unlimitedStorage', 'alarms'],
    // downloads: only for the "also save to the Downloads folder" option, requested when the person turns it on.
    // notifications: only to say that a long backup finished, requested when the person starts one.
    optional_permissions: ['downloads', 'notifications'],
    host_permissions: HOST_PERMISSIONS,
    // The browsers' default extension-page policy plus 'wasm-unsafe-eval' (compiling WebAssembly, no JS eval):
    // the reconcile worker hashes with WebAssembly. WXT writes it as a string for MV2 builds. docs/SECURITY.md.
    content_security_policy: { extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self';" },
    action: { default_title: 'ChatGPT Artifact Vault' },
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
