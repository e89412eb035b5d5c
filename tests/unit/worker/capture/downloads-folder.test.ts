// @vitest-environment node
import { resolveObjectURL } from 'node:buffer';
import { describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { copyToDownloadsFolder } from '@/utils/worker/capture/downloads-folder';
import { namePatternOrDefault } from '@/utils/files/name-pattern';
import type { ArtifactRecord } from '@/utils/vault';
import { chunkTypes, pngWithText, textChunks } from '../../files/images';

function rec(over: Partial<ArtifactRecord>): ArtifactRecord {
  return {
    id: 'file:x', kind: 'image', conversationId: '69f1a2b3-4c5d', messageId: 'm1', fallbackMessageId: null, fileId: 'file_abc', genId: null,
    prompt: null, seed: null, fileName: null, sandboxPath: null, width: null, height: null, createTime: null,
    status: 'saved', reason: null, sha256: 'a'.repeat(64), size: 1, declaredSize: null, mimeType: 'image/png', source: 'live',
    capturedAt: new Date(2026, 10, 22, 10).getTime(), firstSeenAt: 0, updatedAt: 0, conversationTitle: null, attempts: 0,
    ...over,
  };
}

const NAME_ONLY = { pattern: namePatternOrDefault('{name}'), writePrompt: false };

async function copy(record: ArtifactRecord, blob: Blob, opts = NAME_ONLY) {
  const download = vi.spyOn(fakeBrowser.downloads, 'download').mockResolvedValue(undefined);
  const note = await copyToDownloadsFolder(record, blob, opts);
  expect(download).toHaveBeenCalledTimes(1);
  const { filename, url } = download.mock.calls[0]![0];
  return { path: filename, note, bytes: new Uint8Array(await resolveObjectURL(url)!.arrayBuffer()) };
}

describe('Downloads-folder copies', () => {
  it('files each capture under the folder and the conversation title', async () => {
    const r = rec({ kind: 'sandbox-file', conversationTitle: 'Q3: report / draft', fileName: 'q3_revenue.csv', mimeType: 'text/csv' });
    expect((await copy(r, new Blob(['a,b']))).path).toBe('ChatGPT Artifact Vault/Q3 report draft/q3_revenue.csv');
  });

  it('falls back to the conversation id and the artifact kind and id when names are missing', async () => {
    expect((await copy(rec({}), new Blob(['x']))).path).toBe('ChatGPT Artifact Vault/69f1a2b3/image-file_abc.png');
  });

  it('strips bidi and zero-width characters from the folder and the file name', async () => {
    const r = rec({ conversationTitle: 'Bills\u200B\u2067', conversationId: 'c1', fileName: 'invoice\u202Egpj.exe', mimeType: null });
    expect((await copy(r, new Blob(['x']))).path).toBe('ChatGPT Artifact Vault/Bills/invoicegpj.exe');
  });

  it('names the file by the File names pattern', async () => {
    const r = rec({ conversationTitle: 'Lake', fileName: 'sunset-file_abc.png', prompt: 'Sunset over lake', createTime: new Date(2026, 2, 14).getTime() / 1000 });
    expect((await copy(r, new Blob(['x']), { pattern: namePatternOrDefault(null), writePrompt: false })).path)
      .toBe('ChatGPT Artifact Vault/Lake/2026-03-14 Sunset over lake - sunset-file_abc.png');
  });

  it('writes the prompt into the copy when asked, and keeps a malformed image as it was with the reason', async () => {
    const r = rec({ fileName: 'fox.png', prompt: 'A red fox' });
    const good = await copy(r, new Blob([pngWithText()], { type: 'image/png' }), { pattern: NAME_ONLY.pattern, writePrompt: true });
    expect(good.note).toBeNull();
    expect(chunkTypes(good.bytes)).toContain('iTXt');
    expect(textChunks(good.bytes)).toEqual([['Description', 'A red fox']]);
    vi.restoreAllMocks();
    const broken = pngWithText().slice(0, 40);
    const bad = await copy(r, new Blob([broken], { type: 'image/png' }), { pattern: NAME_ONLY.pattern, writePrompt: true });
    expect(bad.note).toMatch(/PNG/);
    expect(bad.bytes).toEqual(broken);
  });
});
