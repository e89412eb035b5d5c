/**
 * The library page (`/library.html`): every saved artifact. This first version lists records (never
 * blobs) grouped by conversation; the gallery, search and archive controls grow here.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ArtifactRecord } from '@/utils/vault';
import { getVaultDb, listArtifacts } from '@/utils/vault';

export interface LibraryProps {
  load?: () => Promise<ArtifactRecord[]>;
}

export function Library({ load = () => listArtifacts(getVaultDb()) }: LibraryProps) {
  const [items, setItems] = useState<ArtifactRecord[] | null>(null);
  useEffect(() => {
    void load().then(setItems);
  }, []);
  if (!items) return <p>Loading…</p>;
  return (
    <main>
      <h1>Artifact Vault</h1>
      <p data-testid="artifact-count">{items.length} artifacts</p>
      <ul>
        {items.map((a) => (
          <li key={a.id} data-testid="artifact" data-status={a.status}>
            {a.fileName ?? a.id} — {a.status}
            {a.reason ? ` (${a.reason})` : ''}
          </li>
        ))}
      </ul>
    </main>
  );
}
