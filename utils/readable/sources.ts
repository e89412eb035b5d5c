/**
 * Inputs of the readable archive: a vault (the live Dexie vault or a vault archive, both as a reconcile
 * `VaultSide`) alone, or a finished reconciliation (the export's conversations with the vault's and the
 * export's bytes). Conversations come one at a time, the newest copy of each: an export conversation is
 * compared with the vault's snapshot of the same id (`update_time`), then the vault's other snapshots follow.
 */
import type { ReconcileResult, Utf8Decode, VaultArtifact, VaultSide } from '@/utils/reconcile';
import { ArraySplitter, SplitError } from '@/utils/reconcile';
import type { MatchedItem } from '@/utils/reconcile';
import type { walkConversation } from '@/utils/chatgpt/walker';
import type { HtmlRenderer } from './markdown';
import { prepareConversation } from './render';
import type { ConversationItem, ReadableArtifact, ReadableInput } from './types';

const decoder = new TextDecoder('utf-8', { fatal: true });
const webDecode: Utf8Decode = (bytes) => decoder.decode(bytes);

function parse(label: string, bytes: Uint8Array, decode: Utf8Decode = webDecode): ConversationItem {
  try {
    return { label, json: JSON.parse(decode(bytes)) as unknown };
  } catch (error) {
    return { label, problem: `not valid JSON: ${error instanceof Error ? error.message.slice(0, 120) : String(error)}` };
  }
}

const idOf = (json: unknown): string | null => {
  if (typeof json !== 'object' || json === null) return null;
  const o = json as Record<string, unknown>;
  const id = o.conversation_id ?? o.id;
  return typeof id === 'string' && id.length > 0 ? id : null;
};
const updateOf = (json: unknown): number => {
  const v = typeof json === 'object' && json !== null ? (json as Record<string, unknown>).update_time : null;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return Date.parse(v) / 1000;
  return -Infinity;
};

export interface VaultInputOptions {
  /** Only these conversations and artifacts (a selection in the library page); default everything. */
  conversationIds?: ReadonlySet<string>;
  artifactIds?: ReadonlySet<string>;
}

function fromVaultArtifact(v: VaultArtifact, vault: VaultSide): ReadableArtifact {
  const sha = v.sha256;
  return {
    kind: v.kind, conversationId: v.conversationId, messageId: v.messageId, fileId: v.fileId, genId: v.genId, fileName: v.fileName,
    sandboxPath: v.sandboxPath, prompt: v.prompt ?? null, mimeType: v.mimeType, status: v.status, reason: v.reason ?? null, sha256: sha,
    open: sha ? () => vault.bytes(sha) : null,
  };
}

async function* vaultConversations(vault: VaultSide, skip: ReadonlySet<string>, only?: ReadonlySet<string>): AsyncGenerator<ConversationItem> {
  for (const id of await vault.snapshotIds()) {
    if (skip.has(id) || (only && !only.has(id))) continue;
    const bytes = await vault.snapshot(id);
    if (bytes) yield parse(`vault snapshot ${id}`, bytes);
  }
}

/** The whole vault (or a selection of it). */
export async function vaultInput(vault: VaultSide, opts: VaultInputOptions = {}): Promise<ReadableInput> {
  let artifacts = await vault.artifacts();
  if (opts.artifactIds) artifacts = artifacts.filter((a) => opts.artifactIds!.has(a.id));
  let only = opts.conversationIds;
  // A selection of artifacts brings their conversations along.
  if (opts.artifactIds) only = new Set([...(only ?? []), ...artifacts.map((a) => a.conversationId)]);
  return {
    artifacts: artifacts.map((a) => fromVaultArtifact(a, vault)), conversations: vaultConversations(vault, new Set(), only),
    onlyListed: opts.artifactIds !== undefined,
  };
}

