/**
 * The one ZIP layer of the product: every ZIP it reads (vault archives, official exports, part-ZIPs) or
 * writes (vault archive, selection ZIP, enriched export) goes through here. No Node or browser-only API in
 * this folder except the web platform's streams and Blob; Node adapters are in `./node.ts` (CLI, bench and
 * tests only). Why our own code and not a library: docs/ARCHITECTURE.md, section "ZIP layer".
 *
 * Reading:
 *   const zip = await openZip(blobOrSource, { inflate?, crc32?, maxEntries?, signal? });
 *   zip.entries / zip.get(name)                      // checked: safe unique names, no overlap, bounded count
 *   zip.stream(entry, { maxBytes?, signal? })        // ReadableStream of inflated, verified bytes
 *   await zip.bytes(entry, maxBytes)                 // the same, in one buffer of the declared size
 *   zip.rawSource(entry)                             // a stored member as a RandomAccessSource (part-ZIPs)
 *   await zip.dataOffset(entry)                      // where its raw bytes start (a Blob slice of a stored member)
 *   zip.raw(entry, { signal? })                      // its bytes as stored (still deflated), verified as they stream
 * Sources: `blobSource(blob)` (a Blob is accepted directly), `fileSource(path)` in node.ts.
 * Inflation is native and injected: `DecompressionStream('deflate-raw')` by default, `nodeInflateRaw` in
 * Node (2.5x faster there). Every refusal is a `ZipFormatError` with a `code` and a clear message.
 *
 * Writing:
 *   const zip = createZipWriter(writableStream, { deflate?, crc32? });
 *   await zip.add(name, Uint8Array | Blob | ReadableStream, { compress?, lastModified? });  // one at a time
 *   await zip.addRaw(name, entry, reader.raw(entry)); // a member copied still compressed (verified as it passes)
 *   await zip.close();                              // ZIP64 records are added where needed
 *   await zip.abort(reason);                        // or give up: the sink is aborted
 *   pipelinedZipWriter(zip, { deflateBytes, crc32 }) // many in-memory members: compressed whole, written behind
 */
export { checkEntryBounds, MAX_INFLATE_RATIO, MAX_MEMBER_BYTES, MAX_MEMBERS, mib } from './bounds';
export { crc32, type Crc32 } from './crc32';
export { INVISIBLE_CHARS, ZipFormatError, describeName, unsafeNameReason, type ZipErrorCode } from './errors';
export { blobSource, type RandomAccessSource } from './source';
export {
  openZip, webInflateRaw, type InflateFactory, type OpenZipOptions, type StreamOptions, type ZipEntry, type ZipReader,
} from './read';
export { pipelinedZipWriter, type DeflateBytes, type PipelinedZipOptions, type PipelinedZipWriter } from './pipelined';
export { createZipWriter, type AddOptions, type DeflateFactory, type RawMember, type ZipWriter, type ZipWriterOptions } from './write';
