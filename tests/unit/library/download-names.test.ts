import { describe, expect, it } from 'vitest';
import { enrichedExportName, readableArchiveName, reconcileReportName } from '@/utils/library/download-names';

describe('reconcile download names (docs/FORMATS.md section 4)', () => {
  it('names the report with the local date', () => {
    expect(reconcileReportName(new Date(2026, 0, 5, 23, 59))).toBe('reconcile-report-2026-01-05.json');
  });

  it('names the readable archive chatgpt-archive-<local date>.zip', () => {
    expect(readableArchiveName(new Date(2026, 0, 5, 23, 59))).toBe('chatgpt-archive-2026-01-05.zip');
  });

  it.each([
    ['chatgpt-export.zip', 'chatgpt-export-enriched.zip'],
    ['8f3c…-2026-11-30-12-00-00.ZIP', '8f3c…-2026-11-30-12-00-00-enriched.zip'],
    ['export', 'export-enriched.zip'],
    ['a/b:c.zip', 'a b c-enriched.zip'],
    ['invoice\u202Egpj.zip', 'invoicegpj-enriched.zip'],
    ['.zip', 'export-enriched.zip'],
  ])('%s -> %s', (name, expected) => {
    expect(enrichedExportName(name)).toBe(expected);
  });
});
