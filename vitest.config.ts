import { defineConfig } from 'vitest/config';

// Integration and end-to-end tests start real processes and sockets: run files one at a time
// on this 2-core machine. Timeouts are safety nets against hangs, not performance assertions.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
