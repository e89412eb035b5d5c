/**
 * The ZIP reader: one central-directory parse (ZIP64 aware), then random access to members from a
 * `RandomAccessSource`. Members stream out inflated and verified; nothing is buffered whole.
 *
 * Safety rules, checked when the ZIP is opened: every name is safe (not absolute, no `..`, no backslash,
 * no control characters) and unique, no two members' bytes overlap (overlap is how a small ZIP claims
 * terabytes: one deflate stream inflated under many names), every member lies before the directory, and
 * the member count is bounded. When a member is read: its local header repeats its name, it does not run
 * into the next member, it inflates to exactly its declared size with the declared CRC-32, and output
 * past the declared size or past the caller's `maxBytes` errors at once. Deflated input is fed 64 KiB at
 * a time, so a deflate bomb (at most ~1032:1) cannot produce more than ~64 MiB before it is stopped.
 *
 * Small members are read through a window: a read of at most `windowBytes` fetches `windowBytes` from
 * there (and prefetches the next window), so a run of small members costs one source read per window;
 * a member larger than a window is read straight from the source, 1 MiB at a time. One read per
 * member cost ~1.5 ms in the browser (a round trip to the blob registry), which made 10,000 small images
 * take most of a minute (2026-11 bench).
 */
import { crc32 as jsCrc32, type Crc32 } from './crc32';
import { ZipFormatError, describeName, unsafeNameReason } from './errors';
import { blobSource, subSource, type RandomAccessSource } from './source';

/** Makes a raw-deflate decompressor. Default: the platform's native `DecompressionStream('deflate-raw')`. */
export type InflateFactory = () => ReadableWritablePair<Uint8Array, Uint8Array>;

export const webInflateRaw: InflateFactory = () =>
  new DecompressionStream('deflate-raw') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>;

export interface ZipEntry {
  readonly name: string;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  /** 0 = stored, 8 = deflate; anything else is listed but cannot be read. */
  readonly method: number;
  readonly crc32: number;
  readonly encrypted: boolean;
  /** The name ends with `/`. */
  readonly directory: boolean;
  /** Offset of the member's local header in the source (file order = ascending offset). */
  readonly offset: number;
}

export interface OpenZipOptions {
  inflate?: InflateFactory;
  /** CRC-32 implementation (node.ts injects Node's native one). */
  crc32?: Crc32;
  /** Most members accepted (default 1,000,000). */
  maxEntries?: number;
  signal?: AbortSignal;
  /** Bytes per source read for small reads (default 4 MiB). */
  windowBytes?: number;
}

export interface StreamOptions {
  /** Error (code `too-large`) when the member declares or produces more than this. */
  maxBytes?: number;
  signal?: AbortSignal;
}

export interface ZipReader {
  /** Members in central-directory order. */
  readonly entries: readonly ZipEntry[];
  get(name: string): ZipEntry | undefined;
  /** Inflated bytes, verified (CRC-32, declared size); errors past maxBytes or the declared size. */
  stream(entry: ZipEntry, opts?: StreamOptions): ReadableStream<Uint8Array>;
  /** The whole member in one buffer of its declared size (refused above `maxBytes`). */
  bytes(entry: ZipEntry, maxBytes: number): Promise<Uint8Array<ArrayBuffer>>;
  /** A stored (method 0) member as its own random-access source (a ZIP of part-ZIPs); null otherwise. */
  rawSource(entry: ZipEntry): RandomAccessSource | null;
  /** Where the member's raw bytes start in the source (its local header checked). */
  dataOffset(entry: ZipEntry): Promise<number>;
  /**
   * The member's bytes as stored (still deflated), for copying it into another ZIP unchanged. Verified as
   * they pass: a deflated member is inflated alongside and discarded (native inflate is ~20x cheaper than
   * deflating again), and the stream errors at its end unless the size and CRC-32 match the directory.
   */
  raw(entry: ZipEntry, opts?: StreamOptions): ReadableStream<Uint8Array>;
}

