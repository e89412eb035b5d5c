// @vitest-environment node
/**
 * Every bound of reconcile's readers (docs/SECURITY.md, "Bounds") met by a small generated hostile export:
 * the core refuses it with one clear ReconcileInputError, and the CLI exits 2 with that line and leaves
 * nothing behind, in its output folder or its TMPDIR.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileExport, ReconcileInputError, type VaultSide } from '@/utils/reconcile';
import type { RandomAccessSource } from '@/utils/zip';

const ROOT = join(__dirname, '../../..');
const enc = new TextEncoder();
const source = (b: Uint8Array): RandomAccessSource => ({ size: b.length, read: (o, l) => Promise.resolve(b.slice(o, Math.min(b.length, o + l))) });
const emptyVault: VaultSide = {
  artifacts: () => Promise.resolve([]), bytes: () => Promise.resolve(null), snapshotIds: () => Promise.resolve([]), snapshot: () => Promise.resolve(null),
};
const conversation = (id: string) => ({ id, conversation_id: id, title: 't', update_time: 1, mapping: {} });
const convJson = (...ids: string[]) => enc.encode(JSON.stringify(ids.map(conversation)));
const ID1 = '11111111-1111-4111-8111-111111111111';
const ID2 = '22222222-2222-4222-8222-222222222222';

/** A ZIP64 end whose record claims `count` members and an empty directory (openZip reads the count first). */
function claimsMembers(count: number): Uint8Array {
  const rec = new DataView(new ArrayBuffer(56 + 20 + 22));
  rec.setUint32(0, 0x06064b50, true); // ZIP64 end record
  rec.setBigUint64(4, 44n, true);
  rec.setUint16(12, 45, true);
  rec.setUint16(14, 45, true);
  rec.setBigUint64(24, BigInt(count), true);
  rec.setBigUint64(32, BigInt(count), true);
  rec.setBigUint64(40, 0n, true); // directory size
  rec.setBigUint64(48, 0n, true); // directory offset
  rec.setUint32(56, 0x07064b50, true); // locator
  rec.setBigUint64(64, 0n, true); // where the record is
  rec.setUint32(72, 1, true);
  rec.setUint32(76, 0x06054b50, true); // end record, every field at its ZIP64 marker
  rec.setUint16(84, 0xffff, true);
  rec.setUint16(86, 0xffff, true);
  rec.setUint32(88, 0xffffffff, true);
  rec.setUint32(92, 0xffffffff, true);
  return new Uint8Array(rec.buffer);
}

/** Text that deflates about 50:1: runs of a random 16 KiB block, each run broken by a few random characters. */
function repetitive(bytes: number): string {
  const block = randomBytes(8 << 10).toString('hex');
  const noise = randomBytes(bytes >> 7).toString('hex');
  const pieces: string[] = [];
  for (let n = 0, i = 0; n < bytes; n += 504, i++) pieces.push(block.slice((i * 509) % 15_000, ((i * 509) % 15_000) + 500), noise.slice(i * 4, i * 4 + 4));
  return pieces.join('').slice(0, bytes);
}

interface Hostile { name: string; zip: Uint8Array; message: RegExp }
let hostile: Hostile[];
let dir: string;

