/**
 * One query layer over two drivers: PGlite (embedded, a data folder; the default) and a PostgreSQL
 * server (`DATABASE_URL`). Both speak the same SQL; Drizzle gives both the same result shapes.
 *
 * PGlite has no directory lock and one connection: `openStore` guards the data folder with a lock
 * file holding the owner's pid, refuses a second process with a clear error, and `close()` releases
 * it. Migrations (forward-only, src/store/migrations) run on open unless told otherwise; on
 * PostgreSQL an advisory lock makes concurrent starts of several processes safe.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { type SQL, sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { ChisoError } from '../core/errors.ts';
import * as schema from './schema.ts';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handle: the same API as Db. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type Executor = Db | Tx;

export interface Store {
  kind: 'pglite' | 'postgres';
  db: Db;
  /** Runs raw SQL with parameters ($1 …) and returns the rows. */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** The PGlite instance (embedded only): used for COPY and dumps. */
  pglite?: PGlite;
  /** The node-postgres pool (server only). */
  pool?: pg.Pool;
  /**
   * PGlite only (one process owns the data folder, the lock file sees to it): a counter moved before
   * every statement that may write and at the start and end of every transaction, so that a reader
   * which saw it unchanged knows nothing was written since. Absent for PostgreSQL, where other
   * processes write too.
   */
  writeGeneration?(): number;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** PostgreSQL connection string; when absent, PGlite in `dataDir`. */
  databaseUrl?: string | undefined;
  /** PGlite data folder; `memory://` for an in-memory database. */
  dataDir?: string;
  migrate?: boolean;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
  /** PGlite only: start from this data-folder dump (from `dumpDataDir`) instead of an empty cluster. */
  pgliteFrom?: Blob;
}

/** A statement that only reads: a plain select (anything else counts as a possible write). */
const READ_ONLY = /^\s*select\b/i;

export const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

// PostgreSQL returns int8 and numeric as strings by default; chiso's ids fit in a double.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));
// Dates stay 'YYYY-MM-DD' strings on both drivers.
pg.types.setTypeParser(1082, (v) => v);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the data folder's lock file or throws `store.locked` naming the process that holds it. */
export function acquireLock(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lockPath = join(dataDir, 'chiso.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeFileSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          if (readFileSync(lockPath, 'utf8').trim() === String(process.pid)) rmSync(lockPath);
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number.parseInt(readFileSync(lockPath, 'utf8').trim(), 10);
      if (Number.isFinite(holder) && holder !== process.pid && isAlive(holder)) {
        throw new ChisoError({
          code: 'store.locked',
          status: 503,
          vi: `Thư mục dữ liệu ${resolve(dataDir)} đang được tiến trình ${holder} sử dụng. Hãy dừng tiến trình đó, hoặc dùng PostgreSQL (DATABASE_URL) để chạy nhiều tiến trình.`,
          en: `The data folder ${resolve(dataDir)} is in use by process ${holder}. Stop that process, or use PostgreSQL (DATABASE_URL) to run several processes.`,
          details: { pid: holder, lockFile: resolve(lockPath) },
        });
      }
      if (holder === process.pid) {
        throw new ChisoError({
          code: 'store.locked',
          status: 503,
          vi: `Thư mục dữ liệu ${resolve(dataDir)} đã được mở trong tiến trình này.`,
          en: `The data folder ${resolve(dataDir)} is already open in this process.`,
        });
      }
      // A stale lock left by a crashed process: remove it and try once more.
      rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`could not take the lock on ${dataDir}`);
}

export async function openStore(options: StoreOptions = {}): Promise<Store> {
  const migrateOnOpen = options.migrate ?? true;
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
    pool.on('error', () => {
      // idle client errors (server restart) are surfaced on the next query
    });
    const db = drizzlePg({ client: pool, schema }) as unknown as Db;
    if (migrateOnOpen) {
      const client = await pool.connect();
      try {
        await client.query('select pg_advisory_lock(7263001)');
        await migratePg(drizzlePg({ client: client as unknown as pg.Pool, schema }), { migrationsFolder });
      } finally {
        await client.query('select pg_advisory_unlock(7263001)').catch(() => {});
        client.release();
      }
    }
    return {
      kind: 'postgres',
      db,
      pool,
      async query<T>(text: string, params: unknown[] = []) {
        const r = await pool.query(text, params);
        return r.rows as T[];
      },
      async close() {
        await pool.end();
      },
    };
  }

  const dataDir = options.dataDir ?? './data';
  const memory = dataDir.startsWith('memory://');
  const release = memory ? () => {} : acquireLock(dataDir);
  let pglite: PGlite;
  try {
    pglite = await PGlite.create({
      ...(memory ? {} : { dataDir: join(dataDir, 'pg') }),
      ...(options.pgliteFrom ? { loadDataDir: options.pgliteFrom } : {}),
    });
  } catch (e) {
    release();
    throw e;
  }
  let generation = 0;
  // What the query layer runs goes through this counting view of the client (drizzle calls its
  // query and transaction methods): a statement other than a plain select may write.
  const query = pglite.query.bind(pglite) as (text: string, ...rest: unknown[]) => unknown;
  const transaction = pglite.transaction.bind(pglite) as (fn: unknown) => Promise<unknown>;
  const exec = pglite.exec.bind(pglite) as (...args: unknown[]) => unknown;
  // made once: drizzle reads client.query on every statement
  const counting: Partial<PGlite> = {
    query: ((text: string, ...rest: unknown[]) => {
      if (!READ_ONLY.test(text)) generation++;
      return query(text, ...rest);
    }) as PGlite['query'],
    transaction: (async (fn: unknown) => {
      generation++;
      try {
        return await transaction(fn);
      } finally {
        generation++;
      }
    }) as PGlite['transaction'],
    exec: ((...args: unknown[]) => {
      generation++;
      return exec(...args);
    }) as PGlite['exec'],
  };
  const counted = new Proxy(pglite, {
    get(target, key, receiver) {
      if (Object.hasOwn(counting, key)) return counting[key as keyof typeof counting];
      const v = Reflect.get(target, key, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  const db = drizzlePglite({ client: counted, schema }) as unknown as Db;
  if (migrateOnOpen) {
    try {
      await migratePglite(drizzlePglite({ client: pglite, schema }), { migrationsFolder });
    } catch (e) {
      await pglite.close();
      release();
      throw e;
    }
  }
  let closed = false;
  return {
    kind: 'pglite',
    db,
    pglite,
    async query<T>(text: string, params: unknown[] = []) {
      const r = await counted.query(text, params);
      return r.rows as T[];
    },
    writeGeneration: () => generation,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await pglite.close();
      } finally {
        release();
      }
    },
  };
}

/** The SQLSTATE of a database error (Drizzle wraps the driver's error: the code is on its cause). */
export function sqlState(e: unknown): string | undefined {
  return (e as { code?: string })?.code ?? (e as { cause?: { code?: string } } | undefined)?.cause?.code;
}

/** Runs a Drizzle `sql` query on a database or transaction handle and returns its rows. */
export async function rows<T = Record<string, unknown>>(ex: Executor, query: SQL): Promise<T[]> {
  const r = (await ex.execute(query)) as unknown as { rows: T[] };
  return r.rows;
}

/** Runs `fn` in one transaction. */
export function inTransaction<T>(store: Store, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return store.db.transaction(fn);
}

export { sql };
