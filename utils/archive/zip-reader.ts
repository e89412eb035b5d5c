/**
 * A small ZIP reader over a Blob (usually the File the person chose). It reads the end record and the
 * central directory once (the directory is small: ~100 bytes a member), then reads members in file order
 * through `ZipMemberReader`, which fetches whole runs of consecutive members with one `Blob.slice()` read
 * of at most 4 MiB. One read per member cost ~1.5 ms in the browser (a round trip to the blob
 * registry), which made 10,000 small images take most of a minute (2026-11 bench); reading runs keeps
 * the number of reads near archive size / window size.
 *
 * Memory stays bounded: one window (plus one prefetched window) is in memory at a time, a member that
 * does not fit a window is read on its own, stored members are handed on as slices of the file (no copy
 * kept), and deflated ones are inflated with fflate into a buffer of exactly the declared size while
 * counting bytes, so a member that inflates past its declared size (or the bound) stops at once.
 *
 * Member names are data, never paths: they are checked (not absolute, no `..`, no control characters,
 * no duplicates) and only ever used as keys of a Map. Members may not overlap: overlapping members are
 * how a small ZIP claims terabytes of output (one compressed stream inflated under many names).
 */
import { Inflate } from 'fflate';
import { ArchiveError } from './errors';

export interface ZipMember {
  name: string;
  /** 0 = stored, 8 = deflate. */
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
  /** Length of the name in bytes as stored (the local header must repeat it). */
  nameLength: number;
}

/** The central directory: members in directory order, and where the member data must end. */
export interface ZipDirectory {
  members: ZipMember[];
  /** Offset of the central directory; every member's data ends at or before it. */
  dataEnd: number;
}

const EOCD_SIG = 0x06054b50;
const CEN_SIG = 0x02014b50;
const LOC_SIG = 0x04034b50;
const EOCD_MIN = 22;
const MAX_COMMENT = 0xffff;
const LOC_MIN = 30;

const u16 = (v: DataView, o: number) => v.getUint16(o, true);
const u32 = (v: DataView, o: number) => v.getUint32(o, true);

async function readRange(file: Blob, start: number, end: number): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await file.slice(start, end).arrayBuffer());
}
const viewOf = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/**
 * Why a member name is unsafe, or null when it is fine. Contract (contracts.md 1, 3): no absolute name
 * and nothing containing `..`; backslashes and drive letters count as absolute on Windows.
 */
export function unsafeNameReason(name: string): string | null {
  if (name.length === 0) return 'is empty';
  if (name.startsWith('/') || name.startsWith('\\') || /^[a-zA-Z]:/.test(name)) return 'is absolute';
  if (name.includes('..')) return 'contains ".."';
  if (name.includes('\\')) return 'contains a backslash';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'contains control characters';
  return null;
}

export function describeName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const shown = name.replace(/[\u0000-\u001f\u007f]/g, '?');
  return JSON.stringify(shown.length > 80 ? `${shown.slice(0, 80)}…` : shown);
}

/** Lists the members from the central directory, rejecting hostile names and unsupported features. */
export async function listZipMembers(file: Blob, maxMembers = 500_000): Promise<ZipMember[]> {
  return (await readZipDirectory(file, maxMembers)).members;
}

/**
 * Reads the end record and the whole central directory (two reads), checks every entry, and checks
 * that no two members' bytes overlap and none runs into the directory.
 */
