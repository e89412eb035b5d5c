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
  /** A window whose `document.cookie` read is counted, with or without a cookie store. */
  const page = (cookie: string, store?: (name: string) => Promise<{ value?: string } | null>) => {
    const reads = { cookie: 0, asked: [] as string[] };
    const win = {
      document: {
        get cookie() {
          reads.cookie++;
          return cookie;
        },
      },
      ...(store ? { cookieStore: { get: (name: string) => (reads.asked.push(name), store(name)) } } : {}),
    } as unknown as Window;
    return { win, reads };
  };

  it('asks the cookie store for the workspace cookie, not document.cookie', async () => {
    const { win, reads } = page('_account=wrong', () => Promise.resolve({ value: 'ws-1' }));
    expect(await pageWorkspace(win)).toBe('ws-1');
    expect(reads).toEqual({ cookie: 0, asked: ['_account'] });
  });

  it.each([
    [null, null],
    [null, { value: '../../x' }],
    [null, { value: '%E0%A4%A' }],
    ['ws-1', { value: 'ws%2D1' }],
  ])('is %j when the store has %j', async (expected, found) => {
    const { win } = page('_account=wrong', () => Promise.resolve(found));
    expect(await pageWorkspace(win)).toBe(expected);
  });

  it('reads document.cookie where there is no store, or the store refuses', async () => {
    expect(await pageWorkspace(page('_account=ws-2').win)).toBe('ws-2');
    const refusing = page('_account=ws-3', () => Promise.reject(new TypeError('insecure origin')));
    expect(await pageWorkspace(refusing.win)).toBe('ws-3');
    expect(refusing.reads.cookie).toBe(1);
  });

  it('takes a cookieStore without a get function for what it is (an element the page named) and reads the cookies given', async () => {
    const named = { document: { cookie: {} }, cookieStore: { get: { tagName: 'INPUT' } } } as unknown as Window;
    expect(await pageWorkspace(named, () => '_account=ws-4')).toBe('ws-4');
  });
});
