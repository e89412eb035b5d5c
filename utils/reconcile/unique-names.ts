/**
 * Unique member names for the `vault/` folder of the enriched export. Each name is first made safe by the
 * one rule, `safeFileName` (utils/files/safe-file-name.ts).
 */

/** Hands out names unique (case-insensitively, for case-insensitive file systems) within each folder. */
export class UniqueNames {
  private readonly used = new Set<string>();
  /** The next number to try per wanted name: 10,000 files called `image.png` stay linear, not quadratic. */
  private readonly tried = new Map<string, number>();

  /** Marks a full member name as taken (the original export's members). */
  take(name: string): void {
    this.used.add(name.toLowerCase());
  }

  /** A full member path, numbered in its own folder when taken. */
  nextPath(path: string): string {
    const slash = path.lastIndexOf('/');
    return slash < 0 ? this.next('', path).slice(1) : this.next(path.slice(0, slash), path.slice(slash + 1));
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
