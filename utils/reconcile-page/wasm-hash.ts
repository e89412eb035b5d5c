/**
 * The page worker's incremental SHA-256: hash-wasm's WebAssembly build, whose hashing phase runs about
 * 2.6x as fast as @noble/hashes' in Chromium and 2.8x in Firefox (docs/ARCHITECTURE.md), so image-heavy
 * exports are less hash-bound. WebCrypto is faster still but has no streaming digest, and members are
 * never held whole.
 *
 * hash-wasm compiles its module asynchronously while the core's HashFactory is synchronous, so one hasher
 * is created up front and shared: each hash keeps its own state and swaps it in (hash-wasm `save`/`load`)
 * only when another hash used the hasher in between; the reader hashes one member at a time, so it never does.
 */
import { createSHA256, type IHasher } from 'hash-wasm';
import { nobleSha256, type HashFactory } from '@/utils/reconcile/hash';

/** One hash's place on the shared hasher: its saved state while another hash holds the hasher. */
interface Slot {
  saved: Uint8Array | null;
  finished: boolean;
}

function sharedHasherFactory(hasher: IHasher): HashFactory {
  let holder: Slot | null = null;
  const take = (slot: Slot) => {
    if (slot.finished) throw new Error('this SHA-256 has already been finished');
    if (holder === slot) return;
    if (holder) holder.saved = hasher.save();
    if (slot.saved) hasher.load(slot.saved);
    else hasher.init();
    slot.saved = null;
    holder = slot;
  };
  return () => {
    const slot: Slot = { saved: null, finished: false };
    return {
      update(bytes) {
        take(slot);
        hasher.update(bytes);
      },
      hex() {
        take(slot);
        slot.finished = true;
        holder = null;
        return hasher.digest('hex');
      },
    };
  };
}

let factory: Promise<HashFactory> | null = null;

/**
 * The fastest SHA-256 this browser allows: WebAssembly, or @noble/hashes where WebAssembly is switched
 * off (Firefox's `javascript.options.wasm` pref, hardened profiles), so reconciling still works there.
 */
export function pageSha256(): Promise<HashFactory> {
  factory ??= createSHA256().then(sharedHasherFactory, (error: unknown) => {
    console.warn('SHA-256 falls back to @noble/hashes: WebAssembly is not available here.', error);
    return nobleSha256;
  });
  return factory;
}
