// @vitest-environment node
/**
 * utils/zip writer: output Info-ZIP accepts, names made safe, and the format limits: more than 65,535
 * members and a member past 4 GiB (into a sink that keeps only the head and the tail) as correct ZIP64.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { createZipWriter, openZip, ZipFormatError, type RandomAccessSource } from '@/utils/zip';
import { nodeCrc32 } from '@/utils/zip/node';
import { drain, noise, text, zipOf } from './helpers';

const blobOf = (b: Uint8Array) => new Blob([b as Uint8Array<ArrayBuffer>]);

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({ pull: (c) => (i < chunks.length ? c.enqueue(chunks[i++]) : c.close()) });
}

describe('createZipWriter', () => {
  it('writes what Info-ZIP tests clean and our reader reads back: bytes, Blobs and streams, stored and deflated', async () => {
    const json = text(JSON.stringify({ a: 'b'.repeat(100_000) }));
    const zip = await zipOf([
      ['manifest.json', json, { compress: true }],
      ['artifacts/x.bin', noise(1, 70_000)],
      ['blob.json', new Blob([json]), { compress: true }],
      ['stream.bin', streamOf([noise(2, 1000), noise(3, 5000)])],
      ['empty.txt', new Uint8Array(0), { compress: true }],
      ['名前/ファイル.txt', text('unicode')],
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'zipw-'));
    writeFileSync(join(dir, 'a.zip'), zip);
    expect(execFileSync('unzip', ['-t', join(dir, 'a.zip')], { encoding: 'utf8' })).toMatch(/No errors detected/);
    const reader = await openZip(blobOf(zip));
    expect(reader.entries.map((e) => [e.name, e.method])).toEqual([
      ['manifest.json', 8], ['artifacts/x.bin', 0], ['blob.json', 8], ['stream.bin', 0], ['empty.txt', 8], ['名前/ファイル.txt', 0],
    ]);
    expect(Buffer.from(await reader.bytes(reader.get('blob.json')!, 1 << 20)).equals(Buffer.from(json))).toBe(true);
    expect(Buffer.from(await reader.bytes(reader.get('stream.bin')!, 1 << 20)).equals(Buffer.concat([noise(2, 1000), noise(3, 5000)]))).toBe(true);
    expect(reader.get('manifest.json')!.compressedSize).toBeLessThan(json.length / 10);
  });

  it('strips bidi controls and zero-width characters from names, and refuses unsafe or repeated ones', async () => {
    const zip = await openZip(blobOf(await zipOf([['invoice\u202Egpj.exe\u200B', text('x')]])));
    expect(zip.entries[0]!.name).toBe('invoicegpj.exe');
    const w = createZipWriter(new WritableStream());
    await expect(w.add('../up.txt', text('x'))).rejects.toThrow(ZipFormatError);
    await expect(w.add('/abs.txt', text('x'))).rejects.toThrow(/is absolute/);
    await w.add('a.txt', text('x'));
    await expect(w.add('a\u200D.txt', text('y'))).rejects.toMatchObject({ code: 'duplicate-name' });
  });

  it('abort() aborts the sink and refuses more members', async () => {
    const aborted: unknown[] = [];
    const w = createZipWriter(new WritableStream({ abort: (r) => void aborted.push(r) }));
    await w.add('a.txt', text('a'));
    await w.abort('cancelled');
    expect(aborted).toEqual(['cancelled']);
    await expect(w.add('b.txt', text('b'))).rejects.toThrow(/closed/);
  });

  it('round-trips more than 65,535 members (ZIP64 end records), which Info-ZIP also lists', async () => {
    const n = 65_540;
    const chunks: Uint8Array[] = [];
    const w = createZipWriter(new WritableStream({ write: (c) => void chunks.push(c.slice()) }), { crc32: nodeCrc32 });
    const date = new Date(2026, 10, 30);
    for (let i = 0; i < n; i++) await w.add(`m/${i}`, text(String(i)), { lastModified: date });
    await w.close();
    const bytes = new Uint8Array(Buffer.concat(chunks));
    const eocd = new DataView(bytes.buffer, bytes.length - 22);
    expect(eocd.getUint16(10, true)).toBe(0xffff);
    const zip = await openZip(blobOf(bytes));
    expect(zip.entries.length).toBe(n);
    for (const i of [0, 65_535, n - 1]) {
      expect(new TextDecoder().decode(await zip.bytes(zip.get(`m/${i}`)!, 10))).toBe(String(i));
    }
    const dir = mkdtempSync(join(tmpdir(), 'zipw-'));
    writeFileSync(join(dir, 'many.zip'), bytes);
    expect(execFileSync('unzip', ['-l', join(dir, 'many.zip')], { encoding: 'utf8', maxBuffer: 64 << 20 })).toMatch(/65540 files/);
  }, 60_000);

  it('streams a member past 4 GiB as correct ZIP64 (sizes, offsets, end records), read back through a virtual file', async () => {
    const piece = new Uint8Array(16 << 20);
    const pieces = 257; // 4 GiB + 16 MiB of zeros
    const big = pieces * piece.length;
    const KEEP = 1 << 20;
    let total = 0;
    const head = new Uint8Array(KEEP);
    let tailChunks: Uint8Array[] = [];
    const sink = new WritableStream<Uint8Array>({
      write(c) {
        if (total < KEEP) head.set(c.subarray(0, KEEP - total), total);
        total += c.length;
        // Data chunks are 16 MiB of zeros: only the small chunks after them (headers, directory) are kept.
        if (c.length < KEEP) tailChunks.push(c.slice());
        else tailChunks = [];
      },
    });
    const w = createZipWriter(sink, { crc32: nodeCrc32 });
    let sent = 0;
    await w.add('huge.bin', new ReadableStream({ pull: (c) => (sent++ < pieces ? c.enqueue(piece) : c.close()) }));
    await w.add('after.txt', text('after the 4 GiB mark'));
    await w.close();
    const tail = new Uint8Array(Buffer.concat(tailChunks));
    expect(total).toBeGreaterThan(2 ** 32);

    // End records: the ZIP64 record holds the real directory offset, the classic one a sentinel.
    const v = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
    const eocd = tail.length - 22;
    expect(v.getUint32(eocd, true)).toBe(0x06054b50);
    expect(v.getUint32(eocd + 16, true)).toBe(0xffffffff);
    expect(v.getUint32(eocd - 20, true)).toBe(0x07064b50);

    // A file that is the kept head, zeros, then the kept tail: everything our reader needs.
    const tailStart = total - tail.length;
    const zeros = new Uint8Array(8 << 20);
    const src: RandomAccessSource = {
      size: total,
      read(offset, length) {
        const n = Math.min(length, total - offset);
        if (offset >= KEEP && offset + n <= tailStart && n <= zeros.length) return Promise.resolve(zeros.subarray(0, n));
        const out = new Uint8Array(n);
        if (offset < KEEP) out.set(head.subarray(offset, Math.min(KEEP, offset + out.length)));
        if (offset + out.length > tailStart) {
          const from = Math.max(offset, tailStart);
          out.set(tail.subarray(from - tailStart, offset + out.length - tailStart), from - offset);
        }
        return Promise.resolve(out);
      },
    };
    const zip = await openZip(src, { crc32: nodeCrc32 });
    const huge = zip.get('huge.bin')!;
    const after = zip.get('after.txt')!;
    expect(huge.uncompressedSize).toBe(big);
    expect(huge.compressedSize).toBe(big);
    expect(after.offset).toBeGreaterThan(2 ** 32);
    expect(new TextDecoder().decode(await zip.bytes(after, 100))).toBe('after the 4 GiB mark');
    // The whole member streams back with its size and CRC-32 verified.
    expect(await drain(zip.stream(huge))).toBe(big);
  }, 120_000);
});

/** The member's bytes as stored in `zip` (its local header skipped). */
async function storedBytes(zip: Uint8Array, name: string): Promise<Uint8Array> {
  const r = await openZip(blobOf(zip));
  const e = r.get(name)!;
  const at = await r.dataOffset(e);
  return zip.subarray(at, at + e.compressedSize);
}

