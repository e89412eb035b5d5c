/**
 * The readable archive (docs/FORMATS.md section 5): conversations as Markdown and static HTML, every
 * artifact's bytes under `assets/`, an index with a gallery and offline search, and `provenance.json`.
 *
 * Streamed: one conversation is held at a time (its JSON, its two pages), and each artifact's bytes pass
 * from their source to the output as a stream. What stays for the whole run is small: one line per
 * conversation for the index, one entry per artifact for provenance and the gallery.
 *
 * Artifacts are found in a conversation by the one walker (utils/chatgpt/walker.ts), matched to the
 * input's artifacts by identity, and placed under the message that carries them; `sandbox:` links are
 * found with utils/chatgpt/sandbox-links.ts and pointed at the saved file. Every name goes through
 * `safeFileName` and is unique per folder.
 */
import { artifactIdentity, type ArtifactKind } from '@/utils/model';
import { conversationPageUrl } from '@/utils/chatgpt/routes';
import { extractSandboxTargets, normaliseSandboxPath } from '@/utils/chatgpt/sandbox-links';
import { walkConversation } from '@/utils/chatgpt/walker';
import { safeFileName } from '@/utils/files/safe-file-name';
import { namePatternOrDefault, patternFileName, type NamePattern } from '@/utils/files/name-pattern';
import { localDay } from '@/utils/library/groups';
import { UniqueNames } from '@/utils/reconcile/unique-names';
import { page, searchBlock } from './html';
import { createHtmlRenderer, escapeHtml, fenced, markdownForFile, type HtmlRenderer } from './markdown';
import { readThread, type Piece, type Thread } from '@/utils/chatgpt/thread';
import type { ArchiveOutput, ReadableArtifact, ReadableInput, RenderProgress, RenderSummary } from './types';

const PROVENANCE_FORMAT = 'chatgpt-artifact-vault/readable-archive';

export interface RenderOptions {
  onProgress?: (p: RenderProgress) => void;
  signal?: AbortSignal;
  /** The `File names` pattern of the assets' file names (utils/files/name-pattern.ts); the default when absent. */
  namePattern?: NamePattern;
}

interface Placed {
  /** Path inside the archive, null without bytes. */
  path: string | null;
  size: number | null;
  status: string;
  reason: string | null;
  prompt: string | null;
  mimeType: string | null;
  /** The conversation page that shows it (gallery link), null for `_library`. */
  page: string | null;
}

interface IndexRow {
  title: string;
  stem: string;
  id: string;
  time: number | null;
  created: number | null;
  project: string | null;
  model: string | null;
  files: number;
  search: string;
}

/** Characters of a conversation's text kept for the index's search. */
const SEARCH_CHARS = 4000;
const LIBRARY = 'assets/_library';

const imageKinds: ReadonlySet<string> = new Set<ArtifactKind>(['image', 'chart']);

const IMAGE_EXT = /\.(png|jpe?g|webp|gif|avif)$/i;
function isImage(a: { kind: string; fileName: string | null }, mime: string | null): boolean {
  if (mime !== null) return mime.startsWith('image/') && mime !== 'image/svg+xml';
  return imageKinds.has(a.kind) || IMAGE_EXT.test(a.fileName ?? '');
}
function mediaOf(a: { kind: string; fileName: string | null }, mime: string | null): 'image' | 'audio' | 'video' | 'file' {
  if (a.kind === 'audio' || mime?.startsWith('audio/')) return 'audio';
  if (a.kind === 'video' || mime?.startsWith('video/')) return 'video';
  return isImage(a, mime) ? 'image' : 'file';
}
/** Images, archives and media are compressed already: stored, not deflated again. */
function isCompressed(mime: string | null): boolean {
  return mime !== null && (/^image\/(png|jpeg|webp|gif|avif)$/.test(mime) || /zip|gzip|x-7z|compressed/.test(mime) || mime.startsWith('video/') || mime.startsWith('audio/'));
}

/** A relative URL for an archive path, every segment percent-encoded (parentheses too, for Markdown). */
function url(path: string, fromFolder: boolean): string {
  const enc = path.split('/').map((s) => encodeURIComponent(s).replace(/\(/g, '%28').replace(/\)/g, '%29')).join('/');
  return fromFolder ? `../${enc}` : enc;
}

