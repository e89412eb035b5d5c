// @vitest-environment node
/**
 * The backup runner over a fake-indexeddb vault and a fake ChatGPT backend (a router from URL to Response):
 * listing with paging, archived and project chats, the image library, 429 storms, failing conversations,
 * and resuming from the checkpoint after the worker was stopped mid-run.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { BackupClient } from '@/utils/worker/backup/client';
import { EVERYTHING_RUN } from '@/utils/worker/backup/checkpoint';
import { Pacer } from '@/utils/worker/backup/pacer';
import { BackupRunner, progressOf } from '@/utils/worker/backup/runner';
import { recordConversation } from '@/utils/worker/capture/capture-worker';
import { CaptureQueue } from '@/utils/worker/capture/queue';
import { createVaultDb, finishJob, saveExportIndex, type VaultDb } from '@/utils/vault';
import { saveBytes } from '../../vault/helpers';
import type { PageReadAnswer } from '@/utils/messaging';
import { fakeFetch, type LoggedRequest } from '../../chatgpt/net/fake-fetch';

const ORIGIN = 'https://chatgpt.com';
const PERSONAL = { origin: ORIGIN, account: null };
const TEMPLATE = readFileSync(resolve(__dirname, '../../../fixtures/conversations/image-gen.json'), 'utf8');
const TEMPLATE_ID = '69dc3dc3-8dfc-8333-9e10-000000000002';

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const convId = (n: number) => `00000000-0000-4000-8000-${hex(n, 12)}`;

/** The image-gen fixture as conversation n: its own id and its own file ids. */
function conversation(n: number, extra: { gizmo_id?: string; is_archived?: boolean } = {}) {
  const json = TEMPLATE.replaceAll(TEMPLATE_ID, convId(n)).replaceAll('a1b2c3d4e5f60718293a4b5c', hex(n, 8) + 'a1b2c3d4e5f60718').replaceAll('b2c3d4e5f60718293a4b5c6d', hex(n, 8) + 'b2c3d4e5f6071829');
  const parsed = JSON.parse(json) as Record<string, unknown>;
  return { ...parsed, ...extra, title: `Conversation ${n}` };
}

interface Backend {
  conversations: Map<string, Record<string, unknown>>;
  /** Ids listed by the history but no longer readable (404). */
  deleted: Set<string>;
  /** Ids whose read always fails with 500. */
  broken: Set<string>;
  projects: Map<string, string[]>;
  images: Record<string, unknown>[];
  /** The next this-many JSON requests answer 429 (no Retry-After). */
  storm: number;
  /** Signed out: every backend request answers 401. */
  signedOut?: boolean;
  /** Answers a request before the regular routes (a misbehaving listing). */
  override?: (req: LoggedRequest) => Response | null;
  /** The textdocs route's answer per conversation (none: 404). */
  textdocs?: Map<string, () => Response>;
}

