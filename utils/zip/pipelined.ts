/**
 * A ZIP writer for many members held in memory (the readable archive's pages): each is compressed in one
 * call by an injected whole-buffer deflate (node:zlib in the CLI, `nodeDeflateRawBytes`) and its CRC taken,
 * then written still compressed (`addRaw`) behind the members before it, so the caller goes on with the
 * next one while the writes drain. Members stay in the order they were added; what waits to be written is
 * bounded (`maxPendingBytes`): beyond it `add` waits. Streams (artifact bytes) go through the writer's own
 * streaming path once everything before them is written.
 */
import type { Crc32 } from './crc32';
import type { ZipWriter } from './write';

/** Raw deflate of a whole buffer (sync or async). */
export type DeflateBytes = (data: Uint8Array) => Uint8Array | Promise<Uint8Array>;

export interface PipelinedZipOptions {
  deflateBytes: DeflateBytes;
  crc32: Crc32;
  /** Bytes of members added but not yet written; default 8 MiB. */
  maxPendingBytes?: number;
}

export interface PipelinedZipWriter {
  add(path: string, data: Uint8Array | ReadableStream<Uint8Array>, opts: { compress: boolean }): Promise<void>;
  /** Waits for every member, then writes the central directory and closes the sink. */
  close(): Promise<void>;
}

export function pipelinedZipWriter(writer: ZipWriter, opts: PipelinedZipOptions): PipelinedZipWriter {
  const maxPending = opts.maxPendingBytes ?? 8 << 20;
  let chain: Promise<void> = Promise.resolve();
  let failed: { error: unknown } | null = null;
  let pending = 0;
  const check = () => {
    if (failed) throw failed.error;
  };
  const settle = async () => {
    await chain;
    check();
  };
  const then = (step: () => Promise<void>) => {
    chain = chain.then(() => (failed ? undefined : step())).catch((error: unknown) => {
      failed ??= { error };
    });
  };
  return {
    async add(path, data, o) {
      check();
      if (!(data instanceof Uint8Array)) {
        await settle();
        return writer.add(path, data, { compress: o.compress });
      }
      const method = o.compress ? 8 : 0;
      const crc = opts.crc32(data);
      const body = o.compress ? Promise.resolve(opts.deflateBytes(data)) : Promise.resolve(data);
      body.catch(() => undefined); // awaited in order below; a failure surfaces there
      pending += data.length;
      then(async () => {
        const bytes = await body;
        pending -= data.length;
        const member = { method, crc32: crc, compressedSize: bytes.length, uncompressedSize: data.length };
        await writer.addRaw(path, member, new ReadableStream({
          start(ctrl) {
            ctrl.enqueue(bytes);
            ctrl.close();
          },
        }));
      });
      if (pending > maxPending) await settle();
    },
    async close() {
      await settle();
      await writer.close();
    },
  };
}
