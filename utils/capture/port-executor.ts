/**
 * Background side of the capture port: turns one connected content script into an `Executor` for the
 * queue (the fallback when the backend refuses the worker), decoding the streamed chunks straight into one
 * buffer (ByteSink, with the size limit) and checking that nothing went missing on the way.
 */
import type { Browser } from 'wxt/browser';
import { ByteSink } from './byte-sink';
import { toFailure, type Failure } from './failure';
import { MAX_FILE_BYTES } from './fetcher';
import { fromBase64, parseToBackground, type ToContent } from './port-protocol';
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

  private onMessage(raw: unknown): void {
    const msg = parseToBackground(raw);
    // Conversation pieces on the same port are the background's ConversationInbox's to collect.
    if (!msg || msg.t === 'read-chunk') return;
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
}
