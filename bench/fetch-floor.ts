/**
 * What any download pipeline must at least do, measured in the browser: the same requests a run made, all at
 * once, from an extension page (bench/backup.ts and bench/capture/throughput.ts compare against it).
 */
import type { Page } from 'playwright-core';

/**
 * The same requests from an extension page, all at once: file-id resolutions read in full (JSON, no bytes
 * counted), byte URLs read into memory. With `store`, each body is also hashed (crypto.subtle SHA-256) and
 * put as a Blob into a scratch IndexedDB database, one transaction per file as it arrives: the least any
 * backup must do per file, in the same browser and database engine as the vault.
 */
export async function fetchFloor(page: Page, list: string[], resolve: string[], store: boolean): Promise<{ ms: number; bytes: number }> {
  return page.evaluate(async ({ list, resolve, store }) => {
    const session = (await (await fetch('https://chatgpt.com/api/auth/session', { credentials: 'include' })).json()) as { accessToken: string };
    const headers = { authorization: `Bearer ${session.accessToken}` };
    const name = 'bench-fetch-store-floor';
    const db = store
      ? await new Promise<IDBDatabase>((ok, ko) => {
          const req = indexedDB.open(name, 1);
          req.onupgradeneeded = () => req.result.createObjectStore('blobs', { keyPath: 'sha256' });
          req.onsuccess = () => ok(req.result);
          req.onerror = () => ko(new Error(String(req.error)));
        })
      : null;
    const t = performance.now();
    const got = await Promise.all([
      // A resolution's answer is JSON, not file bytes: read in full, counted as none.
      ...resolve.map(async (u) => {
        await (await fetch(u, { headers, credentials: 'include', cache: 'no-store' })).text();
        return 0;
      }),
      ...list.map(async (u) => {
        const buf = await (await fetch(u, { credentials: 'include', cache: 'no-store' })).arrayBuffer();
        if (db) {
          // Inline, not a helper: tsx would wrap a named inner function in a __name() the page does not have.
          const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
          const sha256 = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
          await new Promise<void>((ok, ko) => {
            const tx = db.transaction('blobs', 'readwrite');
            tx.objectStore('blobs').put({ sha256, blob: new Blob([buf]), size: buf.byteLength });
            tx.oncomplete = () => ok();
            tx.onerror = () => ko(new Error(String(tx.error)));
          });
        }
        return buf.byteLength;
      }),
    ]);
    const ms = performance.now() - t;
    if (db) {
      db.close();
      await new Promise((ok) => {
        const req = indexedDB.deleteDatabase(name);
        req.onsuccess = req.onerror = ok;
      });
    }
    return { ms, bytes: got.reduce((a, b) => a + b, 0) };
  }, { list, resolve, store });
}
