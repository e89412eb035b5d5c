// @vitest-environment node
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { archiveVault, noteText, readExportIndex, reconcileExport, ReconcileInputError, reportJsonStream, writeEnrichedExport, type ReconcileResult, type VaultSide } from '@/utils/reconcile';
import { openZip, type RandomAccessSource } from '@/utils/zip';
import { buildFixtures, C1, C3, labelOf, vaultBytes, type Fixtures } from '../../fixtures/exports/generate';

const source = (bytes: Uint8Array): RandomAccessSource => ({
  size: bytes.length,
  read: (o, l) => Promise.resolve(bytes.slice(o, Math.min(bytes.length, o + l))),
});

let fx: Fixtures;
beforeAll(async () => {
  fx = await buildFixtures();
});

async function run(zip: Uint8Array, vault = fx.vault): Promise<ReconcileResult> {
  return reconcileExport(source(zip), 'export.zip', await archiveVault(source(vault)));
}

describe('readExportIndex (an export chosen for export-first Back up everything)', () => {
  it.each(['legacy', 'sharded', 'parts', 'mixed'])('%s: the same conversation index as a reconcile, no asset member hashed', async (name) => {
    const f = fx.exports.find((e) => e.name === name)!;
    let hashed = 0;
    const { conversations } = await readExportIndex(source(f.zip), 'export.zip', { hash: () => ((hashed++), { update: () => {}, hex: () => '' }) });
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    expect(conversations.length).toBe(f.conversations);
    expect(conversations.sort(byId)).toEqual((await run(f.zip)).conversations.sort(byId));
    expect(hashed).toBe(0);
  });

  it('a refused export is refused with the same reason as by a reconcile', async () => {
    await expect(readExportIndex(source(new Uint8Array(0)), 'empty.zip')).rejects.toMatchObject({ reason: { code: 'empty', file: 'empty.zip' } });
  });
});

