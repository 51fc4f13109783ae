import { defineConfig } from 'vitest/config'

// Every test synthesizes CloudFormation, which takes a few seconds per stack on a small CI box.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/template-matchers.ts'],
    restoreMocks: true,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
})
