import { defineConfig } from 'vitest/config';

/** A run of one deliberately failing check, with the suite's global setup (see exit-code.test.ts). */
export default defineConfig({
  test: {
    include: ['test/exit-code/*.check.ts'],
    globalSetup: ['test/global-setup.ts'],
  },
});
