/**
 * The library page (`/library.html`, docs/FORMATS.md section 4). Layout: a header with the vault's status
 * (storage), its actions (`Back up everything`, `Reconcile`, the readable archive, `Download backup` /
 * `Restore backup`) and the capture settings; the search and filter bar; a selection
 * bar; the virtualized gallery (grouped by day, then conversation); and the preview panel on the right.
 *
 * It lists records only, never a blob: the newest screenful first, then the rest after that paint
 * (useLibraryRecords); thumbnails are read one by one as tiles scroll into view. Everything vault-side
 * goes through an injectable `LibraryApi`.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ArtifactRecord } from '@/utils/vault';
import { createLibraryApi, type LibraryApi } from '@/utils/library/api';
import { ReadableRunError } from '@/utils/readable-page/client';
import { artifactCopy, saveBlob } from '@/utils/library/download';
import { filterArtifacts, NO_FILTER, type LibraryFilter } from '@/utils/library/filter';
import { groupArtifacts } from '@/utils/library/groups';
import { copySettings } from '@/utils/storage';
import { backupFileName, readableArchiveName, selectionZipName } from '@/utils/library/download-names';
import { ArtifactPreview, conversationUrl } from './ArtifactPreview';
import { ArtifactTile } from './ArtifactTile';
import { BackupControls } from './BackupControls';
import { BackupEverything } from './BackupEverything';
import { CaptureSettings } from './CaptureSettings';
import { CopySettings } from './CopySettings';
import { LibraryFilters } from './LibraryFilters';
import { LibraryGrid } from './LibraryGrid';
import { LiveAnnouncer } from './LiveAnnouncer';
import { ReconcileView } from './ReconcileView';
import { StoragePanel } from './StoragePanel';
import { observeWithIntersectionObserver, type ObserveVisible } from './useBlobUrl';
import { useLibraryRecords } from './useLibraryRecords';
import { t, tn } from '@/utils/i18n';

export interface LibraryProps {
  api?: LibraryApi;
  observeVisible?: ObserveVisible;
  confirm?: (message: string) => boolean;
  /** Saves a Blob as a download (default: `<a download>` with a blob URL). */
  save?: (blob: Blob, fileName: string) => void;
  nav?: Navigator;
  requestDownloads?: () => Promise<boolean>;
}

