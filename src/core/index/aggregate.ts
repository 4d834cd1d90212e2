/**
 * Aggregation functions (COINr R/aggregate.R semantics). The row functions take one unit's child
 * scores and weights; missing children (NaN) and children of weight 0 are skipped and the
 * weights renormalised over the rest. The column function aggregates a node for every unit.
 */
import type { Aggregation } from './types.ts';
import { ChisoError } from '../errors.ts';
import { indexError } from './fail.ts';

type Row = ArrayLike<number>;

interface Where {
  field?: string;
  unit?: string;
}

function fault(kind: string, x: number, where: Where) {
  return indexError(
    'index.aggregation.domain',
    `Phép tổng hợp ${kind} không nhận giá trị ${x}${where.unit ? ` (đơn vị ${where.unit})` : ''}: trung bình nhân và điều hòa cần giá trị dương; hãy chuẩn hóa về thang dương, ví dụ min-max [1, 100].`,
    `${kind} aggregation cannot take the value ${x}${where.unit ? ` (unit ${where.unit})` : ''}: geometric and harmonic means need positive values; normalise to a positive scale, e.g. min-max [1, 100].`,
    where.field,
    where.unit ? { unit: where.unit, value: x } : { value: x },
  );
}

function each(x: Row, w: Row | undefined, f: (v: number, wt: number) => void): number {
  let sw = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    const wt = w ? (w[i] as number) : 1;
    if (Number.isNaN(v) || !(wt > 0)) continue;
    sw += wt;
    f(v, wt);
  }
  return sw;
}

/** Weighted arithmetic mean Σwx/Σw over present children. */
export function aMean(x: Row, w?: Row): number {
  let s = 0;
  const sw = each(x, w, (v, wt) => {
    s += wt * v;
  });
  return sw > 0 ? s / sw : Number.NaN;
}

/** Weighted geometric mean exp(Σw·ln x/Σw); rejects x ≤ 0. */
export function aGeometric(x: Row, w?: Row, where: Where = {}): number {
  let s = 0;
  const sw = each(x, w, (v, wt) => {
    if (!(v > 0)) throw fault('geometric', v, where);
    s += wt * Math.log(v);
  });
  return sw > 0 ? Math.exp(s / sw) : Number.NaN;
}

/** Weighted harmonic mean Σw/Σ(w/x); rejects x ≤ 0. */
export function aHarmonic(x: Row, w?: Row, where: Where = {}): number {
  let s = 0;
  const sw = each(x, w, (v, wt) => {
    if (!(v > 0)) throw fault('harmonic', v, where);
    s += wt / v;
  });
  return sw > 0 ? sw / s : Number.NaN;
}

/** Weighted generalised (power) mean (Σw·x^p/Σw)^(1/p), p ≠ 0; rejects x < 0. */
export function aGeneralised(x: Row, p: number, w?: Row, where: Where = {}): number {
  let s = 0;
  const sw = each(x, w, (v, wt) => {
    if (v < 0) throw fault('generalised', v, where);
    s += wt * v ** p;
  });
  return sw > 0 ? (s / sw) ** (1 / p) : Number.NaN;
}

/** Σw·x over present children (DTI "sum of points"); NaN when none is present. */
export function aSum(x: Row, w?: Row): number {
  let s = 0;
  let any = false;
  each(x, w, (v, wt) => {
    s += wt * v;
    any = true;
  });
  return any ? s : Number.NaN;
}

export interface OutrankResult {
  /** n × n row-major: o_ij = share of weight where unit i beats j, ties counting half. Diagonal 0. */
  matrix: Float64Array;
  /** Ordered pairs (i, j) where i beats j on every child. */
  nDominant: number;
  /** nDominant / (n(n−1)/2). */
  fracDominant: number;
}

/**
 * COINr's outrankMatrix: columns are children (one value per unit). Pairs compare only on the
 * children both units have; o_ij is NaN when they share none.
 */
export function outrankMatrix(columns: readonly Row[], weights?: Row): OutrankResult {
  const n = columns[0]?.length ?? 0;
  const matrix = new Float64Array(n * n);
  let nDominant = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      let sw = 0;
      let o = 0;
      columns.forEach((col, k) => {
        const wt = weights ? (weights[k] as number) : 1;
        const a = col[i] as number;
        const b = col[j] as number;
        if (!(wt > 0) || Number.isNaN(a) || Number.isNaN(b)) return;
        sw += wt;
        if (a > b) o += wt;
        else if (a === b) o += wt / 2;
      });
      const v = sw > 0 ? o / sw : Number.NaN;
      matrix[i * n + j] = v;
      if (Math.abs(v - 1) < 1e-12) nDominant++;
    }
  }
  return { matrix, nDominant, fracDominant: n > 1 ? nDominant / ((n * (n - 1)) / 2) : 0 };
}

