/**
 * docs/BENCHMARKS.md from a run: the machine, the table of figures against goals, the method of
 * each, and for every unmet goal the measured profile. The prose of docs/BENCHMARKS.md outside the
 * generated block (between the BEGIN/END markers) is kept, so analysis written by hand survives
 * a re-run.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { type Figure, fmt, goalText, met, statusText } from './figures.ts';

export const METHODS: Record<string, string> = {
  import_values_per_s:
    'The city values written as a chiso values CSV (indicator_code, period, org_unit_code, disagg, value, provenance) and imported with `importValues` (src/app/exchange/import-values.ts) into an empty PostgreSQL database holding the catalogue: streamed parse, every row checked against the catalogue, staged into a temporary table, duplicates found, classified against current values, one upsert, one audit entry, one transaction. Wall time from the first byte read to commit.',
  import_ratio_vs_copy:
    "import_values_per_s divided by the rate of PostgreSQL's own `COPY data_value (…) FROM STDIN` (through the pg client's protocol support) of the same rows, ids already resolved, into the same table (same indexes, constraints and history trigger) of a second database with the same catalogue, in the same run, in one transaction. Three pairs (import, then COPY, each into a fresh database); both figures are those of the pair with the median ratio, every pair is in the detail.",
  freshness_ms_city:
    "One changed value approved by catalogue setValue (status 'approved') in a transaction of the benchmark process, whose engine recomputes what the cell touches and persists it before commit — the hook a reporting round's approval also calls; the API server process learns of it from the engine_change feed. The API of the server process (GET /api/indicators/:code/series of the root, /api/progress for the root and the indicator, /api/index/BENCH/results) is polled by a client in a worker thread of the benchmark process (its own event loop: the approving engine's work after its commit does not hold it back), each endpoint back to back on its own over node:http with Accept-Encoding gzip and If-None-Match (the ETag of the body before the change), so that an unchanged answer is a 304; the time from the start of the approving transaction to the last byte of the last of the three answers with a new strong ETag (the server's hash of the body; each new body is checked to differ from the old one after the timing). Ten warm-up approvals of another ward are made and read back first, so that the server's code is warm as on a running server (their read-back times are in the detail, the first one cold). The detail gives the approving engine's phases and the server process's catch-up.",
  freshness_ms_national: 'As freshness_ms_city, on the national data set in PostgreSQL.',
  recompute_ms_city:
    "Every tree roll-up (denominator first, then sum, mean, weighted mean by the rolled denominator, min, max; a unit's own value is authoritative), every period roll-up (quarters to years by each indicator's rule), every progress status (Open SDG profile, final-year targets per indicator × unit) and the composite index (24 indicators, min-max, 4 pillars, weighted arithmetic mean) of every first-level unit for every year, by chiso's engine core (src/core/rollup.ts: one pass per series and rule, rollupPeriodsGrid; progress.ts: the array form prepareAssessment/assessArrays the engine uses; index/) on the in-memory arrays; median of runs in one process.",
  recompute_ms_national: 'As recompute_ms_city on the national data set (years, four-level tree).',
  recompute_ratio_vs_numpy:
    'recompute_ms divided by the time of bench/reference.py, the same computation vectorised in numpy (Debian python3-numpy) on the same arrays, in the same run. The run fails unless both sides produce the same checksums (sums and counts of roll-ups and yearly values, the count of every status, the sum of index scores).',
  query_p95_ms_national:
    "95th percentile over repeated requests of the API's values query for 7 indicators × the last 5 years × one province with its districts (children) and communes (grandchildren) — one `GET /api/values.csv?indicators=…&subtree=…&period_from=…&period_to=…`, timed to the end of its body — over HTTP against the server process on the national database, by a client in its own worker thread (bench/query-client.mjs), sequentially after 10 warm-ups.",
  api_rps_city:
    "autocannon, 64 connections, against what the public pages read from the server process on the city database — the overview page's one request (`GET /api/progress/overview?summary=true`) and an indicator's series (`GET /api/indicators/:code/series`), alternating, each request with a browser's `Accept-Encoding: gzip, deflate, br` (the API sends its cached body precompressed: brotli once per engine version); autocannon sends from its own worker thread (its `workers: 1`), so that the bench process's own work and garbage collection do not delay the client's clock, after a warm-up at the same 64 connections (its `warmup`, not sampled) — the same for the static files and the ceiling; requests per second (mean).",
  api_p99_ms_city: 'p99 latency of the same autocannon runs.',
  api_ratio_vs_static:
    "api_rps_city divided by the requests per second of the same JSON bodies served as static files by the same Fastify server process (@fastify/static with preCompressed: the files' brotli q11 and gzip 9 copies, as the web build writes them), same autocannon settings and Accept-Encoding.",
  web_initial_js_kb_gzip:
    "`vite build --manifest` of src/web; the sum of the gzip (level 9) sizes of the JavaScript the overview loads first: the entry chunk, its static imports, and the overview route's chunk with its static imports when it is lazy.",
  lighthouse_performance:
    'The lighthouse 12 npm package driving Debian chromium (--headless --no-sandbox --disable-gpu) on the overview page served by the chiso server; default (mobile, simulated throttling) performance category score × 100 of the median run: Lighthouse runs 5 times (3 in --quick; `BENCH_LIGHTHOUSE_RUNS`) and its own `computeMedianRun` picks the run closest to the median FCP and TTI, as the Lighthouse variability guide advises; every run’s score is in the detail.',
  startup_ms_demo:
    '`node bin/chiso.mjs serve` with the demo on PGlite: from process start to the "chiso ready" line, on a fresh data folder (migrations and demo load) and again on the existing folder.',
  rss_mb_city:
    'Resident memory (VmRSS) of the API server process on the city database after the API load runs.',
};

export interface ReportInput {
  figures: Figure[];
  machine: Record<string, unknown>;
  meta: Record<string, unknown>;
  notes: Map<string, string[]>;
}

const BEGIN = '<!-- BEGIN GENERATED (npm run bench) -->';
const END = '<!-- END GENERATED -->';

export function renderGenerated(r: ReportInput): string {
  const m = r.machine;
  const lines: string[] = [BEGIN, ''];
  lines.push(
    `Run: ${r.meta.started_at}, ${r.meta.duration_s} s, ${r.meta.quick ? '**--quick** (reduced national scale)' : 'full'}; national scale used: \`${(r.meta.scales as { national: string }).national}\`.`,
    '',
  );
  lines.push('| Machine | |', '|---|---|');
  lines.push(`| Load average at start (1, 5, 15 min) | ${m.load_at_start} |`);
  lines.push(
    `| CPU | ${m.cpu} |`,
    `| Cores | ${m.cores} |`,
    `| Memory | ${m.memory_gb} GB |`,
    `| OS | ${m.os} |`,
  );
  lines.push(
    `| Node | ${m.node} |`,
    `| PostgreSQL | ${m.postgresql ?? '—'} |`,
    `| Python / numpy | ${m.python ?? '—'} / ${m.numpy ?? '—'} |`,
    `| Chromium | ${m.chromium ?? '—'} |`,
    '',
  );
  lines.push(
    '| Figure | Value | Unit | Goal | Status | Measured on | Load avg |',
    '|---|---:|---|---|---|---|---|',
  );
  for (const f of r.figures)
    lines.push(
      `| \`${f.name}\` | ${fmt(f.value)} | ${f.unit} | ${goalText(f.goal)} | ${statusText(f)} | ${f.scale ?? ''} | ${f.load ?? ''} |`,
    );
  lines.push('', '### Method', '');
  for (const f of r.figures) lines.push(`- **${f.name}** — ${METHODS[f.name] ?? ''}`);
  lines.push('', '### Detail of this run (phase timings, cross-checks)', '');
  for (const f of r.figures) {
    if (!f.detail && !f.reason) continue;
    const tag = met(f) === false ? ' — **goal not met**' : '';
    lines.push(
      `- **${f.name}**${tag}: ${f.reason ? `not measured: ${f.reason}. ` : ''}${f.detail ? `\`${JSON.stringify(f.detail)}\`` : ''}`,
    );
  }
  for (const [k, v] of r.notes) for (const n of v) lines.push(`- ${k}: ${n}`);
  lines.push('', END);
  return lines.join('\n');
}

export function writeReport(path: string, r: ReportInput): void {
  const gen = renderGenerated(r);
  let text: string;
  if (existsSync(path)) {
    const old = readFileSync(path, 'utf8');
    const a = old.indexOf(BEGIN);
    const b = old.indexOf(END);
    text =
      a >= 0 && b > a ? old.slice(0, a) + gen + old.slice(b + END.length) : `${old.trimEnd()}\n\n${gen}\n`;
  } else {
    text = `# Benchmarks\n\nReproduce: \`npm run bench\` (full) or \`npm run bench -- --quick --json out.json\`. Data: bench/generate.ts (seeded, deterministic, synthetic). Figures are written by the run between the markers below; the analysis after them is written by hand from the profiles.\n\n${gen}\n`;
  }
  writeFileSync(path, text);
}
