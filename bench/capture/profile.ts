/**
 * Attributes main-thread time in a CDP CPU profile (`Profiler.stop`) to the extension: samples whose frame is
 * extension code (`chrome-extension://` URL), and, more fully, samples in a built-in (no URL: querySelectorAll,
 * JSON.stringify, ...) called from extension code.
 */

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber?: number; columnNumber?: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  /** µs, monotonic clock (the same one as `Performance.getMetrics` Timestamp with timeDomain timeTicks). */
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ExtensionTime {
  /** Self time of samples in extension frames, ms. */
  selfMs: number;
  /** Self time of samples in extension frames or in built-ins called by them, ms. */
  inclusiveMs: number;
  /** Longest run of consecutive samples attributed (inclusively) to the extension, ms. */
  longestRunMs: number;
  /** Self time per extension function (`name file:line:column`, 1-based), ms. */
  byFunction: Map<string, number>;
  /** Inclusive extension time inside [fromUs, toUs] (monotonic µs). */
  within(fromUs: number, toUs: number): number;
}

const META = new Set(['(root)', '(program)', '(idle)', '(garbage collector)']);

export function extensionTime(profile: CpuProfile, isExtensionUrl = (url: string) => url.startsWith('chrome-extension://')): ExtensionTime {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const incl = new Map<number, boolean>();
  const inclusive = (id: number): boolean => {
    const known = incl.get(id);
    if (known !== undefined) return known;
    const n = byId.get(id);
    let v = false;
    if (n) {
      if (isExtensionUrl(n.callFrame.url)) v = true;
      else if (n.callFrame.url === '' && !META.has(n.callFrame.functionName)) {
        const p = parent.get(id);
        v = p !== undefined && inclusive(p);
      }
    }
    incl.set(id, v);
    return v;
  };

  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const at: number[] = [];
  let t = profile.startTime;
  for (let i = 0; i < samples.length; i++) at.push((t += deltas[i] ?? 0));
  // A sample stands for the time until the next one (as DevTools counts it).
  const dur = (i: number) => (i + 1 < at.length ? at[i + 1]! - at[i]! : 0);

  const byFunction = new Map<string, number>();
  let selfUs = 0;
  let inclUs = 0;
  let run = 0;
  let longest = 0;
  const mine: boolean[] = [];
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i]!;
    const node = byId.get(id);
    const isIncl = inclusive(id);
    mine.push(isIncl);
    if (node && isExtensionUrl(node.callFrame.url)) {
      selfUs += dur(i);
      const f = node.callFrame;
      const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^chrome-extension:\/\/[^/]+\//, '')}:${(f.lineNumber ?? 0) + 1}:${(f.columnNumber ?? 0) + 1}`;
      byFunction.set(key, (byFunction.get(key) ?? 0) + dur(i) / 1000);
    }
    if (isIncl) {
      inclUs += dur(i);
      run += dur(i);
      longest = Math.max(longest, run);
    } else run = 0;
  }
  return {
    selfMs: selfUs / 1000,
    inclusiveMs: inclUs / 1000,
    longestRunMs: longest / 1000,
    byFunction,
    within(fromUs, toUs) {
      let us = 0;
      for (let i = 0; i < at.length; i++) if (mine[i] && at[i]! >= fromUs && at[i]! <= toUs) us += dur(i);
      return us / 1000;
    },
  };
}
