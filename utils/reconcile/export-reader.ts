/**
 * Reads an official export (every layout of docs/CHATGPT.md section 5, and a ZIP of part-ZIPs) into
 * what matching needs: the walker's refs per conversation, the asset members hashed, library_files rows.
 *
 * Memory stays bounded for any export size: conversations files are split into conversations as they
 * inflate (split.ts) and each is parsed and walked on its own, then dropped; members are hashed as they
 * stream. What is kept is the refs (a few hundred bytes each) and one digest per asset member.
 */
import type { ArtifactKind } from '@/utils/model';
import { parseLibraryFiles, type LibraryFile } from '@/utils/chatgpt/library-files';
import { concatBytes } from '@/utils/files/bytes';
import { sniffMime, withExtension } from '@/utils/files/sniff';
import {
  checkEntryBounds, MAX_INFLATE_RATIO, MAX_MEMBER_BYTES, MAX_MEMBERS, mib, openZip, unsafeNameReason, ZipFormatError,
  type Crc32, type InflateFactory, type RandomAccessSource, type ZipEntry, type ZipReader,
} from '@/utils/zip';
import { ReconcileInputError, throwIfAborted, zipReason } from './errors';
import type { ReconcileNote } from './notes';
import type { HashFactory } from './hash';
import {
  ASSET_NAMES, classifyMembers, detectLayout, EXPORT_MANIFEST, exportRoot, isShardName, LIBRARY_FILES, manifestShards, type SourceLayout,
} from './layout';
import type { ExportAsset, ExportSide } from './match';
import type { ExportLayout } from './report';
import { ArraySplitter, SplitError } from './split';
import { walkBytes, type ExportRef, type WalkOutcome, type WalkPool } from './walk-task';

export type ReadPhase = 'reading' | 'conversations' | 'hashing';

export interface ReadExportOptions {
  inflate?: InflateFactory;
  crc32?: Crc32;
  signal?: AbortSignal;
  hash: HashFactory;
  pool?: WalkPool;
  onProgress?: (phase: ReadPhase, done: number, total: number) => void;
  /**
   * Where a part-ZIP stored compressed inside the export is unpacked to be read at random (the page: a
   * disk-backed Blob; the CLI: a temporary file). Without it such a part is inflated into memory, up to 512 MiB.
   */
  spill?: (name: string, bytes: ReadableStream<Uint8Array>, size: number) => Promise<RandomAccessSource>;
  /** Read only the conversations (the export-first index needs no asset): no asset member is listed or hashed. */
  conversationsOnly?: boolean;
}

/** The export's members for a second reader (the readable archive): conversations files and asset bytes. */
export interface ExportFiles {
  /** Every conversations file, in the order they were read (their conversations are parsed again by the reader). */
  conversations: { reader: ZipReader; entry: ZipEntry; label: string }[];
  /** The bytes of an asset member by its display path (`ExportAsset.member`), inflated and checked; null when unknown. */
  open(member: string): ReadableStream<Uint8Array> | null;
}

/** One conversation of the export, for the vault's export index (export-first backup). */
export interface ExportConversation {
  id: string;
  /** Its `update_time` (seconds), or null. */
  updateTime: number | null;
  /** Whether the walker found any artifact reference in it. */
  artifacts: boolean;
  /** Its project (`g-p-…`) when it is a project chat (set only then). */
  projectGizmoId?: string;
}

export interface ExportContents extends ExportSide {
  layout: ExportLayout;
  /** Every conversation of the export with its update time and whether it refers to any artifact. */
  conversationIndex: ExportConversation[];
  reader: ZipReader;
  files: ExportFiles;
  conversationCount: number;
  /** Members that resolve to a file id (section 5.3), in every source. */
  assetMemberCount: number;
  /** Non-fatal oddities (walker problems: the first MAX_PROBLEM_NOTES listed, the rest counted). */
  problems: ReconcileNote[];
  stats: ReadStats;
}