/** Export conversations split out of each conversations file as it inflates; each swapped for a newer vault copy. */
async function* exportConversations(result: ReconcileResult, decode?: Utf8Decode): AsyncGenerator<ConversationItem> {
  const vaultIds = new Set(await result.vault.snapshotIds());
  const done = new Set<string>();
  for (const f of result.exportFiles.conversations) {
    const splitter = new ArraySplitter();
    const reader = f.reader.stream(f.entry, { maxBytes: f.entry.uncompressedSize }).getReader();
    try {
      for (;;) {
        const { value, done: end } = await reader.read();
        if (end) break;
        for (const el of splitter.push(value)) {
          let item = parse(`${f.label} item ${splitter.count}`, el, decode);
          const id = 'json' in item ? idOf(item.json) : null;
          if (id !== null && vaultIds.has(id) && 'json' in item) {
            const snap = await result.vault.snapshot(id);
            const mine = snap ? parse(`vault snapshot ${id}`, snap) : null;
            if (mine && 'json' in mine && updateOf(mine.json) > updateOf(item.json)) item = mine;
          }
          if (id !== null) done.add(id);
          yield item;
        }
      }
      splitter.end();
    } catch (error) {
      await reader.cancel().catch(() => undefined);
      // The reconciliation read this file already; a failure now is the file changing underneath.
      if (error instanceof SplitError) yield { label: f.label, problem: error.message };
      else throw error;
    }
  }
  yield* vaultConversations(result.vault, done);
}

function fromItem(m: MatchedItem, result: ReconcileResult): ReadableArtifact {
  const it = m.item;
  const v = m.vault;
  const vaultSha = it.vaultSha256;
  const member = it.exportMember;
  const open = vaultSha
    ? () => result.vault.bytes(vaultSha)
    : member
      ? () => Promise.resolve(result.exportFiles.open(member))
      : null;
  const saved = open !== null;
  return {
    kind: it.kind, conversationId: it.conversationId, messageId: it.messageId, fileId: it.fileId, genId: it.genId,
    fileName: v?.fileName ?? it.fileName, sandboxPath: it.sandboxPath, prompt: v?.prompt ?? null, mimeType: v?.mimeType ?? null,
    status: saved ? 'saved' : (v?.status && v.status !== 'saved' ? v.status : 'missing'),
    reason: saved ? null : (v?.reason ?? (v ? 'the vault holds no bytes' : 'the export does not include its bytes')),
    sha256: vaultSha ?? m.exportSha256, open,
  };
}

/**
 * One export conversation prepared where it was parsed (the CLI's parse workers, during the reconciliation):
 * what `exportConversations` needs to choose between it and the vault's copy, and the renderer's item.
 */
export interface PreparedExportConversation {
  /** `conversation_id` (or `id`) as the vault's snapshots are keyed. */
  id: string | null;
  update: number;
  item: ConversationItem;
}

export function prepareExportConversation(label: string, json: object, html: HtmlRenderer, walk?: ReturnType<typeof walkConversation>): PreparedExportConversation {
  let item: ConversationItem;
  try {
    item = { label, prepared: prepareConversation(json, html, walk) };
  } catch (error) {
    // As the renderer notes a conversation that fails to render.
    item = { label, problem: error instanceof Error ? error.message : String(error) };
  }
  return { id: idOf(json), update: updateOf(json), item };
}

/** `exportConversations` over conversations prepared during the reconciliation, in the export's order. */
async function* preparedConversations(result: ReconcileResult, prepared: AsyncIterable<PreparedExportConversation>): AsyncGenerator<ConversationItem> {
  const vaultIds = new Set(await result.vault.snapshotIds());
  const done = new Set<string>();
  for await (const p of prepared) {
    let item = p.item;
    if (p.id !== null && vaultIds.has(p.id)) {
      const snap = await result.vault.snapshot(p.id);
      const mine = snap ? parse(`vault snapshot ${p.id}`, snap) : null;
      if (mine && 'json' in mine && updateOf(mine.json) > p.update) item = mine;
    }
    if (p.id !== null) done.add(p.id);
    yield item;
  }
  yield* vaultConversations(result.vault, done);
}

/**
 * The export's conversations with the vault's and the export's binaries: the complete history. `decode` may
 * be a faster strict UTF-8 decoder with the same results (the CLI passes node:buffer's, as its parse workers do).
 */
export function reconcileInput(result: ReconcileResult, opts: { decode?: Utf8Decode } = {}): ReadableInput {
  return { artifacts: result.items.map((m) => fromItem(m, result)), conversations: exportConversations(result, opts.decode) };
}

/**
 * The same input when the export's conversations were prepared while the reconciliation read them
 * (`prepareExportConversation`, in the CLI's parse workers): the export is not read a second time.
 */
export function preparedReconcileInput(result: ReconcileResult, prepared: AsyncIterable<PreparedExportConversation>): ReadableInput {
  return { artifacts: result.items.map((m) => fromItem(m, result)), conversations: preparedConversations(result, prepared) };
}
