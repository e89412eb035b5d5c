/**
 * A sample official ChatGPT export (legacy layout, chatgpt-surface.md section 5.1) of the demo's
 * conversations, for trying reconciliation without an account: `npm start` writes it, and
 * `npx tsx scripts/sample-export.ts [out.zip]` writes it alone.
 *
 * Like a real export, it lacks most binaries: it carries the conversation text and the bytes of only one
 * image per conversation (as `dalle-generations/<file id>-<uuid>.webp`); sandbox files and charts are never
 * in it. Reconciled against the demo's vault, the images it carries come out `matched` (or `export-only`),
 * the files the demo captured `recovered`, and the rest `lost`.
 */
import { createWriteStream, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { walkConversation } from '../utils/chatgpt/walker.ts';
import { createZipWriter } from '../utils/zip/index.ts';
import { nodeCrc32, nodeDeflateRaw, nodeSink } from '../utils/zip/node.ts';
import { expectedBytes } from '../tests/fake-chatgpt/bytes.ts';
import { REPO_ROOT } from '../tests/e2e/harness.ts';

/** The conversation the demo opens, then the fake's seed conversations. */
export const SAMPLE_EXPORT_SOURCES = [
  'tests/fixtures/conversations/mixed-2026.json',
  'tests/fake-chatgpt/seed/demo.json',
  'tests/fake-chatgpt/seed/demo-files.json',
];

function readConversations(): Record<string, unknown>[] {
  return SAMPLE_EXPORT_SOURCES.flatMap((rel) => {
    const data = JSON.parse(readFileSync(join(REPO_ROOT, rel), 'utf8')) as unknown;
    return (Array.isArray(data) ? data : [data]) as Record<string, unknown>[];
  });
}

export interface SampleExport {
  path: string;
  conversations: number;
  /** Image members the export carries (every other artifact lacks its bytes). */
  imageMembers: number;
  artifacts: number;
}

/** Writes the sample export to `path` (through a temporary name, so a failure leaves nothing behind). */
export async function writeSampleExport(path: string): Promise<SampleExport> {
  const conversations = readConversations();
  const enc = new TextEncoder();
  const tmp = `${path}.partial`;
  const file = createWriteStream(tmp);
  const closed = new Promise<void>((ok, bad) => file.on('close', ok).on('error', bad));
  const zip = createZipWriter(nodeSink(file), { deflate: nodeDeflateRaw, crc32: nodeCrc32 });
  let imageMembers = 0;
  let artifacts = 0;
  try {
    await zip.add('chat.html', enc.encode('<!doctype html><title>ChatGPT Data Export</title>'), { compress: true });
    await zip.add('user.json', enc.encode(JSON.stringify({ id: 'user-demo', email: 'demo@example.invalid' })), { compress: true });
    await zip.add('conversations.json', enc.encode(JSON.stringify(conversations)), { compress: true });
    for (const conv of conversations) {
      const { refs } = walkConversation(conv);
      artifacts += refs.length;
      const image = refs.find((r) => r.kind === 'image' && r.fileId);
      if (!image?.fileId) continue;
      await zip.add(`dalle-generations/${image.fileId}-2f6c1a52-93c1-4a6e-b0f4-d3a1c7e5b9aa.webp`, new Uint8Array(expectedBytes('file', image.fileId)));
      imageMembers++;
    }
    await zip.close();
    await closed;
    renameSync(tmp, path);
  } catch (error) {
    file.destroy();
    rmSync(tmp, { force: true });
    throw error;
  }
  return { path, conversations: conversations.length, imageMembers, artifacts };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[2] ?? join(REPO_ROOT, '.tmp/sample-chatgpt-export.zip');
  const s = await writeSampleExport(out);
  console.log(`Wrote ${s.path}: ${s.conversations} conversations, ${s.artifacts} artifacts, bytes for ${s.imageMembers} images only.`);
}
