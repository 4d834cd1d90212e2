/**
 * query_p95_ms_national: DHIS2's slow case through chiso's API. The national data set is loaded
 * into PostgreSQL; the server runs as its own process; one query = 7 indicators × the last 5
 * years × one province with its districts (children) and communes (grandchildren): one
 * GET /api/values.csv request (indicators=<7 codes>, subtree, period_from, period_to), timed until
 * its whole body has arrived.
 * Warm-up, then sequential repetitions; the 95th percentile.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { openStore } from '../src/store/db.ts';
import { copyValues, loadCatalogue, writeValuesCopy } from './load.ts';
import { type Child, startServer } from './proc.ts';
import type { Context } from './run.ts';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

/** The database's own time for one of the 7 requests' SQL (EXPLAIN ANALYZE, warm), for the profile. */
async function explainMs(url: string, inds: string[], unit: string, years: number[]): Promise<number> {
  const { valueCsvBatchSql, valueWhere, withSubtreePath } = await import('../src/app/catalogue/values.ts');
  const { PgDialect } = await import('drizzle-orm/pg-core');
  const { sql } = await import('drizzle-orm');
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const store = await openStore({ databaseUrl: url });
    const f = await withSubtreePath(store.db, {
      indicators: inds,
      subtree: unit,
      period_from: String(years[0]),
      period_to: String(years.at(-1)),
    }).finally(() => store.close());
    const q = new PgDialect().sqlToQuery(
      sql`explain (analyze, format json) ${valueCsvBatchSql(valueWhere(f), 0, 5000)}`,
    );
    let ms = 0;
    for (let k = 0; k < 5; k++) {
      const r = await c.query(q.sql, q.params);
      ms = Number(r.rows[0]['QUERY PLAN'][0]['Execution Time']);
    }
    return Math.round(ms * 100) / 100;
  } finally {
    await c.end();
  }
}

let nationalDb: Promise<string> | undefined;

/** The national data set in its own database, loaded once per run (query and freshness suites). */
export function nationalDatabase(ctx: Context): Promise<string> {
  nationalDb ??= loadNational(ctx);
  return nationalDb;
}

async function loadNational(ctx: Context): Promise<string> {
  const ds = ctx.nationalDb();
  const pgs = await ctx.pg();
  const url = await pgs.createDatabase('bench_national');
  const store = await openStore({ databaseUrl: url });
  await store.close();
  await loadCatalogue(url, ds, true);
  const file = join(ctx.opts.tmp, 'national.copy');
  let t = performance.now();
  const n = await writeValuesCopy(ds, file);
  ctx.opts.log(`national: ${n} rows written for COPY in ${Math.round(performance.now() - t)} ms`);
  t = performance.now();
  await copyValues(url, file);
  ctx.opts.log(`national: ${n} values loaded by COPY in ${Math.round(performance.now() - t)} ms`);
  return url;
}

let queryChild: Promise<Child> | undefined;

/**
 * The API server process on the national database; started once (by the run's overlapped set-up
 * in --quick, else by the suite). Idle until the suite queries it (no background work).
 */
export function queryServer(ctx: Context): Promise<Child> {
  queryChild ??= (async () => {
    const url = await nationalDatabase(ctx);
    const t = performance.now();
    const child = await startServer({ DATABASE_URL: url });
    ctx.opts.log(
      `query: server process on the national database started in ${Math.round(performance.now() - t)} ms`,
    );
    return child;
  })();
  return queryChild;
}

export async function run(ctx: Context, want: (n: string) => boolean): Promise<void> {
  if (!want('query_p95_ms_national')) return;
  const ds = ctx.nationalDb();
  const url = await nationalDatabase(ctx);
  const sqlMs = await explainMs(
    url,
    ds.indicators.slice(1, 8).map((i) => i.code),
    ds.units.code[1]!,
    ds.years.slice(-5),
  );
  const server = await queryServer(ctx);
  try {
    const province = ds.units.code[1]!;
    const lastYears = ds.years.slice(-5);
    const inds = ds.indicators.slice(1, 8).map((i) => i.code);
    // One request: the values API takes the 7 indicators at once (indicators=a,b,…). Sent by a
    // client in its own worker thread (query-client.mjs), sequentially, after 10 warm-ups.
    const q = new URLSearchParams({
      indicators: inds.join(','),
      subtree: province,
      period_from: String(lastYears[0]),
      period_to: String(lastYears.at(-1)),
    });
    const n = ctx.opts.quick ? 50 : 200;
    const client = new Worker(new URL('./query-client.mjs', import.meta.url), {
      workerData: { url: `${server.url}/api/values.csv?${q}`, warmUps: 10, requests: n },
    });
    const result = await new Promise<{ times?: number[]; rows?: number; error?: string }>(
      (resolve, reject) => {
        client.once('message', resolve);
        client.once('error', reject);
      },
    ).finally(() => client.terminate());
    if (result.error || !result.times) throw new Error(result.error ?? 'the query client sent no times');
    const times = result.times;
    const rows = result.rows ?? 0;
    const subtree = ds.units.parent.reduce(
      (a, p, u) => a + (u === 1 || p === 1 || ds.units.parent[p] === 1 ? 1 : 0),
      0,
    );
    const detail = {
      requests: n,
      rows_per_query: rows,
      units_in_subtree: subtree,
      p50_ms: Math.round(pct(times, 50) * 10) / 10,
      p95_ms: Math.round(pct(times, 95) * 10) / 10,
      p99_ms: Math.round(pct(times, 99) * 10) / 10,
      sql_execution_ms: sqlMs,
      endpoint: 'GET /api/values.csv?indicators=<7 codes>&subtree=…&period_from=…&period_to=… (one request)',
    };
    ctx.opts.log(`query: ${JSON.stringify(detail)}`);
    ctx.figures.set('query_p95_ms_national', {
      name: 'query_p95_ms_national',
      value: detail.p95_ms,
      unit: 'ms',
      scale: `${ds.scale.name}: ${ds.units.code.length.toLocaleString('en-US')} units, ${ds.valueCount.toLocaleString('en-US')} values in PostgreSQL`,
      detail,
    });
  } finally {
    await server.stop();
  }
}
