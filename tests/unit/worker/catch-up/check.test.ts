// @vitest-environment node
/**
 * Catch-up checks against a fake backend (a router from URL to Response) and a fake-indexeddb vault, with the
 * real walker and capture queue: idle checks cost the two listings, a conversation changed elsewhere is read
 * once and its files queued, a watched one is left to live capture, a 429 ends the check and the rest waits.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BackupClient } from '@/utils/worker/backup/client';
import { Pacer } from '@/utils/worker/backup/pacer';
import { recordConversation } from '@/utils/worker/capture/capture-worker';
import { CaptureQueue } from '@/utils/worker/capture/queue';
import { catchUp } from '@/utils/worker/catch-up/check';
import { parseCatchUpState, type CatchUpState } from '@/utils/worker/catch-up/state';
import { createVaultDb } from '@/utils/vault';
import { fakeFetch, type LoggedRequest } from '../../chatgpt/net/fake-fetch';

const ORIGIN = 'https://chatgpt.com';
const TEMPLATE = readFileSync(resolve(__dirname, '../../../fixtures/conversations/image-gen.json'), 'utf8');
const TEMPLATE_ID = '69dc3dc3-8dfc-8333-9e10-000000000002';
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const convId = (n: number) => `00000000-0000-4000-8000-${hex(n, 12)}`;
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const NOW = 1_800_000_000_000;

function setup() {
  // Conversations 1-3, last changed a day ago; `touch(n)` is the other device adding a turn to one.
  const updated = new Map<string, number>([1, 2, 3].map((n) => [convId(n), NOW / 1000 - 86_400]));
  let limitReads = 0;
  const route = (req: LoggedRequest): Response => {
    if (req.path === '/api/auth/session') return json({ accessToken: 'token-123456789', expires: new Date(NOW + 3600e3).toISOString() });
    if (req.path === '/backend-api/conversations') {
      const items = [...updated].sort((a, b) => b[1] - a[1]).map(([id, t]) => ({ id, title: id, update_time: new Date(t * 1000).toISOString() }));
      return json({ items, total: items.length });
    }
    if (req.path === '/backend-api/my/recent/image_gen') return json({ items: [], cursor: null });
    const conv = /^\/backend-api\/conversation\/([^/]+)$/.exec(req.path);
    if (conv && updated.has(conv[1]!)) {
      if (limitReads > 0) {
        limitReads--;
        return json({ detail: 'Too many requests' }, 429);
      }
      const n = Number.parseInt(conv[1]!.slice(-12), 16);
      const body = JSON.parse(TEMPLATE.replaceAll(TEMPLATE_ID, conv[1]!).replaceAll('a1b2c3d4e5f60718293a4b5c', hex(n, 8) + 'a1b2c3d4e5f60718').replaceAll('b2c3d4e5f60718293a4b5c6d', hex(n, 8) + 'b2c3d4e5f6071829')) as Record<string, unknown>;
      return json({ ...body, update_time: updated.get(conv[1]!) });
    }
    return json({ detail: 'Not found' }, 404);
  };
  const net = fakeFetch(route);
  const db = createVaultDb(`catchup-${Math.random().toString(36).slice(2)}`);
  const queue = new CaptureQueue(db);
  const pacer = new Pacer({ spacingMs: 0, basePauseMs: 60_000, capPauseMs: 60_000 });
  let stored: unknown = null;
  const watched = new Set<string>();
  let backupRunning = false;
  const deps = {
    db,
    pacer,
    client: ({ origin, account }: { origin: string; account: string | null }) => new BackupClient({ origin, account, pacer, fetch: net.fetch, stopOnRateLimit: true }),
    place: () => Promise.resolve({ origin: ORIGIN, account: null }),
    watched: () => watched,
    backupRunning: () => backupRunning,
    recordConversation: async (text: string, conversationId: string, gizmoId: string | null, { origin, account }: { origin: string; account: string | null }) => {
      await recordConversation(db, queue, { conversationId, gizmoId, reason: 'live', json: text, origin, account, paced: true });
    },
    kick: () => undefined,
    // Through JSON, as storage keeps it.
    load: () => Promise.resolve(parseCatchUpState(JSON.parse(JSON.stringify(stored)) as unknown)),
    save: (s: CatchUpState) => {
      stored = s;
      return Promise.resolve();
    },
    now: () => NOW,
  };
  const backendRequests = () => net.log.filter((r) => r.path.startsWith('/backend-api/'));
  return {
    db, deps, net, watched, pacer, backendRequests,
    state: () => stored as CatchUpState,
    touch: (n: number) => updated.set(convId(n), NOW / 1000 + Math.random()),
    limitNextReads: (n: number) => (limitReads = n),
    setBackupRunning: (v: boolean) => (backupRunning = v),
  };
}

describe('catchUp', () => {
  it('idle checks cost the two listing requests each and read nothing', async () => {
    const t = setup();
    for (let i = 0; i < 3; i++) expect(await catchUp(t.deps)).toBe('checked');
    const paths = t.backendRequests().map((r) => r.path);
    expect(paths).toEqual(Array.from({ length: 3 }, () => ['/backend-api/conversations', '/backend-api/my/recent/image_gen']).flat());
    expect(t.state().result).toEqual({ code: 'nothing-changed' });
    expect(t.state().lastCheck).toBe(NOW);
  });

  it('a conversation changed elsewhere is read once and its files queued like live ones (paced); a watched one is left to its tab', async () => {
    const t = setup();
    await catchUp(t.deps);
    t.touch(2);
    t.touch(3);
    t.watched.add(convId(3));
    const before = t.backendRequests().length;
    await catchUp(t.deps);
    const reads = t.backendRequests().slice(before).filter((r) => r.path.startsWith('/backend-api/conversation/')).map((r) => r.path);
    expect(reads).toEqual([`/backend-api/conversation/${convId(2)}`]);
    const jobs = await t.db.jobs.toArray();
    expect(jobs.length).toBe(2);
    expect(jobs.every((j) => j.conversationId === convId(2) && j.data.paced === true)).toBe(true);
    expect(new Set(t.state().queued)).toEqual(new Set(jobs.map((j) => j.artifactId)));
    expect(t.state().result).toEqual({ code: 'read', conversations: 1, files: 2 });
    // Read once: the next idle check reads it no more.
    const again = t.backendRequests().length;
    await catchUp(t.deps);
    expect(t.backendRequests().length - again).toBe(2);
  });

  it('a 429 ends the check; the pacer\'s pause holds the next one back, and after it the rest is read', async () => {
    const t = setup();
    await catchUp(t.deps);
    t.touch(1);
    t.touch(2);
    t.limitNextReads(1);
    await catchUp(t.deps);
    expect(t.state().result).toEqual({ code: 'rate-limited' });
    expect(t.state().pending.map((p) => p.id).sort()).toEqual([convId(1), convId(2)]);
    expect(t.pacer.remainingPause()).toBeGreaterThan(0);
    const before = t.backendRequests().length;
    expect(await catchUp(t.deps)).toBe('skipped');
    expect(t.backendRequests().length).toBe(before);
    (t.pacer as unknown as { pausedUntil: number }).pausedUntil = 0;
    await catchUp(t.deps);
    expect(t.state().pending).toEqual([]);
    expect(new Set((await t.db.jobs.toArray()).map((j) => j.conversationId))).toEqual(new Set([convId(1), convId(2)]));
  });

  it('never runs while a backup run goes on', async () => {
    const t = setup();
    t.setBackupRunning(true);
    expect(await catchUp(t.deps)).toBe('skipped');
    expect(t.backendRequests()).toEqual([]);
  });

  it('a stored state is validated: junk starts afresh, odd entries are dropped', () => {
    expect(parseCatchUpState(null)).toMatchObject({ lastCheck: null, seen: {}, pending: [] });
    const s = parseCatchUpState({ lastCheck: 5, seen: { a: 1, b: 'x' }, pending: [{ id: 'c', gizmoId: null }, { id: 7 }], queued: ['file:1', 3], place: { origin: ORIGIN, account: 42 } });
    expect(s).toMatchObject({ lastCheck: 5, seen: { a: 1 }, pending: [{ id: 'c', gizmoId: null }], queued: ['file:1'], place: { origin: ORIGIN, account: null } });
  });
});
