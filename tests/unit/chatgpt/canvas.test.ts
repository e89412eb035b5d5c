// @vitest-environment node
/** The textdocs route's answer (docs/CHATGPT.md 4.6): documents by id, and every unknown shape as a note with its JSON path. */
import { describe, expect, it } from 'vitest';
import { parseTextdocs, rebuildCanvases } from '@/utils/chatgpt/canvas';

describe('parseTextdocs', () => {
  it('reads each document\'s id, text, version, title and type', () => {
    const { docs, skipped } = parseTextdocs([
      { id: 'doc1', version: 3, content: '# Plan\n', title: 'Plan', textdoc_type: 'document', comments: [], updated_at: '2026-01-02T03:04:05Z' },
      { id: 'doc2', content: 'print(1)\n' },
    ]);
    expect(skipped).toEqual([]);
    expect([...docs.values()]).toEqual([
      { textdocId: 'doc1', content: '# Plan\n', version: 3, title: 'Plan', type: 'document' },
      { textdocId: 'doc2', content: 'print(1)\n', version: null, title: null, type: null },
    ]);
  });

  it('keeps the highest version when a document is listed twice, in any order', () => {
    const v = (version: number) => ({ id: 'doc1', version, content: `v${version}` });
    expect(parseTextdocs([v(2), v(5), v(3)]).docs.get('doc1')!.content).toBe('v5');
    expect(parseTextdocs([v(5), v(2)]).docs.get('doc1')!.content).toBe('v5');
  });

  it('an empty text is a document (a canvas the person cleared)', () => {
    expect(parseTextdocs([{ id: 'doc1', content: '' }]).docs.get('doc1')!.content).toBe('');
  });

  it.each([
    [{ textdocs: [] }, '$: the textdocs answer is an object, not an array (skipped)'],
    [null, '$: the textdocs answer is null, not an array (skipped)'],
    ['[]', '$: the textdocs answer is a string, not an array (skipped)'],
  ])('an answer that is not an array (%j) is a note, not a crash', (json, note) => {
    const { docs, skipped } = parseTextdocs(json);
    expect(docs.size).toBe(0);
    expect(skipped).toEqual([note]);
  });

  it('skips each unusable entry with its path and keeps the others', () => {
    const { docs, skipped } = parseTextdocs([7, { content: 'x' }, { id: 'doc1', content: { ops: [] } }, { id: 'doc2', content: 'ok' }, [], { id: '', content: 'x' }]);
    expect([...docs.keys()]).toEqual(['doc2']);
    expect(skipped).toEqual([
      '$[0]: is not an object (skipped)',
      '$[1].id: missing or not a string (skipped)',
      '$[2].content: missing or not a string (skipped)',
      '$[4]: is not an object (skipped)',
      '$[5].id: missing or not a string (skipped)',
    ]);
  });
});

describe('rebuildCanvases: update patterns from the JSON', () => {
  const create = { key: 'c', recipient: 'canmore.create_textdoc', body: JSON.stringify({ name: 'Doc', type: 'document', content: `${'a'.repeat(40)}!` }), createTime: 1, order: 0 };
  const update = (pattern: string, replacement = 'X') =>
    ({ key: 'u', recipient: 'canmore.update_textdoc', body: JSON.stringify({ updates: [{ pattern, multiple: false, replacement }] }), createTime: 2, order: 1 });
  const rebuild = (pattern: string) => {
    const problems: string[] = [];
    const [doc] = rebuildCanvases([create, update(pattern)], () => null, (_key, reason) => problems.push(reason));
    return { versions: doc!.versions.map((v) => v.text()), problems };
  };

  it.each(['(a+)+$', '(a|aa)*b', '(.*a){25}', '(a)\\1', '(?<x>a)\\k<x>', 'a*a*a*a*b'])('skips %s with a note instead of running it', (pattern) => {
    const { versions, problems } = rebuild(pattern);
    expect(versions).toHaveLength(1);
    expect(problems).toEqual(['canmore.update_textdoc with an unusable or unbounded pattern (skipped)']);
  });

  it.each([['.*', 'X'], ['a{3}', 'Xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!'], ['a+!', 'X'], ['[a(+)]+!', 'X']])('applies %s', (pattern, expected) => {
    const { versions, problems } = rebuild(pattern);
    expect(problems).toEqual([]);
    expect(versions[1]).toBe(expected);
  });
});

describe('rebuildCanvases: one compiled pattern serves every update that repeats it', () => {
  const call = (order: number, body: object, recipient = 'canmore.update_textdoc') => ({ key: `k${order}`, recipient, body: JSON.stringify(body), createTime: order, order });

  it('a global pattern applied again, in this and another document, replaces from the start each time', () => {
    const edit = { updates: [{ pattern: 'b', multiple: true, replacement: 'B' }], textdoc_id: 'd1' };
    const calls = [
      call(0, { name: 'One', type: 'document', content: 'ab ab ab' }, 'canmore.create_textdoc'),
      call(1, edit),
      call(2, { updates: [{ pattern: 'B', multiple: false, replacement: 'b' }], textdoc_id: 'd1' }),
      call(3, edit),
      call(4, { name: 'Two', type: 'document', content: 'bb' }, 'canmore.create_textdoc'),
      call(5, { ...edit, textdoc_id: 'd2' }),
    ];
    const ids = ['d1', 'd1', 'd1', 'd1', 'd2', 'd2'];
    const docs = rebuildCanvases(calls, (key) => ({ key, canvas: { textdoc_id: ids[Number(key.slice(1))] } }), () => undefined);
    expect(docs.map((d) => d.versions.map((v) => v.text()))).toEqual([
      ['ab ab ab', 'aB aB aB', 'ab aB aB', 'aB aB aB'],
      ['bb', 'BB'],
    ]);
  });
});