export function Library({
  api: given,
  observeVisible = observeWithIntersectionObserver,
  confirm = (m) => globalThis.confirm(m),
  save = (blob, name) => saveBlob(blob, name),
  nav,
  requestDownloads,
}: LibraryProps) {
  const api = useMemo(() => given ?? createLibraryApi(), [given]);
  const { records, conversations, complete, loadError, revision, reload, forget } = useLibraryRecords(api);
  const [filter, setFilter] = useState<LibraryFilter>(NO_FILTER);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [previewId, setPreviewId] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  // null until first opened; then the view stays mounted (hidden) so a run survives a look at the gallery.
  const [reconcileShown, setReconcileShown] = useState<boolean | null>(null);

  const titles = useMemo(() => new Map(conversations.map((c) => [c.id, c.title])), [conversations]);
  const shown = useMemo(() => (records ? filterArtifacts(records, filter, titles) : []), [records, filter, titles]);
  const days = useMemo(() => groupArtifacts(shown, titles), [shown, titles]);
  // Built on first use (a preview, a download), not on every list: a 100,000-entry Map costs ~50 ms.
  const byId = useMemo(() => {
    let map: Map<string, ArtifactRecord> | null = null;
    return (id: string) => (map ??= new Map((records ?? []).map((r) => [r.id, r]))).get(id);
  }, [records]);
  const preview = previewId ? byId(previewId) ?? null : null;
  // What the File names preview shows: a saved file with a prompt says the most.
  const nameExample = useMemo(() => records?.find((r) => r.status === 'saved' && r.prompt) ?? records?.[0] ?? null, [records]);
  // Forget selected ids that a delete or restore removed.
  useEffect(() => {
    if (!complete) return;
    setSelected((old) => (old.size === 0 || [...old].every((id) => byId(id)) ? old : new Set([...old].filter((id) => byId(id)))));
  }, [byId, complete]);
  const loadBlob = useCallback((sha: string) => api.getBlob(sha), [api]);

  const toggle = useCallback((id: string) => {
    setSelected((old) => {
      const next = new Set(old);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);
  const selectConversation = (conversationId: string) => {
    setSelected((old) => {
      const next = new Set(old);
      for (const r of shown) if (r.conversationId === conversationId) next.add(r.id);
      return next;
    });
  };

  const downloadSelection = async () => {
    const chosen = [...selected].map((id) => byId(id)).filter((r): r is ArtifactRecord => r !== undefined);
    const withBytes = chosen.filter((r) => r.status === 'saved');
    if (withBytes.length === 0) {
      setMessage(t('library_selection_none_saved'));
      return;
    }
    setMessage(tn('library_selection_preparing', withBytes.length));
    try {
      const { blob, notes } = await api.zipSelection(withBytes, titles, await copySettings());
      save(blob, selectionZipName(withBytes, titles));
      const skipped = chosen.length - withBytes.length;
      const done = skipped ? tn('library_selection_downloaded_skipping', withBytes.length, skipped) : tn('library_selection_downloaded', withBytes.length);
      const unchanged = notes.length ? ` ${tn('library_selection_prompt_kept_out', notes.length, `${notes.slice(0, 3).join('; ')}${notes.length > 3 ? '…' : ''}`)}` : '';
      setMessage(`${done}${unchanged}`);
    } catch (error) {
      setMessage(t('library_selection_zip_failed', (error as Error).message));
    }
  };

  /** One artifact from the preview: named by the `File names` pattern, with its prompt when that is on. */
  const downloadOne = async (a: ArtifactRecord, blob: Blob) => {
    const copy = await artifactCopy(a, blob, titles.get(a.conversationId) ?? null, await copySettings());
    save(copy.blob, copy.name);
    setMessage(copy.note ? `Downloaded ${copy.name} without its prompt: ${copy.note}.` : null);
  };

  const root = useRef<HTMLDivElement>(null);
  // Back to the tile that opened the preview, so a keyboard user goes on from where they were.
  const closePreview = () => {
    setPreviewId(null);
    const tile = [...(root.current?.querySelectorAll<HTMLElement>('[data-testid="artifact"]') ?? [])].find((t) => t.dataset.id === previewId);
    tile?.querySelector<HTMLElement>('.tile-open')?.focus();
  };

  const [readableBusy, setReadableBusy] = useState(false);
  const readableRun = useRef<AbortController | null>(null);
  /**
   * The readable archive of the vault, or of the selection (its artifacts and their conversations), rendered
   * in its worker (utils/readable-page/) with progress here and `Cancel`.
   */
  const downloadReadable = async () => {
    const run = (readableRun.current = new AbortController());
    setReadableBusy(true);
    setMessage(selected.size > 0 ? tn('library_readable_writing_selected', selected.size) : t('library_readable_writing'));
    try {
      const { blob, summary } = await api.writeReadable(selected.size > 0 ? selected : undefined, (await copySettings()).pattern, {
        signal: run.signal,
        onProgress: (p) => setMessage(t('library_readable_progress', tn('count_conversations', p.conversations), tn('count_files', p.assets))),
      });
      save(blob, readableArchiveName());
      const counts = [tn('count_conversations', summary.conversations), tn('count_files', summary.assets)] as const;
      setMessage(summary.notSaved ? t('library_readable_done_not_saved', ...counts, summary.notSaved) : t('library_readable_done', ...counts));
    } catch (error) {
      setMessage(error instanceof ReadableRunError && error.cancelled ? t('library_readable_cancelled') : t('library_readable_failed', (error as Error).message));
    } finally {
      readableRun.current = null;
      setReadableBusy(false);
    }
  };

  const remove = async (a: ArtifactRecord) => {
    await api.deleteArtifact(a.id);
    setPreviewId(null);
    forget(a.id);
    await reload();
  };

  return (
    <div ref={root} class={`library${reconcileShown ? ' show-reconcile' : ''}`}>
      {/* One header, three parts: the vault's status, the actions on the vault, the settings. A running
          `Back up everything` and the restore report take a full-width row under them (style.css). */}
      <header class="library-head">
        <div class="head-status">
          <h1>{t('library_header_title')}</h1>
          <StoragePanel nav={nav} refreshKey={revision} />
        </div>
        <details class="settings-menu">
          <summary>{t('library_header_settings')}</summary>
          <div class="settings-panel">
            <CaptureSettings requestDownloads={requestDownloads} />
            <CopySettings example={nameExample} exampleTitle={nameExample ? titles.get(nameExample.conversationId) ?? null : null} />
          </div>
        </details>
        <div class="head-actions">
          <BackupEverything onFinished={() => void reload()} />
          <button type="button" aria-pressed={reconcileShown === true} onClick={() => setReconcileShown(!reconcileShown)}>{t('library_header_reconcile')}</button>
          <button type="button" disabled={readableBusy} onClick={() => void downloadReadable()}>{t('library_header_download_readable')}</button>
          {readableBusy && <button type="button" onClick={() => readableRun.current?.abort()}>{t('common_cancel')}</button>}
          <BackupControls
            onDownload={async () => save(await api.writeBackup(), backupFileName())}
            onRestore={async (file) => {
              const result = await api.restoreBackup(file);
              await reload();
              return result;
            }}
          />
        </div>
      </header>

      {reconcileShown !== null && (
        <div class="reconcile-pane" hidden={!reconcileShown}><ReconcileView save={save} loadBlob={loadBlob} observeVisible={observeVisible} /></div>
      )}
      <LibraryFilters filter={filter} onChange={setFilter} shown={shown.length} total={records?.length ?? 0} complete={complete} />

      {selected.size > 0 && (
        <div class="selection-bar" role="region" aria-label={t('library_selection_region')} data-testid="selection-bar">
          <span>{t('library_selection_count', selected.size)}</span>
          <button type="button" onClick={() => void downloadSelection()}>{t('library_selection_download')}</button>
          <button type="button" onClick={() => setSelected(new Set())}>{t('library_selection_clear')}</button>
        </div>
      )}
      {message && <p class="message">{message}</p>}
      <LiveAnnouncer text={message ?? ''} final testId="library-announce" />

      <div class={`library-body${preview ? ' with-preview' : ''}`}>
        {loadError ? (
          <p role="alert">{t('library_load_error', loadError)}</p>
        ) : records === null || (!complete && shown.length === 0) ? (
          <p class="empty">{t('library_loading')}</p>
        ) : records.length === 0 ? (
          <p class="empty" data-testid="empty">{t('library_empty')}</p>
        ) : shown.length === 0 ? (
          <p class="empty" data-testid="no-match">{t('library_no_match')}</p>
        ) : (
          <LibraryGrid
            days={days}
            renderTile={(a, position) => (
              <ArtifactTile
                key={a.id}
                position={position}
                artifact={a}
                selected={selected.has(a.id)}
                onToggleSelect={toggle}
                onOpen={setPreviewId}
                loadBlob={loadBlob}
                observeVisible={observeVisible}
              />
            )}
            renderConversationActions={(id) => (
              <span class="conversation-actions">
                <button type="button" class="link-button" onClick={() => selectConversation(id)} aria-label={t('library_select_all_in', titles.get(id) ?? id)}>
                  {t('library_select_all')}
                </button>
                <a href={conversationUrl(id)} target="_blank" rel="noopener noreferrer">{t('common_open_in_chatgpt')}</a>
              </span>
            )}
          />
        )}
        {preview && (
          <ArtifactPreview
            key={preview.id}
            artifact={preview}
            conversationTitle={titles.get(preview.conversationId) ?? null}
            loadBlob={loadBlob}
            onDownload={(a, blob) => void downloadOne(a, blob)}
            onDelete={(a) => void remove(a)}
            onClose={closePreview}
            confirm={confirm}
          />
        )}
      </div>
      <footer class="library-foot">
        <a href="/privacy.txt" target="_blank" rel="noopener">{t('library_footer_privacy')}</a>
      </footer>
    </div>
  );
}
