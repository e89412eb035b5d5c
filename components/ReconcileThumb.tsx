/**
 * A table thumbnail for a report item whose picture the vault holds: the bytes are read from the vault
 * (by SHA-256) only once the row scrolls into view, and shown only when they are an image.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { useBlobUrl, type ObserveVisible } from './useBlobUrl';

export interface ReconcileThumbProps {
  sha256: string;
  loadBlob: (sha256: string) => Promise<Blob | null>;
  observeVisible: ObserveVisible;
}

export function ReconcileThumb({ sha256, loadBlob, observeVisible }: ReconcileThumbProps) {
  const ref = useRef<HTMLSpanElement>(null);
  const [visible, setVisible] = useState(false);
  useEffect(() => (ref.current ? observeVisible(ref.current, () => setVisible(true)) : undefined), [sha256]);
  const { url, blob } = useBlobUrl(sha256, visible, loadBlob);
  const picture = url !== null && (blob?.type ?? '').startsWith('image/');
  return (
    <span ref={ref} class="reconcile-thumb" data-testid="reconcile-thumb">
      {picture ? <img src={url} alt="" decoding="async" /> : <span class="thumb-placeholder" aria-hidden="true" />}
    </span>
  );
}