const pad = (n: number) => String(n).padStart(2, '0');
function localTime(seconds: number): string {
  const d = new Date(seconds * 1000);
  return `${localDay(d)} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
const iso = (seconds: number | null) => (seconds === null ? null : new Date(seconds * 1000).toISOString());
function monthOf(seconds: number | null): string {
  if (seconds === null) return 'Undated';
  const d = new Date(seconds * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}`;
}

/** Alt text / link text inside `[…]`: one line, brackets and backslashes escaped, bounded. */
function mdLabel(s: string, max = 200): string {
  const one = s.replace(/\s+/g, ' ').trim();
  const cut = one.length > max ? `${one.slice(0, max - 1)}…` : one;
  return markdownForFile(cut).replace(/[[\]\\]/g, '\\$&');
}

const yaml = (v: string | null) => (v === null ? 'null' : JSON.stringify(v));

class Renderer {
  private readonly names = new UniqueNames();
  private readonly html = createHtmlRenderer();
  private readonly placed = new Map<ReadableArtifact, Placed>();
  private readonly byIdentity = new Map<string, ReadableArtifact>();
  private readonly byFile = new Map<string, ReadableArtifact>();
  private readonly byGen = new Map<string, ReadableArtifact>();
  private readonly byConversation = new Map<string, ReadableArtifact[]>();
  /** Artifacts the conversations mention that no input artifact matches (named "not saved"). */
  private readonly unknown: ReadableArtifact[] = [];
  private readonly seen = new Set<string>();
  private readonly rows: IndexRow[] = [];
  private readonly gallery: { path: string; alt: string; page: string | null }[] = [];
  readonly summary: RenderSummary = { conversations: 0, assets: 0, bytes: 0, notSaved: 0, library: 0, notes: [] };

  constructor(
    private readonly input: ReadableInput,
    private readonly out: ArchiveOutput,
    private readonly opts: RenderOptions,
  ) {
    for (const a of input.artifacts) {
      const id = artifactIdentity({ kind: a.kind, conversationId: a.conversationId ?? '', sandboxPath: a.sandboxPath, fileId: a.fileId, genId: a.genId });
      if (id !== null && !this.byIdentity.has(id)) this.byIdentity.set(id, a);
      if (a.fileId && !this.byFile.has(a.fileId.toLowerCase())) this.byFile.set(a.fileId.toLowerCase(), a);
      if (a.genId && !this.byGen.has(a.genId)) this.byGen.set(a.genId, a);
      if (a.conversationId) {
        let list = this.byConversation.get(a.conversationId);
        if (!list) this.byConversation.set(a.conversationId, (list = []));
        list.push(a);
      }
    }
  }

  private note(line: string): void {
    this.summary.notes.push(line);
  }

  private progress(): void {
    const { conversations, assets, bytes } = this.summary;
    this.opts.onProgress?.({ conversations, assets, bytes });
  }

  private abortCheck(): void {
    if (this.opts.signal?.aborted) throw this.opts.signal.reason ?? new DOMException('Aborted', 'AbortError');
  }

