/**
 * Small scripts the end-to-end tests install in pages (Playwright `addInitScript`, puppeteer
 * `evaluateOnNewDocument`). Each is self-contained: it is serialized into the page.
 */

/** A heartbeat: if something froze the page, the longest gap between ticks (`window.__maxGap`, ms) shows it. */
export function installHeartbeat(): void {
  const w = window as unknown as { __maxGap: number };
  w.__maxGap = 0;
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    w.__maxGap = Math.max(w.__maxGap, now - last);
    last = now;
  }, 50);
}

/** Read in the page: the longest pause the heartbeat saw. */
export function maxGap(): number {
  return (window as unknown as { __maxGap: number }).__maxGap;
}
