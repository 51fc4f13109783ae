import { defineConfig } from 'vitest/config'

// Two projects: `unit` (fast, runs everywhere) and `golden` (graphs against the reference vectors in
// ../shared/fixtures/golden or $GOLDEN_DIR). Both run on the CPU execution provider.
export default defineConfig({
  test: {
    restoreMocks: true,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['test/golden/**'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'golden',
          include: ['test/golden/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
})
