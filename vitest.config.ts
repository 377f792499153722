import { defineConfig } from 'vitest/config';

// Two projects: fast pure-logic tests, and integration tests that share one
// local stack (started once in globalSetup, reused when already running).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // Fast tests first; the integration group runs after, with its own worker limit.
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          sequence: { groupOrder: 1 },
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 600_000,
          // The stack is shared; files run in parallel but each gets its own namespace.
          fileParallelism: true,
          maxWorkers: 2,
        },
      },
      {
        test: {
          // After every integration file: stops the shared stack and checks that it left nothing.
          name: 'teardown',
          include: ['test/teardown/**/*.test.ts'],
          environment: 'node',
          sequence: { groupOrder: 2 },
          testTimeout: 300_000,
        },
      },
    ],
  },
});
