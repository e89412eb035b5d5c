/**
 * The toolbar popup: what was saved for the conversation in the active tab, a `Back up this conversation`
 * button (contracts.md section 4), and a link to the library.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ConversationStatus } from '@/utils/messaging';
import { sendMessage } from '@/utils/messaging';
import { StorageFullNotice } from './StorageFullNotice';

export interface PopupProps {
  /** Injected in tests; defaults to the active tab. */
  getTabId?: () => Promise<number | null>;
}

async function activeTabId(): Promise<number | null> {
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return tab?.id ?? null;
}

export function Popup({ getTabId = activeTabId }: PopupProps) {
  const [tabId, setTabId] = useState<number | null>(null);
  const [status, setStatus] = useState<ConversationStatus | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void (async () => {
      const id = await getTabId();
      setTabId(id);
      if (id != null) setStatus(await sendMessage('tabStatus', { tabId: id }).catch(() => null));
    })();
  }, []);

  const backup = async () => {
    if (tabId == null) return;
    setBusy(true);
    setMessage(null);
    try {
      setStatus(await sendMessage('backupTab', { tabId }));
      setMessage('Backup started: the conversation and its files are being saved.');
    } catch (err) {
      setMessage(`Could not back up: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      setBusy(false);
    }
  };

  const retry = async () => {
    if (!status?.conversationId || tabId == null) return;
    setBusy(true);
    try {
      const n = await sendMessage('retryFailed', { conversationId: status.conversationId });
      setMessage(`Retrying ${n} file${n === 1 ? '' : 's'}.`);
      setStatus(await sendMessage('tabStatus', { tabId }));
    } catch (err) {
      setMessage(`Could not retry: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      setBusy(false);
    }
  };

  const c = status?.counts;
  return (
    <main class="popup" data-testid="popup">
      <h1>{status?.title ?? 'ChatGPT Artifact Vault'}</h1>
      {status?.conversationId && c ? (
        <div class="counts" role="status" data-testid="popup-counts">
          <span class="count">{c.saved} saved</span>
          {c.pending > 0 && <span class="count">{c.pending} pending</span>}
          {c.expired > 0 && <span class="count warn">{c.expired} expired</span>}
          {c.failed > 0 && <span class="count warn">{c.failed} failed</span>}
        </div>
      ) : (
        <p>Open a ChatGPT conversation to see what was saved from it.</p>
      )}
      <button type="button" onClick={backup} disabled={busy || !status?.conversationId}>
        Back up this conversation
      </button>
      {c && c.failed > 0 && (
        <button type="button" onClick={retry} disabled={busy} title="Expired files are gone for good; failed ones may still work">
          Retry failed files
        </button>
      )}
      {message && <p role="alert">{message}</p>}
      <StorageFullNotice />
      <a href={browser.runtime.getURL('/library.html')} target="_blank" rel="noreferrer">
        Open the library
      </a>
    </main>
  );
}
