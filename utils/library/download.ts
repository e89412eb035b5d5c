/**
 * Downloads from the library page: an artifact's copy (its name from the `File names` pattern, the prompt
 * written in when asked), and saving a Blob as a download. The manifest has no `downloads` permission, so this
 * uses an `<a download>` with a blob URL (works in Chrome and Firefox extension pages, asks for nothing).
 * A download never navigates to the blob URL, so an HTML or SVG file is saved, not run in our origin.
 * The URL is revoked a minute later: revoking at once can cancel a download that has not started yet.
 */
import { safeFileName } from '@/utils/files/safe-file-name';
import type { NamePattern } from '@/utils/files/name-pattern';
import { copyWithPrompt } from '@/utils/files/prompt-metadata';
import type { ArtifactRecord } from '@/utils/vault';
import { artifactFileName } from './download-names';

export function saveBlob(blob: Blob, fileName: string, doc: Document = document): void {
  // Callers pass safe names already; this keeps any future caller from bypassing the rule.
  const name = safeFileName(fileName, 'download', 200);
  const url = URL.createObjectURL(blob);
  const a = doc.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  a.style.display = 'none';
  doc.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** How copies are made: the `File names` pattern, and whether the prompt is written in (utils/storage.ts). */
export interface CopyOptions {
  pattern: NamePattern;
  writePrompt: boolean;
}

/**
 * One artifact's downloaded copy: named by the pattern and, when the option is on, with its prompt
 * written in; `note` says why the prompt is not in it when it could not be (the copy is then unchanged).
 */
export async function artifactCopy(
  r: ArtifactRecord,
  blob: Blob,
  title: string | null,
  opts: CopyOptions,
): Promise<{ blob: Blob; name: string; note: string | null }> {
  const name = artifactFileName(r, opts.pattern, title);
  if (!opts.writePrompt) return { blob, name, note: null };
  return { name, ...(await copyWithPrompt(blob, r.prompt)) };
}
