/**
 * The toolbar popup (docs/FORMATS.md section 4). On a ChatGPT conversation: its title, counts (saved / pending /
 * expired / failed) and `Back up this conversation`; while that backup runs, a progressbar and the current
 * step (the run lives in the background: closing the popup does not stop it, reopening shows it live); when
 * it ends, the counts, what was new, and `Download this conversation` (a vault archive of that conversation
 * alone). On any other tab: what the extension does, the vault's totals, and a link to the library.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { conversationRunId } from '@/utils/worker/backup/checkpoint';
import { parseChatRoute } from '@/utils/chatgpt/routes';
import type { ArtifactStatus } from '@/utils/model';
import type { BackupStatus, ConversationStatus } from '@/utils/messaging';
import { createPopupApi, type ActiveTab, type CatchUpLine, type PopupApi } from '@/utils/popup/api';
import { catchUpResultText } from './reasons';
import { BackupProgress } from './BackupProgress';
import { StorageFullNotice } from './StorageFullNotice';
import { formatTime, t, tn } from '@/utils/i18n';

export interface PopupProps {
  /** Everything the popup reads and asks for (tests pass a fake). */
  api?: PopupApi;
  /**
   * While a backup runs: how often its status is asked for besides the vault's live signal, because the
   * worker's rate-limit pause (the countdown) is kept in its memory, not in the vault.
   */
  pollMs?: number;
}


export function Popup({ api: given, pollMs = 500 }: PopupProps) {
  const api = useRef(given ?? createPopupApi()).current;
  const [catchUp, setCatchUp] = useState<CatchUpLine | null>(null);
  const [tab, setTab] = useState<ActiveTab | null>(null);
  const [status, setStatus] = useState<ConversationStatus | null>(null);
  const [backup, setBackup] = useState<BackupStatus | null>(null);
  const [totals, setTotals] = useState<Record<ArtifactStatus, number> | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const route = tab?.url ? parseChatRoute(tab.url) : null;
  const conversationId = (route?.kind === 'conversation' ? route.conversationId : null) ?? status?.conversationId ?? null;
  const runId = conversationId ? conversationRunId(conversationId) : null;

  const refresh = useCallback(async (t: ActiveTab) => {
    const s = t.id != null ? await api.tabStatus(t.id).catch(() => null) : null;
    setStatus(s);
    const r = t.url ? parseChatRoute(t.url) : null;
    const id = (r?.kind === 'conversation' ? r.conversationId : null) ?? s?.conversationId ?? null;
    if (id) setBackup(await api.backupStatus(id).catch(() => null));
    else setTotals(await api.totals().catch(() => null));
  }, []);

  useEffect(() => {
    void (async () => {
      void api.catchUp().then(setCatchUp).catch(() => undefined);
      const t = await api.activeTab();
      setTab(t);
      await refresh(t);
    })();
  }, []);

  const live = backup?.state === 'running' || backup?.state === 'paused';
  // Follows the vault as it changes (a backup's progress, files saved meanwhile); one refresh at a time,
  // and one more when changes arrived during it.
  useEffect(() => {
    if (!tab) return;
    let running = false;
    let again = false;
    const follow = async () => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        do {
          again = false;
          await refresh(tab);
        } while (again);
      } finally {
        running = false;
      }
    };
    const stop = api.watch(conversationId, () => void follow());
    const timer = live ? setInterval(() => void follow(), pollMs) : undefined;
    return () => {
      stop();
      clearInterval(timer);
    };
  }, [tab, conversationId, live, pollMs]);

  const start = async () => {
    if (!conversationId) return;
    setBusy(true);
    setMessage(null);
    try {
      setBackup(await api.startBackup(conversationId, tab));
    } catch (err) {
      setMessage(t('popup_backup_failed', err instanceof Error ? err.message : String(err)));
    } finally {
      setBusy(false);
    }
  };

  const retry = async () => {
    if (!conversationId || !tab) return;
    setBusy(true);
    try {
      const n = await api.retryFailed(conversationId);
      setMessage(tn('popup_retrying', n));
      await refresh(tab);
    } catch (err) {
      setMessage(t('popup_retry_failed', err instanceof Error ? err.message : String(err)));
    } finally {
      setBusy(false);
    }
  };

  const download = async () => {
    if (!conversationId) return;
    setBusy(true);
    try {
      await api.downloadConversation(conversationId, status?.title ?? null);
    } catch (err) {
      setMessage(t('popup_download_failed', err instanceof Error ? err.message : String(err)));
    } finally {
      setBusy(false);
    }
  };

  const c = status?.counts;
  const ended = backup !== null && !live && runId !== null && backup.runId === runId;
  return (
    <main class="popup" data-testid="popup">
      <h1>{status?.title ?? t('extension_name')}</h1>
      {conversationId ? (
        <>
          {c && (
            <div class="counts" data-testid="popup-counts">
              <span class="count">{t('status_count_saved', c.saved)}</span>
              {c.pending > 0 && <span class="count">{t('status_count_pending', c.pending)}</span>}
              {c.expired > 0 && <span class="count warn">{t('status_count_expired', c.expired)}</span>}
              {c.failed > 0 && <span class="count warn">{t('status_count_failed', c.failed)}</span>}
            </div>
          )}
          <button type="button" onClick={() => void start()} disabled={busy || live}>
            {t('popup_backup_conversation')}
          </button>
          {backup && (live || ended) && <BackupProgress status={backup} />}
          {ended && backup.state === 'done' && (
            <button type="button" onClick={() => void download()} disabled={busy}>
              {t('popup_download_conversation')}
            </button>
          )}
          {c && c.failed > 0 && !live && (
            <button type="button" onClick={() => void retry()} disabled={busy} title={t('popup_retry_failed_files_hint')}>
              {t('popup_retry_failed_files')}
            </button>
          )}
        </>
      ) : (
        <>
          <p>{t('popup_intro')}</p>
          {totals && (
            <p class="counts" data-testid="popup-totals">
              {t('popup_totals', totals.saved, totals.pending, totals.expired, totals.failed)}
            </p>
          )}
        </>
      )}
      {message && <p role="alert">{message}</p>}
      {catchUp && (
        <p class="catch-up" data-testid="popup-catch-up">
          {catchUp.queued > 0
            ? t('popup_last_checked_saved', formatTime(catchUp.lastCheck), catchUpResultText(catchUp.result), catchUp.saved, catchUp.queued)
            : t('popup_last_checked', formatTime(catchUp.lastCheck), catchUpResultText(catchUp.result))}
        </p>
      )}
      <StorageFullNotice />
      <a href={api.libraryUrl()} target="_blank" rel="noreferrer">
        {t('popup_open_library')}
      </a>
    </main>
  );
}
