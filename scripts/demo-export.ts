/**
 * The demo's sample official export: its conversations (the one it opens, then the fake's seed conversations)
 * written as an official-style export without their binaries (scripts/sample-export.ts). `npm start` and
 * `npm run store-screenshots` reconcile it in the library page.
 */
import { createWriteStream, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { nodeDeflateRaw, nodeSink } from '../utils/zip/node.ts';
import { REPO_ROOT } from '../tests/e2e/harness.ts';
import { writeSampleExport } from './sample-export.ts';

const EXPORTED = ['tests/fixtures/conversations/mixed-2026.json', 'tests/fake-chatgpt/seed/demo.json', 'tests/fake-chatgpt/seed/demo-files.json'];

/** Writes the export to `path` (through a `.partial` file, so a failed write leaves nothing behind). */
export async function writeDemoExport(path: string): Promise<{ path: string; conversations: number }> {
  const conversations = EXPORTED.flatMap((rel) => {
    const data = JSON.parse(readFileSync(join(REPO_ROOT, rel), 'utf8')) as unknown;
    return Array.isArray(data) ? (data as unknown[]) : [data];
  });
  const tmp = `${path}.partial`;
  const file = createWriteStream(tmp);
  const closed = new Promise<void>((ok, bad) => file.on('close', ok).on('error', bad));
  try {
    await writeSampleExport(conversations, nodeSink(file), { deflate: nodeDeflateRaw });
    await closed;
    renameSync(tmp, path);
  } catch (error) {
    file.destroy();
    rmSync(tmp, { force: true });
    throw error;
  }
  return { path, conversations: conversations.length };
}
