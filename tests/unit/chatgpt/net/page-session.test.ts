// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { toFailure } from '@/utils/chatgpt/net/failure';
import { PageSession } from '@/utils/chatgpt/net/page-session';
import { empty, fakeFetch, json, type Handler } from './fake-fetch';
import { deferred } from '../../helpers';

const ORIGIN = 'https://chatgpt.com';
const T0 = Date.parse('2026-11-23T10:00:00Z');
const SESSION = '/api/auth/session';
const ACCOUNTS = '/backend-api/accounts/check/v4-2023-04-27';

function setup(route: Handler, cookie = '') {
  const net = fakeFetch(route);
  const clock = { t: T0 };
  const session = new PageSession(ORIGIN, net.fetch, () => cookie, () => clock.t);
  return { session, log: net.log, clock };
}

let issued = 0;
const tokenAnswer = (expiresInMs = 3_600_000) =>
  json({ accessToken: `eyJ-token-${++issued}`, expires: new Date(T0 + expiresInMs).toISOString(), user: { id: 'u' } });

describe('PageSession.token', () => {
  it('reads the session endpoint with cookies and caches the token', async () => {
    const { session, log } = setup(() => tokenAnswer());
    const first = await session.token();
    expect(first).toMatch(/^eyJ-token-/);
    expect(await session.token()).toBe(first);
    expect(log.map((r) => [r.path, r.credentials])).toEqual([[SESSION, 'include']]);
  });

  it('fresh=true reads it again (after a 401)', async () => {
    const { session, log } = setup(() => tokenAnswer());
    const a = await session.token();
    const b = await session.token(true);
    expect(b).not.toBe(a);
    expect(await session.token()).toBe(b);
    expect(log).toHaveLength(2);
  });

  it('concurrent callers share one read', async () => {
    const gate = deferred();
    const { session, log } = setup(async () => {
      await gate.promise;
      return tokenAnswer();
    });
    const all = Promise.all([session.token(), session.token(), session.token(true)]);
    gate.resolve();
    const tokens = await all;
    expect(new Set(tokens).size).toBe(1);
    expect(log).toHaveLength(1);
  });

  it('never trusts a token for more than 10 minutes, and refreshes a minute before it expires', async () => {
    const long = setup(() => tokenAnswer());
    await long.session.token();
    long.clock.t += 9 * 60_000;
    await long.session.token();
    expect(long.log).toHaveLength(1);
    long.clock.t += 2 * 60_000;
    await long.session.token();
    expect(long.log).toHaveLength(2);

    const short = setup(() => tokenAnswer(5 * 60_000));
    await short.session.token();
    short.clock.t += 3 * 60_000;
    await short.session.token();
    expect(short.log).toHaveLength(1);
    short.clock.t += 90_000; // 30 s before expiry
    await short.session.token();
    expect(short.log).toHaveLength(2);
  });

  it.each([
    ['signed out ({})', () => json({}), 'auth'],
    ['a short token', () => json({ accessToken: 'x' }), 'auth'],
    ['not JSON', () => new Response('<html>', { headers: { 'content-type': 'text/html' } }), 'auth'],
    ['403', () => json({ accessToken: 'eyJ-valid-looking' }, 403), 'auth'],
    ['429', () => empty(429), 'rate-limited'],
    ['500', () => empty(500), 'server'],
  ])('%s is a %s failure, and the next call tries again', async (_, answer, cause) => {
    let n = 0;
    const { session, log } = setup(() => (++n === 1 ? answer() : tokenAnswer()));
    await expect(session.token()).rejects.toSatisfy((err: unknown) => toFailure(err).cause === cause);
    await expect(session.token()).resolves.toMatch(/^eyJ-token-/);
    expect(log).toHaveLength(2);
  });
});