function backend(count: number): Backend {
  const conversations = new Map<string, Record<string, unknown>>();
  for (let n = 1; n <= count; n++) conversations.set(convId(n), conversation(n));
  return { conversations, deleted: new Set(), broken: new Set(), projects: new Map(), images: [], storm: 0 };
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function route(b: Backend, hang?: (req: LoggedRequest) => boolean) {
  return (req: LoggedRequest): Response | Promise<Response> => {
    if (req.path === '/api/auth/session') return json({ accessToken: 'token-123456789', expires: new Date(Date.now() + 3600e3).toISOString() });
    if (hang?.(req)) return new Promise<Response>(() => undefined);
    if (b.signedOut) return json({ detail: 'Unauthorized' }, 401);
    const early = b.override?.(req);
    if (early) return early;
    if (b.storm > 0) {
      b.storm--;
      return json({ detail: 'Too many requests' }, 429);
    }
    const listItem = (c: Record<string, unknown>) => ({
      id: c.conversation_id, title: c.title, update_time: new Date((c.update_time as number) * 1000).toISOString(),
      gizmo_id: c.gizmo_id ?? null, is_archived: c.is_archived === true,
    });
    if (req.path === '/backend-api/conversations') {
      const limit = Number(req.params.get('limit'));
      if (limit > 100) return json({ detail: 'limit' }, 422);
      const offset = Number(req.params.get('offset'));
      const archived = req.params.get('is_archived') === 'true';
      const all = [...b.conversations.values()].filter((c) => (c.is_archived === true) === archived && !c.gizmo_id);
      return json({ items: all.slice(offset, offset + limit).map(listItem), total: all.length, limit, offset });
    }
    if (req.path === '/backend-api/gizmos/snorlax/sidebar') {
      return json({ items: [...b.projects.keys()].map((id) => ({ gizmo: { gizmo: { id, display: { name: id } } }, conversations: { items: [] } })), cursor: null });
    }
    const project = /^\/backend-api\/gizmos\/([^/]+)\/conversations$/.exec(req.path);
    if (project) {
      const ids = b.projects.get(decodeURIComponent(project[1]!)) ?? [];
      const start = Number(req.params.get('cursor') ?? 0);
      const page = ids.slice(start, start + 2);
      return json({ items: page.map((id) => listItem(b.conversations.get(id)!)), cursor: start + 2 < ids.length ? String(start + 2) : null });
    }
    if (req.path === '/backend-api/my/recent/image_gen') {
      const start = Number(req.params.get('after') || 0);
      return json({ items: b.images.slice(start, start + 100), cursor: start + 100 < b.images.length ? String(start + 100) : null });
    }
    const docs = /^\/backend-api\/conversation\/([^/]+)\/textdocs$/.exec(req.path);
    if (docs) return b.textdocs?.get(decodeURIComponent(docs[1]!))?.() ?? json({ detail: 'not found' }, 404);
    const conv = /^\/backend-api\/conversation\/([^/]+)$/.exec(req.path);
    if (conv) {
      const id = decodeURIComponent(conv[1]!);
      if (b.broken.has(id)) return json({ detail: 'boom' }, 500);
      const c = b.conversations.get(id);
      return c && !b.deleted.has(id) ? json(c) : json({ detail: 'not found' }, 404);
    }
    return json({ detail: 'Not Found' }, 404);
  };
}

function setup(
  b: Backend,
  hang?: (req: LoggedRequest) => boolean,
  db: VaultDb = createVaultDb(`backup-${Math.random().toString(36).slice(2)}`),
  tabRead?: (url: string) => Promise<PageReadAnswer>,
) {
  const net = fakeFetch(route(b, hang));
  const queue = new CaptureQueue(db);
  const pacer = new Pacer({ spacingMs: 0, basePauseMs: 5, capPauseMs: 20 });
  const clients = new Map<string, BackupClient>();
  const runner = new BackupRunner({
    db,
    client: (origin, account) => {
      const key = `${origin} ${account}`;
      if (!clients.has(key)) clients.set(key, new BackupClient({ origin, pacer, fetch: net.fetch, transientTries: 2, account, ...(tabRead ? { tabRead } : {}) }));
      return clients.get(key)!;
    },
    recordConversation: async (text, conversationId, gizmoId, { origin, account, source }, readTextdocs) => {
      await recordConversation(db, queue, { conversationId, gizmoId, reason: 'backup', json: text, origin, account, source, readTextdocs });
    },
    kick: () => undefined,
    cancelDownloads: (ids, reason) => queue.cancelDownloads(ids, reason),
    settleEveryMs: 5,
  });
  return { db, runner, log: net.log };
}

/** Plays the download queue: every queued job ends with bytes (as a tab or the worker would deliver them). */
async function deliverAll(db: VaultDb): Promise<number> {
  const jobs = await db.jobs.toArray();
  for (const job of jobs) {
    await saveBytes(db, job.artifactId, new TextEncoder().encode(`bytes of ${job.artifactId}`), { mimeType: 'image/png' });
    await finishJob(db, job.id);
  }
  return jobs.length;
}

async function runToEnd(db: VaultDb, runner: BackupRunner): Promise<void> {
  for (let i = 0; i < 2_000; i++) {
    await deliverAll(db);
    const run = await runner.status(EVERYTHING_RUN);
    if (run?.state === 'done' || run?.state === 'cancelled') return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('the run did not end');
}

const reads = (log: LoggedRequest[]) => log.filter((r) => r.path.startsWith('/backend-api/conversation/')).map((r) => decodeURIComponent(r.path.split('/').pop()!));

describe('BackupRunner', () => {
  it('lists history (two pages), archived and project chats, reads each once, and saves every file', { timeout: 60_000 }, async () => {
    const b = backend(130);
    b.conversations.set(convId(500), conversation(500, { is_archived: true }));
    b.conversations.set(convId(600), conversation(600, { gizmo_id: 'g-p-aaaa' }));
    b.conversations.set(convId(601), conversation(601, { gizmo_id: 'g-p-aaaa' }));
    b.conversations.set(convId(602), conversation(602, { gizmo_id: 'g-p-aaaa' }));
    b.projects.set('g-p-aaaa', [convId(600), convId(601), convId(602)]);
    const { db, runner, log } = setup(b);
    await runner.start('everything', PERSONAL);
    await runToEnd(db, runner);

    const run = (await runner.status(EVERYTHING_RUN))!;
    expect(run.state).toBe('done');
    expect(run.counts.listed).toBe(134);
    expect(run.counts.read).toBe(134);
    expect(new Set(reads(log)).size).toBe(134);
    expect(reads(log)).toHaveLength(134);
    const artifacts = await db.artifacts.toArray();
    // Two images per conversation, all saved by the end, all first brought by the backup.
    expect(artifacts).toHaveLength(268);
    expect(artifacts.every((a) => a.status === 'saved' && a.source === 'backup')).toBe(true);
    expect(run.counts.saved).toBe(268);
    expect(run.waiting).toEqual([]);
    const project = await db.conversations.get(convId(601));
    expect(project?.gizmoId).toBe('g-p-aaaa');
    expect(progressOf(run).value).toBe(progressOf(run).max);
    // Never a page above 100 (the server answers 422 there).
    expect(log.filter((r) => r.path === '/backend-api/conversations').every((r) => Number(r.params.get('limit')) <= 100)).toBe(true);
  });

  it('reads a project chat with its project header, and no other chat with one', async () => {
    const gizmo = `g-p-${'c'.repeat(32)}`;
    const b = backend(2);
    b.conversations.set(convId(700), conversation(700, { gizmo_id: gizmo }));
    b.projects.set(gizmo, [convId(700)]);
    const { db, runner, log } = setup(b);
    await runner.start('everything', PERSONAL);
    await runToEnd(db, runner);
    const header = (id: string) => log.find((r) => r.path === `/backend-api/conversation/${id}`)?.headers['chatgpt-project-id'];
    expect(header(convId(700))).toBe(gizmo);
    expect(header(convId(0))).toBeUndefined();
    expect((await runner.status(EVERYTHING_RUN))!.counts.read).toBe(3);
  });

  describe('canvas documents', () => {
    const CANVAS = JSON.parse(readFileSync(resolve(__dirname, '../../../fixtures/conversations/canvas-2025.json'), 'utf8')) as Record<string, unknown>;
    const CANVAS_ID = CANVAS.conversation_id as string;
    const DOC = '67b0c0ffee0000000000ca01';
    const EDITED = '# Trip plan\n\nDay 1: Lisbon.\nDay 2: Sintra.\nDay 3: Porto ($40 train).\nDay 4: back home.\n';
    const textdocsReads = (log: LoggedRequest[]) => log.filter((r) => r.path.endsWith('/textdocs'));
    const textOf = async (db: VaultDb, textdocId: string) => {
      const a = (await db.artifacts.toArray()).find((x) => x.textdocId === textdocId);
      return a?.sha256 ? (await db.blobs.get(a.sha256))!.blob.text() : null;
    };

    it('reads the textdocs of a conversation that has canvas documents (of no other, and not again while it is unchanged) and saves their text', async () => {
      const gizmo = `g-p-${'d'.repeat(32)}`;
      const b = backend(2);
      b.conversations.set(CANVAS_ID, { ...CANVAS, gizmo_id: gizmo });
      b.projects.set(gizmo, [CANVAS_ID]);
      b.textdocs = new Map([[CANVAS_ID, () => json([{ id: DOC, version: 3, content: EDITED, title: 'Trip plan', textdoc_type: 'document' }])]]);
      const { db, runner, log } = setup(b);
      await runner.start('everything', PERSONAL);
      await runToEnd(db, runner);
      expect(textdocsReads(log).map((r) => [r.path, r.headers['chatgpt-project-id']])).toEqual([[`/backend-api/conversation/${CANVAS_ID}/textdocs`, gizmo]]);
      expect(await textOf(db, DOC)).toBe(EDITED);
      expect(await textOf(db, `${DOC}@v2`)).toMatch(/Day 3: Porto \(\$40 train\)\.\n$/);
      await runner.start('everything', PERSONAL);
      await runToEnd(db, runner);
      expect(textdocsReads(log)).toHaveLength(1);
    });

    it.each([
      ['a 404', () => json({ detail: 'not found' }, 404)],
      ['a server error', () => json({ detail: 'boom' }, 500)],
      ['an unknown shape', () => json({ documents: [] })],
    ])('%s: the conversation is read and its canvas texts are rebuilt from the messages', async (_, answer) => {
      const b = backend(0);
      b.conversations.set(CANVAS_ID, CANVAS);
      b.textdocs = new Map([[CANVAS_ID, answer]]);
      const { db, runner, log } = setup(b);
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      try {
        await runner.start('everything', PERSONAL);
        await runToEnd(db, runner);
      } finally {
        warn.mockRestore();
      }
      const run = (await runner.status(EVERYTHING_RUN))!;
      expect([run.counts.read, run.counts.failed]).toEqual([1, 0]);
      expect(textdocsReads(log).length).toBeGreaterThanOrEqual(1);
      expect(await textOf(db, DOC)).toBe('# Trip plan\n\nDay 1: Lisbon.\nDay 2: Sintra.\nDay 3: Porto ($40 train).\n');
      expect(await textOf(db, `${DOC}@v2`)).toBeNull();
    });
  });

  it('a second run reads nothing that did not change and queues nothing', async () => {
    const b = backend(5);
    const { db, runner, log } = setup(b);
    await runner.start('everything', PERSONAL);
    await runToEnd(db, runner);
    const before = reads(log).length;
    await runner.start('everything', PERSONAL);
    await runToEnd(db, runner);
    const run = (await runner.status(EVERYTHING_RUN))!;
    expect(reads(log).length).toBe(before);
    expect(run.counts.skipped).toBe(5);
    expect(run.counts.queued).toBe(0);
  });

  it('a restored snapshot never counts as current: a forged 9e12 update time is read again and its forged title replaced', async () => {
    const b = backend(2);
    const { db, runner, log } = setup(b);
    await runner.start('everything', PERSONAL);
    await runToEnd(db, runner);
    // What a forged archive leaves (utils/archive/read.ts writes restored rows this way), and a tab copy.
    await db.conversations.update(convId(1), { title: 'Forged', updateTime: 9e12, source: 'restored' });
    await db.conversations.update(convId(2), { title: 'From a tab', updateTime: 9e12, source: 'tab' });
    const before = reads(log).length;
    await runner.start('everything', PERSONAL);
    await runToEnd(db, runner);
    expect(reads(log).slice(before).sort()).toEqual([convId(1), convId(2)]);
    const [one, two] = await db.conversations.bulkGet([convId(1), convId(2)]);
    expect(one).toMatchObject({ title: 'Conversation 1' });
    expect(one?.source).toBeUndefined();
    expect(two).toMatchObject({ title: 'Conversation 2' });
  });

  it('a conversation a tab read for the run (the backend refused the worker) is kept as the tab\'s copy, never as the backend\'s', async () => {
    const b = backend(2);
    // The tab's page is served: only the worker is refused.
    const tab = fakeFetch(route({ ...b }));
    b.override = (req) => (req.path.startsWith('/backend-api/') ? json({ detail: 'Forbidden' }, 403) : null);
    const tabRead = async (url: string): Promise<PageReadAnswer> => {
      const res = await tab.fetch(url);
      return { status: res.status, text: await res.text(), retryAfter: res.headers.get('retry-after') };
    };
    const { db, runner } = setup(b, undefined, undefined, tabRead);
    await runner.start('everything', PERSONAL);
    await runToEnd(db, runner);
    expect((await runner.status(EVERYTHING_RUN))?.counts.read).toBe(2);
    const rows = await db.conversations.bulkGet([convId(1), convId(2)]);
    expect(rows.map((r) => [r?.title, r?.source])).toEqual([['Conversation 1', 'tab'], ['Conversation 2', 'tab']]);
  });

  it('offsets that never end: a full page with nothing new ends the listing, and the summary says so', { timeout: 30_000 }, async () => {
    const b = backend(100);
    const all = [...b.conversations.values()];
    // The server ignores the offset: every page is the first one, with no total.
    b.override = (req) => req.path === '/backend-api/conversations' && req.params.get('is_archived') !== 'true' && Number(req.params.get('limit')) === 100
      ? json({ items: all.map((c) => ({ id: c.conversation_id, title: c.title, update_time: new Date((c.update_time as number) * 1000).toISOString() })), limit: 100 })
      : null;
    const { db, runner, log } = setup(b);
    await runner.start('everything', PERSONAL);
    await runToEnd(db, runner);
    const run = (await runner.status(EVERYTHING_RUN))!;
    expect(run.counts.listed).toBe(100);
    expect(log.filter((r) => r.path === '/backend-api/conversations' && r.params.get('is_archived') !== 'true' && r.params.get('limit') === '100')).toHaveLength(2);
    expect(run.step).toMatch(/the conversation list repeated itself at offset 100, so it was stopped there/);
  });

  it('a cursor cycle A -> B -> A in the image library and the project list: each stops at the repeat, the summary says so', { timeout: 30_000 }, async () => {
    const b = backend(1);
    const image = (n: number) => ({ asset_pointer: `sediment://file_${hex(n, 32)}`, conversation_id: convId(1), message_id: 'm', generation_id: `gen_${n}`, created_at: 1776000000 });
    const next: Record<string, string> = { '': 'A', A: 'B', B: 'A' };
    b.override = (req) => {
      const at = req.params.get('cursor') ?? req.params.get('after') ?? '';
      if (req.path === '/backend-api/my/recent/image_gen') return json({ items: [image(at.charCodeAt(0) || 1)], cursor: next[at] });
      if (req.path === '/backend-api/gizmos/snorlax/sidebar') {
        return json({ items: [{ gizmo: { gizmo: { id: `g-p-${at || 'first'}`, display: { name: 'p' } } }, conversations: { items: [] } }], cursor: next[at] });
      }
      return null;
    };
    const { db, runner, log } = setup(b);
    await runner.start('everything', PERSONAL);
    await runToEnd(db, runner);
    const run = (await runner.status(EVERYTHING_RUN))!;
    expect(run.state).toBe('done');
    expect(log.filter((r) => r.path === '/backend-api/my/recent/image_gen')).toHaveLength(3);
    expect(log.filter((r) => r.path === '/backend-api/gizmos/snorlax/sidebar')).toHaveLength(3);
    expect(run.step).toMatch(/the image library came back to a page it had listed, so it was stopped there/);
    expect(run.step).toMatch(/the project list came back to a page it had listed, so it was stopped there/);
  });

  it('rides out a 429 storm and records an unreadable conversation without stopping', async () => {
    const b = backend(6);
    b.storm = 7;
    b.broken.add(convId(3));
    b.deleted.add(convId(4));
    const { db, runner, log } = setup(b);
    await runner.start('everything', PERSONAL);
    await runToEnd(db, runner);
    const run = (await runner.status(EVERYTHING_RUN))!;
    expect(run.state).toBe('done');
    expect(run.counts.read).toBe(4);
    expect(run.counts.failed).toBe(2);
    const failed = await db.backupItems.where('runId').equals(EVERYTHING_RUN).and((i) => i.state === 'failed').toArray();
    expect(failed.map((i) => [i.conversationId, i.reason]).sort()).toEqual([
      [convId(3), 'ChatGPT answered (HTTP 500)'],
      [convId(4), 'The conversation is gone (HTTP 404)'],
    ]);
    expect(log.length).toBeGreaterThan(7);
  });

  it('saves images known only to the image library with gen_id, message and recreation_prompt; one artifact for an image found both ways', async () => {
    const b = backend(2);
    const shared = `file_00000000${hex(1, 8)}a1b2c3d4e5f60718`;
    const inConversation = { asset_pointer: `sediment://${shared}`, conversation_id: convId(1), message_id: 'm1', generation_id: 'g1', recreation_prompt: 'a fox, watercolour' };
    const orphan = { asset_pointer: `sediment://file_${'e'.repeat(32)}`, conversation_id: convId(99), message_id: 'msg-gone', generation_id: 'gen-gone', recreation_prompt: 'a lighthouse at dusk', created_at: 1776000000 };
    b.images = [inConversation, orphan];
    const { db, runner } = setup(b);
    await runner.start('everything', PERSONAL);
    await runToEnd(db, runner);
    const run = (await runner.status(EVERYTHING_RUN))!;
    expect(run.counts.imagesListed).toBe(2);
    expect(run.counts.imagesOnlyInLibrary).toBe(1);
    const gone = await db.artifacts.get(`file:file_${'e'.repeat(32)}`);
    expect(gone).toMatchObject({ status: 'saved', source: 'backup', conversationId: convId(99), messageId: 'msg-gone', genId: 'gen-gone', prompt: 'a lighthouse at dusk' });
    expect((await db.artifacts.toArray()).filter((a) => a.fileId === shared)).toHaveLength(1);
    // Recording the library item again only fills gaps: the prompt read from the conversation stays.
    expect((await db.artifacts.get(`file:${shared}`))?.prompt).toMatch(/^A lighthouse/);
  });

  it('signed out mid-run: the run pauses with the reason instead of failing every conversation, and Resume finishes it', async () => {
    const b = backend(6);
    let served = 0;
    const { db, runner } = setup(b, (req) => {
      if (req.path.startsWith('/backend-api/conversation/') && ++served === 3) b.signedOut = true;
      return false;
    });
    await runner.start('everything', PERSONAL);
    for (let i = 0; i < 2_000 && (await runner.status(EVERYTHING_RUN))?.state === 'running'; i++) {
      await deliverAll(db);
      await new Promise((r) => setTimeout(r, 5));
    }
    const paused = (await runner.status(EVERYTHING_RUN))!;
    expect(paused.state).toBe('paused');
    expect(paused.error).toMatch(/signed out/);
    expect(paused.counts.failed).toBe(0);
    expect(paused.counts.read).toBe(2);
    b.signedOut = false;
    await runner.resume(EVERYTHING_RUN);
    await runToEnd(db, runner);
    const done = (await runner.status(EVERYTHING_RUN))!;
    expect(done.state).toBe('done');
    expect(done.counts).toMatchObject({ read: 6, failed: 0 });
  });

  it('a workspace run speaks for its workspace: every JSON request carries ChatGPT-Account-Id, every download keeps the origin and workspace', async () => {
    const b = backend(2);
    b.images = [{ asset_pointer: `sediment://file_${'d'.repeat(32)}`, conversation_id: convId(98), message_id: 'm', generation_id: 'g', recreation_prompt: 'a kite', created_at: 1776000000 }];
    const { db, runner, log } = setup(b);
    await runner.start('everything', { origin: 'https://chat.openai.com', account: 'ws-team-0001' });
    const jobData: Record<string, unknown>[] = [];
    for (let i = 0; i < 2_000 && (await runner.status(EVERYTHING_RUN))?.state !== 'done'; i++) {
      jobData.push(...(await db.jobs.toArray()).map((j) => j.data));
      await deliverAll(db);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect((await runner.status(EVERYTHING_RUN))?.state).toBe('done');
    const api = log.filter((r) => r.path.startsWith('/backend-api/') && !r.path.startsWith('/backend-api/accounts/'));
    expect(api.length).toBeGreaterThan(4);
    expect(api.every((r) => r.url.startsWith('https://chat.openai.com/') && r.headers['chatgpt-account-id'] === 'ws-team-0001')).toBe(true);
    // Two images per conversation and the library-only one, each queued for that origin and workspace.
    expect(new Set(jobData.map((d) => JSON.stringify([d.origin, d.account])))).toEqual(new Set([JSON.stringify(['https://chat.openai.com', 'ws-team-0001'])]));
    expect(await db.artifacts.count()).toBe(5);
  });

  it('resumes from the checkpoint after the worker stopped mid-run: nothing lost, nothing read twice', async () => {
    const b = backend(12);
    const db = createVaultDb(`backup-${Math.random().toString(36).slice(2)}`);
    let served = 0;
    // The first worker "dies" on its 6th conversation read: that request never answers.
    const first = setup(b, (req) => req.path.startsWith('/backend-api/conversation/') && ++served === 6, db);
    await first.runner.start('everything', PERSONAL);
    while (served < 6) await new Promise((r) => setTimeout(r, 5));
    const readByFirst = new Set(reads(first.log).slice(0, 5));
    // A new worker on the same vault, as after a restart.
    const second = setup(b, undefined, db);
    await second.runner.resumeAll();
    await runToEnd(db, second.runner);
    const run = (await second.runner.status(EVERYTHING_RUN))!;
    expect(run.state).toBe('done');
    expect(run.counts.read).toBe(12);
    const again = reads(second.log).filter((id) => readByFirst.has(id));
    expect(again).toEqual([]);
    expect(reads(second.log)).toHaveLength(7);
    expect(await db.artifacts.count()).toBe(24);
    expect((await db.artifacts.toArray()).every((a) => a.status === 'saved')).toBe(true);
  });

  it('Cancel drops the files the run queued: each ends failed with the reason, no attempt counted, no job left', async () => {
    const b = backend(30);
    const { db, runner, log } = setup(b);
    await runner.start('everything', PERSONAL);
    while (reads(log).length < 4) await new Promise((r) => setTimeout(r, 2));
    const cancelled = await runner.cancel(EVERYTHING_RUN);
    expect(cancelled?.state).toBe('cancelled');
    const artifacts = await db.artifacts.toArray();
    expect(artifacts.length).toBeGreaterThan(0);
    expect(await db.jobs.count()).toBe(0);
    for (const a of artifacts) {
      expect(a).toMatchObject({ status: 'failed', attempts: 0, reason: 'The backup was cancelled before this file was downloaded' });
    }
    expect(cancelled?.counts.filesFailed).toBe(artifacts.length);
    expect(cancelled?.waiting).toEqual([]);
  });

  it('Pause stops before the next request, Resume goes on, Cancel ends the run', async () => {
    const b = backend(30);
    const { db, runner, log } = setup(b);
    await runner.start('everything', PERSONAL);
    while (reads(log).length < 3) await new Promise((r) => setTimeout(r, 2));
    const paused = await runner.pause(EVERYTHING_RUN);
    expect(paused?.state).toBe('paused');
    const atPause = log.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(log.length).toBe(atPause);
    await runner.resume(EVERYTHING_RUN);
    while (reads(log).length < 8) await new Promise((r) => setTimeout(r, 2));
    const cancelled = await runner.cancel(EVERYTHING_RUN);
    expect(cancelled?.state).toBe('cancelled');
    const atCancel = log.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(log.length).toBe(atCancel);
    expect((await db.backupRuns.get(EVERYTHING_RUN))?.state).toBe('cancelled');
    expect(reads(log).length).toBeLessThan(30);
  });

  describe('export-first', () => {
    /** Conversations 1-10: the export shows 1-9 without artifacts, 10 with one; 8 changed since; 11 is newer than the export. */
    async function exportFirstRun(useExport: boolean) {
      const b = backend(11);
      const db = createVaultDb(`backup-${Math.random().toString(36).slice(2)}`);
      const updateOf = (n: number) => b.conversations.get(convId(n))!.update_time as number;
      b.conversations.get(convId(8))!.update_time = updateOf(8) + 60;
      const index = Array.from({ length: 10 }, (_, i) => i + 1).map((n) => ({
        id: convId(n), updateTime: n === 8 ? updateOf(8) - 60 : updateOf(n), artifacts: n === 10,
      }));
      const meta = await saveExportIndex(db, { name: 'chatgpt-export.zip', reconciledAt: 1 }, index);
      const { runner, log } = setup(b, undefined, db);
      await runner.start('everything', PERSONAL, null, useExport ? meta : null);
      await runToEnd(db, runner);
      return { run: (await runner.status(EVERYTHING_RUN))!, log, db };
    }

    it('reads only the conversations the export shows with artifacts, changed since, or not at all; the summary says how many reads it saved', async () => {
      const { run, log, db } = await exportFirstRun(true);
      expect(new Set(reads(log))).toEqual(new Set([convId(8), convId(10), convId(11)]));
      expect(run.counts.read).toBe(3);
      expect(run.counts.exportSkipped).toBe(8);
      expect(run.counts.skipped).toBe(8);
      expect(run.step).toContain('8 reads saved by the export chatgpt-export.zip');
      const skipped = await db.backupItems.where('[runId+state+order]').between([EVERYTHING_RUN, 'skipped', -Infinity], [EVERYTHING_RUN, 'skipped', Infinity]).toArray();
      expect(skipped.map((i) => i.conversationId).sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 9].map(convId).sort());
      expect(progressOf(run).value).toBe(progressOf(run).max);
    });

    it('without the export every conversation is read (the index alone changes nothing)', async () => {
      const { run, log } = await exportFirstRun(false);
      expect(reads(log)).toHaveLength(11);
      expect(run.counts.exportSkipped ?? 0).toBe(0);
      expect(run.step).not.toContain('reads saved');
    });
  });
});
