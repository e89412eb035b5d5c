/**
 * `npm run lint:packages` (and `npm test`): lints the store packages that `npm run zip` and `npm run zip:firefox`
 * wrote to .output/, offline, and fails on any error or warning.
 * - Both packages go through Mozilla's addons-linter (what addons.mozilla.org runs on upload). The Chrome
 *   package is linted for its code and manifest too, with the MV3 service worker allowed and two findings
 *   that only concern AMO left out: the gecko add-on id and `data_collection_permissions` live in
 *   `browser_specific_settings`, which the Chrome build leaves out.
 * - Both packages declare a minimum browser version, and icons at 16, 32, 48, 96 and 128 px that exist in
 *   the package at their stated size (what the Chrome Web Store and AMO ask for).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import linter, { type LinterResults } from 'addons-linter';

const ROOT = join(import.meta.dirname, '..');
const { name, version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
const ICON_SIZES = [16, 32, 48, 96, 128];
/** Firefox-only manifest requirements the Chrome package has no place for (see the top comment). */
const NOT_FOR_CHROME = new Set(['ADDON_ID_REQUIRED', 'MISSING_DATA_COLLECTION_PERMISSIONS']);

interface Manifest {
  icons?: Record<string, string>;
  minimum_version?: string;
  browser_specific_settings?: { gecko?: { strict_min_version?: string } };
}

async function addonsLint(zip: string, serviceWorker: boolean): Promise<LinterResults> {
  const instance = linter.createInstance({
    config: {
      _: [zip], logLevel: 'fatal', stack: false, pretty: false, warningsAsErrors: false, metadata: false,
      output: 'none', boring: true, selfHosted: false, enableBackgroundServiceWorker: serviceWorker,
    },
    runAsBinary: false,
  });
  return instance.run();
}

/** The width and height in a PNG's IHDR chunk, or null when the bytes are not a PNG. */
function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 24 || signature.some((b, i) => bytes[i] !== b)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

function packageProblems(zip: string, browser: 'chrome' | 'firefox'): string[] {
  const files = unzipSync(readFileSync(zip));
  const raw = files['manifest.json'];
  if (!raw) return ['no manifest.json'];
  const manifest = JSON.parse(new TextDecoder().decode(raw)) as Manifest;
  const problems: string[] = [];
  for (const size of ICON_SIZES) {
    const path = manifest.icons?.[String(size)];
    const bytes = path === undefined ? undefined : files[path.replace(/^\//, '')];
    const actual = bytes && pngSize(bytes);
    if (!path) problems.push(`no ${size} px icon in the manifest`);
    else if (!actual) problems.push(`icon ${path} is missing or not a PNG`);
    else if (actual.width !== size || actual.height !== size) problems.push(`icon ${path} is ${actual.width}x${actual.height}, not ${size}x${size}`);
  }
  const minimum = browser === 'chrome' ? manifest.minimum_version : manifest.browser_specific_settings?.gecko?.strict_min_version;
  if (!minimum) problems.push(`no minimum ${browser} version`);
  return problems;
}

let failed = 0;
for (const browser of ['chrome', 'firefox'] as const) {
  const zip = join(ROOT, '.output', `${name}-${version}-${browser}.zip`);
  const results = await addonsLint(zip, browser === 'chrome');
  const findings = [...results.errors, ...results.warnings, ...results.notices]
    .filter((m) => !(browser === 'chrome' && NOT_FOR_CHROME.has(m.code)))
    .map((m) => `${m.code} ${m.file ?? ''}${m.line ? `:${m.line}:${m.column ?? 0}` : ''}: ${m.message}`);
  const problems = [...findings, ...packageProblems(zip, browser)];
  console.log(`${browser} package (${zip.slice(ROOT.length + 1)}): ${problems.length ? `${problems.length} problem(s)` : 'clean'}`);
  for (const p of problems) console.log(`  ${p}`);
  if (problems.length) failed++;
}
console.log(`package lint: ${2 - failed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
