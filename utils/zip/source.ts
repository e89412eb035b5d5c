/** Random access to the bytes of a ZIP: a Blob/File in the page, a file descriptor in Node (node.ts). */
export interface RandomAccessSource {
  readonly size: number;
  /** `length` bytes from `offset` (fewer only at the end of the source). */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A Blob as a source: each read is one `slice().arrayBuffer()`. */
export function blobSource(blob: Blob): RandomAccessSource & { readonly blob: Blob } {
  return {
    blob,
    size: blob.size,
    async read(offset, length) {
      return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
    },
  };
}

/** `length` bytes of `src` from `start`, as a source of its own (a stored member, a part-ZIP). */
export function subSource(src: RandomAccessSource, start: () => Promise<number>, length: number): RandomAccessSource {
  let base: Promise<number> | null = null;
  return {
    size: length,
    async read(offset, len) {
      base ??= start();
      const b = await base;
      const end = Math.min(length, offset + len);
      if (offset >= end) return new Uint8Array(0);
      return src.read(b + offset, end - offset);
    },
  };
}
