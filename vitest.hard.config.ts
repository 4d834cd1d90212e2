import { defineConfig } from 'vitest/config';

/**
 * `npm run test:hard`: crash safety, concurrency, hostile input, access control and hardening
 * (hard/*.test.ts). Size: CHISO_HARD_SCALE=ci (default, a few minutes) or full (docs/RELIABILITY.md).
 * One file at a time: each test spawns servers and a PostgreSQL cluster of its own.
 */
export default defineConfig({
  test: {
    include: ['hard/**/*.test.ts'],
    globalSetup: ['hard/global-setup.ts'],
    testTimeout: 60 * 60_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
  },
});
