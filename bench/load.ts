/**
 * Puts a generated dataset into a chiso database: the catalogue (levels, units with their tree
 * paths, indicators with roll-up rules and denominators, targets) through SQL, and the files the
 * benchmarks read: a chiso values CSV (what an importer uploads) and the same rows in PostgreSQL's
 * COPY text format with ids resolved (what COPY loads).
 */
import { createWriteStream } from 'node:fs';
import pg from 'pg';
import { copyFromFile } from './pg.ts';
import { type Dataset, ownValues } from './generate.ts';

async function insertMany(c: pg.Client, table: string, cols: string[], rowsOf: unknown[][], types: string[]) {
  const step = 5000;
  for (let k = 0; k < rowsOf.length; k += step) {
    const part = rowsOf.slice(k, k + step);
    const arrays = cols.map((_, j) => part.map((r) => r[j]));
    const sel = cols.map((_, j) => `$${j + 1}::${types[j]}[]`).join(', ');
    await c.query(`insert into ${table} (${cols.join(', ')}) select * from unnest(${sel})`, arrays);
  }
}

/** Levels, units, indicators (ids = index + 1) and, when `withTargets`, one target per indicator × unit. */
export async function loadCatalogue(url: string, ds: Dataset, withTargets = false): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('begin');
    const s = ds.scale;
    for (let l = 0; l < s.levelNames.length; l++)
      await c.query(
        'insert into org_level (code, name_vi, name_en, sort) values ($1, $2, $3, $4) on conflict (code) do nothing',
        [s.levelNames[l], `Cấp thử nghiệm ${l}`, `Benchmark level ${l}`, 100 + l],
      );
    const { code, parent, depth } = ds.units;
    const path: string[] = [];
    const unitRows: unknown[][] = [];
    for (let u = 0; u < code.length; u++) {
      const p = parent[u]!;
      path[u] = `${p >= 0 ? path[p] : '/'}${u + 1}/`;
      unitRows.push([
        u + 1,
        code[u],
        `Đơn vị thử nghiệm ${code[u]}`,
        `Benchmark unit ${code[u]}`,
        s.levelNames[depth[u]!],
        p >= 0 ? p + 1 : null,
        path[u],
        depth[u],
        `don vi thu nghiem ${code[u]!.toLowerCase()}`,
        'synthetic (bench/generate.ts)',
      ]);
    }
    await insertMany(
      c,
      'org_unit',
      ['id', 'code', 'name_vi', 'name_en', 'level', 'parent_id', 'path', 'depth', 'search_text', 'source'],
      unitRows,
      ['int', 'text', 'text', 'text', 'text', 'int', 'text', 'smallint', 'text', 'text'],
    );
    await c.query(`select setval(pg_get_serial_sequence('org_unit', 'id'), $1)`, [code.length]);
    const indRows = ds.indicators.map((ind, i) => [
      i + 1,
      ind.code,
      `Chỉ tiêu thử nghiệm ${ind.code}`,
      `Benchmark indicator ${ind.code}`,
      'number',
      ind.direction,
      ind.rule,
      ind.denominator >= 0 ? ind.denominator + 1 : null,
      s.periodType,
      ind.periodRollup,
      `chi tieu thu nghiem ${ind.code.toLowerCase()}`,
    ]);
    await insertMany(
      c,
      'indicator',
      [
        'id',
        'code',
        'name_vi',
        'name_en',
        'value_type',
        'direction',
        'rollup',
        'denominator_id',
        'period_type',
        'period_rollup',
        'search_text',
      ],
      indRows,
      ['int', 'text', 'text', 'text', 'text', 'text', 'text', 'int', 'text', 'text', 'text'],
    );
    await c.query(`select setval(pg_get_serial_sequence('indicator', 'id'), $1)`, [ds.indicators.length]);
    if (withTargets) {
      const nU = code.length;
      const tRows: unknown[][] = [];
      // Targets for the root and the first level (the city and its districts; the nation and its provinces).
      for (let i = 0; i < ds.indicators.length; i++)
        for (let u = 0; u < nU; u++) {
          if (depth[u]! > 1) continue;
          const t = ds.target[i * nU + u]!;
          if (Number.isNaN(t)) continue;
          tRows.push([
            i + 1,
            u + 1,
            String(ds.targetYear),
            `${ds.targetYear}-01-01`,
            ds.indicators[i]!.direction === 'increase' ? '>=' : '<=',
            t,
          ]);
        }
      await insertMany(
        c,
        'target',
        ['indicator_id', 'org_unit_id', 'period', 'period_start', 'comparator', 'value'],
        tRows,
        ['int', 'int', 'text', 'date', 'text', 'float8'],
      );
    }
    await c.query('commit');
  } finally {
    await c.end();
  }
}

async function writeLines(file: string, lines: Iterable<string>): Promise<number> {
  const out = createWriteStream(file);
  let buf = '';
  let n = 0;
  for (const l of lines) {
    buf += l;
    n++;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = '';
    }
  }
  out.write(buf);
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
  return n;
}

function* take<T>(it: Iterable<T>, limit: number): Generator<T> {
  if (limit <= 0) return;
  let n = 0;
  for (const x of it) {
    yield x;
    if (++n >= limit) return;
  }
}

/** The first `limit` own values as a chiso values CSV (the import format). Returns the row count. */
export function writeValuesCsv(ds: Dataset, file: string, limit = Number.POSITIVE_INFINITY): Promise<number> {
  const { code } = ds.units;
  return writeLines(
    file,
    (function* () {
      yield 'indicator_code,period,org_unit_code,disagg,value,provenance\n';
      for (const v of take(ownValues(ds), limit))
        yield `${ds.indicators[v.i]!.code},${ds.periods[v.p]},${code[v.u]},,${v.value},synthetic\n`;
    })(),
  ).then((n) => n - 1);
}

export const COPY_COLUMNS =
  'indicator_id, org_unit_id, period, period_start, disagg, value, provenance, status, changed_by';

/** The same rows in COPY text format, ids resolved (ids = index + 1). */
export function writeValuesCopy(
  ds: Dataset,
  file: string,
  limit = Number.POSITIVE_INFINITY,
  fromPeriod = 0,
): Promise<number> {
  return writeLines(
    file,
    (function* () {
      for (const v of take(ownValues(ds), limit))
        if (v.p >= fromPeriod)
          yield `${v.i + 1}\t${v.u + 1}\t${ds.periods[v.p]}\t${ds.periodStarts[v.p]}\t\t${v.value}\tsynthetic\tapproved\tbench\n`;
    })(),
  );
}

/**
 * Loads a COPY file into data_value to set up the query and API scenarios (not a measured path).
 * The rows are valid by construction, so the per-row foreign-key triggers are skipped
 * (session_replication_role = replica); indexes are maintained as usual. Vacuumed and analysed.
 */
export async function copyValues(url: string, file: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('set session_replication_role = replica');
    const n = await copyFromFile(c, `copy data_value (${COPY_COLUMNS}) from stdin`, file);
    await c.query('set session_replication_role = origin');
    // VACUUM as well as ANALYZE: the set-up leaves no work for autovacuum to start during a later measurement.
    await c.query('vacuum analyze data_value');
    return n;
  } finally {
    await c.end();
  }
}
