import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SELECTORS, anyOf, isStreaming, messageIdsOf, type SelectorName } from '@/utils/chatgpt/selectors';

/** The message ids in `root`, in document order, as the content script collects them from added nodes. */
function messageIdsWithin(root: ParentNode): string[] {
  return [...root.querySelectorAll(anyOf('messageId'))].flatMap(messageIdsOf);
}

/** Artifact-looking elements as the content script counts them: outside the composer, no aria-hidden copies. */
function artifactsWithin(root: ParentNode): Element[] {
  const selector = (['generatedImage', 'chartImage', 'sandboxLink'] as const).map(anyOf).join(', ');
  return [...root.querySelectorAll(selector)].filter((a) => a.getAttribute('aria-hidden') !== 'true' && !a.closest(anyOf('composer')));
}

/** Which candidates of a list match in `root`: each dated fallback is checked on its own. */
function matchingCandidates(root: ParentNode, name: SelectorName): string[] {
  return SELECTORS[name].candidates.filter((c) => root.querySelector(c) !== null);
}

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
    expect([...new Set(messageIdsWithin(load(file).documentElement))]).toEqual(ids);
  });

  it('message ids of one added subtree only', () => {
    const doc = load('turns-2026.html');
    const turns = doc.querySelectorAll('section[data-turn-id]');
    expect(messageIdsWithin(turns[turns.length - 1]!)).toEqual(['aaaaaaaa-0000-4000-8000-000000000002', 'aaaaaaaa-0000-4000-8000-000000000003']);
    expect(messageIdsWithin(turns[0]!)).toEqual(['aaaaaaaa-0000-4000-8000-000000000001']);
  });

  it.each([
    ['turns-2026.html', false],
    ['turns-legacy.html', true],
    ['turns-2026-07.html', true],
  ])('%s: streaming is %s', (file, streaming) => {
    expect(isStreaming(load(file))).toBe(streaming);
  });

  it('never counts the composer or the aria-hidden blur copies', () => {
    const doc = load('turns-2026.html');
    const found = artifactsWithin(doc.documentElement);
    expect(found.some((el) => el.closest('#thread-bottom-container'))).toBe(false);
    expect(found.some((el) => el.getAttribute('aria-hidden') === 'true')).toBe(false);
    const links = found.filter((el) => el.matches('.markdown button, a[href^="sandbox:"]')).map((el) => el.textContent);
    expect(links).toEqual(['q3_revenue.csv']);
    // the image, its overlay actions and the estuary-served chart (broad fallback), plus the chart by alt text
    expect(found).toHaveLength(4);
  });

  it('every selector list is documented with candidates', () => {
    for (const [name, list] of Object.entries(SELECTORS)) {
      expect(list.candidates.length, name).toBeGreaterThan(0);
      expect(list.purpose, name).not.toBe('');
    }
  });
});
