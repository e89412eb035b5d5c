/**
 * A small ZIP reader over a Blob (usually the File the person chose). It reads the central directory from
 * the end of the file and then one member at a time, so a large archive is never loaded whole: stored
 * members are handed on as slices of the file, and deflated ones are inflated with fflate while counting
 * bytes, so a member that inflates past its declared size (or the bound) stops at once.
 *
 * Member names are data, never paths: they are checked (not absolute, no `..`, no control characters,
 * no duplicates) and only ever used as keys of a Map.
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
}

const EOCD_SIG = 0x06054b50;
const CEN_SIG = 0x02014b50;
const LOC_SIG = 0x04034b50;
const EOCD_MIN = 22;
const MAX_COMMENT = 0xffff;

const u16 = (v: DataView, o: number) => v.getUint16(o, true);
const u32 = (v: DataView, o: number) => v.getUint32(o, true);

async function readRange(file: Blob, start: number, end: number): Promise<DataView> {
  return new DataView(await file.slice(start, end).arrayBuffer());
}

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

function describeName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const shown = name.replace(/[\u0000-\u001f\u007f]/g, '?');
  return JSON.stringify(shown.length > 80 ? `${shown.slice(0, 80)}…` : shown);
}

/** Lists the members from the central directory, rejecting hostile names and unsupported features. */
export async function listZipMembers(file: Blob, maxMembers = 500_000): Promise<ZipMember[]> {
  if (file.size < EOCD_MIN) throw new ArchiveError('not-zip', 'This file is not a ZIP archive (too short).');
  const tailStart = Math.max(0, file.size - (EOCD_MIN + MAX_COMMENT));
  const tail = await readRange(file, tailStart, file.size);
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

  const cd = await readRange(file, cdOffset, cdOffset + cdSize);
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
    const name = decoder.decode(new Uint8Array(cd.buffer, p + 46, nameLen));
    const member: ZipMember = {
      name,
      method,
      crc32: u32(cd, p + 16),
      compressedSize: u32(cd, p + 20),
      size: u32(cd, p + 24),
      localHeaderOffset: u32(cd, p + 42),
    };
    const unsafe = unsafeNameReason(name);
    if (unsafe) throw new ArchiveError('hostile-name', `Rejected: member name ${describeName(name)} ${unsafe}.`);
    if (seen.has(name)) throw new ArchiveError('hostile-name', `Rejected: member name ${describeName(name)} appears twice.`);
    seen.add(name);
    if (flags & 0x1) throw new ArchiveError('not-zip', `Member ${describeName(name)} is encrypted; encrypted archives are not supported.`);
    if (method !== 0 && method !== 8) {
      throw new ArchiveError('not-zip', `Member ${describeName(name)} uses compression method ${method}; only stored and deflate are supported.`);
    }
    if (member.localHeaderOffset + 30 + member.compressedSize > cdOffset) {
      throw new ArchiveError('not-zip', `Member ${describeName(name)} points past its data (truncated or corrupt).`);
    }
    if (method === 0 && member.compressedSize !== member.size) {
      throw new ArchiveError('bad-member', `Member ${describeName(name)} is stored but declares two different sizes.`);
    }
    members.push(member);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return members;
}

/** Where the member's data starts, after checking its local header agrees with the directory. */
async function dataStart(file: Blob, m: ZipMember): Promise<number> {
  const head = await readRange(file, m.localHeaderOffset, m.localHeaderOffset + 30);
  if (head.byteLength < 30 || u32(head, 0) !== LOC_SIG) {
    throw new ArchiveError('not-zip', `Member ${describeName(m.name)} has no local header (corrupt archive).`);
  }
  const nameLen = u16(head, 26);
  const extraLen = u16(head, 28);
  const nameView = await file.slice(m.localHeaderOffset + 30, m.localHeaderOffset + 30 + nameLen).arrayBuffer();
  const localName = new TextDecoder().decode(nameView);
  if (localName !== m.name) {
    throw new ArchiveError('hostile-name', `Member ${describeName(m.name)} has a different name in its local header (${describeName(localName)}).`);
  }
  return m.localHeaderOffset + 30 + nameLen + extraLen;
}

let crcTable: Uint32Array | null = null;
function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export interface ReadMemberResult {
  bytes: Uint8Array<ArrayBuffer>;
  /** A Blob with the same content that does not keep `bytes` alive when it is a slice of the file. */
  blob: Blob;
}

/**
 * Reads one member's content. A member that declares more than `maxBytes`, or inflates past what it
 * declares, is rejected before its output is allowed to grow (the output buffer is the declared size).
 */
export async function readZipMember(file: Blob, m: ZipMember, maxBytes: number, type = ''): Promise<ReadMemberResult> {
  if (m.size > maxBytes) {
    throw new ArchiveError('too-large', `Member ${describeName(m.name)} declares ${m.size} bytes; the limit is ${maxBytes}.`);
  }
  const start = await dataStart(file, m);
  const end = start + m.compressedSize;
  if (end > file.size) throw new ArchiveError('not-zip', `Member ${describeName(m.name)} is cut short (truncated archive).`);
  const raw = file.slice(start, end, type);
  let bytes: Uint8Array<ArrayBuffer>;
  let blob: Blob;
  if (m.method === 0) {
    bytes = new Uint8Array(await raw.arrayBuffer());
    blob = raw;
  } else {
    bytes = await inflateBounded(raw, m);
    blob = new Blob([bytes], { type });
  }
  if (crc32(bytes) !== m.crc32) throw new ArchiveError('bad-member', `Member ${describeName(m.name)} is corrupt (CRC mismatch).`);
  return { bytes, blob };
}

async function inflateBounded(raw: Blob, m: ZipMember): Promise<Uint8Array<ArrayBuffer>> {
  const out = new Uint8Array(m.size);
  let written = 0;
  let overflow = false;
  let done = false;
  const inflater = new Inflate((chunk, final) => {
    if (written + chunk.length > out.length) {
      overflow = true;
      return;
    }
    out.set(chunk, written);
    written += chunk.length;
    if (final) done = true;
  });
  // Read 1 MiB at a time but feed fflate 16 KiB at a time: deflate expands at most ~1032:1, so a bomb
  // is caught after at most ~16 MiB of output rather than a gigabyte.
  const READ = 1 << 20;
  const FEED = 16 << 10;
  try {
    for (let off = 0; off < raw.size && !overflow; off += READ) {
      const piece = new Uint8Array(await raw.slice(off, Math.min(raw.size, off + READ)).arrayBuffer());
      for (let i = 0; i < piece.length && !overflow; i += FEED) {
        const last = off + i + FEED >= raw.size;
        inflater.push(piece.subarray(i, Math.min(piece.length, i + FEED)), last);
      }
    }
    if (raw.size === 0) inflater.push(new Uint8Array(0), true);
  } catch (error) {
    if (overflow) throw tooLarge(m);
    throw new ArchiveError('bad-member', `Member ${describeName(m.name)} is corrupt (${(error as Error).message}).`);
  }
  if (overflow) throw tooLarge(m);
  if (!done || written !== m.size) {
    throw new ArchiveError('bad-member', `Member ${describeName(m.name)} inflates to ${written} bytes, not the ${m.size} it declares.`);
  }
  return out;
}

function tooLarge(m: ZipMember): ArchiveError {
  return new ArchiveError('too-large', `Member ${describeName(m.name)} inflates past the ${m.size} bytes it declares.`);
}
