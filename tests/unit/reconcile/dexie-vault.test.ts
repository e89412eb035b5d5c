// @vitest-environment node
/** The live-vault side: the fixture vault restored into Dexie gives the same classes, and nothing is written. */
import { describe, expect, it } from 'vitest';
import { restoreVaultArchive } from '@/utils/archive';
import { dexieVault, reconcileExport, writeEnrichedExport } from '@/utils/reconcile';
import type { RandomAccessSource } from '@/utils/zip';
import { buildFixtures, labelOf } from '../../fixtures/exports/generate';
import { dump, freshDb } from '../vault/helpers';

const source = (b: Uint8Array): RandomAccessSource => ({ size: b.length, read: (o, l) => Promise.resolve(b.slice(o, o + l)) });

describe('dexieVault', () => {
  it('reconciles against the live vault like against its archive, and never writes to it', async () => {
    const fx = await buildFixtures();
    const db = freshDb();
    await restoreVaultArchive(db, new Blob([fx.vault as Uint8Array<ArrayBuffer>]));
    const before = await dump(db);
    for (const f of fx.exports) {
      const result = await reconcileExport(source(f.zip), `${f.name}.zip`, dexieVault(db));
      expect(Object.fromEntries(result.report.items.map((i) => [labelOf(i), i.status])), f.name).toEqual(f.expect);
      await writeEnrichedExport(result, new WritableStream());
    }
    expect(await dump(db)).toEqual(before);
  });
});
