/**
 * End-to-end harness for Firefox: Debian's stock firefox-esr driven by puppeteer-core over WebDriver BiDi
 * (Playwright needs its own patched Firefox, which cannot be downloaded here), with the mv2 build
 * (`.output/firefox-mv2`) installed as a temporary add-on. Recipe: docs/TOOLCHAIN.md "E2E in Firefox".
 *
 * Differences from the Chromium harness (harness.ts), all in the browser plumbing, none in the product:
 * - Hosts: Firefox has no `--host-resolver-rules`. The pref `network.dns.localDomains` resolves the fake
 *   hosts to 127.0.0.1 but keeps the port, so the fake server has to listen on 443 (root, as in CI).
 * - Extension pages: BiDi refuses to navigate to `moz-extension://` (docs/TOOLCHAIN.md F7) unless Firefox runs
 *   with `--remote-allow-system-access` (checked in Firefox 153: remote/.../root/browsingContext.sys.mjs
 *   skips `isWebdriverSafeNavigationURL` then). Even with it, BiDi never reports the load of a page in
 *   the extension process, so `page.goto` times out although the page loads; we navigate without waiting
 *   and poll until the document is the extension page and complete. No test hook in the product.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import puppeteer, { type Browser as PuppeteerBrowser, type ElementHandle, type Page } from 'puppeteer-core';
import { FAKE_HOSTS, type FakeChatGPT } from '../fake-chatgpt/server.ts';
import { REPO_ROOT, waitFor, type Browser } from './harness.ts';

export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const FIREFOX_EXTENSION_PATH = join(REPO_ROOT, '.output/firefox-mv2');
/** Pinned moz-extension UUID (pref `extensions.webextensions.uuids`), so extension URLs are known up front. */
export const EXTENSION_UUID = 'a7f3c1d2-0b4e-4f6a-9c8d-5e2f1a0b3c4d';

/**
 * Why the Firefox suite cannot run on this machine, or null when it can: Firefox must be installed and
 * 127.0.0.1:443 bindable (root, or CAP_NET_BIND_SERVICE). Tests skip with this reason.
 */
export async function firefoxSkipReason(): Promise<string | null> {
  if (!existsSync(FIREFOX_PATH)) return `no Firefox at ${FIREFOX_PATH} (apt-get install -y firefox-esr, or set FIREFOX_PATH)`;
  const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    const probe = createServer();
    probe.once('error', (e: NodeJS.ErrnoException) => resolve(e));
    probe.listen(443, '127.0.0.1', () => probe.close(() => resolve(null)));
  });
  if (err) return `cannot listen on 127.0.0.1:443 for the fake chatgpt.com (${err.code ?? err.message}); Firefox can map hosts but not ports`;
  return null;
}

/** Builds `.output/firefox-mv2` (about 2 s), so the suite never runs against a stale Firefox build. */
export async function buildFirefoxExtension(): Promise<void> {
  await promisify(execFile)('npx', ['wxt', 'build', '-b', 'firefox'], { cwd: REPO_ROOT, timeout: 120_000 });
  if (!existsSync(join(FIREFOX_EXTENSION_PATH, 'manifest.json'))) throw new Error(`wxt build -b firefox produced no ${FIREFOX_EXTENSION_PATH}`);
}

/** The gecko id from the built manifest (wxt.config.ts sets it for Firefox builds). */
export function geckoId(path = FIREFOX_EXTENSION_PATH): string {
  const manifest = JSON.parse(readFileSync(join(path, 'manifest.json'), 'utf8')) as {
    browser_specific_settings?: { gecko?: { id?: string } };
  };
  const id = manifest.browser_specific_settings?.gecko?.id;
  if (!id) throw new Error(`${path}/manifest.json has no browser_specific_settings.gecko.id`);
  return id;
}

export interface FirefoxLaunchOptions {
  /** Must listen on port 443 (see the file comment). */
  server: FakeChatGPT;
  extensionPath?: string;
  /** More Firefox prefs (e.g. where downloads go). */
  prefs?: Record<string, unknown>;
}

export interface Firefox {
  browser: PuppeteerBrowser;
  extensionUuid: string;
  /** A new tab. */
  page(): Promise<Page>;
  /** A new tab showing `moz-extension://<uuid>/<path>`, loaded. */
  openExtensionPage(path: string): Promise<Page>;
  close(): Promise<void>;
}