async function copyRaw(src: Uint8Array): Promise<Uint8Array> {
  const reader = await openZip(blobOf(src));
  const chunks: Uint8Array[] = [];
  const zip = createZipWriter(new WritableStream({ write: (c) => void chunks.push(c.slice()) }));
  for (const e of reader.entries) await zip.addRaw(e.name, e, reader.raw(e));
  await zip.close();
  return new Uint8Array(Buffer.concat(chunks));
}

describe('addRaw (a member copied still compressed)', () => {
  const members = (): Parameters<typeof zipOf>[0] => [
    ['doc.json', text(JSON.stringify({ a: 'b'.repeat(200_000) })), { compress: true }],
    ['img.bin', noise(4, 3 << 20)],
    ['big.json', streamOf([text('x'.repeat(5 << 20)), noise(5, 1 << 20)]), { compress: true }],
    ['empty', new Uint8Array(0)],
  ];

  it('copies stored data byte for byte, sizes and CRC in the local header; Info-ZIP, fflate and our reader agree', async () => {
    const src = await zipOf(members());
    const copy = await copyRaw(src);
    const r = await openZip(blobOf(copy));
    const o = await openZip(blobOf(src));
    for (const e of o.entries) {
      const c = r.get(e.name)!;
      expect([c.method, c.crc32, c.compressedSize, c.uncompressedSize]).toEqual([e.method, e.crc32, e.compressedSize, e.uncompressedSize]);
      expect(Buffer.from(await storedBytes(copy, e.name)).equals(Buffer.from(await storedBytes(src, e.name)))).toBe(true);
      expect(Buffer.from(await r.bytes(c, 16 << 20)).equals(Buffer.from(await o.bytes(e, 16 << 20)))).toBe(true);
      // Local header: no data descriptor flag, the CRC and both sizes filled in.
      const lh = new DataView(copy.buffer, copy.byteOffset + c.offset, 30);
      expect([lh.getUint16(6, true) & 0x8, lh.getUint32(14, true), lh.getUint32(18, true), lh.getUint32(22, true)])
        .toEqual([0, e.crc32, e.compressedSize, e.uncompressedSize]);
    }
    const dir = mkdtempSync(join(tmpdir(), 'zipraw-'));
    writeFileSync(join(dir, 'c.zip'), copy);
    expect(execFileSync('unzip', ['-t', join(dir, 'c.zip')], { encoding: 'utf8' })).toMatch(/No errors detected/);
    const viaFflate = unzipSync(copy);
    expect(Object.keys(viaFflate).sort()).toEqual(o.entries.map((e) => e.name).sort());
    expect(Buffer.from(viaFflate['img.bin']!).equals(Buffer.from(noise(4, 3 << 20)))).toBe(true);
  });

  it('refuses a corrupt member instead of copying it (raw() verifies as it streams)', async () => {
    const src = await zipOf([['doc.json', text('y'.repeat(300_000) + 'z'.repeat(1000)), { compress: true }]]);
    const data = await storedBytes(src, 'doc.json'); // a view into src: the flip corrupts the archive
    data[Math.floor(data.length / 2)]! ^= 0x55;
    const reader = await openZip(blobOf(src));
    const zip = createZipWriter(new WritableStream());
    const error = await zip.addRaw('doc.json', reader.entries[0]!, reader.raw(reader.entries[0]!)).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(ZipFormatError);
    expect((error as ZipFormatError).code).toBe('bad-crc');
  });

  it('refuses data longer or shorter than the declared compressed size', async () => {
    const zip = createZipWriter(new WritableStream());
    const member = { method: 0, crc32: nodeCrc32(noise(6, 10)), compressedSize: 10, uncompressedSize: 10 };
    await expect(zip.addRaw('a', member, streamOf([noise(6, 9)]))).rejects.toThrow(/shorter/);
    await expect(zip.addRaw('b', member, streamOf([noise(6, 10), noise(7, 1)]))).rejects.toThrow(/longer/);
  });
});

