import { resolve } from 'node:path'
import { defineConfig } from 'vitest/config'

// End-to-end tests against the real stack (runner on the CPU EP + edge under `wrangler dev`).
// Run from the repository root: `npm run test:e2e` (E2E_VERBOSE=1 streams the stack's output;
// failures print it anyway). Needs Chromium at /usr/bin/chromium (`npm run test:setup`). Files run one after another: each starts its
// own stack, and two stacks side by side on a 2-core CI machine would only slow each other down.
export default defineConfig({
  root: resolve(import.meta.dirname, '../..'),
  test: {
    name: 'e2e',
    include: ['test/e2e/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    // Generous on purpose: these bound a hang, they do not measure speed.
    testTimeout: 180_000,
    hookTimeout: 360_000,
    teardownTimeout: 120_000,
    reporters: ['verbose'],
  },
})
