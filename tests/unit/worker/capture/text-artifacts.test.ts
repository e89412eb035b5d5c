// @vitest-environment node
/**
 * Canvas documents' current texts from the textdocs route (`withTextdocs`): preferred to the texts rebuilt from
 * the messages, the rebuilt one kept as an earlier version when they differ, and every non-answer (404,
 * refusal, error, unknown shape) a fallback to the rebuild. Texts are those of tests/fixtures/conversations/canvas-2025.json.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { withTextdocs } from '@/utils/worker/capture/text-artifacts';
import { walkConversation } from '@/utils/chatgpt/walker';
import type { ArtifactRef } from '@/utils/model';

const fixture = (name: string) => JSON.parse(readFileSync(resolve(__dirname, '../../../fixtures/conversations', name), 'utf8')) as unknown;
const DOC = '67b0c0ffee0000000000ca01';
const CODE = '67b0c0ffee0000000000ca02';
const V1 = '# Trip plan\n\nDay 1: Lisbon.\nDay 2: Sintra.\n';
const V2 = '# Trip plan\n\nDay 1: Lisbon.\nDay 2: Sintra.\nDay 3: Porto ($40 train).\n';
const CODE_TEXT = 'for d in ["Lisbon", "Sintra", "Porto"]:\n    print(d)\n';
/** The person edited the plan in the canvas: a text no message holds. */
const EDITED = `${V2}Day 4: back home.\n`;

const canvasRefs = () => walkConversation(fixture('canvas-2025.json')).refs;
const texts = (refs: ArtifactRef[]) => refs.map((r) => [r.textdocId, r.fileName, r.text]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
const REBUILT = [
  [DOC, 'trip-plan.md', V2],
  [`${DOC}@v1`, 'trip-plan (v1).md', V1],
  [CODE, 'print-days.py', CODE_TEXT],
];

afterEach(() => vi.restoreAllMocks());

describe('withTextdocs', () => {
  it('takes each document\'s text from the route and keeps the rebuilt one as the next earlier version when they differ', async () => {
    const read = vi.fn(async () => JSON.stringify([
      { id: DOC, version: 3, content: EDITED, title: 'Trip plan', textdoc_type: 'document' },
      { id: CODE, version: 1, content: CODE_TEXT, title: 'print_days', textdoc_type: 'code/python' },
    ]));
    const refs = await withTextdocs(canvasRefs(), read);
    expect(read).toHaveBeenCalledTimes(1);
    expect(texts(refs)).toEqual([
      [DOC, 'trip-plan.md', EDITED],
      [`${DOC}@v1`, 'trip-plan (v1).md', V1],
      [`${DOC}@v2`, 'trip-plan (v2).md', V2],
      [CODE, 'print-days.py', CODE_TEXT],
    ]);
    const kept = refs.find((r) => r.textdocId === `${DOC}@v2`)!;
    expect(kept).toMatchObject({ kind: 'canvas', mimeType: 'text/markdown', conversationId: 'cacacaca-0000-4000-8000-000000000001' });
  });

  it('a document the route does not list keeps its rebuilt text', async () => {
    const refs = await withTextdocs(canvasRefs(), async () => JSON.stringify([{ id: CODE, content: '# changed\n' }]));
    expect(texts(refs)).toEqual([
      [DOC, 'trip-plan.md', V2],
      [`${DOC}@v1`, 'trip-plan (v1).md', V1],
      [`${CODE}@v1`, 'print-days (v1).py', CODE_TEXT],
      [CODE, 'print-days.py', '# changed\n'],
    ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))));
  });

  it.each([
    ['no answer (404, refusal)', async () => null],
    ['a failed read', async () => { throw new Error('ChatGPT answered (HTTP 500)'); }],
    ['an answer that is not JSON', async () => '<html>'],
    ['an object, not an array', async () => JSON.stringify({ textdocs: [{ id: DOC, content: EDITED }] })],
    ['entries without text', async () => JSON.stringify([{ id: DOC, text: EDITED }])],
  ])('%s: the texts rebuilt from the messages', async (_, read) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(texts(await withTextdocs(canvasRefs(), read))).toEqual(REBUILT);
    // What was wrong is said, with the JSON path for a shape (nothing to say for a plain 404).
    if (warn.mock.calls.length > 0) expect(String(warn.mock.calls[0]![0])).toMatch(/textdocs of cacacaca-0000-4000-8000-000000000001: (\$|not read)/);
  });

  it('names the JSON path of an unknown shape', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await withTextdocs(canvasRefs(), async () => JSON.stringify([{ id: DOC, content: EDITED }, { id: CODE, content: 42 }]));
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual(['[artifact-vault] textdocs of cacacaca-0000-4000-8000-000000000001: $[1].content: missing or not a string (skipped)']);
  });

  it('a conversation without canvas documents is never asked about (each read spends the rate budget)', async () => {
    const read = vi.fn(async () => '[]');
    const refs = walkConversation(fixture('mixed-2026.json')).refs;
    expect(await withTextdocs(refs, read)).toBe(refs);
    // Earlier versions alone (the latest filtered out) are no reason to ask either.
    expect(await withTextdocs(canvasRefs().filter((r) => r.textdocId?.includes('@v')), read)).toHaveLength(1);
    expect(read).not.toHaveBeenCalled();
  });
});
