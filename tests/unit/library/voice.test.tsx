/**
 * Voice recordings in the library: a saved one plays in the preview (an `<audio>` of a blob), one not saved
 * yet says how long ChatGPT keeps it.
 */
import { describe, expect, it } from 'vitest';
import { recordRefs } from '@/utils/vault';
import { click, countingApi, freshDb, manualVisibility, mount, ref, seedSaved, until } from './helpers';

const WAV = new Uint8Array([...new TextEncoder().encode('RIFF'), 36, 0, 0, 0, ...new TextEncoder().encode('WAVEfmt '), 16, 0, 0, 0, 1, 0, 1, 0]);

async function setup() {
  const db = freshDb();
  await seedSaved(db, ref({ kind: 'audio', fileId: 'file_00000000b0b0b0b0b0b0b0b0b0b0b001', fileName: 'voice-1.wav' }), WAV, 'audio/wav', Date.now(), 'Plant question');
  const expiresAt = Date.now() / 1000 + 12 * 86400 + 3600;
  await recordRefs(db, [ref({ kind: 'audio', fileId: 'file_00000000b0b0b0b0b0b0b0b0b0b0b002', fileName: 'voice-2.wav', expiresAt })], { source: 'live', conversationTitle: 'Plant question' });
  const vis = manualVisibility();
  const root = await mount({ api: countingApi(db), observeVisible: vis.observe });
  await until(() => root.querySelectorAll('[data-testid="artifact"]').length === 2);
  return root;
}

const tile = (root: HTMLElement, name: string) =>
  [...root.querySelectorAll('[data-testid="artifact"]')].find((t) => t.textContent?.includes(name))!;

describe('voice recordings in the library', () => {
  it('a saved recording plays in the preview from a blob URL', async () => {
    const root = await setup();
    await click(tile(root, 'voice-1.wav').querySelector('button'));
    const dialog = root.querySelector<HTMLElement>('[data-testid="preview"]')!;
    await until(() => dialog.querySelector('[data-testid="preview-audio"]') !== null);
    const audio = dialog.querySelector('[data-testid="preview-audio"]')!;
    expect(audio.tagName).toBe('AUDIO');
    expect(audio.getAttribute('src')).toMatch(/^blob:/);
    expect(audio.hasAttribute('controls')).toBe(true);
    expect(dialog.querySelector('[data-testid="preview-expiry"]')).toBeNull();
  });

  it('a recording not saved yet shows how long it has left', async () => {
    const root = await setup();
    await click(tile(root, 'voice-2.wav').querySelector('button'));
    const dialog = root.querySelector<HTMLElement>('[data-testid="preview"]')!;
    expect(dialog.querySelector('[data-testid="preview-audio"]')).toBeNull();
    expect(dialog.querySelector('[data-testid="preview-expiry"]')!.textContent).toBe('ChatGPT deletes it in 12 days');
  });
});
