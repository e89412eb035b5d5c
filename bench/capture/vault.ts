/**
 * A light read of the vault's artifact records (no blobs) for the capture benchmarks, polled often while
 * captures run. It reads from an extension tab showing `manifest.json` rather than the library page, so the
 * probe does not render a gallery (and compete for the CPU) on every poll. The database is only opened once
 * it exists: opening it raw before Dexie has created it would make an empty v1 database (docs/TOOLCHAIN.md F6).
 */
import type { Page } from 'playwright-core';
import type { Browser } from '../../tests/e2e/harness.ts';

export interface ArtifactRow {
  id: string;
  kind: string;
  status: string;
  reason: string | null;
  conversationId: string;
  fileId: string | null;
  sandboxPath: string | null;
  capturedAt: number | null;
}

export class VaultReader {
  private page: Page | null = null;
  constructor(private readonly browser: Browser) {}

  async artifacts(): Promise<ArtifactRow[]> {
    if (!this.page || this.page.isClosed()) this.page = await this.browser.openExtensionPage('/manifest.json');
    return this.page.evaluate<ArtifactRow[]>(`(async () => {
      const dbs = await indexedDB.databases();
      if (!dbs.some((d) => d.name === 'artifact-vault')) return [];
      const db = await new Promise((resolve, reject) => {
        const req = indexedDB.open('artifact-vault');
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      try {
        if (!db.objectStoreNames.contains('artifacts')) return [];
        const rows = await new Promise((resolve, reject) => {
          const req = db.transaction('artifacts').objectStore('artifacts').getAll();
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error);
        });
        return rows.map((a) => ({
          id: a.id, kind: a.kind, status: a.status, reason: a.reason ?? null, conversationId: a.conversationId,
          fileId: a.fileId ?? null, sandboxPath: a.sandboxPath ?? null, capturedAt: a.capturedAt ?? null,
        }));
      } finally {
        db.close();
      }
    })()`);
  }

  async close(): Promise<void> {
    await this.page?.close().catch(() => undefined);
    this.page = null;
  }
}

/** The key under which the page-side observer records an artifact's first appearance. */
export function appearanceKey(a: Pick<ArtifactRow, 'kind' | 'conversationId' | 'fileId' | 'sandboxPath'>): string | null {
  if (a.kind === 'sandbox-file') return a.sandboxPath ? `sandbox:${a.conversationId}:${a.sandboxPath.normalize('NFC')}` : null;
  return a.fileId ? `file:${a.fileId}` : null;
}
