import { describe, expect, it } from 'vitest';
import type { ArtifactRecord } from '@/utils/vault';
import { filterArtifacts, NO_FILTER, type LibraryFilter } from '@/utils/library/filter';
import { columnsFor, galleryRows, groupArtifacts, localDay } from '@/utils/library/groups';
import { rowOffsets, visibleRange } from '@/utils/library/virtual';
import { artifactFileName, backupFileName, selectionZipName } from '@/utils/library/download-names';
import { namePatternOrDefault } from '@/utils/files/name-pattern';
import { readStorageInfo } from '@/utils/library/storage-info';

const day = (s: string) => new Date(`${s}T12:00:00`).getTime(); // local noon

function rec(over: Partial<ArtifactRecord>): ArtifactRecord {
  return {
    id: 'file:x', kind: 'image', conversationId: 'c1', messageId: 'm1', fallbackMessageId: null, fileId: 'x', genId: null,
    prompt: null, seed: null, fileName: null, sandboxPath: null, width: null, height: null, createTime: null,
    status: 'saved', reason: null, sha256: 'a'.repeat(64), size: 1, declaredSize: null, mimeType: 'image/png', source: 'live',
    capturedAt: day('2026-11-22'), firstSeenAt: day('2026-11-22'), updatedAt: 0, conversationTitle: null, attempts: 0,
    ...over,
  };
}

const records = [
  rec({ id: 'file:fox', prompt: 'A red fox poster, watercolor', conversationTitle: 'Fox poster' }),
  rec({ id: 'file:owl', prompt: 'An owl at night', conversationTitle: 'Birds', conversationId: 'c2', source: 'backup' }),
  rec({ id: 'sandbox:c3:/mnt/data/sales.csv', kind: 'sandbox-file', fileName: 'sales.csv', sandboxPath: '/mnt/data/sales.csv', conversationId: 'c3', conversationTitle: 'Quarterly numbers', mimeType: 'text/csv' }),
  rec({ id: 'file:chart', kind: 'chart', conversationId: 'c3', conversationTitle: 'Quarterly numbers', status: 'expired', reason: '404', sha256: null, source: 'import' }),
];

describe('filterArtifacts', () => {
  it.each<[string[], Partial<LibraryFilter>]>([
    [['file:fox', 'file:owl', 'sandbox:c3:/mnt/data/sales.csv', 'file:chart'], {}],
    [['file:fox'], { text: 'fox' }],
    [['file:fox'], { text: 'RED  watercolor' }], // every word, any order, any case
    [[], { text: 'fox owl' }],
    [['sandbox:c3:/mnt/data/sales.csv'], { text: 'sales.csv' }], // file name
    [['sandbox:c3:/mnt/data/sales.csv', 'file:chart'], { text: 'quarterly' }], // conversation title
    [['file:chart'], { kind: 'chart' }],
    [['file:chart'], { status: 'expired' }],
    [['file:owl'], { source: 'backup' }],
    [[], { kind: 'chart', status: 'saved' }],
  ])('%j for %j', (ids, f) => {
    expect(filterArtifacts(records, { ...NO_FILTER, ...f }).map((r) => r.id)).toEqual(ids);
  });

  it('prefers the current conversation title over the one stored on the record', () => {
    const titles = new Map([['c2', 'Nocturnal birds']]);
    expect(filterArtifacts(records, { ...NO_FILTER, text: 'nocturnal' }, titles).map((r) => r.id)).toEqual(['file:owl']);
  });
});

