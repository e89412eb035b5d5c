/**
 * Live reads: `query` runs again whenever a write (in this context, or any other of the extension's
 * origin: Dexie broadcasts its commits) touches what it read. Pages use this instead of polling.
 */
import { liveQuery } from 'dexie';

/** Calls `onValue` with the query's first result and again after each change to what it read; returns the unsubscribe. */
export function watchVault<T>(query: () => Promise<T>, onValue: (value: T) => void, onError: (err: unknown) => void = () => undefined): () => void {
  const subscription = liveQuery(query).subscribe({ next: onValue, error: onError });
  return () => subscription.unsubscribe();
}
