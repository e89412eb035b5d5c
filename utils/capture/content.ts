/**
 * The content script's half of live capture, on chatgpt.com and chat.openai.com.
 *
 * The page is only a signal: route changes, a reply finishing, new turns or artifact-looking elements make
 * us re-read the conversation from the backend (our own authenticated GET, serialized and spaced). The JSON
 * goes to the background, which walks it and queues downloads; the background then leases download jobs back
 * to this tab over the capture port, and we stream the bytes to it. Nothing the page posts is trusted.
 */
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import { ConversationIdWatcher } from '@/utils/chatgpt/observed';
import { parseChatRoute } from '@/utils/chatgpt/routes';
import { anyOf, artifactFingerprint, isStreaming, messageIdsInDom } from '@/utils/chatgpt/selectors';
import { onMessage, sendMessage, type ReadReceipt } from '@/utils/messaging';
import { decide, DEFAULT_POLICY } from './backoff';
import { CaptureFailure, fail, toFailure } from './failure';
import { createFetchContext, fetchArtifact, readConversation, type FetchContext, type JobSpec } from './fetcher';
import { RequestLanes } from './lanes';
import { PageSession } from './page-session';
import { workspaceCookie } from '@/utils/chatgpt/session';
import { CAPTURE_PORT, ChunkEncoder, PAGE_READ_NEEDED, PAGE_READ_ONCE, textPieces, yieldToEventLoop, type ToBackground, type ToContent } from './port-protocol';
import type { ConversationDelivery, ReadRequest } from './port-executor';
import type { Browser } from 'wxt/browser';

export const TIMINGS = {
  /** Quiet time after a DOM mutation before we look at the page. */
  debounceMs: 120,
  /** Quiet time before a change inside known turns causes a read. */
  settleMs: 700,
  /** Minimum time between two reads of the same conversation (surface section 7: reads are rate-limited). */
  minReadGapMs: 1_000,
  /** Extra reads after a reply ends: image_gen results arrive asynchronously (surface section 3.6). */
  followUpsMs: [2_500, 8_000, 20_000],
  /** After this much mutation without any recognised turn/artifact signal, read anyway (selector drift). */
  driftReadMs: 60_000,
};

/** Everything a look at the page cares about: turns, message ids, artifacts, the streaming state. */
export function relevantSelector(): string {
  return (['turn', 'messageId', 'generatedImage', 'chartImage', 'sandboxLink', 'streaming'] as const).map(anyOf).join(', ');
}

/**
 * Whether a mutation can change what a look at the page sees: an element matching (or containing) one of
 * our selectors added or removed, or a watched attribute changed, outside the composer. Text nodes (a reply
 * streaming in) never are. Cost is proportional to the mutated subtree, not to the page.
 */
export function isRelevantMutation(composer: string, selector: string): (r: MutationRecord) => boolean {
  const touches = (node: Node) =>
    node instanceof Element && !node.closest(composer) && (node.matches(selector) || node.querySelector(selector) !== null);
  // Streaming state carried by a class (`.result-streaming`, legacy): a class change matters only for those.
  const streamingClasses = [...anyOf('streaming').matchAll(/\.([\w-]+)/g)].map((m) => m[1]!);
  return (r) => {
    if (r.type === 'attributes') {
      const target = r.target;
      if (!(target instanceof Element)) return false;
      // Class changes are the most frequent mutation on the page: the cheap string test goes first.
      if (r.attributeName === 'class') {
        const old = r.oldValue ?? '';
        if (!streamingClasses.some((c) => target.classList.contains(c) || old.includes(c))) return false;
      }
      return !target.closest(composer);
    }
    for (const n of r.addedNodes) if (touches(n)) return true;
    for (const n of r.removedNodes) if (touches(n)) return true;
    return false;
  };
}

/** Console output for people debugging capture on a live page (`localStorage.artifactVaultDebug = 1`). */
function debug(...args: unknown[]): void {
  try {
    if (window.localStorage?.getItem('artifactVaultDebug')) console.debug('[artifact-vault]', ...args);
  } catch {
    // storage blocked
  }
}

