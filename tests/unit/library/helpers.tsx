import { Blob as NodeBlob } from 'node:buffer';
import { createHash } from 'node:crypto';
import Dexie from 'dexie';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach } from 'vitest';
import type { ArtifactRef } from '@/utils/model';
import { createVaultDb, recordRefs, saveSnapshot, type VaultDb } from '@/utils/vault';
import { Library, type LibraryProps } from '@/components/Library';
import { createLibraryApi, type LibraryApi } from '@/utils/library/api';
import type { ObserveVisible } from '@/components/useBlobUrl';

const opened: VaultDb[] = [];
const containers: HTMLElement[] = [];
let counter = 0;

export function freshDb(): VaultDb {
  const db = createVaultDb(`library-test-${process.pid}-${++counter}-${Math.random().toString(36).slice(2)}`);
  opened.push(db);
  return db;
}

afterEach(async () => {
  for (const c of containers.splice(0)) {
    render(null, c);
    c.remove();
  }
  for (const db of opened.splice(0)) {
    db.close();
    await Dexie.delete(db.name);
  }
});

export function ref(over: Partial<ArtifactRef> = {}): ArtifactRef {
  return {
    kind: 'image', conversationId: 'c1', messageId: 'm1', fallbackMessageId: null, fileId: 'file_a', genId: null, prompt: null,
    seed: null, fileName: null, sandboxPath: null, mimeType: null, size: null, width: null, height: null, createTime: null,
    onCurrentPath: true, ...over,
  };
}

/**
 * Records a reference and stores bytes for it. The bytes go in as a node:buffer Blob: happy-dom's Blob
 * does not survive fake-indexeddb's structuredClone (docs/TOOLCHAIN.md F3), so saveBytes cannot be used here.
 */
export async function seedSaved(db: VaultDb, r: ArtifactRef, bytes: Uint8Array, mimeType: string, capturedAt: number, title: string | null = null) {
  await recordRefs(db, [r], { source: 'live', conversationTitle: title });
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const id = r.kind === 'sandbox-file' ? `sandbox:${r.conversationId}:${r.sandboxPath}` : r.fileId ? `file:${r.fileId}` : `gen:${r.genId}`;
  if (!(await db.blobs.get(sha256))) {
    await db.blobs.put({ sha256, blob: new NodeBlob([bytes], { type: mimeType }) as unknown as Blob, size: bytes.length, mimeType });
  }
  await db.artifacts.update(id, { status: 'saved', sha256, size: bytes.length, mimeType, capturedAt });
  return { id, sha256 };
}

export async function seedSnapshot(db: VaultDb, id: string, title: string) {
  await saveSnapshot(db, { conversation_id: id, title, update_time: 1776042590, mapping: {} });
}

/** An IntersectionObserver stand-in the test drives: nothing is "visible" until `showAll()`. */
export function manualVisibility() {
  const waiting = new Map<Element, () => void>();
  const observe: ObserveVisible = (el, onVisible) => {
    waiting.set(el, onVisible);
    return () => waiting.delete(el);
  };
  return {
    observe,
    pending: () => waiting.size,
    showAll: async () => {
      await act(() => {
        for (const [el, cb] of [...waiting]) {
          waiting.delete(el);
          cb();
        }
      });
    },
  };
}

/** Counts getBlob calls, to prove listing reads no bytes. */
export function countingApi(db: VaultDb): LibraryApi & { blobReads: string[] } {
  const api = createLibraryApi(db);
  const blobReads: string[] = [];
  return {
    ...api,
    blobReads,
    getBlob: (sha) => {
      blobReads.push(sha);
      return api.getBlob(sha);
    },
  };
}

export async function mount(props: LibraryProps): Promise<HTMLElement> {
  const container = document.createElement('div');
  document.body.append(container);
  containers.push(container);
  await act(() => {
    render(<Library {...props} />, container);
  });
  return container;
}

/** Lets pending promises and effects run until `check` passes (at most `tries` macrotask turns). */
export async function until(check: () => boolean, tries = 200): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (check()) return;
    await act(async () => {
      await new Promise((r) => setTimeout(r, 0));
    });
  }
  if (!check()) throw new Error('condition not met');
}

export async function type(input: HTMLInputElement, value: string) {
  await act(() => {
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

export async function choose(select: HTMLSelectElement, value: string) {
  await act(() => {
    select.value = value;
    select.dispatchEvent(new Event('change', { bubbles: true }));
  });
}

export async function click(el: Element | null) {
  if (!el) throw new Error('nothing to click');
  await act(() => {
    (el as HTMLElement).click();
  });
}
