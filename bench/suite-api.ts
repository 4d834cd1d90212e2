/**
 * api_rps_city, api_p99_ms_city, api_ratio_vs_static, rss_mb_city. The city data set in
 * PostgreSQL, the server in its own process (bench/server-child.ts), autocannon (64 connections)
 * in this process alternating the public overview and an indicator's series; then the same JSON
 * bodies, saved to files with their brotli and gzip copies, served by the same server through
 * @fastify/static (preCompressed). autocannon sends a browser's Accept-Encoding to both. Both share
 * the machine's cores with autocannon. The ceiling: the same brotli bytes from memory by a bare
 * node:http server in the server's process (detail and a note, not a goal figure). Each load also
 * gets the server process's own profile (bench/server-child.ts: requests, the engine's currency
 * checks, CPU per request, time in the server, event loop delay, GC pauses) in the detail and a
 * note. rss_mb_city is the server's VmRSS after the runs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import autocannon from 'autocannon';
import { openStore } from '../src/store/db.ts';
import { copyValues, loadCatalogue, writeValuesCopy } from './load.ts';
import { type Child, rssOf, startServer } from './proc.ts';
import type { Context } from './run.ts';

interface Load {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** The server process's profile of the load (bench/server-child.ts `profileWindow`), warm-up included. */
  server?: unknown;
}

/** Waits until the server answers its health check quickly again (the previous load has drained). */
async function settle(url: string): Promise<void> {
  for (let k = 0; k < 120; k++) {
    const t = performance.now();
    await fetch(`${url}/api/health`).then((r) => r.text());
    if (performance.now() - t < 50) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Rounds of the API, static and ceiling loads; the figures are those of the median round. */
const API_ROUNDS = Math.max(1, Number(process.env.BENCH_API_ROUNDS ?? 3));

/** What every browser sends (Chromium, Firefox, Safari): the API and the static files are asked alike. */
export const BROWSER_ACCEPT_ENCODING = 'gzip, deflate, br';

/**
 * One autocannon run: first a warm-up at the same 64 connections (autocannon's `warmup`, not
 * sampled: the JIT, the connections and the server's caches settle), then `seconds` of sampling.
 * The API, the static files and the ceiling get the same. With `profileOf`, the load also carries
 * that server process's own profile of it (GC pauses, event loop delay, CPU, currency checks).
 */
async function cannon(url: string, paths: string[], seconds: number, profileOf?: Child): Promise<Load> {
  await settle(url);
  if (profileOf) await fetch(`${profileOf.ceilingUrl}/__profile?start`).then((r) => r.text());
  const load = await new Promise<Load>((resolve, reject) => {
    autocannon(
      {
        url,
        connections: 64,
        duration: seconds,
        warmup: { connections: 64, duration: Math.max(2, Math.round(seconds / 3)) },
        workers: 1,
        headers: { 'accept-encoding': BROWSER_ACCEPT_ENCODING },
        requests: paths.map((path) => ({ method: 'GET', path })),
      },
      (err: Error | null, r: autocannon.Result) => {
        if (err) return reject(err);
        resolve({
          rps: r.requests.average,
          p50: r.latency.p50,
          p99: r.latency.p99,
          non2xx: r.non2xx,
          errors: r.errors,
        });
      },
    );
  });
  if (!profileOf) return load;
  const profile: unknown = await fetch(`${profileOf.ceilingUrl}/__profile`).then((r) => r.json());
  return { ...load, server: profile };
}

interface ServerProfile {
  requests: number;
  currency_checks: number;
  cpu_us_per_request: number | null;
  cpu_share_of_one_core: number;
  gc: { share: number; max_ms: number };
  in_server_ms: { p50: number; p99: number };
  event_loop_delay_ms: { p99: number };
}

/** One line of the report: where the API's latency goes, from the server's own profile. */
function serverProfileNote(api: Load, ceiling: Load): string {
  const a = api.server as ServerProfile | undefined;
  const c = ceiling.server as ServerProfile | undefined;
  if (!a || !c) return 'no server profile';
  return `the server process during the API load: ${a.requests.toLocaleString('en-US')} requests, ${a.currency_checks.toLocaleString('en-US')} currency checks (PostgreSQL round trips shared by the requests waiting, Engine.ensureCurrent: ${a.currency_checks ? Math.round(a.requests / a.currency_checks) : '—'} requests per check), ${a.cpu_us_per_request} µs of CPU per request (the ceiling: ${c.cpu_us_per_request} µs), ${Math.round(a.cpu_share_of_one_core * 100)} % of one core; time in the server from arrival to the answer handed to the kernel p50 ${a.in_server_ms.p50} ms, p99 ${a.in_server_ms.p99} ms (the ceiling: p99 ${c.in_server_ms.p99 < 0.1 ? 'under 0.1' : c.in_server_ms.p99} ms); event loop delay p99 ${a.event_loop_delay_ms.p99} ms; garbage collection ${(a.gc.share * 100).toFixed(1)} % of the time, longest pause ${a.gc.max_ms} ms.`;
}

/** Bytes on the wire of one answer asked with a browser's Accept-Encoding (node:http: no decoding). */
async function encodedSize(url: string): Promise<number> {
  const { get } = await import('node:http');
  return new Promise((resolve, reject) => {
    get(url, { headers: { 'accept-encoding': BROWSER_ACCEPT_ENCODING } }, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => {
        n += c.length;
      });
      res.on('end', () => resolve(n));
      res.on('error', reject);
    }).on('error', reject);
  });
}