/** Where the time went (milliseconds), for the benchmark: the walker's share in particular. */
export interface ReadStats {
  conversationsMs: number;
  parseMs: number;
  walkMs: number;
  hashMs: number;
  /** Bytes of part-ZIPs stored compressed that were unpacked through `spill` (0: none, or read in memory). */
  spilledBytes: number;
}

/*
 * Bounds (docs/SECURITY.md, "Bounds"), beyond the shared ones of utils/zip/bounds.ts (100:1 inflate ratio
 * above 1 MiB, 1 GiB a member, 500,000 members), which hold here for the export and its parts together.
 */
/** The small JSON side files (name map, export manifest, library rows): ~200 bytes a file, so 64 MiB is ~300,000 files. */
const MAX_SIDE_JSON = 64 << 20;
/**
 * A conversations file and a part-ZIP are streamed, never held: each may be larger than other members
 * (a heavy user's legacy conversations.json passes 1 GB).
 */
const MAX_STREAMED_MEMBER = 16 * (1 << 30);
/**
 * The declared inflated total of the export and its parts: the ratio rule over the whole file (many members
 * under the 1 MiB floor cannot add up to a bomb), with room for small exports.
 */
const TOTAL_FLOOR = 64 << 20;
/**
 * One conversation (one element of a conversations file) is held, decoded and parsed whole. The largest
 * real ones are ~20 MB; 64 MiB parses within a parse worker's 512 MB heap.
 */
const MAX_CONVERSATION_BYTES = 64 << 20;
/**
 * Part-ZIPs are opened one level deep: the export's own `*.zip` members. A ZIP inside a part is a file
 * (an upload can be one), hashed like any other, never opened, so no input recurses.
 */
/** A deflated part-ZIP cannot be read in place; one this small is inflated into memory instead. */
const MAX_INFLATED_PART = 512 << 20;
/** Conversations handed to the pool and not yet taken back: bounds memory (and keeps the workers busy). */
const MAX_INFLIGHT_BATCHES = 8;
const MAX_INFLIGHT_BYTES = 16 << 20;
/**
 * Conversations go to the pool in batches: one message round trip per conversation made 1M small ones
 * take 88 s (1 s inline). A batch closes at this many conversations or bytes.
 */
const BATCH_COUNT = 512;
const BATCH_BYTES = 1 << 20;
/** Walker notes listed in the problems (conversation, JSON path, reason); beyond this they are only counted. */
const MAX_PROBLEM_NOTES = 50;
/** Bytes of an asset member kept to sniff its type (magic numbers sit in the first few dozen). */
const SNIFF_BYTES = 4096;
/** Progress callbacks at most this often (bytes). */
const PROGRESS_STEP = 4 << 20;

interface Source {
  /** `''` for the export itself, `<part>.zip!/` for a part. */
  prefix: string;
  /** The folder the export sits in when it was zipped again inside one (`exportRoot`), else `''`. */
  root: string;
  reader: ZipReader;
  layout: SourceLayout;
}

function checkNames(reader: ZipReader, where: string): void {
  for (const e of reader.entries) {
    const reason = unsafeNameReason(e.name);
    if (reason !== null) {
      throw new ReconcileInputError({ code: 'hostile-member', file: where, member: e.name }, `${where} has a member named ${JSON.stringify(e.name.slice(0, 80))}, which ${reason}: an official export never does, so it is treated as tampered with and rejected.`);
    }
  }
}

/** Members and declared inflated bytes of the export and its parts so far, against their bounds. */
class Budget {
  private members = 0;
  private bytes = 0;
  private readonly maxBytes: number;

  constructor(exportSize: number, private readonly exportName: string) {
    this.maxBytes = Math.max(TOTAL_FLOOR, exportSize * MAX_INFLATE_RATIO);
  }

