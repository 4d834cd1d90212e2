/**
 * import_values_per_s, import_ratio_vs_copy: the city values as a chiso values CSV imported with
 * full validation (src/app/exchange/import-values.ts importValues: parse, check every row against
 * the catalogue, stage, find duplicates, classify, upsert, audit — one transaction) into
 * PostgreSQL, against COPY … FROM STDIN of the same rows (ids resolved) into the same table of a
 * second database with the same schema and catalogue, in the same run.
 */
import { createReadStream, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { openStore } from '../src/store/db.ts';
import { COPY_COLUMNS, loadCatalogue, writeValuesCopy, writeValuesCsv } from './load.ts';
import { copyFromFile } from './pg.ts';
import type { Context } from './run.ts';

export async function run(ctx: Context, want: (n: string) => boolean): Promise<void> {
  const { opts } = ctx;
  const ds = ctx.city();
  // Full run: 500,000 rows (a quarter of the city set; the rate is what matters). --quick: 50,000.
  const limit = opts.quick ? 50_000 : 500_000;
  const csv = join(opts.tmp, 'import.csv');
  const copy = join(opts.tmp, 'import.copy');
  const rowsCsv = await writeValuesCsv(ds, csv, limit);
  const rowsCopy = await writeValuesCopy(ds, copy, limit);
  if (rowsCsv !== rowsCopy) throw new Error(`csv ${rowsCsv} rows, copy ${rowsCopy}`);
  opts.log(`import: ${rowsCsv} rows (${(statSync(csv).size / 2 ** 20).toFixed(1)} MB CSV)`);
  const pgs = await ctx.pg();

  // Phase timings of the import path, for the profile: reading alone, then a dry run (read, check, stage, classify).
  const { readValuesCsv } = await import('../src/formats/values-csv.ts');
  const { hashing } = await import('../src/formats/utf8.ts');
  const t = performance.now();
  let n = 0;
  for await (const _ of readValuesCsv(hashing(createReadStream(csv)).source, 'import.csv')) n++;
  const parseMs = performance.now() - t;

  const { importValues } = await import('../src/app/exchange/import-values.ts');
  /** One pair: the import (after a dry run, for its phase time) and COPY, each into a fresh database. */
  const pair = async () => {
    const urlA = await pgs.createDatabase('bench_import');
    const storeA = await openStore({ databaseUrl: urlA });
    let importMs: number;
    let dryMs: number;
    try {
      await loadCatalogue(urlA, ds);
      let t = performance.now();
      const dry = await importValues(storeA, 'bench', createReadStream(csv), 'csv', {
        file: 'import.csv',
        dryRun: true,
      });
      dryMs = performance.now() - t;
      if (dry.created !== rowsCsv)
        throw new Error(`dry run: ${JSON.stringify({ ...dry, rejected: dry.rejected.slice(0, 3) })}`);
      await storeA.query('checkpoint');
      t = performance.now();
      const summary = await importValues(storeA, 'bench', createReadStream(csv), 'csv', {
        file: 'import.csv',
      });
      importMs = performance.now() - t;
      if (summary.created !== rowsCsv) throw new Error(`import created ${summary.created} of ${rowsCsv}`);
    } finally {
      await storeA.close();
    }
    const urlB = await pgs.createDatabase('bench_copy');
    const storeB = await openStore({ databaseUrl: urlB });
    await storeB.close();
    await loadCatalogue(urlB, ds);
    const c = new pg.Client({ connectionString: urlB });
    await c.connect();
    let copyMs: number;
    try {
      await c.query('checkpoint');
      const t = performance.now();
      await c.query('begin');
      const copied = await copyFromFile(c, `copy data_value (${COPY_COLUMNS}) from stdin`, copy);
      await c.query('commit');
      copyMs = performance.now() - t;
      if (copied !== rowsCsv) throw new Error(`COPY loaded ${copied} of ${rowsCsv}`);
    } finally {
      await c.end();
    }
    return { importMs, dryMs, copyMs, ratio: copyMs / importMs };
  };
  // Three pairs, as the recompute suite takes three runs: the figures are those of the pair with
  // the median ratio (one slow commit or checkpoint moves a single pair by half).
  const pairs: Array<Awaited<ReturnType<typeof pair>>> = [];
  for (let k = 0; k < 3; k++) pairs.push(await pair());
  const median = [...pairs].sort((x, y) => x.ratio - y.ratio)[1]!;
  const { importMs, dryMs, copyMs } = median;
  const importRate = rowsCsv / (importMs / 1000);
  const copyRate = rowsCsv / (copyMs / 1000);
  const detail = {
    rows: rowsCsv,
    import_ms: Math.round(importMs),
    copy_ms: Math.round(copyMs),
    copy_values_per_s: Math.round(copyRate),
    phases_ms: {
      read_and_parse_csv: Math.round(parseMs),
      dry_run_read_check_stage_classify: Math.round(dryMs),
      full_import: Math.round(importMs),
    },
    pairs: pairs.map((p) => ({
      import_ms: Math.round(p.importMs),
      copy_ms: Math.round(p.copyMs),
      ratio: Math.round(p.ratio * 1000) / 1000,
    })),
  };
  opts.log(
    `import: ${Math.round(importRate)} values/s; COPY ${Math.round(copyRate)} values/s ${JSON.stringify(detail.phases_ms)}`,
  );
  const scale = `city values (${rowsCsv.toLocaleString('en-US')} rows${opts.quick ? ', --quick sample' : ''})`;
  if (want('import_values_per_s'))
    ctx.figures.set('import_values_per_s', {
      name: 'import_values_per_s',
      value: Math.round(importRate),
      unit: 'values/s',
      scale,
      detail,
    });
  if (want('import_ratio_vs_copy'))
    ctx.figures.set('import_ratio_vs_copy', {
      name: 'import_ratio_vs_copy',
      value: Math.round((importRate / copyRate) * 1000) / 1000,
      unit: '×',
      scale,
      detail,
    });
  void n;
}
