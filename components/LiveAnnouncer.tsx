/**
 * A visually hidden polite live region that says the progress and the result of a long task (backup,
 * restore, reconcile) at a rate a person can follow (utils/a11y/announce-pace.ts). The region is rendered
 * from the start, empty, because a screen reader only reads changes to a live region it already knows.
 * The visible progress text next to it is not a live region, so nothing is said twice.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { AnnouncementPacer, type AnnouncePace } from '@/utils/a11y/announce-pace';

export interface LiveAnnouncerProps {
  /** What the task says now ('' when there is nothing to say). */
  text: string;
  /** Fraction done (0..1) while it runs, when known. */
  fraction?: number | null;
  /** The text is a result: said at once. */
  final?: boolean;
  pace?: AnnouncePace;
  now?: () => number;
  testId?: string;
}

export function LiveAnnouncer({ text, fraction = null, final = false, pace, now, testId }: LiveAnnouncerProps) {
  const pacer = useRef<AnnouncementPacer | null>(null);
  pacer.current ??= new AnnouncementPacer(pace, now);
  const [said, setSaid] = useState('');
  useEffect(() => {
    const next = pacer.current!.offer({ text, fraction, final });
    if (next !== null) setSaid(next);
  }, [text, fraction, final]);
  return (
    <p class="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-testid={testId}>
      {said}
    </p>
  );
}