const EOCD_SIG = 0x06054b50;
const EOCD64_SIG = 0x06064b50;
const LOCATOR_SIG = 0x07064b50;
const CEN_SIG = 0x02014b50;
const LOC_SIG = 0x04034b50;
const EOCD_MIN = 22;
const LOCATOR_LEN = 20;
const EOCD64_MIN = 56;
const CEN_MIN = 46;
const LOC_MIN = 30;
const MAX_COMMENT = 0xffff;
/** Deflated input is fed in pieces this big (bounds the output of one step to ~64 MiB). */
const FEED = 64 << 10;
/** Raw bytes per source read while streaming a member. */
const CHUNK = 1 << 20;

const u16 = (v: DataView, o: number) => v.getUint16(o, true);
const u32 = (v: DataView, o: number) => v.getUint32(o, true);
/** 64-bit little-endian as a number; past 2^53 it is not a real offset anyway. */
const u64 = (v: DataView, o: number) => v.getUint32(o, true) + v.getUint32(o + 4, true) * 0x100000000;
const viewOf = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

interface Internal {
  nameLength: number;
  /** Index in file order. */
  order: number;
}

/** Duck-typed: a Blob from another realm (a test DOM, a worker) fails `instanceof Blob`. */
function isSource(x: RandomAccessSource | Blob): x is RandomAccessSource {
  return typeof (x as RandomAccessSource).read === 'function';
}

async function readExact(src: RandomAccessSource, offset: number, length: number, what: string): Promise<Uint8Array> {
  if (offset + length > src.size) throw new ZipFormatError('truncated', `The ZIP ends inside ${what} (truncated).`);
  const b = await src.read(offset, length);
  if (b.length < length) throw new ZipFormatError('truncated', `The ZIP ends inside ${what} (truncated).`);
  return b;
}

