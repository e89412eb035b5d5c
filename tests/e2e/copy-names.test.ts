/**
 * The `File names` setting and `Write the prompt into downloaded copies` in real Chromium (issue 16): the
 * pattern typed in the settings names a download from the preview and the members of a selection ZIP, by
 * keyboard; with the prompt option on, the downloaded PNG holds the prompt while the vault's bytes keep
 * their SHA-256. Run: `node --import tsx --test tests/e2e/copy-names.test.ts` (after `npx wxt build`).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { buildArchive, sampleVault } from '../../bench/library.ts';
import { namePatternOrDefault, patternFileName } from '../../utils/files/name-pattern.ts';
import { pngChunks, textChunks } from '../unit/files/images.ts';
import { e2eSession, hasExtensionBuild, type Browser } from './harness.ts';
import { readVault } from './vault-probe.ts';

const T = { timeout: 120_000 };
const skip = !hasExtensionBuild() && 'no .output/chrome-mv3 (run `npx wxt build`)';
const e2e = e2eSession();
const sample = sampleVault();
const PATTERN = '{kind} {prompt:20} {id}';
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** What the pattern gives for one sample image, computed by the one naming function. */
function expectedName(fileName: string): string {
  const a = sample.artifacts.find((x) => x.fileName === fileName)!;
  return patternFileName(namePatternOrDefault(PATTERN), {
    kind: a.kind, fileName: a.fileName, mimeType: a.mimeType, prompt: a.prompt, title: null, time: null, id: a.fileId ?? a.genId,
  });
}

async function download(page: Page, click: () => Promise<void>): Promise<{ name: string; bytes: Uint8Array }> {
  const [d] = await Promise.all([page.waitForEvent('download'), click()]);
  return { name: d.suggestedFilename(), bytes: new Uint8Array(readFileSync(await d.path())) };
}

void describe('File names and the prompt in downloaded copies (real Chromium)', { skip }, () => {
  let browser: Browser;
  let page: Page;

  void it('names a preview download and a selection ZIP by the pattern typed in the settings', T, async () => {
    browser = await e2e.launch();
    page = await browser.openExtensionPage('/library.html');
    await page.getByLabel('Restore backup').setInputFiles({ name: 'sample.zip', mimeType: 'application/zip', buffer: Buffer.from(buildArchive(sample.artifacts, sample.conversations)) });
    await page.getByTestId('restore-report').waitFor();
    await page.getByTestId('artifact').first().waitFor();

    // By keyboard: open the menu, reach the field, replace the pattern; the preview follows.
    const summary = page.getByText('Settings', { exact: true });
    await summary.focus();
    await page.keyboard.press('Enter');
    const field = page.getByRole('textbox', { name: 'File names' });
    await field.focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('{nope}');
    await page.getByTestId('name-pattern-error').waitFor();
    assert.match((await page.getByTestId('name-pattern-error').textContent()) ?? '', /Unknown token \{nope\}/);
    await page.keyboard.press('Control+A');
    await page.keyboard.type(PATTERN);
    await page.getByTestId('name-pattern-error').waitFor({ state: 'detached' });
    const preview = (await page.getByTestId('name-preview').textContent()) ?? '';
    assert.match(preview, /^image .+ file_\w+\.png$/);
    await page.keyboard.press('Escape');
    await summary.click();

    await page.getByRole('button', { name: 'Open fox.png' }).click();
    await page.getByTestId('preview-image').waitFor();
    const one = await download(page, () => page.getByRole('button', { name: 'Download', exact: true }).click());
    assert.equal(one.name, expectedName('fox.png'));
    assert.equal(sha256(one.bytes), sha256(sample.artifacts.find((a) => a.fileName === 'fox.png')!.bytes!));
    await page.getByRole('button', { name: 'Close preview' }).click();

    await page.getByRole('button', { name: 'Select all in Fox poster ideas' }).click();
    const zip = await download(page, () => page.getByRole('button', { name: 'Download selected as ZIP' }).click());
    assert.equal(zip.name, 'Fox poster ideas.zip');
    const members = Object.keys(unzipSync(zip.bytes)).sort();
    assert.deepEqual(members, ['fox.png', 'sunset.png', 'forest.png'].map((f) => `Fox poster ideas/${expectedName(f)}`).sort());
    await page.getByRole('button', { name: 'Clear selection' }).click();
  });

  void it('writes the prompt into the downloaded PNG only: the vault keeps its bytes and their SHA-256', T, async () => {
    const before = (await readVault(browser)).artifacts.find((a) => a.fileName === 'fox.png')!;
    assert.equal(before.blobSha256, before.sha256);

    await page.getByText('Settings', { exact: true }).click();
    const option = page.getByRole('checkbox', { name: 'Write the prompt into downloaded copies' });
    assert.equal(await option.isChecked(), false);
    await option.check();
    await page.getByText('Settings', { exact: true }).click();

    await page.getByRole('button', { name: 'Open fox.png' }).click();
    await page.getByTestId('preview-image').waitFor();
    const copy = await download(page, () => page.getByRole('button', { name: 'Download', exact: true }).click());
    assert.equal(copy.name, expectedName('fox.png'));
    const fox = sample.artifacts.find((a) => a.fileName === 'fox.png')!;
    assert.deepEqual(textChunks(copy.bytes), [['Description', fox.prompt]]);
    // Every chunk's CRC checks (pngChunks throws otherwise), and the picture decodes in the browser.
    assert.deepEqual(pngChunks(copy.bytes).map((c) => c.type).filter((t) => t !== 'IDAT'), ['IHDR', 'iTXt', 'IEND']);
    const size = await page.evaluate(async (b64) => {
      const bitmap = await createImageBitmap(new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: 'image/png' }));
      return [bitmap.width, bitmap.height];
    }, Buffer.from(copy.bytes).toString('base64'));
    assert.deepEqual(size, [256, 256]);

    const after = (await readVault(browser)).artifacts.find((a) => a.fileName === 'fox.png')!;
    assert.equal(after.blobSha256, before.sha256);
    assert.equal(after.sha256, sha256(fox.bytes!));
    assert.notEqual(sha256(copy.bytes), after.sha256);
  });
});
