import { cloudflareTest } from '@cloudflare/vitest-pool-workers'
import { defineConfig } from 'vitest/config'

// Two projects: `workers` runs inside workerd with the bindings of the root wrangler.toml;
// `node` drives a real `wrangler dev` worker from Node (the OpenAI client test).
export default defineConfig({
  test: {
    restoreMocks: true,
    projects: [
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: '../wrangler.toml' },
            miniflare: {
              // Test-only settings; each test overrides what it needs through its env argument.
              bindings: {
                RUNNER_URL: 'http://runner.test',
                RUNNER_SECRET: 'test-runner-secret',
                DISCORD_API_BASE: 'http://discord.test/api/v10',
              },
            },
          }),
        ],
        test: {
          name: 'workers',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          restoreMocks: true,
        },
      },
      {
        test: {
          name: 'node',
          include: ['tools/test/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
})
