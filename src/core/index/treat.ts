/**
 * Outlier treatment after COINr (R/treat.R, Treat.numeric with its defaults): check skewness and
 * kurtosis; if both exceed their limits, winsorise up to `winmax` points; if the values still
 * fail, apply the fallback transformation to the original values (combine_treat = FALSE).
 */
import { kurt, skew } from './stats.ts';
import type { Treatment } from './types.ts';

export interface SkewKurtCheck {
  pass: boolean;
  skew: number;
  kurt: number;
}

/**
 * COINr check_SkewKurt: passes when |skew| < skewThreshold OR kurt < kurtThreshold, so only
 * both limits exceeded is an outlier problem. Too few values to measure (< 4) pass.
 */
export function checkSkewKurt(x: ArrayLike<number>, skewThreshold = 2, kurtThreshold = 3.5): SkewKurtCheck {
  const s = skew(x);
  const k = kurt(x);
  const pass = Number.isNaN(s) || Number.isNaN(k) || Math.abs(s) < skewThreshold || k < kurtThreshold;
  return { pass, skew: s, kurt: k };
}

export interface WinsoriseOptions {
  winmax?: number;
  skewThreshold?: number;
  kurtThreshold?: number;
  force?: boolean;
}

export interface WinsoriseResult {
  x: Float64Array;
  /** Points winsorised; tied points each count. */
  nwin: number;
  /** Per unit: 1 = winsorised at the high end, −1 = at the low end, 0 = untouched. */
  treated: Int8Array;
}

/**
 * COINr winsorise: while the values fail (or `force`) and fewer than winmax points are treated,
 * set every point equal to the maximum to the next-highest value (or the minimum to the
 * next-lowest when skew is negative).
 */
export function winsorise(input: ArrayLike<number>, o: WinsoriseOptions = {}): WinsoriseResult {
  const winmax = o.winmax ?? 5;
  const st = o.skewThreshold ?? 2;
  const kt = o.kurtThreshold ?? 3.5;
  const x = Float64Array.from(input as ArrayLike<number>);
  const treated = new Int8Array(x.length);
  let nwin = 0;
  let pass = checkSkewKurt(x, st, kt).pass;
  while ((!pass || o.force) && nwin < winmax) {
    const s = skew(x);
    if (Number.isNaN(s)) break;
    const high = s >= 0;
    let extreme = high ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    for (const v of x) if (!Number.isNaN(v) && (high ? v > extreme : v < extreme)) extreme = v;
    let next = high ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    for (const v of x) {
      if (Number.isNaN(v) || v === extreme) continue;
      if (high ? v > next : v < next) next = v;
    }
    if (!Number.isFinite(next)) break;
    for (let i = 0; i < x.length; i++) {
      if (x[i] === extreme) {
        x[i] = next;
        treated[i] = high ? 1 : -1;
      }
    }
    nwin = 0;
    for (const t of treated) if (t !== 0) nwin++;
    pass = checkSkewKurt(x, st, kt).pass;
  }
  return { x, nwin, treated };
}

const finiteOrNaN = (v: number): number => (Number.isFinite(v) ? v : Number.NaN);

/** The fallback transformations: log, COIN Tool log log(x − min + 0.01(max − min)), log(x − min + 1). */
export function transform(x: ArrayLike<number>, kind: 'log' | 'log_ct' | 'log_ct_orig'): Float64Array {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    if (Number.isNaN(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    if (kind === 'log') out[i] = finiteOrNaN(Math.log(v));
    else if (kind === 'log_ct') out[i] = finiteOrNaN(Math.log(v - lo + 0.01 * (hi - lo)));
    else out[i] = finiteOrNaN(Math.log(v - lo + 1));
  }
  return out;
}

export interface TreatResult {
  x: Float64Array;
  /** What was done: nothing, winsorisation, or the fallback transformation. */
  method: 'none' | 'winsorise' | 'fallback';
  nwin: number;
  treated: Int8Array;
  /** Whether the returned values pass the skew/kurtosis check. */
  pass: boolean;
}

/** COINr's two-stage treatment with the node's Treatment spec. */
export function treat(x: ArrayLike<number>, spec: Treatment): TreatResult {
  const st = spec.skew_threshold ?? 2;
  const kt = spec.kurt_threshold ?? 3.5;
  const first = checkSkewKurt(x, st, kt);
  if (first.pass && !spec.force) {
    return { x: Float64Array.from(x), method: 'none', nwin: 0, treated: new Int8Array(x.length), pass: true };
  }
  const w = winsorise(x, {
    winmax: spec.winmax ?? 5,
    skewThreshold: st,
    kurtThreshold: kt,
    force: spec.force ?? false,
  });
  const afterWin = checkSkewKurt(w.x, st, kt).pass;
  const fallback = spec.fallback ?? 'log_ct';
  if (afterWin || fallback === 'none') {
    return { x: w.x, method: 'winsorise', nwin: w.nwin, treated: w.treated, pass: afterWin };
  }
  const t = transform(x, fallback);
  return {
    x: t,
    method: 'fallback',
    nwin: 0,
    treated: new Int8Array(x.length),
    pass: checkSkewKurt(t, st, kt).pass,
  };
}