export function startLiveCapture(ctx: ContentScriptContext, win: Window = window): void {
  const origin = win.location.origin;
  const lanes = new RequestLanes({ jsonGapMs: 250, bytesConcurrency: 3 });
  // Firefox: `content.fetch` sends requests as the page does (page origin, first-party cookies); the
  // content script's own `fetch` would carry the extension's origin. Chrome content scripts already fetch as
  // the page. Either way the function is the browser's own, out of the page scripts' reach.
  const firefoxContent = (globalThis as { content?: { fetch?: typeof fetch } }).content;
  const pageFetch: typeof fetch = firefoxContent?.fetch ? firefoxContent.fetch.bind(firefoxContent) : win.fetch.bind(win);
  const session = new PageSession(origin, pageFetch, () => win.document.cookie);
  const fetchCtx = createFetchContext(origin, pageFetch, session, lanes);
  const client = new CaptureClient(fetchCtx);
  client.connect();
  const reader = new ConversationReader(
    ctx,
    fetchCtx,
    () => artifactFingerprint(win.document),
    (read) => client.sendConversation(read),
    (req) => client.requestRead(req),
    () => workspaceCookie(win.document.cookie),
  );
  ctx.onInvalidated(() => client.close());

  let shownId: string | null | undefined;
  let gizmoId: string | null = null;
  let wasStreaming = false;
  let lastSignalRead = Date.now();
  let followUps: Array<() => void> = [];
  let settle: number | undefined;

  const cancelFollowUps = () => {
    for (const cancel of followUps) cancel();
    followUps = [];
  };

  // Temporary chats keep their id out of the URL; the app's own API requests reveal it.
  const temporaryIds = new ConversationIdWatcher(() => queueMicrotask(() => schedule()));
  ctx.onInvalidated(() => temporaryIds.disconnect());

  /** The conversation the tab shows: from the URL, or for a temporary chat from the app's own requests. */
  const current = (): { id: string; gizmoId: string | null } | null => {
    const route = parseChatRoute(win.location.href);
    if (route.kind === 'conversation') return { id: route.conversationId, gizmoId: route.gizmoId };
    if (route.kind === 'temporary') {
      const id = route.conversationId ?? temporaryIds.latest();
      return id ? { id, gizmoId: null } : null;
    }
    return null;
  };

  const look = () => {
    const shown = current();
    const id = shown?.id ?? null;
    if (id !== shownId) {
      shownId = id;
      gizmoId = shown?.gizmoId ?? null;
      cancelFollowUps();
      client.conversationId = id;
      client.connect();
      void sendMessage('conversationShown', { conversationId: id }).catch(() => undefined);
      if (id) reader.request(id, gizmoId, 'live');
      return;
    }
    if (!id) return;
    const streaming = isStreaming(win.document);
    if (streaming) {
      wasStreaming = true;
      return; // the reply is not final yet
    }
    if (wasStreaming) {
      wasStreaming = false;
      reader.request(id, gizmoId, 'live');
      cancelFollowUps();
      followUps = TIMINGS.followUpsMs.map((ms) => {
        const t = ctx.setTimeout(() => reader.request(id, gizmoId, 'live'), ms);
        return () => clearTimeout(t);
      });
      lastSignalRead = Date.now();
      return;
    }
    // Compare with the page as it was when the last read started: only a change since then is news.
    const before = reader.fingerprintAtRead(id);
    if (before === null) return; // the first read of this conversation is still on its way
    const next = artifactFingerprint(win.document);
    const unknownTurn = messageIdsInDom(win.document).find((m) => !reader.knows(id, m));
    if (unknownTurn) {
      debug('read: turn', unknownTurn, 'is not in the last JSON');
      reader.request(id, gizmoId, 'live');
      lastSignalRead = Date.now();
    } else if (next !== before) {
      // Known turns whose artifacts changed (an image filling in, a page still rendering): wait until the
      // page has been quiet for a moment, then read once if the change is still there.
      if (settle !== undefined) clearTimeout(settle);
      settle = ctx.setTimeout(() => {
        settle = undefined;
        if (shownId === id && artifactFingerprint(win.document) !== reader.fingerprintAtRead(id)) {
          debug('read: artifacts on the page changed', before, '->', artifactFingerprint(win.document));
          reader.request(id, gizmoId, 'live');
          lastSignalRead = Date.now();
        }
      }, TIMINGS.settleMs);
    }
  };

  let debounce: number | undefined;
  const schedule = () => {
    if (debounce !== undefined) return;
    debounce = ctx.setTimeout(() => {
      debounce = undefined;
      look();
    }, TIMINGS.debounceMs);
  };
  // Typing in the composer is not a signal (its pending attachments are never artifacts either).
  // Only mutations that touch what the selectors look at lead to a look at the whole page (a look scans the
  // DOM, which on a 500-turn chat is not free); streamed text and the composer do not. Other mutations only
  // keep the rare drift read alive.
  const relevant = isRelevantMutation(anyOf('composer'), relevantSelector());
  let driftPending = false;
  const observer = new MutationObserver((records) => {
    for (const r of records) {
      if (relevant(r)) return schedule();
    }
    driftPending = true;
  });
  const drift = ctx.setInterval(() => {
    if (!driftPending || Date.now() - lastSignalRead < TIMINGS.driftReadMs) return;
    driftPending = false;
    const shown = current();
    if (!shown) return;
    // The page keeps changing but none of our selectors see why: read anyway, rarely.
    debug('read: drift');
    lastSignalRead = Date.now();
    reader.request(shown.id, shown.gizmoId, 'live');
  }, 10_000);
  ctx.onInvalidated(() => clearInterval(drift));
  observer.observe(win.document.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: ['src', 'data-message-id', 'href', 'aria-busy', 'class'], attributeOldValue: true });
  ctx.onInvalidated(() => observer.disconnect());
  ctx.addEventListener(win, 'wxt:locationchange', schedule);
  look();

  onMessage('backupNow', () => {
    const shown = current();
    if (!shown) return null;
    reader.request(shown.id, shown.gizmoId, 'backup', true);
    return shown.id;
  });
}

