import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { walkConversation } from '@/utils/chatgpt/walker';
import type { ArchiveOutput, ConversationItem, ReadableArtifact } from '@/utils/readable';

export const FIXTURES = join(__dirname, '../../fixtures/conversations');

export function fixtureNames(): string[] {
  return readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
}
export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
}

/** An output that keeps every file in memory, and refuses a path twice (as the ZIP writer does). */
export function memoryOutput(): ArchiveOutput & { files: Map<string, Uint8Array>; text(path: string): string } {
  const files = new Map<string, Uint8Array>();
  return {
    files,
    text: (p) => new TextDecoder().decode(files.get(p)),
    async add(path, data) {
      if (files.has(path)) throw new Error(`written twice: ${path}`);
      files.set(path, data instanceof Uint8Array ? data : new Uint8Array(await new Response(data).arrayBuffer()));
    },
  };
}

export async function* items(list: ConversationItem[]): AsyncGenerator<ConversationItem> {
  for (const x of list) yield x;
}

/** Deterministic bytes unique to a name. */
export function bytesFor(name: string, size = 64): Uint8Array {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = (name.charCodeAt(i % name.length) + i) & 0xff;
  return b;
}

export function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      c.enqueue(bytes);
      c.close();
    },
  });
}

/** The artifacts the walker finds in a conversation, each with bytes unless `withoutBytes` says otherwise. */
export function artifactsOf(json: unknown, withoutBytes: (kind: string, i: number) => boolean = () => false): { artifacts: ReadableArtifact[]; bytes: Map<ReadableArtifact, Uint8Array> } {
  const walk = walkConversation(json);
  const bytes = new Map<ReadableArtifact, Uint8Array>();
  const artifacts = walk.refs.map((r, i): ReadableArtifact => {
    const none = withoutBytes(r.kind, i);
    const b = bytesFor(`${r.fileId ?? r.genId ?? r.sandboxPath}`);
    const a: ReadableArtifact = {
      kind: r.kind, conversationId: r.conversationId, messageId: r.messageId, fileId: r.fileId, genId: r.genId, fileName: r.fileName,
      sandboxPath: r.sandboxPath, prompt: r.prompt, mimeType: r.mimeType, status: none ? 'expired' : 'saved',
      reason: none ? 'sandbox expired' : null, sha256: none ? null : `sha-${i}`, open: none ? null : () => Promise.resolve(streamOf(b)),
    };
    if (!none) bytes.set(a, b);
    return a;
  });
  return { artifacts, bytes };
}

/** Every relative link target (`href`/`src` in HTML, `](…)` in Markdown) of a file, decoded and resolved. */
export function relativeLinks(path: string, text: string): string[] {
  const targets: string[] = [];
  if (path.endsWith('.html')) {
    for (const m of text.matchAll(/\s(?:href|src)="([^"]*)"/g)) targets.push(m[1]!.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'"));
  } else {
    for (const m of text.matchAll(/\]\(([^)\s]*)\)/g)) targets.push(m[1]!);
  }
  const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
  const out: string[] = [];
  for (const t of targets) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(t) || t.startsWith('#')) continue;
    const parts = dir ? dir.split('/') : [];
    for (const seg of decodeURIComponent(t.split('#')[0]!).split('/')) {
      // A `..` past the archive's root keeps its mark, so the target can never be one of the archive's files.
      if (seg === '..') {
        if (parts.length && parts.at(-1) !== '..') parts.pop();
        else parts.push('..');
      } else if (seg !== '.' && seg !== '') parts.push(seg);
    }
    out.push(parts.join('/'));
  }
  return out;
}
