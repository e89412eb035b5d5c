/**
 * Node adapters for the ZIP layer (CLI, bench and tests only; never imported by extension code):
 * files as random-access sources and sinks, and node:zlib's native inflate, deflate and CRC-32, which are
 * 2.5-5x faster in Node than the web streams (docs/ARCHITECTURE.md, "ZIP layer").
 */
import { open } from 'node:fs/promises';
import { Writable, type Transform } from 'node:stream';
import { createDeflateRaw, createInflateRaw, deflateRawSync, crc32 as zlibCrc32 } from 'node:zlib';
import type { Crc32 } from './crc32';
import type { DeflateBytes } from './pipelined';
import type { InflateFactory } from './read';
import type { RandomAccessSource } from './source';
import type { DeflateFactory } from './write';

type Pair = ReadableWritablePair<Uint8Array, Uint8Array>;

/** A file opened for random reads; close it when done. */
export async function fileSource(path: string): Promise<RandomAccessSource & { close(): Promise<void> }> {
  const fh = await open(path, 'r');
  const { size } = await fh.stat();
  return {
    size,
    async read(offset, length) {
      const n = Math.max(0, Math.min(length, size - offset));
      const buf = new Uint8Array(n);
      let got = 0;
      while (got < n) {
        const { bytesRead } = await fh.read(buf, got, n - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return got === n ? buf : buf.subarray(0, got);
    },
    close: () => fh.close(),
  };
}

/**
 * A node:zlib stream as a web TransformStream that keeps backpressure: the next input chunk goes in only
 * when the previous one is processed and at most `aheadChunks` output chunks wait to be taken, so zlib
 * (in the thread pool) works on the next piece while the reader handles the last one, in bounded memory.
 * (`Duplex.toWeb` queues up to 16,384 chunks on its readable side, so inflation ran ahead of the reader:
 * 250 MB RSS for a 1 GB export.)
 */
function zlibTransform(z: Transform, aheadChunks = 0): Pair {
  return new TransformStream<Uint8Array, Uint8Array>({
    start(ctrl) {
      z.on('data', (d: Buffer) => {
        try {
          ctrl.enqueue(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
        } catch {
          // The reader cancelled (a bound was hit mid-member) while zlib still had output: stop inflating.
          z.destroy();
        }
      });
      z.on('error', (e) => ctrl.error(e));
    },
    transform: (chunk) => new Promise<void>((resolve, reject) => {
      z.write(chunk, (err) => (err ? reject(err) : resolve()));
    }),
    flush: () => new Promise<void>((resolve, reject) => {
      z.once('end', resolve);
      z.once('error', reject);
      z.end();
    }),
  }, undefined, { highWaterMark: aheadChunks });
}

/** node:zlib raw inflate (native, in the thread pool), 256 KiB output chunks, up to 1 MiB inflated ahead. */
export const nodeInflateRaw: InflateFactory = () => zlibTransform(createInflateRaw({ chunkSize: 256 << 10 }), 4);

export const nodeDeflateRaw: DeflateFactory = () => zlibTransform(createDeflateRaw({ level: 6 }));

/**
 * Level 1: for output written in bulk where time matters more than the last 10-15% of size (the readable
 * archive's pages, about twice the text of the export they come from).
 */
export const nodeDeflateRawFast: DeflateFactory = () => zlibTransform(createDeflateRaw({ level: 1 }));

/**
 * Level 1, one whole buffer on the calling thread (`pipelinedZipWriter`): for page-sized members the async
 * form cost 2-3x the CPU of the compression itself (a zlib stream, its callbacks and the thread-pool hand-off
 * per member; measured 2026-12-08 on 72 KB pages), and the CLIs are measured in CPU on a shared machine.
 */
export const nodeDeflateRawBytes: DeflateBytes = (data) => {
  const b = deflateRawSync(data, { level: 1 });
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
};

export const nodeCrc32: Crc32 = (data, previous = 0) => zlibCrc32(data, previous);

/** A web WritableStream over a Node writable (a file stream, process.stdout). */
export function nodeSink(w: NodeJS.WritableStream): WritableStream<Uint8Array> {
  return Writable.toWeb(w as Writable) as WritableStream<Uint8Array>;
}
