/**
 * Virtual-window math: which of many fixed-height rows intersect the viewport. Offsets are prefix sums,
 * found by binary search, so a scroll over 10,000 artifacts costs O(log n).
 */

/** `offsets[i]` is the top of row i; `offsets[n]` is the total height. */
export function rowOffsets(heights: readonly number[]): number[] {
  const out = new Array<number>(heights.length + 1);
  out[0] = 0;
  for (let i = 0; i < heights.length; i++) out[i + 1] = out[i]! + heights[i]!;
  return out;
}

/** The first row whose bottom is below `y` (clamped to the row count). */
function firstRowEndingAfter(offsets: readonly number[], y: number): number {
  let lo = 0;
  let hi = offsets.length - 1; // row count
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (offsets[mid + 1]! > y) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The half-open row range `[start, end)` to render for a viewport at `scrollTop` of `height` pixels,
 * with `overscan` pixels of rows above and below so fast scrolling does not flash blank space.
 */
export function visibleRange(offsets: readonly number[], scrollTop: number, height: number, overscan = 0): [number, number] {
  const count = offsets.length - 1;
  if (count <= 0) return [0, 0];
  const top = Math.max(0, scrollTop - overscan);
  const bottom = Math.max(top, scrollTop + height + overscan);
  const start = firstRowEndingAfter(offsets, top);
  let end = firstRowEndingAfter(offsets, bottom);
  // Include the row that straddles the bottom edge.
  if (end < count && offsets[end]! < bottom) end++;
  return [Math.min(start, count), Math.min(Math.max(end, start), count)];
}
