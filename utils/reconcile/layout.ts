/**
 * Which members of an official export are what (docs/CHATGPT.md sections 5.1-5.3 and 10): the
 * conversations files, the asset members and the file id each holds, and the layout they add up to.
 * Decided from the members present, never from one expected file name; shard names match exactly (a
 * loose match once took `conversation_asset_file_names.json` for a shard).
 */
import type { ExportLayout } from './report';

const LEGACY_CONVERSATIONS = 'conversations.json';
export const EXPORT_MANIFEST = 'export_manifest.json';
export const ASSET_NAMES = 'conversation_asset_file_names.json';
export const LIBRARY_FILES = 'library_files.json';

const SHARD_RE = /^conversations-\d{3,}\.json$/;
// `<id>.dat` (2026): the whole basename is the id. Case-insensitive (section 5.3).
const DAT_RE = /^(file-[A-Za-z0-9]{16,40}|file_[0-9a-fA-F]{32}|libfile_[0-9a-fA-F]{32})\.dat$/i;
// Legacy: the basename starts with the id followed by `-`, `_` or `.` (file-service ids hold no `-`/`_`/`.`).
const PREFIX_RE = /^(file-[A-Za-z0-9]{16,40}|file_[0-9a-fA-F]{32})[-_.]/;

const UUID_DIR_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Where asset members may sit: the root, `dalle-generations/`, one `user-*` folder, or a legacy export's
 * voice recordings `<conversationId>/audio/` (docs/CHATGPT.md 4.7). Returns the basename and the folder
 * (`audio` for recordings).
 */
function assetPlace(name: string): { base: string; folder: string | null } | null {
  const slash = name.indexOf('/');
  if (slash === -1) return { base: name, folder: null };
  const dir = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  if (UUID_DIR_RE.test(dir) && rest.startsWith('audio/')) {
    const base = rest.slice(6);
    return base.length === 0 || base.includes('/') ? null : { base, folder: 'audio' };
  }
  if (rest.length === 0 || rest.includes('/')) return null;
  return dir === 'dalle-generations' || dir.startsWith('user-') ? { base: rest, folder: dir } : null;
}

/** `textdocs/<textdoc id>[.<ext>]` (2025 exports): a canvas document's text, by its id. */
function textdocId(name: string): string | null {
  if (!name.startsWith(TEXTDOCS)) return null;
  const rest = name.slice(TEXTDOCS.length);
  const first = rest.split('/')[0] ?? '';
  const dot = first.lastIndexOf('.');
  const id = dot > 0 ? first.slice(0, dot) : first;
  return id.length > 0 && id.length <= 200 ? id : null;
}
const TEXTDOCS = 'textdocs/';

export function isShardName(name: string): boolean {
  return SHARD_RE.test(name);
}

/** The file id an asset member holds, and whether it is named the 2026 way (`<id>.dat`). */
function memberFileId(name: string): { fileId: string; dat: boolean; folder: string | null } | null {
  const place = assetPlace(name);
  if (place === null) return null;
  const { base, folder } = place;
  const dat = DAT_RE.exec(base);
  if (dat) return { fileId: dat[1]!, dat: true, folder };
  const pre = PREFIX_RE.exec(base);
  return pre ? { fileId: pre[1]!, dat: false, folder } : null;
}

/** What one ZIP (the export, or one of its part-ZIPs) contains. */
export interface SourceLayout {
  conversationFiles: string[];
  hasLegacyConversations: boolean;
  shards: string[];
  /** Asset members in directory order with their file ids. */
  assets: { name: string; fileId: string; dat: boolean; folder: string | null }[];
  /** `textdocs/` members with the canvas document id each holds. */
  textdocs: { name: string; textdocId: string }[];
  hasManifest: boolean;
  hasAssetNames: boolean;
  hasLibraryFiles: boolean;
}

/** What an operating system adds when it zips a folder (macOS resource forks, Finder and Explorer metadata). */
const OS_LITTER = /^__MACOSX\/|(^|\/)(\.DS_Store|Thumbs\.db|desktop\.ini)$/i;

/**
 * The folder an export was zipped again inside (a person unpacked it, then compressed the folder), as
 * `<folder>/`, or `''`: when nothing but OS litter sits at the root and every other member is under one
 * top-level folder. The export's members are then read below it; their names in the report keep it.
 */
export function exportRoot(names: readonly string[]): string {
  let folder: string | null = null;
  for (const name of names) {
    if (OS_LITTER.test(name)) continue;
    const slash = name.indexOf('/');
    if (slash <= 0) return '';
    const first = name.slice(0, slash);
    if (folder !== null && first !== folder) return '';
    folder = first;
  }
  return folder === null ? '' : `${folder}/`;
}

/** Classifies the members under `root` (see `exportRoot`) by their names below it; the layout keeps full names. */
export function classifyMembers(names: readonly string[], root = ''): SourceLayout {
  const out: SourceLayout = {
    conversationFiles: [], hasLegacyConversations: false, shards: [], assets: [], textdocs: [], hasManifest: false, hasAssetNames: false,
    hasLibraryFiles: false,
  };
  let legacy: string | null = null;
  for (const full of names) {
    if (!full.startsWith(root) || full.endsWith('/')) continue;
    const name = full.slice(root.length);
    if (name === LEGACY_CONVERSATIONS) {
      out.hasLegacyConversations = true;
      legacy = full;
    } else if (SHARD_RE.test(name)) out.shards.push(full);
    else if (name === EXPORT_MANIFEST) out.hasManifest = true;
    else if (name === ASSET_NAMES) out.hasAssetNames = true;
    else if (name === LIBRARY_FILES) out.hasLibraryFiles = true;
    else {
      const doc = textdocId(name);
      if (doc !== null) {
        out.textdocs.push({ name: full, textdocId: doc });
        continue;
      }
      const id = memberFileId(name);
      if (id) out.assets.push({ name: full, ...id });
    }
  }
  out.shards.sort();
  out.conversationFiles = [...(legacy !== null ? [legacy] : []), ...out.shards];
  return out;
}

/** Legacy and 2026 signals of one source. A lone `conversations.json` is legacy unless 2026 members sit beside it. */
function signals(s: SourceLayout): { legacy: boolean; sharded: boolean } {
  const sharded = s.shards.length > 0 || s.hasManifest || s.hasAssetNames || s.hasLibraryFiles || s.assets.some((a) => a.dat);
  const legacyAssets = s.assets.some((a) => !a.dat);
  const legacy = legacyAssets || (s.hasLegacyConversations && (s.shards.length > 0 || !sharded));
  return { legacy, sharded };
}

/** The layout of an export from its sources (the ZIP itself, or its parts: a ZIP of parts has their layout). */
export function detectLayout(sources: readonly SourceLayout[]): ExportLayout {
  let legacy = false;
  let sharded = false;
  for (const s of sources) {
    const sig = signals(s);
    legacy ||= sig.legacy;
    sharded ||= sig.sharded;
  }
  if (legacy && sharded) return 'mixed';
  return sharded ? 'sharded' : 'legacy';
}

/** The shard list of `export_manifest.json` (`logical_files["conversations.json"].files`), or null when it has none. */
export function manifestShards(parsed: unknown): string[] | null {
  const lf = (parsed as { logical_files?: unknown } | null)?.logical_files;
  const conv = (lf as Record<string, unknown> | null | undefined)?.['conversations.json'];
  const files = (conv as { files?: unknown } | null | undefined)?.files;
  if (!Array.isArray(files)) return null;
  return files.filter((f): f is string => typeof f === 'string');
}
