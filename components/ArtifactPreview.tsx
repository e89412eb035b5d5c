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
import { timeLeft, type TimeLeft } from '@/utils/library/expiry';
import { formatDateTime, formatSize, t, tn, type MessageKey } from '@/utils/i18n';
import { KIND_NAME_KEYS, SOURCE_KEYS } from './labels';
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

const when = (ms: number | null) => (ms === null ? null : formatDateTime(ms));

function expiryText(left: TimeLeft): string {
  if (left.unit === 'gone') return t('preview_expiry_gone');
  return left.unit === 'days' ? tn('preview_expiry_days', left.count) : tn('preview_expiry_hours', left.count);
}

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
  // [label, value, shown in monospace (ids and hashes)]
  const rows: Array<[MessageKey, string | number | null, boolean?]> = [
    ['preview_field_kind', t(KIND_NAME_KEYS[a.kind])],
    ['preview_field_prompt', a.prompt],
    ['preview_field_file_name', a.fileName !== null ? name : null],
    ['preview_field_sandbox_path', a.sandboxPath],
    ['preview_field_gen_id', a.genId, true],
    ['preview_field_seed', a.seed],
    ['preview_field_file_id', a.fileId, true],
    ['preview_field_message_id', a.messageId, true],
    ['preview_field_conversation_id', a.conversationId, true],
    ['preview_field_type', a.mimeType],
    ['preview_field_size', a.size === null ? null : formatSize(a.size)],
    ['preview_field_dimensions', a.width && a.height ? t('preview_dimensions', a.width, a.height) : null],
    ['preview_field_captured', when(a.capturedAt)],
    ['preview_field_first_seen', when(a.firstSeenAt)],
    ['preview_field_source', t(SOURCE_KEYS[a.source])],
    ['preview_field_expires', a.expiresAt == null ? null : when(a.expiresAt * 1000)],
    ['preview_field_canvas_id', a.textdocId ?? null, true],
    ['preview_field_sha256', a.sha256, true],
  ];

  const remove = () => {
    if (confirm(a.sha256 ? t('preview_delete_confirm_shared', name) : t('preview_delete_confirm', name))) onDelete(a);
  };

  return (
    <div ref={panel} tabIndex={-1} class="preview" role="dialog" aria-label={t('preview_label', name)} data-testid="preview">
      <header class="preview-head">
        <h2 title={name}>{name}</h2>
        <button type="button" class="icon-button" onClick={onClose} aria-label={t('preview_close')}>×</button>
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
        {left && <p class="expiry" data-testid="preview-expiry">{expiryText(left)}</p>}
      </div>
      <div class="preview-actions">
        <button type="button" disabled={!blob} onClick={() => blob && onDownload(a, blob)}>{t('preview_download')}</button>
        <a href={conversationUrl(a.conversationId)} target="_blank" rel="noopener noreferrer">{t('preview_open_conversation')}</a>
        <button type="button" class="danger" onClick={remove}>{t('preview_delete')}</button>
      </div>
      <dl class="provenance" data-testid="provenance">
        <dt>{t('preview_field_conversation')}</dt>
        <dd>{conversationTitle ?? a.conversationTitle ?? t('common_untitled')}</dd>
        {rows.filter(([, v]) => v !== null && v !== '').map(([k, v, mono]) => (
          <Fragment key={k}>
            <dt>{t(k)}</dt>
            <dd class={mono ? 'mono' : undefined}>{String(v)}</dd>
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
