/**
 * The preview panel for one artifact: the full image (always an `<img>` with a blob URL, SVG included:
 * an SVG is never opened as a document, so its scripts never run in our origin), a player for voice
 * recordings and videos (`<audio>`/`<video>` of a blob: media elements run no script), or a type icon for
 * files; for a recording not saved yet, how long ChatGPT keeps it; its provenance (prompt, gen_id, seed, ids,
 * capture time, SHA-256); a link back to the conversation on ChatGPT; download; and delete after a
 * confirmation. It takes the focus when it opens, and Escape closes it (the library then gives the focus back
 * to the tile that opened it).
 */
import { Fragment } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { ArtifactRecord } from '@/utils/vault';
import { timeLeft } from '@/utils/library/expiry';
import { formatBytes } from '@/utils/library/storage-info';
import { FileTypeIcon } from './FileTypeIcon';
import { StatusBadge } from './StatusBadge';
import { displayName, hasThumbnail } from './ArtifactTile';
import { useBlobUrl } from './useBlobUrl';

export interface ArtifactPreviewProps {
  artifact: ArtifactRecord;
  conversationTitle: string | null;
  loadBlob: (sha256: string) => Promise<Blob | null>;
  /** Saves a copy (Library names it with the `File names` pattern). */
  onDownload: (artifact: ArtifactRecord, blob: Blob) => void;
  /** Called after the person confirmed. */
  onDelete: (artifact: ArtifactRecord) => void;
  onClose: () => void;
  confirm?: (message: string) => boolean;
  /** The clock (milliseconds), for how long an unsaved recording has left; injected in tests. */
  now?: () => number;
}

export function conversationUrl(conversationId: string): string {
  return `https://chatgpt.com/c/${encodeURIComponent(conversationId)}`;
}

const when = (ms: number | null) => (ms === null ? null : new Date(ms).toLocaleString());

export function ArtifactPreview({
  artifact: a, conversationTitle, loadBlob, onDownload, onDelete, onClose, confirm = (m) => globalThis.confirm(m), now = Date.now,
}: ArtifactPreviewProps) {
  const saved = a.status === 'saved' && a.sha256 !== null;
  const media = saved ? mediaOf(a.mimeType) : null;
  const left = saved ? null : timeLeft(a.expiresAt, now());
  const { url, blob } = useBlobUrl(saved ? a.sha256 : null, true, loadBlob);
  const name = displayName(a);
  const panel = useRef<HTMLDivElement>(null);
  useEffect(() => panel.current?.focus(), []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);
  const rows: Array<[string, string | number | null]> = [
    ['Kind', a.kind],
    ['Prompt', a.prompt],
    ['File name', a.fileName !== null ? name : null],
    ['Sandbox path', a.sandboxPath],
    ['gen_id', a.genId],
    ['Seed', a.seed],
    ['File id', a.fileId],
    ['Message id', a.messageId],
    ['Conversation id', a.conversationId],
    ['Type', a.mimeType],
    ['Size', a.size === null ? null : formatBytes(a.size)],
    ['Dimensions', a.width && a.height ? `${a.width} × ${a.height}` : null],
    ['Captured', when(a.capturedAt)],
    ['First seen', when(a.firstSeenAt)],
    ['Source', a.source],
    ['Expires', a.expiresAt == null ? null : when(a.expiresAt * 1000)],
    ['Canvas document id', a.textdocId ?? null],
    ['SHA-256', a.sha256],
  ];

  const remove = () => {
    const also = a.sha256 ? ' Its bytes stay while another artifact still uses them.' : '';
    if (confirm(`Delete "${name}" from the vault? This cannot be undone.${also}`)) onDelete(a);
  };

  return (
    <div ref={panel} tabIndex={-1} class="preview" role="dialog" aria-label={`Preview of ${name}`} data-testid="preview">
      <header class="preview-head">
        <h2 title={name}>{name}</h2>
        <button type="button" class="icon-button" onClick={onClose} aria-label="Close preview">×</button>
      </header>
      <div class="preview-media">
        {saved && hasThumbnail(a) ? (
          url ? <img src={url} alt={a.prompt ?? name} data-testid="preview-image" /> : <span class="thumb-placeholder" aria-hidden="true" />
        ) : media === 'audio' && url ? (
          <audio controls preload="metadata" src={url} aria-label={name} data-testid="preview-audio" />
        ) : media === 'video' && url ? (
          <video controls preload="metadata" src={url} aria-label={name} data-testid="preview-video" />
        ) : (
          <FileTypeIcon fileName={a.fileName} mimeType={a.mimeType} kind={a.kind} />
        )}
      </div>
      <div class="preview-status">
        <StatusBadge status={a.status} reason={a.reason} />
        {a.reason && <span class="muted"> {a.reason}</span>}
        {left && <p class="expiry" data-testid="preview-expiry">{left}</p>}
      </div>
      <div class="preview-actions">
        <button type="button" disabled={!blob} onClick={() => blob && onDownload(a, blob)}>Download</button>
        <a href={conversationUrl(a.conversationId)} target="_blank" rel="noopener noreferrer">Open conversation on ChatGPT</a>
        <button type="button" class="danger" onClick={remove}>Delete</button>
      </div>
      <dl class="provenance" data-testid="provenance">
        <dt>Conversation</dt>
        <dd>{conversationTitle ?? a.conversationTitle ?? 'Untitled'}</dd>
        {rows.filter(([, v]) => v !== null && v !== '').map(([k, v]) => (
          <Fragment key={k}>
            <dt>{k}</dt>
            <dd class={k === 'SHA-256' || k.endsWith('id') ? 'mono' : undefined}>{String(v)}</dd>
          </Fragment>
        ))}
      </dl>
    </div>
  );
}

/** Which player a saved file gets, by its sniffed type. */
function mediaOf(mimeType: string | null): 'audio' | 'video' | null {
  if (mimeType?.startsWith('audio/')) return 'audio';
  if (mimeType?.startsWith('video/')) return 'video';
  return null;
}
