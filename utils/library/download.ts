/**
 * Saving a Blob as a download from the library page. The manifest has no `downloads` permission, so this
 * uses an `<a download>` with a blob URL (works in Chrome and Firefox extension pages, asks for nothing).
 * A download never navigates to the blob URL, so an HTML or SVG file is saved, not run in our origin.
 * The URL is revoked a minute later: revoking at once can cancel a download that has not started yet.
 */
import { safeFileName } from '@/utils/files/names';

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
