/**
 * The enriched export (contracts.md section 2): every member of the original export, byte for byte,
 * plus `vault/files/<conversationId>/<fileName>` for each `recovered` and `vault-only` artifact,
 * `vault/conversations/<id>.json` snapshots and `vault/reconcile-report.json`. Written as a stream into
 * the sink through the one ZIP writer (ZIP64 when needed); one member's bytes in flight at a time.
 */
import { createZipWriter, type Crc32, type DeflateFactory } from '@/utils/zip';
import { throwIfAborted } from './errors';
import { safeFileName } from '@/utils/files/names';
import { UniqueNames } from './names';
import { reportJsonStream } from './report';
import { asInputError, type ReconcileProgress, type ReconcileResult } from './reconcile';

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
  const files = result.items.filter((m) => (m.item.status === 'recovered' || m.item.status === 'vault-only') && m.item.vaultSha256);
  const snapshotIds = await vault.snapshotIds();
  const total = exportZip.entries.length + files.length + snapshotIds.length + 1;
  let done = 0;
  const tick = () => opts.onProgress?.({ phase: 'writing', done: ++done, total });

  for (const e of exportZip.entries) {
    throwIfAborted(opts.signal);
    names.take(e.name);
    if (e.directory) {
      tick();
      continue;
    }
    // Copied still compressed: byte for byte, and no deflate (74 s for a 1 GB export when re-deflated);
    // raw() inflates alongside and checks size and CRC, so a corrupt member still fails the export.
    await writer.addRaw(e.name, e, exportZip.raw(e, { signal: opts.signal }));
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

/** Images and archives are already compressed: storing them saves time and loses nothing. */
function isCompressed(mime: string | null): boolean {
  return mime !== null && (/^image\/(png|jpeg|webp|gif|avif)$/.test(mime) || /zip|gzip|x-7z|compressed/.test(mime) || mime.startsWith('video/') || mime.startsWith('audio/'));
}
