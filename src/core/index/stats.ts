/**
 * Small descriptive statistics over typed arrays, skipping NaN (missing). Definitions follow R so
 * results match COINr: sample sd (n − 1), median, quantile type 7, and skewness/kurtosis as
 * e1071 type 2 (the Excel definitions).
 */

export type Numbers = ArrayLike<number>;

/** The non-missing values, in order. */
export function present(x: Numbers): number[] {
  const out: number[] = [];
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    if (!Number.isNaN(v)) out.push(v);
  }
  return out;
}

export function mean(x: Numbers): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    if (!Number.isNaN(v)) {
      s += v;
      n++;
    }
  }
  return n === 0 ? Number.NaN : s / n;
}

/** Sample standard deviation (divides by n − 1); NaN with fewer than two values. */
export function sd(x: Numbers): number {
  const m = mean(x);
  let ss = 0;
  let n = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    if (!Number.isNaN(v)) {
      ss += (v - m) * (v - m);
      n++;
    }
  }
  return n < 2 ? Number.NaN : Math.sqrt(ss / (n - 1));
}

/** R's quantile type 7 on the non-missing values; NaN when there are none. */
export function quantile(x: Numbers, p: number): number {
  return quantileSorted(sortedPresent(x), p);
}

/** The non-missing values in ascending order (for several quantiles of one sample). */
export function sortedPresent(x: Numbers): Float64Array {
  let n = 0;
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    if (!Number.isNaN(v)) out[n++] = v;
  }
  return out.subarray(0, n).sort();
}

/** quantile of values already sorted ascending, without missing ones. */
export function quantileSorted(v: ArrayLike<number>, p: number): number {
  const n = v.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const a = v[lo] as number;
  const b = v[hi] as number;
  return a + (h - lo) * (b - a);
}

export function median(x: Numbers): number {
  return quantile(x, 0.5);
}

/** Skewness, e1071 type 2. NaN with fewer than three values or no spread. */
export function skew(x: Numbers): number {
  const v = present(x);
  const n = v.length;
  if (n < 3) return Number.NaN;
  const m = mean(v);
  let s2 = 0;
  let s3 = 0;
  for (const a of v) {
    const d = a - m;
    s2 += d * d;
    s3 += d * d * d;
  }
  if (s2 === 0) return Number.NaN;
  return ((Math.sqrt(n) * s3) / s2 ** 1.5) * (Math.sqrt(n * (n - 1)) / (n - 2));
}

/** Excess kurtosis, e1071 type 2. NaN with fewer than four values or no spread. */
export function kurt(x: Numbers): number {
  const v = present(x);
  const n = v.length;
  if (n < 4) return Number.NaN;
  const m = mean(v);
  let s2 = 0;
  let s4 = 0;
  for (const a of v) {
    const d = a - m;
    s2 += d * d;
    s4 += d * d * d * d;
  }
  if (s2 === 0) return Number.NaN;
  const r = (n * s4) / (s2 * s2);
  return (((n + 1) * (r - 3) + 6) * (n - 1)) / ((n - 2) * (n - 3));
}
