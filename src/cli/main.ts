/**
 * The `chiso` command line. `npx chiso help` lists the commands.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readConfig } from '../config.ts';
import { isChisoError } from '../core/errors.ts';
import { openStore } from '../store/db.ts';
import { REMINDERS_HELP } from './reminders.ts';
import { USERS_HELP, usersCli } from './users.ts';
import { PLAN_HELP } from './plans.ts';
import { BOUNDARIES_HELP } from './boundaries.ts';

const HELP = `chiso — chỉ số: run a programme by its numbers

Usage: npx chiso <command> [options]

  serve                         start the API and web application (PORT, CHISO_DATA_DIR, DATABASE_URL)
  migrate                       apply database migrations and exit
  demo load [--no-synthetic]    load the Ho Chi Minh City demo into an empty database
  catalogue export --out FILE   write the catalogue (levels, units, lineage, documents, indicators, targets) as JSON
  catalogue import FILE [--dry-run]
                                import a catalogue file (atomic; existing codes are updated)
${PLAN_HELP}${BOUNDARIES_HELP}  dump --out FILE               write every table as portable JSON (works on PGlite and PostgreSQL)
  restore FILE                  load a dump into an empty database (PGlite or DATABASE_URL)
  audit verify                  check the audit log's hash chain; exits 1 naming the first bad entry
${USERS_HELP}${REMINDERS_HELP}  report quarterly --period 2024Q4 --out FILE.docx|.xlsx|.pdf [--date YYYY-MM-DD] [--number N]
                                the quarterly report (Decree 30 layout), its .xlsx annex, or PDF (LibreOffice)
  compute index FILE.json       compute a composite index from a JSON input, without a database
  compute progress FILE.json    assess progress against targets from a JSON input, without a database

Environment: DATABASE_URL selects a PostgreSQL server; otherwise PGlite in CHISO_DATA_DIR (default ./data).
`;

async function withStore<T>(fn: (store: Awaited<ReturnType<typeof openStore>>) => Promise<T>): Promise<T> {
  const config = readConfig();
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      'dry-run': { type: 'boolean' },
      'no-synthetic': { type: 'boolean' },
      period: { type: 'string' },
      date: { type: 'string' },
      number: { type: 'string' },
      symbol: { type: 'string' },
      subject: { type: 'string' },
      round: { type: 'string' },
      source: { type: 'string' },
      'valid-from': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: false,
  });
  const [cmd, sub, arg] = positionals;
  const out = typeof values.out === 'string' ? values.out : undefined;
  switch (cmd) {
    case undefined:
    case 'help':
      process.stdout.write(HELP);
      return 0;
    case 'serve': {
      const { serve } = await import('./serve.ts');
      const running = await serve(readConfig());
      const stop = async (signal: string) => {
        console.log(`${signal}: shutting down`);
        await running.stop();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
      return -1;
    }
    case 'migrate':
      await withStore(async (s) => console.log(`migrations applied (${s.kind})`));
      return 0;
    case 'demo': {
      if (sub !== 'load') break;
      const { isEmpty, loadDemo } = await import('../app/demo/load-demo.ts');
      return withStore(async (store) => {
        if (!(await isEmpty(store))) {
          console.error('The database already holds data; the demo loads only into an empty database.');
          return 1;
        }
        const s = await loadDemo(store, { synthetic: !values['no-synthetic'] });
        const { loadDemoRounds } = await import('../app/rounds/demo-rounds.ts');
        await store.db.transaction((tx) => loadDemoRounds(tx));
        console.log(JSON.stringify(s));
        return 0;
      });
    }
    case 'catalogue': {
      const { exportCatalogue, importCatalogue } = await import('../app/catalogue/transfer.ts');
      if (sub === 'export') {
        if (!out) break;
        return withStore(async (store) => {
          writeFileSync(out, `${JSON.stringify(await exportCatalogue(store), null, 2)}\n`);
          console.log(`catalogue written to ${out}`);
          return 0;
        });
      }
      if (sub === 'import' && arg) {
        const data = JSON.parse(readFileSync(arg, 'utf8')) as unknown;
        return withStore(async (store) => {
          const r = await importCatalogue(store, 'cli', data, {
            dryRun: Boolean(values['dry-run']),
            file: arg,
          });
          console.log(JSON.stringify(r));
          return 0;
        });
      }
      break;
    }
    case 'plan': {
      if (sub !== 'import' || !arg) break;
      const { planImportCli } = await import('./plans.ts');
      return withStore((store) => planImportCli(store, arg, { dryRun: values['dry-run'] === true }));
    }
    case 'boundaries': {
      if (sub !== 'import' || !arg) break;
      const { boundariesImportCli } = await import('./boundaries.ts');
      const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
      return withStore((store) =>
        boundariesImportCli(store, arg, {
          dryRun: values['dry-run'] === true,
          ...(str(values.source) ? { source: str(values.source)! } : {}),
          ...(str(values['valid-from']) ? { validFrom: str(values['valid-from'])! } : {}),
        }),
      );
    }
    case 'dump': {
      if (!out) break;
      const { dumpDatabase } = await import('../store/dump.ts');
      return withStore(async (store) => {
        const n = await dumpDatabase(store, out);
        console.log(`dump written to ${out} (${n} rows)`);
        return 0;
      });
    }
    case 'restore': {
      if (!sub) break;
      const { restoreDatabase } = await import('../store/dump.ts');
      return withStore(async (store) => {
        const n = await restoreDatabase(store, sub);
        console.log(`restored ${n} rows from ${sub}`);
        return 0;
      });
    }
    case 'audit': {
      if (sub !== 'verify') break;
      const { verifyAuditChain } = await import('../app/audit.ts');
      return withStore(async (store) => {
        const r = await verifyAuditChain(store);
        if (r.ok) {
          console.log(`audit chain OK: ${r.checked} entries`);
          return 0;
        }
        console.error(
          `audit chain BROKEN at entry ${r.firstBad?.seq} (id ${r.firstBad?.id ?? '-'}): ${r.firstBad?.problem}`,
        );
        return 1;
      });
    }
    case 'reminders': {
      if (sub !== 'send') break;
      const { remindersCli } = await import('./reminders.ts');
      return withStore((store) =>
        remindersCli(store, {
          round: typeof values.round === 'string' ? values.round : undefined,
          dryRun: values['dry-run'] === true,
          publicUrl: readConfig().publicUrl,
        }),
      );
    }
    case 'user':
    case 'token':
      return withStore((store) => usersCli(store, argv));
    case 'report': {
      const { runReport } = await import('./report.ts');
      const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
      return withStore(async (store) => {
        const file = await runReport(store, {
          kind: sub,
          period: str(values.period),
          out,
          date: str(values.date),
          number: str(values.number),
          symbol: str(values.symbol),
          subject: str(values.subject),
        });
        console.log(`report written to ${file}`);
        return 0;
      });
    }
    case 'compute': {
      if (!arg) break;
      const input = JSON.parse(readFileSync(arg, 'utf8')) as unknown;
      const compute = await import('./compute.ts');
      let result: unknown;
      if (sub === 'index') result = compute.computeIndexFromJson(input);
      else if (sub === 'progress') result = compute.computeProgressFromJson(input);
      else break;
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return 0;
    }
    default:
      break;
  }
  process.stderr.write(`Unknown or incomplete command: ${argv.join(' ')}\n\n${HELP}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (e: unknown) => {
    if (isChisoError(e)) {
      const where = Object.entries(e.location)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      process.stderr.write(`Lỗi: ${e.vi}\nError: ${e.en}${where ? `\n(${where})` : ''}\n`);
      for (const sub of e.errors.slice(0, 50))
        process.stderr.write(`  - ${sub.en}${sub.row ? ` (row ${sub.row})` : ''}\n`);
      process.exit(1);
    }
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