/** Opens a ZIP: reads the end records and the central directory and checks every entry. */
export async function openZip(input: RandomAccessSource | Blob, opts: OpenZipOptions = {}): Promise<ZipReader> {
  const src = isSource(input) ? input : blobSource(input);
  const maxEntries = opts.maxEntries ?? 1_000_000;
  opts.signal?.throwIfAborted();
  if (src.size < EOCD_MIN) throw new ZipFormatError('not-zip', 'This file is not a ZIP archive (too short).');

  const tailStart = Math.max(0, src.size - (EOCD_MIN + MAX_COMMENT + LOCATOR_LEN));
  const tailBytes = await src.read(tailStart, src.size - tailStart);
  const tail = viewOf(tailBytes);
  let eocd = -1;
  for (let i = tail.byteLength - EOCD_MIN; i >= 0; i--) {
    if (u32(tail, i) === EOCD_SIG && i + EOCD_MIN + u16(tail, i + 20) === tail.byteLength) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    const head = await src.read(0, 4);
    const looksZip = head.length === 4 && u32(viewOf(head), 0) === LOC_SIG;
    throw looksZip
      ? new ZipFormatError('truncated', 'This ZIP archive is truncated (its end-of-archive record is missing).')
      : new ZipFormatError('not-zip', 'This file is not a ZIP archive.');
  }
  if (u16(tail, eocd + 4) !== 0 || u16(tail, eocd + 6) !== 0) {
    throw new ZipFormatError('not-zip', 'Multi-part ZIP archives are not supported.');
  }
  let count = u16(tail, eocd + 10);
  let cdSize = u32(tail, eocd + 12);
  let cdOffset = u32(tail, eocd + 16);
  let dirEnd = tailStart + eocd;
  if (eocd >= LOCATOR_LEN && u32(tail, eocd - LOCATOR_LEN) === LOCATOR_SIG) {
    // ZIP64: the locator points at the ZIP64 end record, which holds the 64-bit count, size and offset.
    const recordAt = u64(tail, eocd - LOCATOR_LEN + 8);
    const locatorAt = tailStart + eocd - LOCATOR_LEN;
    if (recordAt + EOCD64_MIN > locatorAt) throw new ZipFormatError('not-zip', 'The ZIP64 end record is corrupt.');
    const rec = viewOf(await readExact(src, recordAt, EOCD64_MIN, 'the ZIP64 end record'));
    if (u32(rec, 0) !== EOCD64_SIG) throw new ZipFormatError('not-zip', 'The ZIP64 end record is corrupt.');
    if (u32(rec, 16) !== 0 || u32(rec, 20) !== 0) throw new ZipFormatError('not-zip', 'Multi-part ZIP archives are not supported.');
    count = u64(rec, 32);
    cdSize = u64(rec, 40);
    cdOffset = u64(rec, 48);
    dirEnd = recordAt;
  }
  if (cdOffset + cdSize > dirEnd) {
    throw new ZipFormatError('truncated', 'The ZIP directory points past the end of the file (truncated or corrupt).');
  }
  if (count > maxEntries) throw new ZipFormatError('too-large', `The archive has ${count} members; at most ${maxEntries} are accepted.`);
  if (count * CEN_MIN > cdSize) throw new ZipFormatError('not-zip', 'The ZIP directory is corrupt (too small for its member count).');

  const cdBytes = cdOffset >= tailStart
    ? tailBytes.subarray(cdOffset - tailStart, cdOffset - tailStart + cdSize)
    : await readExact(src, cdOffset, cdSize, 'the central directory');
  const cd = viewOf(cdBytes);
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const entries: ZipEntry[] = [];
  const internal = new Map<ZipEntry, Internal>();
  const byName = new Map<string, ZipEntry>();
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + CEN_MIN > cd.byteLength || u32(cd, p) !== CEN_SIG) throw new ZipFormatError('not-zip', 'The ZIP directory is corrupt.');
    const flags = u16(cd, p + 8);
    const method = u16(cd, p + 10);
    let compressedSize = u32(cd, p + 20);
    let uncompressedSize = u32(cd, p + 24);
    const nameLength = u16(cd, p + 28);
    const extraLength = u16(cd, p + 30);
    const commentLength = u16(cd, p + 32);
    let offset = u32(cd, p + 42);
    const next = p + CEN_MIN + nameLength + extraLength + commentLength;
    if (next > cd.byteLength) throw new ZipFormatError('not-zip', 'The ZIP directory is corrupt.');
    const name = decoder.decode(cdBytes.subarray(p + CEN_MIN, p + CEN_MIN + nameLength));
    // ZIP64 extended information: only the fields whose 32-bit value is 0xFFFFFFFF, in this order.
    for (let e = p + CEN_MIN + nameLength, end = e + extraLength; e + 4 <= end;) {
      const id = u16(cd, e);
      const len = u16(cd, e + 2);
      if (id === 0x0001) {
        let f = e + 4;
        const field = () => {
          if (f + 8 > e + 4 + len) throw new ZipFormatError('not-zip', `Member ${describeName(name)} has a corrupt ZIP64 field.`, describeName(name));
          const v = u64(cd, f);
          f += 8;
          return v;
        };
        if (uncompressedSize === 0xffffffff) uncompressedSize = field();
        if (compressedSize === 0xffffffff) compressedSize = field();
        if (offset === 0xffffffff) offset = field();
      }
      e += 4 + len;
    }
    const unsafe = unsafeNameReason(name);
    if (unsafe) throw new ZipFormatError('unsafe-name', `Rejected: member name ${describeName(name)} ${unsafe}.`, describeName(name));
    if (byName.has(name)) throw new ZipFormatError('duplicate-name', `Rejected: member name ${describeName(name)} appears twice.`);
    const encrypted = (flags & 0x1) !== 0;
    if (offset + LOC_MIN + nameLength + compressedSize > cdOffset) {
      throw new ZipFormatError('truncated', `Member ${describeName(name)} points past its data (truncated or corrupt).`, describeName(name));
    }
    if (method === 0 && !encrypted && compressedSize !== uncompressedSize) {
      throw new ZipFormatError('bad-crc', `Member ${describeName(name)} is stored but declares two different sizes.`, describeName(name));
    }
    const entry: ZipEntry = {
      name, compressedSize, uncompressedSize, method, crc32: u32(cd, p + 16), encrypted, directory: name.endsWith('/'), offset,
    };
    entries.push(entry);
    byName.set(name, entry);
    internal.set(entry, { nameLength, order: 0 });
    p = next;
  }
  // Overlap, on the smallest span each member can have (the local extra field is only known when the
  // member is read; the exact end is checked then, against the next member).
  const ordered = entries.slice().sort((a, b) => a.offset - b.offset);
  ordered.forEach((e, i) => (internal.get(e)!.order = i));
  for (let i = 1; i < ordered.length; i++) {
    const prev = ordered[i - 1]!;
    const cur = ordered[i]!;
    if (prev.offset + LOC_MIN + internal.get(prev)!.nameLength + prev.compressedSize > cur.offset) {
      throw new ZipFormatError('overlap', `Members ${describeName(prev.name)} and ${describeName(cur.name)} overlap (a crafted or corrupt archive).`);
    }
  }
  return new Reader(src, entries, byName, internal, ordered, cdOffset, opts);
}