/** Reads conversations from the backend, at most one at a time per conversation and spaced out. */
interface ReadState {
  running: boolean;
  again: 'live' | 'backup' | null;
  timer: boolean;
  /** Consecutive failed reads; a failed read is retried with backoff, so a 429 cannot swallow a change. */
  failures: number;
}

/** Failed reads of one conversation retried before waiting for the next page signal. */
const MAX_READ_RETRIES = 5;

class ConversationReader {
  private readonly lastRead = new Map<string, number>();
  private readonly state = new Map<string, ReadState>();
  /**
   * What the last read of the shown conversation established: the node ids the background found in it (to
   * tell whether a turn on the page is known: a Set lookup, never a scan of the JSON text), the page
   * fingerprint when the read started, and the text itself, so that an unchanged conversation is not sent
   * to the background again.
   */
  private last: { id: string; nodeIds: Set<string>; fingerprint: string; text: string | null } | null = null;
  /** Whether the background reads conversations itself; off for the tab's life once it says it cannot. */
  private backgroundReads = true;

  /** The background's receipt, or null when the tab must read the conversation itself. */
  private async askBackground(id: string, gizmoId: string | null, reason: 'live' | 'backup'): Promise<ReadReceipt | null> {
    try {
      return await this.ask({ conversationId: id, gizmoId, reason, account: this.account() });
    } catch (err) {
      const reason = toFailure(err).reason;
      if (reason === PAGE_READ_ONCE) return null;
      if (reason !== PAGE_READ_NEEDED) throw err;
      debug('reads: the backend refused the extension worker; this tab reads conversations itself from now on');
      this.backgroundReads = false;
      return null;
    }
  }