export async function readZipDirectory(file: Blob, maxMembers = 500_000): Promise<ZipDirectory> {
  if (file.size < EOCD_MIN) throw new ArchiveError('not-zip', 'This file is not a ZIP archive (too short).');
  const tailStart = Math.max(0, file.size - (EOCD_MIN + MAX_COMMENT));
  const tailBytes = await readRange(file, tailStart, file.size);
  const tail = viewOf(tailBytes);
  let eocd = -1;
  for (let i = tail.byteLength - EOCD_MIN; i >= 0; i--) {
    if (u32(tail, i) === EOCD_SIG && i + EOCD_MIN + u16(tail, i + 20) === tail.byteLength) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ArchiveError('not-zip', 'This file is not a ZIP archive (no end-of-archive record; it may be truncated).');
  const disk = u16(tail, eocd + 4);
  const cdDisk = u16(tail, eocd + 6);
  const count = u16(tail, eocd + 10);
  const cdSize = u32(tail, eocd + 12);
  const cdOffset = u32(tail, eocd + 16);
  if (disk !== 0 || cdDisk !== 0) throw new ArchiveError('not-zip', 'Multi-part ZIP archives are not supported.');
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    // fflate (our writer) never writes ZIP64, so a vault archive never needs it.
    throw new ArchiveError('not-zip', 'ZIP64 archives are not supported.');
  }
  const eocdAbs = tailStart + eocd;
  if (cdOffset + cdSize > eocdAbs) throw new ArchiveError('not-zip', 'The ZIP directory points past the end of the file (truncated or corrupt).');
  if (count > maxMembers) throw new ArchiveError('too-large', `The archive has ${count} members; at most ${maxMembers} are accepted.`);

  // The directory usually sits in the tail we already have.
  const cdBytes = cdOffset >= tailStart
    ? tailBytes.subarray(cdOffset - tailStart, cdOffset - tailStart + cdSize)
    : await readRange(file, cdOffset, cdOffset + cdSize);
  const cd = viewOf(cdBytes);
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const members: ZipMember[] = [];
  const seen = new Set<string>();
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.byteLength || u32(cd, p) !== CEN_SIG) {
      throw new ArchiveError('not-zip', 'The ZIP directory is corrupt.');
    }
    const flags = u16(cd, p + 8);
    const method = u16(cd, p + 10);
    const nameLen = u16(cd, p + 28);
    const extraLen = u16(cd, p + 30);
    const commentLen = u16(cd, p + 32);
    if (p + 46 + nameLen > cd.byteLength) throw new ArchiveError('not-zip', 'The ZIP directory is corrupt.');
    const name = decoder.decode(cdBytes.subarray(p + 46, p + 46 + nameLen));
    const member: ZipMember = {
      name,
      method,
      crc32: u32(cd, p + 16),
      compressedSize: u32(cd, p + 20),
      size: u32(cd, p + 24),
      localHeaderOffset: u32(cd, p + 42),
      nameLength: nameLen,
    };
    const unsafe = unsafeNameReason(name);
    if (unsafe) throw new ArchiveError('hostile-name', `Rejected: member name ${describeName(name)} ${unsafe}.`);
    if (seen.has(name)) throw new ArchiveError('hostile-name', `Rejected: member name ${describeName(name)} appears twice.`);
    seen.add(name);
    if (flags & 0x1) throw new ArchiveError('not-zip', `Member ${describeName(name)} is encrypted; encrypted archives are not supported.`);
    if (method !== 0 && method !== 8) {
      throw new ArchiveError('not-zip', `Member ${describeName(name)} uses compression method ${method}; only stored and deflate are supported.`);
    }
    if (member.localHeaderOffset + LOC_MIN + member.compressedSize > cdOffset) {
      throw new ArchiveError('not-zip', `Member ${describeName(name)} points past its data (truncated or corrupt).`);
    }
    if (method === 0 && member.compressedSize !== member.size) {
      throw new ArchiveError('bad-member', `Member ${describeName(name)} is stored but declares two different sizes.`);
    }
    members.push(member);
    p += 46 + nameLen + extraLen + commentLen;
  }
  // Overlap check on the smallest span each member can have (the local extra field is only known when
  // the member is read; ZipMemberReader checks the exact end then).
  const ordered = members.slice().sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = 1; i < ordered.length; i++) {
    const prev = ordered[i - 1]!;
    const cur = ordered[i]!;
    if (prev.localHeaderOffset + LOC_MIN + prev.nameLength + prev.compressedSize > cur.localHeaderOffset) {
      throw new ArchiveError('not-zip', `Members ${describeName(prev.name)} and ${describeName(cur.name)} overlap (a crafted or corrupt archive).`);
    }
  }
  return { members, dataEnd: cdOffset };
}

// ---- CRC-32 (slicing by 8: ~5x the byte-at-a-time loop, which was a tenth of validation time) -------

let crcTables: Uint32Array | null = null;
function tables(): Uint32Array {
  if (crcTables) return crcTables;
  const t = new Uint32Array(256 * 8);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 8; k++) t[k * 256 + n] = (t[(k - 1) * 256 + n]! >>> 8) ^ t[t[(k - 1) * 256 + n]! & 0xff]!;
  }
  crcTables = t;
  return t;
}

