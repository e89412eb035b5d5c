/**
 * Measurement hook for the benchmark and e2e tests, active only when the page URL has `?probe=1`:
 * counts blob reads made through the library API and records when the first gallery tile appeared.
 * Exposed as `window.__libraryProbe`; without the flag the API is returned untouched.
 */
import type { LibraryApi } from './api';

export interface LibraryProbe {
  blobReads: number;
  /** Blob reads counted when the first tile entered the DOM (the listing's share). */
  blobReadsAtFirstTile: number | null;
  /** performance.now() two frames after the first tile entered the DOM (it has been painted). */
  firstTilePaintedAt: number | null;
}

export function withProbe(api: LibraryApi, win: Window = window): LibraryApi {
  if (!new URLSearchParams(win.location.search).has('probe')) return api;
  const probe: LibraryProbe = { blobReads: 0, blobReadsAtFirstTile: null, firstTilePaintedAt: null };
  (win as unknown as { __libraryProbe: LibraryProbe }).__libraryProbe = probe;
  const mo = new MutationObserver(() => {
    if (probe.blobReadsAtFirstTile !== null || !win.document.querySelector('[data-testid="artifact"]')) return;
    probe.blobReadsAtFirstTile = probe.blobReads;
    mo.disconnect();
    win.requestAnimationFrame(() => win.requestAnimationFrame(() => (probe.firstTilePaintedAt = win.performance.now())));
  });
  mo.observe(win.document, { childList: true, subtree: true });
  return {
    ...api,
    getBlob(sha256) {
      probe.blobReads++;
      return api.getBlob(sha256);
    },
  };
}
