/**
 * Which conversations a tab may hand the background as JSON it read itself (`recordConversation`): only those
 * the background told it to read. A tab's JSON is the content script's word, and a content script runs beside
 * the page (a compromised renderer is the model Chrome asks extensions to assume), so it never stands in for
 * a read the worker can make: `from-now-on` (the backend refuses the worker) lets that tab deliver the
 * conversations it shows from then on, `once` (a 404 for the worker) one delivery of that one.
 * Kept in memory: after a worker restart the background asks the backend itself again before it takes a
 * tab's JSON (utils/worker/capture/capture-worker.ts).
 */
import type { TabReadScope } from '@/utils/messaging';

export class TabReadGrants {
  private readonly refused = new Set<number>();
  private readonly once = new Map<number, Set<string>>();

  /** Lets the tab deliver this conversation: once, or every conversation it shows from now on. */
  grant(tabId: number, conversationId: string, scope: TabReadScope): void {
    if (scope === 'from-now-on') {
      this.refused.add(tabId);
      return;
    }
    let ids = this.once.get(tabId);
    if (!ids) this.once.set(tabId, (ids = new Set()));
    ids.add(conversationId);
  }

  /** Whether the tab may deliver this conversation now (a one-time leave is used up). */
  take(tabId: number, conversationId: string): boolean {
    if (this.once.get(tabId)?.delete(conversationId)) return true;
    return this.refused.has(tabId);
  }

  forget(tabId: number): void {
    this.refused.delete(tabId);
    this.once.delete(tabId);
  }
}
