import { defineConfig } from 'vitest/config'

/**
 * Two projects: fast unit tests beside the code, run in parallel; integration tests that share
 * the local Postgres and the served function, run one file at a time after a fresh db:reset.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['supabase/functions/_shared/**/*.test.ts', 'scripts/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/**/*.test.ts'],
          globalSetup: ['tests/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
})
