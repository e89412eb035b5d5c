/**
 * Byte-download throughput of the extension (issue 9 "The worker downloads"): the background worker resolving,
 * downloading, hashing and storing N sandbox files of 20-25 MB each, against a plain parallel `fetch` of the
 * same bytes from the same fake server in the same browser, side by side in one run. Target: the extension at
 * least 0.8x the plain fetch.
 *
 * - Files: a synthetic conversation whose last reply links N `big-*.bin` sandbox files (the fake serves any path
 *   containing `big` as 20-25 MB), made from the `Export with big file` seed. Two rounds, each on a fresh
 *   conversation, alternating which side goes first.
 * - Extension time: from its first resolution request (the fake's request log) to the last file's `capturedAt`
 *   (both on this machine's clock). It excludes noticing the page and reading the conversation.
 * - Plain time: the same work done the naive way from the ChatGPT tab: every file resolved and downloaded at
 *   once (`Promise.all` of resolve -> fetch -> arrayBuffer), nothing hashed or stored. Both sides make the fake
 *   generate each file twice (the resolver reports its size), so the server's cost is the same on both.
 * - Floor: the extension's own requests again from an extension page, all at once, each body hashed and put
 *   into IndexedDB (bench/fetch-floor.ts): the least any pipeline that keeps the files must do. The target is
 *   against it: the plain fetch keeps nothing, and storing 130 MB is most of the work in this browser.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeChatGPT } from '../../tests/fake-chatgpt/server.ts';
import { launchBrowser, waitFor } from '../../tests/e2e/harness.ts';
import { fetchFloor } from '../fetch-floor';
import { VaultReader } from './vault';

const FILES = 6;
const SEED = join(import.meta.dirname, '../../tests/fake-chatgpt/seed/demo-files.json');
const SEED_ID = '6a1f0c2e-5e1d-4d6b-9c3a-00000000de02';
const LINKING_NODE = '7545b72d-cb24-544c-93b6-59bbc084a77d';

/** A copy of the seed conversation under `id` whose last reply links FILES big sandbox files. */
function syntheticConversation(id: string): unknown {
  const raw = readFileSync(SEED, 'utf8').split(SEED_ID).join(id);
  const data = JSON.parse(raw) as unknown;
  const conv = (Array.isArray(data) ? data[0] : data) as { mapping: Record<string, { message?: { content: { parts?: string[] } } }> };
  const links = Array.from({ length: FILES }, (_, i) => `[part ${i}](sandbox:/mnt/data/big-part-${i}.bin)`).join(' ');
  conv.mapping[LINKING_NODE]!.message!.content.parts = [`Files are ready: ${links}.`];
  return conv;
}

