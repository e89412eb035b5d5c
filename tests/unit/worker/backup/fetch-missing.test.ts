// @vitest-environment node
/**
 * `Fetch missing files` in the background over a fake-indexeddb vault and a fake ChatGPT backend: items end
 * saved (with the report's provenance), expired or failed with the reason; every JSON request goes one at a
 * time through the Pacer (a 429 pauses it and the item is tried again); a stopped worker resumes the run;
 * Pause and Cancel stop it. Also the page's list is checked before anything runs.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkFetchItems, FETCH_RUN, FetchMissingRunner } from '@/utils/worker/backup/fetch-missing';
import { Pacer } from '@/utils/worker/backup/pacer';
import { WorkerNet } from '@/utils/chatgpt/net/worker-net';
import type { FetchMissingRequestItem } from '@/utils/messaging';
import { createVaultDb, type VaultDb } from '@/utils/vault';
import { fakeFetch, type LoggedRequest } from '../../chatgpt/net/fake-fetch';

const ORIGIN = 'https://chatgpt.com';
const CID = '11111111-1111-4111-8111-111111111111';
const ALIVE = `file_${'e5'.padStart(32, '0')}`;
const GONE = `file_${'f2'.padStart(32, '0')}`;
const CSV = '/mnt/data/results.csv';
/** A project chat (docs: surface 4.7): its file resolutions are refused without `chatgpt-project-id`. */
const PROJECT = `g-p-${'9a'.repeat(16)}`;
const PROJECT_CID = '22222222-2222-4222-8222-222222222222';
const IN_PROJECT = `file_${'a1'.padStart(32, '0')}`;
const IN_PROJECT_TOO = `file_${'a2'.padStart(32, '0')}`;
const png = (tag: string) => new TextEncoder().encode(`\x89PNG\r\n\x1a\n${tag} `.repeat(20));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const ITEMS: FetchMissingRequestItem[] = [
  { key: 4, kind: 'image', conversationId: CID, messageId: 'msg-img', fileId: ALIVE, genId: 'gen-e', fileName: 'fox.png', sandboxPath: null, prompt: 'a fox poster' },
  { key: 7, kind: 'image', conversationId: CID, messageId: 'msg-gone', fileId: GONE, genId: null, fileName: 'g.png', sandboxPath: null, prompt: null },
  { key: 9, kind: 'sandbox-file', conversationId: CID, messageId: 'msg-csv', fileId: null, genId: null, fileName: 'results.csv', sandboxPath: CSV, prompt: null },
];

interface Backend {
  /** JSON requests in flight right now, and the most ever at once. */
  inFlight: number;
  maxInFlight: number;
  /** The next this-many JSON requests answer 429. */
  storm: number;
  signedOut: boolean;
  /** JSON requests hang while true (to stop a run mid-way), until `release` lets those waiting go on. */
  hang: boolean;
  release: () => void;
  held: Promise<void>;
}

function route(b: Backend) {
  return async (req: LoggedRequest): Promise<Response> => {
    if (req.path === '/api/auth/session') return json({ accessToken: 'token-123456789', expires: new Date(Date.now() + 3600e3).toISOString() });
    if (req.path.startsWith('/bytes/')) {
      const body = req.path === '/bytes/csv' ? new TextEncoder().encode('a,b\n1,2\n') : png(req.path);
      return new Response(body, { headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.length) } });
    }
    b.inFlight++;
    b.maxInFlight = Math.max(b.maxInFlight, b.inFlight);
    try {
      if (b.hang) await b.held;
      await new Promise((r) => setTimeout(r, 2));
      if (b.signedOut) return json({ detail: 'Unauthorized' }, 401);
      if (b.storm > 0) {
        b.storm--;
        return json({ detail: 'Too many requests' }, 429);
      }
      const success = (url: string) => json({ status: 'success', download_url: url, file_name: null, file_size_bytes: null, mime_type: null });
      if (req.path.includes(`/files/download/${ALIVE}`)) return success('https://files.oaiusercontent.com/bytes/alive?se=2099');
      for (const id of [IN_PROJECT, IN_PROJECT_TOO]) {
        if (!req.path.includes(`/files/download/${id}`)) continue;
        // As ChatGPT (and the fake) answer a project chat's file without the project header: as if it did not exist.
        if (req.headers['chatgpt-project-id'] !== PROJECT) return json({ detail: { code: 'conversation_not_found' } }, 404);
        return success(`https://files.oaiusercontent.com/bytes/${id}?se=2099`);
      }
      if (req.path.includes(GONE)) return json({ status: 'error', error_code: 'file_not_found', error_message: 'File not found' });
      if (req.path === `/backend-api/conversation/${CID}/interpreter/download` && req.params.get('message_id') === 'msg-csv' && req.params.get('sandbox_path') === CSV) {
        return success('https://files.oaiusercontent.com/bytes/csv?se=2099');
      }
      return json({ detail: 'not found' }, 404);
    } finally {
      b.inFlight--;
    }
  };
}

