/** Storage used/available and the persistence request (navigator.storage), with injectable globals. */

export interface StorageInfo {
  usage: number | null;
  quota: number | null;
  available: number | null;
  persisted: boolean | null;
  low: boolean;
}

/** Low when what is left is under 10% of the quota or under 500 MB (whichever is more). */
function isLowOnSpace(usage: number | null, quota: number | null): boolean {
  if (usage === null || quota === null || quota <= 0) return false;
  const available = quota - usage;
  return available < Math.max(quota * 0.1, 500 * 1024 * 1024);
}

export async function readStorageInfo(nav: Navigator | undefined = globalThis.navigator): Promise<StorageInfo> {
  const sm = nav?.storage;
  const est = sm?.estimate ? await sm.estimate().catch(() => null) : null;
  const persisted = sm?.persisted ? await sm.persisted().catch(() => null) : null;
  const usage = est?.usage ?? null;
  const quota = est?.quota ?? null;
  return {
    usage,
    quota,
    available: usage !== null && quota !== null ? Math.max(0, quota - usage) : null,
    persisted,
    low: isLowOnSpace(usage, quota),
  };
}

/** Asks the browser not to evict the vault; resolves to whether storage is now persistent. */
export async function requestPersistence(nav: Navigator | undefined = globalThis.navigator): Promise<boolean> {
  if (!nav?.storage?.persist) return false;
  return nav.storage.persist().catch(() => false);
}