export async function launchFirefox(opts: FirefoxLaunchOptions): Promise<Firefox> {
  if (opts.server.port !== 443) throw new Error(`the fake server listens on ${opts.server.port}; Firefox needs it on 443`);
  const extensionPath = opts.extensionPath ?? FIREFOX_EXTENSION_PATH;
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    acceptInsecureCerts: true,
    args: ['--remote-allow-system-access'],
    extraPrefsFirefox: {
      'network.dns.localDomains': FAKE_HOSTS.join(','),
      'network.dns.disableIPv6': true,
      'extensions.webextensions.uuids': JSON.stringify({ [geckoId(extensionPath)]: EXTENSION_UUID }),
      ...opts.prefs,
    },
  });
  try {
    await browser.installExtension(extensionPath);
  } catch (e) {
    await browser.close();
    throw e;
  }
  const ff: Firefox = {
    browser,
    extensionUuid: EXTENSION_UUID,
    page: () => browser.newPage(),
    async openExtensionPage(path: string) {
      const url = `moz-extension://${EXTENSION_UUID}/${path.replace(/^\//, '')}`;
      const page = await browser.newPage();
      try {
        // `goto` would wait for a load event BiDi never sends for extension-process pages (file comment), so
        // send BiDi's own `browsingContext.navigate` with `wait: "none"` through puppeteer's BiDi frame
        // (puppeteer-core 25: `BidiFrame.browsingContext.navigate(url, wait)`), then poll the document.
        const context = (page.mainFrame() as unknown as { browsingContext?: { navigate?(url: string, wait: string): Promise<void> } })
          .browsingContext;
        if (typeof context?.navigate !== 'function') throw new Error('puppeteer-core no longer exposes BidiFrame.browsingContext.navigate');
        await context.navigate(url, 'none');
        await waitFor(
          () => page.evaluate((u: string) => location.href === u && document.readyState === 'complete', url).catch(() => false),
          { timeout: 15_000, interval: 100, message: `${url} loaded` },
        );
      } catch (e) {
        await page.close().catch(() => undefined);
        throw e;
      }
      return page;
    },
    close: () => browser.close(),
  };
  return ff;
}

/**
 * A view of the Firefox session shaped like harness.ts's `Browser`, for vault-probe.ts's `readVault`,
 * which only calls `openExtensionPage` and then `waitForLoadState`, `isClosed` and `evaluate` on the page.
 * The same reading code as in Chromium then checks the Firefox vault. Other `Browser` members throw.
 */
export function asProbeHost(ff: Firefox): Browser {
  const unsupported = (what: string) => () => {
    throw new Error(`${what} is Chromium-only (firefox-harness.ts asProbeHost)`);
  };
  const host = {
    extensionId: ff.extensionUuid,
    profileDir: '',
    async openExtensionPage(path: string) {
      const page = await ff.openExtensionPage(path);
      return {
        // openExtensionPage already waited for readyState complete
        waitForLoadState: () => Promise.resolve(),
        isClosed: () => page.isClosed(),
        evaluate: (fn: string | ((arg: unknown) => unknown), ...args: unknown[]) => page.evaluate(fn as never, ...(args as never[])),
      };
    },
    serviceWorker: unsupported('serviceWorker()'),
    page: unsupported('page()'),
    close: () => ff.close(),
    get context(): never {
      throw new Error('context is Chromium-only (firefox-harness.ts asProbeHost)');
    },
  };
  return host as unknown as Browser;
}

/** Prefs that make Firefox save every download into `dir` without asking (for `downloadedFile`). */
export function downloadPrefs(dir: string): Record<string, unknown> {
  return {
    'browser.download.folderList': 2,
    'browser.download.dir': dir,
    'browser.download.useDownloadDir': true,
    'browser.download.always_ask_before_handling_new_types': false,
    'browser.download.start_downloads_in_tmp_dir': false,
  };
}

/** The file input inside the `<label>` whose text starts with `name` (the contract's control names). */
export async function labelledFileInput(page: Page, name: string): Promise<ElementHandle<HTMLInputElement>> {
  const handle = await page.evaluateHandle((n: string) => {
    const label = [...document.querySelectorAll('label')].find((l) => l.textContent?.trim().startsWith(n));
    return label?.querySelector('input[type="file"]') ?? null;
  }, name);
  const input = handle.asElement() as ElementHandle<HTMLInputElement> | null;
  if (!input) throw new Error(`no file input labelled ${name}`);
  return input;
}

/** Clicks the enabled button whose text is `name`; throws when there is none. */
export async function clickButtonNamed(page: Page, name: string): Promise<void> {
  const clicked = await page.evaluate((n: string) => {
    const button = [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === n && !b.disabled);
    button?.click();
    return button !== undefined;
  }, name);
  if (!clicked) throw new Error(`no enabled button named ${name}`);
}

/**
 * Waits for the one file the next download writes into `dir` (see `downloadPrefs`), reads it and removes it.
 * Firefox creates the final name empty at once and fills it from a `.part` file it renames at the end, so
 * the download is complete when no `.part` is left and the file has bytes.
 */
export async function downloadedFile(dir: string, pattern: RegExp): Promise<{ name: string; bytes: Buffer }> {
  const name = await waitFor(
    () => {
      const names = readdirSync(dir);
      const name = names.find((n) => pattern.test(n));
      return name && !names.some((n) => n.endsWith('.part')) && statSync(join(dir, name)).size > 0 ? name : null;
    },
    { timeout: 60_000, interval: 200, message: `a download named ${pattern}` },
  );
  const path = join(dir, name);
  const bytes = readFileSync(path);
  rmSync(path);
  return { name, bytes };
}
