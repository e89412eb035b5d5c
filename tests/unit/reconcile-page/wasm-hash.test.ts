// @vitest-environment node
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nobleSha256 } from '@/utils/reconcile/hash';
import { pageSha256 } from '@/utils/reconcile-page/wasm-hash';

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7) & 255);
const sha = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

describe('pageSha256', () => {
  it('hashes streamed chunks like node:crypto, empty input included', async () => {
    const factory = await pageSha256();
    const a = bytes(200_003, 1);
    const h = factory();
    for (let o = 0; o < a.length; o += 65_536) h.update(a.subarray(o, o + 65_536));
    expect(h.hex()).toBe(sha(a));
    expect(factory().hex()).toBe(sha());
  });

  it('keeps each hash apart when updates interleave on the shared hasher', async () => {
    const factory = await pageSha256();
    const [a1, a2, b1, b2] = [bytes(1000, 2), bytes(70_000, 3), bytes(5, 4), bytes(3000, 5)];
    const a = factory();
    const b = factory();
    a.update(a1);
    b.update(b1);
    const c = factory();
    a.update(a2);
    b.update(b2);
    expect(b.hex()).toBe(sha(b1, b2));
    expect(c.hex()).toBe(sha());
    expect(a.hex()).toBe(sha(a1, a2));
    expect(() => a.update(a1)).toThrow(/already been finished/);
  });

  it('is the WebAssembly build where WebAssembly works, not the @noble/hashes fallback', async () => {
    expect(await pageSha256()).not.toBe(nobleSha256);
  });
});
