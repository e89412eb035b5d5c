/**
 * The ZIP writer: members go to a `WritableStream` one after another, each streamed (a Blob or a stream
 * is never read whole), with ZIP64 records exactly where a size, an offset or the member count needs
 * them: a backup over 4 GiB or over 65,535 members stays readable (our reader, Info-ZIP `unzip`).
 *
 * Bytes in memory (and a Blob up to 1 MiB) get their CRC and sizes in the local header, no descriptor.
 * A larger Blob or a stream is written with a data descriptor (its CRC is known only at the end);
 * when its size is unknown or near 4 GiB its local header carries a ZIP64 field and the descriptor is the
 * 64-bit one, as APPNOTE 4.3.9 asks. Names are UTF-8 (flag bit 11), safe (`unsafeNameReason`) and unique;
 * bidi controls and zero-width characters are stripped from them.
 */
import { crc32 as jsCrc32, type Crc32 } from './crc32';
import { INVISIBLE_CHARS, ZipFormatError, describeName, unsafeNameReason } from './errors';

export type DeflateFactory = () => ReadableWritablePair<Uint8Array, Uint8Array>;

const webDeflateRaw: DeflateFactory = () =>
  new CompressionStream('deflate-raw') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>;

export interface ZipWriterOptions {
  /** Raw-deflate compressor (default: the platform's `CompressionStream('deflate-raw')`). */
  deflate?: DeflateFactory;
  crc32?: Crc32;
}

export interface AddOptions {
  /** Deflate the member (default false: stored). */
  compress?: boolean;
  lastModified?: Date;
}

/** What a member copied as it is needs: its ZIP method, CRC-32 and sizes (a reader's `ZipEntry` fits). */
export interface RawMember {
  readonly method: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
}

export interface ZipWriter {
  /**
   * Copies a member's stored bytes unchanged (no inflate, no deflate): `data` must be exactly
   * `compressedSize` bytes that decode to the CRC and size given, which the caller vouches for (the
   * reader's `raw()` verifies them as they pass). Sizes and CRC go in the local header, no descriptor.
   */
  addRaw(name: string, member: RawMember, data: ReadableStream<Uint8Array>, opts?: { lastModified?: Date }): Promise<void>;
  add(name: string, data: Uint8Array | Blob | ReadableStream<Uint8Array>, opts?: AddOptions): Promise<void>;
  /** Writes the central directory and closes the sink. */
  close(): Promise<void>;
  /** Gives up: aborts the sink (a cancelled download, a failed member) and refuses further members. */
  abort(reason?: unknown): Promise<void>;
  /** Bytes written so far. */
  readonly bytesWritten: number;
}

const MAX32 = 0xffffffff;
const SMALL_BLOB = 1 << 20;
/** A member whose size is known below this keeps 32-bit local fields (deflate can grow input a little). */
const SAFE32 = MAX32 - (16 << 20);

interface Written {
  nameBytes: Uint8Array;
  flags: number;
  method: number;
  time: number;
  date: number;
  crc: number;
  compressedSize: number;
  uncompressedSize: number;
  offset: number;
  zip64Local: boolean;
}

function dosDateTime(d: Date): { time: number; date: number } {
  const year = Math.min(Math.max(d.getFullYear(), 1980), 2107);
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

class Bytes {
  readonly b: Uint8Array<ArrayBuffer>;
  private readonly v: DataView;
  private p = 0;
  constructor(n: number) {
    this.b = new Uint8Array(n);
    this.v = new DataView(this.b.buffer);
  }
  u16(x: number) { this.v.setUint16(this.p, x, true); this.p += 2; return this; }
  u32(x: number) { this.v.setUint32(this.p, x >>> 0, true); this.p += 4; return this; }
  u64(x: number) { this.v.setUint32(this.p, x % 0x100000000, true); this.v.setUint32(this.p + 4, Math.floor(x / 0x100000000), true); this.p += 8; return this; }
  raw(x: Uint8Array) { this.b.set(x, this.p); this.p += x.length; return this; }
}

const encoder = new TextEncoder();

/** A Blob from another realm (a test DOM, a worker) fails `instanceof Blob`; its shape does not. */
function isBlobLike(x: unknown): x is Blob {
  return typeof x === 'object' && x !== null && typeof (x as Blob).size === 'number' && typeof (x as Blob).arrayBuffer === 'function';
}

function streamOf(get: () => Promise<Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream({
    async start(ctrl) {
      ctrl.enqueue(await get());
      ctrl.close();
    },
  });
}
async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  const r = stream.getReader();
  for (;;) {
    const { done, value } = await r.read();
    if (done) return out;
    out.push(value);
  }
}