  /**
   * Writes the artifact's bytes (once) into `folder` and records where they went, named by the `File names`
   * pattern from the artifact, its conversation's `title` and the `time` (seconds) of its message.
   */
  private async place(a: ReadableArtifact, folder: string, pagePath: string | null, title: string | null = null, time: number | null = null): Promise<Placed> {
    const done = this.placed.get(a);
    if (done) return done;
    const p: Placed = { path: null, size: null, status: a.status, reason: a.reason, prompt: a.prompt, mimeType: a.mimeType, page: pagePath };
    this.placed.set(a, p);
    const stream = a.open ? await a.open() : null;
    if (stream) {
      const name = patternFileName(this.opts.namePattern ?? namePatternOrDefault(null), {
        kind: a.kind, fileName: a.fileName, mimeType: a.mimeType, prompt: a.prompt, title, time: time === null ? null : time * 1000,
        id: a.fileId ?? a.genId ?? a.sha256?.slice(0, 16) ?? null,
      });
      const path = this.names.next(folder, name);
      let size = 0;
      const counted = stream.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, ctrl) {
          size += chunk.length;
          ctrl.enqueue(chunk);
        },
      }));
      await this.out.add(path, counted, { compress: !isCompressed(a.mimeType) });
      p.path = path;
      p.size = size;
      p.status = 'saved';
      p.reason = null;
      this.summary.assets++;
      this.summary.bytes += size;
      if (mediaOf(a, a.mimeType) === 'image') this.gallery.push({ path, alt: a.prompt ?? a.fileName ?? '', page: pagePath });
      this.progress();
    } else {
      if (a.status === 'saved') {
        p.status = 'failed';
        p.reason = 'bytes missing';
      }
      this.summary.notSaved++;
    }
    return p;
  }

  async run(): Promise<RenderSummary> {
    for await (const item of this.input.conversations) {
      this.abortCheck();
      if ('problem' in item) {
        this.note(`${item.label}: skipped (${item.problem})`);
        continue;
      }
      try {
        if ('prepared' in item) await this.emit(item.label, item.prepared);
        else await this.conversation(item.label, item.json);
      } catch (error) {
        // A bug on one odd conversation must not lose the rest; an output failure is not this.
        if (error instanceof OutputError) throw error.cause;
        this.note(`${item.label}: skipped (${error instanceof Error ? error.message : String(error)})`);
      }
    }
    await this.library();
    await this.indexes();
    try {
      await this.out.add('provenance.json', this.provenance(), { compress: true });
    } catch (error) {
      throw new OutputError(error);
    }
    return this.summary;
  }

  private async write(path: string, text: string): Promise<void> {
    try {
      await this.out.add(path, new TextEncoder().encode(text), { compress: true });
    } catch (error) {
      throw new OutputError(error);
    }
  }

  /**
   * `prefix + parts.join('\n') + suffix` as UTF-8, where a part may be UTF-8 already (prepared in a parse
   * worker): the same bytes, without a page-sized string to build and encode here.
   */
  private async writeParts(path: string, prefix: string, parts: Text[], suffix: string): Promise<void> {
    const enc = new TextEncoder();
    const chunks: Uint8Array[] = [enc.encode(prefix)];
    for (let i = 0; i < parts.length; i++) {
      if (i > 0) chunks.push(NEWLINE);
      const p = parts[i]!;
      chunks.push(typeof p === 'string' ? enc.encode(p) : p);
    }
    chunks.push(enc.encode(suffix));
    const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      bytes.set(c, at);
      at += c.length;
    }
    try {
      await this.out.add(path, bytes, { compress: true });
    } catch (error) {
      throw new OutputError(error);
    }
  }

  private lookup(ref: { kind: string; conversationId: string; sandboxPath: string | null; fileId: string | null; genId: string | null }): ReadableArtifact | null {
    const id = artifactIdentity(ref as Parameters<typeof artifactIdentity>[0]);
    return (id ? this.byIdentity.get(id) : undefined)
      ?? (ref.fileId ? this.byFile.get(ref.fileId.toLowerCase()) : undefined)
      ?? (ref.genId ? this.byGen.get(ref.genId) : undefined)
      ?? null;
  }

  /** A conversation JSON rendered here: prepared and emitted in one go (the page, the vault, tests). */
  private conversation(label: string, json: unknown): Promise<void> {
    return this.emit(label, prepareConversation(json, this.html));
  }

  /** Places a prepared conversation's artifacts, fills in what depends on them, writes its two pages. */
  private async emit(label: string, prep: PreparedConversation): Promise<void> {
    const id = prep.id;
    if (id === null) {
      this.note(`${label}: skipped (${prep.problem})`);
      return;
    }
    if (this.seen.has(id)) {
      this.note(`${label}: a second copy of conversation ${id} skipped`);
      return;
    }
    this.seen.add(id);
    const title = prep.title;
    const day = prep.createTime !== null ? localDay(new Date(prep.createTime * 1000)) : 'undated';
    const mdPath = this.names.next('conversations', `${safeFileName(`${day} ${title}`, day, 100)}.md`);
    const stem = mdPath.slice('conversations/'.length, -3);
    const htmlPath = this.names.next('conversations', `${stem}.html`);
    const folder = `assets/${stem}`;

    // The conversation's artifacts: what the walker finds (in its order), then what the input adds.
    const list: ReadableArtifact[] = [];
    const inList = new Set<ReadableArtifact>();
    const messageOf = new Map<ReadableArtifact, string | null>();
    const timeOf = new Map<ReadableArtifact, number | null>();
    for (const ref of prep.refs) {
      let a = this.lookup(ref);
      if (!a && this.input.onlyListed) continue;
      if (!a) {
        a = {
          kind: ref.kind, conversationId: id, messageId: ref.messageId, fileId: ref.fileId, genId: ref.genId, fileName: ref.fileName,
          sandboxPath: ref.sandboxPath, prompt: ref.prompt, mimeType: ref.mimeType, status: 'missing', reason: 'neither the vault nor the export holds its bytes',
          sha256: null, open: null,
        };
        this.unknown.push(a);
      }
      if (inList.has(a)) continue;
      inList.add(a);
      list.push(a);
      messageOf.set(a, ref.messageId);
      timeOf.set(a, ref.createTime);
      if (a.prompt === null && ref.prompt !== null) a.prompt = ref.prompt;
      if (a.mimeType === null && ref.mimeType !== null) a.mimeType = ref.mimeType;
    }
    for (const a of this.byConversation.get(id) ?? []) {
      if (inList.has(a)) continue;
      inList.add(a);
      list.push(a);
      messageOf.set(a, a.messageId);
    }
    const placed: { a: ReadableArtifact; p: Placed }[] = [];
    for (const a of list) {
      this.abortCheck();
      let p: Placed;
      try {
        p = await this.place(a, folder, htmlPath, prep.titled ? prep.title : null, timeOf.get(a) ?? prep.createTime);
      } catch (error) {
        throw new OutputError(error);
      }
      placed.push({ a, p });
    }

    // Where each one shows: under its message when that is on the visible thread, else at the end.
    const visible = new Set(prep.visible);
    const byMessage = new Map<string, { a: ReadableArtifact; p: Placed }[]>();
    const elsewhere: { a: ReadableArtifact; p: Placed }[] = [];
    for (const x of placed) {
      const m = messageOf.get(x.a) ?? x.a.messageId;
      if (m !== null && visible.has(m)) {
        let l = byMessage.get(m);
        if (!l) byMessage.set(m, (l = []));
        l.push(x);
      } else elsewhere.push(x);
    }
    // Sandbox links in text point at the saved file.
    const sandboxTargets = new Map<string, string>();
    for (const x of placed) {
      if (x.a.kind === 'sandbox-file' && x.a.sandboxPath && x.p.path) sandboxTargets.set(x.a.sandboxPath, url(x.p.path, true));
    }
    const local = new Set<string>();
    for (const x of placed) if (x.p.path) local.add(url(x.p.path, true));

    const md: Text[] = [prep.headerMd];
    const html: Text[] = [prep.headerHtml];
    for (const turn of prep.turns) {
      const mdBody: Text[] = [];
      const htmlBody: Text[] = [];
      for (const m of turn.messages) {
        for (const piece of m.pieces) {
          if (typeof piece === 'string') this.textOut(piece, id, sandboxTargets, local, mdBody, htmlBody);
          else {
            mdBody.push(piece.md);
            htmlBody.push(piece.html);
          }
        }
        for (const key of m.ids) {
          for (const x of byMessage.get(key) ?? []) this.artifactOut(x.a, x.p, true, mdBody, htmlBody);
          byMessage.delete(key);
        }
      }
      if (mdBody.length === 0) continue;
      md.push(turn.mdHead, ...mdBody);
      html.push(turn.htmlHead, ...htmlBody, '</section>');
    }
    if (elsewhere.length > 0) {
      md.push('## Other files from this conversation', '', '*Regenerations, edited turns and files whose message is not on the visible thread.*', '');
      html.push('<section class="turn"><h2>Other files from this conversation</h2><p class="muted">Regenerations, edited turns and files whose message is not on the visible thread.</p>');
      for (const x of elsewhere) this.artifactOut(x.a, x.p, true, md, html);
      html.push('</section>');
    }
    html.push('</main>');
    await this.writeParts(mdPath, '', md, '\n');
    // The page shell around the body; the body is its last variable part, so the last marker is the body's.
    const shell = page(title, BODY, `<meta name="chatgpt-conversation-id" content="${escapeHtml(id)}">\n`);
    const body = shell.lastIndexOf(BODY);
    await this.writeParts(htmlPath, shell.slice(0, body), html, shell.slice(body + BODY.length));
    this.rows.push({
      title, stem, id, time: prep.updateTime ?? prep.createTime, created: prep.createTime, project: prep.project, model: prep.model,
      files: placed.length, search: prep.search,
    });
    this.summary.conversations++;
    this.progress();
  }

  /** A text piece that may link the archive's files (see `isStaticText`), rendered with them. */
  private textOut(text: string, conversationId: string, sandbox: Map<string, string>, local: Set<string>, md: Text[], html: Text[]): void {
    const t = text.includes('sandbox:') ? rewriteSandbox(text, conversationId, sandbox) : text;
    md.push(`${markdownForFile(t, local)}\n`);
    html.push(this.html.render(t, local));
  }

  private artifactOut(a: ReadableArtifact, p: Placed, fromFolder: boolean, md: Text[], html: Text[]): void {
    const name = a.fileName ?? a.kind;
    const mime = p.mimeType;
    if (p.path === null) {
      const why = `${p.status}${p.reason ? `: ${p.reason}` : ''}`;
      md.push(`> **Not saved** (${mdLabel(a.kind, 40)}): ${mdLabel(name)} (${mdLabel(why)})`, '');
      html.push(`<p class="missing"><strong>Not saved</strong> (${escapeHtml(a.kind)}): ${escapeHtml(name)} (${escapeHtml(why)})</p>`);
      return;
    }
    const href = url(p.path, fromFolder);
    const alt = p.prompt ?? name;
    const file = p.path.slice(p.path.lastIndexOf('/') + 1);
    switch (mediaOf(a, mime)) {
      case 'image':
        md.push(`![${mdLabel(alt)}](${href})`, '');
        html.push(`<figure><a href="${escapeHtml(href)}"><img src="${escapeHtml(href)}" alt="${escapeHtml(alt)}" loading="lazy"></a>${p.prompt ? `<figcaption>${escapeHtml(p.prompt)}</figcaption>` : ''}</figure>`);
        return;
      case 'audio':
        md.push(`[Recording: ${mdLabel(file)}](${href})`, '');
        html.push(`<figure><audio controls preload="none" src="${escapeHtml(href)}"></audio><figcaption><a href="${escapeHtml(href)}">${escapeHtml(file)}</a></figcaption></figure>`);
        return;
      case 'video':
        md.push(`[Video: ${mdLabel(file)}](${href})`, '');
        html.push(`<figure><video controls preload="none" src="${escapeHtml(href)}"></video><figcaption><a href="${escapeHtml(href)}">${escapeHtml(file)}</a></figcaption></figure>`);
        return;
      default:
        md.push(`[File: ${mdLabel(file)}](${href})`, '');
        html.push(`<p>File: <a href="${escapeHtml(href)}">${escapeHtml(file)}</a></p>`);
    }
  }

  /** Artifacts of no conversation in the archive: `assets/_library/`, shown in the index. */
  private async library(): Promise<void> {
    for (const a of [...this.input.artifacts, ...this.unknown]) {
      this.abortCheck();
      if (this.placed.has(a)) continue;
      try {
        await this.place(a, LIBRARY, null);
      } catch (error) {
        throw new OutputError(error);
      }
      this.summary.library++;
    }
  }

  private async indexes(): Promise<void> {
    const rows = [...this.rows].sort((a, b) => (b.time ?? -Infinity) - (a.time ?? -Infinity) || a.stem.localeCompare(b.stem));
    const months = new Map<string, Map<string, IndexRow[]>>();
    for (const r of rows) {
      const month = monthOf(r.time);
      let projects = months.get(month);
      if (!projects) months.set(month, (projects = new Map<string, IndexRow[]>()));
      const key = r.project ?? '';
      let l = projects.get(key);
      if (!l) projects.set(key, (l = []));
      l.push(r);
    }
    const md: string[] = ['# ChatGPT conversations', '', `${rows.length} conversations, ${this.summary.assets} files.`, ''];
    const html: string[] = [
      '<header><h1>ChatGPT conversations</h1>',
      `<p>${rows.length} conversations, ${this.summary.assets} files. <a href="#gallery">Gallery</a></p></header>`,
      '<main>',
      '<input type="search" id="search" placeholder="Search titles and text" aria-label="Search conversations" hidden>',
    ];
    const search: string[] = [];
    for (const [month, projects] of months) {
      md.push(`## ${month}`, '');
      html.push(`<section data-group><h2>${escapeHtml(month)}</h2>`);
      for (const [project, list] of projects) {
        if (project) {
          md.push(`### Project ${mdLabel(project)}`, '');
          html.push(`<h3>Project ${escapeHtml(project)}</h3>`);
        }
        html.push('<ul class="convs">');
        for (const r of list) {
          const when = r.time !== null ? localTime(r.time) : 'undated';
          md.push(`- [${mdLabel(r.title, 300)}](${url(`conversations/${r.stem}.md`, false)}) · ${when}${r.files ? ` · ${r.files} files` : ''}`);
          html.push(`<li data-i="${search.length}"><a href="${escapeHtml(url(`conversations/${r.stem}.html`, false))}">${escapeHtml(r.title)}</a> <span class="muted">${escapeHtml(when)}${r.model ? ` · ${escapeHtml(r.model)}` : ''}${r.files ? ` · ${r.files} files` : ''}</span></li>`);
          search.push(r.search);
        }
        html.push('</ul>');
        md.push('');
      }
      html.push('</section>');
    }
    const libraryItems = [...this.placed.entries()].filter(([, p]) => p.page === null);
    if (libraryItems.length > 0) {
      md.push('## Files from no conversation in this archive', '');
      html.push('<section><h2>Files from no conversation in this archive</h2><ul>');
      for (const [a, p] of libraryItems) {
        if (p.path) {
          const file = p.path.slice(p.path.lastIndexOf('/') + 1);
          md.push(`- [${mdLabel(file)}](${url(p.path, false)})`);
          html.push(`<li><a href="${escapeHtml(url(p.path, false))}">${escapeHtml(file)}</a></li>`);
        } else {
          const why = `${p.status}${p.reason ? `: ${p.reason}` : ''}`;
          md.push(`- Not saved: ${mdLabel(a.fileName ?? a.fileId ?? a.genId ?? a.kind)} (${mdLabel(why)})`);
          html.push(`<li class="missing">Not saved: ${escapeHtml(a.fileName ?? a.fileId ?? a.genId ?? a.kind)} (${escapeHtml(why)})</li>`);
        }
      }
      md.push('');
      html.push('</ul></section>');
    }
    if (this.summary.notes.length > 0) {
      md.push('## Notes', '');
      html.push('<section><h2>Notes</h2><ul>');
      for (const n of this.summary.notes) {
        md.push(`- ${mdLabel(n, 500)}`);
        html.push(`<li>${escapeHtml(n)}</li>`);
      }
      md.push('');
      html.push('</ul></section>');
    }
    html.push(`<section id="gallery"><h2>Gallery</h2><p class="muted">${this.gallery.length} images</p><div class="gallery">`);
    for (const g of this.gallery) {
      const target = g.page ?? g.path;
      html.push(`<a href="${escapeHtml(url(target, false))}"><img src="${escapeHtml(url(g.path, false))}" alt="${escapeHtml(g.alt)}" loading="lazy"></a>`);
    }
    html.push('</div></section></main>');
    await this.write('index.md', `${md.join('\n')}\n`);
    // Streamed: the search index is up to 4,000 characters per conversation (tens of MB for a large export).
    const shell = page('ChatGPT conversations', BODY);
    const body = shell.lastIndexOf(BODY);
    const parts = (function* () {
      yield shell.slice(0, body);
      yield* html.map((line) => `${line}\n`);
      yield* searchBlock(search);
      yield shell.slice(body + BODY.length);
    })();
    try {
      await this.out.add('index.html', textStream(parts), { compress: true });
    } catch (error) {
      throw new OutputError(error);
    }
  }

  /**
   * `provenance.json` as a stream, a thousand entries per chunk: a large export names hundreds of thousands
   * of artifacts, whose prompts made one JSON string (and its UTF-8 copy) of hundreds of MB.
   */
  private provenance(): ReadableStream<Uint8Array> {
    const entries = this.placed.entries();
    const enc = new TextEncoder();
    let first = true;
    let ended = false;
    return new ReadableStream<Uint8Array>({
      pull(ctrl) {
        if (ended) return;
        let text = first ? `{"format":${JSON.stringify(PROVENANCE_FORMAT)},"version":1,"artifacts":[` : '';
        for (let n = 0; n < 1000; n++) {
          const next = entries.next();
          if (next.done) {
            ended = true;
            text += '\n]}\n';
            break;
          }
          const [a, p] = next.value;
          text += `${first ? '' : ','}\n${JSON.stringify({
            kind: a.kind, conversationId: a.conversationId, messageId: a.messageId, fileId: a.fileId, genId: a.genId, fileName: a.fileName,
            sandboxPath: a.sandboxPath, prompt: p.prompt ?? a.prompt, status: p.status, reason: p.reason,
            sha256: p.path ? a.sha256 : null, size: p.path ? p.size : null, path: p.path,
          })}`;
          first = false;
        }
        ctrl.enqueue(enc.encode(text));
        if (ended) ctrl.close();
      },
    });
  }
}