interface Window {
  start: number;
  bytes: Promise<Uint8Array>;
  end: number;
}

class Reader implements ZipReader {
  private readonly inflate: InflateFactory;
  private readonly crc: Crc32;
  private readonly windowBytes: number;
  private current: Window | null = null;
  private next: Window | null = null;
  private readonly starts = new Map<ZipEntry, Promise<number>>();

  constructor(
    private readonly src: RandomAccessSource,
    readonly entries: readonly ZipEntry[],
    private readonly byName: Map<string, ZipEntry>,
    private readonly internal: Map<ZipEntry, Internal>,
    private readonly ordered: readonly ZipEntry[],
    private readonly cdOffset: number,
    private readonly opts: OpenZipOptions,
  ) {
    this.inflate = opts.inflate ?? webInflateRaw;
    this.crc = opts.crc32 ?? jsCrc32;
    this.windowBytes = opts.windowBytes ?? 4 << 20;
  }

  get(name: string): ZipEntry | undefined {
    return this.byName.get(name);
  }

  private info(entry: ZipEntry): Internal {
    const i = this.internal.get(entry);
    if (!i) throw new Error(`${describeName(entry.name)} is not a member of this archive`);
    return i;
  }

  /** Where `entry`'s bytes must end: the next member's header, or the central directory. */
  private boundary(entry: ZipEntry): number {
    return this.ordered[this.info(entry).order + 1]?.offset ?? this.cdOffset;
  }

  private loadWindow(start: number): Window {
    const end = Math.min(this.src.size, start + this.windowBytes);
    const w: Window = { start, end, bytes: this.src.read(start, end - start) };
    // A failed prefetch surfaces when (if) that window is used.
    w.bytes.catch(() => {});
    return w;
  }

  /** `length` bytes at `offset`, through the window when small. */
  private async readAt(offset: number, length: number): Promise<Uint8Array> {
    if (length > this.windowBytes) return this.src.read(offset, length);
    const covers = (w: Window | null): w is Window => w !== null && offset >= w.start && offset + length <= w.end;
    if (!covers(this.current)) {
      this.current = covers(this.next) ? this.next : this.loadWindow(offset);
      this.next = this.current.end < this.cdOffset ? this.loadWindow(this.current.end) : null;
    }
    const w = this.current;
    const bytes = await w.bytes;
    return bytes.subarray(offset - w.start, offset - w.start + length);
  }

  dataOffset(entry: ZipEntry): Promise<number> {
    let p = this.starts.get(entry);
    if (!p) {
      p = this.locate(entry);
      this.starts.set(entry, p);
    }
    return p;
  }

  private async locate(entry: ZipEntry): Promise<number> {
    const { nameLength } = this.info(entry);
    const head = await this.readAt(entry.offset, LOC_MIN + nameLength);
    if (head.length < LOC_MIN + nameLength) throw new ZipFormatError('truncated', `Member ${describeName(entry.name)} is cut short (truncated archive).`, describeName(entry.name));
    const v = viewOf(head);
    if (u32(v, 0) !== LOC_SIG) throw new ZipFormatError('not-zip', `Member ${describeName(entry.name)} has no local header (corrupt archive).`, describeName(entry.name));
    const localNameLength = u16(v, 26);
    const localName = new TextDecoder().decode(head.subarray(LOC_MIN, LOC_MIN + Math.min(localNameLength, nameLength)));
    if (localNameLength !== nameLength || localName !== entry.name) {
      throw new ZipFormatError('unsafe-name', `Member ${describeName(entry.name)} has a different name in its local header (${describeName(localName)}).`, describeName(entry.name));
    }
    const start = entry.offset + LOC_MIN + nameLength + u16(v, 28);
    const end = start + entry.compressedSize;
    if (end > this.src.size) throw new ZipFormatError('truncated', `Member ${describeName(entry.name)} is cut short (truncated archive).`, describeName(entry.name));
    if (end > this.boundary(entry)) {
      throw new ZipFormatError('overlap', `Member ${describeName(entry.name)} runs into the next member or the directory (a crafted or corrupt archive).`, describeName(entry.name));
    }
    return start;
  }

