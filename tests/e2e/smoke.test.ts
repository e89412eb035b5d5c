/**
 * Self-test of the fake chatgpt.com and the e2e harness. Runs with
 * `node --import tsx --test --test-concurrency=1 tests/e2e/*.test.ts`.
 * Part 1 talks HTTP to the fake directly; part 2 drives real Chromium (no extension needed); part 3
 * checks the harness's extension plumbing with a tiny probe extension written to a temp folder (and the
 * real build too, when `.output/chrome-mv3` exists).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { fakeRequest, type FakeResponse } from '../fake-chatgpt/client.ts';
import { currentPath, expectedBytes, type FakeChatGPT } from '../fake-chatgpt/server.ts';
import {
  e2eSession,
  hasExtensionBuild,
  launchBrowser,
  serviceWorkerStatus,
  stopServiceWorker,
  waitFor,
  type Browser,
} from './harness.ts';

const T = { timeout: 60_000 };
const DEMO = '6a1f0c2e-5e1d-4d6b-9c3a-00000000de01';
const DEMO_FILES = '6a1f0c2e-5e1d-4d6b-9c3a-00000000de02';
const DALLE_ID = 'file-DemoDalle3FoxPoster01';
const IMAGEGEN_ID = 'file_00000000d3a0f0c2a1e8b7d4c3e9a10b';
const CHART_ID = 'file-DemoChartSales000001';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let fake: FakeChatGPT;

async function login(): Promise<{ cookie: string; H: Record<string, string> }> {
  const page = await fakeRequest(fake, 'https://chatgpt.com/');
  const c = String(page.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
  const s = (await fakeRequest(fake, 'https://chatgpt.com/api/auth/session', { headers: { cookie: c } })).json<{ accessToken: string }>();
  return { cookie: c, H: { authorization: `Bearer ${s.accessToken}` } };
}
const get = (url: string, headers: Record<string, string> = {}): Promise<FakeResponse> => fakeRequest(fake, url, { headers });

e2eSession({ fresh: true, started: (f) => (fake = f) });

describe('fake backend over HTTP', () => {
  it('requires the session cookie for the token and the Bearer token for /backend-api', T, async () => {
    assert.deepEqual((await get('https://chatgpt.com/api/auth/session')).json(), {});
    const { H, cookie: c } = await login();
    assert.match(c, /^__Secure-next-auth\.session-token=/);
    assert.equal(H.authorization, `Bearer ${fake.state.accessToken}`);
    assert.equal((await get(`https://chatgpt.com/backend-api/conversation/${DEMO}`)).status, 401);
    assert.equal((await get(`https://chatgpt.com/backend-api/conversation/${DEMO}`, { authorization: 'Bearer nope' })).status, 401);
    const conv = await get(`https://chatgpt.com/backend-api/conversation/${DEMO}`, H);
    assert.equal(conv.status, 200);
    assert.equal(conv.json<{ conversation_id: string }>().conversation_id, DEMO);
    assert.equal((await get('https://chatgpt.com/backend-api/conversation/00000000-0000-4000-8000-00000000dead', H)).status, 404);
    // the same backend answers on the legacy host
    assert.equal((await get(`https://chat.openai.com/backend-api/conversation/${DEMO}`, H)).status, 200);
    // rotating the token invalidates the old one
    fake.state.rotateAccessToken();
    assert.equal((await get(`https://chatgpt.com/backend-api/conversation/${DEMO}`, H)).status, 401);
  });

  it('lists conversations with ISO dates, paging and the 100 limit', T, async () => {
    const { H } = await login();
    assert.equal((await get('https://chatgpt.com/backend-api/conversations?offset=0&limit=101&order=updated', H)).status, 422);
    const first = (await get('https://chatgpt.com/backend-api/conversations?offset=0&limit=1&order=updated', H)).json<{
      items: { id: string; update_time: string }[];
      total: number;
    }>();
    assert.equal(first.items.length, 1);
    assert.ok(first.total >= 2, 'seed has two conversations');
    const all = (await get(`https://chatgpt.com/backend-api/conversations?offset=0&limit=100&order=updated`, H)).json<{
      items: { id: string; update_time: string }[];
    }>();
    assert.equal(all.items.length, first.total);
    assert.ok(all.items.some((i) => i.id === DEMO) && all.items.some((i) => i.id === DEMO_FILES), 'both seeds listed');
    for (const it of all.items) assert.match(it.update_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const times = all.items.map((i) => Date.parse(i.update_time));
    assert.deepEqual(times, [...times].sort((a, b) => b - a));
  });

  it('resolves files to estuary URLs that need auth and serve the expected bytes', T, async () => {
    const { H, cookie: c } = await login();
    for (const route of [`files/download/${IMAGEGEN_ID}?post_id=&inline=false`, `files/${IMAGEGEN_ID}/download`]) {
      const r = (await get(`https://chatgpt.com/backend-api/${route}`, H)).json<{ status: string; download_url: string; file_size_bytes: number }>();
      assert.equal(r.status, 'success');
      assert.match(r.download_url, /^https:\/\/chatgpt\.com\/backend-api\/estuary\/content\?id=file_0{8}[0-9a-f]{24}&ts=\d+&p=fs&cid=1&sig=[0-9a-f]{64}&v=0$/);
      const denied = await get(r.download_url);
      assert.equal(denied.status, 403);
      assert.deepEqual(denied.json(), { detail: 'File stream access denied.' });
      for (const auth of [{ cookie: c }, H]) {
        const ok = await get(r.download_url, auth);
        assert.equal(ok.status, 200);
        assert.equal(ok.body.length, r.file_size_bytes);
        assert.equal(sha(ok.body), sha(expectedBytes('file', IMAGEGEN_ID)));
      }
      // a tampered signature is refused even with auth
      const tampered = r.download_url.replace(/sig=([0-9a-f])/, (_m, d: string) => `sig=${d === 'a' ? 'b' : 'a'}`);
      assert.notEqual(tampered, r.download_url);
      assert.equal((await get(tampered, { cookie: c })).status, 403);
    }
    const ctrl = (await get(`https://chatgpt.com/__fake/bytes?kind=file&id=${IMAGEGEN_ID}&format=sha256`)).json<{ sha256: string }>();
    assert.equal(ctrl.sha256, sha(expectedBytes('file', IMAGEGEN_ID)));
    assert.notEqual(sha(expectedBytes('file', IMAGEGEN_ID)), sha(expectedBytes('file', DALLE_ID)));
    assert.equal(expectedBytes('file', CHART_ID).subarray(1, 4).toString(), 'PNG');
    const missing = await get('https://chatgpt.com/backend-api/files/download/file_000000000000000000000000deadbeef', H);
    assert.equal(missing.status, 200);
    assert.equal(missing.json<{ status: string; error_code: string }>().error_code, 'file_not_found');
  });

  it('gives chat.openai.com legacy SAS URLs that work without auth until `se`', T, async () => {
    const { H } = await login();
    fake.state.setOptions({ sasTtlMs: 1_500 });
    const r = (await get(`https://chat.openai.com/backend-api/files/${DALLE_ID}/download`, H)).json<{ download_url: string }>();
    const u = new URL(r.download_url);
    assert.equal(u.host, 'files.oaiusercontent.com');
    assert.deepEqual([...u.searchParams.keys()], ['se', 'sp', 'sv', 'sr', 'rscc', 'rscd', 'sig']);
    const ok = await get(r.download_url);
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['access-control-allow-origin'], '*');
    assert.equal(sha(ok.body), sha(expectedBytes('file', DALLE_ID)));
    const expired = await waitFor(async () => {
      const x = await get(r.download_url);
      return x.status === 403 ? x : null;
    }, { timeout: 5_000, interval: 200 });
    assert.match(expired.text(), /AuthenticationFailed/);
    // the knob gives SAS URLs on chatgpt.com too
    fake.state.setOptions({ legacyUrls: true });
    const r2 = (await get(`https://chatgpt.com/backend-api/files/download/${DALLE_ID}`, H)).json<{ download_url: string }>();
    assert.match(r2.download_url, /^https:\/\/files\.oaiusercontent\.com\//);
  });

  it('serves sandbox files via interpreter/download until they expire', T, async () => {
    const { H } = await login();
    const conv = fake.state.conversations.get(DEMO)!;
    const linkMsg = conv.current_node!;
    const base = `https://chatgpt.com/backend-api/conversation/${DEMO}/interpreter/download`;
    const q = (m: string, p: string) => `${base}?message_id=${m}&sandbox_path=${encodeURIComponent(p)}`;
    const r = (await get(q(linkMsg, '/mnt/data/report.csv'), H)).json<{ status: string; download_url: string; file_name: string }>();
    assert.equal(r.status, 'success');
    assert.equal(r.file_name, 'report.csv');
    assert.match(r.download_url, /&fn=report\.csv&cd=attachment$/);
    const bytes = await get(r.download_url, H);
    assert.equal(sha(bytes.body), sha(expectedBytes('sandbox', DEMO, '/mnt/data/report.csv')));
    assert.match(bytes.text(), /^month,region,revenue,units\n/);
    // the tool node whose output mentions the path is the accepted second choice
    const toolId = Object.values(conv.mapping).find((n) => n.message?.author.name === 'python' && n.message.author.role === 'tool')!.id;
    assert.equal((await get(q(toolId, '/mnt/data/report.csv'), H)).json<{ status: string }>().status, 'success');
    // a message that does not reference the file is refused
    const userId = currentPath(conv).find((n) => n.message?.author.role === 'user')!.id;
    assert.equal((await get(q(userId, '/mnt/data/report.csv'), H)).json<{ status: string }>().status, 'error');
    // percent-encoded names are served under their decoded path
    const c2 = fake.state.conversations.get(DEMO_FILES)!;
    const q3 = (await get(`https://chatgpt.com/backend-api/conversation/${DEMO_FILES}/interpreter/download?message_id=${c2.current_node}&sandbox_path=${encodeURIComponent('/mnt/data/Q3 summary.txt')}`, H)).json<{ status: string; file_name: string }>();
    assert.deepEqual([q3.status, q3.file_name], ['success', 'Q3 summary.txt']);
    fake.state.expireSandbox(DEMO, '/mnt/data/report.csv');
    const exp = await get(q(linkMsg, '/mnt/data/report.csv'), H);
    assert.equal(exp.status, 200);
    assert.deepEqual(exp.json<{ status: string; error_message: string }>().status, 'error');
    assert.equal(exp.json<{ error_message: string }>().error_message, 'Code interpreter session expired');
  });

  it('serves 20-25 MB for "big" keys', T, async () => {
    const { H } = await login();
    const c2 = fake.state.conversations.get(DEMO_FILES)!;
    const r = (await get(`https://chatgpt.com/backend-api/conversation/${DEMO_FILES}/interpreter/download?message_id=${c2.current_node}&sandbox_path=/mnt/data/big-export.zip`, H)).json<{ download_url: string; file_size_bytes: number }>();
    assert.ok(r.file_size_bytes >= 20 * 2 ** 20 && r.file_size_bytes <= 25 * 2 ** 20, String(r.file_size_bytes));
    const b = await get(r.download_url, H);
    assert.equal(b.body.length, r.file_size_bytes);
    assert.equal(sha(b.body), sha(expectedBytes('sandbox', DEMO_FILES, '/mnt/data/big-export.zip')));
  });

  it('pages the image library without duplicates, newest first', T, async () => {
    const { H } = await login();
    type Lib = { items: { asset_pointer: string; conversation_id: string; message_id: string; created_at: number; encodings: { thumbnail: { path: string } } }[]; cursor: string | null };
    const seen: Lib['items'] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: Lib = (await get(`https://chatgpt.com/backend-api/my/recent/image_gen?limit=2${cursor ? `&after=${cursor}` : ''}`, H)).json<Lib>();
      assert.ok(res.items.length <= 2, `page of ${res.items.length}`);
      seen.push(...res.items);
      cursor = res.cursor;
      pages++;
    } while (cursor && pages < 100);
    assert.equal(cursor, null);
    assert.equal(new Set(seen.map((i) => `${i.conversation_id}|${i.asset_pointer}`)).size, seen.length);
    const times = seen.map((i) => i.created_at);
    assert.deepEqual(times, [...times].sort((a, b) => b - a));
    const mine = seen.filter((i) => i.conversation_id === DEMO).map((i) => i.asset_pointer).sort();
    assert.deepEqual(mine, [`file-service://${DALLE_ID}`, `sediment://${IMAGEGEN_ID}`]);
    assert.equal((await get(seen[0]!.encodings.thumbnail.path, H)).status, 200);
  });

  it('workspace mode requires ChatGPT-Account-Id', T, async () => {
    const { H } = await login();
    fake.state.setOptions({ workspaceAccountId: 'acct-ws-123' });
    assert.equal((await get(`https://chatgpt.com/backend-api/conversation/${DEMO}`, H)).status, 403);
    assert.equal((await get(`https://chatgpt.com/backend-api/conversation/${DEMO}`, { ...H, 'chatgpt-account-id': 'acct-ws-123' })).status, 200);
    const acc = (await get('https://chatgpt.com/backend-api/accounts/check/v4-2023-04-27', H)).json<{ accounts: Record<string, { account: { account_id: string } }> }>();
    assert.equal(acc.accounts['acct-ws-123']?.account.account_id, 'acct-ws-123');
    assert.equal(fake.state.requests.at(-2)?.accountHeader, true);
  });

  it('streams a live reply, then adds the image asynchronously, and expires the new sandbox', T, async () => {
    const { H } = await login();
    fake.state.setOptions({ sandboxTtlMs: 1_000, asyncImageDelayMs: 300 });
    const nodesBefore = new Set(Object.keys(fake.state.conversations.get(DEMO)!.mapping));
    const res = await fakeRequest(fake, 'https://chatgpt.com/backend-api/f/conversation', {
      method: 'POST',
      headers: { ...H, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'next', conversation_id: DEMO, messages: [{ id: 'live-user-1', content: { content_type: 'text', parts: ['plot it'] } }] }),
    });
    assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
    const datas = res.text().split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
    assert.equal(datas.at(-1), '[DONE]');
    const events = datas.filter((d) => d !== '[DONE]').map((d) => JSON.parse(d) as { o?: string; v?: { message?: { id?: string } } });
    const assistantId = events.find((e) => e.o === 'add')?.v?.message?.id;
    assert.ok(assistantId, 'the stream adds the assistant message');
    const conv = fake.state.conversations.get(DEMO)!;
    const text = conv.mapping[assistantId]!.message!.content.parts![0] as string;
    const path = /sandbox:(\/mnt\/data\/[^)]+)/.exec(text)![1]!;
    assert.equal(conv.mapping[assistantId]!.parent, 'live-user-1');
    const imageNode = await waitFor(() =>
      Object.values(conv.mapping).find((n) => !nodesBefore.has(n.id) && n.message?.metadata?.async_task_type === 'image_gen'));
    assert.equal(imageNode.message!.create_time, null);
    assert.match(JSON.stringify(imageNode.message!.content), /sediment:\/\/file_0{8}[0-9a-f]{24}/);
    assert.ok(currentPath(conv).some((n) => n.id === imageNode.id), 'image is on the visible thread');
    assert.equal(Object.keys(conv.mapping).length, nodesBefore.size + 5, 'user, assistant, image request, image, image note');
    const q = `https://chatgpt.com/backend-api/conversation/${DEMO}/interpreter/download?message_id=${assistantId}&sandbox_path=${encodeURIComponent(path)}`;
    // the sandbox lives for sandboxTtlMs after the stream, then reports expiry
    const expired = await waitFor(async () => (await get(q, H)).json<{ status: string }>().status === 'error', { timeout: 5_000, interval: 100 });
    assert.equal(expired, true);
  });

  it('injects exactly the requested faults (TS API and control endpoint)', T, async () => {
    const { H } = await login();
    const url = `https://chatgpt.com/backend-api/conversation/${DEMO}`;
    const rule = fake.state.addFault({ route: 'conversation', fault: '429', times: 2 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await get(url, H)).status);
    assert.deepEqual(statuses, [429, 429, 200, 200]);
    assert.equal(rule.hits, 2);
    const logged = fake.state.requests.filter((r) => r.route === 'conversation');
    assert.deepEqual(logged.map((r) => [r.status, r.fault]), [[429, '429'], [429, '429'], [200, null], [200, null]]);
    assert.equal((await get(url, H)).headers['retry-after'], undefined);

    // control endpoint: 500 only on URLs containing the match string
    const add = await fakeRequest(fake, 'https://chatgpt.com/__fake/faults', {
      method: 'POST',
      body: JSON.stringify({ route: 'files-download', match: CHART_ID, fault: '500', times: 1 }),
    });
    assert.equal(add.status, 200);
    assert.equal((await get(`https://chatgpt.com/backend-api/files/download/${DALLE_ID}`, H)).status, 200);
    assert.equal((await get(`https://chatgpt.com/backend-api/files/download/${CHART_ID}`, H)).status, 500);
    assert.equal((await get(`https://chatgpt.com/backend-api/files/download/${CHART_ID}`, H)).status, 200);

    // truncate: Content-Length promised, half delivered, socket destroyed
    fake.state.addFault({ route: 'estuary', fault: 'truncate', times: 1 });
    const dl = (await get(`https://chatgpt.com/backend-api/files/download/${IMAGEGEN_ID}`, H)).json<{ download_url: string }>();
    await assert.rejects(get(dl.download_url, H), /truncated|aborted|socket hang up|ECONNRESET/);
    assert.equal((await get(dl.download_url, H)).status, 200);

    // stall: never answers
    fake.state.addFault({ route: 'session', fault: 'stall', times: 1 });
    await assert.rejects(fakeRequest(fake, 'https://chatgpt.com/api/auth/session', { timeoutMs: 500 }), /timeout/);
    assert.equal(fake.state.requests.filter((r) => r.route === 'session' && r.fault === 'stall').length, 1);

    // expired on the interpreter: the documented 200 + status:error shape
    fake.state.addFault({ route: 'interpreter', fault: 'expired' });
    const conv = fake.state.conversations.get(DEMO)!;
    const exp = await get(`https://chatgpt.com/backend-api/conversation/${DEMO}/interpreter/download?message_id=${conv.current_node}&sandbox_path=/mnt/data/report.csv`, H);
    assert.deepEqual([exp.status, exp.json<{ status: string }>().status], [200, 'error']);

    // request log via the control endpoint excludes control calls; reset clears everything
    const log = (await get('https://chatgpt.com/__fake/requests')).json<{ requests: { path: string }[] }>();
    assert.ok(log.requests.length > 0 && log.requests.every((r) => !r.path.startsWith('/__fake/')), 'log has requests, none of them control calls');
    assert.equal((await fakeRequest(fake, 'https://chatgpt.com/__fake/reset', { method: 'POST' })).status, 200);
    assert.equal(fake.state.faults.length, 0);
    assert.equal((await get(`https://chatgpt.com/backend-api/conversation/${DEMO}`, H)).status, 200);
    // control endpoints do not exist on the file host
    assert.equal((await get('https://files.oaiusercontent.com/__fake/requests')).status, 403);
  });
});

describe('fake app in Chromium', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser({ server: fake, extensionPath: null });
  });
  after(async () => {
    await browser?.close();
  });

  async function openChat(url: string): Promise<Page> {
    const page = await browser.page();
    await page.goto(url);
    await page.waitForSelector('html[data-fake-app-state="idle"]');
    return page;
  }

  const imgLoaded = (page: Page, selector: string) =>
    waitFor(() => page.$$eval(selector, (els) => els.length > 0 && els.every((e) => (e as HTMLImageElement).complete && (e as HTMLImageElement).naturalWidth > 0)), {
      message: `images ${selector} loaded`,
    });

  it('renders the 2026 markup on chatgpt.com, with authenticated estuary images', T, async () => {
    const page = await openChat(`https://chatgpt.com/c/${DEMO}`);
    const conv = fake.state.conversations.get(DEMO)!;
    const ids = await page.$$eval('section[data-turn-id][data-turn] [data-message-id]', (els) => els.map((e) => e.getAttribute('data-message-id')));
    const pathIds = new Set(currentPath(conv).map((n) => n.id));
    assert.ok(ids.length >= 6, `${ids.length} messages rendered`);
    for (const id of ids) assert.ok(pathIds.has(id!), `${id} is a mapping node on the current path`);
    assert.deepEqual(await page.$$eval('section[data-turn]', (els) => els.map((e) => e.getAttribute('data-turn'))), ['user', 'assistant', 'user', 'assistant', 'user', 'assistant']);
    assert.equal(await page.locator('article').count(), 0);
    await imgLoaded(page, 'img[alt="Generated image"]');
    await imgLoaded(page, 'img[alt="Output image"]');
    const srcs = await page.$$eval('div[class~="group/imagegen-image"] img[alt="Generated image"]', (els) => els.map((e) => [(e as HTMLImageElement).src, e.closest('[aria-hidden="true"]') !== null]));
    assert.equal(srcs.length, 4, 'two images, each with a blurred aria-hidden copy');
    assert.equal(srcs.filter(([, hidden]) => hidden).length, 2);
    for (const [src] of srcs) assert.match(String(src), /^https:\/\/chatgpt\.com\/backend-api\/estuary\/content\?id=file/);
    const btn = page.locator('.markdown button', { hasText: 'Download' });
    assert.equal(await btn.count(), 1);
    assert.equal(await page.locator('a[href^="sandbox:"]').count(), 0);
    // the estuary refuses the same URL without cookies, even from the page's origin
    const src = String(srcs[0]![0]);
    const statuses = await page.evaluate(async (u) => [(await fetch(u, { credentials: 'omit' })).status, (await fetch(u)).status], src);
    assert.deepEqual(statuses, [403, 200]);
    // clicking the sandbox button resolves the file through interpreter/download
    await btn.click();
    await waitFor(() => fake.state.requests.some((r) => r.route === 'interpreter' && r.status === 200 && r.bearer));
    await page.close();
  });

  it('renders the legacy markup on chat.openai.com with files.oaiusercontent.com images', T, async () => {
    const page = await openChat(`https://chat.openai.com/c/${DEMO}`);
    assert.equal(await page.locator('section[data-turn]').count(), 0);
    const testids = await page.$$eval('article[data-testid^="conversation-turn-"]', (els) => els.map((e) => e.getAttribute('data-testid')));
    assert.deepEqual(testids, [2, 3, 4, 5, 6, 7].map((n) => `conversation-turn-${n}`));
    assert.deepEqual(await page.$$eval('a[href^="sandbox:"]', (els) => els.map((e) => e.getAttribute('href'))), ['sandbox:/mnt/data/report.csv']);
    await imgLoaded(page, 'img[alt="Generated image"]');
    const srcs = await page.$$eval('img[alt="Generated image"], img[alt="Output image"]', (els) => els.map((e) => new URL((e as HTMLImageElement).src).host));
    assert.deepEqual([...new Set(srcs)], ['files.oaiusercontent.com']);
    assert.ok(fake.state.requests.some((r) => r.route === 'files-download' && /^\/backend-api\/files\/[^/]+\/download$/.test(r.path)), 'legacy route used');
    // ?markup=legacy forces it on chatgpt.com as well
    await page.goto(`https://chatgpt.com/c/${DEMO}?markup=legacy`);
    await page.waitForSelector('article[data-testid="conversation-turn-2"]');
    await page.close();
  });

  it('renders every loaded fixture on both markups without script errors', T, async () => {
    const page = await browser.page();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    for (const [id, conv] of fake.state.conversations) {
      const onPath = new Set(currentPath(conv).map((n) => n.id));
      // A project chat is opened at its project's route, where the app sends the project header its reads need.
      const gizmo = (conv as { gizmo_id?: unknown }).gizmo_id;
      const route = typeof gizmo === 'string' && gizmo.startsWith('g-p-') ? `/g/${gizmo}-project/c/${id}` : `/c/${id}`;
      for (const host of ['chatgpt.com', 'chat.openai.com']) {
        await page.goto(`https://${host}${route}`);
        await page.waitForSelector('html[data-fake-app-state="idle"]');
        const ids = await page.$$eval('[data-message-id]', (els) => els.map((e) => e.getAttribute('data-message-id')!));
        assert.ok(ids.length > 0, `${host} ${id}: something rendered`);
        assert.deepEqual(ids.filter((m) => !onPath.has(m)), [], `${host} ${id}: only current-path nodes`);
        await waitFor(() => page.$$eval('img', (els) => els.every((i) => ((i).complete && (i).naturalWidth > 0) || (i).dataset.error)), {
          message: `${host} ${id}: images settled`,
        });
        assert.deepEqual(await page.$$eval('img[data-error]', (els) => els.map((e) => e.getAttribute('data-error'))), [], `${host} ${id}: every image resolves`);
      }
    }
    assert.deepEqual(errors, []);
    // project/GPT routes and share pages (share data is embedded: no conversation GET)
    await page.goto(`https://chatgpt.com/g/g-p-0123456789abcdef0123456789abcdef-demo/c/${DEMO}`);
    await page.waitForSelector(`[data-message-id="${fake.state.conversations.get(DEMO)!.current_node}"]`);
    const getsBefore = fake.state.requests.filter((r) => r.route === 'conversation').length;
    await page.goto(`https://chatgpt.com/share/${DEMO}`);
    await page.waitForSelector('html[data-fake-app-state="idle"]');
    assert.equal(await page.locator('section[data-turn]').count(), 6);
    assert.equal(fake.state.requests.filter((r) => r.route === 'conversation').length, getsBefore);
    await page.close();
  });

  it('navigates in-app from the sidebar without reloading', T, async () => {
    const page = await openChat(`https://chatgpt.com/c/${DEMO}`);
    await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 42));
    await page.click(`#history a[data-conversation-id="${DEMO_FILES}"]`);
    await page.waitForURL(`**/c/${DEMO_FILES}`);
    await waitFor(() => page.locator(`[data-message-id="${fake.state.conversations.get(DEMO_FILES)!.current_node}"]`).count());
    assert.equal(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker), 42, 'no reload');
    assert.equal(await page.locator('img[alt="Uploaded image"]').count(), 1);
    await page.goBack();
    await waitFor(() => page.locator(`[data-message-id="${fake.state.conversations.get(DEMO)!.current_node}"]`).count());
    await page.close();
  });

  it('streams a reply from the composer, then shows the async image turn', T, async () => {
    fake.state.setOptions({ asyncImageDelayMs: 800 });
    const page = await openChat(`https://chatgpt.com/c/${DEMO}`);
    const imagesBefore = await page.locator('img[alt="Generated image"]').count();
    await page.fill('#prompt-textarea', 'make another chart');
    await page.click('[data-testid="send-button"]');
    await page.waitForSelector('.result-streaming');
    await page.waitForSelector('[data-testid="stop-button"]');
    await page.waitForSelector('[data-testid="send-button"]', { timeout: 10_000 });
    assert.equal(await page.locator('.result-streaming').count(), 0);
    const last = page.locator('section[data-turn="assistant"]').last();
    await waitFor(() => last.locator('.markdown button', { hasText: 'Download the CSV' }).count());
    await waitFor(async () => (await page.locator('img[alt="Generated image"]').count()) === imagesBefore + 2, { message: 'async image appears' });
    await imgLoaded(page, 'img[alt="Generated image"]');
    const conv = fake.state.conversations.get(DEMO)!;
    const img = Object.values(conv.mapping).find((n) => n.message?.metadata?.async_task_type === 'image_gen')!;
    assert.equal(await page.locator(`section[data-turn="assistant"] [data-message-id="${img.id}"] img[alt="Generated image"]`).count(), 2);
    await page.close();
  });

  it('temporary chat keeps the id out of the URL and out of the history list', T, async () => {
    fake.state.setOptions({ liveImage: false });
    const page = await openChat('https://chatgpt.com/?temporary-chat=true');
    const r = await page.evaluate(() => (window as unknown as { __fakeApp: { send(t: string): Promise<{ conversationId: string }> } }).__fakeApp.send('secret question'));
    assert.match(r.conversationId, /^[0-9a-f-]{36}$/);
    assert.equal(new URL(page.url()).search, '?temporary-chat=true');
    assert.equal(new URL(page.url()).pathname, '/');
    assert.ok(fake.state.temporary.has(r.conversationId), 'flagged temporary');
    await waitFor(() => page.locator('section[data-turn="assistant"] .markdown button').count());
    const { H } = await login();
    const list = (await get('https://chatgpt.com/backend-api/conversations?offset=0&limit=100', H)).json<{ items: { id: string }[] }>();
    assert.ok(!list.items.some((i) => i.id === r.conversationId), 'not in the history list');
    assert.equal((await get(`https://chatgpt.com/backend-api/conversation/${r.conversationId}`, H)).status, 200);
    await page.close();
  });

  it('in workspace mode the app sends ChatGPT-Account-Id from the _account cookie', T, async () => {
    fake.state.setOptions({ workspaceAccountId: 'acct-ws-777' });
    const page = await openChat(`https://chatgpt.com/c/${DEMO}`);
    await page.waitForSelector(`[data-message-id="${fake.state.conversations.get(DEMO)!.current_node}"]`);
    const gets = fake.state.requests.filter((r) => r.route === 'conversation');
    assert.ok(gets.length > 0 && gets.every((r) => r.accountHeader && r.status === 200), JSON.stringify(gets));
    await page.close();
  });

  it('a fault rule breaks exactly the matching image in the page', T, async () => {
    fake.state.addFault({ route: 'files-download', match: CHART_ID, fault: '429' });
    const page = await openChat(`https://chatgpt.com/c/${DEMO}`);
    await imgLoaded(page, 'img[alt="Generated image"]');
    await waitFor(() => page.locator('img[alt="Output image"][data-error]').count());
    assert.equal(await page.$eval('img[alt="Output image"]', (e) => (e as HTMLImageElement).getAttribute('src')), null);
    const hits = fake.state.requests.filter((r) => r.route === 'files-download' && r.fault === '429');
    assert.ok(hits.length >= 1 && hits.every((r) => r.path.includes(CHART_ID) && r.status === 429), JSON.stringify(hits));
    await page.close();
  });
});

