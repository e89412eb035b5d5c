/** File names for everything the library page downloads. */
import type { ArtifactRecord } from '@/utils/vault';
import { withExtension } from '@/utils/files/sniff';
import { localDay } from './groups';

/** `chatgpt-vault-<YYYY-MM-DD>.zip`, local date (contracts.md section 4). */
export function backupFileName(now: Date = new Date()): string {
  return `chatgpt-vault-${localDay(now)}.zip`;
}

/**
 * A name safe on Windows, macOS and Linux: no path separators, reserved characters, control characters,
 * leading/trailing dots or spaces, or reserved device names; at most `max` characters.
 */
export function safeFileName(name: string | null | undefined, fallback = 'untitled', max = 120): string {
  // eslint-disable-next-line no-control-regex
  let s = (name ?? '').normalize('NFC').replace(/[\u0000-\u001f\u007f/\\:*?"<>|]+/g, '_').replace(/\s+/g, ' ');
  s = s.replace(/^[\s.]+|[\s.]+$/g, '');
  if (/^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i.test(s)) s = `_${s}`;
  if (s.length > max) {
    const dot = s.lastIndexOf('.');
    const ext = dot > 0 && s.length - dot <= 10 ? s.slice(dot) : '';
    s = s.slice(0, max - ext.length).replace(/[\s.]+$/, '') + ext;
  }
  return s || fallback;
}

/** The name an artifact downloads under: its file name, or one derived from kind and id. */
export function artifactFileName(r: ArtifactRecord): string {
  const base = r.fileName ?? `${r.kind}-${(r.fileId ?? r.genId ?? r.id).replace(/^[a-z-]+:/, '').slice(0, 40)}`;
  return safeFileName(withExtension(base, r.mimeType));
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

/** `reconcile-report-<YYYY-MM-DD>.json`, local date (contracts.md section 4). */
export function reconcileReportName(now: Date = new Date()): string {
  return `reconcile-report-${localDay(now)}.json`;
}

/** `<export name>-enriched.zip` (contracts.md section 4): the chosen file's name without `.zip`. */
export function enrichedExportName(exportFileName: string): string {
  return `${safeFileName(exportFileName.replace(/\.zip$/i, ''), 'export', 150)}-enriched.zip`;
}
