/**
 * The capture port: a long-lived `runtime.connect` channel from each ChatGPT tab's content script to the
 * background. The background leases download jobs to a connected tab; the tab streams the bytes back in
 * ordered base64 chunks (Chrome's runtime messaging is JSON-only, so binary data must be encoded; chunks keep
 * every message small and the page responsive, whatever the file size).
 *
 * Only our own content scripts can open this port (page scripts have no access to runtime messaging), but
 * every message is still validated on arrival.
 */
import { isFailureCause, type Failure } from './chatgpt/net/failure';
import type { JobSpec } from './chatgpt/net/fetcher';

export const CAPTURE_PORT = 'capture';
/** Raw bytes per chunk before base64 (the message carries 4/3 of this). */
const CHUNK_BYTES = 512 * 1024;

/**
 * Characters per piece of conversation JSON. A whole 20 MB conversation in one message would hold the page's
 * main thread for hundreds of milliseconds while it is serialized; pieces keep every task short.
 */
const TEXT_CHUNK_CHARS = 256 * 1024;
/** Largest conversation accepted (V8 strings stop at about 512 M characters; real ones are below 50 MB). */
const MAX_CONVERSATION_CHARS = 256 * 1024 * 1024;

export type ToContent =
  | { t: 'run'; job: JobSpec }
  /** Whether the background still has work queued: a tab reconnects at once after a disconnect only when busy. */
  | { t: 'busy'; busy: boolean };

export type ToBackground =
  | { t: 'chunk'; jobId: string; seq: number; b64: string }
  | { t: 'done'; jobId: string; chunks: number; size: number; mimeType: string | null; fileId: string | null; fileName: string | null }
  | { t: 'failed'; jobId: string; failure: Failure }
  /**
   * A piece of a conversation the content script read from the backend itself (its own authenticated GET,
   * never data posted by the page), in order; the `recordConversation` message names the read and its size.
   */
  | { t: 'read-chunk'; readId: string; seq: number; text: string };

const isStr = (v: unknown): v is string => typeof v === 'string';
const isStrOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';
/** A non-negative integer: sequence numbers, counts and sizes in messages from a content script. */
export const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** Validate a message from a content script; returns null for anything malformed. */
export function parseToBackground(msg: unknown): ToBackground | null {
  if (typeof msg !== 'object' || msg === null) return null;
  const m = msg as Record<string, unknown>;
  if (m.t === 'read-chunk') return parseReadChunk(m);
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
      if (typeof f !== 'object' || f === null || !isFailureCause(f.cause) || !isStr(f.reason)) return null;
      const retryAfterMs = typeof f.retryAfterMs === 'number' && f.retryAfterMs >= 0 ? f.retryAfterMs : null;
      return { t: 'failed', jobId: m.jobId, failure: { cause: f.cause, reason: f.reason.slice(0, 300), retryAfterMs } };
    }
    default:
      return null;
  }
}

function parseReadChunk(m: Record<string, unknown>): ToBackground | null {
  return isReadId(m.readId) && isCount(m.seq) && isStr(m.text) && m.text.length <= TEXT_CHUNK_CHARS
    ? { t: 'read-chunk', readId: m.readId, seq: m.seq, text: m.text }
    : null;
}

/** A read id: what the tab chose to name one conversation stream. */
export function isReadId(v: unknown): v is string {
  return isStr(v) && v.length > 0 && v.length <= 100;
}

interface OpenRead {
  parts: string[];
  length: number;
  broken: string | null;
  /** Set by `complete` while it waits for the rest of the pieces. */
  expected: { chunks: number; length: number; settle: (r: { text: string } | { error: string }) => void } | null;
}

/**
 * Collects the pieces of conversations arriving on one port and hands each whole text to whoever asks for it
 * by read id (the `recordConversation` message, which travels apart from the port and may arrive first).
 * Pieces of one read arrive in order (a port keeps order); anything out of order, oversized, incomplete or
 * late is refused, never half-used.
 */
export class ConversationInbox {
  private readonly open = new Map<string, OpenRead>();

  constructor(private readonly maxOpen = 8) {}

  private entry(readId: string): OpenRead {
    let read = this.open.get(readId);
    if (!read) {
      read = { parts: [], length: 0, broken: null, expected: null };
      if (this.open.size >= this.maxOpen) read.broken = 'too many conversations in flight on one tab';
      this.open.set(readId, read);
    }
    return read;
  }

  /** Take one piece. */
  take(msg: Extract<ToBackground, { t: 'read-chunk' }>): void {
    const read = this.entry(msg.readId);
    if (msg.seq !== read.parts.length) read.broken ??= `piece ${msg.seq} arrived out of order`;
    read.length += msg.text.length;
    if (read.length > MAX_CONVERSATION_CHARS) read.broken ??= 'conversation too large';
    if (!read.broken) read.parts.push(msg.text);
    this.check(msg.readId, read);
  }

  /**
   * The whole text of `readId` once `chunks` pieces of `length` characters in all have arrived. Rejects when
   * the stream is broken, longer than announced, or not complete within `timeoutMs`.
   */
  complete(readId: string, chunks: number, length: number, timeoutMs = 60_000): Promise<string> {
    if (length > MAX_CONVERSATION_CHARS) return Promise.reject(new Error('conversation too large'));
    const read = this.entry(readId);
    if (read.expected) return Promise.reject(new Error('this conversation was already asked for'));
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.open.delete(readId);
        reject(new Error(`conversation incomplete: ${read.length} of ${length} characters`));
      }, timeoutMs);
      read.expected = {
        chunks,
        length,
        settle: (r) => {
          clearTimeout(timer);
          this.open.delete(readId);
          if ('text' in r) resolve(r.text);
          else reject(new Error(r.error));
        },
      };
      this.check(readId, read);
    });
  }

  private check(readId: string, read: OpenRead): void {
    const want = read.expected;
    if (!want) return;
    if (read.broken) return want.settle({ error: read.broken });
    if (read.parts.length > want.chunks || read.length > want.length) {
      return want.settle({ error: `conversation longer than announced (${read.length} of ${want.length} characters)` });
    }
    if (read.parts.length === want.chunks) {
      if (read.length !== want.length) return want.settle({ error: `conversation incomplete: ${read.length} of ${want.length} characters` });
      want.settle({ text: read.parts.join('') });
    }
  }
}

/** Split a text into TEXT_CHUNK_CHARS pieces. */
export function textPieces(text: string): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += TEXT_CHUNK_CHARS) pieces.push(text.slice(i, i + TEXT_CHUNK_CHARS));
  return pieces;
}

/** base64 of a byte range, without building huge argument lists. */
function toBase64(bytes: Uint8Array): string {
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