function setup(b: Backend, db: VaultDb = createVaultDb(`fetch-${Math.random().toString(36).slice(2)}`)) {
  const fake = fakeFetch(route(b));
  const net = new WorkerNet(fake.fetch);
  const pacer = new Pacer({ spacingMs: 0, basePauseMs: 5, capPauseMs: 20 });
  const runner = new FetchMissingRunner({ db, pacer, context: (o, a) => net.context(o, a) });
  return { db, runner, log: fake.log };
}

function backend(over: Partial<Pick<Backend, 'storm' | 'signedOut' | 'hang'>> = {}): Backend {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  return { inFlight: 0, maxInFlight: 0, storm: 0, signedOut: false, hang: false, release, held, ...over };
}

async function until<T>(fn: () => Promise<T | null | undefined | false>, what: string): Promise<T> {
  for (let i = 0; i < 2_000; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const finished = (runner: FetchMissingRunner) => until(async () => {
  const r = await runner.status();
  return r && (r.state === 'done' || r.state === 'cancelled' || (r.state === 'paused' && !runner.isBusy())) ? r : null;
}, 'the run to end');

describe('FetchMissingRunner', () => {
  it('saves what is still there with the report\'s provenance, marks the rest expired with the reason, one JSON request at a time', async () => {
    const b = backend({ storm: 1 });
    const { db, runner, log } = setup(b);
    await runner.start(ITEMS, { origin: ORIGIN, account: null }, 'report-1');
    const run = await finished(runner);
    expect(run.state).toBe('done');
    expect(run.counts).toEqual({ saved: 2, expired: 1, failed: 0 });
    expect(run.reportToken).toBe('report-1');
    expect(b.maxInFlight).toBe(1);
    expect(log.filter((r) => r.path.startsWith('/backend-api/')).length).toBeGreaterThanOrEqual(5);

    const results = await runner.results();
    expect(results.map((r) => [r.key, r.state])).toEqual([[4, 'saved'], [7, 'expired'], [9, 'saved']]);
    expect(results[1]!.reason).toBe('File not found');
    expect(results[0]!.sha256).toBe(sha(png('/bytes/alive')));

    const image = (await db.artifacts.get(`file:${ALIVE}`))!;
    expect(image).toMatchObject({ status: 'saved', conversationId: CID, messageId: 'msg-img', genId: 'gen-e', prompt: 'a fox poster', sha256: sha(png('/bytes/alive')), source: 'backup' });
    expect(image.fileName).toMatch(/^fox\.png$/);
    expect((await db.artifacts.get(`file:${GONE}`))).toMatchObject({ status: 'expired', reason: 'File not found' });
    const csv = (await db.artifacts.get(`sandbox:${CID}:${CSV}`))!;
    expect(csv).toMatchObject({ status: 'saved', messageId: 'msg-csv', sha256: sha(new TextEncoder().encode('a,b\n1,2\n')) });
    expect(await (await db.blobs.get(csv.sha256!))!.blob.text()).toBe('a,b\n1,2\n');
  });

  it('a stopped worker: the next runner over the same vault resumes the run and fetches each item once', async () => {
    const b = backend({ hang: true });
    const first = setup(b);
    await first.runner.start(ITEMS, { origin: ORIGIN, account: null }, 'report-2');
    await until(() => Promise.resolve(b.inFlight > 0), 'a request in flight');
    // The worker stops mid-request: a second runner over the same database takes over.
    b.hang = false;
    const second = setup(b, first.db);
    await second.runner.resumeAll();
    const run = await until(async () => {
      const r = await first.db.fetchRuns.get(FETCH_RUN);
      return r?.state === 'done' ? r : null;
    }, 'the resumed run');
    expect(run.counts.saved + run.counts.expired).toBe(3);
    expect(second.log.filter((r) => r.path.includes(ALIVE)).length).toBe(1);
  });

  it('Pause keeps the checkpoint, Resume finishes it, Cancel ends it; a second start returns the run going on', async () => {
    const b = backend({ hang: true });
    const { runner } = setup(b);
    await runner.start(ITEMS, { origin: ORIGIN, account: null }, 'report-3');
    const again = await runner.start([ITEMS[0]!], { origin: ORIGIN, account: null }, 'other');
    expect(again.reportToken).toBe('report-3');
    await until(() => Promise.resolve(b.inFlight > 0), 'a request in flight');
    // Pause answers at once, even with a resolution hanging.
    expect((await runner.pause())?.state).toBe('paused');
    expect(runner.isBusy()).toBe(false);
    // The request that was hanging answers late: dropped, and asked again after Resume.
    b.hang = false;
    b.release();
    await runner.resume();
    const run = await finished(runner);
    expect(run.state).toBe('done');
    expect(run.counts.saved).toBe(2);
    expect((await runner.cancel())?.state).toBe('done');
  });

  it('a project chat\'s files are resolved with its project header: from the export\'s item, else from the vault\'s conversation', async () => {
    const b = backend();
    const { db, runner, log } = setup(b);
    await db.conversations.put({ id: PROJECT_CID, title: 'Office move', updateTime: 1, savedAt: 1, gizmoId: PROJECT });
    const base = { kind: 'image' as const, conversationId: PROJECT_CID, genId: null, sandboxPath: null, prompt: null };
    await runner.start([
      { ...base, key: 1, messageId: 'm1', fileId: IN_PROJECT, fileName: 'plan.png', gizmoId: PROJECT },
      { ...base, key: 2, messageId: 'm2', fileId: IN_PROJECT_TOO, fileName: 'plan2.png' },
    ], { origin: ORIGIN, account: null }, 'report-p');
    const run = await finished(runner);
    expect(await runner.results()).toMatchObject([{ key: 1, state: 'saved' }, { key: 2, state: 'saved' }]);
    expect(run.counts.saved).toBe(2);
    const resolutions = log.filter((r) => r.path.startsWith('/backend-api/files/download/'));
    expect(resolutions.map((r) => r.headers['chatgpt-project-id'])).toEqual([PROJECT, PROJECT]);
  });

  it('signed out: the run pauses with the reason instead of failing every item', async () => {
    const { runner } = setup(backend({ signedOut: true }));
    await runner.start(ITEMS, { origin: ORIGIN, account: null }, 'report-4');
    const run = await finished(runner);
    expect(run.state).toBe('paused');
    expect(run.step).toMatch(/signed in/);
    expect(await runner.results()).toEqual([]);
  });
});

describe('checkFetchItems', () => {
  it('keeps fetchable items, drops the rest, refuses a malformed list whole', () => {
    const kept = checkFetchItems([
      ...ITEMS,
      { ...ITEMS[0]!, key: 20, fileId: 'libfile_abc' },
      { ...ITEMS[2]!, key: 21, messageId: '' },
      { ...ITEMS[2]!, key: 22, sandboxPath: '/etc/passwd' },
      { ...ITEMS[0]!, key: 23, kind: 'canvas' },
    ]);
    expect(kept.map((i) => i.key)).toEqual([4, 7, 9]);
    // Only a project's id travels as the project header; anything else is dropped, not sent.
    const [project, gpt] = checkFetchItems([{ ...ITEMS[0]!, gizmoId: PROJECT }, { ...ITEMS[1]!, gizmoId: 'g-abc; x' }]);
    expect(project!.gizmoId).toBe(PROJECT);
    expect(gpt!.gizmoId).toBeNull();
    expect(() => checkFetchItems({})).toThrow(/array/);
    expect(() => checkFetchItems([{ ...ITEMS[0]!, kind: 'bogus' }])).toThrow(/kind/);
    expect(() => checkFetchItems([ITEMS[0], ITEMS[0]])).toThrow(/key/);
  });
});
