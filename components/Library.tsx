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
import { saveBlob } from '@/utils/library/download';
import { filterArtifacts, NO_FILTER, type LibraryFilter } from '@/utils/library/filter';
import { groupArtifacts } from '@/utils/library/groups';
import { backupFileName, readableArchiveName, selectionZipName } from '@/utils/library/names';
import { ArtifactPreview, conversationUrl } from './ArtifactPreview';
import { ArtifactTile } from './ArtifactTile';
import { BackupControls } from './BackupControls';
import { BackupEverything } from './BackupEverything';
import { CaptureSettings } from './CaptureSettings';
import { LibraryFilters } from './LibraryFilters';
import { LibraryGrid } from './LibraryGrid';
import { LiveAnnouncer } from './LiveAnnouncer';
import { ReconcileView } from './ReconcileView';
import { StoragePanel } from './StoragePanel';
import { observeWithIntersectionObserver, type ObserveVisible } from './useBlobUrl';
import { useLibraryRecords } from './useLibraryRecords';

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
      setMessage('None of the selected artifacts has saved bytes to download.');
      return;
    }
    setMessage(`Preparing ${withBytes.length} files…`);
    try {
      save(await api.zipSelection(withBytes, titles), selectionZipName(withBytes, titles));
      const skipped = chosen.length - withBytes.length;
      setMessage(`Downloaded ${withBytes.length} files${skipped ? ` (${skipped} without saved bytes skipped)` : ''}.`);
    } catch (error) {
      setMessage(`Could not build the ZIP: ${(error as Error).message}`);
    }
  };

  const root = useRef<HTMLDivElement>(null);
  // Back to the tile that opened the preview, so a keyboard user goes on from where they were.
  const closePreview = () => {
    setPreviewId(null);
    const tile = [...(root.current?.querySelectorAll<HTMLElement>('[data-testid="artifact"]') ?? [])].find((t) => t.dataset.id === previewId);
    tile?.querySelector<HTMLElement>('.tile-open')?.focus();
  };

  const [readableBusy, setReadableBusy] = useState(false);
  /** The readable archive of the vault, or of the selection (its artifacts and their conversations). */
  const downloadReadable = async () => {
    setReadableBusy(true);
    setMessage(selected.size > 0 ? `Writing the readable archive of ${selected.size} selected files…` : 'Writing the readable archive…');
    try {
      const { blob, summary } = await api.writeReadable(selected.size > 0 ? selected : undefined);
      save(blob, readableArchiveName());
      setMessage(`Readable archive downloaded: ${summary.conversations} conversations, ${summary.assets} files${summary.notSaved ? `, ${summary.notSaved} named as not saved` : ''}.`);
    } catch (error) {
      setMessage(`Could not write the readable archive: ${(error as Error).message}`);
    } finally {
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
          <h1>Artifact Vault</h1>
          <StoragePanel nav={nav} refreshKey={revision} />
        </div>
        <details class="settings-menu">
          <summary>Settings</summary>
          <CaptureSettings requestDownloads={requestDownloads} />
        </details>
        <div class="head-actions">
          <BackupEverything onFinished={() => void reload()} />
          <button type="button" aria-pressed={reconcileShown === true} onClick={() => setReconcileShown(!reconcileShown)}>Reconcile</button>
          <button type="button" disabled={readableBusy} onClick={() => void downloadReadable()}>Download readable archive</button>
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
        <div class="selection-bar" role="region" aria-label="Selection" data-testid="selection-bar">
          <span>{selected.size} selected</span>
          <button type="button" onClick={() => void downloadSelection()}>Download selected as ZIP</button>
          <button type="button" onClick={() => setSelected(new Set())}>Clear selection</button>
        </div>
      )}
      {message && <p class="message">{message}</p>}
      <LiveAnnouncer text={message ?? ''} final testId="library-announce" />

      <div class={`library-body${preview ? ' with-preview' : ''}`}>
        {loadError ? (
          <p role="alert">Could not open the vault: {loadError}</p>
        ) : records === null || (!complete && shown.length === 0) ? (
          <p class="empty">Loading…</p>
        ) : records.length === 0 ? (
          <p class="empty" data-testid="empty">
            Nothing saved yet. Open a conversation on ChatGPT: images, charts and files are saved as they appear.
          </p>
        ) : shown.length === 0 ? (
          <p class="empty" data-testid="no-match">No artifact matches this search.</p>
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
                <button type="button" class="link-button" onClick={() => selectConversation(id)} aria-label={`Select all in ${titles.get(id) ?? id}`}>
                  Select all
                </button>
                <a href={conversationUrl(id)} target="_blank" rel="noopener noreferrer">Open in ChatGPT</a>
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
            onDownload={(_a, blob, name) => save(blob, name)}
            onDelete={(a) => void remove(a)}
            onClose={closePreview}
            confirm={confirm}
          />
        )}
      </div>
      <footer class="library-foot">
        <a href="/privacy.txt" target="_blank" rel="noopener">Privacy policy</a>
      </footer>
    </div>
  );
}
