import { describe, expect, it } from 'vitest';
import { pageWorkspace, workspaceCookie, workspaceCookieString } from '@/utils/chatgpt/session';

describe('workspace cookie', () => {
  it.each([
    ['ws-0000fake0000team', '_account=ws-0000fake0000team'],
    ['ws-1', 'oai-did=abc; _account=ws-1; other=x'],
    ['personal', '_account=personal'],
    [null, ''],
    [null, 'my_account=ws-1'],
    [null, '_account=%E0%A4%A'], // malformed escape
    [null, '_account=../../x'],
    [null, `_account=${'a'.repeat(101)}`],
  ])('is %j in %j', (expected, cookies) => {
    expect(workspaceCookie(cookies)).toBe(expected);
  });

  it('round-trips through the string a worker hands to the session', () => {
    expect(workspaceCookie(workspaceCookieString('ws-1'))).toBe('ws-1');
    expect(workspaceCookieString(null)).toBe('');
  });
});

describe('pageWorkspace', () => {
  /** A page's cookie string (its reads counted), with or without a cookie store. */
  const page = (cookie: string, get?: (name: string) => Promise<{ value?: string } | null>) => {
    const reads = { cookie: 0, asked: [] as string[] };
    const store = get ? { get: (name: string) => (reads.asked.push(name), get(name)) } : undefined;
    const cookies = () => (reads.cookie++, cookie);
    return { ask: () => pageWorkspace(store, cookies), reads };
  };

  it('asks the cookie store for the workspace cookie, not document.cookie', async () => {
    const { ask, reads } = page('_account=wrong', () => Promise.resolve({ value: 'ws-1' }));
    expect(await ask()).toBe('ws-1');
    expect(reads).toEqual({ cookie: 0, asked: ['_account'] });
  });

  it.each([
    [null, null],
    [null, { value: '../../x' }],
    [null, { value: '%E0%A4%A' }],
    ['ws-1', { value: 'ws%2D1' }],
  ])('is %j when the store has %j', async (expected, found) => {
    expect(await page('_account=wrong', () => Promise.resolve(found)).ask()).toBe(expected);
  });

  it('reads the cookie string where there is no store, or the store refuses', async () => {
    expect(await page('_account=ws-2').ask()).toBe('ws-2');
    const refusing = page('_account=ws-3', () => Promise.reject(new TypeError('insecure origin')));
    expect(await refusing.ask()).toBe('ws-3');
    expect(refusing.reads.cookie).toBe(1);
  });

  it('takes a store without a get function for what it is (an element the page named) and reads the cookie string', async () => {
    expect(await pageWorkspace({ get: { tagName: 'INPUT' } }, () => '_account=ws-4')).toBe('ws-4');
  });
});