  rawSource(entry: ZipEntry): RandomAccessSource | null {
    if (entry.method !== 0 || entry.encrypted) return null;
    return subSource(this.src, () => this.dataOffset(entry), entry.compressedSize);
  }

  /** The member's raw bytes, in pieces of at most `piece` bytes. */
  private rawStream(entry: ZipEntry, piece: number, signal: AbortSignal | undefined): ReadableStream<Uint8Array> {
    let at = -1;
    let end = 0;
    let pending: Uint8Array | null = null;
    const large = entry.compressedSize > this.windowBytes;
    return new ReadableStream<Uint8Array>({
      pull: async (ctrl) => {
        signal?.throwIfAborted();
        if (at < 0) {
          at = await this.dataOffset(entry);
          end = at + entry.compressedSize;
        }
        if (!pending || pending.length === 0) {
          if (at >= end) {
            ctrl.close();
            return;
          }
          const n = Math.min(CHUNK, end - at);
          // A large member is read straight from the source: through the window, two members streamed
          // side by side (an export's JSON while its images are hashed) would evict each other's windows.
          pending = large ? await this.src.read(at, n) : await this.readAt(at, n);
          if (pending.length < n) throw new ZipFormatError('truncated', `Member ${describeName(entry.name)} is cut short (truncated archive).`, describeName(entry.name));
          at += n;
        }
        ctrl.enqueue(pending.subarray(0, piece));
        pending = pending.subarray(piece);
      },
    }, { highWaterMark: 0 });
  }

  /** Why `entry` cannot be read under `maxBytes`, or null. */
  private refusal(entry: ZipEntry, maxBytes: number): ZipFormatError | null {
    const who = describeName(entry.name);
    if (!this.internal.has(entry)) return new ZipFormatError('not-zip', `${who} is not a member of this archive.`);
    if (entry.encrypted) return new ZipFormatError('encrypted', `Member ${who} is encrypted; encrypted archives are not supported.`, who);
    if (entry.method !== 0 && entry.method !== 8) {
      return new ZipFormatError('unsupported', `Member ${who} uses compression method ${entry.method}; only stored and deflate are supported.`, who);
    }
    if (entry.uncompressedSize > maxBytes) {
      return new ZipFormatError('too-large', `Member ${who} declares ${entry.uncompressedSize} bytes; the limit is ${maxBytes}.`, who);
    }
    return null;
  }

  stream(entry: ZipEntry, opts: StreamOptions = {}): ReadableStream<Uint8Array> {
    const signal = opts.signal ?? this.opts.signal;
    const maxBytes = opts.maxBytes ?? Infinity;
    const refused = this.refusal(entry, maxBytes);
    if (refused) return new ReadableStream<Uint8Array>({ start: (c) => c.error(refused) });
    const raw = this.rawStream(entry, entry.method === 8 ? FEED : CHUNK, signal);
    const inflated = entry.method === 8 ? raw.pipeThrough(this.inflate()) : raw;
    return this.verify(entry, inflated.getReader(), maxBytes, signal);
  }