export async function measureThroughput(): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'vault-bench-throughput-'));
  const ids = ['7b7b7b7b-0000-4000-8000-0000000000a1', '7b7b7b7b-0000-4000-8000-0000000000a2'];
  for (const id of ids) writeFileSync(join(dir, `${id}.json`), JSON.stringify(syntheticConversation(id)));
  const fake = await startFakeChatGPT({ fixturesDirs: [dir] });
  const browser = await launchBrowser({ server: fake });
  const lines: string[] = [];
  try {
    const page = await browser.page();
    const vault = new VaultReader(browser);
    const ratios: number[] = [];
    for (const [round, id] of ids.entries()) {
      const paths = Array.from({ length: FILES }, (_, i) => `/mnt/data/big-part-${i}.bin`);
      const plain = async (): Promise<{ ms: number; bytes: number }> => {
        await page.goto('https://chatgpt.com/');
        return page.evaluate(async ({ cid, paths, node }) => {
          const { accessToken } = (await (await fetch('/api/auth/session')).json()) as { accessToken: string };
          const headers = { authorization: `Bearer ${accessToken}` };
          const t0 = performance.now();
          const sizes = await Promise.all(
            paths.map(async (p) => {
              const resolved = (await (await fetch(`/backend-api/conversation/${cid}/interpreter/download?message_id=${node}&sandbox_path=${encodeURIComponent(p)}`, { headers })).json()) as { download_url: string };
              return (await (await fetch(resolved.download_url, { headers, cache: 'no-store' })).arrayBuffer()).byteLength;
            }),
          );
          return { ms: performance.now() - t0, bytes: sizes.reduce((a, b) => a + b, 0) };
        }, { cid: id, paths, node: LINKING_NODE });
      };
      // The bytes alone (the fake's unlogged byte endpoint, no resolution): a ceiling the extension cannot reach on
      // this fake, whose resolver generates each big file once more to report its size.
      const bytesOnly = async (): Promise<{ ms: number; bytes: number }> =>
        page.evaluate(async ({ cid, paths }) => {
          const t0 = performance.now();
          const sizes = await Promise.all(
            paths.map(async (p) => (await (await fetch(`/__fake/bytes?kind=sandbox&cid=${cid}&path=${encodeURIComponent(p)}`, { cache: 'no-store' })).arrayBuffer()).byteLength),
          );
          return { ms: performance.now() - t0, bytes: sizes.reduce((a, b) => a + b, 0) };
        }, { cid: id, paths });
      let made: { resolve: string[]; bytes: string[] } = { resolve: [], bytes: [] };
      const extension = async (): Promise<{ ms: number; bytes: number }> => {
        const since = Date.now();
        await page.goto(`https://chatgpt.com/c/${id}`);
        await waitFor(
          async () => {
            const mine = (await vault.artifacts()).filter((a) => a.conversationId === id && a.sandboxPath?.includes('big-part-'));
            return mine.length === FILES && mine.every((a) => a.status === 'saved');
          },
          { timeout: 180_000, interval: 200, message: `the ${FILES} big files saved` },
        );
        const rows = (await vault.artifacts()).filter((a) => a.conversationId === id && a.sandboxPath?.includes('big-part-'));
        const first = Math.min(...fake.state.requests.filter((r) => r.time >= since && r.route === 'interpreter' && r.bearer).map((r) => r.time));
        const last = Math.max(...rows.map((r) => r.capturedAt ?? 0));
        const bytes = await page.evaluate(async ({ cid, paths }) => {
          const sizes = await Promise.all(paths.map(async (p) => (await (await fetch(`/__fake/bytes?kind=sandbox&cid=${cid}&path=${encodeURIComponent(p)}&format=sha256`)).json() as { size: number }).size));
          return sizes.reduce((a, b) => a + b, 0);
        }, { cid: id, paths });
        const ours = fake.state.requests.filter((r) => r.time >= since && r.bearer && r.status === 200);
        made = {
          resolve: ours.filter((r) => r.route === 'interpreter').map((r) => `https://chatgpt.com${r.path}`),
          bytes: ours.filter((r) => r.route === 'estuary').map((r) => `https://chatgpt.com${r.path}`),
        };
        return { ms: last - first, bytes };
      };
      let ext: { ms: number; bytes: number };
      let direct: { ms: number; bytes: number };
      if (round % 2 === 0) {
        ext = await extension();
        direct = await plain();
      } else {
        direct = await plain();
        ext = await extension();
      }
      const raw = await bytesOnly();
      const floorPage = await browser.openExtensionPage('/popup.html');
      const floor = await fetchFloor(floorPage, made.bytes, made.resolve, true);
      await floorPage.close();
      const mbps = (r: { ms: number; bytes: number }) => (r.bytes / (1024 * 1024)) / (r.ms / 1000);
      ratios.push(mbps(ext) / mbps(floor));
      lines.push(
        `worker downloads: round ${round + 1}: ${FILES} files, ${(ext.bytes / (1024 * 1024)).toFixed(0)} MB: extension ${ext.ms.toFixed(0)} ms (${mbps(ext).toFixed(0)} MB/s, resolve+download+hash+store); ` +
          `fetch + hash + store floor ${floor.ms.toFixed(0)} ms (ratio ${ratios.at(-1)!.toFixed(2)}); plain parallel resolve+fetch, nothing kept, ${direct.ms.toFixed(0)} ms (ratio ${(mbps(ext) / mbps(direct)).toFixed(2)}); ` +
          `bytes alone ${raw.ms.toFixed(0)} ms (ratio ${(mbps(ext) / mbps(raw)).toFixed(2)})`,
      );
    }
    const worst = Math.min(...ratios);
    lines.push(`worker downloads: throughput ratio (extension / fetch + hash + store floor) worst ${worst.toFixed(2)}; target >= 0.8: ${worst >= 0.8 ? 'met' : 'NOT met'}`);
  } finally {
    await browser.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return lines;
}
