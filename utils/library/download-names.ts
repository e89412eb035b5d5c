/** File names for everything the library page downloads (each made safe by utils/files/safe-file-name.ts). */
import type { ArtifactRecord } from '@/utils/vault';
import { safeFileName } from '@/utils/files/safe-file-name';
import { patternFileName, type NamePattern, type NameFields } from '@/utils/files/name-pattern';
import { slugify } from '@/utils/chatgpt/walker';
import { localDay } from './groups';

/** `chatgpt-vault-<YYYY-MM-DD>.zip`, local date (docs/FORMATS.md section 4). */
export function backupFileName(now: Date = new Date()): string {
  return `chatgpt-vault-${localDay(now)}.zip`;
}

/** The values the `File names` pattern takes from a vault record (`title`: the conversation's, when known). */
function artifactNameFields(r: ArtifactRecord, title: string | null = r.conversationTitle): NameFields {
  return {
    kind: r.kind,
    fileName: r.fileName,
    mimeType: r.mimeType,
    prompt: r.prompt,
    title,
    // When it was made: the message's time, else when its bytes arrived, else when it was first seen.
    time: r.createTime !== null ? r.createTime * 1000 : r.capturedAt ?? r.firstSeenAt,
    id: r.fileId ?? r.genId ?? r.textdocId ?? r.sha256?.slice(0, 16) ?? r.id.replace(/^[a-z-]+:/, ''),
  };
}

/**
 * The name an artifact's copy gets (a download, a selection ZIP member, the Downloads-folder copy): the
 * `File names` pattern, the sniffed type's extension, the safe-name rule (utils/files/name-pattern.ts).
 */
export function artifactFileName(r: ArtifactRecord, pattern: NamePattern, title: string | null = r.conversationTitle): string {
  return patternFileName(pattern, artifactNameFields(r, title));
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