/** COINr's a_copeland: per unit, +1 for each unit it outranks (o > ½), −1 for each that outranks it. */
export function aCopeland(
  columns: readonly Row[],
  weights?: Row,
  include?: ArrayLike<boolean>,
): Float64Array {
  const n = columns[0]?.length ?? 0;
  const { matrix } = outrankMatrix(columns, weights);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (include && !include[i]) {
      out[i] = Number.NaN;
      continue;
    }
    let s = 0;
    for (let j = 0; j < n; j++) {
      if (i === j || (include && !include[j])) continue;
      const o = matrix[i * n + j] as number;
      if (Number.isNaN(o) || Math.abs(o - 0.5) < 1e-12) continue;
      s += o > 0.5 ? 1 : -1;
    }
    out[i] = s;
  }
  return out;
}

/**
 * Aggregates a node for every unit. `columns[k]` holds child k's scores; `minShare` is the least
 * share of weighted children that must be present (COINr dat_thresh), else the result is NaN.
 */
export function aggregateColumns(
  columns: readonly Row[],
  weights: Row,
  agg: Aggregation,
  minShare = 0,
  where0: { field?: string; units?: readonly string[] } = {},
): Float64Array {
  const n = columns[0]?.length ?? 0;
  const m = columns.length;
  let counted = 0;
  for (let k = 0; k < m; k++) if ((weights[k] as number) > 0) counted++;
  // Column by column (each a contiguous array), the units' counts and sums accumulated side by
  // side: per unit the same additions in the same order as a row at a time.
  const have = new Float64Array(n);
  for (let k = 0; k < m; k++) {
    if (!((weights[k] as number) > 0)) continue;
    const col = columns[k] as Row;
    for (let i = 0; i < n; i++) if (!Number.isNaN(col[i] as number)) have[i] = (have[i] as number) + 1;
  }
  const ok = new Array<boolean>(n);
  for (let i = 0; i < n; i++) ok[i] = (have[i] as number) > 0 && (have[i] as number) / counted >= minShare;
  const row = new Float64Array(m);
  if (agg.kind === 'copeland') return aCopeland(columns, weights, ok);
  const out = new Float64Array(n);
  if (agg.kind === 'arithmetic') {
    // aMean inlined (the common case, and the sensitivity's inner loop).
    const sw = new Float64Array(n);
    for (let k = 0; k < m; k++) {
      const wt = weights[k] as number;
      if (!(wt > 0)) continue;
      const col = columns[k] as Row;
      for (let u = 0; u < n; u++) {
        const v = col[u] as number;
        if (Number.isNaN(v)) continue;
        sw[u] = (sw[u] as number) + wt;
        out[u] = (out[u] as number) + wt * v;
      }
    }
    for (let u = 0; u < n; u++)
      out[u] = ok[u] && (sw[u] as number) > 0 ? (out[u] as number) / (sw[u] as number) : Number.NaN;
    return out;
  }
  const where: Where = where0.field === undefined ? {} : { field: where0.field };
  let i = 0;
  try {
    for (; i < n; i++) {
      if (!ok[i]) {
        out[i] = Number.NaN;
        continue;
      }
      for (let k = 0; k < m; k++) row[k] = (columns[k] as Row)[i] as number;
      switch (agg.kind) {
        case 'geometric':
          out[i] = aGeometric(row, weights, where);
          break;
        case 'harmonic':
          out[i] = aHarmonic(row, weights, where);
          break;
        case 'generalised':
          out[i] = aGeneralised(row, agg.p, weights, where);
          break;
        case 'sum':
          out[i] = aSum(row, weights);
          break;
      }
    }
  } catch (e) {
    // Name the unit only when something went wrong: no allocation per row on the way.
    const unit = where0.units?.[i];
    const value = e instanceof ChisoError ? e.details?.value : undefined;
    if (unit !== undefined && typeof value === 'number') throw fault(agg.kind, value, { ...where, unit });
    throw e;
  }
  return out;
}
