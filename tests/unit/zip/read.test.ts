// @vitest-environment node
/**
 * utils/zip reader: every member exact through any window size and either inflater, one source read for
 * a run of small members, ZIPs from Info-ZIP (ZIP64 too), part-ZIPs, and every refusal with its code.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { blobSource, crc32, openZip, ZipFormatError, type RandomAccessSource, type ZipErrorCode } from '@/utils/zip';
import { fileSource, nodeCrc32, nodeInflateRaw } from '@/utils/zip/node';
import { drain, layout, noise, rename, text, zipOf, type Member } from './helpers';

const blobOf = (b: Uint8Array) => new Blob([b as Uint8Array<ArrayBuffer>]);

async function refusal(p: Promise<unknown>, code: ZipErrorCode, message: RegExp): Promise<void> {
  const error = await p.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(ZipFormatError);
  expect((error as ZipFormatError).code).toBe(code);
  expect((error as ZipFormatError).message).toMatch(message);
}

/** 300 members of 1-3 KB, alternately stored and deflated, in three folders. */
function manyMembers(): { files: Map<string, Uint8Array>; members: Member[] } {
  const files = new Map<string, Uint8Array>();
  const members: Member[] = [];
  for (let i = 0; i < 300; i++) {
    const bytes = new Uint8Array(1000 + ((i * 37) % 2000)).map((_, k) => (k * 31 + i * 7) & 0xff);
    const name = `dir${i % 3}/member-${i}.bin`;
    files.set(name, bytes);
    members.push([name, bytes, { compress: i % 2 === 0 }]);
  }
  return { files, members };
}

describe('openZip / stream', () => {
  it.each([
    [4 << 20, 'web', 'every member in one window'],
    [8 << 10, 'web', 'many window edges'],
    [40, 'web', 'headers only: every member read on its own'],
    [8 << 10, 'node', 'node:zlib inflate and CRC-32'],
  ])('reads every member exactly with %i-byte windows and %s inflate (%s)', async (windowBytes, kind) => {
    const { files, members } = manyMembers();
    const zip = await openZip(blobOf(await zipOf(members)), {
      windowBytes, ...(kind === 'node' ? { inflate: nodeInflateRaw, crc32: nodeCrc32 } : {}),
    });
    expect(zip.entries.map((e) => e.name)).toEqual([...files.keys()]);
    for (const e of [...zip.entries].reverse()) {
      expect(Buffer.from(await zip.bytes(e, 1 << 20)).equals(Buffer.from(files.get(e.name)!))).toBe(true);
    }
  });

  it('reads a run of small members with one source read (plus the directory and its prefetch)', async () => {
    const { members } = manyMembers();
    const bytes = await zipOf(members);
    const src = blobSource(blobOf(bytes));
    const read = vi.spyOn(src, 'read');
    const zip = await openZip(src);
    const afterOpen = read.mock.calls.length;
    for (const e of [...zip.entries].sort((a, b) => a.offset - b.offset)) await zip.bytes(e, 1 << 20);
    // The ~700 KB archive fits one 4 MiB window.
    expect(read.mock.calls.length - afterOpen).toBe(1);
  });

  it('reads a ZIP made by Info-ZIP, and a ZIP64 one (zip -fz), from a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zip-'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ x: 'y'.repeat(50_000) }));
    writeFileSync(join(dir, 'b.bin'), noise(3, 70_000));
    for (const flags of [[], ['-fz']]) {
      const out = join(dir, `out${flags.length}.zip`);
      execFileSync('zip', ['-q', ...flags, out, 'a.json', 'b.bin'], { cwd: dir });
      const src = await fileSource(out);
      const zip = await openZip(src, { inflate: nodeInflateRaw });
      for (const name of ['a.json', 'b.bin']) {
        const got = await zip.bytes(zip.get(name)!, 1 << 20);
        expect(Buffer.from(got).equals(readFileSync(join(dir, name)))).toBe(true);
      }
      await src.close();
    }
  });

  it('opens a stored part-ZIP inside a ZIP through rawSource', async () => {
    const inner = await zipOf([['conversations.json', text('[]'), { compress: true }]]);
    const outer = await openZip(blobOf(await zipOf([['part-1.zip', inner], ['x.txt', text('x'), { compress: true }]])));
    expect(outer.rawSource(outer.get('x.txt')!)).toBeNull();
    const part = await openZip(outer.rawSource(outer.get('part-1.zip')!)!);
    expect(new TextDecoder().decode(await part.bytes(part.get('conversations.json')!, 100))).toBe('[]');
  });

  it('aborts a stream when its signal fires', async () => {
    const zip = await openZip(blobOf(await zipOf([['big.bin', noise(1, 3 << 20)]])));
    const ctrl = new AbortController();
    const reader = zip.stream(zip.entries[0]!, { signal: ctrl.signal }).getReader();
    await reader.read();
    ctrl.abort();
    await expect(reader.read()).rejects.toThrow();
  });
});