export function crc32(bytes: Uint8Array): number {
  const t = tables();
  let c = 0xffffffff;
  let i = 0;
  const n8 = bytes.length - (bytes.length % 8);
  for (; i < n8; i += 8) {
    const a = (c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24))) >>> 0;
    c = t[7 * 256 + (a & 0xff)]! ^ t[6 * 256 + ((a >>> 8) & 0xff)]! ^ t[5 * 256 + ((a >>> 16) & 0xff)]! ^ t[4 * 256 + (a >>> 24)]!
      ^ t[3 * 256 + bytes[i + 4]!]! ^ t[2 * 256 + bytes[i + 5]!]! ^ t[256 + bytes[i + 6]!]! ^ t[bytes[i + 7]!]!;
  }
  for (; i < bytes.length; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// ---- members -------------------------------------------------------------------------------------

export interface ReadMemberResult {
  /**
   * The member's content. For a member read from a window this is a view into the window: use it before
   * the next `read()` (hashing copies it), and never keep it.
   */
  bytes: Uint8Array<ArrayBuffer>;
  /** A Blob with the same content that does not keep `bytes` alive when it is a slice of the file. */
  blob: Blob;
}

export interface MemberReaderOptions {
  /** Bytes fetched per read (default 4 MiB). A member that does not fit one window is read on its own. */
  windowBytes?: number;
}

interface Window {
  start: number;
  end: number;
  /** Index (file order) of the first member after this window. */
  after: number;
  bytes: Promise<Uint8Array<ArrayBuffer>>;
}

/**
 * Reads members of one archive, fastest in file order (`directory.members` sorted by offset): each read
 * fetches a run of consecutive members, and the next run is prefetched while the current one is checked.
 * Any order works; a member outside the current window just costs a read of its own.
 */
export class ZipMemberReader {
  /** Number of `Blob` reads made (the bench reports it). */
  reads = 0;
  private readonly ordered: ZipMember[];
  private readonly index = new Map<ZipMember, number>();
  private readonly windowBytes: number;
  private current: Window | null = null;
  private next: Window | null = null;

  constructor(
    private readonly file: Blob,
    private readonly directory: ZipDirectory,
    options: MemberReaderOptions = {},
  ) {
    this.windowBytes = options.windowBytes ?? 4 << 20;
    this.ordered = directory.members.slice().sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
    this.ordered.forEach((m, i) => this.index.set(m, i));
  }

  /** Members in the order they are cheapest to read. */
  get membersInFileOrder(): readonly ZipMember[] {
    return this.ordered;
  }

  /** Where member `i`'s bytes must end: the next member's header, or the central directory. */
  private boundary(i: number): number {
    return this.ordered[i + 1]?.localHeaderOffset ?? this.directory.dataEnd;
  }

  /** The run of members starting at `i` that fits one window; a single large member gets its header only. */
  private windowFrom(i: number): Window {
    const start = this.ordered[i]!.localHeaderOffset;
    let j = i;
    while (j < this.ordered.length && this.boundary(j) - start <= this.windowBytes) j++;
    // A large member: its header, name and a generous extra field; the data is read separately.
    const end = j > i ? this.boundary(j - 1) : Math.min(this.boundary(i), start + LOC_MIN + this.ordered[i]!.nameLength + 0x10000);
    this.reads++;
    return { start, end, after: Math.max(j, i + 1), bytes: readRange(this.file, start, end) };
  }

  /** The window holding at least `m`'s local header; prefetches the one after it. */
  private async windowFor(m: ZipMember): Promise<Window> {
    const lho = m.localHeaderOffset;
    const covers = (w: Window | null): w is Window => w !== null && lho >= w.start && lho + LOC_MIN <= w.end;
    if (!covers(this.current)) {
      if (covers(this.next)) {
        this.current = this.next;
      } else {
        const i = this.index.get(m);
        if (i === undefined) throw new Error(`${m.name} is not a member of this archive`);
        this.current = this.windowFrom(i);
      }
      this.next = this.current.after < this.ordered.length ? this.windowFrom(this.current.after) : null;
      // A failed prefetch surfaces when (if) that window is used; do not let it go unhandled meanwhile.
      this.next?.bytes.catch(() => {});
    }
    return this.current;
  }

  /**
   * Reads one member's content. A member that declares more than `maxBytes`, or inflates past what it
   * declares, is rejected before its output is allowed to grow (the output buffer is the declared size).
   */
  async read(m: ZipMember, maxBytes: number, type = ''): Promise<ReadMemberResult> {
    if (m.size > maxBytes) {
      throw new ArchiveError('too-large', `Member ${describeName(m.name)} declares ${m.size} bytes; the limit is ${maxBytes}.`);
    }
    const i = this.index.get(m);
    if (i === undefined) throw new Error(`${m.name} is not a member of this archive`);
    let w = await this.windowFor(m);
    let win = await w.bytes;
    let at = m.localHeaderOffset - w.start;
    if (at + LOC_MIN > win.length || u32(viewOf(win), at) !== LOC_SIG) {
      throw new ArchiveError('not-zip', `Member ${describeName(m.name)} has no local header (corrupt archive).`);
    }
    const head = viewOf(win.subarray(at, at + LOC_MIN));
    const nameLen = u16(head, 26);
    const extraLen = u16(head, 28);
    if (at + LOC_MIN + nameLen > win.length) {
      // A name longer than the window allows (never written by us): read this header on its own.
      const headerEnd = m.localHeaderOffset + LOC_MIN + nameLen;
      this.reads++;
      w = { start: m.localHeaderOffset, end: headerEnd, after: i + 1, bytes: readRange(this.file, m.localHeaderOffset, headerEnd) };
      win = await w.bytes;
      at = 0;
    }
    const localName = new TextDecoder().decode(win.subarray(at + LOC_MIN, at + LOC_MIN + nameLen));
    if (localName !== m.name) {
      throw new ArchiveError('hostile-name', `Member ${describeName(m.name)} has a different name in its local header (${describeName(localName)}).`);
    }
    const start = m.localHeaderOffset + LOC_MIN + nameLen + extraLen;
    const end = start + m.compressedSize;
    if (end > this.file.size) throw new ArchiveError('not-zip', `Member ${describeName(m.name)} is cut short (truncated archive).`);
    if (end > this.boundary(i)) {
      throw new ArchiveError('not-zip', `Member ${describeName(m.name)} runs into the next member or the directory (a crafted or corrupt archive).`);
    }

    let bytes: Uint8Array<ArrayBuffer>;
    let blob: Blob;
    const inWindow = start >= w.start && end <= w.end;
    if (m.method === 0) {
      if (inWindow) {
        bytes = win.subarray(start - w.start, end - w.start);
      } else {
        this.reads++;
        bytes = await readRange(this.file, start, end);
      }
      // A slice of the file, not of `bytes`: nothing of the member stays in memory once it is checked.
      blob = this.file.slice(start, end, type);
    } else {
      const inflater = new BoundedInflater(m);
      if (inWindow) {
        inflater.push(win.subarray(start - w.start, end - w.start), true);
      } else {
        // Read 1 MiB at a time; the inflater feeds fflate 16 KiB at a time.
        const READ = 1 << 20;
        for (let off = start; off < end; off += READ) {
          this.reads++;
          inflater.push(await readRange(this.file, off, Math.min(end, off + READ)), off + READ >= end);
        }
        if (start === end) inflater.push(new Uint8Array(0), true);
      }
      bytes = inflater.finish();
      blob = new Blob([bytes], { type });
    }
    if (crc32(bytes) !== m.crc32) throw new ArchiveError('bad-member', `Member ${describeName(m.name)} is corrupt (CRC mismatch).`);
    return { bytes, blob };
  }
}

/**
 * Inflates into a buffer of exactly the declared size. Input is fed 16 KiB at a time: deflate expands at
 * most ~1032:1, so a bomb is caught after at most ~16 MiB of output rather than a gigabyte.
 */
class BoundedInflater {
  private readonly out: Uint8Array<ArrayBuffer>;
  private written = 0;
  private overflow = false;
  private done = false;
  private readonly inflater: Inflate;

  constructor(private readonly m: ZipMember) {
    this.out = new Uint8Array(m.size);
    this.inflater = new Inflate((chunk, final) => {
      if (this.written + chunk.length > this.out.length) {
        this.overflow = true;
        return;
      }
      this.out.set(chunk, this.written);
      this.written += chunk.length;
      if (final) this.done = true;
    });
  }

  push(data: Uint8Array, last: boolean): void {
    const FEED = 16 << 10;
    try {
      if (data.length === 0 && last) this.inflater.push(data, true);
      for (let i = 0; i < data.length && !this.overflow; i += FEED) {
        this.inflater.push(data.subarray(i, Math.min(data.length, i + FEED)), last && i + FEED >= data.length);
      }
    } catch (error) {
      if (this.overflow) throw tooLarge(this.m);
      throw new ArchiveError('bad-member', `Member ${describeName(this.m.name)} is corrupt (${(error as Error).message}).`);
    }
    if (this.overflow) throw tooLarge(this.m);
  }

  finish(): Uint8Array<ArrayBuffer> {
    if (!this.done || this.written !== this.m.size) {
      throw new ArchiveError('bad-member', `Member ${describeName(this.m.name)} inflates to ${this.written} bytes, not the ${this.m.size} it declares.`);
    }
    return this.out;
  }
}

function tooLarge(m: ZipMember): ArchiveError {
  return new ArchiveError('too-large', `Member ${describeName(m.name)} inflates past the ${m.size} bytes it declares.`);
}
