/**
 * Background side of the capture port: turns one connected content script into an `Executor` for the
 * queue (the fallback when the backend refuses the worker), decoding the streamed chunks straight into one
 * buffer (ByteSink, with the size limit) and checking that nothing went missing on the way.
 */
import type { Browser } from 'wxt/browser';
import type { ReadReceipt } from '@/utils/messaging';
import { ByteSink } from './byte-sink';
import { toFailure, type Failure } from './failure';
import { MAX_FILE_BYTES } from './fetcher';
import { ConversationInbox, PAGE_READ_NEEDED, fromBase64, parseToBackground, type ReadReason, type ToBackground, type ToContent } from './port-protocol';
import type { Executor, ExecutorResult } from './queue';
import type { JobSpec } from './fetcher';

interface Pending {
  resolve: (r: ExecutorResult) => void;
  sink: ByteSink;
  chunks: number;
  broken: string | null;
  /** Set when the file passed the size limit: the job fails with it, whatever the tab says next. */
  failure: Failure | null;
}

let counter = 0;

export class PortExecutor implements Executor {
  readonly id = `port-${++counter}-${Date.now()}`;
  conversationId: string | null = null;
  private readonly pending = new Map<string, Pending>();
  private disconnected = false;

  constructor(private readonly port: Browser.runtime.Port) {
    port.onMessage.addListener((raw: unknown) => this.onMessage(raw));
    port.onDisconnect.addListener(() => {
      this.disconnected = true;
      for (const p of this.pending.values()) p.resolve({ ok: false, lost: true });
      this.pending.clear();
    });
  }

  send(msg: ToContent): void {
    this.post(msg);
  }

  /** False when the port is closed (Chrome throws on a disconnected port). */
  private post(msg: ToContent): boolean {
    if (this.disconnected) return false;
    try {
      this.port.postMessage(msg);
      return true;
    } catch {
      return false;
    }
  }

  run(spec: JobSpec): Promise<ExecutorResult> {
    return new Promise((resolve) => {
      this.pending.get(spec.jobId)?.resolve({ ok: false, lost: true });
      // The queue can pick this executor while its port is closing (between choosing it and leasing the
      // job). No onDisconnect follows a failed post, so settle at once: a job left pending here would
      // stay in flight for the life of the background.
      this.pending.set(spec.jobId, { resolve, sink: new ByteSink(MAX_FILE_BYTES), chunks: 0, broken: null, failure: null });
      if (!this.post({ t: 'run', job: spec })) {
        this.pending.delete(spec.jobId);
        resolve({ ok: false, lost: true });
      }
    });
  }

  /** Reads a conversation for this tab in the background (set by the background); rejects with a CaptureFailure. */
  onReadRequest: ((req: ReadRequest) => Promise<ReadReceipt>) | null = null;

  private readForTab(msg: Extract<ToBackground, { t: 'read-request' }>): void {
    const answer = (receipt: ReadReceipt | null, failure: Failure | null) =>
      this.post({ t: 'read-receipt', readId: msg.readId, receipt, error: failure?.reason ?? null, failure });
    if (!this.onReadRequest) return void answer(null, { cause: 'auth', reason: PAGE_READ_NEEDED });
    const { conversationId, gizmoId, reason, account } = msg;
    this.onReadRequest({ conversationId, gizmoId, reason, account }).then(
      (receipt) => answer(receipt, null),
      (err: unknown) => answer(null, toFailure(err)),
    );
  }

  /** Handles a whole conversation sent by this tab (set by the background). */
  onConversation: ((read: ConversationDelivery) => Promise<ReadReceipt>) | null = null;
  private readonly inbox = new ConversationInbox();

  private onMessage(raw: unknown): void {
    const msg = parseToBackground(raw);
    if (!msg) return;
    if (msg.t === 'read-chunk' || msg.t === 'read-end') {
      this.receiveConversation(msg);
      return;
    }
    if (msg.t === 'read-request') {
      this.readForTab(msg);
      return;
    }
    const p = this.pending.get(msg.jobId);
    if (!p) return;
    if (msg.t === 'chunk') {
      if (msg.seq !== p.chunks) p.broken ??= `chunk ${msg.seq} arrived out of order`;
      p.chunks++;
      if (p.broken || p.failure) return;
      let bytes: Uint8Array;
      try {
        bytes = fromBase64(msg.b64);
      } catch {
        p.broken = 'a chunk was not valid base64';
        return;
      }
      try {
        p.sink.chunk(bytes);
      } catch (err) {
        p.failure = toFailure(err);
      }
      return;
    }
    this.pending.delete(msg.jobId);
    if (p.failure) {
      p.resolve({ ok: false, failure: p.failure });
      return;
    }
    if (msg.t === 'failed') {
      p.resolve({ ok: false, failure: msg.failure });
      return;
    }
    if (p.broken || msg.chunks !== p.chunks || msg.size !== p.sink.size) {
      p.resolve({
        ok: false,
        failure: { cause: 'truncated', reason: p.broken ?? `Transfer incomplete: ${p.sink.size} of ${msg.size} bytes` },
      });
      return;
    }
    p.resolve({ ok: true, bytes: p.sink.bytes(), file: { size: msg.size, mimeType: msg.mimeType, fileId: msg.fileId, fileName: msg.fileName } });
  }

  private receiveConversation(msg: Extract<ToBackground, { t: 'read-chunk' } | { t: 'read-end' }>): void {
    const whole = this.inbox.take(msg);
    if (!whole || msg.t !== 'read-end') return;
    const answer = (receipt: ReadReceipt | null, error: string | null) =>
      this.post({ t: 'read-receipt', readId: msg.readId, receipt, error });
    if ('error' in whole) return void answer(null, whole.error);
    if (!this.onConversation) return void answer(null, 'the background is not ready');
    this.onConversation({ conversationId: msg.conversationId, gizmoId: msg.gizmoId, reason: msg.reason, json: whole.text }).then(
      (receipt) => answer(receipt, null),
      (err: unknown) => answer(null, err instanceof Error ? err.message : String(err)),
    );
  }
}

/** One conversation as a tab delivered it (or the background read it for a tab). */
export interface ConversationDelivery {
  conversationId: string;
  gizmoId: string | null;
  reason: ReadReason;
  json: string;
  /** The ChatGPT origin its downloads go to (default `https://chatgpt.com`). */
  origin?: string | null;
  /** The workspace cookie its downloads speak for (null: personal; undefined: not known). */
  account?: string | null;
}

/** A tab's request that the background read a conversation itself. */
export interface ReadRequest {
  conversationId: string;
  gizmoId: string | null;
  reason: ReadReason;
  account: string | null;
}
