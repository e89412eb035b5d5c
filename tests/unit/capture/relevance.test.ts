import { afterEach, describe, expect, it } from 'vitest';
import { isRelevantMutation, relevantSelector } from '@/utils/capture/content';
import { SELECTORS, anyOf } from '@/utils/chatgpt/selectors';

const selector = relevantSelector();
const relevant = isRelevantMutation(anyOf('composer'), selector);

let observer: MutationObserver | null = null;
afterEach(() => observer?.disconnect());

/** The records a real MutationObserver reports for `change`. */
async function recordsOf(root: HTMLElement, change: () => void): Promise<MutationRecord[]> {
  const records: MutationRecord[] = [];
  observer = new MutationObserver((rs) => records.push(...rs));
  observer.observe(root, { childList: true, subtree: true, attributes: true, attributeOldValue: true, attributeFilter: ['src', 'class', 'data-message-id'] });
  change();
  await new Promise((r) => setTimeout(r, 0));
  records.push(...observer.takeRecords());
  return records;
}

function page(): HTMLElement {
  const root = document.createElement('div');
  root.innerHTML = `
    <section data-turn-id="t1" data-turn="assistant"><div data-message-id="m1"><div class="markdown"><p>Hello</p></div></div></section>
    <div id="thread-bottom-container"><div id="prompt-textarea"></div></div>`;
  document.body.append(root);
  return root;
}

describe('which page mutations deserve a look', () => {
  it.each([
    ['a new turn', (r: HTMLElement) => r.insertAdjacentHTML('beforeend', '<section data-turn-id="t2"><div data-message-id="m2"></div></section>'), true],
    ['a generated image inside a known turn', (r: HTMLElement) => r.querySelector('.markdown')!.insertAdjacentHTML('beforeend', '<img alt="Generated image" src="x">'), true],
    ['a sandbox link', (r: HTMLElement) => r.querySelector('p')!.insertAdjacentHTML('beforeend', '<a href="sandbox:/mnt/data/a.csv">a</a>'), true],
    ['the stop button appearing', (r: HTMLElement) => r.insertAdjacentHTML('beforeend', '<button data-testid="stop-button"></button>'), true],
    ['a legacy streaming class going away', (r: HTMLElement) => {
      const p = r.querySelector('p')!;
      p.className = 'result-streaming';
      p.className = '';
    }, true],
    ['streamed text', (r: HTMLElement) => r.querySelector('p')!.append(' more words'), false],
    ['a paragraph of streamed markdown', (r: HTMLElement) => r.querySelector('.markdown')!.insertAdjacentHTML('beforeend', '<p>next</p>'), false],
    ['typing in the composer', (r: HTMLElement) => r.querySelector('#prompt-textarea')!.insertAdjacentHTML('beforeend', '<p>draft</p>'), false],
    ['an image attached in the composer', (r: HTMLElement) => r.querySelector('#thread-bottom-container')!.insertAdjacentHTML('beforeend', '<img alt="Generated image" src="y">'), false],
    ['a hover class', (r: HTMLElement) => r.querySelector('section')!.classList.add('hovered'), false],
  ] as [string, (r: HTMLElement) => void, boolean][])('%s: %s', async (_label, change, expected) => {
    const root = page();
    const records = await recordsOf(root, () => change(root));
    expect(records.length).toBeGreaterThan(0);
    expect(records.some(relevant)).toBe(expected);
    root.remove();
  });

  it('covers every selector list the look uses', () => {
    for (const name of ['turn', 'messageId', 'generatedImage', 'chartImage', 'sandboxLink', 'streaming'] as const) {
      for (const candidate of SELECTORS[name].candidates) expect(selector).toContain(candidate);
    }
  });
});
