// @vitest-environment node
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeSampleExport } from '../../../scripts/sample-export';
import { reconcileExport } from '@/utils/reconcile';
import type { RandomAccessSource } from '@/utils/zip';

describe('writeSampleExport', () => {
  it('writes a 2026 export of the demo conversations that reconciles, with no binaries in it', async () => {
    const demo: unknown = JSON.parse(readFileSync(join(__dirname, '../../fake-chatgpt/seed/demo.json'), 'utf8'));
    const chunks: Uint8Array[] = [];
    await writeSampleExport([demo], new WritableStream({ write: (c) => void chunks.push(c.slice()) }));
    const zip = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let o = 0;
    for (const c of chunks) { zip.set(c, o); o += c.length; }
    const src: RandomAccessSource = { size: zip.length, read: (off, l) => Promise.resolve(zip.slice(off, off + l)) };
    const empty = { artifacts: () => Promise.resolve([]), bytes: () => Promise.resolve(null), snapshotIds: () => Promise.resolve([]), snapshot: () => Promise.resolve(null) };
    const { report } = await reconcileExport(src, 'sample.zip', empty);
    expect(report.export).toEqual({ layout: 'sharded', conversations: 1, assetMembers: 0 });
    expect(report.items.length).toBeGreaterThan(0);
    expect(report.items.every((i) => i.status === 'lost')).toBe(true); // nobody has the bytes yet
  });
});