/** Strings as a UTF-8 stream, about 64K characters a chunk. */
function textStream(parts: Iterator<string>): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    pull(ctrl) {
      let text = '';
      while (text.length < 65_536) {
        const next = parts.next();
        if (next.done) {
          if (text) ctrl.enqueue(enc.encode(text));
          ctrl.close();
          return;
        }
        text += next.value;
      }
      ctrl.enqueue(enc.encode(text));
    },
  });
}

/** Rendered text: a string, or its UTF-8 bytes (encoded where it was prepared). */
export type Text = string | Uint8Array;
const NEWLINE = new Uint8Array([10]);
/** Where a page's body goes in its shell (`page`). */
const BODY = '\u0000body\u0000';

/** A walker ref as the renderer uses it (matching, and the "not saved" entry when nothing matches). */
export type PreparedRef = Pick<ReturnType<typeof walkConversation>['refs'][number],
  'kind' | 'conversationId' | 'messageId' | 'fileId' | 'genId' | 'fileName' | 'sandboxPath' | 'prompt' | 'mimeType' | 'createTime'>;

/**
 * One conversation with everything that does not depend on where its artifacts are saved already rendered:
 * the front matter and header, each turn's heading, and every piece whose output cannot depend on the
 * archive's files (`isStaticText`) as final Markdown and HTML. A piece that might link a saved file, and
 * the artifacts themselves, are filled in by the renderer. Plain data (strings, numbers, arrays), so it can
 * be made in another thread and kept on disk until the export's matching is done (the CLI).
 */