describe('harness extension plumbing', () => {
  it('loads an extension, shares cookies with its service worker, and really stops/wakes it', T, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'probe-ext-'));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({
      manifest_version: 3,
      name: 'probe',
      version: '1.0',
      background: { service_worker: 'sw.js' },
      host_permissions: ['https://chatgpt.com/*', 'https://files.oaiusercontent.com/*'],
      content_scripts: [{ matches: ['https://chatgpt.com/*'], js: ['cs.js'] }],
    }));
    writeFileSync(join(dir, 'sw.js'), `self.bootId = Math.random().toString(36).slice(2);
chrome.runtime.onMessage.addListener((m, s, reply) => { reply({ bootId: self.bootId }); });`);
    writeFileSync(join(dir, 'cs.js'), `window.addEventListener('message', (e) => {
  if (e.data === 'probe:ping') chrome.runtime.sendMessage('ping').then((r) => window.postMessage({ probeReply: r }));
});`);
    const b = await launchBrowser({ server: fake, extensionPath: dir });
    try {
      assert.match(b.extensionId ?? '', /^[a-p]{32}$/);
      const sw = await b.serviceWorker();
      const boot1 = await sw.evaluate(() => (self as unknown as { bootId: string }).bootId);
      const page = await b.page();
      await page.goto(`https://chatgpt.com/c/${DEMO}`);
      // cookies set by the fake page are sent by the extension's credentialed fetch
      const token = await sw.evaluate(async () => ((await (await fetch('https://chatgpt.com/api/auth/session', { credentials: 'include' })).json()) as { accessToken?: string }).accessToken);
      assert.equal(token, fake.state.accessToken);
      assert.equal(await serviceWorkerStatus(b.context, b.extensionId!), 'running');
      await stopServiceWorker(b.context, b.extensionId!);
      assert.equal(await serviceWorkerStatus(b.context, b.extensionId!), 'stopped');
      const reply = await page.evaluate(() => new Promise<{ bootId: string }>((res) => {
        window.addEventListener('message', (e: MessageEvent<unknown>) => {
          const reply = typeof e.data === 'object' && e.data !== null ? (e.data as { probeReply?: { bootId: string } }).probeReply : undefined;
          if (reply) res(reply);
        });
        window.postMessage('probe:ping');
      }));
      assert.notEqual(reply.bootId, boot1, 'a fresh worker instance answered');
      assert.equal(await (await b.serviceWorker()).evaluate(() => (self as unknown as { bootId: string }).bootId), reply.bootId);
    } finally {
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('launches the real build when present', { ...T, skip: hasExtensionBuild() ? false : 'no .output/chrome-mv3 (run npx wxt build)' }, async () => {
    const b = await launchBrowser({ server: fake });
    try {
      const sw = await b.serviceWorker();
      assert.match(sw.url(), new RegExp(`^chrome-extension://${b.extensionId}/`));
      const page = await b.page();
      await page.goto(`https://chatgpt.com/c/${DEMO}`);
      await page.waitForSelector('html[data-fake-app-state="idle"]');
      assert.ok((await page.locator('section[data-turn]').count()) >= 6, 'turns rendered');
    } finally {
      await b.close();
    }
  });
});
