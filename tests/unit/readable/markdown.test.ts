import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { markdownForFile } from '@/utils/readable/markdown';

/** What a Markdown reader that allows raw HTML (Obsidian, many viewers) makes of a `.md` file. */
const lenientReader = new MarkdownIt({ html: true });
const LOCAL = new Set(['../assets/chart.png']);

describe('markdownForFile', () => {
  it('closes a fence a message left open, so the next message\'s HTML cannot land outside code', () => {
    const file = [markdownForFile('look:\n```', LOCAL), markdownForFile('```\n<img src=x onerror=alert(1)>\n```', LOCAL)].join('\n\n');
    const html = lenientReader.render(file);
    expect(html).not.toMatch(/<img/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('keeps a closed fence and its contents as written', () => {
    expect(markdownForFile('```js\nif (a < b) {}\n```')).toBe('```js\nif (a < b) {}\n```');
  });

  it('turns reference definitions with unsafe targets into text, on the same line or the next', () => {
    const text = '[x][a] [y][b] [z][c] [w][d]\n\n[a]: ../../../../etc/passwd\n[b]: smb://evil/share\n[c]:\n  javascript:alert(1)\n[d]: <file:///etc/passwd>';
    const html = lenientReader.render(markdownForFile(text, LOCAL));
    expect(html).not.toMatch(/href=/);
  });

  it('keeps reference definitions to the web, to anchors and to the archive\'s own files', () => {
    const text = '[x][a] [y][b] [z][c]\n\n[a]: https://example.com/page\n[b]: #turn-3\n[c]: ../assets/chart.png';
    const html = lenientReader.render(markdownForFile(text, LOCAL));
    expect([...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1])).toEqual(['https://example.com/page', '#turn-3', '../assets/chart.png']);
  });

  it('escapes inline links and raw HTML outside code, and leaves code spans alone', () => {
    const html = lenientReader.render(markdownForFile('[x](javascript:alert(1)) <script>a()</script> `<b>`'));
    expect(html).not.toMatch(/href=|<script/);
    expect(html).toContain('<code>&lt;b&gt;</code>');
  });
});
