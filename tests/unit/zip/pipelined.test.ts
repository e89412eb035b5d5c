// @vitest-environment node
/** pipelinedZipWriter (utils/zip/pipelined.ts): in-memory members compressed whole, written in order behind each other. */
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { createZipWriter, pipelinedZipWriter } from '@/utils/zip';
import { nodeCrc32, nodeDeflateRawBytes } from '@/utils/zip/node';

/** A sink that collects what is written. */
function memorySink() {
  const chunks: Uint8Array[] = [];
  const sink = new WritableStream<Uint8Array>({ write: (c) => void chunks.push(c.slice()) });
  const bytes = () => {
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  };
  return { sink, bytes };
}

const enc = (s: string) => new TextEncoder().encode(s);
const streamOf = (b: Uint8Array) => new ReadableStream<Uint8Array>({
  start(c) {
    c.enqueue(b);
    c.close();
  },
});

describe('pipelinedZipWriter', () => {
  it('writes bytes and stream members in the order added, each readable with its own bytes, deflated or stored as asked', async () => {
    const { sink, bytes } = memorySink();
    // A small bound, so adds wait for writes along the way.
    const zip = pipelinedZipWriter(createZipWriter(sink, { crc32: nodeCrc32 }), { deflateBytes: nodeDeflateRawBytes, crc32: nodeCrc32, maxPendingBytes: 1000 });
    const page = enc('<p>page</p>\n'.repeat(500));
    await zip.add('a.html', page, { compress: true });
    await zip.add('b.bin', enc('stored'), { compress: false });
    await zip.add('c.png', streamOf(enc('png bytes')), { compress: false });
    await zip.add('d.md', enc('# d\n'), { compress: true });
    await zip.close();
    const out = bytes();
    const files = unzipSync(out);
    expect(Object.keys(files)).toEqual(['a.html', 'b.bin', 'c.png', 'd.md']);
    expect(files['a.html']).toEqual(page);
    expect(new TextDecoder().decode(files['b.bin'])).toBe('stored');
    expect(new TextDecoder().decode(files['c.png'])).toBe('png bytes');
    expect(new TextDecoder().decode(files['d.md'])).toBe('# d\n');
    // The page was deflated: the archive is smaller than its text.
    expect(out.length).toBeLessThan(page.length);
  });

  it('a failing deflate surfaces on a later add or on close', async () => {
    const { sink } = memorySink();
    let calls = 0;
    const zip = pipelinedZipWriter(createZipWriter(sink, { crc32: nodeCrc32 }), {
      deflateBytes: () => (++calls === 2 ? Promise.reject(new Error('deflate broke')) : new Uint8Array([3, 0])),
      crc32: nodeCrc32,
    });
    await zip.add('a', new Uint8Array(0), { compress: true });
    await zip.add('b', enc('x'), { compress: true });
    await expect((async () => {
      await zip.add('c', enc('y'), { compress: true });
      await zip.close();
    })()).rejects.toThrow('deflate broke');
  });
});
