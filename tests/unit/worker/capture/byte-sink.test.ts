import { describe, expect, it } from 'vitest';
import { ByteSink } from '@/utils/worker/capture/byte-sink';
import { toFailure } from '@/utils/chatgpt/net/failure';
import { firstDiff, randomBytes } from '../../helpers';

function feed(sink: ByteSink, data: Uint8Array, chunk: number): void {
  for (let i = 0; i < data.length; i += chunk) sink.chunk(data.subarray(i, i + chunk));
}

describe('ByteSink', () => {
  it('a declared length is allocated once: the file lives in one buffer of exactly its size', () => {
    const data = randomBytes(300_000, 5);
    const sink = new ByteSink(1_000_000);
    sink.length(data.length);
    feed(sink, data, 7_000);
    const bytes = sink.bytes();
    expect(firstDiff(bytes, data)).toBe(-1);
    expect(bytes.buffer.byteLength).toBe(data.length);
  });

  it('without a length it grows and still returns exactly the bytes received', () => {
    const data = randomBytes(1_234_567, 6);
    const sink = new ByteSink(10_000_000);
    feed(sink, data, 65_536);
    expect(sink.size).toBe(data.length);
    expect(firstDiff(sink.bytes(), data)).toBe(-1);
  });

  it('past the limit: too-large, whether declared or arriving', () => {
    const declared = new ByteSink(1_000);
    expect(() => declared.length(1_001)).toThrow();
    const arriving = new ByteSink(1_000);
    let err: unknown;
    try {
      feed(arriving, randomBytes(2_000, 7), 300);
    } catch (e) {
      err = e;
    }
    expect(toFailure(err)).toMatchObject({ cause: 'too-large' });
    expect(toFailure(err).reason).toMatch(/^File larger than/);
    expect(arriving.size).toBeLessThanOrEqual(1_000);
  });
});
