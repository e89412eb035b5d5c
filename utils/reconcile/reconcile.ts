/**
 * `reconcileExport`: the export against the vault (docs/FORMATS.md section 2), shared by the library page
 * (in a worker) and the CLI. No browser or Node API here: bytes come through a RandomAccessSource,
 * inflation and hashing are injectable.
 */
import { ZipFormatError, type Crc32, type InflateFactory, type RandomAccessSource, type ZipReader } from '@/utils/zip';
import { ArchiveError } from '@/utils/archive/errors';
import { ReconcileInputError, throwIfAborted, zipReason, type ReconcileReason } from './errors';
import type { ReconcileNote } from './notes';
import { readExport, type ExportConversation, type ExportFiles, type ReadExportOptions, type ReadStats } from './export-reader';
import { nobleSha256, type HashFactory } from './hash';
import { matchItems, type MatchedItem } from './match';
import { enrichedNote } from './enriched';
import { buildReport, compareItems, type ReconcileReport } from './report';
import type { VaultSide } from './vault-side';
import type { WalkPool } from './walk-task';

export interface ReconcileProgress {
  /** `rendering`: the readable archive of a finished run (utils/readable), written by the page's worker. */
  phase: 'reading' | 'conversations' | 'hashing' | 'matching' | 'writing' | 'rendering';
  done: number;
  total: number;
}

export interface ReconcileOptions {
  inflate?: InflateFactory;
  /** CRC-32 for member checks (the CLI passes node:zlib's). */
  crc32?: Crc32;
  signal?: AbortSignal;
  onProgress?: (p: ReconcileProgress) => void;
  /** Incremental SHA-256 (default @noble/hashes; the CLI passes node:crypto). */
  hash?: HashFactory;
  /** Parse and walk conversations elsewhere (the CLI's worker threads); default inline. */
  pool?: WalkPool;
  /** Where a compressed part-ZIP is unpacked to be read (see `ReadExportOptions.spill`). */
  spill?: ReadExportOptions['spill'];
}

export interface ReconcileResult {
  /** The report JSON of the contract. */
  report: ReconcileReport;
  exportName: string;
  /** Each report item with the vault artifact it was matched to (same order as `report.items`). */
  items: MatchedItem[];
  /** Oddities that did not stop the run (conversations without an id, unreadable parts of a conversation). */
  problems: ReconcileNote[];
  /** For `writeEnrichedExport`: the export's directory and the vault. */
  exportZip: ZipReader;
  /** For the readable archive: the export's conversations files and asset members. */
  exportFiles: ExportFiles;
  vault: VaultSide;
  /** Time spent reading the export, by step. */
  stats: ReadStats;
  /** The export's conversations: update time and whether any artifact is referred to (the vault's export index). */
  conversations: ExportConversation[];
}

/** ZIP-level failures of outside input become one clear line; everything else is a bug and passes through. */
export function asInputError(error: unknown, what: string): unknown {
  if (error instanceof ReconcileInputError) return error;
  if (error instanceof ZipFormatError || error instanceof ArchiveError) {
    const reason: ReconcileReason = error instanceof ZipFormatError ? zipReason(what, error) : { code: 'bad-vault-archive', file: what };
    return new ReconcileInputError(reason, `${what} cannot be read: ${error.message}`);
  }
  return error;
}

/** The export read, with a refusal of the input as one ReconcileInputError. */
async function readInput(exportZip: RandomAccessSource, exportName: string, opts: ReconcileOptions, conversationsOnly: boolean) {
  if (exportZip.size === 0) throw new ReconcileInputError({ code: 'empty', file: exportName }, `${exportName} is empty (0 bytes): it is not a ChatGPT data export.`);
  const onProgress = opts.onProgress;
  try {
    return await readExport(exportZip, exportName, {
      inflate: opts.inflate, crc32: opts.crc32, signal: opts.signal, hash: opts.hash ?? nobleSha256, pool: opts.pool, spill: opts.spill, conversationsOnly,
      onProgress: onProgress ? (phase, done, total) => onProgress({ phase, done, total }) : undefined,
    });
  } catch (error) {
    throw asInputError(error, exportName);
  }
}

/**
 * Only the export's conversation index (what `reconcileExport` returns as `conversations`), for an export
 * chosen for export-first `Back up everything`: its asset members are not read and the vault is not asked.
 */
export async function readExportIndex(
  exportZip: RandomAccessSource, exportName: string, opts: ReconcileOptions = {},
): Promise<{ conversations: ExportConversation[]; problems: ReconcileNote[] }> {
  const exp = await readInput(exportZip, exportName, opts, true);
  return { conversations: exp.conversationIndex, problems: exp.problems };
}

export async function reconcileExport(
  exportZip: RandomAccessSource, exportName: string, vault: VaultSide, opts: ReconcileOptions = {},
): Promise<ReconcileResult> {
  const onProgress = opts.onProgress;
  const exp = await readInput(exportZip, exportName, opts, false);
  throwIfAborted(opts.signal);
  onProgress?.({ phase: 'matching', done: 0, total: 1 });
  const artifacts = await vault.artifacts();
  const matched = matchItems(exp, artifacts);
  // Sorted in place (no key strings: a large export has 100,000+ items), then the report shares the order.
  matched.sort((a, b) => compareItems(a.item, b.item));
  const report = buildReport(exp.layout, exp.conversationCount, exp.assetMemberCount, matched.map((m) => m.item));
  onProgress?.({ phase: 'matching', done: 1, total: 1 });
  const note = enrichedNote(exp.reader.entries.map((e) => e.name));
  const problems = note === null ? exp.problems : [...exp.problems, note];
  return {
    report, exportName, items: matched, problems, exportZip: exp.reader, exportFiles: exp.files, vault, stats: exp.stats,
    conversations: exp.conversationIndex,
  };
}
