/**
 * `npm run icons`: renders the extension's icon (build/icon.svg, the one source) to public/icon/<size>.png at
 * every size the manifest and the stores use (16, 32, 48, 96, 128), with Chromium, so the PNGs are drawn from
 * the same vector and never by hand. Commit the PNGs it writes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_PATH, REPO_ROOT } from '../tests/e2e/harness.ts';

const SIZES = [16, 32, 48, 96, 128];
const svg = readFileSync(join(REPO_ROOT, 'build/icon.svg'), 'utf8');
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage();
  for (const size of SIZES) {
    await page.setViewportSize({ width: size, height: size });
    const src = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
    await page.setContent(`<style>html,body{margin:0;background:transparent}</style><img src="${src}" width="${size}" height="${size}">`);
    await page.locator('img').evaluate((img: HTMLImageElement) => img.decode());
    const path = join(REPO_ROOT, `public/icon/${size}.png`);
    await page.screenshot({ path, omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
    console.log(`wrote public/icon/${size}.png`);
  }
} finally {
  await browser.close();
}
