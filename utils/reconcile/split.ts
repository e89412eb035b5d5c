/**
 * A streaming splitter for the top-level JSON array of a conversations file. A file can exceed V8's
 * ~512 MB string limit, so it is never decoded as a whole: bytes go in as they are inflated, and each
 * array element comes out as its own bytes, to be decoded and parsed on its own.
 *
 * It tracks only what the split needs: string state (with escapes) and bracket depth. Inside strings,
 * which are most of a conversation's bytes, it jumps from quote to quote with the native
 * `Uint8Array.indexOf` rather than looking at each byte. It does not validate JSON: `JSON.parse` of each
 * element does, so malformed content is still caught, with the element's index in the message.
 */
import { concatBytes } from '@/utils/files/bytes';

export class SplitError extends Error {
  override readonly name = 'SplitError';
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

type State = 'start' | 'between' | 'element' | 'done';

export class ArraySplitter {
  private state: State = 'start';
  private depth = 0;
  private inString = false;
  /** The previous chunk ended inside a string on an odd run of backslashes (its first byte is escaped). */
  private pendingEscape = false;
  private parts: Uint8Array[] = [];
  private partBytes = 0;
  private elements = 0;
  /** The last thing between elements was a comma (so `]` now would be a trailing comma). */
  private afterComma = false;

  /** `maxElementBytes` bounds the memory one element may take (a conversation is at most tens of MB). */
  constructor(private readonly maxElementBytes = 512 << 20) {}

  /** Number of elements emitted so far. */
  get count(): number {
    return this.elements;
  }

  /**
   * Feeds bytes; returns the elements completed by them, in order, each as its own bytes (a copy). Throws
   * SplitError on a non-array. A chunk must not change once pushed (a stream's chunks do not).
   */
  push(chunk: Uint8Array): Uint8Array[] {
    return this.pushParts(chunk).map((parts) => (parts.length === 1 ? parts[0]!.slice() : concatBytes(parts)));
  }

  /**
   * `push` without copying: each element as views on the pushed chunks, in order, so a caller that
   * gathers elements into one buffer copies each byte once (a 1 GB export's conversations were copied
   * three times on the CLI's main thread: the part kept, the element joined, the batch joined).
   */
  pushParts(chunk: Uint8Array): Uint8Array[][] {
    const out: Uint8Array[][] = [];
    let i = 0;
    const n = chunk.length;
    let elementStart = this.state === 'element' ? 0 : -1;
    while (i < n) {
      if (this.state === 'element') {
        const end = this.scanElement(chunk, i);
        if (end === -1) break;
        this.emit(chunk, elementStart, end, out);
        elementStart = -1;
        if (chunk[end] === COMMA) {
          this.state = 'between';
          this.afterComma = true;
        } else this.state = 'done'; // `]` closing the top-level array right after a scalar element
        i = end + 1;
        continue;
      }
      const c = chunk[i]!;
      if (isSpace(c)) {
        i++;
        continue;
      }
      if (this.state === 'start') {
        // A UTF-8 byte order mark (possibly split across chunks) may precede the array.
        if (c === 0xef || c === 0xbb || c === 0xbf) {
          i++;
          continue;
        }
        if (c === OPEN_BRACKET) {
          this.state = 'between';
          i++;
          continue;
        }
        if (c === OPEN_BRACE) throw new SplitError('is a JSON object, not an array of conversations');
        throw new SplitError('is not a JSON array of conversations');
      }
      if (this.state === 'done') throw new SplitError('has data after the end of its array');
      // between elements
      if (c === CLOSE_BRACKET) {
        if (this.afterComma) throw new SplitError(`has a trailing comma after item ${this.elements}`);
        this.state = 'done';
        i++;
        continue;
      }
      if (c === COMMA) throw new SplitError(`has an empty item after item ${this.elements}`);
      this.state = 'element';
      this.afterComma = false;
      this.depth = 0;
      elementStart = i;
      // The first byte is handled by the element branch (a quote, a bracket or a scalar).
    }
    if (this.state === 'element' && elementStart !== -1) this.keep(chunk.subarray(elementStart));
    return out;
  }

  /**
   * Scans the current element from `i`: the index of the `,` or closing bracket that ends it at depth 0,
   * or -1 when the chunk ends first (the state carries over to the next chunk). Inside a string it jumps
   * to the next quote with the native indexOf and counts the backslashes before that quote to tell whether
   * it is escaped: one native call per string, where most strings are short (keys, ids).
   */
  private scanElement(chunk: Uint8Array, from: number): number {
    const n = chunk.length;
    let depth = this.depth;
    let inString = this.inString;
    let i = from;
    let end = -1;
    while (i < n) {
      if (inString) {
        const q = chunk.indexOf(QUOTE, i);
        if (q === -1) {
          this.pendingEscape = oddBackslashesBefore(chunk, n, this.pendingEscape);
          break;
        }
        if (!oddBackslashesBefore(chunk, q, this.pendingEscape)) inString = false;
        // Only a run of backslashes from the chunk's first byte continues the previous chunk's run.
        this.pendingEscape = false;
        i = q + 1;
        continue;
      }
      const c = chunk[i]!;
      if (c === QUOTE) inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (depth === 0) {
          end = i;
          break;
        }
        depth--;
      } else if (c === COMMA && depth === 0) {
        end = i;
        break;
      }
      i++;
    }
    this.depth = depth;
    this.inString = inString;
    return end;
  }

  /** Checks the input ended with the array closed. */
  end(): void {
    if (this.state === 'start') throw new SplitError('is empty');
    if (this.state !== 'done') throw new SplitError('ends before its array is closed (truncated)');
  }

  private keep(part: Uint8Array): void {
    if (part.length === 0) return;
    this.partBytes += part.length;
    if (this.partBytes > this.maxElementBytes) {
      throw new SplitError(`has a conversation over ${Math.round(this.maxElementBytes / 2 ** 20)} MiB (item ${this.elements + 1}), more than one conversation is ever read whole`);
    }
    // A view, not a copy: pushed chunks do not change (see push).
    this.parts.push(part);
  }

  private emit(chunk: Uint8Array, start: number, end: number, out: Uint8Array[][]): void {
    this.keep(start === -1 ? chunk.subarray(0, end) : chunk.subarray(start, end));
    const parts = trimEnd(this.parts);
    this.parts = [];
    this.partBytes = 0;
    this.elements++;
    out.push(parts);
  }
}

/**
 * Whether the byte at `at` (inside a string) is escaped: an odd run of backslashes right before it. A run
 * reaching the chunk's start continues the previous chunk's (`carry`: that chunk ended on an escaping
 * backslash).
 */
function oddBackslashesBefore(chunk: Uint8Array, at: number, carry: boolean): boolean {
  let b = at - 1;
  while (b >= 0 && chunk[b] === BACKSLASH) b--;
  const run = at - 1 - b + (b < 0 && carry ? 1 : 0);
  return (run & 1) === 1;
}


/** Drops whitespace at the end of an element's parts (it may span parts; the first byte never is). */
function trimEnd(parts: Uint8Array[]): Uint8Array[] {
  while (parts.length > 0) {
    const last = parts[parts.length - 1]!;
    let e = last.length;
    while (e > 0 && isSpace(last[e - 1]!)) e--;
    if (e === last.length) break;
    if (e === 0) parts.pop();
    else {
      parts[parts.length - 1] = last.subarray(0, e);
      break;
    }
  }
  return parts;
}