beforeAll(() => {
  const deflated = (files: Zippable) => zipSync(files, { level: 6 });
  const smallMembers: Zippable = { 'conversations.json': convJson(ID1) };
  for (let i = 0; i < 70; i++) smallMembers[`file-${String(i).padStart(24, '0')}-zeros.bin`] = new Uint8Array(1 << 20);
  const part = zipSync({ 'conversations.json': convJson(ID1), 'nested.zip': [zipSync({ 'conversations.json': convJson(ID2) }), { level: 0 }] }, { level: 0 });
  hostile = [
    // One member: 8 MiB of spaces inside the array deflates ~1000:1.
    { name: 'ratio', zip: deflated({ 'conversations.json': enc.encode(`[${' '.repeat(8 << 20)}]`) }), message: /would inflate from \d+ to \d+ bytes \(over 100:1\)/ },
    // The case: a part that is 16 MiB of zeros, compressed inside the export (it went to TMPDIR whole).
    { name: 'part-ratio', zip: deflated({ 'chatgpt-export-part-001.zip': new Uint8Array(16 << 20) }), message: /chatgpt-export-part-001\.zip.*over 100:1/ },
    // Within the ratio, but not a ZIP: refused from its first bytes, before it is unpacked.
    { name: 'part-not-zip', zip: deflated({ 'chatgpt-export-part-001.zip': new Uint8Array(randomBytes(2 << 20)) }), message: /part chatgpt-export-part-001\.zip is not a ZIP/ },
    { name: 'members', zip: claimsMembers(600_000), message: /600000 members; at most 500000/ },
    // Each member under the 1 MiB ratio floor, together 70 MiB from a ~80 KB file.
    { name: 'total', zip: deflated(smallMembers), message: /would inflate to 70(\.\d)? MiB \(more than 100 times its size/ },
    // One conversation of 65 MiB, within the ratio (~50:1).
    {
      name: 'conversation',
      zip: deflated({ 'conversations.json': enc.encode(`[${JSON.stringify({ ...conversation(ID1), title: repetitive(65 << 20) })}]`) }),
      message: /conversations\.json: the file has a conversation over 64 MiB \(item 1\)/,
    },
  ];
  hostile.push({ name: 'nested-part', zip: zipSync({ 'chatgpt-export-part-001.zip': [part, { level: 0 }] }, { level: 0 }), message: /never refused/ });
  dir = mkdtempSync(join(tmpdir(), 'reconcile-bounds-'));
  for (const h of hostile) writeFileSync(join(dir, `${h.name}.zip`), h.zip);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const refusals = () => hostile.filter((h) => h.name !== 'nested-part');

describe('reconcile bounds', () => {
  it('every hostile export is small', () => {
    for (const h of hostile) expect(h.zip.length, h.name).toBeLessThan(2_200_000);
  });

  it.each(['ratio', 'part-ratio', 'part-not-zip', 'members', 'total', 'conversation'])('%s: one clear ReconcileInputError', { timeout: 30_000 }, async (name) => {
    const h = hostile.find((x) => x.name === name)!;
    let spilled = 0;
    const error = await reconcileExport(source(h.zip), 'export.zip', emptyVault, {
      spill: async (_n, bytes) => {
        const r = bytes.getReader();
        for (;;) {
          const { value, done } = await r.read();
          if (done) break;
          spilled += value.length;
        }
        throw new Error('a part was unpacked');
      },
    }).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(ReconcileInputError);
    const message = (error as Error).message;
    expect(message).toMatch(h.message);
    expect(message.length).toBeLessThanOrEqual(300);
    expect(spilled).toBe(0);
  });

  it('part-ZIPs are opened one level deep: a ZIP inside a part is a file, never opened', async () => {
    const { report } = await reconcileExport(source(hostile.find((h) => h.name === 'nested-part')!.zip), 'export.zip', emptyVault);
    expect(report.export.conversations).toBe(1);
  });

  it('the CLI exits 2 with the same line for each, leaving no output and nothing in TMPDIR', { timeout: 120_000 }, () => {
    const tmp = mkdtempSync(join(tmpdir(), 'reconcile-bounds-tmp-'));
    try {
      for (const h of refusals()) {
        const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/reconcile.ts', `${h.name}.zip`, '--report', 'out.json', '--out', 'out.zip'], {
          cwd: ROOT, env: { ...process.env, INIT_CWD: dir, TMPDIR: tmp }, encoding: 'utf8', timeout: 60_000,
        });
        const last = r.stderr.trimEnd().split('\n').pop() ?? '';
        expect(r.status, `${h.name}: ${r.stderr}`).toBe(2);
        expect(last, h.name).toMatch(h.message);
        expect(last.length).toBeLessThanOrEqual(300);
        expect(readdirSync(dir).filter((n) => n.startsWith('out') || n.includes('.partial'))).toEqual([]);
        expect(readdirSync(tmp).filter((n) => !n.startsWith('tsx-'))).toEqual([]); // tsx keeps its cache there
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
