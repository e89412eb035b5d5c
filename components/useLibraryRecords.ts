/**
 * The library's records, loaded in two steps so the first tiles do not wait for the whole vault: the newest
 * screenful (read by index), painted at once; then every record, after that paint. At 100,000 artifacts
 * the full read takes seconds, the first screen tens of milliseconds (bench/library.ts). The vault is not
 * counted first: an IndexedDB `count()` of 100,000 records took 640 ms, longer than the first screen.
 */
import { useCallback, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ArtifactRecord, ConversationRecord } from '@/utils/vault';
import type { LibraryApi } from '@/utils/library/api';
import { FIRST_SCREEN } from '@/utils/library/listing';

export interface LibraryRecords {
  /** null until the first screen is read; then the newest records, then all of them. */
  records: ArtifactRecord[] | null;
  conversations: ConversationRecord[];
  /** Whether `records` holds every artifact (search, filters and counts are over all of them). */
  complete: boolean;
  loadError: string | null;
  /** Counts finished full loads (each reload), for views that refresh with the list. */
  revision: number;
  /** Reads every record again (after a delete or a restore); the current list stays shown meanwhile. */
  reload: () => Promise<void>;
  /** Drops a deleted artifact from the list at once (a full reload of a big vault takes seconds). */
  forget: (id: string) => void;
}

/** Resolves after the browser has painted what is rendered now. */
function afterPaint(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => setTimeout(resolve, 0));
    else setTimeout(resolve, 0);
  });
}

export function useLibraryRecords(api: LibraryApi, firstScreen: number = FIRST_SCREEN): LibraryRecords {
  const [state, setState] = useState<Omit<LibraryRecords, 'reload' | 'forget'>>({
    records: null, conversations: [], complete: false, loadError: null, revision: 0,
  });
  // Only the latest load may write: a reload started during the first full read wins over it.
  const generation = useRef(0);

  const loadAll = useCallback(async (gen: number) => {
    const [list, conversations] = await Promise.all([api.listArtifacts(), api.listConversations()]);
    if (gen !== generation.current) return;
    setState((s) => ({ ...s, records: list, conversations, complete: true, loadError: null, revision: s.revision + 1 }));
  }, [api]);

  const fail = (gen: number, error: unknown) => {
    if (gen === generation.current) setState((s) => ({ ...s, loadError: (error as Error).message }));
  };

  const reload = useCallback(async () => {
    const gen = ++generation.current;
    try {
      await loadAll(gen);
    } catch (error) {
      fail(gen, error);
    }
  }, [loadAll]);

  // A layout effect: the first read starts in the task that renders the page shell, not after its paint.
  useLayoutEffect(() => {
    const gen = ++generation.current;
    void (async () => {
      try {
        const newest = await api.listNewestArtifacts(firstScreen);
        // Fewer than asked for: that is every artifact.
        const complete = newest.length < firstScreen;
        const conversations = await api.listConversations(complete ? undefined : newest.map((r) => r.conversationId));
        if (gen !== generation.current) return;
        setState((s) => ({ ...s, records: newest, conversations, complete, revision: complete ? s.revision + 1 : s.revision }));
        if (complete) return;
        await afterPaint();
        await loadAll(gen);
      } catch (error) {
        fail(gen, error);
      }
    })();
    return () => {
      generation.current++;
    };
  }, [api, firstScreen, loadAll]);

  const forget = useCallback((id: string) => {
    setState((s) => ({ ...s, records: s.records?.filter((r) => r.id !== id) ?? null }));
  }, []);

  return { ...state, reload, forget };
}
