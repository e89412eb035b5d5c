import { describe, expect, it } from 'vitest';
import { extractSandboxTargets, normaliseSandboxPath } from '@/utils/chatgpt/sandbox-links';

describe('extractSandboxTargets', () => {
  it.each([
    ['[a](sandbox:/mnt/data/a.csv)', ['sandbox:/mnt/data/a.csv']],
    ['![chart](sandbox:/mnt/data/c.png)', ['sandbox:/mnt/data/c.png']],
    ['[x](sandbox:/mnt/data/data%20export%20(v2).xlsx) after', ['sandbox:/mnt/data/data%20export%20(v2).xlsx']],
    ['[x](sandbox:/mnt/data/a(b(c)).txt)', ['sandbox:/mnt/data/a(b(c)).txt']],
    ['[x](sandbox:/mnt/data/r.pdf "Title here")', ['sandbox:/mnt/data/r.pdf']],
    ["[x](sandbox:/mnt/data/r.pdf 'Title')", ['sandbox:/mnt/data/r.pdf']],
    ['[x](sandbox:/mnt/data/My File.xlsx)', ['sandbox:/mnt/data/My File.xlsx']],
    ['see <sandbox:/mnt/data/a b.txt> ok', ['sandbox:/mnt/data/a b.txt']],
    ['[x](<sandbox:/mnt/data/a b.txt>)', ['sandbox:/mnt/data/a b.txt']],
    ['<a href="sandbox:/mnt/data/h.txt">h</a>', ['sandbox:/mnt/data/h.txt']],
    ['saved to sandbox:/mnt/data/bare.csv.', ['sandbox:/mnt/data/bare.csv']],
    ['(see sandbox:/mnt/data/p.csv)', ['sandbox:/mnt/data/p.csv']],
    ['[a](sandbox:/mnt/data/1.csv) and [b](sandbox://mnt/data/2.csv)', ['sandbox:/mnt/data/1.csv', 'sandbox://mnt/data/2.csv']],
    ['[a](sandbox:/mnt/data/unclosed.csv\nnext line', ['sandbox:/mnt/data/unclosed.csv']],
    ['no links here', []],
  ])('%j', (text, expected) => {
    expect(extractSandboxTargets(text)).toEqual(expected);
  });

  it.each([
    ['run-on bare mentions', 'sandbox:'.repeat(200_000)],
    ['nested link openers', `${'[x](sandbox:'.repeat(100_000)}${'('.repeat(100_000)}`],
  ])('stays linear on hostile input: %s', (_label, hostile) => {
    // Each target is capped and the search resumes after it, so 1-2 MB of `sandbox:` costs one pass.
    const out = extractSandboxTargets(hostile);
    expect(out.length).toBeGreaterThan(0);
    expect(out.every((t) => t.length <= 2048)).toBe(true);
  });
});

describe('normaliseSandboxPath', () => {
  it.each([
    ['sandbox:/mnt/data/a.csv', '/mnt/data/a.csv'],
    ['sandbox://mnt/data/a.csv', '/mnt/data/a.csv'],
    ['sandbox:///mnt/data/a.csv', '/mnt/data/a.csv'],
    ['sandbox:/mnt/data/data%20export%20(v2).xlsx', '/mnt/data/data export (v2).xlsx'],
    ['sandbox:/mnt/data/r%C3%A9sum%C3%A9.txt', '/mnt/data/r\u00e9sum\u00e9.txt'],
    ['sandbox:/mnt/data/re\u0301sume\u0301.txt', '/mnt/data/r\u00e9sum\u00e9.txt'],
    ['sandbox:/mnt/data/%E6%8A%A5%E5%91%8A.docx', '/mnt/data/报告.docx'],
    ['sandbox:/mnt/data/100%.csv', '/mnt/data/100%.csv'],
    ['sandbox:/mnt/data/100%25%20done%.csv', '/mnt/data/100% done%.csv'],
    ['sandbox:/mnt/data/data\\_export.csv', '/mnt/data/data_export.csv'],
    ['sandbox:/mnt/data/%2520.csv', '/mnt/data/%20.csv'],
    ['sandbox:/mnt/data/../x', null],
    ['sandbox:/mnt/data/', null],
    ['sandbox:', null],
    ['sandbox:/mnt//data/x', null],
    ['sandbox:/mnt/data/a%0Ab.csv', null],
    // iOS app suffix (docs/CHATGPT.md 4.7), at the end and inside the name's parentheses
    [
      'sandbox:/mnt/data/Budget_2025.xlsx?_chatgptios_conversationID=7a1e0c55-0000-4000-8000-00000000aaaa&_chatgptios_messageID=9b2f1d66-0000-4000-8000-00000000bbbb',
      '/mnt/data/Budget_2025.xlsx',
    ],
    [
      'sandbox:/mnt/data/final_project%20(1?_chatgptios_conversationID=7a1e0c55-0000-4000-8000-00000000aaaa&_chatgptios_messageID=9b2f1d66-0000-4000-8000-00000000bbbb).ipynb',
      '/mnt/data/final_project (1).ipynb',
    ],
    ['sandbox:/mnt/data/a(1?_chatgptios_messageID=x).b(2?_chatgptios_messageID=y).csv', '/mnt/data/a(1).b(2).csv'],
    // 2026 scratch folders are sandbox paths too
    ['sandbox:/workspace/scratch/3f9c0a1b/out%20put.csv', '/workspace/scratch/3f9c0a1b/out put.csv'],
  ])('%j -> %j', (raw, expected) => {
    expect(normaliseSandboxPath(raw)).toBe(expected);
  });
});

describe('bare mentions ending in parentheses', () => {
  it.each([
    ['(sandbox:/mnt/data/a(1).csv).', 'sandbox:/mnt/data/a(1).csv'],
    ['sandbox:/mnt/data/b.csv)).', 'sandbox:/mnt/data/b.csv'],
    ['sandbox:/mnt/data/c(d).', 'sandbox:/mnt/data/c(d)'],
    ['sandbox:/mnt/data/e).).).', 'sandbox:/mnt/data/e'],
  ])('%j', (text, expected) => {
    expect(extractSandboxTargets(text)).toEqual([expected]);
  });

  it('trims each mention in time linear in its length (8 MB of closing parentheses finishes well within the test timeout)', () => {
    // Recounting the parentheses for every trimmed `)` cost ~2 million steps per 2 KB mention: this input
    // took about 20 s that way (issue 17 item 5); one count per mention makes it one pass.
    const mention = `sandbox:/mnt/data/a${')'.repeat(2040)} `;
    const out = extractSandboxTargets(mention.repeat(4000));
    expect(out).toHaveLength(4000);
    expect(new Set(out)).toEqual(new Set(['sandbox:/mnt/data/a']));
  });
});
