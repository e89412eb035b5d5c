/**
 * When a live region may speak: a screen reader reads every change of a polite live region, so a run that
 * updates its counter twice a second would talk without pause. Progress is let through at most once per
 * `intervalMs` or when it crossed the next `step` (10 % by default), whichever comes first; a result (`final`)
 * at once. The same text twice is never repeated. Used by components/LiveAnnouncer.tsx for backup, restore
 * and reconcile.
 */

export interface AnnouncePace {
  /** Least time between two progress announcements. */
  intervalMs: number;
  /** A progress announcement also goes out when the fraction done crosses the next multiple of this. */
  step: number;
}

export const DEFAULT_PACE: AnnouncePace = { intervalMs: 10_000, step: 0.1 };

export interface Announcement {
  text: string;
  /** Fraction done (0..1) of the work in progress, when known. */
  fraction?: number | null;
  /** A result (finished, failed, cancelled): said at once, and the next progress starts a new run. */
  final?: boolean;
}

export class AnnouncementPacer {
  private lastText: string | null = null;
  private lastAt = -Infinity;
  /** The step bucket (floor(fraction / step)) of the last progress said; null when no run is going. */
  private lastBucket: number | null = null;

  constructor(
    private readonly pace: AnnouncePace = DEFAULT_PACE,
    private readonly now: () => number = Date.now,
  ) {}

  /** The text to put in the live region now, or null to stay quiet. */
  offer(update: Announcement): string | null {
    const { text, fraction = null, final = false } = update;
    if (text === '' || text === this.lastText) return null;
    const t = this.now();
    if (final) {
      this.lastBucket = null;
      return this.say(text, t);
    }
    const bucket = fraction === null || !Number.isFinite(fraction) ? null : Math.floor(Math.min(1, Math.max(0, fraction)) / this.pace.step + 1e-9);
    const firstOfRun = this.lastBucket === null;
    const crossedStep = bucket !== null && this.lastBucket !== null && bucket > this.lastBucket;
    if (!firstOfRun && !crossedStep && t - this.lastAt < this.pace.intervalMs) return null;
    this.lastBucket = bucket ?? this.lastBucket ?? -1;
    return this.say(text, t);
  }

  private say(text: string, t: number): string {
    this.lastText = text;
    this.lastAt = t;
    return text;
  }
}
