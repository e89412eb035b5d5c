/**
 * Blob URL lifecycle for thumbnails and previews: loads the bytes for `sha256` only while `enabled`,
 * creates one object URL, and revokes it when the SHA changes or the component unmounts, so scrolling
 * through 10,000 tiles does not leak URLs (each pins its blob in memory until revoked). The `<img>` that shows
 * the URL is eager: it only gets one once its tile is on screen, and `loading="lazy"` on top of that made a
 * second, browser-side wait (in a nested scroller it could keep a thumbnail grey until the next scroll).
 */
import { useEffect, useState } from 'preact/hooks';

export function useBlobUrl(
  sha256: string | null,
  enabled: boolean,
  load: (sha256: string) => Promise<Blob | null>,
): { url: string | null; blob: Blob | null; error: boolean } {
  const [state, setState] = useState<{ url: string | null; blob: Blob | null; error: boolean }>({ url: null, blob: null, error: false });
  useEffect(() => {
    if (!sha256 || !enabled) return;
    let url: string | null = null;
    let cancelled = false;
    load(sha256).then(
      (blob) => {
        if (cancelled) return;
        if (!blob) {
          setState({ url: null, blob: null, error: true });
          return;
        }
        url = URL.createObjectURL(blob);
        setState({ url, blob, error: false });
      },
      () => !cancelled && setState({ url: null, blob: null, error: true }),
    );
    return () => {
      cancelled = true;
      if (url) URL.revokeObjectURL(url);
      setState({ url: null, blob: null, error: false });
    };
  }, [sha256, enabled]);
  return state;
}

/** Calls `onVisible` once when `el` first intersects the viewport (IntersectionObserver). */
export type ObserveVisible = (el: Element, onVisible: () => void) => () => void;

export const observeWithIntersectionObserver: ObserveVisible = (el, onVisible) => {
  if (typeof IntersectionObserver === 'undefined') {
    onVisible();
    return () => {};
  }
  const io = new IntersectionObserver(
    (entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        io.disconnect();
        onVisible();
      }
    },
    { rootMargin: '200px' },
  );
  io.observe(el);
  return () => io.disconnect();
};