  constructor(
    private readonly ctx: ContentScriptContext,
    private readonly fetchCtx: FetchContext,
    private readonly fingerprint: () => string,
    private readonly deliver: (read: ConversationDelivery) => Promise<ReadReceipt>,
    private readonly ask: (req: ReadRequest) => Promise<ReadReceipt>,
    private readonly account: () => string | null,
  ) {}

  /** The page's artifact fingerprint when the last read of this conversation started. */
  fingerprintAtRead(conversationId: string): string | null {
    return this.last?.id === conversationId ? this.last.fingerprint : null;
  }


  knows(conversationId: string, messageId: string): boolean {
    return this.last?.id === conversationId && this.last.nodeIds.has(messageId);
  }

  request(id: string, gizmoId: string | null, reason: 'live' | 'backup', now = false): void {
    const s = this.state.get(id) ?? { running: false, again: null, timer: false, failures: 0 };
    this.state.set(id, s);
    if (s.running || s.timer) {
      s.again = s.again === 'backup' || reason === 'backup' ? 'backup' : 'live';
      return;
    }
    const wait = now ? 0 : Math.max(0, (this.lastRead.get(id) ?? 0) + TIMINGS.minReadGapMs - Date.now());
    s.timer = true;
    this.ctx.setTimeout(() => {
      s.timer = false;
      void this.run(id, gizmoId, reason, s);
    }, wait);
  }

  private async run(id: string, gizmoId: string | null, reason: 'live' | 'backup', s: ReadState) {
    s.running = true;
    this.lastRead.set(id, Date.now());
    // Taken before the request: a change that lands while the read is in flight must trigger another read.
    const fingerprint = this.fingerprint();
    try {
      const receipt = this.backgroundReads ? await this.askBackground(id, gizmoId, reason) : null;
      if (receipt) {
        this.last = { id, nodeIds: new Set(receipt.nodeIds), fingerprint, text: null };
      } else {
        // The tab reads and delivers the JSON itself (the backend would not serve the worker).
        const text = await readConversation(this.fetchCtx, id);
        // A brand-new chat can be in the URL a moment before the backend serves it: try again shortly.
        if (text === null) fail('not-ready', 'The conversation is not on the server yet (HTTP 404)');
        if (reason === 'live' && this.last?.id === id && this.last.text === text) {
          // Unchanged since the background last took it (follow-up and drift reads mostly are): nothing to send.
          this.last.fingerprint = fingerprint;
        } else {
          const delivered = await this.deliver({ conversationId: id, json: text, gizmoId, reason });
          // Only a read the background accepted counts as known: otherwise the next signal must read again.
          this.last = { id, nodeIds: new Set(delivered.nodeIds), fingerprint, text };
        }
      }
      s.failures = 0;
    } catch (err) {
      const failure = toFailure(err);
      s.failures++;
      console.warn(`[artifact-vault] reading the conversation failed (${s.failures}):`, failure.reason);
      const decision = decide(failure, s.failures, { ...DEFAULT_POLICY, maxAttempts: MAX_READ_RETRIES + 1 });
      if (decision.action === 'retry') {
        this.ctx.setTimeout(() => this.request(id, gizmoId, reason, true), decision.delayMs);
      }
    } finally {
      s.running = false;
      if (s.again) {
        const again = s.again;
        s.again = null;
        this.request(id, gizmoId, again);
      }
    }
  }
}

/** Content side of the capture port: runs the download jobs the background leases to this tab. */
class CaptureClient {
  private port: Browser.runtime.Port | null = null;
  private busyHint = true;
  private running = 0;
  private closed = false;
  conversationId: string | null = null;

  constructor(private readonly fetchCtx: FetchContext) {}

