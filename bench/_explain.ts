import { join } from 'node:path';
import pg from 'pg';
import { openStore } from '../src/store/db.ts';
import { generate, SCALES } from './generate.ts';
import { copyValues, loadCatalogue, writeValuesCopy } from './load.ts';
import { startPostgres } from './pg.ts';
const pgs = await startPostgres(console.log);
try {
  const ds = generate(SCALES['national-quick']);
  const url = await pgs.createDatabase('x');
  const s = await openStore({ databaseUrl: url });
  await s.close();
  await loadCatalogue(url, ds, true);
  await writeValuesCopy(ds, '/tmp/bx/x.copy');
  await copyValues(url, '/tmp/bx/x.copy');
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const q = `select v.id, i.code as indicator_code, v.period, u.code from data_value v join indicator i on i.id = v.indicator_id
  join org_unit u on u.id = v.org_unit_id left join document d on d.id = v.source_document_id
  where v.archived_at is null and i.code = 'BI003' and u.path like (select path from org_unit where code = 'BVN.01') || '%'
  and v.period_start >= '2021-01-01' and v.period_start <= '2025-01-01' and v.status = 'approved' and v.id > 0 order by v.id limit 5000`;
  for (let k = 0; k < 3; k++) {
    const r = await c.query(`explain (analyze, buffers) ${q}`);
    if (k === 2) console.log(r.rows.map((x) => x['QUERY PLAN']).join('\n'));
  }
  console.log(process.argv[2] ?? '');
  await c.end();
} finally {
  await pgs.stop();
}
