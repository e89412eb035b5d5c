/**
 * The toolbar popup (docs/FORMATS.md section 4). On a ChatGPT conversation: its title, counts (saved / pending /
 * expired / failed) and `Back up this conversation`; while that backup runs, a progressbar and the current
 * step (the run lives in the background: closing the popup does not stop it, reopening shows it live); when
 * it ends, the counts, what was new, and `Download this conversation` (a vault archive of that conversation
 * alone). On any other tab: what the extension does, the vault's totals, and a link to the library.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { conversationRunId } from '@/utils/backup/checkpoint';
import { parseChatRoute } from '@/utils/chatgpt/routes';
import { conversationFileName } from '@/utils/library/names';
import { saveBlob } from '@/utils/library/download';
import type { ArtifactStatus } from '@/utils/model';
import { sendMessage, type BackupStatus, type ConversationStatus } from '@/utils/messaging';
import { countByStatus, getVaultDb } from '@/utils/vault';
import { parseCatchUpState, type CatchUpResult } from '@/utils/catch-up/state';
import { catchUpResultText } from './reasons';
import { catchUpState } from '@/utils/storage';
import { createBlobSink, writeVaultArchive } from '@/utils/archive';
import { BackupProgress } from './BackupProgress';
import { StorageFullNotice } from './StorageFullNotice';
import { formatTime, t, tn } from '@/utils/i18n';

export interface ActiveTab {
  id: number | null;
  /** Known for ChatGPT tabs (host permission); null elsewhere. */
  url: string | null;
}

export interface PopupProps {
  /** Injected in tests; defaults to the active tab. */
  getTab?: () => Promise<ActiveTab>;
  /** The vault's totals on non-conversation tabs (default: read from the vault). */
  getTotals?: () => Promise<Record<ArtifactStatus, number>>;
  /** Builds and saves `Download this conversation` (default: vault archive of that conversation alone). */
  downloadConversation?: (conversationId: string, title: string | null) => Promise<void>;
  pollMs?: number;
  /** Catch-up's last check (default: its stored state, with how many of the files it queued are saved). */
  getCatchUp?: () => Promise<CatchUpLine | null>;
}

/** What the popup says about catch-up's last check. */
export interface CatchUpLine {
  lastCheck: number;
  result: CatchUpResult | null;
  queued: number;
  saved: number;
}

async function lastCatchUp(): Promise<CatchUpLine | null> {
  const state = parseCatchUpState(await catchUpState.getValue());
  if (state.lastCheck === null) return null;
  const records = await getVaultDb().artifacts.bulkGet(state.queued);
  return { lastCheck: state.lastCheck, result: state.result, queued: state.queued.length, saved: records.filter((r) => r?.status === 'saved').length };
}


async function activeTab(): Promise<ActiveTab> {
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return { id: tab?.id ?? null, url: tab?.url ?? null };
}

async function downloadArchive(conversationId: string, title: string | null): Promise<void> {
  const sink = createBlobSink();
  await writeVaultArchive(getVaultDb(), sink.writable, { conversationId });
  saveBlob(sink.toBlob(), conversationFileName(title ?? conversationId));
}

export function Popup({
  getTab = activeTab,
  getTotals = () => countByStatus(getVaultDb()),
  downloadConversation = downloadArchive,
  pollMs = 500,
  getCatchUp = lastCatchUp,
}: PopupProps) {
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
    const s = t.id != null ? await sendMessage('tabStatus', { tabId: t.id }).catch(() => null) : null;
    setStatus(s);
    const r = t.url ? parseChatRoute(t.url) : null;
    const id = (r?.kind === 'conversation' ? r.conversationId : null) ?? s?.conversationId ?? null;
    if (id) setBackup(await sendMessage('backupStatus', { runId: conversationRunId(id) }).catch(() => null));
    else setTotals(await getTotals().catch(() => null));
  }, []);

  useEffect(() => {
    void (async () => {
      void getCatchUp().then(setCatchUp).catch(() => undefined);
      const t = await getTab();
      setTab(t);
      await refresh(t);
    })();
  }, []);

  const live = backup?.state === 'running' || backup?.state === 'paused';
  useEffect(() => {
    if (!live || !tab) return;
    const timer = setInterval(() => void refresh(tab), pollMs);
    return () => clearInterval(timer);
  }, [live, tab, pollMs]);

  const start = async () => {
    if (!conversationId) return;
    setBusy(true);
    setMessage(null);
    try {
      const origin = tab?.url ? new URL(tab.url).origin : undefined;
      setBackup(await sendMessage('backupStart', { scope: 'conversation', conversationId, origin, ...(tab?.id != null ? { tabId: tab.id } : {}) }));
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
      const n = await sendMessage('retryFailed', { conversationId });
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
      await downloadConversation(conversationId, status?.title ?? null);
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
      <a href={browser.runtime.getURL('/library.html')} target="_blank" rel="noreferrer">
        {t('popup_open_library')}
      </a>
    </main>
  );
}
