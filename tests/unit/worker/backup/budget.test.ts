// @vitest-environment node
/**
 * One budget for bulk work: `Back up everything` wired as the worker wires it (one WorkerNet, the capture queue
 * downloading through the worker, the bulk pacer), against a backend that answers slowly enough for requests
 * to overlap. Every JSON request (listings, reads, file resolutions) must go one at a time and spaced, also
 * right after a 429 pause ends; byte downloads (estuary) may overlap.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BackupClient } from '@/utils/worker/backup/client';
import { EVERYTHING_RUN } from '@/utils/worker/backup/checkpoint';
import { bulkPacer } from '@/utils/worker/backup/pacer';
import { BackupRunner } from '@/utils/worker/backup/runner';
import { recordConversation } from '@/utils/worker/capture/capture-worker';
import { CaptureQueue } from '@/utils/worker/capture/queue';
import { WorkerExecutor } from '@/utils/worker/capture/worker-executor';
import { WorkerNet } from '@/utils/chatgpt/net/worker-net';
import { createVaultDb } from '@/utils/vault';
import { fakeFetch, type LoggedRequest } from '../../chatgpt/net/fake-fetch';

const ORIGIN = 'https://chatgpt.com';
const TEMPLATE = readFileSync(resolve(__dirname, '../../../fixtures/conversations/image-gen.json'), 'utf8');
const TEMPLATE_ID = '69dc3dc3-8dfc-8333-9e10-000000000002';
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const convId = (n: number) => `00000000-0000-4000-8000-${hex(n, 12)}`;
const SPACING_MS = 60;
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const later = <T>(ms: number, value: () => T) => new Promise<T>((r) => setTimeout(() => r(value()), ms));
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

describe('one budget for bulk work', () => {
  it('Back up everything sends its JSON requests (reads, listings, file resolutions) one at a time and spaced, also after a 429 pause', { timeout: 60_000 }, async () => {
    const conversations = new Map<string, string>();
    for (let n = 1; n <= 6; n++) {
      conversations.set(convId(n), TEMPLATE.replaceAll(TEMPLATE_ID, convId(n)).replaceAll('a1b2c3d4e5f60718293a4b5c', hex(n, 8) + 'a1b2c3d4e5f60718').replaceAll('b2c3d4e5f60718293a4b5c6d', hex(n, 8) + 'b2c3d4e5f6071829'));
    }
    let inFlight = 0;
    let maxInFlight = 0;
    const starts: { at: number; path: string }[] = [];
    let limitedOnce = false;
    const route = async (req: LoggedRequest): Promise<Response> => {
      if (req.path === '/api/auth/session') return json({ accessToken: 'token-123456789', expires: new Date(Date.now() + 3600e3).toISOString() });
      if (req.path === '/backend-api/estuary/content') return later(30, () => new Response(PNG, { headers: { 'content-type': 'image/png' } }));
      starts.push({ at: performance.now(), path: req.path });
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        return await later(15, () => {
          if (req.path === '/backend-api/conversations') {
            const offset = Number(req.params.get('offset'));
            const items = req.params.get('is_archived') === 'true' ? [] : [...conversations.keys()].map((id) => ({ id, title: id, update_time: '2026-04-13T00:00:00Z' }));
            return json({ items: items.slice(offset, offset + Number(req.params.get('limit'))), total: items.length });
          }
          if (req.path === '/backend-api/gizmos/snorlax/sidebar') return json({ items: [], cursor: null });
          if (req.path === '/backend-api/my/recent/image_gen') return json({ items: [], cursor: null });
          const file = /^\/backend-api\/files\/download\/([^/]+)$/.exec(req.path);
          if (file) return json({ status: 'success', download_url: `${ORIGIN}/backend-api/estuary/content?id=${file[1]}`, file_name: 'x.png' });
          const conv = /^\/backend-api\/conversation\/([^/]+)$/.exec(req.path);
          if (conv) {
            // The fourth conversation is refused once, with a short Retry-After: a pause that ends mid-run.
            if (conv[1] === convId(4) && !limitedOnce) {
              limitedOnce = true;
              return json({ detail: 'Too many requests' }, 429, { 'retry-after': '1' });
            }
            const text = conversations.get(conv[1]!);
            return text ? new Response(text, { headers: { 'content-type': 'application/json' } }) : json({ detail: 'Not found' }, 404);
          }
          return json({ detail: 'Not found' }, 404);
        });
      } finally {
        inFlight--;
      }
    };
    const net = fakeFetch(route);
    const db = createVaultDb(`budget-${Math.random().toString(36).slice(2)}`);
    // The worker's wiring (entrypoints/background.ts): one network, the bulk pacer in its JSON lane, the queue
    // downloading through the worker.
    const workerNet = new WorkerNet(net.fetch);
    const pacer = bulkPacer(workerNet, { spacingMs: SPACING_MS, basePauseMs: 200, capPauseMs: 1_000, bucket: { capacity: 100, refillMs: 50 } });
    const queue = new CaptureQueue(db, { worker: new WorkerExecutor(workerNet) });
    const runner = new BackupRunner({
      db,
      client: (origin, account) => new BackupClient({ origin, pacer, fetch: net.fetch, account }),
      recordConversation: async (text, conversationId, gizmoId, { origin, account, source }) => {
        await recordConversation(db, queue, { conversationId, gizmoId, reason: 'backup', json: text, origin, account, source });
      },
      kick: () => queue.kick(),
      cancelDownloads: (ids, reason) => queue.cancelDownloads(ids, reason),
      settleEveryMs: 20,
    });
    await runner.start('everything', { origin: ORIGIN, account: null });
    for (let i = 0; i < 3_000; i++) {
      const run = await runner.status(EVERYTHING_RUN);
      if (run?.state === 'done') break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const run = (await runner.status(EVERYTHING_RUN))!;
    expect(run.state).toBe('done');
    expect(run.counts.saved).toBe(12);
    expect(limitedOnce).toBe(true);
    const resolutions = starts.filter((s) => s.path.startsWith('/backend-api/files/download/'));
    expect(resolutions.length).toBe(12);
    expect(maxInFlight).toBe(1);
    // Starts never closer than the spacing (a loaded machine only makes gaps longer), the pause's end included.
    const gaps = starts.slice(1).map((s, i) => s.at - starts[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(SPACING_MS - 5);
  });
});