export interface PreparedConversation {
  /** The walker's conversation id; null: skipped, `problem` says why. */
  id: string | null;
  problem: string;
  refs: PreparedRef[];
  /** The title shown (`Untitled` when the JSON has none); `titled` says whether the JSON had one (file names use only a real one). */
  title: string;
  titled: boolean;
  createTime: number | null;
  updateTime: number | null;
  model: string | null;
  project: string | null;
  /** Every id on the visible thread. */
  visible: string[];
  headerMd: Text;
  headerHtml: Text;
  turns: {
    mdHead: Text;
    htmlHead: Text;
    /**
     * A piece is its final `{ md, html }` (one or more pieces, joined by newlines), or its text when it must
     * be rendered with the archive's files.
     */
    messages: { ids: string[]; pieces: (string | { md: Text; html: Text })[] }[];
  }[];
  /** The index's search text (lower case, bounded). */
  search: string;
}

/**
 * Whether a text piece renders the same whatever files the archive holds. Its output depends on them only
 * through a `sandbox:` link (rewritten to the saved file) or a link or image whose target, after Markdown's
 * escapes and entities, is one of the archive's `../assets/…` URLs; without `sandbox:`, `../`, an escaped
 * `.` or `/`, or an entity that could spell one, no target can start with `../`.
 */
