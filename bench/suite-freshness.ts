/**
 * freshness_ms_city, freshness_ms_national: one changed value is approved (catalogue setValue with
 * status 'approved', in a transaction, in this process, whose engine recomputes what the cell
 * touches and persists it before commit — the same path as a reporting round's approval hook);
 * the server process learns of it from the engine_change feed on its next request. The approving
 * engine writes the index rows just after the commit (index_write_after_commit in the detail); the
 * API answers index results from the model, so they do not wait for that write. The time runs
 * from the start of the approving transaction until the API of the server process shows the new
 * roll-up (series of the root), the new progress (the root's progress for the indicator) and the
 * new index results — the last of the three. Each endpoint is polled back to back on its own, with
 * If-None-Match where it gives an ETag (an unchanged answer is a 304).
 * The engine's start (a full rebuild: model, every roll-up, status and index result, persisted)
 * is timed on the way and reported in the detail. Before the measured approval, ten warm-up
 * approvals (the same indicator at another ward, +1 … +10 %; BENCH_WARM_UPS) are made and read
 * back, so that the figure is that of a running server rather than of its first approvals (cold
 * code, not yet optimised by V8: the read-back falls from ~380 ms for the first to ~120 ms by the
 * sixth); the warm-ups' own times are in the detail (warm_up, the first one cold).
 */
import { Worker } from 'node:worker_threads';
import { sql } from 'drizzle-orm';
import { openStore } from '../src/store/db.ts';
import type { Dataset } from './generate.ts';
import { startServer } from './proc.ts';
import { indexMethodology } from './recompute.ts';
import type { Context } from './run.ts';
import { cityDatabase } from './suite-api.ts';
import { nationalDatabase } from './suite-query.ts';

async function addMethodology(url: string, ds: Dataset): Promise<void> {
  const store = await openStore({ databaseUrl: url, migrate: false });
  try {
    await store.db.execute(sql`insert into index_methodology (code, version, name_vi, name_en, valid_from, definition, sensitivity)
      values ('BENCH', '1', 'Chỉ số thử nghiệm', 'Benchmark index', ${ds.years[0]!},
        ${JSON.stringify(indexMethodology(ds))}::jsonb, ${JSON.stringify({ runs: 20, seed: 1, weight_noise: 0.25 })}::jsonb)
      on conflict do nothing`);
  } finally {
    await store.close();
  }
}

/** Approvals made and read back before the measured one (see measure); BENCH_WARM_UPS overrides. */
const WARM_UPS = Number(process.env.BENCH_WARM_UPS ?? 10);

