// TEMPORARY bench trace (not committed)
export function tr(ev: string, id = ''): void {
  const g = globalThis as unknown as { __trace?: [number, string, string][] };
  (g.__trace ??= []).push([performance.timeOrigin + performance.now(), ev, id]);
}
