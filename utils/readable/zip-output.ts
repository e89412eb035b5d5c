/** The readable archive written as a ZIP through the one ZIP writer (utils/zip/write.ts). */
import { createZipWriter, type Crc32, type DeflateFactory, type ZipWriter } from '@/utils/zip';
import type { ArchiveOutput } from './types';

export function zipOutput(sink: WritableStream<Uint8Array>, opts: { deflate?: DeflateFactory; crc32?: Crc32 } = {}): ArchiveOutput & { writer: ZipWriter } {
  const writer = createZipWriter(sink, opts);
  return {
    writer,
    add: (path, data, o) => writer.add(path, data, { compress: o.compress }),
  };
}
