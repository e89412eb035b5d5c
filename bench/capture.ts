/**
 * Capture benchmarks (issue 3): capture latency (page appearance -> bytes committed, p50/p95 over 50+
 * artifacts) and page overhead (main-thread time of a 500-turn conversation with vs without the extension).
 * Both run the built extension (`.output/chrome-mv3`, `npx wxt build`) in real Chromium against the fake
 * chatgpt.com on loopback; see bench/capture/latency.ts and bench/capture/overhead.ts for the method.
 */
import { hasExtensionBuild } from '../tests/e2e/harness.ts';
import { measureLatency } from './capture/latency';
import { measureOverhead } from './capture/overhead';
import { measureThroughput } from './capture/throughput';

export async function benchCapture(): Promise<string[]> {
  if (!hasExtensionBuild()) throw new Error('no extension build in .output/chrome-mv3 (run `npx wxt build` first)');
  const t0 = Date.now();
  // The worker-served variant is the default; the tab fallback is kept to show what it costs the page.
  const lines = [
    ...(await measureLatency()),
    ...(await measureOverhead('worker')),
    ...(await measureOverhead('tab')),
    ...(await measureThroughput()),
  ];
  lines.push(`capture: benchmarks took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return lines;
}
