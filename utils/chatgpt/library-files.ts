/**
 * The export's `library_files.json` (docs/CHATGPT.md 4.7, 5.2): the rows of the person's file library, read
 * the way every ChatGPT JSON is read here: what has the expected shape, and nothing that throws.
 */
import { pointerToId } from './ids';
import { str } from './json';

/** One `library_files.json` row (docs/CHATGPT.md 4.7, 5.2). */
export interface LibraryFile {
  /** `file_id`, else the row's `libfile_` id. */
  fileId: string;
  /** The row's `libfile_` id when `fileId` is its `file_id`. */
  libraryFileId: string | null;
  fileName: string | null;
  genId: string | null;
  /** `initiating_conversation_id` (2026), else the older `origination_thread_id` / `conversation_id`. */
  conversationId: string | null;
  messageId: string | null;
  mimeType: string | null;
  size: number | null;
  /** `library_file_category` as given. */
  category: string | null;
}

/** `library_files.json`: an array of rows (or an object holding one), each with a `file_id`. */
export function parseLibraryFiles(raw: unknown): LibraryFile[] {
  let rows: unknown = raw;
  if (!Array.isArray(rows) && typeof rows === 'object' && rows !== null) {
    rows = Object.values(rows).find((v) => Array.isArray(v)) ?? [];
  }
  if (!Array.isArray(rows)) return [];
  const out: LibraryFile[] = [];
  for (const r of rows as unknown[]) {
    if (typeof r !== 'object' || r === null) continue;
    const o = r as Record<string, unknown>;
    // `id` is `{ id: "libfile_…" }` in 2026 rows (or the bare string); `file_id` may be null.
    const libraryFileId = pointerToId(typeof o.id === 'object' && o.id !== null ? (o.id as Record<string, unknown>).id : o.id);
    const fileId = pointerToId(o.file_id) ?? libraryFileId;
    if (!fileId) continue;
    const size = o.file_size_bytes;
    out.push({
      fileId,
      libraryFileId: libraryFileId !== fileId ? libraryFileId : null,
      fileName: str(o.file_name),
      genId: str(o.image_gen_generation_id),
      conversationId: str(o.initiating_conversation_id) ?? str(o.origination_thread_id) ?? str(o.conversation_id),
      messageId: str(o.origination_message_id),
      mimeType: str(o.mime_type),
      size: typeof size === 'number' && Number.isFinite(size) ? size : null,
      category: str(o.library_file_category),
    });
  }
  return out;
}
