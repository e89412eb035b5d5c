/**
 * Text artifacts the walker writes from the conversation JSON itself (canvas documents, deep research
 * reports; `TEXT_KINDS` in utils/model.ts): their bytes are saved at once, with no download job. A canvas
 * document's latest text replaces the one saved before (its earlier versions are artifacts of their own); it
 * comes from the textdocs route when that answers (`withTextdocs`), else from the walker's rebuild.
 */
import { parseTextdocs } from '@/utils/chatgpt/canvas';
import { artifactIdentity, type ArtifactRef, type ArtifactSource, TEXT_KINDS } from '@/utils/model';
import type { VaultDb } from '@/utils/vault';
import { commitPrepared, getArtifacts, prepareBytes, storeBlobs } from '@/utils/vault';

/** Saves the text of every text ref already recorded in the vault; returns how many were written. */
export async function saveTextArtifacts(db: VaultDb, refs: readonly ArtifactRef[], source: ArtifactSource): Promise<number> {
  const encoder = new TextEncoder();
  const texts = refs.flatMap((ref) => {
    const id = TEXT_KINDS.has(ref.kind) ? artifactIdentity(ref) : null;
    return id === null ? [] : [{ id, ref }];
  });
  const records = await getArtifacts(db, texts.map((t) => t.id));
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

/** A canvas document's latest text (earlier versions are `<textdoc id>@v<n>`). */
const isLatestCanvas = (ref: ArtifactRef): ref is ArtifactRef & { textdocId: string } =>
  ref.kind === 'canvas' && typeof ref.textdocId === 'string' && !ref.textdocId.includes('@v');

/** `trip-plan.md` -> `trip-plan (v2).md`, as the walker names earlier versions. */
function versionName(fileName: string | null, n: number): string | null {
  if (fileName === null) return null;
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? `${fileName.slice(0, dot)} (v${n})${fileName.slice(dot)}` : `${fileName} (v${n})`;
}

/**
 * The refs with each canvas document's current text from the textdocs route (`read`: its body, or null when
 * it did not answer), which holds the person's own edits that no message does. Asked only when the refs hold a
 * canvas document (each read spends the person's rate budget). Where the route's text differs from the one
 * rebuilt from the messages, the rebuilt one is kept as the next earlier version. A 404, a refusal, an error or
 * an unknown shape keeps the rebuilt texts; the shape's problems are logged with their JSON paths.
 */
export async function withTextdocs(refs: ArtifactRef[], read: () => Promise<string | null>): Promise<ArtifactRef[]> {
  const latest = refs.filter(isLatestCanvas);
  if (latest.length === 0) return refs;
  const where = `textdocs of ${latest[0]!.conversationId}`;
  let body: string | null;
  try {
    body = await read();
  } catch (err) {
    console.warn(`[artifact-vault] ${where}: not read (${err instanceof Error ? err.message : String(err)}); the canvas texts are rebuilt from the messages`);
    return refs;
  }
  if (body === null) return refs;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    console.warn(`[artifact-vault] ${where}: $: the answer is not JSON (skipped); the canvas texts are rebuilt from the messages`);
    return refs;
  }
  const { docs, skipped } = parseTextdocs(json);
  for (const note of skipped) console.warn(`[artifact-vault] ${where}: ${note}`);
  if (docs.size === 0) return refs;
  // Earlier versions the walker rebuilt, per document: the rebuilt latest text is the next one.
  const earlier = new Map<string, number>();
  for (const ref of refs) {
    const at = ref.kind === 'canvas' ? (ref.textdocId?.indexOf('@v') ?? -1) : -1;
    if (at > 0) earlier.set(ref.textdocId!.slice(0, at), (earlier.get(ref.textdocId!.slice(0, at)) ?? 0) + 1);
  }
  const out: ArtifactRef[] = [];
  for (const ref of refs) {
    const doc = isLatestCanvas(ref) ? docs.get(ref.textdocId) : undefined;
    if (!doc) {
      out.push(ref);
      continue;
    }
    const rebuilt = ref.text ?? null;
    if (rebuilt !== null && rebuilt !== doc.content) {
      const n = (earlier.get(doc.textdocId) ?? 0) + 1;
      out.push({ ...ref, textdocId: `${doc.textdocId}@v${n}`, fileName: versionName(ref.fileName, n), text: rebuilt });
    }
    out.push({ ...ref, text: doc.content });
  }
  return out;
}
