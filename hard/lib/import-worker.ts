/**
 * A bulk importer to be killed: imports values files one after another through the real import
 * (src/app/exchange/import-values.ts, one transaction per file) and prints `BEGIN tag` before and
 * `ACK tag` after each import returns. Every row of import `tag` has disagg = tag, so a test can
 * count them afterwards: all rows of an import or none.
 *
 * Usage: node bin/run-ts.mjs hard/lib/import-worker.ts KEYS.json RUN-ID ROWS [IMPORTS]
 * (database from DATABASE_URL or CHISO_DATA_DIR, as for `chiso`).
 */
import { readFileSync } from 'node:fs';
import { importValues } from '../../src/app/exchange/import-values.ts';
import { readConfig } from '../../src/config.ts';
import { openStore } from '../../src/store/db.ts';
import type { ValueKey } from './harness.ts';
import { importValue } from './model.ts';

const [keysFile, runId, rowsArg, importsArg] = process.argv.slice(2);
const keys = JSON.parse(readFileSync(keysFile!, 'utf8')) as ValueKey[];
const perImport = Math.min(Number(rowsArg), keys.length);
const imports = importsArg ? Number(importsArg) : Number.POSITIVE_INFINITY;

const config = readConfig();
const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
process.stdout.write('OPEN\n');
for (let n = 0; n < imports; n++) {
  const tag = `imp-${runId}-${n}`;
  const lines = ['indicator_code,period,org_unit_code,disagg,value,comment'];
  for (let i = 0; i < perImport; i++) {
    const k = keys[i]!;
    lines.push(`${k.indicator},${k.period},${k.org_unit},${tag},${importValue(n, i)},crash test ${tag}`);
  }
  process.stdout.write(`BEGIN ${tag}\n`);
  await importValues(store, 'hard.import', Buffer.from(`${lines.join('\n')}\n`), 'csv', {
    file: `${tag}.csv`,
  });
  process.stdout.write(`ACK ${tag}\n`);
}
await store.close();
