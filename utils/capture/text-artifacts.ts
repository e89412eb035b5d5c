/**
 * Text artifacts the walker writes from the conversation JSON itself (canvas documents, deep research
 * reports; `TEXT_KINDS` in utils/model.ts): their bytes are saved at once, with no download job. A canvas
 * document's latest text replaces the one saved before (its earlier versions are artifacts of their own).
 */
import { artifactIdentity, type ArtifactRef, type ArtifactSource, TEXT_KINDS } from '@/utils/model';
import type { VaultDb } from '@/utils/vault';
import { commitPrepared, prepareBytes, storeBlobs } from '@/utils/vault';

/** Saves the text of every text ref already recorded in the vault; returns how many were written. */
export async function saveTextArtifacts(db: VaultDb, refs: readonly ArtifactRef[], source: ArtifactSource): Promise<number> {
  const encoder = new TextEncoder();
  const texts = refs.flatMap((ref) => {
    const id = TEXT_KINDS.has(ref.kind) ? artifactIdentity(ref) : null;
    return id === null ? [] : [{ id, ref }];
  });
  const records = await db.artifacts.bulkGet(texts.map((t) => t.id));
  const prepared = [];
  for (const [i, { id, ref }] of texts.entries()) {
    // An earlier canvas version never changes: once saved, it is not rebuilt and hashed again on every read.
    if (records[i]?.status === 'saved' && ref.kind === 'canvas' && ref.textdocId?.includes('@v')) continue;
    if (typeof ref.text !== 'string') continue;
    prepared.push(await prepareBytes(id, encoder.encode(ref.text), { mimeType: ref.mimeType, fileName: ref.fileName, source, owned: true, replace: true }));
  }
  if (prepared.length === 0) return 0;
  const written = await storeBlobs(db, prepared);
  const results = await commitPrepared(db, prepared, written);
  return results.filter((r) => !(r instanceof Error) && !r.deduplicated).length;
}