describe('compatibility with fflate', () => {
  it('reads our streamed members (data descriptor, ZIP64 local field) and small ones', async () => {
    const zip = await zipOf([
      ['stream.bin', streamOf([noise(2, 1000), noise(3, 5000)])],
      ['stream.json', streamOf([text('{"a":1}'.repeat(1000))]), { compress: true }],
      ['bytes.bin', noise(8, 2000)],
      ['bytes.txt', text('hello '.repeat(500)), { compress: true }],
      ['blob.bin', new Blob([noise(9, 3000)])],
    ]);
    // Known bytes (and small Blobs), deflated or not, carry CRC and sizes in the local header: no descriptor.
    const r = await openZip(blobOf(zip));
    const flag = (name: string) => new DataView(zip.buffer, zip.byteOffset + r.get(name)!.offset, 30).getUint16(6, true) & 0x8;
    expect(['stream.bin', 'stream.json', 'bytes.bin', 'bytes.txt', 'blob.bin'].map(flag)).toEqual([8, 8, 0, 0, 0]);
    const files = unzipSync(zip);
    expect(Buffer.from(files['stream.bin']!).equals(Buffer.concat([noise(2, 1000), noise(3, 5000)]))).toBe(true);
    expect(new TextDecoder().decode(files['stream.json'])).toBe('{"a":1}'.repeat(1000));
    expect(Buffer.from(files['bytes.bin']!).equals(Buffer.from(noise(8, 2000)))).toBe(true);
    expect(new TextDecoder().decode(files['bytes.txt'])).toBe('hello '.repeat(500));
    expect(Buffer.from(files['blob.bin']!).equals(Buffer.from(noise(9, 3000)))).toBe(true);
  });
});
