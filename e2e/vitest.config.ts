/**
 * The browser tests alone: `npx vitest run --config e2e/vitest.config.ts`. (The root vitest.config.ts
 * runs them too once its `include` lists 'e2e/**\/*.test.ts'.)
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['e2e/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 240_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
