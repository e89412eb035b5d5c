import { describe, expect, it } from 'vitest';
import { walkConversation } from '@/utils/chatgpt/walker';
import type { ArtifactKind } from '@/utils/model';
import { renderReadableArchive, type ConversationItem, type ReadableArtifact } from '@/utils/readable';
import { holdsCredentials, jpegWithCredentials, pngWithCredentials } from '../../fixtures/images/credentials';
import { artifactsOf, bytesFor, fixture, fixtureNames, items, memoryOutput, relativeLinks, streamOf } from './helpers';

const GOOD = ['dalle3.json', 'image-gen.json', 'code-interpreter.json', 'uploads.json', 'mixed-2026.json', 'legacy-2023.json', 'slim-export-2026.json'];

function conversation(id: string, title: string, text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    conversation_id: id, title, create_time: 1776000000, update_time: 1776000100, current_node: 'a', default_model_slug: 'gpt-5',
    mapping: {
      root: { id: 'root', message: null, parent: null, children: ['u'] },
      u: { id: 'u', parent: 'root', children: ['a'], message: { id: 'u', author: { role: 'user' }, create_time: 1776000000, content: { content_type: 'text', parts: ['question'] } } },
      a: { id: 'a', parent: 'u', children: [], message: { id: 'a', author: { role: 'assistant' }, create_time: 1776000050, content: { content_type: 'text', parts: [text] } } },
    },
    ...extra,
  };
}

async function renderAll(list: ConversationItem[], artifacts: ReadableArtifact[]) {
  const out = memoryOutput();
  const summary = await renderReadableArchive({ conversations: items(list), artifacts }, out);
  return { out, summary };
}

