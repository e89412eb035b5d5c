// Every code a reason, note or result can carry from utils/ to a page has a message in every locale: the codes
// are read from the union types' source (so a code added there without a message fails here), then each is
// said through components/reasons.ts in English, Chinese and Japanese.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { archiveReasonText, catchUpResultText, reconcileNoteText, reconcileReasonText, zipReasonText } from '@/components/reasons';
import { t } from '@/utils/i18n';
import type { ZipErrorCode } from '@/utils/zip/errors';
import { localeNames, useLocale } from '../../locales';

const ROOT = resolve(import.meta.dirname, '../../..');

/** The `code` of each member of `export type <name> = | { code: '…' … } …` in `file`. */
function codesOf(file: string, name: string, form: 'object' | 'literal' = 'object'): string[] {
  const text = readFileSync(resolve(ROOT, file), 'utf8');
  const start = text.indexOf(`export type ${name} =`);
  if (start < 0) throw new Error(`no type ${name} in ${file}`);
  const end = text.indexOf(';\n', start);
  const body = text.slice(start, end);
  const re = form === 'object' ? /\{ code: '([a-z-]+)'/g : /\| '([a-z-]+)'/g;
  const codes = [...body.matchAll(re)].map((m) => m[1]!);
  if (codes.length === 0) throw new Error(`no codes read from ${name}`);
  return codes;
}

/** A reason with every parameter filled, whatever its code needs. */
const filled = (code: string) => new Proxy({ code }, {
  get: (target, key) => (key === 'code' ? target.code : key === 'zip' ? 'not-zip' : 'Ω7'),
});

const sayers: Array<[string, string, string, (code: string) => string]> = [
  ['utils/zip/errors.ts', 'ZipErrorCode', 'literal', (c) => zipReasonText(c as ZipErrorCode)],
  ['utils/archive/errors.ts', 'ArchiveReason', 'object', (c) => archiveReasonText(filled(c) as never)],
  ['utils/reconcile/errors.ts', 'ReconcileReason', 'object', (c) => reconcileReasonText(filled(c) as never)],
  ['utils/reconcile/notes.ts', 'ReconcileNote', 'object', (c) => reconcileNoteText(filled(c) as never)],
  ['utils/worker/catch-up/state.ts', 'CatchUpResult', 'object', (c) => catchUpResultText(filled(c) as never)],
];

/** Codes no page ever shows: the CLI's own argument errors. */
const CLI_ONLY = new Set(['ReconcileReason:usage']);

describe('reasons from utils/ in every language', () => {
  it.each(localeNames())('%s: every code has its own message, with its parameters in it', (locale) => {
    useLocale(locale);
    const wrong: string[] = [];
    for (const [file, type, form, say] of sayers) {
      for (const code of codesOf(file, type, form as 'object' | 'literal')) {
        if (CLI_ONLY.has(`${type}:${code}`)) continue;
        const text = say(code);
        const problem = text === t('reason_unknown', code) ? 'no case for it'
          : /\b[a-z]+(_[a-z0-9]+)+\b/.test(text) ? 'a message key shows (missing in this locale)'
            : text.includes('$') ? 'a placeholder left unfilled'
              : text.trim() === '' ? 'empty' : null;
        if (problem) wrong.push(`${type} '${code}': ${problem}: ${text}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('parameters reach the sentence (the member at fault, the file, the counts)', () => {
    useLocale('zh_CN');
    expect(archiveReasonText({ code: 'member-missing', member: 'artifacts/ab.png' })).toBe('备份不完整：缺少 artifacts/ab.png。');
    expect(reconcileReasonText({ code: 'zip', file: 'export.zip', zip: 'truncated' })).toContain('export.zip');
    expect(catchUpResultText({ code: 'read', conversations: 3, files: 0 })).toBe('读取了 3 个对话，没有新文件');
    useLocale('en');
    expect(catchUpResultText({ code: 'read', conversations: 1, files: 2 })).toBe('1 conversation read, 2 new files');
  });
});