async function measure(ctx: Context, url: string, ds: Dataset, label: 'city' | 'national') {
  await addMethodology(url, ds);
  const { engineOf, settleEngine, stopEngine } = await import('../src/app/engine/engine.ts');
  const { setValue } = await import('../src/app/catalogue/values.ts');
  const store = await openStore({ databaseUrl: url, migrate: false });
  let t = performance.now();
  const engine = await engineOf(store);
  const engineStartMs = performance.now() - t;
  const rebuild = engine.stats.last;
  const server = await startServer({ DATABASE_URL: url });
  try {
    const ind = ds.indicators[1]!.code;
    const root = ds.units.code[0]!;
    // A leaf of the first district that reports the indicator in the last period.
    const nU = ds.units.code.length;
    const nP = ds.periods.length;
    const p = nP - 1;
    let leaf = -1;
    for (let u = 0; u < nU && leaf < 0; u++)
      if (ds.units.leaf[u] && !Number.isNaN(ds.own[(1 * nP + p) * nU + u]!)) leaf = u;
    const old = ds.own[(1 * nP + p) * nU + leaf]!;
    const urls = {
      rollup: `${server.url}/api/indicators/${ind}/series?org_unit=${encodeURIComponent(root)}`,
      progress: `${server.url}/api/progress?indicator=${ind}&org_unit=${encodeURIComponent(root)}`,
      index: `${server.url}/api/index/BENCH/results`,
    };
    /** The body, or null when the server answered 304 to `etag` (its cached body did not change). */
    const get = async (u: string, etag?: string) => {
      const r = await fetch(u, etag ? { headers: { 'if-none-match': etag } } : {});
      const body = await r.text();
      if (r.status === 304) return { body: null, etag };
      if (r.status !== 200) throw new Error(`GET ${u} → ${r.status}: ${body.slice(0, 300)}`);
      return { body, etag: r.headers.get('etag') ?? undefined };
    };
    // Warm-up: WARM_UPS approvals of the same indicator at another ward (small changes), each read
    // through the three endpoints, so that the measured approval runs on warm code in both
    // processes, as on a server that has approved before: V8 compiles a function's optimised code
    // only after it has run for a while, and the index body's first builds in a process run 3-6×
    // slower than later ones. Each warm-up's own times are in the detail (warm_up), the first being
    // the cold figure.
    let other = -1;
    for (let u = leaf + 1; u < nU && other < 0; u++)
      if (ds.units.leaf[u] && !Number.isNaN(ds.own[(1 * nP + p) * nU + u]!)) other = u;
    const warmOld = ds.own[(1 * nP + p) * nU + other]!;
    const warmUp: Array<Record<string, unknown>> = [];
    for (let w = 1; w <= WARM_UPS; w++) {
      const [wcur] = await store.query<{ version: number }>(
        'select version from data_value where indicator_id = $1 and org_unit_id = $2 and period = $3 and disagg = $4',
        [2, other + 1, ds.periods[p], ''],
      );
      await settleEngine(store);
      const w0 = performance.now();
      await store.db.transaction((tx) =>
        setValue(tx, 'bench', {
          indicator: ind,
          org_unit: ds.units.code[other]!,
          period: ds.periods[p]!,
          value: Math.round(warmOld * (1 + w / 100) * 100) / 100,
          provenance: 'synthetic',
          version: wcur!.version,
        }),
      );
      const warmApprove = performance.now() - w0;
      await Promise.all(Object.values(urls).map((u) => get(u)));
      warmUp.push({
        changed: `${ind} / ${ds.units.code[other]} / ${ds.periods[p]} +${w} %`,
        approve_transaction_ms: Math.round(warmApprove),
        read_back_ms: Math.round(performance.now() - w0),
        approval: engine.stats.last,
      });
    }
    await settleEngine(store);
    // The client: a worker thread that reads the bodies before and then polls (freshness-poller.mjs).
    const poller = new Worker(new URL('./freshness-poller.mjs', import.meta.url), { workerData: { urls } });
    type Answer = {
      ready?: true;
      seen?: Record<string, number>;
      headers?: Record<string, number>;
      polls?: Record<string, number>;
      error?: string;
    };
    const ask = (msg: object) =>
      new Promise<Answer>((resolve, reject) => {
        poller.once('message', (m: Answer) => (m.error ? reject(new Error(m.error)) : resolve(m)));
        poller.once('error', reject);
        poller.postMessage(msg);
      });
    // Stopped with the measurement, also when it fails (a live worker would keep the process up).
    const stopPoller = () => poller.terminate();
    const failed = (e: unknown) => stopPoller().then(() => Promise.reject(e));
    await ask({ before: true }).catch(failed);
    const [cur] = await store.query<{ version: number }>(
      'select version from data_value where indicator_id = $1 and org_unit_id = $2 and period = $3 and disagg = $4',
      [2, leaf + 1, ds.periods[p], ''],
    );
    t = performance.now();
    const t0 = performance.timeOrigin + t;
    await store.db
      .transaction((tx) =>
        setValue(tx, 'bench', {
          indicator: ind,
          org_unit: ds.units.code[leaf]!,
          period: ds.periods[p]!,
          value: Math.round(old * 3 * 100) / 100,
          provenance: 'synthetic',
          version: cur!.version,
        }),
      )
      .catch(failed);
    const approveMs = performance.now() - t;
    // What the approving engine recomputed and wrote, with its phases (catch-up, read, compute, persist).
    const approval = engine.stats.last;
    // Each endpoint polled back to back on its own by the client thread: a conditional request (the
    // ETag of the body before) where the endpoint has one, so that an unchanged answer is a 304 and
    // the time measured is the server's, not the client reading the same body again.
    const answer = await ask({ poll: true }).finally(stopPoller);
    const seen = Object.fromEntries(Object.entries(answer.seen ?? {}).map(([k, v]) => [k, v - t0]));
    const polls = answer.polls ?? {};
    const headersAt = Object.fromEntries(
      Object.entries(answer.headers ?? {}).map(([k, v]) => [k, Math.round(v - t0)]),
    );
    if (Object.keys(seen).length < 3) throw new Error(`not visible after 60 s: ${JSON.stringify(seen)}`);
    // The approving engine's write of the index rows, just after the commit (write-behind).
    await settleEngine(store);
    const indexWrite = engine.stats.indexWrite;
    // What the server process did when it learnt of the change (its engine's last update).
    const status = JSON.parse((await get(`${server.url}/api/engine/status`)).body!) as {
      stats: { last: unknown };
    };
    const detail = {
      approve_transaction_ms: Math.round(approveMs),
      visible_ms: Object.fromEntries(Object.entries(seen).map(([k, v]) => [k, Math.round(v)])),
      // When the changed answer's headers reached the client (the rest is its body's transfer and decoding).
      headers_ms: headersAt,
      polls,
      approval,
      index_write_after_commit: indexWrite,
      server_catch_up: status.stats.last,
      warm_up: warmUp,
      engine_start_full_rebuild_ms: Math.round(engineStartMs),
      engine_rebuild: rebuild,
      changed: `${ind} / ${ds.units.code[leaf]} / ${ds.periods[p]}`,
    };
    ctx.opts.log(`freshness ${label}: ${JSON.stringify(detail)}`);
    return { ms: Math.max(...Object.values(seen)), detail };
  } finally {
    await server.stop();
    await stopEngine(store);
    await store.close();
  }
}

export async function run(ctx: Context, want: (n: string) => boolean): Promise<void> {
  if (want('freshness_ms_city')) {
    const ds = ctx.city();
    const { url, rows } = await cityDatabase(ctx);
    const r = await measure(ctx, url, ds, 'city');
    ctx.figures.set('freshness_ms_city', {
      name: 'freshness_ms_city',
      value: Math.round(r.ms),
      unit: 'ms',
      scale: `city (${rows.toLocaleString('en-US')} values${ctx.opts.quick ? ', --quick: last 2 years' : ''})`,
      detail: r.detail,
    });
  }
  if (want('freshness_ms_national')) {
    const ds = ctx.nationalDb();
    const url = await nationalDatabase(ctx);
    const r = await measure(ctx, url, ds, 'national');
    ctx.figures.set('freshness_ms_national', {
      name: 'freshness_ms_national',
      value: Math.round(r.ms),
      unit: 'ms',
      scale: `${ds.scale.name} (${ds.valueCount.toLocaleString('en-US')} values)`,
      detail: r.detail,
    });
  }
}
