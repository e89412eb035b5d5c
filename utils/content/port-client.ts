/**
 * The content script's end of the capture port, which carries streams only: it runs the download jobs the
 * background leases to this tab and streams their bytes back in chunks, and it streams the pieces of a
 * conversation the tab read itself. Requests with an answer go through utils/messaging.ts instead.
 */
import type { Browser } from 'wxt/browser';
import { isWorkspaceId } from '@/utils/chatgpt/session';
import { toFailure } from '@/utils/chatgpt/net/failure';
import { fetchArtifact, type FetchContext, type JobSpec, type WorkspaceAuth } from '@/utils/chatgpt/net/fetcher';
import { CAPTURE_PORT, ChunkEncoder, textPieces, yieldToEventLoop, type ToBackground, type ToContent } from '@/utils/capture-port';

/** How a stream of conversation pieces was named and sized, for `recordConversation`. */
export interface StreamedText {
  readId: string;
  chunks: number;
  length: number;
}

export class CaptureClient {
  private port: Browser.runtime.Port | null = null;
  private busyHint = true;
  private running = 0;
  private closed = false;

  constructor(
    private readonly fetchCtx: FetchContext,
    /** Each job runs for its own workspace (`spec.account`), not the one this page shows. */
    private readonly workspaces: WorkspaceAuth,
    /** Called when the port closes: lets the owner see whether the extension itself is gone (an update). */
    private readonly onDisconnect: () => void = () => undefined,
    private readonly connectPort: () => Browser.runtime.Port = () => browser.runtime.connect({ name: CAPTURE_PORT }),
  ) {}

  /** Open the port unless it is open (a worker that idled out closed it; connecting wakes it). */
  connect(): void {
    if (this.port || this.closed) return;
    let port: Browser.runtime.Port;
    try {
      port = this.connectPort();
    } catch {
      return; // the extension was reloaded; this script is orphaned
    }
    this.port = port;
    port.onMessage.addListener((msg: unknown) => this.onMessage(msg as ToContent));
    port.onDisconnect.addListener(() => {
      this.port = null;
      this.onDisconnect();
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

  /**
   * Stream a conversation's text to the background in pieces, yielding between them (one 20 MB message
   * would hold the page's main thread while it is serialized). Throws when the port cannot be opened.
   */
  async streamConversation(json: string): Promise<StreamedText> {
    this.connect();
    if (!this.port) throw new Error('The extension is not reachable (reloaded or updated?)');
    const readId = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
    const pieces = textPieces(json);
    for (const [seq, text] of pieces.entries()) {
      this.post({ t: 'read-chunk', readId, seq, text });
      if (pieces.length > 1) await yieldToEventLoop();
    }
    return { readId, chunks: pieces.length, length: json.length };
  }

  private onMessage(msg: ToContent): void {
    if (msg?.t === 'busy') this.busyHint = msg.busy === true;
    else if (msg?.t === 'run' && msg.job && typeof msg.job.jobId === 'string') void this.run(msg.job);
  }

  private async run(job: JobSpec): Promise<void> {
    this.running++;
    const encoder = new ChunkEncoder((seq, b64) => this.post({ t: 'chunk', jobId: job.jobId, seq, b64 }));
    try {
      const account = isWorkspaceId(job.account) ? job.account : null;
      const ctx: FetchContext = { ...this.fetchCtx, auth: this.workspaces.forWorkspace(account) };
      const file = await fetchArtifact(job, ctx, (chunk) => encoder.push(chunk));
      await encoder.flush();
      this.post({ t: 'done', jobId: job.jobId, chunks: encoder.seq, size: file.size, mimeType: file.mimeType, fileId: file.fileId, fileName: file.fileName });
    } catch (err) {
      this.post({ t: 'failed', jobId: job.jobId, failure: toFailure(err) });
    } finally {
      this.running--;
    }
  }
}
