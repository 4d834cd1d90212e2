/** The figures of a benchmark run, their goals, and the report (docs/BENCHMARKS.md). */

export interface Goal {
  op: '>=' | '<=' | '<';
  value: number;
}

export interface Figure {
  name: string;
  /** null: not measured (see `reason`). */
  value: number | null;
  unit: string;
  goal?: Goal;
  /** Scale or data the figure was measured on. */
  scale?: string;
  /** Why it was not measured. */
  reason?: string;
  /** 1-minute load average of the machine before → after the figure's suite. */
  load?: string;
  /** Phase timings, cross-checks and other detail. */
  detail?: Record<string, unknown>;
}

export function met(f: Figure): boolean | null {
  if (!f.goal || f.value === null) return null;
  const { op, value } = f.goal;
  return op === '>=' ? f.value >= value : op === '<=' ? f.value <= value : f.value < value;
}

export const GOALS: Record<string, Goal> = {
  import_ratio_vs_copy: { op: '>=', value: 0.5 },
  freshness_ms_city: { op: '<', value: 100 },
  freshness_ms_national: { op: '<', value: 1000 },
  recompute_ms_city: { op: '<', value: 1000 },
  recompute_ms_national: { op: '<', value: 30000 },
  recompute_ratio_vs_numpy: { op: '<=', value: 2 },
  query_p95_ms_national: { op: '<', value: 50 },
  api_rps_city: { op: '>=', value: 5000 },
  api_p99_ms_city: { op: '<', value: 20 },
  web_initial_js_kb_gzip: { op: '<=', value: 200 },
  lighthouse_performance: { op: '>=', value: 95 },
};

export const ORDER = [
  'import_values_per_s',
  'import_ratio_vs_copy',
  'freshness_ms_city',
  'freshness_ms_national',
  'recompute_ms_city',
  'recompute_ms_national',
  'recompute_ratio_vs_numpy',
  'query_p95_ms_national',
  'api_rps_city',
  'api_p99_ms_city',
  'api_ratio_vs_static',
  'web_initial_js_kb_gzip',
  'lighthouse_performance',
  'startup_ms_demo',
  'rss_mb_city',
];

export function fmt(v: number | null): string {
  if (v === null) return '—';
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

export function goalText(g?: Goal): string {
  return g ? `${g.op === '<' ? '<' : g.op === '<=' ? '≤' : '≥'} ${g.value.toLocaleString('en-US')}` : '—';
}

export function statusText(f: Figure): string {
  if (f.value === null) return `not measured: ${f.reason ?? 'unknown'}`;
  const m = met(f);
  return m === null ? '(no goal)' : m ? 'met' : 'gap';
}
