// @vitest-environment node
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { recordConversation, startCaptureBackground, workspaceOf } from '@/utils/worker/capture/capture-worker';
import { WorkerNet } from '@/utils/chatgpt/net/worker-net';
import { removeAllListeners } from '@/utils/messaging';
import { CaptureQueue } from '@/utils/worker/capture/queue';
import { walkConversation } from '@/utils/chatgpt/walker';
import { artifactIdentity } from '@/utils/model';
import { captureKinds, lastWorkspace } from '@/utils/storage';
import { createVaultDb, fetchJobId, listArtifacts, markStatus, type VaultDb } from '@/utils/vault';
import { getSnapshot } from '../../vault/helpers';
import { fakeFetch, json } from '../../chatgpt/net/fake-fetch';
import { fakePort } from '../../helpers';

const fixture = (name: string) => readFileSync(resolve(__dirname, '../../../fixtures/conversations', name), 'utf8');
const MIXED = fixture('mixed-2026.json');
const MIXED_ID = (JSON.parse(MIXED) as { conversation_id: string }).conversation_id;
const UPLOADS = fixture('uploads.json');
const UPLOADS_ID = (JSON.parse(UPLOADS) as { conversation_id: string }).conversation_id;

/** The walker's own answer for a fixture: identity and kind of every ref. */
function expectedRefs(json: string) {
  return walkConversation(JSON.parse(json)).refs.map((r) => ({ id: artifactIdentity(r)!, kind: r.kind }));
}

function setup() {
  const db: VaultDb = createVaultDb(`t-${Math.random().toString(36).slice(2)}`);
  // A queue without executors: recordConversation kicks it, nothing runs (and no timer is left behind).
  const queue = new CaptureQueue(db);
  return { db, queue };
}

const read = (conversationId: string, json: string, over: Partial<{ gizmoId: string | null; reason: 'live' | 'backup' }> = {}) => ({
  conversationId, json, gizmoId: null, reason: 'live' as const, ...over,
});

/** Starts the background on `db` (a fresh vault by default) with `doFetch` as its network. */
function start(db: VaultDb = createVaultDb(`t-${Math.random().toString(36).slice(2)}`), doFetch: typeof fetch = () => Promise.reject(new TypeError('offline'))) {
  // No network by default: the worker has nothing to download in these tests.
  const net = new WorkerNet(doFetch);
  // The fake browser has no ports; these tests need none.
  vi.spyOn(fakeBrowser.runtime.onConnect, 'addListener').mockImplementation(() => undefined);
  startCaptureBackground(db, net);
}

