/**
 * Imputation of missing values (COINr R/impute.R): a column (one value per unit) by the mean or
 * median of the unit's group, or by zero; and a unit's time series by COINr's impute_panel rules.
 * Values that were present never change.
 */
import { mean, median } from './stats.ts';
import type { Imputation } from './types.ts';

/** Fills the NaNs of one column. Groups (one label per unit) apply when `by_group` is set. */
export function imputeColumn(
  x: ArrayLike<number>,
  spec: Imputation,
  groups?: readonly string[],
): Float64Array {
  const out = Float64Array.from(x);
  if (spec.kind === 'none') return out;
  if (spec.kind === 'zero') {
    for (let i = 0; i < out.length; i++) if (Number.isNaN(out[i] as number)) out[i] = 0;
    return out;
  }
  const f = spec.kind === 'mean' ? mean : median;
  if (!spec.by_group || !groups) {
    const fill = f(out);
    for (let i = 0; i < out.length; i++) if (Number.isNaN(out[i] as number)) out[i] = fill;
    return out;
  }
  const members = new Map<string, number[]>();
  groups.forEach((g, i) => {
    const list = members.get(g);
    if (list) list.push(i);
    else members.set(g, [i]);
  });
  for (const idx of members.values()) {
    const fill = f(idx.map((i) => x[i] as number));
    for (const i of idx) if (Number.isNaN(out[i] as number)) out[i] = fill;
  }
  return out;
}

export type PanelImputation = 'latest' | 'constant' | 'linear' | 'linear-constant';

/**
 * COINr impute_panel on one unit's series over consecutive periods:
 * - `latest`: the latest earlier value, looking back at most `maxTime` periods; leading gaps stay.
 * - `constant`: step function (the previous value), the nearest value before the first/after the last.
 * - `linear`: straight line between neighbours, the nearest value at the ends; needs two values.
 * - `linear-constant`: `linear`, or `constant` when the series has only one value.
 * A series with no value stays empty; `linear` with a single value is left as is.
 */
export function imputePanel(
  series: ArrayLike<number>,
  type: PanelImputation = 'latest',
  maxTime?: number,
): Float64Array {
  const out = Float64Array.from(series);
  const known: number[] = [];
  for (let t = 0; t < out.length; t++) if (!Number.isNaN(out[t] as number)) known.push(t);
  if (known.length === 0) return out;
  if (type === 'latest') {
    let last = -1;
    for (let t = 0; t < out.length; t++) {
      if (!Number.isNaN(series[t] as number)) last = t;
      else if (last >= 0 && (maxTime === undefined || t - last <= maxTime)) out[t] = series[last] as number;
    }
    return out;
  }
  const linear = type === 'linear' || (type === 'linear-constant' && known.length >= 2);
  if (type === 'linear' && known.length < 2) return out;
  const first = known[0] as number;
  const lastKnown = known[known.length - 1] as number;
  let k = 0;
  for (let t = 0; t < out.length; t++) {
    if (!Number.isNaN(series[t] as number)) continue;
    if (t < first) out[t] = series[first] as number;
    else if (t > lastKnown) out[t] = series[lastKnown] as number;
    else {
      while ((known[k + 1] as number) < t) k++;
      const a = known[k] as number;
      const b = known[k + 1] as number;
      const va = series[a] as number;
      const vb = series[b] as number;
      out[t] = linear ? va + ((vb - va) * (t - a)) / (b - a) : va;
    }
  }
  return out;
}