function isStaticText(text: string): boolean {
  return !/sandbox:|\.\.\/|\\[./]|&#|&period;|&sol;/.test(text);
}

const NONE: ReadonlySet<string> = new Set();

/** The part of a conversation's rendering that needs no other conversation and no artifact (see `PreparedConversation`). */
export function prepareConversation(json: unknown, htmlRenderer: HtmlRenderer, walk = walkConversation(json)): PreparedConversation {
  const id = walk.conversationId;
  const refs = walk.refs.map((r): PreparedRef => ({
    kind: r.kind, conversationId: r.conversationId, messageId: r.messageId, fileId: r.fileId, genId: r.genId, fileName: r.fileName,
    sandboxPath: r.sandboxPath, prompt: r.prompt, mimeType: r.mimeType, createTime: r.createTime,
  }));
  const empty = {
    id, problem: walk.problems[0] ?? 'no conversation id', refs, title: '', titled: false, createTime: null, updateTime: null, model: null, project: null,
    visible: [], headerMd: '', headerHtml: '', turns: [], search: '',
  };
  if (id === null) return empty;
  const thread = readThread(json);
  const title = thread.title?.trim() || 'Untitled';
  let searchText = title;
  const turns: PreparedConversation['turns'] = [];
  for (const turn of thread.turns) {
    const messages: PreparedConversation['turns'][number]['messages'] = [];
    for (const m of turn.messages) {
      const pieces: (string | { md: string; html: string })[] = [];
      for (const piece of m.pieces) {
        const text = piece.type === 'text' ? piece.text : '';
        if (searchText.length < SEARCH_CHARS && text) searchText += ` ${text.slice(0, SEARCH_CHARS)}`;
        if (piece.type === 'text' && !isStaticText(piece.text)) {
          pieces.push(piece.text);
          continue;
        }
        const md: string[] = [];
        const html: string[] = [];
        pieceOut(piece, htmlRenderer, md, html);
        pieces.push({ md: md.join('\n'), html: html.join('\n') });
      }
      messages.push({ ids: m.ids, pieces });
    }
    const who = turn.role === 'user' ? 'You' : 'ChatGPT';
    const when = turn.time !== null ? localTime(turn.time) : null;
    turns.push({
      mdHead: `## ${who}${when ? ` · ${when}` : ''}\n`,
      htmlHead: `<section class="turn ${turn.role === 'user' ? 'you' : 'chatgpt'}">\n<h2>${who}${when ? ` <time datetime="${iso(turn.time)}">${escapeHtml(when)}</time>` : ''}</h2>`,
      messages,
    });
  }
  const md: string[] = [];
  const html: string[] = [];
  header(id, title, thread, md, html);
  return {
    ...empty, title, titled: Boolean(thread.title?.trim()), createTime: thread.createTime, updateTime: thread.updateTime, model: thread.model, project: thread.project,
    visible: [...thread.visible], headerMd: md.join('\n'), headerHtml: html.join('\n'), turns, search: searchText.toLowerCase().slice(0, SEARCH_CHARS),
  };
}

