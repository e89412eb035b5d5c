/**
 * PLACEHOLDER with the planned API of the ZIP layer (branch `zip-layer`), so the reconciler type-checks
 * until that branch is merged; the merge replaces this file with the real module.
 */
export interface RandomAccessSource {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}
export type InflateFactory = () => TransformStream<Uint8Array, Uint8Array>;
export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
}
export interface ZipReader {
  readonly entries: ZipEntry[];
  get(name: string): ZipEntry | undefined;
  stream(entry: ZipEntry, opts?: { maxBytes?: number; signal?: AbortSignal }): ReadableStream<Uint8Array>;
  bytes(entry: ZipEntry, max?: number): Promise<Uint8Array>;
  rawSource(entry: ZipEntry): RandomAccessSource;
}
export class ZipFormatError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}
export function blobSource(blob: Blob): RandomAccessSource {
  return { size: blob.size, read: async (o, l) => new Uint8Array(await blob.slice(o, o + l).arrayBuffer()) };
}
export function openZip(_src: RandomAccessSource, _opts: { inflate?: InflateFactory; maxEntries?: number; signal?: AbortSignal } = {}): Promise<ZipReader> {
  return Promise.reject(new Error('utils/zip is not merged yet'));
}
export function unsafeNameReason(_name: string): string | null {
  return null;
}
export interface ZipWriter {
  add(name: string, data: Uint8Array | Blob | ReadableStream<Uint8Array>, opts?: { compress?: boolean }): Promise<void>;
  close(): Promise<void>;
}
export function createZipWriter(_sink: WritableStream<Uint8Array>): ZipWriter {
  throw new Error('utils/zip is not merged yet');
}
