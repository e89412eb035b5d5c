/**
 * Background side of the capture port: turns one connected content script into an `Executor` for the
 * queue (the fallback when the backend refuses the worker), decoding the streamed chunks straight into one
 * buffer (ByteSink, with the size limit) and checking that nothing went missing on the way. A port that
 * closed, or that stays silent while it owes answers, is `gone`: its jobs come back `lost` (no attempt
 * counted) and the queue never hands it another.
 *
 * A content script runs beside the page and may be compromised (a compromised renderer): its bytes are held
 * to what the conversation says of the file where it says anything (`tabBytesMismatch`).
 */
import type { Browser } from 'wxt/browser';
import { ByteSink } from './byte-sink';
import { toFailure, type Failure } from '@/utils/chatgpt/net/failure';
import { MAX_FILE_BYTES } from '@/utils/chatgpt/net/fetcher';
import { fromBase64, parseToBackground, type ToContent } from '@/utils/capture-port';
import type { Executor, ExecutorResult } from './queue';
import type { FetchedFile, JobSpec } from '@/utils/chatgpt/net/fetcher';
import { sniffMime } from '@/utils/files/sniff';

interface Pending {
  spec: JobSpec;
  resolve: (r: ExecutorResult) => void;
  sink: ByteSink;
  chunks: number;
  broken: string | null;
  /** Set when the file passed the size limit: the job fails with it, whatever the tab says next. */
  failure: Failure | null;
}

let counter = 0;

/**
 * How long a port may stay silent while it owes answers before it counts as gone. A tab sends a chunk, a
 * `done` or a `failed` well within this (its own requests time out after 20 s, its resolution backoff is
 * capped at 60 s); a tab that closed, or a content script cut off without a disconnect event, never does.
 */
const SILENCE_MS = 120_000;

export class PortExecutor implements Executor {
  readonly id = `port-${++counter}-${Date.now()}`;
  conversationId: string | null = null;
  private readonly pending = new Map<string, Pending>();
  private disconnected = false;
  /** Runs while jobs are pending; any message from the tab restarts it. */
  private silence: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly port: Browser.runtime.Port,
    private readonly silenceMs = SILENCE_MS,
  ) {
    port.onMessage.addListener((raw: unknown) => this.onMessage(raw));
    port.onDisconnect.addListener(() => this.goneAway());
  }

  /** The port closed (or fell silent): this executor can never run a job again. */
  get gone(): boolean {
    return this.disconnected;
  }

  send(msg: ToContent): void {
    this.post(msg);
  }

  /** False when the port is closed (Chrome throws on a disconnected port, and no onDisconnect follows). */
  private post(msg: ToContent): boolean {
    if (this.disconnected) return false;
    try {
      this.port.postMessage(msg);
      return true;
    } catch {
      this.goneAway();
      return false;
    }
  }

  /** Every pending job comes back `lost` (the queue gives it back uncounted) and nothing is sent again. */
  private goneAway(): void {
    this.disconnected = true;
    this.stopSilence();
    for (const p of this.pending.values()) p.resolve({ ok: false, lost: true });
    this.pending.clear();
  }

  /** (Re)starts the silence limit while answers are owed, stops it when none is. */
  private watchSilence(): void {
    this.stopSilence();
    if (this.pending.size === 0 || this.disconnected) return;
    this.silence = setTimeout(() => {
      // Closing our end tells a live content script (it reconnects as a fresh executor); a dead one never knew.
      try {
        this.port.disconnect();
      } catch {
        // already closed
      }
      this.goneAway();
    }, this.silenceMs);
  }

  private stopSilence(): void {
    if (this.silence !== null) clearTimeout(this.silence);
    this.silence = null;
  }

  run(spec: JobSpec): Promise<ExecutorResult> {
    return new Promise((resolve) => {
      this.pending.get(spec.jobId)?.resolve({ ok: false, lost: true });
      // The queue can pick this executor while its port is closing (between choosing it and leasing the
      // job): a post that fails settles at once, as `lost`.
      this.pending.set(spec.jobId, { spec, resolve, sink: new ByteSink(MAX_FILE_BYTES), chunks: 0, broken: null, failure: null });
      if (!this.post({ t: 'run', job: spec })) {
        this.pending.delete(spec.jobId);
        resolve({ ok: false, lost: true });
        return;
      }
      if (this.silence === null) this.watchSilence();
    });
  }

  private onMessage(raw: unknown): void {
    if (this.disconnected) return;
    // Any message is a sign of life, conversation pieces included: jobs waiting their turn in the tab's lanes
    // are not cut off while it works.
    this.watchSilence();
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
    if (this.pending.size === 0) this.stopSilence();
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
    const bytes = p.sink.bytes();
    const file: FetchedFile = { size: msg.size, mimeType: msg.mimeType, fileId: msg.fileId, fileName: msg.fileName };
    const mismatch = tabBytesMismatch(p.spec, file, bytes);
    if (mismatch) {
      p.resolve({ ok: false, failure: { cause: 'bad-response', reason: mismatch } });
      return;
    }
    p.resolve({ ok: true, bytes, file });
  }
}

/** A sandbox path naming an image format, whose bytes must then be an image. */
const IMAGE_PATH = /\.(png|jpe?g|gif|webp)$/i;

/**
 * Why a tab's bytes cannot be the file the job is for, or null. What the conversation says: the file id (a
 * tab answering for another file), and the kind: an image or chart, or a sandbox path named as an image, is
 * an image by its bytes. The pointer's `size_bytes` is not compared: ChatGPT re-encodes files and rounds it
 * (docs/CHATGPT.md 5.3), so it is a hint, not a measure.
 */
function tabBytesMismatch(spec: JobSpec, file: FetchedFile, bytes: Uint8Array): string | null {
  if (spec.fileId && file.fileId && file.fileId !== spec.fileId) return `The tab answered with file ${file.fileId}, not ${spec.fileId}`;
  const image = spec.kind === 'image' || spec.kind === 'chart' || (spec.sandboxPath !== null && IMAGE_PATH.test(spec.sandboxPath));
  if (image && !sniffMime(bytes)?.startsWith('image/')) return 'The tab\'s bytes are not an image, which the conversation says this file is';
  return null;
}
