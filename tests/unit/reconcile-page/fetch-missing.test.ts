// @vitest-environment node
/**
 * The reconcile worker's side of `Fetch missing files`, on the fixture export and vault: which `lost` items go
 * to the background (file ids and sandbox links with their message id from the export), and the report
 * updated in place with the outcomes (saved items leave `lost`, the others keep it with the reason; the
 * summary and the JSON follow). Also the export index the reconcile keeps for export-first backups.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { archiveVault, reconcileExport, reportJsonStream, type ReconcileResult } from '@/utils/reconcile';
import { applyFetchOutcomes, fetchableItems } from '@/utils/reconcile-page/fetch-missing';
import { blobSource } from '@/utils/zip';
import { buildFixtures, C1, C2, C3, conversationsFull, CSV, ID, labelOf, zipOf, type Fixtures } from '../../fixtures/exports/generate';

let fx: Fixtures;
beforeAll(async () => {
  fx = await buildFixtures();
});

async function legacy(): Promise<ReconcileResult> {
  const f = fx.exports.find((e) => e.name === 'legacy')!;
  return reconcileExport(blobSource(new Blob([f.zip as Uint8Array<ArrayBuffer>])), 'export.zip', await archiveVault(blobSource(new Blob([fx.vault as Uint8Array<ArrayBuffer>]))));
}

const SHA = 'ab'.repeat(32);

describe('Fetch missing files in the reconcile worker', () => {
  it('hands over every lost item with a file id, and the sandbox file with the message id from the export', async () => {
    const result = await legacy();
    const items = fetchableItems(result);
    expect(items.map((i) => labelOf(i)).sort()).toEqual(['CSV', 'E', 'G']);
    const csv = items.find((i) => i.sandboxPath === CSV)!;
    // The assistant message holding the `sandbox:` link in the export (the fixture's fourth node).
    expect(csv).toMatchObject({ kind: 'sandbox-file', conversationId: C1, messageId: '11111111-node-3', fileName: 'results.csv' });
    const e = items.find((i) => i.fileId === ID.E)!;
    expect(e).toMatchObject({ kind: 'image', conversationId: C1, messageId: '11111111-node-2' });
    for (const i of items) expect(result.report.items[i.key]!.status).toBe('lost');
  });

  it('saved items leave lost (recovered, or vault-only when the export does not know them); expired ones keep it with the reason', async () => {
    const result = await legacy();
    const items = fetchableItems(result);
    const key = (label: string) => items.find((i) => labelOf(i) === label)!.key;
    const before = { ...result.report.summary };
    const changed = applyFetchOutcomes(result, [
      { key: key('E'), state: 'saved', reason: null, sha256: SHA },
      { key: key('G'), state: 'saved', reason: null, sha256: SHA },
      { key: key('CSV'), state: 'expired', reason: 'Code interpreter session expired', sha256: null },
    ]);
    expect(changed).toBe(true);
    const e = result.report.items[key('E')]!;
    expect(e).toMatchObject({ status: 'recovered', vaultSha256: SHA, fetch: { outcome: 'saved', reason: null } });
    // G's conversation (C3) is not in the export, and only the vault knew it.
    expect(result.report.items[key('G')]).toMatchObject({ status: 'vault-only', conversationId: C3, vaultSha256: SHA });
    expect(result.report.items[key('CSV')]).toMatchObject({ status: 'lost', fetch: { outcome: 'expired', reason: 'Code interpreter session expired' } });
    expect(result.report.summary).toEqual({ ...before, lost: before.lost - 2, recovered: before.recovered + 1, 'vault-only': before['vault-only'] + 1 });
    expect(result.items[key('E')]!.vault).toMatchObject({ status: 'saved', sha256: SHA });
    // The report JSON (what `Download report` saves) carries the change.
    const json = JSON.parse(await new Response(reportJsonStream(result.report)).text()) as typeof result.report;
    expect(json.items[key('CSV')]!.fetch).toEqual({ outcome: 'expired', reason: 'Code interpreter session expired' });
    expect(json.summary).toEqual(result.report.summary);
    // Applying the same outcomes again changes nothing; expired items are not offered again.
    expect(applyFetchOutcomes(result, [{ key: key('CSV'), state: 'expired', reason: 'Code interpreter session expired', sha256: null }])).toBe(false);
    expect(fetchableItems(result)).toEqual([]);
  });

  it('a project chat in the export: its items carry the project (gizmo_id) for the project header, the others none', async () => {
    const project = `g-p-${'9a'.repeat(16)}`;
    const [c1, c2] = conversationsFull();
    const zip = await zipOf([['conversations.json', new TextEncoder().encode(JSON.stringify([{ ...c1, gizmo_id: project }, { ...c2, gizmo_id: 'g-a1b2c3' }]))]]);
    const result = await reconcileExport(blobSource(new Blob([zip as Uint8Array<ArrayBuffer>])), 'export.zip', await archiveVault(blobSource(new Blob([fx.vault as Uint8Array<ArrayBuffer>]))));
    expect(result.conversations.find((c) => c.id === C1)!.projectGizmoId).toBe(project);
    // A custom GPT's chat is no project: nothing to send.
    expect(result.conversations.find((c) => c.id === C2)!.projectGizmoId).toBeUndefined();
    const items = fetchableItems(result);
    expect(items.filter((i) => i.conversationId === C1).length).toBeGreaterThan(0);
    for (const i of items) expect(i.gizmoId).toBe(i.conversationId === C1 ? project : null);
  });

  it('the export index: every conversation with its update time and whether it refers to any artifact', async () => {
    const result = await legacy();
    expect(result.conversations.map((c) => [c.id, c.artifacts]).sort()).toEqual([[C1, true], [C2, true]]);
    expect(result.conversations.find((c) => c.id === C1)!.updateTime).toBe(1_772_000_000);
  });
});