function header(id: string, title: string, t: Thread, md: string[], html: string[]): void {
  const link = conversationPageUrl(id);
  md.push(
    '---',
    `title: ${yaml(title)}`,
    `conversation_id: ${yaml(id)}`,
    `created: ${yaml(iso(t.createTime))}`,
    `updated: ${yaml(iso(t.updateTime))}`,
    `model: ${yaml(t.model)}`,
    `project: ${yaml(t.project)}`,
    `url: ${yaml(link)}`,
    '---',
    '',
    `# ${mdLabel(title, 300)}`,
    '',
  );
  const facts: string[] = [];
  if (t.createTime !== null) facts.push(`Created ${escapeHtml(localTime(t.createTime))}`);
  if (t.updateTime !== null) facts.push(`updated ${escapeHtml(localTime(t.updateTime))}`);
  if (t.model) facts.push(`model ${escapeHtml(t.model)}`);
  if (t.project) facts.push(`project ${escapeHtml(t.project)}`);
  html.push(
    '<header>',
    '<p><a href="../index.html">All conversations</a></p>',
    `<h1>${escapeHtml(title)}</h1>`,
    `<p>${facts.join(' · ')}${facts.length ? ' · ' : ''}<a href="${escapeHtml(link)}" rel="noopener noreferrer">Open in ChatGPT</a></p>`,
    '</header>',
    '<main>',
  );
}

