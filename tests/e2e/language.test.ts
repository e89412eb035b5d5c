/**
 * The extension in the person's language (issue 21): Chromium started in Simplified Chinese (`--lang=zh-CN`,
 * LANGUAGE/LANG) shows the library page and the popup from public/_locales/zh_CN, with dates and numbers
 * formatted by Intl in Chinese, and the toolbar title from the manifest's `__MSG_extension_name__`.
 * Every other e2e file runs in the machine's language (English). Run: `node --import tsx --test
 * tests/e2e/language.test.ts` after `npx wxt build`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildArchive, sampleVault } from '../../bench/library.ts';
import { e2eSession, hasExtensionBuild, REPO_ROOT } from './harness.ts';

const T = { timeout: 120_000 };
const skip = !hasExtensionBuild() && 'no .output/chrome-mv3 (run `npx wxt build`)';
const e2e = e2eSession();

type Catalog = Record<string, { message: string }>;
const zh = JSON.parse(readFileSync(join(REPO_ROOT, 'public/_locales/zh_CN/messages.json'), 'utf8')) as Catalog;
const msg = (key: string) => zh[key]!.message;

/** Latin words of four letters or more, other than names that stay as they are in every language. */
const englishWords = (text: string) => (text.match(/[A-Za-z]{4,}/g) ?? []).filter((w) => !['ChatGPT', 'Code', 'Interpreter', 'Canvas'].includes(w));

describe('the extension in Simplified Chinese (real Chromium, zh-CN)', { skip }, () => {
  it('the library page: headings, header actions and counts in Chinese, dates by Intl', T, async () => {
    const browser = await e2e.launch({ language: 'zh-CN' });
    const page = await browser.openExtensionPage('/library.html');
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.getByRole('heading', { level: 1, name: msg('library_header_title') }).waitFor();
    assert.match(await page.evaluate(() => document.documentElement.lang), /^zh/);
    assert.equal(await page.title(), msg('library_page_title'));

    const sample = sampleVault();
    await page.getByLabel(msg('backup_file_restore')).setInputFiles({ name: 'vault.zip', mimeType: 'application/zip', buffer: Buffer.from(buildArchive(sample.artifacts, sample.conversations)) });
    const report = page.getByTestId('restore-report');
    await report.waitFor();
    assert.match((await report.textContent()) ?? '', /^已恢复 vault\.zip：新增 \d+ 个/);

    // Day headings: a Chinese long date ("2026年12月7日星期一") and the item count in Chinese.
    const day = page.locator('h2.row-day').first();
    await day.waitFor();
    assert.match((await day.textContent()) ?? '', /^\d{4}年\d{1,2}月\d{1,2}日星期[一二三四五六日] · \d+ 项$/);
    assert.equal(await page.getByTestId('shown-count').textContent(), `共 ${sample.artifacts.length} 个产物`);

    const head = page.locator('header.library-head');
    for (const key of ['library_header_settings', 'library_header_reconcile', 'backup_file_download', 'library_header_download_readable', 'backup_everything']) {
      assert.ok(((await head.textContent()) ?? '').includes(msg(key)), `${key}: ${msg(key)}`);
    }
    // The restore report names the file it restored (vault.zip): the person's own name, not ours.
    assert.deepEqual(englishWords((await head.innerText()).replaceAll('vault.zip', '')), [], 'no English left in the header');
    assert.deepEqual(englishWords(await page.locator('[data-testid="filters"]').innerText()), [], 'no English left in the filters');
  });

  it('the popup and the toolbar title in Chinese', T, async () => {
    const browser = await e2e.launch({ language: 'zh-CN' });
    const page = await browser.openExtensionPage('/popup.html');
    await page.getByRole('heading', { level: 1, name: msg('extension_name') }).waitFor();
    await page.getByText(msg('popup_intro')).waitFor();
    await page.getByRole('link', { name: msg('popup_open_library') }).waitFor();
    assert.match((await page.getByTestId('popup-totals').textContent()) ?? '', /^保险库中：已保存 0 个/);
    assert.deepEqual(englishWords(await page.locator('main').innerText()), []);
    const sw = await browser.serviceWorker();
    const title = await sw.evaluate(() => (globalThis as unknown as { chrome: { action: { getTitle(d: object): Promise<string> } } }).chrome.action.getTitle({}));
    assert.equal(title, msg('extension_name'));
  });
});
