import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  SELECTORS,
  artifactFingerprint,
  isStreaming,
  matchingCandidates,
  messageIdsInDom,
  queryAll,
  type SelectorName,
} from '@/utils/chatgpt/selectors';

const FIXTURES = join(import.meta.dirname, '../../fixtures/dom');

function load(name: string): Document {
  const doc = document.implementation.createHTMLDocument('fixture');
  doc.body.innerHTML = readFileSync(join(FIXTURES, name), 'utf8');
  return doc;
}

describe('selectors against committed page fixtures', () => {
  it.each([
    ['turns-2026.html', 'turn', ['section[data-turn-id]']],
    ['turns-2026-07.html', 'turn', ['[data-turn-key]']],
    ['turns-legacy.html', 'turn', ['article[data-testid^="conversation-turn-"]']],
    ['turns-2026.html', 'sandboxLink', ['.markdown button']],
    ['turns-legacy.html', 'sandboxLink', ['a[href^="sandbox:"]']],
    ['turns-legacy.html', 'streaming', ['[data-testid="stop-button"]', '.result-streaming']],
    ['turns-2026-07.html', 'streaming', ['[role="status"][aria-busy="true"]']],
    ['turns-2026.html', 'streaming', []],
  ] as [string, SelectorName, string[]][])('%s: %s matches %j', (file, name, expected) => {
    expect(matchingCandidates(load(file), name)).toEqual(expected);
  });

  it.each([
    ['turns-2026.html', ['aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-000000000002', 'aaaaaaaa-0000-4000-8000-000000000003']],
    ['turns-legacy.html', ['bbbbbbbb-0000-4000-8000-000000000001', 'bbbbbbbb-0000-4000-8000-000000000002']],
    ['turns-2026-07.html', ['cccccccc-0000-4000-8000-000000000001', 'cccccccc-0000-4000-8000-000000000002']],
  ])('%s: message ids joined to the JSON', (file, ids) => {
    expect(messageIdsInDom(load(file))).toEqual(ids);
  });

  it.each([
    ['turns-2026.html', false],
    ['turns-legacy.html', true],
    ['turns-2026-07.html', true],
  ])('%s: streaming is %s', (file, streaming) => {
    expect(isStreaming(load(file))).toBe(streaming);
  });

  it('never counts the composer (pending uploads are not artifacts)', () => {
    const doc = load('turns-2026.html');
    const images = queryAll(doc, 'generatedImage');
    expect(images.some((el) => el.closest('#thread-bottom-container'))).toBe(false);
    const links = queryAll(doc, 'sandboxLink').map((el) => el.textContent);
    expect(links).toEqual(['q3_revenue.csv']);
  });

  it('fingerprints artifacts without the aria-hidden blur copies', () => {
    // 3 message ids; generated-image matches: the image, its overlay actions and the estuary-served chart
    // (the broad estuary fallback; the blur copy is skipped); 1 chart; 1 sandbox link (not the composer's).
    expect(artifactFingerprint(load('turns-2026.html'))).toBe('3:3:1:1');
    expect(artifactFingerprint(load('turns-2026-07.html'))).toBe('2:1:0:0');
  });

  it('a page that adds a generated image changes the fingerprint', () => {
    const doc = load('turns-2026.html');
    const before = artifactFingerprint(doc);
    const wrap = doc.createElement('div');
    wrap.innerHTML = '<div class="group/imagegen-image"><img alt="Generated image" src="https://chatgpt.com/backend-api/estuary/content?id=file_new"></div>';
    doc.querySelector('section[data-turn="assistant"]')!.append(wrap);
    expect(artifactFingerprint(doc)).not.toBe(before);
  });

  it('every selector list is documented with candidates', () => {
    for (const [name, list] of Object.entries(SELECTORS)) {
      expect(list.candidates.length, name).toBeGreaterThan(0);
      expect(list.purpose, name).not.toBe('');
    }
  });
});
