/**
 * The "also save to the Downloads folder" option (off by default): each newly captured file is written to
 * `ChatGPT Artifact Vault/<conversation title>/<file name>`, the file named by the `File names` pattern (the
 * browser numbers a name already in the folder). Needs the optional `downloads` permission, which
 * the library page requests when the person turns the option on.
 */
import { safeFileName } from '@/utils/files/safe-file-name';
import type { ArtifactRecord } from '@/utils/vault';
import { artifactCopy, type CopyOptions } from '@/utils/library/download';

const DOWNLOADS_FOLDER = 'ChatGPT Artifact Vault';

/** `ChatGPT Artifact Vault/<title>/<name>`: the folder made safe (utils/files/safe-file-name.ts), `fileName` safe already. */
function downloadPath(record: Pick<ArtifactRecord, 'conversationTitle' | 'conversationId'>, fileName: string): string {
  const folder = safeFileName(record.conversationTitle, record.conversationId.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 8), 80);
  return `${DOWNLOADS_FOLDER}/${folder}/${safeFileName(fileName, 'file', 150)}`;
}

/**
 * Copies a captured file into the Downloads folder as the library would download it: named by the `File
 * names` pattern, with its prompt when that option is on. Returns why the prompt is not in it, if so.
 */
export async function copyToDownloadsFolder(record: ArtifactRecord, blob: Blob, opts: CopyOptions): Promise<string | null> {
  const copy = await artifactCopy(record, blob, record.conversationTitle, opts);
  await downloadBlob(copy.blob, downloadPath(record, copy.name));
  return copy.note;
}

/** Whether the optional permission is granted (the API object exists only then in Chrome). */
export async function canDownload(): Promise<boolean> {
  try {
    return (await browser.permissions.contains({ permissions: ['downloads'] })) && !!browser.downloads;
  } catch {
    return false;
  }
}

/** Write one file into the Downloads folder. A blob URL where the context has one, else a data URL (MV3 service worker). */
export async function downloadBlob(blob: Blob, path: string): Promise<void> {
  const canBlobUrl = typeof URL.createObjectURL === 'function';
  const url = canBlobUrl ? URL.createObjectURL(blob) : await toDataUrl(blob);
  try {
    await browser.downloads.download({ url, filename: path, conflictAction: 'uniquify', saveAs: false });
  } finally {
    if (canBlobUrl) setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
}

function toDataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string); // readAsDataURL yields a string
    reader.onerror = () => reject(reader.error ?? new Error('could not read the file'));
    reader.readAsDataURL(blob);
  });
}
