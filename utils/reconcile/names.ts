/**
 * Safe, unique member names for the `vault/` folder of the enriched export. Names come from ChatGPT
 * (file names people typed, sandbox paths), so they are data: no path separators, no bidi controls or
 * zero-width characters that could disguise an extension, no control characters, no dot-only names.
 */

// Bidi embeddings/overrides/isolates and marks, zero-width spaces/joiners, word joiner, BOM.
const STRIP_RE = /[\u0000-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u061c]/g;
const SEPARATORS_RE = /[/\\]/g;
const WINDOWS_RE = /[<>:"|?*]/g;
const MAX_NAME = 150;

export function safeName(raw: string | null | undefined, fallback = 'file'): string {
  let s = (raw ?? '').normalize('NFC').replace(STRIP_RE, '').replace(SEPARATORS_RE, '_').replace(WINDOWS_RE, '_').trim();
  s = s.replace(/^\.+/, '').replace(/[. ]+$/, '');
  if (s.length === 0) s = fallback;
  if (s.length > MAX_NAME) {
    const dot = s.lastIndexOf('.');
    const ext = dot > 0 && s.length - dot <= 12 ? s.slice(dot) : '';
    s = s.slice(0, MAX_NAME - ext.length) + ext;
  }
  return s;
}

/** Hands out names unique (case-insensitively, for case-insensitive file systems) within each folder. */
export class UniqueNames {
  private readonly used = new Set<string>();
  /** The next number to try per wanted name: 10,000 files called `image.png` stay linear, not quadratic. */
  private readonly tried = new Map<string, number>();

  /** Marks a full member name as taken (the original export's members). */
  take(name: string): void {
    this.used.add(name.toLowerCase());
  }

  /** `folder/name`, or `folder/name (2).ext` etc. when taken. */
  next(folder: string, name: string): string {
    const dot = name.lastIndexOf('.');
    const stem = dot > 0 ? name.slice(0, dot) : name;
    const ext = dot > 0 ? name.slice(dot) : '';
    const wanted = `${folder}/${name}`.toLowerCase();
    for (let n = this.tried.get(wanted) ?? 1; ; n++) {
      const candidate = `${folder}/${n === 1 ? name : `${stem} (${n})${ext}`}`;
      if (!this.used.has(candidate.toLowerCase())) {
        this.used.add(candidate.toLowerCase());
        this.tried.set(wanted, n + 1);
        return candidate;
      }
    }
  }
}
