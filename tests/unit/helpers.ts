/** Shared helpers for the capture tests. */
import type { Browser } from 'wxt/browser';

/**
 * Index of the first differing byte, or -1 when equal (length included). `toEqual` on megabyte arrays takes
 * seconds; this is fast and still says where they differ.
 */
export function firstDiff(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/** Deterministic pseudo-random bytes covering every byte value. */
export function randomBytes(n: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

export { concatBytes as concat } from '@/utils/files/bytes';

/** Polls `check` until it returns a truthy value (returned) or `timeoutMs` passes (throws with `what`). */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 3_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await check();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A stand-in for a runtime Port: listeners, captured posts, and Chrome's throw after disconnect. */
export function fakePort() {
  const onMessage: Array<(m: unknown) => void> = [];
  const onDisconnect: Array<() => void> = [];
  const posted: unknown[] = [];
  let connected = true;
  const port = {
    name: 'capture',
    postMessage(m: unknown) {
      if (!connected) throw new Error('Attempting to use a disconnected port object');
      posted.push(m);
    },
    disconnect() {
      connected = false;
    },
    onMessage: { addListener: (l: (m: unknown) => void) => void onMessage.push(l) },
    onDisconnect: { addListener: (l: () => void) => void onDisconnect.push(l) },
  };
  return {
    port: port as unknown as Browser.runtime.Port,
    posted,
    /** False once either side closed it. */
    connected: () => connected,
    emit: (m: unknown) => onMessage.forEach((l) => l(m)),
    /** The other side went away (tab closed, content script reloaded). */
    drop: () => {
      connected = false;
      onDisconnect.forEach((l) => l());
    },
  };
}
