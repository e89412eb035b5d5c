/**
 * About `bytes` of one JSON array, streamed in pieces of about `piece` bytes, never held whole: the
 * conversations file of the benches' generated exports. `item(n)` is the n-th element's JSON text.
 */
export function jsonArrayStream(bytes: number, item: (n: number) => string, piece = 4 << 20): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  let made = 0;
  let n = 0;
  return new ReadableStream<Uint8Array>({
    pull(ctrl) {
      if (made >= bytes) {
        ctrl.enqueue(enc.encode(']'));
        ctrl.close();
        return;
      }
      let s = n === 0 ? '[' : '';
      while (s.length < piece && made + s.length < bytes) {
        s += `${n === 0 ? '' : ','}${item(n)}`;
        n++;
      }
      const chunk = enc.encode(s);
      made += chunk.length;
      ctrl.enqueue(chunk);
    },
  });
}