let cityDb: Promise<{ url: string; rows: number }> | undefined;

/** The city data set in its own database, loaded once per run (shared by the API and web suites). */
export function cityDatabase(ctx: Context): Promise<{ url: string; rows: number }> {
  cityDb ??= loadCity(ctx);
  return cityDb;
}

async function loadCity(ctx: Context): Promise<{ url: string; rows: number }> {
  const ds = ctx.city();
  const pgs = await ctx.pg();
  const url = await pgs.createDatabase('bench_city');
  const store = await openStore({ databaseUrl: url });
  await store.close();
  await loadCatalogue(url, ds, true);
  const file = join(ctx.opts.tmp, 'city.copy');
  // --quick: the last two years of values only (the full city set takes about a minute to load here).
  const from = ctx.opts.quick ? ds.periods.length - 8 : 0;
  const rows = await writeValuesCopy(ds, file, Number.POSITIVE_INFINITY, from);
  const t = performance.now();
  await copyValues(url, file);
  ctx.opts.log(`city: ${rows} values loaded by COPY in ${Math.round(performance.now() - t)} ms`);
  return { url, rows };
}

let apiChild: Promise<Child> | undefined;

/**
 * The API server process on the city database, also serving BENCH_STATIC_DIR; started once (by
 * the run's overlapped set-up in --quick, else by the suite). Idle until the suite loads it: the
 * server has no background work and builds its engine on the first request.
 */
export function apiServer(ctx: Context): Promise<Child> {
  apiChild ??= (async () => {
    const { url } = await cityDatabase(ctx);
    const staticDir = join(ctx.opts.tmp, 'static');
    mkdirSync(staticDir, { recursive: true });
    const t = performance.now();
    const child = await startServer({ DATABASE_URL: url, BENCH_STATIC_DIR: staticDir });
    ctx.opts.log(
      `api: server process on the city database started in ${Math.round(performance.now() - t)} ms`,
    );
    return child;
  })();
  return apiChild;
}