describe('PageSession.accountId', () => {
  it.each([
    ['no cookie', ''],
    ['a personal account', 'foo=1; _account=personal; bar=2'],
  ])('%s: null, without any request', async (_, cookie) => {
    const { session, log } = setup(() => tokenAnswer(), cookie);
    expect(await session.accountId()).toBeNull();
    expect(log).toHaveLength(0);
  });

  it('a workspace: the id from the accounts check, asked once', async () => {
    const { session, log } = setup((req) => {
      if (req.path === SESSION) return tokenAnswer();
      return json({ accounts: { 'ws-sel': { account: { account_id: 'acct-0001' } } } });
    }, 'a=1; _account=ws-sel');
    expect(await session.accountId()).toBe('acct-0001');
    expect(await session.accountId()).toBe('acct-0001');
    const checks = log.filter((r) => r.path === ACCOUNTS);
    expect(checks).toHaveLength(1);
    expect(checks[0]!.headers.authorization).toMatch(/^Bearer eyJ-token-/);
  });

  it('a workspace missing from the answer falls back to the cookie value', async () => {
    const { session } = setup((req) => (req.path === SESSION ? tokenAnswer() : json({ accounts: {} })), '_account=ws%2Dsel');
    expect(await session.accountId()).toBe('ws-sel');
  });

  it('a failed accounts check is not remembered: the cookie value now, the check again next time', async () => {
    let checks = 0;
    const { session } = setup((req) => {
      if (req.path === SESSION) return tokenAnswer();
      return ++checks === 1 ? empty(503) : json({ accounts: { 'ws-sel': { account: { account_id: 'acct-0001' } } } });
    }, '_account=ws-sel');
    expect(await session.accountId()).toBe('ws-sel');
    expect(await session.accountId()).toBe('acct-0001');
    expect(checks).toBe(2);
  });

  it('no session at all: null, and asked again next time', async () => {
    let reads = 0;
    const { session } = setup((req) => {
      if (req.path === SESSION) return ++reads === 1 ? json({}) : tokenAnswer();
      return json({ accounts: { 'ws-sel': { account: { account_id: 'acct-0001' } } } });
    }, '_account=ws-sel');
    expect(await session.accountId()).toBeNull();
    expect(await session.accountId()).toBe('acct-0001');
  });
});

describe('PageSession: the account follows the workspace that asks', () => {
  const accountsFor = (ids: string[]) =>
    json({ accounts: Object.fromEntries(ids.map((id) => [id, { account: { account_id: `acct-${id}` } }])) });

  it('a page that switches workspace (or to personal) gets the new account on the next request', async () => {
    let cookie = '_account=ws-a';
    const net = fakeFetch((req) => (req.path === SESSION ? tokenAnswer() : accountsFor(['ws-a', 'ws-b'])));
    const session = new PageSession(ORIGIN, net.fetch, () => cookie, () => T0);
    expect(await session.accountId()).toBe('acct-ws-a');
    cookie = '_account=ws-b';
    expect(await session.accountId()).toBe('acct-ws-b');
    cookie = '_account=personal';
    expect(await session.accountId()).toBeNull();
    cookie = '_account=ws-a';
    expect(await session.accountId()).toBe('acct-ws-a');
    expect(net.log.filter((r) => r.path === ACCOUNTS)).toHaveLength(2); // each workspace checked once
  });

  it('forWorkspace: one token, each caller with its own workspace', async () => {
    const net = fakeFetch((req) => (req.path === SESSION ? tokenAnswer() : accountsFor(['ws-a', 'ws-b'])));
    const session = new PageSession(ORIGIN, net.fetch, () => '', () => T0);
    const a = session.forWorkspace('ws-a');
    const b = session.forWorkspace('ws-b');
    const personal = session.forWorkspace(null);
    expect(await a.accountId()).toBe('acct-ws-a');
    expect(await b.accountId()).toBe('acct-ws-b');
    expect(await personal.accountId()).toBeNull();
    expect(await a.token()).toBe(await b.token());
    expect(net.log.filter((r) => r.path === SESSION)).toHaveLength(1);
  });
});
