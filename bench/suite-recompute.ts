/**
 * recompute_ms_city, recompute_ms_national, recompute_ratio_vs_numpy: every roll-up, period
 * roll-up, progress status and index result recomputed on the in-memory arrays by chiso's engine
 * core (bench/recompute.ts over src/core), against bench/reference.py (numpy) on the same arrays in
 * the same run. The checksums of both sides must agree, else the run fails. Median of several runs
 * in one process (the engine runs in a long-lived server, so warm code is the relevant case; the
 * first, cold run is reported in the detail).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from './generate.ts';
import { type RecomputeResult, recompute, writeReferenceInput } from './recompute.ts';
import type { Context } from './run.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

interface Side {
  runs: RecomputeResult[];
  median: number;
}

function measure(ctx: Context, ds: Dataset, runs: number): { ts: Side; py: Side } {
  const dir = join(ctx.opts.tmp, `ref-${ds.scale.name}`);
  mkdirSync(dir, { recursive: true });
  writeReferenceInput(ds, dir);
  const ts: RecomputeResult[] = [];
  const py: RecomputeResult[] = [];
  for (let k = 0; k < runs; k++) {
    ts.push(recompute(ds));
    py.push(
      JSON.parse(execFileSync('python3', ['bench/reference.py', dir], { maxBuffer: 1 << 24 }).toString()),
    );
  }
  const a = ts[0]!.checksums;
  const b = py[0]!.checksums;
  const same =
    close(a.rolled_sum, b.rolled_sum) &&
    a.rolled_count === b.rolled_count &&
    close(a.yearly_sum, b.yearly_sum) &&
    a.yearly_count === b.yearly_count &&
    close(a.index_sum, b.index_sum) &&
    a.index_count === b.index_count &&
    JSON.stringify(Object.entries(a.statuses).sort()) === JSON.stringify(Object.entries(b.statuses).sort());
  if (!same) throw new Error(`TypeScript and numpy disagree: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  return {
    ts: { runs: ts, median: median(ts.map((r) => r.ms.total)) },
    py: { runs: py, median: median(py.map((r) => r.ms.total)) },
  };
}

const phases = (s: Side) => {
  const mid = [...s.runs].sort((x, y) => x.ms.total - y.ms.total)[Math.floor(s.runs.length / 2)]!;
  return Object.fromEntries(Object.entries(mid.ms).map(([k, v]) => [k, Math.round(v)]));
};

export async function run(ctx: Context, want: (n: string) => boolean): Promise<void> {
  const { opts } = ctx;
  const results: Record<string, { ts: Side; py: Side; ds: Dataset }> = {};
  if (want('recompute_ms_city') || want('recompute_ratio_vs_numpy')) {
    const ds = ctx.city();
    results.city = { ...measure(ctx, ds, 3), ds };
  }
  if (want('recompute_ms_national') || (want('recompute_ratio_vs_numpy') && opts.scale === 'national')) {
    const ds = ctx.national();
    results.national = { ...measure(ctx, ds, opts.quick ? 3 : 1), ds };
  }
  for (const [k, r] of Object.entries(results)) {
    const name = `recompute_ms_${k}`;
    const detail = {
      runs_ms: r.ts.runs.map((x) => Math.round(x.ms.total)),
      cpu_ms: r.ts.runs.map((x) => Math.round(x.cpu_ms)),
      numpy_cpu_ms: r.py.runs.map((x) => Math.round(x.cpu_ms)),
      phases_ms: phases(r.ts),
      numpy_ms: Math.round(r.py.median),
      numpy_phases_ms: phases(r.py),
      series: { statuses: Object.values(r.ts.runs[0]!.checksums.statuses).reduce((a, b) => a + b, 0) },
      checksums: r.ts.runs[0]!.checksums,
    };
    opts.log(
      `recompute ${k}: ${Math.round(r.ts.median)} ms (numpy ${Math.round(r.py.median)} ms) ${JSON.stringify(detail.phases_ms)} numpy ${JSON.stringify(detail.numpy_phases_ms)}`,
    );
    const scale = `${r.ds.scale.name}: ${r.ds.units.code.length.toLocaleString('en-US')} units × ${r.ds.indicators.length} indicators × ${r.ds.periods.length} periods, ${r.ds.valueCount.toLocaleString('en-US')} own values`;
    if (want(name))
      ctx.figures.set(name, { name, value: Math.round(r.ts.median), unit: 'ms', scale, detail });
  }
  if (want('recompute_ratio_vs_numpy')) {
    const r = results.city ?? results.national!;
    const which = results.city ? 'city' : r.ds.scale.name;
    const detail: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(results))
      detail[k] = {
        chiso_ms: Math.round(x.ts.median),
        numpy_ms: Math.round(x.py.median),
        ratio: Math.round((x.ts.median / x.py.median) * 100) / 100,
      };
    ctx.figures.set('recompute_ratio_vs_numpy', {
      name: 'recompute_ratio_vs_numpy',
      value: Math.round((r.ts.median / r.py.median) * 100) / 100,
      unit: '×',
      scale: which,
      detail,
    });
  }
}