/** One piece that needs none of the archive's files, into both outputs. */
function pieceOut(piece: Piece, htmlRenderer: HtmlRenderer, md: string[], html: string[]): void {
  if (piece.type === 'code') {
    md.push(`**Code${piece.language ? ` (${mdLabel(piece.language, 40)})` : ''}**`, '', fenced(piece.code, piece.language), '');
    const cls = piece.language ? ` class="language-${escapeHtml(piece.language.replace(/[^\w+#.-]/g, ''))}"` : '';
    html.push(`<details><summary>Code${piece.language ? ` (${escapeHtml(piece.language)})` : ''}</summary><pre><code${cls}>${escapeHtml(piece.code)}</code></pre></details>`);
    return;
  }
  if (piece.type === 'output') {
    md.push('**Output**', '', fenced(piece.text), '');
    html.push(`<details><summary>Output</summary><pre><code>${escapeHtml(piece.text)}</code></pre></details>`);
    return;
  }
  md.push(markdownForFile(piece.text, NONE), '');
  html.push(htmlRenderer.render(piece.text, NONE));
}

/** A failure of the output (a full disk, a cancelled download): ends the run, unlike a bad conversation. */
class OutputError extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** `sandbox:` targets in `text` replaced by the saved file's relative URL (longest first: one may prefix another). */
function rewriteSandbox(text: string, conversationId: string, targets: Map<string, string>): string {
  const raws = [...new Set(extractSandboxTargets(text))].sort((a, b) => b.length - a.length);
  let out = text;
  for (const raw of raws) {
    const path = normaliseSandboxPath(raw);
    const to = path ? targets.get(path) : undefined;
    if (to) out = out.split(raw).join(to);
  }
  return out;
}

/** Renders the archive into `out`; returns the counts and notes. Rejects only when the output fails. */
export function renderReadableArchive(input: ReadableInput, out: ArchiveOutput, opts: RenderOptions = {}): Promise<RenderSummary> {
  return new Renderer(input, out, opts).run();
}