  /** Checks a source's members: ratio and size each, then the running count and total. */
  add(reader: ZipReader, where: string, streamed: ReadonlySet<string>, parts: ReadonlySet<ZipEntry>): void {
    for (const e of reader.entries) {
      try {
        checkEntryBounds(e, streamed.has(e.name) || parts.has(e) ? MAX_STREAMED_MEMBER : MAX_MEMBER_BYTES);
      } catch (error) {
        if (error instanceof ZipFormatError) throw new ReconcileInputError(zipReason(where, error), `${where}: ${error.message}`);
        throw error;
      }
      // A part's bytes are counted through its own members.
      if (!parts.has(e)) this.bytes += e.uncompressedSize;
    }
    this.members += reader.entries.length;
    if (this.members > MAX_MEMBERS) {
      throw new ReconcileInputError({ code: 'too-many-members', file: where, max: MAX_MEMBERS }, `${where} brings the export to ${this.members} members; at most ${MAX_MEMBERS} are read, so it is refused.`);
    }
    if (this.bytes > this.maxBytes) {
      throw new ReconcileInputError({ code: 'inflate-bound', file: this.exportName }, `${this.exportName} would inflate to ${mib(this.bytes)} (more than ${MAX_INFLATE_RATIO} times its size, or ${mib(TOTAL_FLOOR)}): ` +
        'it is refused as a compression bomb.');
    }
  }
}

/**
 * Passes a part-ZIP's bytes on only once its first four show a ZIP (a local header, or the end record of an
 * empty one), so a part that is not a ZIP stops before it is unpacked anywhere.
 */
function zipHeaderChecked(bytes: ReadableStream<Uint8Array>, name: string): ReadableStream<Uint8Array> {
  let head = new Uint8Array(0);
  let checked = false;
  return bytes.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      if (checked) {
        controller.enqueue(chunk);
        return;
      }
      const joined = new Uint8Array(head.length + chunk.length);
      joined.set(head);
      joined.set(chunk, head.length);
      if (joined.length < 4) {
        head = joined;
        return;
      }
      const sig = joined[0]! | (joined[1]! << 8) | (joined[2]! << 16) | (joined[3]! << 24);
      if (sig !== 0x04034b50 && sig !== 0x06054b50) {
        throw new ReconcileInputError({ code: 'part-not-zip', file: name }, `The part ${name} is not a ZIP (it does not start like one); nothing of it was unpacked.`);
      }
      checked = true;
      controller.enqueue(joined);
    },
    flush(controller) {
      if (!checked && head.length > 0) controller.enqueue(head);
    },
  }));
}

function memorySource(bytes: Uint8Array): RandomAccessSource {
  return { size: bytes.length, read: (o, l) => Promise.resolve(bytes.subarray(o, Math.min(bytes.length, o + l))) };
}

