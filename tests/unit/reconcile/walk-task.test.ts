import { describe, expect, it } from 'vitest';
import { walkBytes } from '@/utils/reconcile/walk-task';

const enc = new TextEncoder();
const conv = (title: string) => enc.encode(JSON.stringify({ id: '69dc3dc3-8dfc-8333-b000-000000000001', title, update_time: 5, mapping: {} }));

describe('walkBytes decoding', () => {
  it('reads non-ASCII text and a genuine U+FFFD', () => {
    for (const title of ['Grüße — 日本語', 'replacement \uFFFD char']) {
      const out = walkBytes(conv(title));
      expect(out.ok).toBe(true);
      if (out.ok) expect(out.conversationId).toBe('69dc3dc3-8dfc-8333-b000-000000000001');
    }
  });

  it('rejects invalid UTF-8 instead of replacing it', () => {
    const good = conv('abc');
    const bad = new Uint8Array(good.length + 1);
    const at = good.indexOf(0x61); // the `a` of the title: insert a lone continuation byte before it
    bad.set(good.subarray(0, at));
    bad[at] = 0x80;
    bad.set(good.subarray(at), at + 1);
    const out = walkBytes(bad);
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.reason).toMatch(/not valid JSON/);
  });
});