describe('reconcileExport on every layout', () => {
  it.each(['legacy', 'sharded', 'parts', 'mixed'])('%s: every item gets its class, once', async (name) => {
    const f = fx.exports.find((e) => e.name === name)!;
    const { report } = await run(f.zip);
    expect(report.format).toBe('chatgpt-artifact-vault/reconcile-report');
    expect(report.export.layout).toBe(f.layout);
    expect(report.export.conversations).toBe(f.conversations);
    const got = Object.fromEntries(report.items.map((i) => [labelOf(i), i.status]));
    expect(report.items.map(labelOf).sort()).toEqual(Object.keys(f.expect).sort()); // one item per identity
    expect(got).toEqual(f.expect);
    const total = Object.values(report.summary).reduce((a, b) => a + b, 0);
    expect(total).toBe(report.items.length);
  });

  it.each(['legacy', 'sharded', 'parts', 'mixed'])('%s unpacked and zipped again inside a folder (with macOS litter): the same items, member names keep the folder', async (name) => {
    const f = fx.exports.find((e) => e.name === name)!;
    const again: Record<string, Uint8Array> = {
      '__MACOSX/ChatGPT export/._conversations.json': new Uint8Array([0, 5, 22, 7]),
      'ChatGPT export/.DS_Store': new Uint8Array(8),
    };
    for (const [member, bytes] of Object.entries(unzipSync(f.zip))) again[`ChatGPT export/${member}`] = bytes;
    const { report } = await run(zipSync(again, { level: 0 }));
    const original = (await run(f.zip)).report;
    expect(report.export.layout).toBe(f.layout);
    expect(report.items).toEqual(original.items.map((i) => ({ ...i, exportMember: i.exportMember && `ChatGPT export/${i.exportMember}` })));
    expect(report.items.some((i) => i.exportMember !== null)).toBe(true);
  });

  it('parts stored compressed inside the export: unpacked through the spill when given, in memory otherwise; the same items', async () => {
    const parts = fx.exports.find((e) => e.name === 'parts')!;
    const deflated = zipSync(unzipSync(parts.zip), { level: 6 });
    const vault = await archiveVault(source(fx.vault));
    const spilled: string[] = [];
    const withSpill = await reconcileExport(source(deflated), 'export.zip', vault, {
      spill: async (name, bytes) => {
        spilled.push(name);
        return source(new Uint8Array(await new Response(bytes).arrayBuffer()));
      },
    });
    const inMemory = await reconcileExport(source(deflated), 'export.zip', vault);
    const original = (await run(parts.zip)).report;
    expect(spilled.length).toBeGreaterThan(1);
    expect(spilled.every((n) => /\.zip$/.test(n))).toBe(true);
    expect(withSpill.report.items).toEqual(original.items);
    expect(inMemory.report.items).toEqual(original.items);
  });

  it('computes identical where both sides have bytes, and only there', async () => {
    const { report } = await run(fx.exports[0]!.zip);
    const by = Object.fromEntries(report.items.map((i) => [labelOf(i), i]));
    expect(by.A!.identical).toBe(true);
    expect(by.B!.identical).toBe(false);
    expect(by.H!.identical).toBe(true);
    expect(by.S!.identical).toBe(true);
    for (const i of report.items) if (i.status !== 'matched') expect(i.identical).toBeNull();
  });

  it('names the export member and the vault digest of each item', async () => {
    const { report } = await run(fx.exports.find((e) => e.name === 'parts')!.zip);
    const by = Object.fromEntries(report.items.map((i) => [labelOf(i), i]));
    expect(by.A!.exportMember).toBe(`chatgpt-export-part-001.zip!/${by.A!.fileId}.dat`);
    expect(by.D!.exportMember).toBeNull();
    expect(by.D!.vaultSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(by.XLSX!).toMatchObject({ kind: 'sandbox-file', conversationId: C1, fileName: 'data export (v2).xlsx', exportMember: null });
    // The gen_id merge gives the export's file id to the vault's gen-only artifact.
    expect(by.H!.fileId).toMatch(/^file_/);
    expect(by.F!.conversationId).toBe(C3);
  });

  it('against an empty vault: export items are export-only or lost, nothing else', async () => {
    const { report } = await reconcileExport(source(fx.exports[0]!.zip), 'export.zip', {
      artifacts: () => Promise.resolve([]), bytes: () => Promise.resolve(null), snapshotIds: () => Promise.resolve([]), snapshot: () => Promise.resolve(null),
    });
    expect(report.summary.matched + report.summary.recovered + report.summary['vault-only']).toBe(0);
    expect(report.summary['export-only']).toBeGreaterThan(0);
    expect(report.summary.lost).toBeGreaterThan(0);
  });
});

describe('writeEnrichedExport', () => {
  it('keeps every original member byte for byte and adds vault/', async () => {
    const f = fx.exports[0]!;
    const result = await run(f.zip);
    const chunks: Uint8Array[] = [];
    await writeEnrichedExport(result, new WritableStream({ write: (c) => void chunks.push(c.slice()) }));
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let o = 0;
    for (const c of chunks) { out.set(c, o); o += c.length; }
    const enriched = await openZip(source(out));
    const original = await openZip(source(f.zip));
    for (const e of original.entries) {
      const copy = enriched.get(e.name);
      expect(copy, e.name).toBeDefined();
      expect(await enriched.bytes(copy!, 1 << 20)).toEqual(await original.bytes(e, 1 << 20));
      // Copied still compressed: the stored data itself is identical, method and CRC kept.
      expect([copy!.method, copy!.crc32, copy!.compressedSize]).toEqual([e.method, e.crc32, e.compressedSize]);
      const [a, b] = [await enriched.dataOffset(copy!), await original.dataOffset(e)];
      expect(Buffer.from(out.subarray(a, a + copy!.compressedSize)).equals(Buffer.from(f.zip.subarray(b, b + e.compressedSize)))).toBe(true);
    }
    const dir = mkdtempSync(join(tmpdir(), 'enriched-'));
    writeFileSync(join(dir, 'e.zip'), out);
    expect(execFileSync('unzip', ['-t', join(dir, 'e.zip')], { encoding: 'utf8' })).toMatch(/No errors detected/);
    const added = enriched.entries.map((e) => e.name).filter((n) => n.startsWith('vault/')).sort();
    expect(added).toEqual([
      'vault/conversations/11111111-1111-4111-8111-111111111111.json',
      'vault/conversations/33333333-3333-4333-8333-333333333333.json',
      `vault/files/${C1}/b.png`, // matched, but the export's bytes differ: the vault's copy is kept too
      `vault/files/${C1}/d.png`,
      `vault/files/${C1}/data export (v2).xlsx`,
      `vault/files/${C1}/m.png`,
      'vault/files/22222222-2222-4222-8222-222222222222/ch.png',
      `vault/files/${C3}/f.png`,
      'vault/reconcile-report.json',
    ].sort());
    expect(await enriched.bytes(enriched.get(`vault/files/${C1}/d.png`)!, 1 << 20)).toEqual(vaultBytes('D'));
    const report: unknown = JSON.parse(new TextDecoder().decode(await enriched.bytes(enriched.get('vault/reconcile-report.json')!, 1 << 20)));
    expect(report).toEqual(result.report);
  });
});

async function enrichedOf(result: ReconcileResult): Promise<{ out: Uint8Array; zip: Awaited<ReturnType<typeof openZip>> }> {
  const chunks: Uint8Array[] = [];
  await writeEnrichedExport(result, new WritableStream({ write: (c) => void chunks.push(c.slice()) }));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) { out.set(c, o); o += c.length; }
  return { out, zip: await openZip(source(out)) };
}

