/**
 * Export-first `Back up everything` (issue 19), Node: a 1,000-conversation history on the loopback fake, 90% of
 * it without any artifact; its export (2026 layout, scripts/sample-export.ts) is reconciled with the real code
 * and its index kept in a fake-indexeddb vault, then the runner (utils/worker/backup) backs everything up with that
 * export. Printed: the share of conversation reads the export saved (target >= 80%), the reads made, and the
 * wall time beside a run without the export. Run alone: `npx tsx bench/export-first.ts`.
 */
import 'fake-indexeddb/auto';
import { performance } from 'node:perf_hooks';
import { addHistory } from '../tests/fake-chatgpt/history.ts';
import { SESSION_COOKIE, startFakeChatGPT, type FakeChatGPT } from '../tests/fake-chatgpt/server.ts';
import { waitFor } from '../tests/e2e/harness.ts';
import { writeSampleExport } from '../scripts/sample-export.ts';
import { BackupClient } from '../utils/worker/backup/client';
import { EVERYTHING_RUN } from '../utils/worker/backup/checkpoint';
import { Pacer } from '../utils/worker/backup/pacer';
import { BackupRunner } from '../utils/worker/backup/runner';
import { archiveVault, reconcileExport } from '../utils/reconcile';
import { createVaultDb, saveExportIndex, saveSnapshot, type ExportIndexMeta } from '../utils/vault';
import { createZipWriter } from '../utils/zip';

const CONVERSATIONS = 1000;
const WITH_ARTIFACTS = 100;
const SPACING_MS = 5;

const fromBytes = (bytes: Uint8Array) => ({ size: bytes.length, read: (o: number, l: number) => Promise.resolve(bytes.slice(o, Math.min(bytes.length, o + l))) });

async function collect(write: (sink: WritableStream<Uint8Array>) => Promise<void>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  await write(new WritableStream({ write: (c) => void chunks.push(c.slice()) }));
  return Buffer.concat(chunks);
}

/** An empty vault archive (the CLI's vault side), so the export is reconciled by the same code as in the page. */
async function emptyVaultArchive(): Promise<Uint8Array> {
  return collect(async (sink) => {
    const w = createZipWriter(sink);
    await w.add('manifest.json', new TextEncoder().encode(JSON.stringify({ format: 'chatgpt-artifact-vault', version: 1, createdAt: new Date().toISOString(), artifacts: [], conversations: [] })));
    await w.close();
  });
}

async function backUp(fake: FakeChatGPT, exportFirst: ExportIndexMeta | null, db: ReturnType<typeof createVaultDb>) {
  const cookie = `${SESSION_COOKIE}=${fake.state.sessionToken}`;
  const doFetch: typeof fetch = (input, init = {}) => {
    // The image library's images would be queued for download, and no queue runs here: it is listed empty.
    if (String(input instanceof Request ? input.url : input).includes('/my/recent/image_gen')) {
      return Promise.resolve(new Response(JSON.stringify({ items: [], cursor: null }), { headers: { 'content-type': 'application/json' } }));
    }
    const headers = new Headers(init.headers);
    headers.set('cookie', cookie);
    return fetch(input, { ...init, headers });
  };
  const client = new BackupClient({ origin: fake.origin, pacer: new Pacer({ spacingMs: SPACING_MS, basePauseMs: 60_000, capPauseMs: 300_000 }), fetch: doFetch });
  // Snapshots only: the reads are what is measured (no download queue runs in Node).
  const runner = new BackupRunner({ db, client: () => client, recordConversation: async (json) => void (await saveSnapshot(db, json)), kick: () => undefined });
  fake.state.requests = [];
  const t0 = performance.now();
  await runner.start('everything', { origin: fake.origin, account: null }, null, exportFirst);
  await waitFor(async () => (await runner.status(EVERYTHING_RUN))?.state === 'done', { timeout: 900_000, interval: 100 });
  const run = (await runner.status(EVERYTHING_RUN))!;
  return { run, wall: performance.now() - t0, reads: fake.state.requests.filter((r) => r.route === 'conversation').length };
}

export async function benchExportFirst(): Promise<string[]> {
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // the fake's self-signed certificate, loopback only
  const fake = await startFakeChatGPT({ fixturesDirs: [] });
  try {
    fake.state.conversations.clear();
    addHistory(fake.state, { count: CONVERSATIONS - WITH_ARTIFACTS, imagesPerConversation: 0, seed: 'plain' });
    addHistory(fake.state, { count: WITH_ARTIFACTS, imagesPerConversation: 1, seed: 'images' });
    const zip = await collect((sink) => writeSampleExport([...fake.state.conversations.values()], sink));
    const result = await reconcileExport(fromBytes(zip), 'export.zip', await archiveVault(fromBytes(await emptyVaultArchive())));
    const db = createVaultDb(`bench-export-first-${Date.now()}`);
    const meta = await saveExportIndex(db, { name: 'export.zip', reconciledAt: Date.now() }, result.conversations);
    const first = await backUp(fake, meta, db);
    const plainDb = createVaultDb(`bench-export-first-plain-${Date.now()}`);
    const plain = await backUp(fake, null, plainDb);
    db.close();
    plainDb.close();
    const saved = (first.run.counts.exportSkipped ?? 0) / Math.max(1, first.run.counts.listed);
    return [
      `export-first: ${CONVERSATIONS} conversations (${CONVERSATIONS - WITH_ARTIFACTS} without artifacts), matching export: ` +
        `${first.reads} conversation reads instead of ${plain.reads}, reads saved ${(100 * saved).toFixed(1)}% (target >= 80%: ${saved >= 0.8 ? 'met' : 'NOT met'}); ` +
        `wall ${(first.wall / 1000).toFixed(1)} s vs ${(plain.wall / 1000).toFixed(1)} s without the export (${SPACING_MS} ms spacing, no rate limit)`,
    ];
  } finally {
    await fake.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await benchExportFirst()) console.log(line);
}
