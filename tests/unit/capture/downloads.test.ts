import { describe, expect, it } from 'vitest';
import { DOWNLOADS_FOLDER, downloadPath, safePathSegment } from '@/utils/capture/downloads';

describe('Downloads-folder paths', () => {
  it.each([
    ['Fox poster', 'Fox poster'],
    ['a/b\\c:d*e?f"g<h>i|j', 'a b c d e f g h i j'],
    ['../../etc/passwd', 'etc passwd'],
    ['...hidden', 'hidden'],
    ['trailing dots...  ', 'trailing dots'],
    ['CON', '_CON'],
    ['lpt1.txt', '_lpt1.txt'],
    ['tab\there\nnewline', 'tab here newline'],
    ['', 'fallback'],
    ['///', 'fallback'],
    ['Cafe\u0301', 'Café'],
  ])('%j becomes %j', (input, expected) => {
    expect(safePathSegment(input, 'fallback')).toBe(expected);
  });

  it('cuts long names', () => {
    expect(safePathSegment('x'.repeat(300), 'f', 80)).toHaveLength(80);
  });

  it('files each capture under the folder and the conversation title', () => {
    expect(
      downloadPath({ conversationTitle: 'Q3: report / draft', conversationId: '69f1a2b3-4c5d', fileName: 'q3_revenue.csv', id: 'sandbox:x' }),
    ).toBe(`${DOWNLOADS_FOLDER}/Q3 report draft/q3_revenue.csv`);
  });

  it('falls back to the conversation id and the artifact id when names are missing', () => {
    expect(downloadPath({ conversationTitle: null, conversationId: '69f1a2b3-4c5d', fileName: null, id: 'file:file_abc' })).toBe(
      `${DOWNLOADS_FOLDER}/69f1a2b3/file-file_abc`,
    );
  });
});
