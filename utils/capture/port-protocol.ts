/**
 * The capture port: a long-lived `runtime.connect` channel from each ChatGPT tab's content script to the
 * background. The background leases download jobs to a connected tab; the tab streams the bytes back in
 * ordered base64 chunks (Chrome's runtime messaging is JSON-only, so binary data must be encoded; chunks keep
 * every message small and the page responsive, whatever the file size).
 *
 * Only our own content scripts can open this port (page scripts have no access to runtime messaging), but
 * every message is still validated on arrival.
 */
import type { Failure, FailureCause } from './failure';
import type { JobSpec } from './fetcher';

export const CAPTURE_PORT = 'capture';
/** Raw bytes per chunk before base64 (the message carries 4/3 of this). */
export const CHUNK_BYTES = 512 * 1024;

export type ToContent =
  | { t: 'run'; job: JobSpec }
  /** Whether the background still has work queued: a tab reconnects at once after a disconnect only when busy. */
  | { t: 'busy'; busy: boolean };

export type ToBackground =
  | { t: 'chunk'; jobId: string; seq: number; b64: string }
  | { t: 'done'; jobId: string; chunks: number; size: number; mimeType: string | null; fileId: string | null; fileName: string | null }
  | { t: 'failed'; jobId: string; failure: Failure };

const CAUSES: readonly FailureCause[] = [
  'gone', 'not-ready', 'rate-limited', 'server', 'auth', 'network', 'timeout', 'truncated', 'bad-response', 'no-executor',
];

const isStr = (v: unknown): v is string => typeof v === 'string';
const isStrOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** Validate a message from a content script; returns null for anything malformed. */
export function parseToBackground(msg: unknown): ToBackground | null {
  if (typeof msg !== 'object' || msg === null) return null;
  const m = msg as Record<string, unknown>;
  if (!isStr(m.jobId) || m.jobId.length > 600) return null;
  switch (m.t) {
    case 'chunk':
      return isCount(m.seq) && isStr(m.b64) && m.b64.length <= Math.ceil(CHUNK_BYTES / 3) * 4 + 4
        ? { t: 'chunk', jobId: m.jobId, seq: m.seq, b64: m.b64 }
        : null;
    case 'done':
      return isCount(m.chunks) && isCount(m.size) && isStrOrNull(m.mimeType) && isStrOrNull(m.fileId) && isStrOrNull(m.fileName)
        ? { t: 'done', jobId: m.jobId, chunks: m.chunks, size: m.size, mimeType: m.mimeType, fileId: m.fileId, fileName: m.fileName }
        : null;
    case 'failed': {
      const f = m.failure as Record<string, unknown> | null;
      if (typeof f !== 'object' || f === null || !CAUSES.includes(f.cause as FailureCause) || !isStr(f.reason)) return null;
      const retryAfterMs = typeof f.retryAfterMs === 'number' && f.retryAfterMs >= 0 ? f.retryAfterMs : null;
      return { t: 'failed', jobId: m.jobId, failure: { cause: f.cause as FailureCause, reason: f.reason.slice(0, 300), retryAfterMs } };
    }
    default:
      return null;
  }
}

/** base64 of a byte range, without building huge argument lists. */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

export function fromBase64(b64: string): Uint8Array {
  const binary = atob(b64);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/**
 * Re-chunks a byte stream into CHUNK_BYTES pieces and hands each one, base64-encoded, to `send`, yielding to
 * the event loop between pieces so the page never freezes (`yieldToEventLoop`, unthrottled in hidden tabs).
 */
export class ChunkEncoder {
  private buffer = new Uint8Array(CHUNK_BYTES);
  private filled = 0;
  seq = 0;

  constructor(private readonly send: (seq: number, b64: string) => void) {}

  async push(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      const take = Math.min(CHUNK_BYTES - this.filled, bytes.length - offset);
      this.buffer.set(bytes.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === CHUNK_BYTES) await this.flush();
    }
  }

  async flush(): Promise<void> {
    if (this.filled === 0) return;
    this.send(this.seq++, toBase64(this.buffer.subarray(0, this.filled)));
    this.filled = 0;
    await yieldToEventLoop();
  }
}

/**
 * Lets the page's own tasks (input, rendering, its timers) run between two chunks. Not `setTimeout(0)`:
 * browsers clamp timers in hidden tabs, and the ChatGPT tab is usually hidden while a file is captured
 * (the person has moved on). Firefox 153 (2026-11): at least 1 s per timer in a background tab, then
 * budget throttling, so a 20 MB file (40 chunks) took minutes and never finished in the e2e test;
 * Chrome aligns hidden-tab timers to 1 s as well. A MessageChannel message is a task without that clamp.
 */
export function yieldToEventLoop(): Promise<void> {
  if (typeof MessageChannel !== 'function') return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
