/**
 * The enriched export (docs/FORMATS.md section 2): every member of the original export, byte for byte,
 * plus `vault/files/<conversationId>/<fileName>` for each `recovered` and `vault-only` artifact (and each
 * `matched` one whose export bytes differ from the vault's: the vault's copy is kept too),
 * `vault/conversations/<id>.json` snapshots and `vault/reconcile-report.json`. Written as a stream into
 * the sink through the one ZIP writer (ZIP64 when needed); one member's bytes in flight at a time.
 *
 * The `vault/` folder is ours alone: an export member under it (a hostile export can ship its own
 * `vault/reconcile-report.json`) is copied under `vault-from-export/` instead, and the run says so.
 */
import { createZipWriter, type Crc32, type DeflateFactory } from '@/utils/zip';
import { throwIfAborted } from './errors';
import { safeFileName } from '@/utils/files/safe-file-name';
import { UniqueNames } from './unique-names';
import { reportJsonStream } from './report';
import { asInputError, type ReconcileProgress, type ReconcileResult } from './reconcile';
import type { ReconcileNote } from './notes';

export interface EnrichedOptions {
  /** Raw-deflate compressor and CRC-32 for the writer (the CLI passes node:zlib's). */
  deflate?: DeflateFactory;
  crc32?: Crc32;
  signal?: AbortSignal;
  onProgress?: (p: ReconcileProgress) => void;
}

/**
 * Rejects with ReconcileInputError when an original member turns out unreadable (members matching never
 * read, such as chat.html, are read only here); the sink then holds a partial ZIP and must be discarded.
 */
export async function writeEnrichedExport(result: ReconcileResult, sink: WritableStream<Uint8Array>, opts: EnrichedOptions = {}): Promise<void> {
  try {
    await write(result, sink, opts);
  } catch (error) {
    throw asInputError(error, result.exportName);
  }
}

async function write(result: ReconcileResult, sink: WritableStream<Uint8Array>, opts: EnrichedOptions): Promise<void> {
  const { exportZip, vault } = result;
  const writer = createZipWriter(sink, { deflate: opts.deflate, crc32: opts.crc32 });
  const names = new UniqueNames();
  const files = result.items.filter((m) => m.item.vaultSha256 && (m.item.status === 'recovered' || m.item.status === 'vault-only' ||
    (m.item.status === 'matched' && m.item.identical === false)));
  for (const e of exportZip.entries) if (!inVaultFolder(e.name)) names.take(e.name);
  const snapshotIds = await vault.snapshotIds();
  const total = exportZip.entries.length + files.length + snapshotIds.length + 1;
  let done = 0;
  const tick = () => opts.onProgress?.({ phase: 'writing', done: ++done, total });

  for (const e of exportZip.entries) {
    throwIfAborted(opts.signal);
    if (e.directory) {
      tick();
      continue;
    }
    const name = inVaultFolder(e.name) ? names.nextPath(`${MOVED_FOLDER}/${e.name.slice(VAULT_FOLDER.length + 1)}`) : e.name;
    // Copied still compressed: byte for byte, and no deflate (74 s for a 1 GB export when re-deflated);
    // raw() inflates alongside and checks size and CRC, so a corrupt member still fails the export.
    await writer.addRaw(name, e, exportZip.raw(e, { signal: opts.signal }));
    tick();
  }
  for (const m of files) {
    throwIfAborted(opts.signal);
    const it = m.item;
    const stream = await vault.bytes(it.vaultSha256!);
    if (!stream) throw new Error(`The vault lost the bytes of ${it.fileName ?? it.vaultSha256} while the export was being written.`);
    const folder = `vault/files/${safeFileName(it.conversationId, 'no-conversation', 150)}`;
    const fallback = it.fileId ?? it.genId ?? it.vaultSha256!.slice(0, 16);
    await writer.add(names.next(folder, safeFileName(m.vault?.fileName ?? it.fileName, fallback, 150)), stream, { compress: !isCompressed(m.vault?.mimeType ?? null) });
    tick();
  }
  for (const id of snapshotIds) {
    throwIfAborted(opts.signal);
    const json = await vault.snapshot(id);
    if (json) await writer.add(names.next('vault/conversations', `${safeFileName(id, 'conversation', 150)}.json`), json, { compress: true });
    tick();
  }
  await writer.add(names.next('vault', 'reconcile-report.json'), reportJsonStream(result.report), { compress: true });
  tick();
  await writer.close();
}

const VAULT_FOLDER = 'vault';
const MOVED_FOLDER = 'vault-from-export';
const inVaultFolder = (name: string) => name.toLowerCase().startsWith(`${VAULT_FOLDER}/`);

/** What the enriched export will rename, as a note for the run (null: nothing). */
export function enrichedNote(memberNames: readonly string[]): ReconcileNote | null {
  const n = memberNames.filter((m) => inVaultFolder(m) && !m.endsWith('/')).length;
  return n === 0 ? null : { code: 'export-vault-folder', count: n, folder: MOVED_FOLDER };
}

/** Images and archives are already compressed: storing them saves time and loses nothing. */
function isCompressed(mime: string | null): boolean {
  return mime !== null && (/^image\/(png|jpeg|webp|gif|avif)$/.test(mime) || /zip|gzip|x-7z|compressed/.test(mime) || mime.startsWith('video/') || mime.startsWith('audio/'));
}
