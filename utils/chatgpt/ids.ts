/**
 * Id shapes used by ChatGPT's backend (docs/CHATGPT.md §4.5) and the one rule for turning an asset
 * pointer into a file id. Pure functions, no I/O; the walker, the capture pipeline and the export
 * reconciler all go through here so that they agree on what an id is.
 */

/** Which era an id comes from. */
export type IdShape = 'file-service' | 'sediment' | 'uuid' | 'libfile';

// file-service era (2023 → early 2025): `file-` + base62. Real ids are 22–24 characters after the dash;
// we accept 16–40 so that a small length change by OpenAI does not silently drop artifacts.
const FILE_SERVICE_RE = /^file-[A-Za-z0-9]{16,40}$/;
// sediment era (2025 → 2026): `file_` + 32 hex, usually `file_00000000…`.
const SEDIMENT_RE = /^file_[0-9a-fA-F]{32}$/;
// 2023 Code Interpreter plots were stored under bare UUIDs (`file-service://2073c3f9-…`).
const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
// 2026 "Library" feature (L/M): `libfile_` + 32 hex.
const LIBFILE_RE = /^libfile_[0-9a-fA-F]{32}$/;

export function isUuid(s: unknown): s is string {
  return typeof s === 'string' && UUID_RE.test(s);
}

/** Conversation, message and node ids are UUIDs (the root node `client-created-root` is not). */
export function isConversationId(s: unknown): s is string {
  return isUuid(s);
}

/** The shape of a file id, or null when it is none of the known shapes. */
export function idShape(id: unknown): IdShape | null {
  if (typeof id !== 'string') return null;
  if (SEDIMENT_RE.test(id)) return 'sediment';
  if (FILE_SERVICE_RE.test(id)) return 'file-service';
  if (LIBFILE_RE.test(id)) return 'libfile';
  if (UUID_RE.test(id)) return 'uuid';
  return null;
}

const POINTER_SCHEMES = ['file-service://', 'sediment://'] as const;

/**
 * The file id inside an asset pointer, an attachment id or an `aggregate_result` image URL, or null.
 *
 * - `file-service://file-AbC…` → `file-AbC…` (2023–2025)
 * - `sediment://file_0000…` → `file_0000…` (2025–2026)
 * - `sediment://<hash>#file_0000…#wm` → `file_0000…` (watermarked pointer, seen 2025–2026: split on `#`
 *   and take the segment that starts with `file_`/`file-`)
 * - `file-service://2073c3f9-…` → the bare UUID (2023 Code Interpreter plots)
 * - a bare id (`file_…`, `file-…`, `libfile_…`) is returned as is.
 *
 * Anything that does not yield a well-formed id gives null: callers must not invent an id.
 */
export function pointerToId(pointer: unknown): string | null {
  if (typeof pointer !== 'string') return null;
  let rest = pointer.trim();
  if (rest.length === 0 || rest.length > 1000) return null;
  for (const scheme of POINTER_SCHEMES) {
    if (rest.startsWith(scheme)) {
      rest = rest.slice(scheme.length);
      break;
    }
  }
  // One segment (most pointers; checked without splitting, for speed): a file id, or a 2023 plot's bare UUID.
  if (rest.indexOf('#') === -1) return idShape(rest) !== null ? rest : null;
  // A `#` pointer: the segment that looks like a file-service, sediment or library id (never a bare UUID).
  for (const segment of rest.split('#')) {
    if (segment.startsWith('file_') || segment.startsWith('file-') || segment.startsWith('libfile_')) {
      const shape = idShape(segment);
      if (shape === 'sediment' || shape === 'file-service' || shape === 'libfile') return segment;
    }
  }
  return null;
}

/**
 * The file id carried by a download or `<img src>` URL, or null: estuary `?id=file_…` (2025–2026),
 * and `files.oaiusercontent.com/file-…` or `…blob.core.windows.net/files/file-…` (2023–2025).
 */
export function fileIdFromUrl(url: string | URL): string | null {
  let u: URL;
  try {
    u = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return null;
  }
  const fromQuery = u.searchParams.get('id');
  if (fromQuery !== null) return pointerToId(fromQuery);
  const last = u.pathname.split('/').pop() ?? '';
  return pointerToId(last);
}
