import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

// Unit and component tests. Tests that store Blobs in fake-indexeddb start with
// `// @vitest-environment node` (happy-dom's Blob does not survive structuredClone; docs/TOOLCHAIN.md F3).
export default defineConfig({
  plugins: [WxtVitest()],
  test: {
    environment: 'happy-dom',
    setupFiles: ['./tests/setup.ts'],
    include: ['tests/unit/**/*.test.{ts,tsx}'],
    restoreMocks: true,
    mockReset: true,
  },
});
