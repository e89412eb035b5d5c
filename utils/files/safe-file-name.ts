/**
 * The one rule for names we write outside the vault: downloads, ZIP members, Downloads-folder path
 * segments. Names come from pages, models and archives, so they may hide their real extension behind bidi
 * controls (`invoice\u202Egpj.exe` shows as `invoiceexe.jpg`) or zero-width characters, or try to leave
 * their folder (`../`). See docs/SECURITY.md, "File names".
 */

/**
 * Invisible format characters, removed outright: every Unicode `Cf` (bidi embeddings, overrides and
 * isolates U+202A-202E and U+2066-2069, LRM/RLM U+200E/200F, ALM U+061C, zero-width space and joiners
 * U+200B-200D, word joiner U+2060, BOM U+FEFF, soft hyphen, tag characters…) and lone surrogates.
 */
const INVISIBLE = /[\p{Cf}\p{Cs}]/gu;

/**
 * Replaced by a space: control characters (`Cc`: C0, DEL, C1), line and paragraph separators, and the
 * characters Windows, macOS or Linux refuse in a name.
 */
const SEPARATING = /[\p{Cc}\p{Zl}\p{Zp}<>:"/\\|?*]+/gu;

/** Windows device names, refused with any extension (`nul.txt`). */
const DEVICE = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/** UTF-8 length of one code point. */
const utf8Length = (cp: number) => (cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4);

/** The longest prefix of `s` that fits in `maxBytes` of UTF-8, cut between code points. */
function cutToBytes(s: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const ch of s) {
    bytes += utf8Length(ch.codePointAt(0)!);
    if (bytes > maxBytes) break;
    end += ch.length;
  }
  return s.slice(0, end);
}

const byteLength = (s: string) => {
  let n = 0;
  for (const ch of s) n += utf8Length(ch.codePointAt(0)!);
  return n;
};

/**
 * A single path segment safe on Windows, macOS and Linux and honest about its extension: no invisible
 * format or bidi characters, no control characters, separators or reserved characters (each run becomes
 * one space), no words made only of dots (`..` path steps), no leading or trailing dots or spaces, no
 * device names; NFC; at most `maxBytes` of UTF-8 (filesystems count bytes, 255 at most), keeping a
 * short extension when it has to cut. Returns `fallback` (as given) when nothing is left.
 */
export function safeFileName(name: string | null | undefined, fallback = 'untitled', maxBytes = 120): string {
  let s = (name ?? '').replace(INVISIBLE, '').normalize('NFC').replace(SEPARATING, ' ');
  s = s.split(/\s+/).filter((word) => !/^\.+$/.test(word)).join(' ');
  s = s.replace(/^[\s.]+|[\s.]+$/g, '');
  if (DEVICE.test(s)) s = `_${s}`;
  if (byteLength(s) > maxBytes) {
    const dot = s.lastIndexOf('.');
    const ext = dot > 0 && s.length - dot <= 10 && byteLength(s.slice(dot)) < maxBytes / 2 ? s.slice(dot) : '';
    s = cutToBytes(s.slice(0, s.length - ext.length), maxBytes - byteLength(ext)).replace(/[\s.]+$/, '') + ext;
  }
  return s || fallback;
}
