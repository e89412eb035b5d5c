import { describe, expect, it } from 'vitest';
import { filterItems, NO_RECONCILE_FILTER, type ReconcileFilter } from '@/utils/reconcile-page/filter';
import type { ReportItem } from '@/utils/reconcile-page/report-types';

const item = (over: Partial<ReportItem>): ReportItem => ({
  status: 'matched', kind: 'image', conversationId: 'c1', messageId: 'm1', fileId: null, genId: null, fileName: null,
  sandboxPath: null, exportMember: null, vaultSha256: null, identical: null, ...over,
});

const ITEMS = [
  item({ fileId: 'file_fox', fileName: 'Fox Poster.png', exportMember: 'file_fox-Fox Poster.png' }),
  item({ status: 'recovered', kind: 'sandbox-file', sandboxPath: '/mnt/data/q3 results.csv', fileName: 'q3 results.csv', conversationId: 'c2' }),
  item({ status: 'lost', kind: 'chart', genId: 'gen_abc', conversationId: 'c3' }),
  item({ status: 'vault-only', kind: 'image', vaultSha256: 'deadbeef', conversationId: 'c4' }),
];

describe('filterItems', () => {
  it.each<[string, Partial<ReconcileFilter>, number[]]>([
    ['no filter', {}, [0, 1, 2, 3]],
    ['by class', { status: 'recovered' }, [1]],
    ['by kind', { kind: 'image' }, [0, 3]],
    ['class and kind', { status: 'matched', kind: 'chart' }, []],
    ['text, any case', { text: 'fox POSTER' }, [0]],
    ['every word must match', { text: 'fox csv' }, []],
    ['sandbox path', { text: '/mnt/data/q3' }, [1]],
    ['gen id', { text: 'gen_abc' }, [2]],
    ['conversation id', { text: 'c4' }, [3]],
    ['vault sha', { text: 'DEADBEEF' }, [3]],
    ['export member', { text: 'file_fox-' }, [0]],
    ['blank text is no filter', { text: '   ' }, [0, 1, 2, 3]],
  ])('%s', (_name, f, expected) => {
    expect(filterItems(ITEMS, { ...NO_RECONCILE_FILTER, ...f }).map((it) => ITEMS.indexOf(it))).toEqual(expected);
  });
});