describe('groupArtifacts and galleryRows', () => {
  const list = [
    rec({ id: 'a', conversationId: 'c1', capturedAt: day('2026-11-20') }),
    rec({ id: 'b', conversationId: 'c2', capturedAt: day('2026-11-22') }),
    rec({ id: 'c', conversationId: 'c1', capturedAt: day('2026-11-22') + 1000 }),
    rec({ id: 'd', conversationId: 'c1', capturedAt: null, firstSeenAt: day('2026-11-22') + 500, status: 'pending', sha256: null }),
  ];

  it('groups by local day (newest first), then conversation (most recent first)', () => {
    const days = groupArtifacts(list);
    expect(days.map((d) => [d.day, d.conversations.map((c) => [c.conversationId, c.items.map((i) => i.id)])])).toEqual([
      ['2026-11-22', [['c1', ['c', 'd']], ['c2', ['b']]]],
      ['2026-11-20', [['c1', ['a']]]],
    ]);
  });

  it('puts every artifact under its own local day, at day boundaries too', () => {
    const midnight = new Date(2026, 10, 22).getTime();
    const times = [midnight - 1, midnight, midnight + 1, midnight + 86_399_999, midnight + 86_400_000, day('2026-03-29'), day('2026-10-25'), NaN];
    // Plus a few hundred spread over a year, in random order.
    for (let i = 0; i < 300; i++) times.push(midnight - Math.floor(((i * 7919) % 365) * 86_400_000 + ((i * 104_729) % 86_400_000)));
    const many = times.map((t, i) => rec({ id: `r${i}`, conversationId: `c${i % 4}`, capturedAt: t }));
    const days = groupArtifacts(many);
    expect(days.flatMap((d) => d.conversations.flatMap((c) => c.items))).toHaveLength(many.length);
    for (const d of days) for (const c of d.conversations) for (const r of c.items) expect(d.day).toBe(localDay(r.capturedAt!));
    expect(new Set(days.map((d) => d.day)).size).toBe(days.length);
  });

  it('flattens into header rows and rows of at most `columns` tiles', () => {
    const rows = galleryRows(groupArtifacts(list), 1);
    expect(rows.map((r) => (r.type === 'tiles' ? r.items.map((i) => i.id).join('') : r.type))).toEqual([
      'day', 'conversation', 'c', 'd', 'conversation', 'b', 'day', 'conversation', 'a',
    ]);
    expect(galleryRows(groupArtifacts(list), 4).filter((r) => r.type === 'tiles')).toHaveLength(3);
  });

  it('gives each tile row its place in the conversation, for the list positions a screen reader says', () => {
    const seven = Array.from({ length: 7 }, (_, i) => rec({ id: `t${i}`, conversationId: 'c', capturedAt: 1_000_000 - i }));
    const tiles = galleryRows(groupArtifacts(seven), 3).filter((r) => r.type === 'tiles');
    expect(tiles.map((r) => [r.first, r.items.length, r.of])).toEqual([[0, 3, 7], [3, 3, 7], [6, 1, 7]]);
  });

  it.each([[1, 100], [1, 180], [1, 371], [2, 372], [5, 960]])('%i columns fit in %i px', (n, width) => {
    expect(columnsFor(width)).toBe(n);
  });

  it('names local days', () => {
    expect(localDay(new Date(2026, 0, 5, 23, 59))).toBe('2026-01-05');
  });
});

describe('visibleRange', () => {
  const offsets = rowOffsets([10, 10, 10, 10, 10]); // rows at 0,10,20,30,40; total 50
  it.each<[[number, number], number, number, number]>([
    [[0, 2], 0, 15, 0],
    [[1, 3], 10, 15, 0],
    [[1, 3], 12, 10, 0],
    [[0, 5], 0, 1000, 0],
    [[4, 5], 45, 100, 0],
    [[0, 4], 15, 10, 10],
    [[5, 5], 60, 10, 0],
  ])('%j for scrollTop %i, height %i, overscan %i', (expected, top, height, overscan) => {
    expect(visibleRange(offsets, top, height, overscan)).toEqual(expected);
  });

  it('is empty without rows and logarithmic in spirit: 100k rows answer at once', () => {
    expect(visibleRange(rowOffsets([]), 0, 100)).toEqual([0, 0]);
    const big = rowOffsets(new Array(100_000).fill(200));
    expect(visibleRange(big, 200 * 50_000 + 5, 600)).toEqual([50_000, 50_004]);
  });
});