describe('writeEnrichedExport names', () => {
  it('a vault file named "Q1..Q2 revenue.csv" is written under its name (dots inside a name are no path step)', async () => {
    const vault = await archiveVault(source(fx.vault));
    const renamed: VaultSide = {
      ...vault,
      artifacts: async () => (await vault.artifacts()).map((a) => (a.fileName === 'data export (v2).xlsx' ? { ...a, fileName: 'Q1..Q2 revenue.csv' } : a)),
    };
    const result = await reconcileExport(source(fx.exports[0]!.zip), 'export.zip', renamed);
    const { zip } = await enrichedOf(result);
    expect(zip.get(`vault/files/${C1}/Q1..Q2 revenue.csv`)).toBeDefined();
  });
});

describe('writeEnrichedExport integrity', () => {
  it('vault/ is ours alone: the export\'s own vault/ members move to vault-from-export/, and the run says so', async () => {
    const files = unzipSync(fx.exports[0]!.zip);
    const forged = new TextEncoder().encode('{"format":"forged"}');
    const zip = zipSync({ ...files, 'vault/reconcile-report.json': forged, 'vault/files/x/evil.png': new Uint8Array([1, 2, 3]) });
    const result = await run(zip);
    expect(result.problems.map(noteText).join('\n')).toMatch(/2 members of its own under vault\/.*vault-from-export\//);
    const { zip: enriched } = await enrichedOf(result);
    const ours: unknown = JSON.parse(new TextDecoder().decode(await enriched.bytes(enriched.get('vault/reconcile-report.json')!, 1 << 20)));
    expect(ours).toEqual(result.report);
    expect(await enriched.bytes(enriched.get('vault-from-export/reconcile-report.json')!, 1 << 20)).toEqual(forged);
    expect(await enriched.bytes(enriched.get('vault-from-export/files/x/evil.png')!, 1 << 20)).toEqual(new Uint8Array([1, 2, 3]));
    expect(enriched.entries.filter((e) => e.name.startsWith('vault/')).every((e) => !e.name.includes('(2)'))).toBe(true);
    expect(enriched.get('vault/files/x/evil.png')).toBeUndefined();
  });

  it('an export member that claims a vault file id with other bytes: the vault\'s copy is in the enriched export too', async () => {
    const result = await run(fx.exports[0]!.zip);
    const b = result.items.find((m) => labelOf(m.item) === 'B')!;
    expect(b.item).toMatchObject({ status: 'matched', identical: false });
    const { zip: enriched } = await enrichedOf(result);
    const copies = enriched.entries.filter((e) => e.name.startsWith(`vault/files/${b.item.conversationId}/`));
    const sha = await Promise.all(copies.map(async (e) => createHash('sha256').update(await enriched.bytes(e, 1 << 20)).digest('hex')));
    expect(sha).toContain(b.item.vaultSha256);
  });
});

describe('bad input', () => {
  it('a member found bad only while writing: the enriched export rejects with one clear line', async () => {
    const b = fx.bad.find((x) => x.name === 'inflates-past-declared-late')!;
    const result = await run(b.bytes);
    const error = await writeEnrichedExport(result, new WritableStream()).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(ReconcileInputError);
    expect((error as Error).message).toMatch(b.message);
  });

  it.each(['empty', 'not-a-zip', 'truncated', 'no-conversations', 'invalid-shard', 'manifest-missing-shard', 'conversations-object',
    'hostile-dotdot', 'hostile-absolute', 'inflates-past-declared'])('%s: one clear ReconcileInputError', async (name) => {
    const b = fx.bad.find((x) => x.name === name)!;
    const error = await run(b.bytes).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(ReconcileInputError);
    const message = (error as Error).message;
    expect(message).toMatch(b.message);
    expect(message.length).toBeLessThanOrEqual(300);
    expect(message).not.toContain('\n');
  });

  it('a vault archive without manifest.json', async () => {
    const b = fx.bad.find((x) => x.name === 'vault-without-manifest')!;
    await expect(archiveVault(source(b.bytes))).rejects.toThrow(/no manifest\.json/);
    await expect(archiveVault(source(b.bytes))).rejects.toBeInstanceOf(ReconcileInputError);
  });
});

describe('reportJsonStream', () => {
  it('streams text that parses to the report, empty or not', async () => {
    const { report } = await run(fx.exports[0]!.zip);
    for (const r of [report, { ...report, items: [] }]) {
      const text = await new Response(reportJsonStream(r)).text();
      expect(JSON.parse(text)).toEqual(r);
    }
  });
});