async function openSources(src: RandomAccessSource, name: string, opts: ReadExportOptions): Promise<{ outer: ZipReader; sources: Source[]; spilledBytes: number }> {
  const budget = new Budget(src.size, name);
  const outer = await openZip(src, { inflate: opts.inflate, crc32: opts.crc32, signal: opts.signal, maxEntries: MAX_MEMBERS });
  checkNames(outer, name);
  const names = outer.entries.map((e) => e.name);
  const root = exportRoot(names);
  const top = classifyMembers(names, root);
  const parts = outer.entries.filter((e) => e.name.startsWith(root) && !e.name.slice(root.length).includes('/') && /\.zip$/i.test(e.name));
  budget.add(outer, name, new Set(top.conversationFiles), new Set(parts));
  const sources: Source[] = [];
  let spilledBytes = 0;
  if (top.conversationFiles.length > 0 || parts.length === 0) sources.push({ prefix: '', root, reader: outer, layout: top });
  for (const p of parts) {
    // A stored part is read in place; a deflated one is unpacked (checked against its CRC as it streams).
    let psrc = outer.rawSource(p);
    if (!psrc && opts.spill) {
      spilledBytes += p.uncompressedSize;
      psrc = await opts.spill(p.name, zipHeaderChecked(outer.stream(p, { maxBytes: p.uncompressedSize, signal: opts.signal }), p.name), p.uncompressedSize);
    } else if (!psrc) {
      if (p.uncompressedSize > MAX_INFLATED_PART) {
        throw new ReconcileInputError({ code: 'part-too-large', file: p.name }, `The part ${p.name} is compressed inside the export and too large to read in place; unpack the export and reconcile each part.`);
      }
      psrc = memorySource(await outer.bytes(p, MAX_INFLATED_PART));
    }
    let reader: ZipReader;
    try {
      reader = await openZip(psrc, { inflate: opts.inflate, crc32: opts.crc32, signal: opts.signal, maxEntries: MAX_MEMBERS });
    } catch (error) {
      throw new ReconcileInputError(error instanceof ZipFormatError ? zipReason(p.name, error) : { code: 'part-not-zip', file: p.name }, `The part ${p.name} is not a readable ZIP: ${error instanceof Error ? error.message : String(error)}`);
    }
    checkNames(reader, `The part ${p.name}`);
    const layout = classifyMembers(reader.entries.map((e) => e.name));
    budget.add(reader, `The part ${p.name}`, new Set(layout.conversationFiles), new Set());
    sources.push({ prefix: `${p.name}!/`, root: '', reader, layout });
  }
  return { outer, sources, spilledBytes };
}

