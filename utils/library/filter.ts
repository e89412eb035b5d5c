/**
 * Search and filters for the library page. Pure functions over records (never blobs), cheap enough to
 * run on every keystroke over 10,000 artifacts: each record's searchable text is built once and cached
 * by identity and `updatedAt`.
 */
import type { ArtifactKind, ArtifactSource, ArtifactStatus } from '@/utils/model';
import type { ArtifactRecord } from '@/utils/vault';

export interface LibraryFilter {
  /** Free text; every word must appear in the prompt, file name or conversation title. */
  text: string;
  kind: ArtifactKind | 'all';
  status: ArtifactStatus | 'all';
  source: ArtifactSource | 'all';
}

export const NO_FILTER: LibraryFilter = { text: '', kind: 'all', status: 'all', source: 'all' };

const haystacks = new WeakMap<ArtifactRecord, { title: string | null; text: string }>();

/**
 * Lower-case text searched for a record: prompt, file name (and sandbox path), conversation title (the
 * current one from `titles` when given). Cached per record object until the title changes.
 */
function searchText(r: ArtifactRecord, titles?: ReadonlyMap<string, string | null>): string {
  const title = titles?.get(r.conversationId) ?? r.conversationTitle;
  const cached = haystacks.get(r);
  if (cached && cached.title === title) return cached.text;
  const text = [r.prompt, r.fileName, r.sandboxPath, title].filter(Boolean).join('\n').toLowerCase();
  haystacks.set(r, { title, text });
  return text;
}

/** Splits a query into lower-case words; quotes are not special. */
function queryWords(text: string): string[] {
  return text.toLowerCase().split(/\s+/).filter(Boolean);
}

/** The records matching `f`; the query is split once, not once per record. */
export function filterArtifacts(
  records: readonly ArtifactRecord[],
  f: LibraryFilter,
  titles?: ReadonlyMap<string, string | null>,
): ArtifactRecord[] {
  const words = queryWords(f.text);
  if (words.length === 0 && f.kind === 'all' && f.status === 'all' && f.source === 'all') return records.slice();
  return records.filter((r) => {
    if (f.kind !== 'all' && r.kind !== f.kind) return false;
    if (f.status !== 'all' && r.status !== f.status) return false;
    if (f.source !== 'all' && r.source !== f.source) return false;
    if (words.length === 0) return true;
    const hay = searchText(r, titles);
    return words.every((w) => hay.includes(w));
  });
}