const VERSION_MADE_BY = (3 << 8) | 45; // Unix, spec 4.5: unzip then applies the mode below.
const FILE_MODE = (0o100644 << 16) >>> 0;

export function createZipWriter(sink: WritableStream<Uint8Array>, opts: ZipWriterOptions = {}): ZipWriter {
  const out = sink.getWriter();
  const crcOf = opts.crc32 ?? jsCrc32;
  const deflate = opts.deflate ?? webDeflateRaw;
  const members: Written[] = [];
  const names = new Set<string>();
  let offset = 0;
  let busy = false;
  let closed = false;

  const write = async (chunk: Uint8Array) => {
    if (chunk.length === 0) return;
    offset += chunk.length;
    await out.write(chunk);
  };

  const localHeader = (m: Written): Uint8Array => {
    const extra = m.zip64Local ? 20 : 0;
    const h = new Bytes(30 + m.nameBytes.length + extra)
      .u32(0x04034b50).u16(m.zip64Local ? 45 : 20).u16(m.flags).u16(m.method).u16(m.time).u16(m.date);
    if (m.flags & 0x8) h.u32(0).u32(m.zip64Local ? MAX32 : 0).u32(m.zip64Local ? MAX32 : 0);
    else h.u32(m.crc).u32(m.zip64Local ? MAX32 : m.compressedSize).u32(m.zip64Local ? MAX32 : m.uncompressedSize);
    h.u16(m.nameBytes.length).u16(extra).raw(m.nameBytes);
    if (m.zip64Local) {
      const known = !(m.flags & 0x8);
      h.u16(0x0001).u16(16).u64(known ? m.uncompressedSize : 0).u64(known ? m.compressedSize : 0);
    }
    return h.b;
  };

  /** The member's final name, checked and reserved. */
  const claim = (rawName: string): string => {
    if (busy) throw new Error('ZipWriter.add: the previous member is still being written');
    if (closed) throw new Error('ZipWriter.add: the writer is closed');
    const name = rawName.replace(INVISIBLE_CHARS, '');
    const unsafe = unsafeNameReason(name);
    if (unsafe) throw new ZipFormatError('unsafe-name', `Cannot write member ${describeName(name)}: the name ${unsafe}.`);
    if (names.has(name)) throw new ZipFormatError('duplicate-name', `Cannot write member ${describeName(name)} twice.`);
    names.add(name);
    return name;
  };

  const addRaw = async (rawName: string, src: RawMember, data: ReadableStream<Uint8Array>, o: { lastModified?: Date } = {}) => {
    const name = claim(rawName);
    busy = true;
    try {
      if (src.method === 0 && src.compressedSize !== src.uncompressedSize) {
        throw new ZipFormatError('bad-crc', `Cannot copy member ${describeName(name)}: it is stored but declares two different sizes.`);
      }
      const { time, date } = dosDateTime(o.lastModified ?? new Date());
      const m: Written = {
        nameBytes: encoder.encode(name), flags: 0x800, method: src.method, time, date, crc: src.crc32 >>> 0,
        compressedSize: src.compressedSize, uncompressedSize: src.uncompressedSize, offset,
        zip64Local: src.compressedSize >= MAX32 || src.uncompressedSize >= MAX32,
      };
      await write(localHeader(m));
      const reader = data.getReader();
      let copied = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        copied += value.length;
        if (copied > m.compressedSize) {
          await reader.cancel().catch(() => {});
          break;
        }
        await write(value);
      }
      if (copied !== m.compressedSize) {
        throw new ZipFormatError('bad-crc', `Cannot copy member ${describeName(name)}: its data is ${copied > m.compressedSize ? 'longer' : 'shorter'} than the ${m.compressedSize} bytes it declares.`);
      }
      members.push(m);
    } finally {
      busy = false;
    }
  };

  const add = async (rawName: string, data: Uint8Array | Blob | ReadableStream<Uint8Array>, o: AddOptions = {}) => {
    const name = claim(rawName);
    busy = true;
    try {
      // A small Blob is read in one go: its CRC and size then go in the local header, and the member
      // skips the stream pipeline (a vault of thousands of small images).
      if (isBlobLike(data) && data.size <= SMALL_BLOB) data = new Uint8Array(await data.arrayBuffer());
      const { time, date } = dosDateTime(o.lastModified ?? new Date());
      const method = o.compress ? 8 : 0;
      const m: Written = {
        nameBytes: encoder.encode(name), flags: 0x800, method, time, date, crc: 0, compressedSize: 0, uncompressedSize: 0,
        offset, zip64Local: false,
      };
      if (data instanceof Uint8Array) {
        // Known bytes: deflated in memory first (the input is in memory already), so the sizes and CRC go
        // in the local header and no descriptor is needed: what Explorer and Archive Utility read best.
        const body = method === 8 ? await collect(streamOf(() => Promise.resolve(data as Uint8Array)).pipeThrough(deflate())) : [data];
        m.crc = crcOf(data);
        m.uncompressedSize = data.length;
        m.compressedSize = body.reduce((n, c) => n + c.length, 0);
        m.zip64Local = m.uncompressedSize >= MAX32 || m.compressedSize >= MAX32;
        await write(localHeader(m));
        for (const c of body) await write(c);
        members.push(m);
        return;
      }
      const blob = isBlobLike(data) ? data : null;
      m.flags |= 0x8;
      m.zip64Local = blob === null || blob.size >= SAFE32;
      await write(localHeader(m));
      let input: ReadableStream<Uint8Array>;
      if (blob) input = typeof blob.stream === 'function' ? blob.stream() : streamOf(async () => new Uint8Array(await blob.arrayBuffer()));
      else input = data as ReadableStream<Uint8Array>;
      let crc = 0;
      let size = 0;
      const counted = input.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, ctrl) {
          crc = crcOf(chunk, crc);
          size += chunk.length;
          ctrl.enqueue(chunk);
        },
      }));
      const body = method === 8 ? counted.pipeThrough(deflate()) : counted;
      const reader = body.getReader();
      let written = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        written += value.length;
        await write(value);
      }
      Object.assign(m, { crc, uncompressedSize: size, compressedSize: written });
      if (!m.zip64Local && (size >= MAX32 || written >= MAX32)) {
        // Only a Blob that lied about its size gets here; the archive would be unreadable.
        throw new ZipFormatError('too-large', `Member ${describeName(name)} grew past 4 GiB after it was started as a small member.`, describeName(name));
      }
      const d = m.zip64Local
        ? new Bytes(24).u32(0x08074b50).u32(crc).u64(written).u64(size)
        : new Bytes(16).u32(0x08074b50).u32(crc).u32(written).u32(size);
      await write(d.b);
      members.push(m);
    } finally {
      busy = false;
    }
  };

  const close = async () => {
    if (closed) return;
    closed = true;
    const cdStart = offset;
    for (const m of members) {
      // ZIP64 fields only for values that need them: fflate (and other readers that trust the central
      // directory alone) misread a 0xFFFFFFFF size whose ZIP64 field lacks the offset.
      const bigU = m.uncompressedSize >= MAX32;
      const bigC = m.compressedSize >= MAX32;
      const bigO = m.offset >= MAX32;
      const extra = (bigU ? 8 : 0) + (bigC ? 8 : 0) + (bigO ? 8 : 0);
      const zip64 = extra > 0;
      const h = new Bytes(46 + m.nameBytes.length + (zip64 ? 4 + extra : 0))
        .u32(0x02014b50).u16(VERSION_MADE_BY).u16(zip64 ? 45 : 20).u16(m.flags).u16(m.method).u16(m.time).u16(m.date)
        .u32(m.crc).u32(bigC ? MAX32 : m.compressedSize).u32(bigU ? MAX32 : m.uncompressedSize)
        .u16(m.nameBytes.length).u16(zip64 ? 4 + extra : 0).u16(0).u16(0).u16(0).u32(FILE_MODE)
        .u32(bigO ? MAX32 : m.offset).raw(m.nameBytes);
      if (zip64) {
        h.u16(0x0001).u16(extra);
        if (bigU) h.u64(m.uncompressedSize);
        if (bigC) h.u64(m.compressedSize);
        if (bigO) h.u64(m.offset);
      }
      await write(h.b);
    }
    const cdSize = offset - cdStart;
    const count = members.length;
    if (count >= 0xffff || cdStart >= MAX32 || cdSize >= MAX32) {
      const recordAt = offset;
      await write(new Bytes(56).u32(0x06064b50).u64(44).u16(VERSION_MADE_BY).u16(45).u32(0).u32(0)
        .u64(count).u64(count).u64(cdSize).u64(cdStart).b);
      await write(new Bytes(20).u32(0x07064b50).u32(0).u64(recordAt).u32(1).b);
    }
    await write(new Bytes(22).u32(0x06054b50).u16(0).u16(0).u16(Math.min(count, 0xffff)).u16(Math.min(count, 0xffff))
      .u32(Math.min(cdSize, MAX32)).u32(Math.min(cdStart, MAX32)).u16(0).b);
    await out.close();
  };

  const abort = async (reason?: unknown) => {
    if (closed) return;
    closed = true;
    await out.abort(reason);
  };

  return {
    add,
    addRaw,
    close,
    abort,
    get bytesWritten() {
      return offset;
    },
  };
}