export async function run(ctx: Context, want: (n: string) => boolean): Promise<void> {
  const ds = ctx.city();
  const { rows } = await cityDatabase(ctx);
  const staticDir = join(ctx.opts.tmp, 'static');
  const server = await apiServer(ctx);
  const seconds = ctx.opts.quick ? 5 : 15;
  try {
    const ind = ds.indicators[1]!.code;
    // What the public pages read: the overview page's one request (the summary) and an indicator's series.
    const paths = ['/api/progress/overview?summary=true', `/api/indicators/${ind}/series`];
    const missing: string[] = [];
    const bodies: string[] = [];
    const encodedBytes: number[] = [];
    for (const p of paths) {
      // the identity body (saved as the static file) and the size of what a browser receives
      const r = await fetch(server.url + p, { headers: { 'accept-encoding': 'identity' } });
      const body = await r.text();
      encodedBytes.push(await encodedSize(server.url + p));
      if (r.status !== 200) missing.push(`GET ${p} → ${r.status}`);
      bodies.push(body);
    }
    if (missing.length > 0) {
      const reason = `${missing.join('; ')}: the engine API (src/http/routes/engine) is not in the code yet`;
      for (const n of ['api_rps_city', 'api_p99_ms_city', 'api_ratio_vs_static'])
        if (want(n)) ctx.figures.set(n, { name: n, value: null, unit: '', reason });
      // For the record only (not a figure): the catalogue's indicator endpoint under the same load.
      const catPath = `/api/indicators/${ind}`;
      const catBody = await (await fetch(server.url + catPath)).text();
      writeFileSync(join(staticDir, 'indicator.json'), catBody);
      const api = await cannon(server.url, [catPath], seconds);
      const stat = await cannon(server.url, ['/bench-static/indicator.json'], seconds);
      ctx.notes.set('api (auxiliary)', [
        `not a goal figure — GET ${catPath} (catalogue, ${catBody.length} bytes) at 64 connections: ${Math.round(api.rps)} req/s, p99 ${api.p99} ms; the same JSON as a static file: ${Math.round(stat.rps)} req/s, p99 ${stat.p99} ms (ratio ${(api.rps / stat.rps).toFixed(2)}).`,
      ]);
    } else {
      // the static yardstick's precompressed copies, as the web build writes them (vite.config.ts)
      for (const [k, b] of bodies.entries()) {
        const file = join(staticDir, `b${k}.json`);
        writeFileSync(file, b);
        writeFileSync(
          `${file}.br`,
          brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        );
        writeFileSync(`${file}.gz`, gzipSync(b, { level: 9 }));
      }
      // Rounds of the three loads (API, static, ceiling): the reported round is the one with the
      // median API p99 (one slow second of the shared machine moves a single round's p99 by half);
      // every round is in the detail.
      const rounds: Array<{ api: Load; stat: Load; ceiling: Load }> = [];
      for (let k = 0; k < API_ROUNDS; k++) {
        const api = await cannon(server.url, paths, seconds, server);
        const stat = await cannon(
          server.url,
          bodies.map((_, k) => `/bench-static/b${k}.json`),
          seconds,
          server,
        );
        // the ceiling: the same brotli bytes from memory by a bare node:http server in the same process
        const ceiling = await cannon(
          server.ceilingUrl,
          bodies.map((_, k) => `/b${k}.json`),
          seconds,
          server,
        );
        rounds.push({ api, stat, ceiling });
      }
      const reported = [...rounds].sort((x, y) => x.api.p99 - y.api.p99 || y.api.rps - x.api.rps)[
        Math.floor(rounds.length / 2)
      ]!;
      const { api, stat, ceiling } = reported;
      const brief = (l: Load) => ({ rps: Math.round(l.rps), p50: l.p50, p99: l.p99 });
      const detail = {
        seconds,
        connections: 64,
        accept_encoding: BROWSER_ACCEPT_ENCODING,
        api,
        static: stat,
        ceiling_bare_node_http: ceiling,
        api_share_of_ceiling: Math.round((api.rps / ceiling.rps) * 100) / 100,
        round_reported: rounds.indexOf(reported) + 1,
        rounds: rounds.map((r) => ({ api: brief(r.api), static: brief(r.stat), ceiling: brief(r.ceiling) })),
        body_bytes: bodies.map((b) => b.length),
        sent_bytes: encodedBytes,
      };
      ctx.opts.log(`api: ${JSON.stringify(detail)}`);
      ctx.notes.set('api ceiling', [
        `the same bodies from memory by a bare node:http server in the server's process (no framework, no routing, no hooks), same autocannon settings: ${Math.round(ceiling.rps)} req/s, p50 ${ceiling.p50} ms, p99 ${ceiling.p99} ms — the most this runtime serves on this machine while autocannon shares its cores; the API reaches ${Math.round((api.rps / ceiling.rps) * 100)} % of it.`,
      ]);
      ctx.notes.set('api server profile', [serverProfileNote(api, ceiling)]);
      if (!(api.rps > 0) || !(stat.rps > 0) || api.non2xx > 0 || api.errors > 0)
        throw new Error(`autocannon completed no clean run: ${JSON.stringify({ api, static: stat })}`);
      const scale = `city (${ds.units.code.length} units, ${rows.toLocaleString('en-US')} values${ctx.opts.quick ? ', --quick: last 2 years' : ''})`;
      if (want('api_rps_city'))
        ctx.figures.set('api_rps_city', {
          name: 'api_rps_city',
          value: Math.round(api.rps),
          unit: 'req/s',
          scale,
          detail,
        });
      if (want('api_p99_ms_city'))
        ctx.figures.set('api_p99_ms_city', {
          name: 'api_p99_ms_city',
          value: api.p99,
          unit: 'ms',
          scale,
          detail,
        });
      if (want('api_ratio_vs_static'))
        ctx.figures.set('api_ratio_vs_static', {
          name: 'api_ratio_vs_static',
          value: Math.round((api.rps / stat.rps) * 100) / 100,
          unit: '×',
          scale,
          detail,
        });
    }
    if (want('rss_mb_city')) {
      const m = rssOf(server.proc.pid!);
      ctx.figures.set('rss_mb_city', {
        name: 'rss_mb_city',
        value: Math.round(m.rss),
        unit: 'MB',
        scale: `server process on the city database after ${missing.length ? 'the auxiliary catalogue load' : 'the API load'}`,
        detail: { rss_mb: Math.round(m.rss), peak_rss_mb: Math.round(m.peak) },
      });
    }
  } finally {
    await server.stop();
  }
}
