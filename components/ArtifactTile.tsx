/**
 * One gallery tile: a lazily loaded thumbnail for images and charts (bytes are read only once the tile
 * scrolls into view), or a type icon for files, then the name, the status badge and a selection
 * checkbox. Activating the tile opens the preview.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ArtifactRecord } from '@/utils/vault';
import { safeFileName } from '@/utils/files/safe-file-name';
import { FileTypeIcon } from './FileTypeIcon';
import { StatusBadge } from './StatusBadge';
import { useBlobUrl, type ObserveVisible } from './useBlobUrl';
import { t } from '@/utils/i18n';

export interface ArtifactTileProps {
  artifact: ArtifactRecord;
  selected: boolean;
  onToggleSelect: (id: string) => void;
  onOpen: (id: string) => void;
  loadBlob: (sha256: string) => Promise<Blob | null>;
  observeVisible: ObserveVisible;
  /** Its place in its conversation's list (the gallery is virtualized, so the DOM alone cannot tell). */
  position?: { posinset: number; setsize: number };
}

/** Whether an artifact is shown as a picture (always through `<img>`, SVG included). */
export function hasThumbnail(a: ArtifactRecord): boolean {
  return a.status === 'saved' && a.sha256 !== null && (a.mimeType ?? '').startsWith('image/');
}

/** The name shown for an artifact: its file name through the one safe-name rule (no bidi tricks on screen either). */
export function displayName(a: ArtifactRecord): string {
  return (a.fileName !== null ? safeFileName(a.fileName, a.kind, 200) : null) ?? a.prompt?.slice(0, 60) ?? `${a.kind} ${a.fileId ?? a.genId ?? ''}`.trim();
}

export function ArtifactTile({ artifact: a, selected, onToggleSelect, onOpen, loadBlob, observeVisible, position }: ArtifactTileProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [visible, setVisible] = useState(false);
  const thumb = hasThumbnail(a);
  useEffect(() => {
    if (!thumb || !ref.current) return;
    return observeVisible(ref.current, () => setVisible(true));
  }, [thumb]);
  const { url } = useBlobUrl(thumb ? a.sha256 : null, visible, loadBlob);
  const name = displayName(a);

  return (
    <div ref={ref} class={`tile${selected ? ' tile-selected' : ''}`} data-testid="artifact" data-id={a.id} data-status={a.status} role="listitem" aria-posinset={position?.posinset} aria-setsize={position?.setsize}>
      <button type="button" class="tile-open" onClick={() => onOpen(a.id)} aria-label={t('tile_open', name)} title={a.prompt ?? name}>
        <span class="tile-media">
          {thumb ? (
            url ? <img src={url} alt="" decoding="async" draggable={false} /> : <span class="thumb-placeholder" aria-hidden="true" />
          ) : (
            <FileTypeIcon fileName={a.fileName} mimeType={a.mimeType} kind={a.kind} />
          )}
        </span>
      </button>
      <div class="tile-meta">
        <input
          type="checkbox"
          class="tile-check"
          checked={selected}
          onChange={() => onToggleSelect(a.id)}
          aria-label={t('tile_select', name)}
        />
        <span class="tile-name" title={name}>{name}</span>
        <StatusBadge status={a.status} reason={a.reason} />
      </div>
    </div>
  );
}
