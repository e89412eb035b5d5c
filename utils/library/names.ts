/** File names for everything the library page downloads (each made safe by utils/files/names.ts). */
import type { ArtifactRecord } from '@/utils/vault';
import { safeFileName } from '@/utils/files/names';
import { withExtension } from '@/utils/files/sniff';
import { slugify } from '@/utils/chatgpt/walker';
import { localDay } from './groups';

/** `chatgpt-vault-<YYYY-MM-DD>.zip`, local date (docs/FORMATS.md section 4). */
export function backupFileName(now: Date = new Date()): string {
  return `chatgpt-vault-${localDay(now)}.zip`;
}

/**
 * The name an artifact downloads under: its file name, or one derived from kind and id, made safe, then
 * given the extension of its sniffed type (an HTML file named `photo.png` downloads as `photo.html`).
 */
export function artifactFileName(r: ArtifactRecord): string {
  const base = r.fileName ?? `${r.kind}-${(r.fileId ?? r.genId ?? r.id).replace(/^[a-z-]+:/, '').slice(0, 40)}`;
  return safeFileName(withExtension(safeFileName(base, r.kind), r.mimeType), r.kind);
}

/** Makes `name` unique within `taken` (adds ` (2)`, ` (3)`… before the extension) and records it. */
export function uniqueName(name: string, taken: Set<string>): string {
  let candidate = name;
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let i = 2; taken.has(candidate.toLowerCase()); i++) candidate = `${stem} (${i})${ext}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}

/** A selection ZIP is named after its conversation, or after the date when it spans several. */
export function selectionZipName(records: readonly ArtifactRecord[], titles: ReadonlyMap<string, string | null>, now = new Date()): string {
  const convs = new Set(records.map((r) => r.conversationId));
  if (convs.size === 1) {
    const [id] = convs;
    const title = titles.get(id!) ?? records[0]?.conversationTitle ?? null;
    return `${safeFileName(title ?? `conversation-${id}`, 'conversation', 100)}.zip`;
  }
  return `chatgpt-artifacts-${localDay(now)}.zip`;
}

/** `chatgpt-vault-<title slug>-<YYYY-MM-DD>.zip`, local date: one conversation's archive (docs/FORMATS.md section 4). */
export function conversationFileName(title: string, now: Date = new Date()): string {
  return `chatgpt-vault-${slugify(title, 60) || 'conversation'}-${localDay(now)}.zip`;
}

/** `chatgpt-archive-<YYYY-MM-DD>.zip`, local date: the readable archive (docs/FORMATS.md sections 4 and 5). */
export function readableArchiveName(now: Date = new Date()): string {
  return `chatgpt-archive-${localDay(now)}.zip`;
}

/** `reconcile-report-<YYYY-MM-DD>.json`, local date (docs/FORMATS.md section 4). */
export function reconcileReportName(now: Date = new Date()): string {
  return `reconcile-report-${localDay(now)}.json`;
}

/** `<export name>-enriched.zip` (docs/FORMATS.md section 4): the chosen file's name without `.zip`. */
export function enrichedExportName(exportFileName: string): string {
  return `${safeFileName(exportFileName.replace(/\.zip$/i, ''), 'export', 150)}-enriched.zip`;
}
