/**
 * A sample official export (2026 layout, docs/CHATGPT.md section 5.2) of some conversations, WITHOUT
 * their binaries, as real exports arrive: for `npm start`, so a person without an account can try
 * reconciliation in the library page (`Export ZIP`) and with `npm run reconcile`.
 *
 * Shards of at most 100 conversations, `export_manifest.json` listing them, an empty
 * `conversation_asset_file_names.json`, `chat.html` and `user.json`; no `<id>.dat` members.
 */
import { createZipWriter, type DeflateFactory } from '../utils/zip/index.ts';

const PER_SHARD = 100;

export interface SampleExportOptions {
  /** Raw-deflate compressor (default the platform's CompressionStream; Node callers may pass nodeDeflateRaw). */
  deflate?: DeflateFactory;
}

export async function writeSampleExport(conversations: unknown[], sink: WritableStream<Uint8Array>, opts: SampleExportOptions = {}): Promise<void> {
  const enc = new TextEncoder();
  const w = createZipWriter(sink, { deflate: opts.deflate });
  const shards: string[] = [];
  for (let i = 0; i * PER_SHARD < Math.max(1, conversations.length); i++) shards.push(`conversations-${String(i).padStart(3, '0')}.json`);
  await w.add('chat.html', enc.encode('<!doctype html><title>ChatGPT Data Export</title><p>Sample export (no binaries).</p>\n'), { compress: true });
  await w.add('user.json', enc.encode(JSON.stringify({ id: 'user-sample', email: 'sample@example.invalid' })), { compress: true });
  await w.add('export_manifest.json', enc.encode(JSON.stringify({ version: 1, logical_files: { 'conversations.json': { files: shards, sharded: true } } })), { compress: true });
  for (const [i, name] of shards.entries()) {
    await w.add(name, enc.encode(JSON.stringify(conversations.slice(i * PER_SHARD, (i + 1) * PER_SHARD))), { compress: true });
  }
  await w.add('conversation_asset_file_names.json', enc.encode('{}'), { compress: true });
  await w.close();
}
