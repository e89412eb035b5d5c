/**
 * Collects one file's body into a single buffer as it arrives, so the file is held once: sized up front
 * from the declared length (grown by doubling when none was declared), never a list of chunks plus a Blob
 * plus a copy. The buffer is handed to the vault as it is (`prepareBytes` with `owned`), which hashes it and
 * gives IndexedDB one Blob made from it. The size limit is enforced here too, whoever feeds the sink.
 */
import { fail } from '@/utils/chatgpt/net/failure';
import { tooLargeReason, type BodySink } from '@/utils/chatgpt/net/fetcher';

const FIRST_CAPACITY = 256 * 1024;

export class ByteSink implements BodySink {
  private buffer: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  private filled = 0;

  constructor(private readonly maxBytes: number) {}

  /** The declared length: allocate exactly that much once (a longer body still grows the buffer). */
  length(declaredBytes: number): void {
    if (declaredBytes > this.maxBytes) fail('too-large', tooLargeReason(this.maxBytes));
    if (this.filled === 0 && declaredBytes > this.buffer.length) this.buffer = new Uint8Array(declaredBytes);
  }

  chunk(chunk: Uint8Array): void {
    const needed = this.filled + chunk.byteLength;
    if (needed > this.maxBytes) fail('too-large', tooLargeReason(this.maxBytes));
    if (needed > this.buffer.length) {
      const grown = new Uint8Array(Math.min(this.maxBytes, Math.max(needed, this.buffer.length * 2, FIRST_CAPACITY)));
      grown.set(this.buffer.subarray(0, this.filled));
      this.buffer = grown;
    }
    this.buffer.set(chunk, this.filled);
    this.filled = needed;
  }

  get size(): number {
    return this.filled;
  }

  /** The bytes received (a view on the one buffer, no copy). */
  bytes(): Uint8Array<ArrayBuffer> {
    return this.buffer.subarray(0, this.filled);
  }
}
