/**
 * The extension in the person's language, in Firefox (issue 21: "the e2e suite runs once with the browser
 * language set to zh-CN"; language.test.ts does it in Chromium). Stock firefox-esr over WebDriver BiDi with the
 * mv2 build (firefox-harness.ts), its UI switched to Simplified Chinese (`intl.locale.requested`, with Debian's
 * `firefox-esr-l10n-zh-cn` language pack: Firefox picks an add-on's locale among the languages its own UI has).
 * The library page's headings, header actions and counts must come from public/_locales/zh_CN, dates by Intl in
 * Chinese, and the popup too.
 *
 * Skips (with the reason) when Firefox or its Chinese language pack is not installed, or port 443 cannot be bound.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'puppeteer-core';
import { buildArchive, sampleVault } from '../../bench/library.ts';
import { startFakeChatGPT, type FakeChatGPT } from '../fake-chatgpt/server.ts';
import { buildFirefoxExtension, FIREFOX_PATH, firefoxSkipReason, launchFirefox, type Firefox } from './firefox-harness.ts';
import { REPO_ROOT, waitFor } from './harness.ts';

function langpackSkipReason(): string | null {
  if (!existsSync(FIREFOX_PATH)) return null; // firefoxSkipReason says why
  const pack = join(dirname(realpathSync(FIREFOX_PATH)), 'browser/extensions/langpack-zh-CN@firefox-esr.mozilla.org.xpi');
  return existsSync(pack) ? null : `no Chinese language pack for Firefox at ${pack} (apt-get install -y firefox-esr-l10n-zh-cn)`;
}
const skip = (await firefoxSkipReason()) ?? langpackSkipReason() ?? false;

type Catalog = Record<string, { message: string }>;
const zh = JSON.parse(readFileSync(join(REPO_ROOT, 'public/_locales/zh_CN/messages.json'), 'utf8')) as Catalog;
const msg = (key: string) => zh[key]!.message;

/** Latin words of four letters or more, other than names that stay as they are in every language. */
const englishWords = (text: string) => (text.match(/[A-Za-z]{4,}/g) ?? []).filter((w) => !['ChatGPT', 'Code', 'Interpreter', 'Canvas'].includes(w));

let fake: FakeChatGPT | null = null;
let ff: Firefox | null = null;
let dir = '';

const textOf = (page: Page, selector: string) => page.evaluate((s: string) => document.querySelector<HTMLElement>(s)?.innerText ?? null, selector);

describe('the extension in Simplified Chinese (Firefox, zh-CN)', () => {
  before(async () => {
    if (skip) return;
    await buildFirefoxExtension();
    dir = mkdtempSync(join(tmpdir(), 'firefox-language-'));
    fake = await startFakeChatGPT({ port: 443 });
    ff = await launchFirefox({
      server: fake,
      prefs: {
        'intl.locale.requested': 'zh-CN',
        // The language pack ships in the application's folder: that scope must be on in the test profile.
        'extensions.autoDisableScopes': 0,
        'extensions.enabledScopes': 15,
      },
    });
  });
  after(async () => {
    await ff?.close();
    await fake?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the library page: headings, header actions and counts in Chinese, dates by Intl', { skip, timeout: 120_000 }, async () => {
    const page = await ff!.openExtensionPage('/library.html');
    await waitFor(() => textOf(page, 'h1').then((h) => h === msg('library_header_title')), { timeout: 15_000, interval: 100, message: `the heading ${msg('library_header_title')}` });
    assert.match(await page.evaluate(() => document.documentElement.lang), /^zh/);
    assert.equal(await page.title(), msg('library_page_title'));

    const sample = sampleVault();
    const vault = join(dir, 'vault.zip');
    writeFileSync(vault, buildArchive(sample.artifacts, sample.conversations));
    const input = await page.evaluateHandle((label: string) => {
      const l = [...document.querySelectorAll('label')].find((x) => x.textContent?.trim().startsWith(label));
      return l?.querySelector('input[type="file"]') ?? null;
    }, msg('backup_file_restore'));
    const file = input.asElement() as import('puppeteer-core').ElementHandle<HTMLInputElement> | null;
    assert.ok(file, `a file input labelled ${msg('backup_file_restore')}`);
    await file.uploadFile(vault);
    const report = await waitFor(() => textOf(page, '[data-testid="restore-report"]'), { timeout: 30_000, interval: 200, message: 'the restore report' });
    assert.match(report, /^已恢复 vault\.zip：新增 \d+ 个/);

    // Day headings: a Chinese long date ("2026年12月7日星期一") and the item count in Chinese.
    const day = await waitFor(() => textOf(page, 'h2.row-day'), { timeout: 15_000, interval: 200, message: 'a day heading' });
    assert.match(day, /^\d{4}年\d{1,2}月\d{1,2}日星期[一二三四五六日] · \d+ 项$/);
    assert.equal(await textOf(page, '[data-testid="shown-count"]'), `共 ${sample.artifacts.length} 个产物`);

    const head = (await textOf(page, 'header.library-head')) ?? '';
    for (const key of ['library_header_settings', 'library_header_reconcile', 'backup_file_download', 'library_header_download_readable', 'backup_everything']) {
      assert.ok(head.includes(msg(key)), `${key}: ${msg(key)}`);
    }
    // The restore report names the file it restored (vault.zip): the person's own name, not ours.
    assert.deepEqual(englishWords(head.replaceAll('vault.zip', '')), [], 'no English left in the header');
    assert.deepEqual(englishWords((await textOf(page, '[data-testid="filters"]')) ?? ''), [], 'no English left in the filters');
  });

  test('the popup in Chinese', { skip, timeout: 60_000 }, async () => {
    const page = await ff!.openExtensionPage('/popup.html');
    await waitFor(() => textOf(page, 'h1').then((h) => h === msg('extension_name')), { timeout: 15_000, interval: 100, message: `the heading ${msg('extension_name')}` });
    const main = (await textOf(page, 'main')) ?? '';
    assert.ok(main.includes(msg('popup_intro')), 'the introduction in Chinese');
    assert.ok(main.includes(msg('popup_open_library')), 'the library link in Chinese');
    assert.match((await textOf(page, '[data-testid="popup-totals"]')) ?? '', /^保险库中：已保存 \d+ 个/);
    assert.deepEqual(englishWords(main), []);
  });
});
