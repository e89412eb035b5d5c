/**
 * End-to-end harness: real Chromium (Debian /usr/bin/chromium) driven by playwright-core, with the
 * unpacked extension loaded and chatgpt.com / chat.openai.com / files.oaiusercontent.com mapped to the
 * fake server (tests/fake-chatgpt). Flags follow docs/TOOLCHAIN.md "E2E in real Chromium" (F8:
 * headless only; there is no X server).
 */
import type { RequestLogEntry } from '../fake-chatgpt/server.ts';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, beforeEach } from 'node:test';
import { chromium, type BrowserContext, type CDPSession, type Page, type Worker } from 'playwright-core';
import { startFakeChatGPT, type FakeChatGPT } from '../fake-chatgpt/server.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const DEFAULT_EXTENSION_PATH = join(REPO_ROOT, '.output/chrome-mv3');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** True when `npx wxt build` has produced the Chrome MV3 build. */
export function hasExtensionBuild(path = DEFAULT_EXTENSION_PATH): boolean {
  return existsSync(join(path, 'manifest.json'));
}

export interface LaunchOptions {
  /** Unpacked extension folder; default `.output/chrome-mv3`. `null` launches without any extension. */
  extensionPath?: string | null;
  server: FakeChatGPT;
  headless?: boolean;
  /** Where Playwright saves downloads (files get GUID names, docs/TOOLCHAIN.md E2E item 7). Default: inside the profile. */
  downloadsPath?: string;
  /** The browser's language (`zh-CN`): `--lang` plus LANGUAGE/LANG, which Chromium on Linux reads. Default: the machine's. */
  language?: string;
}

export interface Browser {
  context: BrowserContext;
  /** null when launched without an extension. */
  extensionId: string | null;
  profileDir: string;
  /** The extension's MV3 service worker (the same handle keeps working after a stop + wake-up). */
  serviceWorker(): Promise<Worker>;
  /** A new tab. */
  page(): Promise<Page>;
  /** A new tab at `chrome-extension://<id>/<path>`. */
  openExtensionPage(path: string): Promise<Page>;
  close(): Promise<void>;
}

function extensionWorkers(context: BrowserContext, extensionId: string | null): Worker[] {
  return context
    .serviceWorkers()
    .filter((w) => (extensionId ? w.url().startsWith(`chrome-extension://${extensionId}/`) : w.url().startsWith('chrome-extension://')));
}

export async function launchBrowser(opts: LaunchOptions): Promise<Browser> {
  const extensionPath = opts.extensionPath === undefined ? DEFAULT_EXTENSION_PATH : opts.extensionPath;
  if (extensionPath !== null && !existsSync(join(extensionPath, 'manifest.json'))) {
    throw new Error(`No extension build at ${extensionPath} (run \`npx wxt build\`, or pass extensionPath: null)`);
  }
  const profileDir = mkdtempSync(join(tmpdir(), 'vault-e2e-profile-'));
  const args = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--host-resolver-rules=${opts.server.hostResolverRules}`,
    '--ignore-certificate-errors',
  ];
  if (opts.language) args.push(`--lang=${opts.language}`);
  if (extensionPath) args.push(`--disable-extensions-except=${resolve(extensionPath)}`, `--load-extension=${resolve(extensionPath)}`);
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM_PATH,
      headless: opts.headless ?? true,
      ignoreHTTPSErrors: true,
      acceptDownloads: true,
      ...(opts.downloadsPath ? { downloadsPath: opts.downloadsPath } : {}),
      ignoreDefaultArgs: extensionPath ? ['--disable-extensions'] : [],
      args,
      ...(opts.language ? { env: { ...process.env, LANGUAGE: opts.language.replace('-', '_'), LANG: `${opts.language.replace('-', '_')}.UTF-8` } } : {}),
    });
  } catch (e) {
    rmSync(profileDir, { recursive: true, force: true });
    throw e;
  }

  let extensionId: string | null = null;
  if (extensionPath) {
    const sw = extensionWorkers(context, null)[0] ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
    extensionId = new URL(sw.url()).host;
  }

  const browser: Browser = {
    context,
    extensionId,
    profileDir,
    async serviceWorker() {
      if (!extensionId) throw new Error('launched without an extension');
      const sw = extensionWorkers(context, extensionId)[0];
      if (sw) return sw;
      return context.waitForEvent('serviceworker', {
        predicate: (w) => w.url().startsWith(`chrome-extension://${extensionId}/`),
        timeout: 15_000,
      });
    },
    page: () => context.newPage(),
    async openExtensionPage(path: string) {
      if (!extensionId) throw new Error('launched without an extension');
      const page = await context.newPage();
      await page.goto(`chrome-extension://${extensionId}/${path.replace(/^\//, '')}`);
      return page;
    },
    async close() {
      try {
        await context.close();
      } finally {
        rmSync(profileDir, { recursive: true, force: true });
      }
    },
  };
  return browser;
}

export interface E2eSession {
  /** The fake chatgpt.com (set once the first test's hooks ran). */
  readonly fake: FakeChatGPT;
  /** Chromium with the built extension (by default) against the fake; the session closes it. */
  launch: (opts?: Omit<LaunchOptions, 'server'>) => Promise<Browser>;
}

/**
 * The hooks every Chromium e2e file needs, registered once at its top level: start the fake chatgpt.com
 * before the first test (and hand it to `started`), close every browser `launch` opened, then the fake,
 * after the last. With `fresh`, each test starts with none of those browsers open and the fake's state reset.
 */