  connect(): void {
    if (this.port || this.closed) return;
    let port: Browser.runtime.Port;
    try {
      port = browser.runtime.connect({ name: CAPTURE_PORT });
    } catch {
      return; // the extension was reloaded; this script is orphaned
    }
    this.port = port;
    port.onMessage.addListener((msg: unknown) => this.onMessage(msg as ToContent));
    port.onDisconnect.addListener(() => {
      this.port = null;
      for (const waiting of this.receipts.values()) waiting.reject(new Error('The extension went away mid-delivery'));
      this.receipts.clear();
      // A service worker stopped mid-work: reconnecting wakes it, and it resumes the queue at once.
      if (!this.closed && (this.busyHint || this.running > 0)) setTimeout(() => this.connect(), 200);
    });
  }

  close(): void {
    this.closed = true;
    this.port?.disconnect();
    this.port = null;
  }

  private post(msg: ToBackground): void {
    try {
      this.port?.postMessage(msg);
    } catch {
      // Disconnected: the background gives the job back and leases it again.
    }
  }

  private readonly receipts = new Map<string, { resolve: (r: ReadReceipt) => void; reject: (e: Error) => void }>();

  /**
   * Hand a conversation to the background over the port, in pieces with a yield between them (one 20 MB
   * message would hold the page's main thread while it is serialized), and wait for its receipt. Opens the
   * port first: a worker that idled out while nothing was queued left this tab disconnected.
   */
  async sendConversation(read: ConversationDelivery): Promise<ReadReceipt> {
    const { readId, answer } = this.startRead();
    const pieces = textPieces(read.json);
    for (const [seq, text] of pieces.entries()) {
      this.post({ t: 'read-chunk', readId, seq, text });
      if (pieces.length > 1) await yieldToEventLoop();
    }
    const { conversationId, gizmoId, reason } = read;
    this.post({ t: 'read-end', readId, chunks: pieces.length, length: read.json.length, conversationId, gizmoId, reason });
    return this.finishRead(readId, answer);
  }

  /** Ask the background to read the conversation itself; rejects with PAGE_READ_NEEDED when it cannot. */
  async requestRead(req: ReadRequest): Promise<ReadReceipt> {
    const { readId, answer } = this.startRead();
    this.post({ t: 'read-request', readId, ...req });
    return this.finishRead(readId, answer);
  }

  private startRead(): { readId: string; answer: Promise<ReadReceipt> } {
    this.connect();
    if (!this.port) throw new Error('The extension is not reachable (reloaded or updated?)');
    const readId = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
    const answer = new Promise<ReadReceipt>((resolve, reject) => this.receipts.set(readId, { resolve, reject }));
    return { readId, answer };
  }

  private async finishRead(readId: string, answer: Promise<ReadReceipt>): Promise<ReadReceipt> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('The background did not answer')), 120_000);
    });
    try {
      return await Promise.race([answer, timeout]);
    } finally {
      clearTimeout(timer);
      this.receipts.delete(readId);
    }
  }

  private onMessage(msg: ToContent): void {
    if (msg?.t === 'read-receipt') {
      const waiting = this.receipts.get(msg.readId);
      if (msg.receipt) waiting?.resolve(msg.receipt);
      else waiting?.reject(new CaptureFailure(msg.failure ?? { cause: 'bad-response', reason: msg.error ?? 'refused' }));
      return;
    }
    if (msg?.t === 'busy') this.busyHint = msg.busy === true;
    else if (msg?.t === 'run' && msg.job && typeof msg.job.jobId === 'string') void this.run(msg.job);
  }

  private async run(job: JobSpec): Promise<void> {
    this.running++;
    const encoder = new ChunkEncoder((seq, b64) => this.post({ t: 'chunk', jobId: job.jobId, seq, b64 }));
    try {
      const file = await fetchArtifact(job, this.fetchCtx, (chunk) => encoder.push(chunk));
      await encoder.flush();
      this.post({ t: 'done', jobId: job.jobId, chunks: encoder.seq, size: file.size, mimeType: file.mimeType, fileId: file.fileId, fileName: file.fileName });
    } catch (err) {
      this.post({ t: 'failed', jobId: job.jobId, failure: toFailure(err) });
    } finally {
      this.running--;
    }
  }
}
