import { describe, expect, it } from 'vitest';
import type { ArtifactRef } from '@/utils/model';
import type { LibraryFile } from '@/utils/chatgpt/library-files';
import { matchItems, type ExportAsset, type ExportSide } from '@/utils/reconcile/match';
import type { VaultArtifact } from '@/utils/reconcile/vault-side';

const ref = (over: Partial<ArtifactRef>): ArtifactRef => ({
  kind: 'image', conversationId: 'c1', messageId: 'm1', fallbackMessageId: null, fileId: null, genId: null, prompt: null, seed: null,
  fileName: null, sandboxPath: null, mimeType: null, size: null, width: null, height: null, createTime: null, onCurrentPath: true, ...over,
});
const art = (over: Partial<VaultArtifact>): VaultArtifact => ({
  id: 'x', kind: 'image', conversationId: 'c1', messageId: 'm1', fileId: null, genId: null, fileName: null, sandboxPath: null, mimeType: null,
  status: 'saved', sha256: 'v'.repeat(64), size: 1, conversationTitle: null, ...over,
});
const asset = (fileId: string, sha256: string): ExportAsset => ({ fileId, member: `${fileId}.dat`, sha256, size: 1, originalName: 'x', mimeType: null, kindHint: 'image' });
const lib = (over: Partial<LibraryFile>): LibraryFile => ({
  fileId: 'file_l', libraryFileId: null, fileName: null, genId: null, conversationId: null, messageId: null, mimeType: null, size: null, category: null, ...over,
});
const side = (over: Partial<ExportSide>): ExportSide => ({ conversationIds: new Set(['c1']), refs: [], library: [], assets: new Map(), ...over });
const statuses = (items: ReturnType<typeof matchItems>) => items.map((m) => `${m.item.fileId ?? m.item.genId ?? m.item.sandboxPath}:${m.item.status}`).sort();

describe('matchItems: the edge rules of docs/FORMATS.md section 2', () => {
  it('merges by gen_id whether or not the export has the bytes, but not across two different file ids', () => {
    const exp = side({ refs: [ref({ fileId: 'file_a', genId: 'g1' }), ref({ fileId: 'file_b', genId: 'g2' })] });
    const items = matchItems(exp, [art({ id: 'gen:g1', genId: 'g1' }), art({ id: 'file:file_z', fileId: 'file_z', genId: 'g2' })]);
    expect(statuses(items)).toEqual(['file_a:recovered', 'file_b:lost', 'file_z:recovered']);
  });

  it('a library_files row gives its gen_id to the merge', () => {
    const exp = side({ library: [lib({ fileId: 'file_l', fileName: 'l.png', genId: 'gl', conversationId: 'c1', messageId: 'lm' })], assets: new Map([['file_l', asset('file_l', 'v'.repeat(64))]]) });
    const items = matchItems(exp, [art({ id: 'gen:gl', genId: 'gl' })]);
    expect(items).toHaveLength(1);
    expect(items[0]!.item).toMatchObject({ status: 'matched', identical: true, fileId: 'file_l', genId: 'gl' });
  });

  it('sandbox paths: decoded and NFC-compared per conversation; one path in two conversations is two identities', () => {
    const exp = side({
      conversationIds: new Set(['c1', 'c2']),
      refs: [ref({ kind: 'sandbox-file', sandboxPath: '/mnt/data/caf\u00e9 (v2).csv' }), ref({ kind: 'sandbox-file', conversationId: 'c2', sandboxPath: '/mnt/data/caf\u00e9 (v2).csv' })],
    });
    const items = matchItems(exp, [art({ id: 's', kind: 'sandbox-file', sandboxPath: '/mnt/data/cafe\u0301%20(v2).csv' })]);
    expect(items.map((m) => [m.item.conversationId, m.item.status])).toEqual([['c1', 'recovered'], ['c2', 'lost']]);
  });

  it('SHA-256 is the last resort and only claims an export item nothing else claimed', () => {
    const exp = side({ assets: new Map([['file_a', asset('file_a', 'a'.repeat(64))], ['file_b', asset('file_b', 'a'.repeat(64))]]) });
    const items = matchItems(exp, [
      art({ id: 'file:file_a', fileId: 'file_a', sha256: 'a'.repeat(64) }),
      art({ id: 'gen:g9', genId: 'g9', sha256: 'a'.repeat(64), conversationId: 'gone' }),
    ]);
    expect(statuses(items)).toEqual(['file_a:matched', 'file_b:matched']);
    expect(items.every((m) => m.item.identical === true)).toBe(true);
  });

  it('a vault artifact without bytes is lost whether or not its conversation is in the export; with bytes it is recovered or vault-only', () => {
    const items = matchItems(side({}), [
      art({ id: 'file:a', fileId: 'file_1', status: 'expired', sha256: null }),
      art({ id: 'file:b', fileId: 'file_2', status: 'failed', sha256: null, conversationId: 'gone' }),
      art({ id: 'file:c', fileId: 'file_3' }),
      art({ id: 'file:d', fileId: 'file_4', conversationId: 'gone' }),
    ]);
    expect(statuses(items)).toEqual(['file_1:lost', 'file_2:lost', 'file_3:recovered', 'file_4:vault-only']);
  });

  it('sandbox files never take export bytes, even with a file id', () => {
    const exp = side({ refs: [ref({ kind: 'sandbox-file', sandboxPath: '/mnt/data/a.csv', fileId: 'file_s' })], assets: new Map([['file_s', asset('file_s', 'b'.repeat(64))]]) });
    const items = matchItems(exp, []);
    const sandbox = items.find((m) => m.item.kind === 'sandbox-file')!;
    expect(sandbox.item.exportMember).toBeNull();
    expect(sandbox.item.status).toBe('lost');
  });

  it('canvas documents and research reports match by their identity, not as new items', () => {
    const exp = side({
      refs: [
        ref({ kind: 'canvas', textdocId: 'td1', messageId: 'm7' }),
        ref({ kind: 'canvas', textdocId: 'td1@v1', messageId: 'm3' }),
        ref({ kind: 'research', messageId: 'm9' }),
      ],
    });
    const items = matchItems(exp, [
      art({ id: 'canvas:c1:td1', kind: 'canvas', messageId: 'm7' }),
      art({ id: 'research:c1:m9', kind: 'research', messageId: 'm9' }),
    ]);
    expect(items.map((m) => [m.item.kind, m.item.messageId, m.item.status]).sort()).toEqual([
      ['canvas', 'm3', 'lost'], ['canvas', 'm7', 'recovered'], ['research', 'm9', 'recovered'],
    ]);
  });

  it('a library row naming only its libfile id folds into the upload whose attachment points at it; its category, type and conversation are read', () => {
    const exp = side({
      refs: [{ ...ref({ kind: 'upload', fileId: 'file_u', fileName: 'Lease.pdf' }), libraryFileId: 'libfile_1' }],
      library: [
        lib({ fileId: 'libfile_1', fileName: 'Lease.pdf', conversationId: 'c1', mimeType: 'application/pdf', size: 10 }),
        lib({ fileId: 'file_v', fileName: 'clip.mp4', mimeType: 'video/mp4', conversationId: 'c1' }),
        lib({ fileId: 'file_g', fileName: 'poster.png', category: 'image_gen', conversationId: 'c1' }),
      ],
    });
    const items = matchItems(exp, []);
    expect(items.map((m) => [m.item.kind, m.item.fileId]).sort()).toEqual([['image', 'file_g'], ['upload', 'file_u'], ['video', 'file_v']]);
  });
});