describe('recordConversation', () => {
  it('records every ref, stores the snapshot as received and queues one job per artifact', async () => {
    const { db, queue } = setup();
    const expected = expectedRefs(MIXED);
    expect(expected.map((r) => r.kind).sort()).toEqual(['chart', 'image', 'image', 'sandbox-file', 'sandbox-file']);

    const status = await recordConversation(db, queue, read(MIXED_ID, MIXED, { gizmoId: 'g-p-0123' }));
    const records = await listArtifacts(db, { conversationId: MIXED_ID });
    expect(records.map((r) => ({ id: r.id, kind: r.kind })).sort((a, b) => a.id.localeCompare(b.id)))
      .toEqual([...expected].sort((a, b) => a.id.localeCompare(b.id)));
    for (const r of records) expect(r).toMatchObject({ status: 'pending', source: 'live', conversationTitle: 'Quarterly dashboard' });
    expect(await getSnapshot(db, MIXED_ID)).toBe(MIXED);
    expect(await db.conversations.get(MIXED_ID)).toMatchObject({ title: 'Quarterly dashboard', gizmoId: 'g-p-0123' });
    const jobs = await db.jobs.toArray();
    expect(jobs.map((j) => j.id).sort()).toEqual(expected.map((r) => fetchJobId(r.id)).sort());
    for (const j of jobs) expect(j).toMatchObject({ conversationId: MIXED_ID, attempts: 0, data: { gizmoId: 'g-p-0123' } });
    const { nodeIds, ...rest } = status;
    expect(rest).toEqual({
      conversationId: MIXED_ID, title: 'Quarterly dashboard', counts: { saved: 0, pending: 5, expired: 0, failed: 0 }, queued: 5, imagesPending: 0,
    });
    // The receipt names every node, so the tab can tell known turns from new ones without scanning the JSON.
    expect(new Set(nodeIds)).toEqual(new Set(Object.keys((JSON.parse(MIXED) as { mapping: object }).mapping)));
  });

  it('a record cut short (worker stopped, write refused) stores no snapshot, so a later backup reads it again', async () => {
    const { db, queue } = setup();
    vi.spyOn(db.jobs, 'get').mockRejectedValue(new Error('worker stopped'));
    await expect(recordConversation(db, queue, read(MIXED_ID, MIXED, { reason: 'backup' }))).rejects.toThrow('worker stopped');
    expect(await getSnapshot(db, MIXED_ID)).toBeNull();
  });

  it('reading the same conversation again adds nothing', async () => {
    const { db, queue } = setup();
    await recordConversation(db, queue, read(MIXED_ID, MIXED));
    const before = { artifacts: await db.artifacts.toArray(), jobs: await db.jobs.toArray() };
    const status = await recordConversation(db, queue, read(MIXED_ID, MIXED));
    expect(await db.artifacts.toArray()).toEqual(before.artifacts);
    expect((await db.jobs.toArray()).map((j) => j.id)).toEqual(before.jobs.map((j) => j.id));
    expect(status.queued).toBe(5);
  });

  it('uploads are off by default: neither recorded nor queued', async () => {
    const { db, queue } = setup();
    expect(expectedRefs(UPLOADS).every((r) => r.kind === 'upload')).toBe(true);
    const status = await recordConversation(db, queue, read(UPLOADS_ID, UPLOADS));
    expect(await db.artifacts.count()).toBe(0);
    expect(await db.jobs.count()).toBe(0);
    expect(await getSnapshot(db, UPLOADS_ID)).toBe(UPLOADS); // the conversation itself is still kept
    expect(status).toMatchObject({ counts: { pending: 0 }, queued: 0, title: 'Photo and report' });
  });

  it('uploads are recorded and queued once the person turns them on', async () => {
    const { db, queue } = setup();
    await captureKinds.setValue({ ...(await captureKinds.getValue()), upload: true });
    await recordConversation(db, queue, read(UPLOADS_ID, UPLOADS));
    const expected = expectedRefs(UPLOADS);
    expect((await db.artifacts.toArray()).map((r) => r.id).sort()).toEqual(expected.map((r) => r.id).sort());
    expect(await db.jobs.count()).toBe(expected.length);
  });

  it('canvas documents and research reports are saved from the JSON at once, with no job; a newer canvas text replaces the old', async () => {
    const { db, queue } = setup();
    const CANVAS = fixture('canvas-2025.json');
    const CANVAS_ID = (JSON.parse(CANVAS) as { conversation_id: string }).conversation_id;
    await recordConversation(db, queue, read(CANVAS_ID, CANVAS));
    const records = await listArtifacts(db, { conversationId: CANVAS_ID });
    expect(records.map((r) => [r.kind, r.textdocId, r.status, r.fileName]).sort()).toEqual([
      ['canvas', '67b0c0ffee0000000000ca01', 'saved', 'trip-plan.md'],
      ['canvas', '67b0c0ffee0000000000ca01@v1', 'saved', 'trip-plan (v1).md'],
      ['canvas', '67b0c0ffee0000000000ca02', 'saved', 'print-days.py'],
    ]);
    expect(await db.jobs.count()).toBe(0);
    const latest = records.find((r) => r.textdocId === '67b0c0ffee0000000000ca01')!;
    expect(await (await db.blobs.get(latest.sha256!))!.blob.text()).toContain('Day 3: Porto ($40 train).');

    // The JSON now says the update wrote other text: the same identity holds it, the text it replaced is gone.
    const conv = JSON.parse(CANVAS) as { mapping: Record<string, { message: { recipient?: string; content: { text?: string } } | null }> };
    const update = Object.values(conv.mapping).find((n) => n.message?.recipient === 'canmore.update_textdoc')!.message!;
    update.content.text = JSON.stringify({ updates: [{ pattern: 'Day 2: Sintra\\.\\n', multiple: false, replacement: 'Day 2: Sintra.\nDay 3: Coimbra.\n' }] });
    await recordConversation(db, queue, read(CANVAS_ID, JSON.stringify(conv)));
    const after = await db.artifacts.get(latest.id);
    expect(await (await db.blobs.get(after!.sha256!))!.blob.text()).toContain('Day 3: Coimbra');
    expect(await db.blobs.get(latest.sha256!)).toBeUndefined(); // nothing uses the replaced text any more

    const RESEARCH = fixture('research-2026.json');
    const RESEARCH_ID = (JSON.parse(RESEARCH) as { conversation_id: string }).conversation_id;
    await recordConversation(db, queue, read(RESEARCH_ID, RESEARCH));
    const [report] = await listArtifacts(db, { conversationId: RESEARCH_ID });
    expect(report).toMatchObject({ kind: 'research', status: 'saved', fileName: 'heat-pumps-in-cold-climates.md' });
    expect(await (await db.blobs.get(report!.sha256!))!.blob.text()).toContain('](https://energy.example.gov/ccashp)');
    expect(await db.jobs.count()).toBe(0);
  });

  it('voice recordings are recorded with their expiry and queued like any file', async () => {
    const { db, queue } = setup();
    const VOICE = fixture('voice-2025.json');
    const VOICE_ID = (JSON.parse(VOICE) as { conversation_id: string }).conversation_id;
    await recordConversation(db, queue, read(VOICE_ID, VOICE));
    const audio = (await listArtifacts(db, { conversationId: VOICE_ID })).filter((r) => r.kind === 'audio');
    expect(audio).toHaveLength(3);
    for (const r of audio) {
      expect(r.status).toBe('pending');
      expect(typeof r.expiresAt).toBe('number');
    }
    expect(await db.jobs.count()).toBe(4); // three recordings and the live session's video
  });

  it('a kind turned off is skipped, the others still queued', async () => {
    const { db, queue } = setup();
    await captureKinds.setValue({ image: true, chart: false, 'sandbox-file': false, upload: false, audio: false, video: false, canvas: false, research: false });
    await recordConversation(db, queue, read(MIXED_ID, MIXED));
    const kinds = (await db.artifacts.toArray()).map((r) => r.kind);
    expect(kinds).toEqual(['image', 'image']);
    expect(await db.jobs.count()).toBe(2);
  });

  it('live reads queue only pending artifacts; a backup also retries failed ones, never expired', async () => {
    const { db, queue } = setup();
    await recordConversation(db, queue, read(MIXED_ID, MIXED));
    const [failed, expired, saved] = expectedRefs(MIXED).map((r) => r.id);
    await markStatus(db, failed!, 'failed', 'gave up');
    await markStatus(db, expired!, 'expired', 'Code interpreter session expired');
    await db.artifacts.update(saved!, { status: 'saved', sha256: 'a'.repeat(64), size: 1 });
    await db.jobs.clear();

    await recordConversation(db, queue, read(MIXED_ID, MIXED));
    expect((await db.jobs.toArray()).map((j) => j.artifactId).sort()).toHaveLength(2);
    expect(await db.jobs.get(fetchJobId(failed!))).toBeUndefined();

    await recordConversation(db, queue, read(MIXED_ID, MIXED, { reason: 'backup' }));
    const queued = (await db.jobs.toArray()).map((j) => j.artifactId);
    expect(queued).toHaveLength(3);
    expect(queued).toContain(failed);
    expect(queued).not.toContain(expired);
    expect(queued).not.toContain(saved);
  });

  it('a backup read records new artifacts with source backup', async () => {
    const { db, queue } = setup();
    await recordConversation(db, queue, read(MIXED_ID, MIXED, { reason: 'backup' }));
    expect(new Set((await db.artifacts.toArray()).map((r) => r.source))).toEqual(new Set(['backup']));
  });

  it('JSON of another conversation is rejected and nothing is written', async () => {
    const { db, queue } = setup();
    const other = '0a0a0a0a-0000-4000-8000-00000000ffff';
    await expect(recordConversation(db, queue, read(other, MIXED))).rejects.toThrow(/not 0a0a0a0a-0000-4000-8000-00000000ffff/);
    expect(await db.artifacts.count()).toBe(0);
    expect(await db.snapshots.count()).toBe(0);
    expect(await db.jobs.count()).toBe(0);
  });

  it.each([
    ['not JSON', '{"mapping": '],
    ['JSON without a conversation id', JSON.stringify({ title: 'x', mapping: {} })],
  ])('%s is rejected and nothing is written', async (_, json) => {
    const { db, queue } = setup();
    await expect(recordConversation(db, queue, read(MIXED_ID, json))).rejects.toThrow();
    expect(await db.artifacts.count()).toBe(0);
    expect(await db.snapshots.count()).toBe(0);
  });
});