export function e2eSession(opts: { fresh?: boolean; started?: (fake: FakeChatGPT) => void } = {}): E2eSession {
  let fake: FakeChatGPT | undefined;
  const browsers: Browser[] = [];
  const closeBrowsers = async () => {
    for (const b of browsers.splice(0)) await b.close().catch(() => undefined);
  };
  before(async () => {
    fake = await startFakeChatGPT();
    opts.started?.(fake);
  });
  after(async () => {
    await closeBrowsers();
    await fake?.close();
  });
  if (opts.fresh) {
    beforeEach(async () => {
      await closeBrowsers();
      fake?.state.reset();
    });
  }
  const session: E2eSession = {
    get fake() {
      if (!fake) throw new Error('the fake chatgpt.com starts in the first before() hook');
      return fake;
    },
    launch: async (launchOpts = {}) => {
      const b = await launchBrowser({ ...launchOpts, server: session.fake });
      browsers.push(b);
      return b;
    },
  };
  return session;
}

interface SwVersion {
  versionId: string;
  scriptURL: string;
  runningStatus: string;
}

/** Opens a CDP session on some page (creating a blank one if needed); the ServiceWorker domain lives there. */
async function withCdp<T>(context: BrowserContext, fn: (cdp: CDPSession) => Promise<T>): Promise<T> {
  const existing = context.pages()[0];
  const page = existing ?? (await context.newPage());
  const cdp = await context.newCDPSession(page);
  try {
    return await fn(cdp);
  } finally {
    await cdp.detach().catch(() => undefined);
    if (!existing) await page.close().catch(() => undefined);
  }
}

async function swVersions(cdp: CDPSession, extensionId: string, onUpdate?: (v: SwVersion) => void): Promise<Map<string, SwVersion>> {
  const versions = new Map<string, SwVersion>();
  let gotFirst: () => void = () => undefined;
  const first = new Promise<void>((r) => (gotFirst = r));
  cdp.on('ServiceWorker.workerVersionUpdated', (e: { versions: SwVersion[] }) => {
    for (const v of e.versions) {
      if (!v.scriptURL.startsWith(`chrome-extension://${extensionId}/`)) continue;
      versions.set(v.versionId, v);
      onUpdate?.(v);
    }
    gotFirst();
  });
  await cdp.send('ServiceWorker.enable');
  // enable() replays the current versions as events; give them a moment to arrive
  await Promise.race([first, new Promise((r) => setTimeout(r, 1_000))]);
  return versions;
}

/** 'running' | 'stopped' | 'starting' | 'stopping' | 'none' for the extension's service worker. */
export async function serviceWorkerStatus(context: BrowserContext, extensionId: string): Promise<string> {
  return withCdp(context, async (cdp) => {
    const versions = await swVersions(cdp, extensionId);
    const statuses = [...versions.values()].map((v) => v.runningStatus);
    return statuses.find((s) => s !== 'stopped') ?? statuses[0] ?? 'none';
  });
}

/**
 * Stops the extension's MV3 service worker the way Chrome does when it idles (DevTools
 * `ServiceWorker.stopWorker`), and verifies it: every version reports `stopped` and no
 * `service_worker` target for the extension remains. The next event (a message, an alarm, opening
 * an extension page that messages it) starts a fresh instance with fresh globals; Playwright keeps
 * the same `Worker` handle for it (verified 2026-11 with Chromium 156).
 */
export async function stopServiceWorker(context: BrowserContext, extensionId: string, timeoutMs = 10_000): Promise<void> {
  await withCdp(context, async (cdp) => {
    let changed: () => void = () => undefined;
    const versions = await swVersions(cdp, extensionId, () => changed());
    const running = [...versions.values()].filter((v) => v.runningStatus !== 'stopped');
    for (const v of running) await cdp.send('ServiceWorker.stopWorker', { versionId: v.versionId });
    const deadline = Date.now() + timeoutMs;
    while ([...versions.values()].some((v) => v.runningStatus !== 'stopped')) {
      if (Date.now() > deadline) throw new Error(`service worker of ${extensionId} did not stop within ${timeoutMs} ms`);
      await new Promise<void>((r) => {
        changed = r;
        setTimeout(r, 200);
      });
    }
    const { targetInfos } = (await cdp.send('Target.getTargets')) as { targetInfos: { type: string; url: string }[] };
    const alive = targetInfos.filter((t) => t.type === 'service_worker' && t.url.startsWith(`chrome-extension://${extensionId}/`));
    if (alive.length) throw new Error(`service worker of ${extensionId} still has a live target after stopWorker`);
  });
}

/** Conversations the fake served, by id, in order (a 429 answer is not a read: the request is tried again). */
export const conversationReads = (log: readonly RequestLogEntry[]): string[] =>
  log.filter((r) => r.route === 'conversation' && r.status === 200).map((r) => decodeURIComponent(r.path.split('?')[0]!.split('/').pop()!));

/** Polls `fn` until it returns a truthy value (which is returned) or the timeout passes (throws with the last value/error). */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  opts: { timeout?: number; interval?: number; message?: string } = {},
): Promise<NonNullable<T>> {
  const timeout = opts.timeout ?? 10_000;
  const interval = opts.interval ?? 100;
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`waitFor timed out after ${timeout} ms${opts.message ? ` (${opts.message})` : ''}; last: ${detail}`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}