async function readJson(reader: ZipReader, entry: ZipEntry, label: string): Promise<unknown> {
  const bytes = await reader.bytes(entry, MAX_SIDE_JSON);
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new ReconcileInputError({ code: 'not-json', file: label }, `${label} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Streams `entry` chunk by chunk. */
async function forEachChunk(reader: ZipReader, entry: ZipEntry, signal: AbortSignal | undefined, fn: (chunk: Uint8Array) => void | Promise<void>): Promise<void> {
  const r = reader.stream(entry, { maxBytes: entry.uncompressedSize, signal }).getReader();
  for (;;) {
    const { value, done } = await r.read();
    if (done) return;
    try {
      await fn(value);
    } catch (error) {
      // Stop reading (and inflating) the rest of the member.
      await r.cancel(error).catch(() => undefined);
      throw error;
    }
  }
}

interface ConvEntry { updateTime: number | null; refs: ExportRef[]; projectGizmoId: string | null }

export async function readExport(src: RandomAccessSource, exportName: string, opts: ReadExportOptions): Promise<ExportContents> {
  opts.onProgress?.('reading', 0, 1);
  const { outer, sources, spilledBytes } = await openSources(src, exportName, opts);
  const problems: ReconcileNote[] = [];

  // Which conversations files: those present (exact names) in every source; each `export_manifest.json`
  // shard list must name files that are present somewhere in the export (parts may split them).
  const convFiles: { source: Source; entry: ZipEntry; label: string }[] = [];
  const present = new Set<string>();
  for (const s of sources) {
    for (const n of s.layout.conversationFiles) {
      present.add(n.slice(s.root.length));
      convFiles.push({ source: s, entry: s.reader.get(n)!, label: `${s.prefix}${n}` });
    }
  }
  for (const s of sources) {
    const manifest = s.reader.get(s.root + EXPORT_MANIFEST);
    if (!manifest) continue;
    for (const f of manifestShards(await readJson(s.reader, manifest, `${s.prefix}${manifest.name}`)) ?? []) {
      if (!present.has(f)) {
        throw new ReconcileInputError({ code: 'missing-shard', file: `${s.prefix}${manifest.name}`, shard: f.slice(0, 80) }, `Invalid shard: ${s.prefix}${manifest.name} lists ${JSON.stringify(f.slice(0, 80))}, which is not a conversations file in the export.`);
      }
    }
  }
  if (convFiles.length === 0) {
    throw new ReconcileInputError({ code: 'no-conversations', file: exportName }, `${exportName} has no conversations file (conversations.json or conversations-NNN.json): it is not a ChatGPT data export.`);
  }
  const layout = detectLayout(sources.map((s) => s.layout));

  // Conversations: split, parse and walk one at a time.
  const stats: ReadStats = { conversationsMs: 0, parseMs: 0, walkMs: 0, hashMs: 0, spilledBytes };
  const convStart = performance.now();
  const conversations = new Map<string, ConvEntry>();
  const total = convFiles.reduce((n, f) => n + f.entry.uncompressedSize, 0);
  let done = 0;
  let reported = 0;
  let walkProblems = 0;
  const problemNotes: ReconcileNote[] = [];
  let noId = 0;
  // Walks run inline, or in a pool (another core) in batches with a bounded number of bytes in flight;
  // results are taken in order, so a conversation listed twice keeps the same copy either way.
  const pool = opts.pool;
  const inflight: { outcomes: Promise<WalkOutcome[]>; bytes: number; label: string; first: number }[] = [];
  let inflightBytes = 0;
  // The batch being gathered: its conversations' parts (views on inflated chunks) and where each ends,
  // joined into one buffer when it is sent (each byte copied once on this thread).
  let batch: Uint8Array[] = [];
  let ends: number[] = [];
  let labels: string[] = [];
  let batchBytes = 0;
  let batchFirst = 0;
  const take = (outcome: WalkOutcome, label: string, index: number) => {
    if (!outcome.ok) throw new ReconcileInputError({ code: 'bad-conversation', file: label, index }, `${invalid(label)}: item ${index} ${outcome.reason}.`);
    stats.parseMs += outcome.parseMs;
    stats.walkMs += outcome.walkMs;
    if (outcome.problemCount > 0) {
      walkProblems++;
      // Each note names the conversation, the JSON path and the reason, so a new ChatGPT shape is reported where it sits.
      const conv = outcome.conversationId ?? `${label} item ${index}`;
      for (const p of outcome.problems) if (problemNotes.length < MAX_PROBLEM_NOTES) problemNotes.push({ code: 'walker', conversation: conv, detail: p });
      if (outcome.problemCount > outcome.problems.length && problemNotes.length < MAX_PROBLEM_NOTES) {
        problemNotes.push({ code: 'walker-more', conversation: conv, more: outcome.problemCount - outcome.problems.length });
      }
    }
    if (!outcome.conversationId) {
      noId++;
      return;
    }
    const prev = conversations.get(outcome.conversationId);
    if (!prev || (outcome.updateTime ?? -Infinity) >= (prev.updateTime ?? -Infinity)) {
      conversations.set(outcome.conversationId, { updateTime: outcome.updateTime, refs: outcome.refs, projectGizmoId: outcome.projectGizmoId });
    }
  };
  const send = (p: WalkPool, label: string) => {
    if (ends.length === 0) return;
    const outcomes = p.walk(concatBytes(batch, batchBytes), Uint32Array.from(ends), labels);
    // Taken (and its failure thrown) in order by drain(); this only keeps a later failure from being unhandled.
    outcomes.catch(() => undefined);
    inflight.push({ outcomes, bytes: batchBytes, label, first: batchFirst });
    inflightBytes += batchBytes;
    batch = [];
    ends = [];
    labels = [];
    batchBytes = 0;
  };
  const drain = async (maxBytes: number) => {
    while (inflight.length > 0 && (inflightBytes > maxBytes || inflight.length > MAX_INFLIGHT_BATCHES)) {
      const first = inflight.shift()!;
      inflightBytes -= first.bytes;
      (await first.outcomes).forEach((o, i) => take(o, first.label, first.first + i));
    }
  };
  for (const f of convFiles) {
    throwIfAborted(opts.signal);
    const splitter = new ArraySplitter(MAX_CONVERSATION_BYTES);
    try {
      await forEachChunk(f.source.reader, f.entry, opts.signal, async (chunk) => {
        const elements = splitter.pushParts(chunk);
        // How the readable archive has always labelled an export conversation in its notes: the count after the chunk.
        const label = `${f.label} item ${splitter.count}`;
        let index = splitter.count - elements.length;
        for (const parts of elements) {
          index++;
          if (!pool) {
            // Decoded at once, so one part needs no copy.
            take(walkBytes(parts.length === 1 ? parts[0]! : concatBytes(parts)), f.label, index);
            continue;
          }
          if (ends.length === 0) batchFirst = index;
          for (const part of parts) {
            batch.push(part);
            batchBytes += part.length;
          }
          ends.push(batchBytes);
          labels.push(label);
          if (ends.length >= BATCH_COUNT || batchBytes >= BATCH_BYTES) send(pool, f.label);
        }
        if (pool) await drain(MAX_INFLIGHT_BYTES);
        done += chunk.length;
        if (done - reported >= PROGRESS_STEP) {
          reported = done;
          opts.onProgress?.('conversations', done, total);
        }
      });
      splitter.end();
      if (pool) send(pool, f.label);
    } catch (error) {
      if (error instanceof SplitError) throw new ReconcileInputError({ code: 'bad-conversations-file', file: f.label }, `${invalid(f.label)}: the file ${error.message}.`);
      throw error;
    }
  }
  await drain(-1);
  opts.onProgress?.('conversations', total, total);
  stats.conversationsMs = performance.now() - convStart;
  if (walkProblems > 0) {
    problems.push({ code: 'walker-summary', conversations: walkProblems }, ...problemNotes);
    if (problemNotes.length >= MAX_PROBLEM_NOTES) problems.push({ code: 'walker-first', max: MAX_PROBLEM_NOTES });
  }
  if (noId > 0) problems.push({ code: 'no-id', count: noId });

  // Side files of every source: the 2026 name map and the library rows.
  const originalNames = new Map<string, string>();
  const library: LibraryFile[] = [];
  for (const s of sources) {
    const names = s.reader.get(s.root + ASSET_NAMES);
    if (names) {
      const map = await readJson(s.reader, names, `${s.prefix}${names.name}`);
      if (typeof map === 'object' && map !== null && !Array.isArray(map)) {
        for (const [k, v] of Object.entries(map)) if (typeof v === 'string') originalNames.set(`${s.prefix}${s.root}${k}`, v);
      } else problems.push({ code: 'names-not-object', file: `${s.prefix}${names.name}` });
    }
    const lib = s.reader.get(s.root + LIBRARY_FILES);
    if (lib) library.push(...parseLibraryFiles(await readJson(s.reader, lib, `${s.prefix}${lib.name}`)));
  }

  // Asset members: the first member per file id holds its bytes (section 5.3); every one is hashed as it streams.
  const assets = new Map<string, ExportAsset>();
  const textdocs = new Map<string, ExportAsset>();
  const todo: { source: Source; entry: ZipEntry; fileId: string; folder: string | null; textdoc: boolean }[] = [];
  let assetMemberCount = 0;
  for (const s of opts.conversationsOnly ? [] : sources) {
    for (const a of s.layout.assets) {
      assetMemberCount++;
      const key = a.fileId.toLowerCase();
      if (assets.has(key)) continue;
      todo.push({ source: s, entry: s.reader.get(a.name)!, fileId: a.fileId, folder: a.folder, textdoc: false });
      assets.set(key, null as unknown as ExportAsset);
    }
    // Canvas documents (`textdocs/`): the first member per document id holds its text.
    for (const d of s.layout.textdocs) {
      if (textdocs.has(d.textdocId)) continue;
      todo.push({ source: s, entry: s.reader.get(d.name)!, fileId: d.textdocId, folder: null, textdoc: true });
      textdocs.set(d.textdocId, null as unknown as ExportAsset);
    }
  }
  const hashStart = performance.now();
  const hashTotal = todo.reduce((n, t) => n + t.entry.uncompressedSize, 0);
  let hashed = 0;
  reported = 0;
  for (const t of todo) {
    throwIfAborted(opts.signal);
    const h = opts.hash();
    let size = 0;
    let head: Uint8Array | null = null;
    await forEachChunk(t.source.reader, t.entry, opts.signal, (chunk) => {
      if (head === null) head = chunk.slice(0, SNIFF_BYTES);
      h.update(chunk);
      size += chunk.length;
      hashed += chunk.length;
      if (hashed - reported >= PROGRESS_STEP) {
        reported = hashed;
        opts.onProgress?.('hashing', hashed, hashTotal);
      }
    });
    const member = `${t.source.prefix}${t.entry.name}`;
    const original = originalNames.get(member) ?? null;
    const mimeType = head === null ? null : sniffMime(head);
    let base = (original ?? t.entry.name).split('/').pop() ?? t.entry.name;
    // A `.dat` member the name map does not name (33 of 165 in one 2026 export): named by its bytes.
    if (original === null && /\.dat$/i.test(base)) base = withExtension(base.slice(0, -4), mimeType);
    const asset: ExportAsset = { fileId: t.fileId, member, sha256: h.hex(), size, originalName: base, mimeType, kindHint: t.textdoc ? 'canvas' : assetKind(t.folder, original, mimeType) };
    if (t.textdoc) textdocs.set(t.fileId, asset);
    else assets.set(t.fileId.toLowerCase(), asset);
  }
  opts.onProgress?.('hashing', hashTotal, hashTotal);
  stats.hashMs = performance.now() - hashStart;

  const refs: ExportRef[] = [];
  const conversationIndex: ExportConversation[] = [];
  for (const [id, c] of conversations) {
    refs.push(...c.refs);
    conversationIndex.push({ id, updateTime: c.updateTime, artifacts: c.refs.length > 0, ...(c.projectGizmoId ? { projectGizmoId: c.projectGizmoId } : {}) });
  }
  const files: ExportFiles = {
    conversations: convFiles.map((f) => ({ reader: f.source.reader, entry: f.entry, label: f.label })),
    open(member) {
      for (const src of sources) {
        if (src.prefix !== '' && !member.startsWith(src.prefix)) continue;
        const entry = src.reader.get(member.slice(src.prefix.length));
        if (entry) return src.reader.stream(entry, { maxBytes: entry.uncompressedSize });
      }
      return null;
    },
  };
  return {
    layout, reader: outer, files, conversationCount: conversations.size, assetMemberCount, problems, stats, conversationIndex,
    conversationIds: new Set(conversations.keys()), refs, library, assets, textdocs,
  };
}

/**
 * What an asset member is when no conversation points at it: a voice recording by its `audio/` folder, a
 * generated image by its folder (`user-<uid>/`, `dalle-generations/`, also as an original name in the 2026
 * name map), a video or a recording by its bytes or its original name's extension, else an upload.
 */
function assetKind(folder: string | null, original: string | null, mimeType: string | null): ArtifactKind {
  if (folder === 'audio') return 'audio';
  if (folder !== null || (original !== null && /^(dalle-generations|user-[^/]+)\//.test(original))) return 'image';
  const ext = original?.slice(original.lastIndexOf('.') + 1).toLowerCase() ?? '';
  if (mimeType?.startsWith('video/') || VIDEO_EXTENSIONS.has(ext)) return 'video';
  if (mimeType?.startsWith('audio/') || AUDIO_EXTENSIONS.has(ext)) return 'audio';
  return 'upload';
}
const VIDEO_EXTENSIONS: ReadonlySet<string> = new Set(['mp4', 'mov', 'webm', 'm4v', '3gp']);
const AUDIO_EXTENSIONS: ReadonlySet<string> = new Set(['wav', 'mp3', 'm4a', 'ogg', 'flac', 'aac']);

function invalid(label: string): string {
  return isShardName(label.slice(label.lastIndexOf('/') + 1)) ? `Invalid shard ${label}` : `Invalid ${label}`;
}

