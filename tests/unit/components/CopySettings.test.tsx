import { afterEach, describe, expect, it } from 'vitest';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { CopySettings, type CopySettingsProps } from '@/components/CopySettings';
import { fileNamePattern, promptInCopies } from '@/utils/storage';
import type { ArtifactRecord } from '@/utils/vault';
import { click, type, until } from '../library/helpers';

const containers: HTMLElement[] = [];
afterEach(() => {
  for (const c of containers.splice(0)) {
    render(null, c);
    c.remove();
  }
});

async function mount(props: CopySettingsProps) {
  const c = document.createElement('div');
  document.body.append(c);
  containers.push(c);
  await act(() => {
    render(<CopySettings {...props} />, c);
  });
  await until(() => c.querySelector('input') !== null);
  const input = c.querySelector<HTMLInputElement>('#file-name-pattern')!;
  const preview = () => c.querySelector('[data-testid="name-preview"]')!.textContent;
  const error = () => c.querySelector('[data-testid="name-pattern-error"]')?.textContent ?? null;
  return { c, input, preview, error };
}

const record = (over: Partial<ArtifactRecord> = {}): ArtifactRecord => ({
  id: 'file:x', kind: 'image', conversationId: 'c1', messageId: 'm1', fallbackMessageId: null, fileId: 'file_x', genId: null,
  prompt: 'A red fox in snow', seed: null, fileName: 'fox-file_x.png', sandboxPath: null, width: null, height: null,
  createTime: new Date(2026, 0, 5, 12).getTime() / 1000, status: 'saved', reason: null, sha256: 'a'.repeat(64), size: 1, declaredSize: null,
  mimeType: 'image/png', source: 'live', capturedAt: 0, firstSeenAt: 0, updatedAt: 0, conversationTitle: 'Foxes', attempts: 0, ...over,
});

describe('CopySettings', () => {
  it('previews the default pattern on a sample when the vault is empty', async () => {
    const { preview, error, input } = await mount({ example: null });
    expect(input.value).toBe('{date} {prompt|title} - {name}');
    expect(preview()).toBe('2026-03-14 A watercolor sunset over a quiet mountain lake - sunset-over-lake-file_7Qx2.png');
    expect(error()).toBeNull();
    expect(input.getAttribute('aria-invalid')).toBe('false');
  });

  it('previews a real artifact live as the pattern is typed, and saves it', async () => {
    const { input, preview } = await mount({ example: record(), exampleTitle: 'Fox ideas' });
    expect(preview()).toBe('2026-01-05 A red fox in snow - fox-file_x.png');
    await type(input, '{title}/{kind} {id}');
    expect(preview()).toBe('Fox ideas image file_x.png');
    await until(() => preview() === 'Fox ideas image file_x.png');
    expect(await fileNamePattern.getValue()).toBe('{title}/{kind} {id}');
  });

  it('says what is wrong with an invalid pattern and previews the default it falls back to', async () => {
    const { input, preview, error, c } = await mount({ example: record() });
    await type(input, '{date} {nope}');
    expect(error()).toMatch(/Unknown token \{nope\}.*The default pattern is used until this is fixed/);
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(preview()).toBe('2026-01-05 A red fox in snow - fox-file_x.png');
    await click([...c.querySelectorAll('button')].find((b) => b.textContent === 'Use the default pattern')!);
    expect(input.value).toBe('{date} {prompt|title} - {name}');
    expect(error()).toBeNull();
    expect(await fileNamePattern.getValue()).toBe('{date} {prompt|title} - {name}');
  });

  it('keeps the prompt option off by default, says what it changes, and saves it', async () => {
    const { c } = await mount({ example: null });
    const box = [...c.querySelectorAll('label')].find((l) => l.textContent.includes('Write the prompt into downloaded copies'))!.querySelector('input')!;
    expect(box.checked).toBe(false);
    const note = c.querySelector(`#${box.getAttribute('aria-describedby')!}`)!.textContent;
    expect(note).toContain('This changes the file');
    expect(note).toContain('content credentials (C2PA)');
    expect(note).toContain('exactly as captured');
    await click(box);
    await until(() => box.checked);
    expect(await promptInCopies.getValue()).toBe(true);
  });
});