  /** `reader`'s bytes (the member inflated), checked against the declared size, `maxBytes` and the CRC-32. */
  private verify(entry: ZipEntry, reader: ReadableStreamDefaultReader<Uint8Array>, maxBytes: number, signal: AbortSignal | undefined): ReadableStream<Uint8Array> {
    const who = describeName(entry.name);
    let count = 0;
    let crc = 0;
    const crcOf = this.crc;
    const fail = async (error: ZipFormatError): Promise<never> => {
      await reader.cancel(error).catch(() => {});
      throw error;
    };
    return new ReadableStream<Uint8Array>({
      async pull(ctrl) {
        let r: ReadableStreamReadResult<Uint8Array>;
        try {
          r = await reader.read();
        } catch (error) {
          if (error instanceof ZipFormatError) throw error;
          if (signal?.aborted) throw new ZipFormatError('aborted', 'Reading the ZIP was cancelled.');
          throw new ZipFormatError('bad-crc', `Member ${who} is corrupt (${error instanceof Error ? error.message : String(error)}).`, who);
        }
        if (r.done) {
          if (count !== entry.uncompressedSize) {
            throw new ZipFormatError('bad-crc', `Member ${who} inflates to ${count} bytes, not the ${entry.uncompressedSize} it declares.`, who);
          }
          if (crc !== entry.crc32) throw new ZipFormatError('bad-crc', `Member ${who} is corrupt (CRC mismatch).`, who);
          ctrl.close();
          return;
        }
        count += r.value.length;
        if (count > entry.uncompressedSize) await fail(new ZipFormatError('too-large', `Member ${who} inflates past the ${entry.uncompressedSize} bytes it declares.`, who));
        if (count > maxBytes) await fail(new ZipFormatError('too-large', `Member ${who} inflates past the limit of ${maxBytes} bytes.`, who));
        crc = crcOf(r.value, crc);
        ctrl.enqueue(r.value);
      },
      cancel: (reason) => reader.cancel(reason),
    }, { highWaterMark: 0 });
  }

  raw(entry: ZipEntry, opts: StreamOptions = {}): ReadableStream<Uint8Array> {
    const signal = opts.signal ?? this.opts.signal;
    const refused = this.refusal(entry, opts.maxBytes ?? Infinity);
    if (refused) return new ReadableStream<Uint8Array>({ start: (c) => c.error(refused) });
    const raw = this.rawStream(entry, entry.method === 8 ? FEED : CHUNK, signal).getReader();
    // The check reads its own inflated copy through the same verification as stream(): a corrupt member
    // fails it, and this stream then errors instead of closing, so a copy is never completed with bad bytes.
    const check = entry.method === 8 ? this.inflate() : new TransformStream<Uint8Array, Uint8Array>();
    const feed = check.writable.getWriter();
    const verified = this.verify(entry, check.readable.getReader(), Infinity, signal).getReader();
    const drained = (async () => {
      for (;;) if ((await verified.read()).done) return;
    })();
    drained.catch(() => {});
    const endedEarly = drained.then(() => {
      throw new ZipFormatError('bad-crc', `Member ${describeName(entry.name)} is corrupt (its data ends early).`, describeName(entry.name));
    });
    endedEarly.catch(() => {});
    return new ReadableStream<Uint8Array>({
      async pull(ctrl) {
        const { done, value } = await raw.read();
        if (done) {
          await feed.close().catch(() => {});
          await drained;
          ctrl.close();
          return;
        }
        // Whichever settles first: a failed check must not leave this waiting on a stalled inflater.
        await Promise.race([feed.write(value), endedEarly]);
        ctrl.enqueue(value);
      },
      async cancel(reason) {
        await raw.cancel(reason).catch(() => {});
        await feed.abort(reason).catch(() => {});
        await verified.cancel(reason).catch(() => {});
      },
    }, { highWaterMark: 0 });
  }

  async bytes(entry: ZipEntry, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
    const refused = this.refusal(entry, maxBytes);
    if (refused) throw refused;
    if (entry.method === 0 && entry.compressedSize <= this.windowBytes) {
      // A small stored member: straight from the window, no stream pipeline (thousands of small images).
      const raw = await this.readAt(await this.dataOffset(entry), entry.compressedSize);
      if (raw.length < entry.compressedSize) throw new ZipFormatError('truncated', `Member ${describeName(entry.name)} is cut short (truncated archive).`, describeName(entry.name));
      if (this.crc(raw) !== entry.crc32) throw new ZipFormatError('bad-crc', `Member ${describeName(entry.name)} is corrupt (CRC mismatch).`, describeName(entry.name));
      return raw.slice();
    }
    const out = new Uint8Array(entry.uncompressedSize);
    const reader = this.stream(entry, { maxBytes }).getReader();
    let at = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      out.set(value, at);
      at += value.length;
    }
    return out;
  }
}
