import { describe, expect, it } from 'vitest';
import { workspaceCookie, workspaceCookieString } from '@/utils/chatgpt/session';

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