describe('names', () => {
  it('names backups by local date', () => {
    expect(backupFileName(new Date(2026, 10, 23, 0, 5))).toBe('chatgpt-vault-2026-11-23.zip');
  });

  // `{name}` alone: the original name, made safe, with the sniffed type's extension.
  const NAME_ONLY = namePatternOrDefault('{name}');

  it('derives artifact file names from the record', () => {
    expect(artifactFileName(rec({ fileName: 'fox.png', mimeType: 'image/webp' }), NAME_ONLY)).toBe('fox.webp');
    expect(artifactFileName(rec({ fileName: null, fileId: 'file_123', mimeType: 'image/png' }), NAME_ONLY)).toBe('image-file_123.png');
  });

  it('names by the default pattern: the day it was made, the prompt (else the title), the original name', () => {
    const made = new Date(2026, 2, 14, 9, 30).getTime() / 1000;
    expect(artifactFileName(rec({ fileName: 'sunset-file_1.png', prompt: 'Sunset over lake', createTime: made }), namePatternOrDefault(null)))
      .toBe('2026-03-14 Sunset over lake - sunset-file_1.png');
    // No message time: the capture day; no prompt: the conversation title given, else the record's.
    expect(artifactFileName(rec({ kind: 'sandbox-file', fileName: 'q3.csv', mimeType: 'text/csv', conversationTitle: 'Old title' }), namePatternOrDefault(null), 'Q3 numbers'))
      .toBe('2026-11-22 Q3 numbers - q3.csv');
    expect(artifactFileName(rec({ kind: 'sandbox-file', fileName: 'q3.csv', mimeType: 'text/csv', conversationTitle: 'Old title' }), namePatternOrDefault(null)))
      .toBe('2026-11-22 Old title - q3.csv');
  });

  it.each<[string, string | null, string | null]>([
    // The override is gone and the sniffed type's extension comes last.
    ['invoicegpj.exe.jpg', 'invoice\u202Egpj.exe', 'image/jpeg'],
    ['photo.png', 'photo\u200B.png\u2066', 'image/png'],
    // Active content keeps its real type in the name, whatever it was called.
    ['report.html', 'report.png', 'text/html'],
    ['chart.svg', 'chart.png', 'image/svg+xml'],
    ['etc passwd.csv', '../../etc/passwd.csv', 'text/csv'],
    ['image-x.png', null, 'image/png'],
  ])('downloads as %j (name %j, type %j)', (expected, fileName, mimeType) => {
    expect(artifactFileName(rec({ fileName, mimeType }), NAME_ONLY)).toBe(expected);
  });

  it('names a selection ZIP by conversation, or by date across conversations', () => {
    const titles = new Map([['c1', 'Fox: poster/ideas']]);
    expect(selectionZipName([rec({ conversationId: 'c1' })], titles)).toBe('Fox poster ideas.zip');
    expect(selectionZipName([rec({ conversationId: 'c1' }), rec({ conversationId: 'c2' })], titles, new Date(2026, 10, 2))).toBe('chatgpt-artifacts-2026-11-02.zip');
  });
});

describe('storage info', () => {
  const GB = 1e9;
  it.each([
    [false, 1 * GB, 100 * GB],
    [true, 95 * GB, 100 * GB],
    [true, 0.6 * GB, 1 * GB],
    [false, null, 100 * GB],
    // Under 10% of the quota or under 500 MB left, whichever is more.
    [true, 9.1 * GB, 10 * GB],
    [false, 8.9 * GB, 10 * GB],
    [false, 0.4 * GB, 1 * GB],
  ])('low=%s for usage %s of %s', async (low, usage, quota) => {
    const nav = { storage: { estimate: () => Promise.resolve({ usage: usage ?? undefined, quota }) } } as unknown as Navigator;
    expect((await readStorageInfo(nav)).low).toBe(low);
  });

  it('reads estimate and persistence from an injected navigator', async () => {
    const nav = { storage: { estimate: () => Promise.resolve({ usage: 2 * GB, quota: 10 * GB }), persisted: () => Promise.resolve(false) } } as unknown as Navigator;
    expect(await readStorageInfo(nav)).toEqual({ usage: 2 * GB, quota: 10 * GB, available: 8 * GB, persisted: false, low: false });
    expect(await readStorageInfo({} as Navigator)).toEqual({ usage: null, quota: null, available: null, persisted: null, low: false });
  });
});
