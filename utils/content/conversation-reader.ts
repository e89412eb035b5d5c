/**
 * Reads conversations for the content script: at most one read of a conversation at a time, spaced, a
 * failed read retried with backoff (so a 429 cannot swallow a change), and requests that arrive meanwhile
 * folded into one more read. The background reads when the backend serves it (no JSON crosses the page);
 * once it says it cannot, the tab reads the JSON itself and hands it over, for the rest of the tab's life.
 *
 * It keeps what the last receipt established about the shown conversation: its node ids (is a turn on the
 * page known? a Set lookup) and how many images it shows still generating.
 */
import type { ReadAnswer, ReadReceipt, ReadRequest } from '@/utils/messaging';
import { decide, DEFAULT_POLICY } from '@/utils/chatgpt/net/backoff';
import { fail, toFailure } from '@/utils/chatgpt/net/failure';

export interface ReaderDeps {
  /** Ask the background to read and record the conversation (`readConversation`). */
  readInBackground(req: ReadRequest & { account: string | null }): Promise<ReadAnswer>;
  /** Read the conversation's JSON from the tab; null for a 404. */
  readInTab(conversationId: string, gizmoId: string | null): Promise<string | null>;
  /** Hand JSON the tab read to the background to record (`recordConversation`). */
  deliver(read: ReadRequest & { json: string }): Promise<ReadReceipt>;
  /** The `_account` cookie (a workspace id) for the background's reads. */
  account(): Promise<string | null>;
  setTimeout(fn: () => void, ms: number): void;
  now(): number;
  /** Every receipt, after the reader took it in. */
  onReceipt(conversationId: string, receipt: ReadReceipt): void;
  debug?(...args: unknown[]): void;
}

/** Minimum time between two reads of one conversation (surface section 7: reads are rate-limited). */
const MIN_READ_GAP_MS = 1_000;
/** Failed reads of one conversation retried before waiting for the next page signal. */
const MAX_READ_RETRIES = 5;

interface ReadState {
  running: boolean;
  /** Asked again while a read was running or waiting: one more read follows. */
  again: boolean;
  timer: boolean;
  /** Consecutive failed reads. */
  failures: number;
  gizmoId: string | null;
}

export class ConversationReader {
  private readonly lastRead = new Map<string, number>();
  private readonly state = new Map<string, ReadState>();
  /** What the last receipt said; `text` is the JSON the tab itself last delivered (null when the background read it). */
  private last: { id: string; nodeIds: Set<string>; imagesPending: number; text: string | null } | null = null;
  private backgroundReads = true;

  constructor(private readonly deps: ReaderDeps) {}

  /** Whether the last read of this conversation contained this node or message id. */
  knows(conversationId: string, messageId: string): boolean {
    return this.last?.id === conversationId && this.last.nodeIds.has(messageId);
  }

  /** Whether this conversation has been read at all (so "unknown" means "not in the JSON"). */
  hasRead(conversationId: string): boolean {
    return this.last?.id === conversationId;
  }

  /** Images the last read of this conversation showed still generating. */
  imagesPending(conversationId: string): number {
    return this.last?.id === conversationId ? this.last.imagesPending : 0;
  }

  /** Read the conversation soon (now = without the spacing: a retry after its backoff). */
  request(id: string, gizmoId: string | null, now = false): void {
    let s = this.state.get(id);
    if (!s) this.state.set(id, (s = { running: false, again: false, timer: false, failures: 0, gizmoId }));
    s.gizmoId = gizmoId;
    if (s.running || s.timer) {
      s.again = true;
      return;
    }
    const wait = now ? 0 : Math.max(0, (this.lastRead.get(id) ?? -Infinity) + MIN_READ_GAP_MS - this.deps.now());
    s.timer = true;
    const state = s;
    this.deps.setTimeout(() => {
      state.timer = false;
      void this.run(id, state);
    }, wait);
  }

  private async run(id: string, s: ReadState): Promise<void> {
    s.running = true;
    this.lastRead.set(id, this.deps.now());
    const req: ReadRequest = { conversationId: id, gizmoId: s.gizmoId, reason: 'live' };
    try {
      const receipt = (this.backgroundReads ? await this.askBackground(req) : null) ?? (await this.readHere(req));
      s.failures = 0;
      this.deps.onReceipt(id, receipt);
    } catch (err) {
      const failure = toFailure(err);
      s.failures++;
      console.warn(`[artifact-vault] reading the conversation failed (${s.failures}):`, failure.reason);
      const decision = decide(failure, s.failures, { ...DEFAULT_POLICY, maxAttempts: MAX_READ_RETRIES + 1 });
      if (decision.action === 'retry') this.deps.setTimeout(() => this.request(id, s.gizmoId, true), decision.delayMs);
    } finally {
      s.running = false;
      if (s.again) {
        s.again = false;
        this.request(id, s.gizmoId);
      }
    }
  }

  /** The background's receipt, or null when the tab must read the conversation itself. */
  private async askBackground(req: ReadRequest): Promise<ReadReceipt | null> {
    const answer = await this.deps.readInBackground({ ...req, account: await this.deps.account() });
    if ('read' in answer) {
      this.remember(req.conversationId, answer.read, null);
      return answer.read;
    }
    // `once`, a 404 for the worker: this tab reads this once, and the background reads next time.
    if (answer.tabReads === 'from-now-on') {
      this.deps.debug?.('reads: the backend refused the extension worker; this tab reads conversations itself from now on');
      this.backgroundReads = false;
    }
    return null;
  }

  /** The tab reads the JSON and hands it to the background (unless it is what the background already has). */
  private async readHere(req: ReadRequest): Promise<ReadReceipt> {
    const id = req.conversationId;
    const text = await this.deps.readInTab(id, req.gizmoId);
    // A brand-new chat can be in the URL a moment before the backend serves it: try again shortly.
    if (text === null) fail('not-ready', 'The conversation is not on the server yet (HTTP 404)');
    const last = this.last;
    if (last?.id === id && last.text === text) {
      return { conversationId: id, title: null, counts: { saved: 0, pending: 0, expired: 0, failed: 0 }, queued: 0, nodeIds: [...last.nodeIds], imagesPending: last.imagesPending };
    }
    const receipt = await this.deps.deliver({ ...req, json: text });
    // Only a read the background accepted counts as known: otherwise the next signal must read again.
    this.remember(id, receipt, text);
    return receipt;
  }

  private remember(id: string, receipt: ReadReceipt, text: string | null): void {
    const imagesPending = Number.isInteger(receipt.imagesPending) ? receipt.imagesPending : 0;
    this.last = { id, nodeIds: new Set(receipt.nodeIds), imagesPending, text };
  }
}
