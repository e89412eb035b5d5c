/**
 * The bounds every reader of a ZIP from outside applies before it inflates anything (the restore of a
 * vault archive, reconcile's export, its part-ZIPs and its vault archive), in the manner of Apache POI's
 * `ZipSecureFile`: a minimum inflate ratio, a largest member, a member count. Each reader adds the bounds
 * of what it holds (JSON it parses, a total); docs/SECURITY.md lists them all with their values.
 */
import { ZipFormatError, describeName } from './errors';
import type { ZipEntry } from './read';

/**
 * Inflated bytes per compressed byte beyond which a member is a bomb, not a file. Images are stored
 * (1:1); conversation JSON deflates ~5-15:1; 100:1 leaves room for very repetitive text.
 */
export const MAX_INFLATE_RATIO = 100;
/** Small members may compress better than that (a short run of spaces); they cannot cost much anyway. */
const RATIO_FLOOR = 1 << 20;
/** Members a ZIP may have (its directory is read whole: ~100 bytes a member). */
export const MAX_MEMBERS = 500_000;
/** Largest member (inflated) by default: far above any ChatGPT file (uploads stop at 512 MB), far below a bomb. */
export const MAX_MEMBER_BYTES = 1 << 30;

/**
 * Refuses (`too-large`) a member whose declared size is past `maxBytes` or whose declared ratio is past
 * 100:1 above 1 MiB. Declared sizes are binding: the reader stops any member that inflates past its own.
 */
export function checkEntryBounds(e: ZipEntry, maxBytes = MAX_MEMBER_BYTES): void {
  if (e.uncompressedSize > maxBytes) {
    throw new ZipFormatError('too-large', `Member ${describeName(e.name)} declares ${e.uncompressedSize} bytes; the limit is ${maxBytes} (${mib(maxBytes)}).`, describeName(e.name));
  }
  if (e.uncompressedSize > RATIO_FLOOR && e.uncompressedSize > e.compressedSize * MAX_INFLATE_RATIO) {
    throw new ZipFormatError('too-large', `Member ${describeName(e.name)} would inflate from ${e.compressedSize} to ${e.uncompressedSize} bytes ` +
      `(over ${MAX_INFLATE_RATIO}:1); no file compresses that well, so it is refused as a compression bomb.`, describeName(e.name));
  }
}

export const mib = (n: number): string => (n >= 1 << 30 ? `${+(n / (1 << 30)).toFixed(1)} GiB` : `${+(n / (1 << 20)).toFixed(1)} MiB`);
