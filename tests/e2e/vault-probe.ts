/**
 * Reads the extension's vault from inside an extension page (the vault lives in the extension's origin,
 * so that is the only place it can be read), for end-to-end assertions. The library page is opened first
 * so that Dexie creates the database with its schema before any raw read (docs/TOOLCHAIN.md F6).
 */
import type { Page } from 'playwright-core';
import type { Browser } from './harness.ts';

export interface ProbedArtifact {
  id: string;
  kind: string;
  status: string;
  reason: string | null;
  conversationId: string;
  messageId: string;
  fileId: string | null;
  genId: string | null;
  prompt: string | null;
  fileName: string | null;
  sandboxPath: string | null;
  sha256: string | null;
  size: number | null;
  mimeType: string | null;
  source: string;
  capturedAt: number | null;
  /** SHA-256 recomputed from the stored blob, or null when no blob is stored. */
  blobSha256: string | null;
}

export interface VaultDump {
  artifacts: ProbedArtifact[];
  blobCount: number;
  jobs: { id: string; attempts: number; lastError: string | null }[];
  snapshotIds: string[];
}

let probePage = new WeakMap<Browser, Page>();

/**
 * tsx compiles this file with esbuild's keepNames, which wraps named inner functions of `page.evaluate`
 * callbacks in a `__name(...)` helper that does not exist in the browser; define it there (as a string, so
 * it is not compiled itself).
 */
export async function definePageHelpers(p: Page): Promise<void> {
  await p.evaluate('globalThis.__name = globalThis.__name || ((fn) => fn)');
}

async function page(browser: Browser): Promise<Page> {
  let p = probePage.get(browser);
  if (!p || p.isClosed()) {
    p = await browser.openExtensionPage('/library.html');
    await p.waitForLoadState('load');
    await definePageHelpers(p);
    probePage.set(browser, p);
  }
  return p;
}

export async function readVault(browser: Browser): Promise<VaultDump> {
  const p = await page(browser);
  return p.evaluate(async () => {
    const open = () =>
      new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('artifact-vault');
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
      });
    const db = await open();
    // One read transaction over every store, so that a capture committing meanwhile is seen whole or not at
    // all (an artifact marked saved whose blob was read a moment earlier would look corrupt).
    const stores = ['artifacts', 'blobs', 'jobs', 'snapshots'].filter((name) => db.objectStoreNames.contains(name));
    const tx = stores.length ? db.transaction(stores, 'readonly') : null;
    const all = <T,>(store: string) =>
      new Promise<T[]>((resolve, reject) => {
        if (!tx || !stores.includes(store)) return resolve([]);
        const req = tx.objectStore(store).getAll();
        req.onsuccess = () => resolve(req.result as T[]);
        req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
      });
    const [rawBlobs, rawArtifacts, rawJobs, rawSnapshots] = await Promise.all([
      all<{ sha256: string; blob: Blob }>('blobs'),
      all<Record<string, unknown>>('artifacts'),
      all<{ id: string; attempts: number; lastError: string | null }>('jobs'),
      all<{ id: string }>('snapshots'),
    ]);
    const hex = (buf: ArrayBuffer) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
    const blobs = rawBlobs;
    const actual = new Map<string, string>();
    for (const b of blobs) actual.set(b.sha256, hex(await crypto.subtle.digest('SHA-256', await b.blob.arrayBuffer())));
    const artifacts = rawArtifacts.map((a) => ({
      ...(a as object),
      blobSha256: typeof a.sha256 === 'string' ? (actual.get(a.sha256) ?? null) : null,
    }));
    const jobs = rawJobs.map((j) => ({
      id: j.id,
      attempts: j.attempts,
      lastError: j.lastError,
    }));
    const snapshotIds = rawSnapshots.map((s) => s.id);
    db.close();
    return { artifacts, blobCount: blobs.length, jobs, snapshotIds } as never;
  });
}

/**
 * Every value the extension keeps (IndexedDB records and blob contents as text, and storage.local), as one
 * string, for "no stored value contains the access token".
 */
export async function everythingStored(browser: Browser): Promise<string> {
  const p = await page(browser);
  return p.evaluate(async () => {
    const parts: string[] = [];
    const dbs = await indexedDB.databases();
    for (const info of dbs) {
      if (!info.name) continue;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open(info.name!);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
      });
      for (const store of [...db.objectStoreNames]) {
        const rows = await new Promise<unknown[]>((resolve, reject) => {
          const req = db.transaction(store).objectStore(store).getAll();
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
        });
        for (const row of rows) {
          parts.push(JSON.stringify(row));
          for (const value of Object.values(row as object)) if (value instanceof Blob) parts.push(await value.text());
        }
      }
      db.close();
    }
    const ext = (globalThis as unknown as { chrome: { storage: Record<string, { get(k: null): Promise<unknown> } | undefined> } }).chrome;
    parts.push(JSON.stringify(await ext.storage.local!.get(null)));
    parts.push(JSON.stringify(await ext.storage.session?.get(null).catch(() => ({}))));
    return parts.join('\n');
  });
}

export function forgetProbe(browser: Browser): void {
  probePage.delete(browser);
}

export function resetProbes(): void {
  probePage = new WeakMap();
}

/**
 * Everything in the vault as one string, to compare before and after (a restore twice, a reconcile): every
 * record of every store and each stored blob with the SHA-256 of its actual bytes. Read with raw IndexedDB
 * in `page`, an extension page. Passed as source text: tsx would wrap named inner functions in `__name(...)`,
 * which the page lacks.
 */
export function vaultFingerprint(page: Page): Promise<string> {
  return page.evaluate(`(async () => {
  const db = await new Promise((ok, bad) => {
    const req = indexedDB.open('artifact-vault');
    req.onsuccess = () => ok(req.result);
    req.onerror = () => bad(req.error);
  });
  const all = (store) => new Promise((ok, bad) => {
    const req = db.transaction(store).objectStore(store).getAll();
    req.onsuccess = () => ok(req.result);
    req.onerror = () => bad(req.error);
  });
  const blobs = await all('blobs');
  const out = {
    artifacts: await all('artifacts'),
    conversations: await all('conversations'),
    snapshots: await all('snapshots'),
    jobs: await all('jobs'),
    blobs: await Promise.all(blobs.map(async (b) => {
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await b.blob.arrayBuffer()));
      return [b.sha256, b.size, Array.from(digest, (x) => x.toString(16).padStart(2, '0')).join('')];
    })),
  };
  db.close();
  return JSON.stringify(out);
})()`);
}

