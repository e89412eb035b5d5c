/**
 * Measurement hook for the benchmark and e2e tests, active only when the page URL has `?probe=1`:
 * counts blob reads made through the library API, times the listing calls, and records when the first
 * gallery tile appeared. Exposed as `window.__libraryProbe`; without the flag the API is returned untouched.
 */
import type { LibraryApi } from './api';

export interface LibraryProbe {
  blobReads: number;
  /** Blob reads counted when the first tile entered the DOM (the listing's share). */
  blobReadsAtFirstTile: number | null;
  /** performance.now() when the page script ran (after the bundle was parsed). */
  scriptAt: number;
  /** Per listing call: when it started and when it resolved (performance.now()). */
  calls: Array<{ name: string; start: number; end: number | null; count: number | null }>;
  /** performance.now() when the first tile entered the DOM. */
  firstTileInDomAt: number | null;
  /** performance.now() two frames after the first tile entered the DOM (it has been painted). */
  firstTilePaintedAt: number | null;
  /** Main-thread tasks over 50 ms (where the browser reports them): start and duration. */
  longTasks: Array<{ start: number; duration: number }>;
}

export function withProbe(api: LibraryApi, win: Window = window): LibraryApi {
  if (!new URLSearchParams(win.location.search).has('probe')) return api;
  const probe: LibraryProbe = {
    blobReads: 0, blobReadsAtFirstTile: null, scriptAt: win.performance.now(), calls: [], firstTileInDomAt: null, firstTilePaintedAt: null,
    longTasks: [],
  };
  (win as unknown as { __libraryProbe: LibraryProbe }).__libraryProbe = probe;
  const mo = new MutationObserver(() => {
    if (probe.blobReadsAtFirstTile !== null || !win.document.querySelector('[data-testid="artifact"]')) return;
    probe.blobReadsAtFirstTile = probe.blobReads;
    probe.firstTileInDomAt = win.performance.now();
    mo.disconnect();
    win.requestAnimationFrame(() => win.requestAnimationFrame(() => (probe.firstTilePaintedAt = win.performance.now())));
  });
  mo.observe(win.document, { childList: true, subtree: true });
  if (PerformanceObserver.supportedEntryTypes?.includes('longtask')) {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) probe.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  }
  const timed = <A extends unknown[], T>(name: string, fn: (...args: A) => Promise<T>) => async (...args: A): Promise<T> => {
    const call = { name, start: win.performance.now(), end: null as number | null, count: null as number | null };
    probe.calls.push(call);
    const out = await fn(...args);
    call.end = win.performance.now();
    if (Array.isArray(out)) call.count = out.length;
    return out;
  };
  return {
    ...api,
    listArtifacts: timed('listArtifacts', () => api.listArtifacts()),
    listNewestArtifacts: timed('listNewestArtifacts', (limit: number) => api.listNewestArtifacts(limit)),
    listConversations: timed('listConversations', (ids?: readonly string[]) => api.listConversations(ids)),
    getBlob(sha256) {
      probe.blobReads++;
      return api.getBlob(sha256);
    },
  };
}