describe('startCaptureBackground: who may send what', () => {
  const EXT = 'test-extension-id';
  const contentScript = { id: EXT, url: `https://chatgpt.com/c/${MIXED_ID}`, tab: { id: 7, url: `https://chatgpt.com/c/${MIXED_ID}` } };
  const popup = { id: EXT, url: `chrome-extension://${EXT}/popup.html` };
  const library = { id: EXT, url: `chrome-extension://${EXT}/library.html`, tab: { id: 9, url: `chrome-extension://${EXT}/library.html` } };
  const otherExtension = { id: 'someone-else', url: 'chrome-extension://someone-else/popup.html' };

  afterEach(() => removeAllListeners());

  /** Delivers a message the way @webext-core/messaging sends it, from `sender`; resolves with `{ res }` or `{ err }`. */
  async function send(type: string, data: unknown, sender: object): Promise<{ res?: unknown; err?: { message: string } }> {
    return new Promise((resolve) => {
      void fakeBrowser.runtime.onMessage.trigger({ id: 1, type, data, timestamp: Date.now() }, sender, resolve);
    });
  }


  it.each([
    ['retryFailed', { conversationId: null }],
    ['tabStatus', { tabId: 7 }],
  ])('%s from a content script is refused; from the popup and the library page it is answered', async (type, data) => {
    start();
    expect((await send(type, data, contentScript)).err?.message).toMatch(/extension's own pages/);
    expect((await send(type, data, otherExtension)).err?.message).toMatch(/extension's own pages/);
    expect(await send(type, data, popup)).toHaveProperty('res');
    expect(await send(type, data, library)).toHaveProperty('res');
  });

  it('conversationShown (content to background) is refused from an extension page', async () => {
    start();
    expect((await send('conversationShown', { conversationId: null }, popup)).err?.message).toMatch(/ChatGPT tabs/);
    expect(await send('conversationShown', { conversationId: null }, contentScript)).toHaveProperty('res');
  });

  it.each([
    ['readConversation', { conversationId: MIXED_ID, gizmoId: null, reason: 'live', account: null }],
    ['recordConversation', { conversationId: MIXED_ID, gizmoId: null, reason: 'live', readId: 'r1', chunks: 1, length: 2 }],
  ])('%s is refused from an extension page, another extension and a non-ChatGPT tab', async (type, data) => {
    start();
    const elsewhere = { id: EXT, url: 'https://example.com/', tab: { id: 8, url: 'https://example.com/' } };
    for (const sender of [popup, library, otherExtension, elsewhere]) {
      expect((await send(type, data, sender)).err?.message).toMatch(/ChatGPT tabs/);
    }
    // From the content script it gets past the sender check: with no network the worker is refused, so the
    // tab is told to read the conversation itself; a delivery fails later (no port).
    const reply = await send(type, data, contentScript);
    if (type === 'readConversation') expect(reply).toEqual({ res: { tabReads: 'from-now-on' } });
    else expect(reply.err?.message).not.toMatch(/ChatGPT tabs/);
  });

  it('a live read of a canvas conversation asks the textdocs route once, only while the conversation changed, and saves its text', async () => {
    const CANVAS = fixture('canvas-2025.json');
    const CANVAS_ID = (JSON.parse(CANVAS) as { conversation_id: string }).conversation_id;
    const EDITED = '# Trip plan\n\nDay 1: Lisbon.\nDay 4: home.\n';
    const net = fakeFetch((req) => {
      if (req.path === '/api/auth/session') return json({ accessToken: 'eyJ-worker', expires: new Date(Date.now() + 3_600_000).toISOString() });
      if (req.path === `/backend-api/conversation/${CANVAS_ID}`) return new Response(CANVAS, { headers: { 'content-type': 'application/json' } });
      if (req.path === `/backend-api/conversation/${CANVAS_ID}/textdocs`) return json([{ id: '67b0c0ffee0000000000ca01', version: 3, content: EDITED }]);
      return json({ detail: 'Not Found' }, 404);
    });
    const db = createVaultDb(`t-${Math.random().toString(36).slice(2)}`);
    start(db, net.fetch);
    const tab = { id: EXT, url: `https://chatgpt.com/c/${CANVAS_ID}`, tab: { id: 12, url: `https://chatgpt.com/c/${CANVAS_ID}` } };
    for (let i = 0; i < 2; i++) {
      const reply = await send('readConversation', { conversationId: CANVAS_ID, gizmoId: null, reason: 'live', account: null }, tab);
      expect(reply.err).toBeUndefined();
    }
    expect(net.log.filter((r) => r.path.startsWith('/backend-api/')).map((r) => r.path)).toEqual([
      `/backend-api/conversation/${CANVAS_ID}`, `/backend-api/conversation/${CANVAS_ID}/textdocs`, `/backend-api/conversation/${CANVAS_ID}`,
    ]);
    const latest = (await listArtifacts(db, { conversationId: CANVAS_ID })).find((r) => r.textdocId === '67b0c0ffee0000000000ca01')!;
    expect(await (await db.blobs.get(latest.sha256!))!.blob.text()).toBe(EDITED);
  });

  it('remembers the workspace a tab reports: for that tab, for its origin, and in storage for after a restart', async () => {
    start();
    const account = 'ws-0000fake0000team';
    const other = { ...contentScript, tab: { id: 11, url: contentScript.url } };
    await send('readConversation', { conversationId: MIXED_ID, gizmoId: null, reason: 'live', account: null }, other);
    await send('readConversation', { conversationId: MIXED_ID, gizmoId: null, reason: 'live', account }, contentScript);
    expect(await workspaceOf('https://chatgpt.com', 7)).toBe(account);
    expect(await workspaceOf('https://chatgpt.com', 11)).toBeNull();
    // A run not started from a tab speaks for the workspace reported last on that origin.
    expect(await workspaceOf('https://chatgpt.com', null)).toBe(account);
    expect(await workspaceOf('https://chat.openai.com', null)).toBeNull();
    await vi.waitFor(async () => expect(await lastWorkspace.getValue()).toEqual({ 'https://chatgpt.com': account }));
  });
});

describe('retryFailed (popup and library page to background)', () => {
  const EXT = 'test-extension-id';
  const popup = { id: EXT, url: `chrome-extension://${EXT}/popup.html` };

  afterEach(() => removeAllListeners());

  async function retry(conversationId: string | null): Promise<unknown> {
    const reply = await new Promise<{ res?: unknown; err?: { message: string } }>((resolve) => {
      void fakeBrowser.runtime.onMessage.trigger({ id: 1, type: 'retryFailed', data: { conversationId }, timestamp: Date.now() }, popup, resolve);
    });
    if (reply.err) throw new Error(reply.err.message);
    return reply.res;
  }

  /** A vault with MIXED recorded and no job left; the background started on it with downloads that never finish (so the retried jobs stay as queued). */
  async function recorded() {
    const { db, queue } = setup();
    await recordConversation(db, queue, read(MIXED_ID, MIXED));
    const ids = (await listArtifacts(db, { conversationId: MIXED_ID })).map((r) => r.id);
    await db.jobs.clear();
    start(db, () => new Promise<Response>(() => undefined));
    return { db, ids };
  }

  it('gives failed artifacts of the conversation fresh jobs and leaves expired ones alone', async () => {
    const { db, ids: [a, b, c] } = await recorded();
    await markStatus(db, a!, 'failed', 'ChatGPT server error (HTTP 500) (gave up after 8 attempts)');
    await markStatus(db, b!, 'expired', 'Code interpreter session expired');
    await markStatus(db, c!, 'failed', 'Network error');
    await markStatus(db, c!, 'failed', 'Network error');

    expect(await retry(MIXED_ID)).toBe(2);

    const after = new Map((await listArtifacts(db, { conversationId: MIXED_ID })).map((r) => [r.id, r]));
    expect(after.get(a!)).toMatchObject({ status: 'pending', reason: 'Retrying at your request' });
    expect(after.get(c!)?.status).toBe('pending');
    expect(after.get(b!)).toMatchObject({ status: 'expired', reason: 'Code interpreter session expired' });
    expect((await db.jobs.toArray()).map((j) => j.artifactId).sort()).toEqual([a, c].sort());
    // A retry is the person's decision, not another failed attempt.
    expect(after.get(c!)?.attempts).toBe(2);
  });

  it('a project chat\'s retried files keep its project, whose header their resolution needs', async () => {
    const { db, ids: [a] } = await recorded();
    await db.conversations.update(MIXED_ID, { gizmoId: 'g-p-0123456789abcdef0123456789abcdef' });
    await markStatus(db, a!, 'failed', 'Network error');
    expect(await retry(MIXED_ID)).toBe(1);
    expect((await db.jobs.toArray()).map((j) => j.data?.gizmoId)).toEqual(['g-p-0123456789abcdef0123456789abcdef']);
  });

  it('touches nothing in other conversations', async () => {
    const { db, ids: [a] } = await recorded();
    await markStatus(db, a!, 'failed', 'Network error');
    expect(await retry('another-conversation')).toBe(0);
    expect((await listArtifacts(db, { conversationId: MIXED_ID })).find((r) => r.id === a)?.status).toBe('failed');
    expect(await db.jobs.count()).toBe(0);
  });

  it('without a conversation retries every failed artifact', async () => {
    const { db, ids: [a] } = await recorded();
    await markStatus(db, a!, 'failed', 'Network error');
    expect(await retry(null)).toBe(1);
    expect((await listArtifacts(db, { conversationId: MIXED_ID })).find((r) => r.id === a)?.status).toBe('pending');
  });
});

describe('a content script gets no more than its own conversation', () => {
  const EXT = 'test-extension-id';
  const url = `https://chatgpt.com/c/${MIXED_ID}`;
  const tab = { id: EXT, url, tab: { id: 7, url } };
  const OTHER = '11111111-2222-4333-8444-555555555555';

  afterEach(() => removeAllListeners());

  async function send(type: string, data: unknown, sender: object): Promise<{ res?: unknown; err?: { message: string } }> {
    return new Promise((resolve) => {
      void fakeBrowser.runtime.onMessage.trigger({ id: 1, type, data, timestamp: Date.now() }, sender, resolve);
    });
  }

  /** The background on a fresh vault whose worker either reads `served` from the backend or is refused (null). */
  function startWith(served: string | null) {
    const db: VaultDb = createVaultDb(`t-${Math.random().toString(36).slice(2)}`);
    const workerReads: string[] = [];
    const doFetch = ((input: RequestInfo | URL) => {
      const u = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      if (served === null) return Promise.resolve(new Response('<title>Just a moment...</title>', { status: 403, headers: { 'content-type': 'text/html' } }));
      if (u.pathname === '/api/auth/session') return Promise.resolve(Response.json({ accessToken: 'tok-worker-0001' }));
      workerReads.push(u.pathname);
      return Promise.resolve(new Response(served, { status: 200, headers: { 'content-type': 'application/json' } }));
    }) as typeof fetch;
    let connect: ((port: unknown) => void) | null = null;
    vi.spyOn(fakeBrowser.runtime.onConnect, 'addListener').mockImplementation((l) => void (connect = l as (port: unknown) => void));
    startCaptureBackground(db, new WorkerNet(doFetch));
    const p = fakePort();
    Object.assign(p.port, { sender: tab });
    connect!(p.port);
    /** The tab streams `json` over its port and asks the background to record it. */
    const deliver = (json: string, conversationId = MIXED_ID) => {
      p.emit({ t: 'read-chunk', readId: 'r1', seq: 0, text: json });
      return send('recordConversation', { conversationId, gizmoId: null, reason: 'live', readId: 'r1', chunks: 1, length: json.length }, tab);
    };
    return { db, deliver, workerReads };
  }

  const forged = JSON.stringify({ ...(JSON.parse(MIXED) as object), title: 'Forged title', update_time: 9e12 });

  it('conversationShown and readConversation answer only for the conversation the tab\'s URL shows', async () => {
    startWith(MIXED);
    for (const type of ['conversationShown', 'readConversation']) {
      const other = await send(type, { conversationId: OTHER, gizmoId: null, reason: 'live', account: null }, tab);
      expect(other.err?.message, type).toMatch(/this tab shows/);
    }
    expect(await send('conversationShown', { conversationId: MIXED_ID }, tab)).toHaveProperty('res.conversationId', MIXED_ID);
    expect(await send('conversationShown', { conversationId: MIXED_ID.toUpperCase() }, tab)).toHaveProperty('res');
    // After in-app navigation Chrome's sender.url is still the URL the document loaded with; the tab's URL moved on.
    const navigated = { id: EXT, url, tab: { id: 7, url: `https://chatgpt.com/c/${OTHER}` } };
    expect(await send('conversationShown', { conversationId: OTHER }, navigated)).toHaveProperty('res.conversationId', OTHER);
    expect((await send('conversationShown', { conversationId: MIXED_ID }, navigated)).err?.message).toMatch(/this tab shows/);
    // A temporary chat keeps its id out of the URL: there the id cannot be checked.
    const temporary = { id: EXT, url: 'https://chatgpt.com/?temporary-chat=true', tab: { id: 8, url: 'https://chatgpt.com/?temporary-chat=true' } };
    expect(await send('conversationShown', { conversationId: OTHER }, temporary)).toHaveProperty('res');
  });

  it('a read request whose conversation id is not a UUID is refused, even where the URL cannot vouch for it', async () => {
    startWith(MIXED);
    const temporary = { id: EXT, url: 'https://chatgpt.com/?temporary-chat=true', tab: { id: 8, url: 'https://chatgpt.com/?temporary-chat=true' } };
    for (const conversationId of ['-'.repeat(36), `${MIXED_ID.slice(0, 35)}-`]) {
      const reply = await send('readConversation', { conversationId, gizmoId: null, reason: 'live', account: null }, temporary);
      expect(reply.err?.message, conversationId).toMatch(/Malformed conversation read request/);
    }
  });

  it('a tab\'s JSON the background did not ask for is replaced by the worker\'s own read', async () => {
    const { db, deliver, workerReads } = startWith(MIXED);
    const reply = await deliver(forged);
    expect(reply.err).toBeUndefined();
    expect(workerReads).toContain(`/backend-api/conversation/${MIXED_ID}`);
    expect(await getSnapshot(db, MIXED_ID)).toBe(MIXED);
    expect(await db.conversations.get(MIXED_ID)).toMatchObject({ title: 'Quarterly dashboard' });
    expect((await db.conversations.get(MIXED_ID))?.source).toBeUndefined();
  });

  it('readConversation answers with the read, or with the tab reading it itself once the backend refuses the worker', async () => {
    startWith(MIXED);
    const ask = () => send('readConversation', { conversationId: MIXED_ID, gizmoId: null, reason: 'live', account: null }, tab);
    expect(await ask()).toMatchObject({ res: { read: { conversationId: MIXED_ID, title: 'Quarterly dashboard' } } });
    removeAllListeners();
    startWith(null);
    expect(await ask()).toEqual({ res: { tabReads: 'from-now-on' } });
  });

  it('when the backend refuses the worker the tab\'s JSON is taken, marked as the tab\'s, and the worker\'s next read replaces it', async () => {
    const { db, deliver } = startWith(null);
    expect((await deliver(forged)).err).toBeUndefined();
    expect(await db.conversations.get(MIXED_ID)).toMatchObject({ title: 'Forged title', source: 'tab' });
    // The worker's own read, older by its update_time than the forged 9e12, still replaces it.
    await recordConversation(db, new CaptureQueue(db), read(MIXED_ID, MIXED));
    expect(await getSnapshot(db, MIXED_ID)).toBe(MIXED);
    expect((await db.conversations.get(MIXED_ID))?.source).toBeUndefined();
  });

  it('a delivery for a conversation the tab does not show is refused', async () => {
    const { db, deliver } = startWith(null);
    expect((await deliver(JSON.stringify({ ...(JSON.parse(MIXED) as object), conversation_id: OTHER }), OTHER)).err?.message).toMatch(/this tab shows/);
    expect(await db.snapshots.count()).toBe(0);
  });
});