describe('refusals', () => {
  it('not a ZIP, and a truncated one', async () => {
    await refusal(openZip(blobOf(text('hello, this is not a zip archive at all'))), 'not-zip', /not a ZIP/);
    const zip = await zipOf([['a.txt', text('a'.repeat(1000))]]);
    await refusal(openZip(blobOf(zip.subarray(0, zip.length - 30))), 'truncated', /truncated/);
  });

  it.each([
    ['../etc/pwd', /"\.\.\/etc\/pwd" has a "\.\." path segment/],
    ['/etc/passw', /is absolute/],
    ['C:\\x\\y.txt', /is absolute/],
    ['a\u0001b.txtxx', /control characters/],
  ])('an unsafe member name (%j)', async (bad, message) => {
    const name = 'x'.repeat(text(bad).length);
    const zip = await zipOf([[name, text('data')], ['ok.txt', text('ok')]]);
    rename(zip, name, bad);
    await refusal(openZip(blobOf(zip)), 'unsafe-name', message);
  });

  it('two members with one name', async () => {
    const zip = await zipOf([['a.txt', text('one')], ['b.txt', text('two')]]);
    rename(zip, 'b.txt', 'a.txt');
    await refusal(openZip(blobOf(zip)), 'duplicate-name', /"a\.txt" appears twice/);
  });

  it('an encrypted member is listed as such and refused when read', async () => {
    const zip = await zipOf([['secret.txt', text('s3cret')]]);
    const { view, entries } = layout(zip);
    view.setUint16(entries[0]!.at + 8, view.getUint16(entries[0]!.at + 8, true) | 1, true);
    const reader = await openZip(blobOf(zip));
    expect(reader.entries[0]!.encrypted).toBe(true);
    await refusal(reader.bytes(reader.entries[0]!, 100), 'encrypted', /"secret\.txt" is encrypted/);
  });

  it('overlapping members (one deflate stream under two names: the overlap bomb)', async () => {
    const zip = await zipOf([['a.txt', text('x'.repeat(5000)), { compress: true }], ['b.txt', text('y'.repeat(5000)), { compress: true }]]);
    const { view, entries } = layout(zip);
    view.setUint32(entries[1]!.at + 42, entries[0]!.lho, true);
    await refusal(openZip(blobOf(zip)), 'overlap', /"a\.txt" and "b\.txt" overlap/);
  });

  it('a local extra field that pushes the data into the next member', async () => {
    const zip = await zipOf([['a.bin', noise(1, 500)], ['b.bin', noise(2, 500)]]);
    const { view, entries } = layout(zip);
    view.setUint16(entries[0]!.lho + 28, 0x40, true);
    const reader = await openZip(blobOf(zip));
    await refusal(reader.bytes(reader.get('a.bin')!, 1000), 'overlap', /runs into the next member/);
  });

  it('a member that inflates past its declared size, without inflating it all', async () => {
    const zip = await zipOf([['bomb.txt', new Uint8Array(16 << 20), { compress: true }]]);
    const { view, entries } = layout(zip);
    view.setUint32(entries[0]!.at + 24, 1000, true);
    const reader = await openZip(blobOf(zip));
    const crcSpy = vi.fn(crc32);
    const r2 = await openZip(blobOf(zip), { crc32: crcSpy });
    await refusal(reader.bytes(reader.entries[0]!, 1 << 30), 'too-large', /inflates past the 1000 bytes it declares/);
    await refusal(drain(r2.stream(r2.entries[0]!)), 'too-large', /inflates past/);
    // Stopped at the first chunk past the declared size: far less than 16 MiB was looked at.
    const seen = crcSpy.mock.calls.reduce((n, [d]) => n + d.length, 0);
    expect(seen).toBeLessThan(1 << 20);
  });

  it('a member past maxBytes (declared), and a bad CRC', async () => {
    const zip = await zipOf([['a.bin', noise(1, 5000)]]);
    const reader = await openZip(blobOf(zip));
    await refusal(reader.bytes(reader.entries[0]!, 4999), 'too-large', /declares 5000 bytes; the limit is 4999/);
    const { entries } = layout(zip);
    zip[entries[0]!.lho + 30 + 5 + 10]! ^= 1;
    const broken = await openZip(blobOf(zip));
    await refusal(broken.bytes(broken.entries[0]!, 5000), 'bad-crc', /CRC mismatch/);
  });

  it('more members than maxEntries', async () => {
    const zip = await zipOf([['a', text('a')], ['b', text('b')], ['c', text('c')]]);
    await refusal(openZip(blobOf(zip), { maxEntries: 2 }), 'too-large', /3 members; at most 2/);
  });

  it('a short read from a source (a file that shrank) is a truncation', async () => {
    const bytes = await zipOf([['a.bin', noise(1, 3 << 20)]]);
    const real = blobSource(blobOf(bytes));
    let shrunk = false;
    const src: RandomAccessSource = { size: real.size, read: async (o, n) => (await real.read(o, n)).subarray(0, shrunk && o > 100 ? 10 : n) };
    const zip = await openZip(src, { windowBytes: 1 << 10 });
    shrunk = true;
    await refusal(zip.bytes(zip.entries[0]!, 4 << 20), 'truncated', /cut short/);
  });
});

describe('crc32 (slicing by 8)', () => {
  it.each([0, 1, 7, 8, 9, 15, 16, 17, 255, 4096, 100_003])('matches zlib for %i bytes, also in two parts', (n) => {
    const bytes = new Uint8Array(n).map((_, i) => (i * 2654435761) >>> 24);
    expect(crc32(bytes)).toBe(zlibCrc32(bytes));
    const half = n >> 1;
    expect(crc32(bytes.subarray(half), crc32(bytes.subarray(0, half)))).toBe(zlibCrc32(bytes));
  });
});