describe('renderReadableArchive on the walker fixtures', () => {
  it('writes two pages per conversation, every artifact byte-identical, and provenance for each', async () => {
    const list: ConversationItem[] = [];
    const artifacts: ReadableArtifact[] = [];
    const bytes = new Map<ReadableArtifact, Uint8Array>();
    for (const name of GOOD) {
      const json = fixture(name);
      list.push({ label: name, json });
      const x = artifactsOf(json);
      artifacts.push(...x.artifacts);
      for (const [a, b] of x.bytes) bytes.set(a, b);
    }
    const { out, summary } = await renderAll(list, artifacts);
    expect(summary.conversations).toBe(GOOD.length);
    const mds = [...out.files.keys()].filter((p) => p.startsWith('conversations/') && p.endsWith('.md'));
    const htmls = [...out.files.keys()].filter((p) => p.startsWith('conversations/') && p.endsWith('.html'));
    expect(mds).toHaveLength(GOOD.length);
    expect(htmls).toHaveLength(GOOD.length);

    const prov = JSON.parse(out.text('provenance.json')) as { format: string; version: number; artifacts: Record<string, unknown>[] };
    expect(prov.format).toBe('chatgpt-artifact-vault/readable-archive');
    expect(prov.version).toBe(1);
    expect(prov.artifacts).toHaveLength(artifacts.length);
    for (const e of prov.artifacts) {
      expect(Object.keys(e).sort()).toEqual(['conversationId', 'fileId', 'fileName', 'genId', 'kind', 'messageId', 'path', 'prompt', 'reason', 'sandboxPath', 'sha256', 'size', 'status'].sort());
    }
    // Each artifact's file holds exactly its bytes, under assets/<conversation name>/.
    for (const [a, b] of bytes) {
      const e = prov.artifacts.find((p) => p.kind === a.kind && p.fileId === a.fileId && p.genId === a.genId && p.sandboxPath === a.sandboxPath)!;
      expect(e.path).toMatch(/^assets\/[^/]+\/[^/]+$/);
      expect(out.files.get(e.path as string)).toEqual(b);
      expect(e.size).toBe(b.length);
      expect(e.status).toBe('saved');
    }
    expect(summary.assets).toBe(bytes.size);
  });

  it('links every artifact from its conversation, and every relative link in every page resolves inside the archive', async () => {
    const list: ConversationItem[] = [];
    const artifacts: ReadableArtifact[] = [];
    for (const name of fixtureNames()) {
      const json = fixture(name);
      list.push({ label: name, json });
      artifacts.push(...artifactsOf(json, (_k, i) => i % 3 === 2).artifacts);
    }
    // One orphan, from no conversation in the archive.
    artifacts.push({ ...artifactsOf(fixture('dalle3.json')).artifacts[0]!, conversationId: 'gone', fileId: 'file-orphan', genId: null, open: () => Promise.resolve(streamOf(bytesFor('orphan'))) });
    const { out } = await renderAll(list, artifacts);
    let checked = 0;
    for (const [path] of out.files) {
      if (!path.endsWith('.md') && !path.endsWith('.html')) continue;
      for (const target of relativeLinks(path, out.text(path))) {
        expect(out.files.has(target), `${path} links ${target}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
    const prov = JSON.parse(out.text('provenance.json')) as { artifacts: { path: string | null; fileId: string | null; conversationId: string }[] };
    for (const e of prov.artifacts.filter((p) => p.path !== null && p.conversationId !== 'gone')) {
      const folder = e.path!.split('/')[1]!;
      const md = out.text(`conversations/${folder}.md`);
      const html = out.text(`conversations/${folder}.html`);
      const href = `../${e.path!.split('/').map((s) => encodeURIComponent(s).replace(/\(/g, '%28').replace(/\)/g, '%29')).join('/')}`;
      expect(md).toContain(`(${href})`);
      expect(html).toContain(`"${href}"`);
    }
    const orphan = prov.artifacts.find((p) => p.fileId === 'file-orphan')!;
    expect(orphan.path).toMatch(/^assets\/_library\//);
    expect(out.text('index.html')).toContain(encodeURIComponent(orphan.path!.split('/')[2]!));
  });

  it('renders DALL-E 3 images with the prompt as alt text and the visible thread in order', async () => {
    const json = fixture('dalle3.json');
    const { out } = await renderAll([{ label: 'd', json }], artifactsOf(json).artifacts);
    const md = [...out.files].find(([p]) => p.endsWith('.md') && p.startsWith('conversations/'))!;
    const text = new TextDecoder().decode(md[1]);
    expect(text).toMatch(/^---\ntitle: ".*"\nconversation_id: "d3d3d3d3-0000-4000-8000-000000000001"\ncreated: "\d{4}-.*Z"\nupdated: /);
    expect(text).toContain('url: "https://chatgpt.com/c/d3d3d3d3-0000-4000-8000-000000000001"');
    expect(text).toContain('![A flat vector poster of a red fox standing in a snowy pine forest at dawn.](../assets/');
    const you = text.indexOf('## You');
    const gpt = text.indexOf('## ChatGPT');
    expect(you).toBeGreaterThan(0);
    expect(gpt).toBeGreaterThan(you);
    const html = out.text(md[0].replace(/\.md$/, '.html'));
    expect(html).toContain('<meta name="chatgpt-conversation-id" content="d3d3d3d3-0000-4000-8000-000000000001">');
    expect(html).toContain('alt="A flat vector poster of a red fox standing in a snowy pine forest at dawn."');
    // The image tool's JSON call and its instructions to the model are not shown.
    expect(text).not.toContain('"prompt"');
  });

  it('folds Code Interpreter code and output under the turn and points sandbox links at the saved files', async () => {
    const json = fixture('code-interpreter.json');
    const { artifacts } = artifactsOf(json, (kind) => kind === 'sandbox-file' ? false : false);
    // report final.pdf expired: named in place with its reason.
    const pdf = artifacts.find((a) => a.sandboxPath?.endsWith('report final.pdf'))!;
    Object.assign(pdf, { open: null, status: 'expired', reason: 'expired: sandbox session ended', sha256: null });
    const { out } = await renderAll([{ label: 'ci', json }], artifacts);
    const mdPath = [...out.files.keys()].find((p) => p.endsWith('.md') && p.startsWith('conversations/'))!;
    const md = out.text(mdPath);
    const html = out.text(mdPath.replace(/\.md$/, '.html'));
    expect(md).toMatch(/\*\*Code \(python\)\*\*\n\n````?python\nimport pandas as pd/);
    expect(md).toContain('**Output**');
    expect(html).toMatch(/<details><summary>Code \(python\)<\/summary><pre><code class="language-python">import pandas as pd/);
    expect(html).toContain('<details><summary>Output</summary>');
    expect(md).not.toMatch(/\]\(sandbox:\/mnt\/data\/summary\.csv\)/);
    expect(md).toMatch(/\[Download the summary\]\(\.\.\/assets\/[^)/]+\/[^)/]*%20-%20summary\.csv\)/);
    expect(html).toMatch(/<a href="\.\.\/assets\/[^"/]+\/[^"/]*%20-%20summary\.csv">Download the summary<\/a>/);
    expect(html).toMatch(/<a href="\.\.\/assets\/[^"/]+\/[^"/]*%20-%20data%20export%20%28v2%29\.xlsx">The workbook<\/a>/);
    expect(md).toContain('**Not saved** (sandbox-file): report final.pdf (expired: expired: sandbox session ended)');
    expect(html).toContain('<strong>Not saved</strong> (sandbox-file): report final.pdf (expired: expired: sandbox session ended)');
  });

  it('places uploads under the person\'s turn and the off-path upload under "Other files"', async () => {
    const json = fixture('uploads.json');
    const { out } = await renderAll([{ label: 'u', json }], artifactsOf(json).artifacts);
    const mdPath = [...out.files.keys()].find((p) => p.endsWith('.md') && p.startsWith('conversations/'))!;
    const md = out.text(mdPath);
    const other = md.indexOf('## Other files from this conversation');
    expect(other).toBeGreaterThan(0);
    expect(md.slice(other)).toMatch(/!\[diagram\.png\]\(\.\.\/assets\/[^)/]+\/[^)/]*%20-%20diagram\.png\)/);
    expect(md.slice(0, other)).toMatch(/## You[^\n]*\n\n[\s\S]*!\[[^\]]*\]\(\.\.\/assets\//);
  });

  it('names an artifact the walker finds but no source holds as not saved, and lists it in provenance', async () => {
    const json = fixture('mixed-2026.json');
    const { out, summary } = await renderAll([{ label: 'm', json }], []);
    const refs = walkConversation(json).refs;
    expect(summary.notSaved).toBe(refs.length);
    const prov = JSON.parse(out.text('provenance.json')) as { artifacts: { status: string; path: null }[] };
    expect(prov.artifacts).toHaveLength(refs.length);
    expect(prov.artifacts.every((a) => a.status === 'missing' && a.path === null)).toBe(true);
  });
});

describe('renderReadableArchive on hostile and broken input', () => {
  it('renders script, textarea, javascript: and data: from a message as text', async () => {
    const text = 'Look <script>alert(1)</script> and </textarea><img src=x onerror=alert(2)> [click](javascript:alert(3)) ![p](data:image/png;base64,AAAA) [d](data:text/html,<b>x</b>) <javascript:alert(4)> [ok](https://example.com/a) `<code>` ![remote](https://example.com/x.png)';
    const { out } = await renderAll([{ label: 'h', json: conversation('hostile-1', '<script>alert("t")</script>', text) }], []);
    const htmlPath = [...out.files.keys()].find((p) => p.endsWith('.html') && p.startsWith('conversations/'))!;
    const html = out.text(htmlPath);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img[^>]*onerror/i);
    expect(html).not.toMatch(/<\/textarea>/i);
    expect(html).not.toMatch(/href="javascript:/i);
    expect(html).not.toMatch(/(?:src|href)="data:/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<a href="https://example.com/a" rel="noopener noreferrer">ok</a>');
    // A remote image is a link, never an <img> (no request leaves the folder).
    expect(html).not.toMatch(/<img[^>]*example\.com/);
    const md = out.text(htmlPath.replace(/\.html$/, '.md'));
    // The title is a quoted YAML string in the front matter; the body holds no raw HTML.
    expect(md).toContain('title: "<script>alert(\\"t\\")</script>"');
    expect(md.slice(md.indexOf('\n---\n') + 5)).not.toMatch(/<script/i);
    expect(md).not.toMatch(/\]\(javascript:/i);
    expect(md).not.toMatch(/\]\(data:/i);
    expect(md).toContain('[click]\\(javascript:alert(3))');
    expect(md).toContain('[ok](https://example.com/a)');
    expect(md).toContain('`<code>`');
    expect(JSON.parse(out.text('provenance.json'))).toEqual({ format: 'chatgpt-artifact-vault/readable-archive', version: 1, artifacts: [] });
    const index = out.text('index.html');
    // The index's only scripts are its own two; the title is text.
    expect(index.match(/<script/g)).toHaveLength(2);
    expect(index).toContain('&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;');
    expect(index).not.toContain('</script>alert');
  });

  it('makes titles with separators, bidi and control characters safe, and colliding names unique', async () => {
    const evil = '../../etc/passwd\u202Egpj.exe\u0000\u0007 a/b\\c:d';
    const list: ConversationItem[] = [
      { label: '1', json: conversation('c1', evil, 'one') },
      { label: '2', json: conversation('c2', evil, 'two') },
      { label: '3', json: conversation('c3', 'Same', 'three') },
      { label: '4', json: conversation('c4', 'same', 'four') },
    ];
    const artifacts: ReadableArtifact[] = ['c1', 'c1', 'c2'].map((c, i) => ({
      kind: 'upload', conversationId: c, messageId: 'u', fileId: `file-${i}`, genId: null, fileName: '../x\u202E.png', sandboxPath: null, prompt: null,
      mimeType: 'image/png', status: 'saved', reason: null, sha256: `s${i}`, open: () => Promise.resolve(streamOf(bytesFor(`f${i}`))),
    }));
    const { out, summary } = await renderAll(list, artifacts);
    expect(summary.conversations).toBe(4);
    const paths = [...out.files.keys()];
    for (const p of paths) {
      expect(p).not.toMatch(/\.\.|\\|[\u0000-\u001f\u202a-\u202e]/);
      expect(p.split('/').length).toBeLessThanOrEqual(3);
    }
    const convs = paths.filter((p) => p.startsWith('conversations/') && p.endsWith('.md'));
    expect(new Set(convs.map((p) => p.toLowerCase())).size).toBe(4);
    const assets = paths.filter((p) => p.startsWith('assets/'));
    expect(assets).toHaveLength(3);
    expect(new Set(assets.map((p) => p.toLowerCase())).size).toBe(3);
  });

  it('skips malformed conversations with a note in the index, and renders the rest', async () => {
    const list: ConversationItem[] = [
      { label: 'conversations.json item 1', problem: 'not valid JSON: Unexpected token' },
      { label: 'item 2', json: 'a string' },
      { label: 'item 3', json: fixture('malformed-null-mapping.json') },
      { label: 'item 4', json: fixture('malformed-types.json') },
      { label: 'item 5', json: fixture('malformed-cyclic.json') },
      { label: 'item 6', json: conversation('ok', 'Fine', 'fine') },
      { label: 'item 7', json: conversation('ok', 'Fine again', 'dup') },
    ];
    const { out, summary } = await renderAll(list, []);
    expect(summary.notes.some((n) => n.startsWith('conversations.json item 1: skipped (not valid JSON'))).toBe(true);
    expect(summary.notes.some((n) => n.startsWith('item 2: skipped'))).toBe(true);
    expect(summary.notes.some((n) => n.includes('second copy of conversation ok'))).toBe(true);
    expect(out.text('index.md')).toContain('## Notes');
    expect(out.text('index.html')).toContain('conversations.json item 1: skipped');
    expect(out.text('index.md')).toContain('[Fine](conversations/');
  });

  it('renders 10,000 artifacts in one conversation', { timeout: 60_000 }, async () => {
    const json = conversation('big', 'Big', 'many files');
    const artifacts: ReadableArtifact[] = Array.from({ length: 10_000 }, (_, i) => ({
      kind: 'image', conversationId: 'big', messageId: 'a', fileId: `file-${i}`, genId: null, fileName: 'same.png', sandboxPath: null, prompt: `p ${i}`,
      mimeType: 'image/png', status: 'saved', reason: null, sha256: `s${i}`, open: () => Promise.resolve(streamOf(new Uint8Array([i & 0xff]))),
    }));
    const { out, summary } = await renderAll([{ label: 'big', json }], artifacts);
    expect(summary.assets).toBe(10_000);
    expect([...out.files.keys()].filter((p) => p.startsWith('assets/'))).toHaveLength(10_000);
    expect(out.text(`conversations/${[...out.files.keys()].find((p) => p.endsWith('.md') && p.startsWith('conversations/'))!.slice(14)}`).match(/!\[p \d+\]/g)).toHaveLength(10_000);
  });

  it('writes images with content credentials (PNG caBX, JPEG APP11) byte for byte', async () => {
    const json = conversation('cred', 'Credentials', 'image');
    const files = { file_p: pngWithCredentials(3), file_j: jpegWithCredentials(4) };
    const mk = (fileId: keyof typeof files, fileName: string): ReadableArtifact => ({
      kind: 'image', conversationId: 'cred', messageId: 'a', fileId, genId: null, fileName, sandboxPath: null, prompt: 'a fox', mimeType: null,
      status: 'saved', reason: null, sha256: fileId, open: () => Promise.resolve(streamOf(files[fileId])),
    });
    const { out } = await renderAll([{ label: 'c', json }], [mk('file_p', 'fox.png'), mk('file_j', 'fox.jpg')]);
    const written = (name: string) => out.files.get([...out.files.keys()].find((p) => p.startsWith('assets/') && p.endsWith(name))!)!;
    expect(written('fox.png')).toEqual(files.file_p);
    expect(written('fox.jpg')).toEqual(files.file_j);
    expect(holdsCredentials(written('fox.png'), 3) && holdsCredentials(written('fox.jpg'), 4)).toBe(true);
  });

  it('uses <audio> and <video> for recordings and videos, and links an unknown kind', async () => {
    const json = conversation('media', 'Media', 'voice');
    const mk = (kind: ArtifactKind, fileId: string, fileName: string, mimeType: string | null): ReadableArtifact => ({
      kind, conversationId: 'media', messageId: 'a', fileId, genId: null, fileName, sandboxPath: null, prompt: null, mimeType, status: 'saved', reason: null,
      sha256: fileId, open: () => Promise.resolve(streamOf(bytesFor(fileId))),
    });
    const { out } = await renderAll([{ label: 'm', json }], [mk('audio', 'file_a', 'voice.wav', 'audio/wav'), mk('video', 'file_v', 'clip.mp4', 'video/mp4'), mk('canvas', 'file_c', 'doc.md', null)]);
    const html = out.text([...out.files.keys()].find((p) => p.endsWith('.html') && p.startsWith('conversations/'))!);
    expect(html).toMatch(/<audio controls preload="none" src="\.\.\/assets\/[^"/]+\/[^"/]*%20-%20voice\.wav"><\/audio>/);
    expect(html).toMatch(/<video controls preload="none" src="\.\.\/assets\/[^"/]+\/[^"/]*%20-%20clip\.mp4"><\/video>/);
    expect(html).toMatch(/File: <a href="\.\.\/assets\/[^"/]+\/[^"/]*%20-%20doc\.md">[^<]* - doc\.md<\/a>/);
  });
});
