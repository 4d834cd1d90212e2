/**
 * The chiso API server as the benchmarks run it: a separate process (so that its CPU time and
 * resident memory are its own), on the PostgreSQL database in DATABASE_URL, built with the real
 * buildServer and authenticator, request logging off. It also serves files of BENCH_STATIC_DIR at
 * /bench-static/<name> through @fastify/static with their .br/.gz copies (preCompressed) — the
 * "same JSON as a static file" yardstick — and, on a second port of the same process, the ceiling
 * yardstick: a bare node:http server (no framework, no hooks) answering /<name> with that file's
 * brotli copy read once into memory, i.e. the most this runtime can serve on this machine.
 * Prints `READY <port> <ceiling port>` when listening.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { createHistogram, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import fastifyStatic from '@fastify/static';
import { readConfig } from '../src/config.ts';
import { authenticatorFor } from '../src/http/auth.ts';
import { policy } from '../src/http/policies/index.ts';
import { buildServer } from '../src/http/server.ts';
import { engineOf } from '../src/app/engine/engine.ts';
import { openStore } from '../src/store/db.ts';

const config = { ...readConfig(), loadDemo: false, port: 0, host: '127.0.0.1', logLevel: 'silent' };
const store = await openStore({ databaseUrl: process.env.DATABASE_URL, poolSize: 20 });
const app = await buildServer({ store, config, authenticate: authenticatorFor(store), logger: false });
const dir = process.env.BENCH_STATIC_DIR;
if (dir) {
  await app.register(fastifyStatic, { root: dir, serve: false, decorateReply: false, preCompressed: true });
  app.get<{ Params: { name: string } }>(
    '/bench-static/:name',
    { config: { policy: policy.public() }, schema: { hide: true } },
    (req, reply) => reply.sendFile(req.params.name, dir),
  );
}
/**
 * The server's own profile of a load, read by the suite on the ceiling port: `/__profile?start`
 * opens a window, `/__profile` closes it and answers, for that window: the requests answered and
 * the engine's currency checks, the process's CPU time, each request's time in the server, the
 * garbage collector's pauses and the event loop's delay (how long a ready callback waited: what a
 * request's latency gains on top of its own work).
 */
const gcPauses: number[] = [];
let collecting = false;
new PerformanceObserver((list) => {
  if (collecting) for (const e of list.getEntries()) gcPauses.push(e.duration);
}).observe({ entryTypes: ['gc'] });
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
/** Time from a request's arrival in the process to the last byte of its answer handed to the kernel. */
const inServer = createHistogram();
function timeRequests(server: Server): void {
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (!collecting) return;
    requests++;
    const t = process.hrtime.bigint();
    res.once('finish', () => inServer.record(Number(process.hrtime.bigint() - t) || 1));
  });
}
let windowStart = { at: 0, cpu: process.cpuUsage(), checks: 0, requests: 0 };
let requests = 0;
/** The engine's currency checks that asked the database (Engine.ensureCurrent), so far. */
const checks = async () => (await engineOf(store)).stats.currencyQueries;
async function profileWindow(start: boolean): Promise<Record<string, unknown> | null> {
  if (start) {
    gcPauses.length = 0;
    collecting = true;
    loopDelay.reset();
    loopDelay.enable();
    inServer.reset();
    windowStart = { at: performance.now(), cpu: process.cpuUsage(), checks: await checks(), requests };
    return null;
  }
  collecting = false;
  loopDelay.disable();
  const ms = performance.now() - windowStart.at;
  const cpu = process.cpuUsage(windowStart.cpu);
  const answered = requests - windowStart.requests;
  const checked = (await checks()) - windowStart.checks;
  const sorted = [...gcPauses].sort((a, b) => a - b);
  const gcMs = sorted.reduce((a, b) => a + b, 0);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    window_ms: Math.round(ms),
    requests: answered,
    currency_checks: checked,
    cpu_us_per_request: answered ? Math.round((cpu.user + cpu.system) / answered) : null,
    cpu_share_of_one_core: Math.round(((cpu.user + cpu.system) / 1000 / ms) * 100) / 100,
    gc: {
      pauses: sorted.length,
      total_ms: round(gcMs),
      share: Math.round((gcMs / ms) * 1000) / 1000,
      p99_ms: round(sorted[Math.floor(sorted.length * 0.99)] ?? 0),
      max_ms: round(sorted[sorted.length - 1] ?? 0),
    },
    in_server_ms: {
      p50: round(inServer.percentile(50) / 1e6),
      p99: round(inServer.percentile(99) / 1e6),
      max: round(inServer.max / 1e6),
    },
    event_loop_delay_ms: {
      p50: round(loopDelay.percentile(50) / 1e6),
      p99: round(loopDelay.percentile(99) / 1e6),
      max: round(loopDelay.max / 1e6),
    },
  };
}

const ceiling = createServer();
ceiling.on('request', (req, res) => {
  if (!req.url?.startsWith('/__profile')) return;
  void profileWindow(req.url.endsWith('?start')).then((p) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(p)),
  );
});
if (dir) {
  const bodies = new Map<string, Buffer>();
  ceiling.on('request', (req, res) => {
    if (req.url?.startsWith('/__profile')) return;
    const name = (req.url ?? '/').slice(1);
    let body = bodies.get(name);
    if (!body && /^[\w.-]+$/.test(name)) {
      body = readFileSync(join(dir, `${name}.br`));
      bodies.set(name, body);
    }
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-encoding': 'br',
      'content-length': body.length,
    });
    res.end(body);
  });
}
timeRequests(ceiling);
timeRequests(app.server);
await new Promise<void>((r) => ceiling.listen(0, '127.0.0.1', r));
await app.listen({ port: 0, host: '127.0.0.1' });
const addr = app.server.address();
const caddr = ceiling.address();
process.stdout.write(
  `READY ${typeof addr === 'object' && addr ? addr.port : 0} ${typeof caddr === 'object' && caddr ? caddr.port : 0}\n`,
);
const stop = async () => {
  ceiling.close();
  await app.close();
  await store.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
