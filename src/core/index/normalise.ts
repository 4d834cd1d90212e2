/**
 * Normalisation functions (COINr R/normalise.R semantics) on one column of values, one entry per
 * unit, NaN = missing. Each keeps missing values missing.
 */
import { mean, sd } from './stats.ts';
import { rankWithTies } from './rank.ts';
import type { Direction, Normalisation, PointsRule } from './types.ts';

const sign = (d: Direction | undefined): number => (d === 'lower' ? -1 : 1);

/** Clips to [0, 1], keeping NaN. */
const clamp01 = (r: number): number => Math.max(0, Math.min(1, r));

function extent(x: ArrayLike<number>): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    if (Number.isNaN(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

function directed(x: ArrayLike<number>, direction: Direction | undefined): Float64Array {
  const s = sign(direction);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = s * (x[i] as number);
  return out;
}

/** (x − min)/(max − min)·(upper − lower) + lower; NaN everywhere when the range is zero. */
export function nMinmax(x: ArrayLike<number>, lower = 0, upper = 100, direction?: Direction): Float64Array {
  const d = directed(x, direction);
  const [lo, hi] = extent(d);
  const out = new Float64Array(d.length);
  const range = hi - lo;
  for (let i = 0; i < d.length; i++) {
    const v = d[i] as number;
    out[i] = Number.isNaN(v) || !(range > 0) ? Number.NaN : ((v - lo) / range) * (upper - lower) + lower;
  }
  return out;
}

/** (x − x̄)/s·sd + m with the sample sd; NaN everywhere when s is 0 or undefined. */
export function nZscore(x: ArrayLike<number>, m = 0, s = 1, direction?: Direction): Float64Array {
  const d = directed(x, direction);
  const mu = mean(d);
  const sigma = sd(d);
  const out = new Float64Array(d.length);
  for (let i = 0; i < d.length; i++) {
    const v = d[i] as number;
    out[i] = Number.isNaN(v) || !(sigma > 0) ? Number.NaN : ((v - mu) / sigma) * s + m;
  }
  return out;
}

/** Rank with ties "min", 1 = the lowest (direction-adjusted) value, as COINr n_rank. */
export function nRank(x: ArrayLike<number>, direction?: Direction): Float64Array {
  return rankWithTies(directed(x, direction), { higherIsBetter: false });
}

/** (rank − 1)/(n − 1) over the n present values, in [0, 1]; a lone value gets NaN as in COINr. */
export function nPercentileRank(x: ArrayLike<number>, direction?: Direction): Float64Array {
  const r = nRank(x, direction);
  let n = 0;
  for (let i = 0; i < r.length; i++) if (!Number.isNaN(r[i] as number)) n++;
  const out = new Float64Array(r.length);
  for (let i = 0; i < r.length; i++) out[i] = ((r[i] as number) - 1) / (n - 1);
  return out;
}

export interface TargetOptions {
  direction?: Direction;
  cap?: boolean;
  from?: 'min' | 'zero';
}

/**
 * Distance to target, COINr's n_dist2targ: (x − min)/(t − min), or (max − x)/(max − t) for
 * direction `lower`; with `from: 'zero'`, x/t. `target` is one number or one per unit.
 */
export function nDistToTarget(
  x: ArrayLike<number>,
  target: number | ArrayLike<number>,
  options: TargetOptions = {},
): Float64Array {
  const [lo, hi] = extent(x);
  const lower = options.direction === 'lower';
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    const t = typeof target === 'number' ? target : (target[i] as number);
    let r: number;
    if (options.from === 'zero') r = v / t;
    else r = lower ? (hi - v) / (hi - t) : (v - lo) / (t - lo);
    if (options.cap && r > 1) r = 1;
    out[i] = Number.isFinite(r) ? r : Number.NaN;
  }
  return out;
}

export interface GoalpostOptions {
  min: number;
  max: number;
  scale?: number;
  clip?: boolean;
  direction?: Direction;
}

/** (x − min)/(max − min), or (x − max)/(min − max) for direction `lower`, clipped to [0,1], × scale. */
export function nGoalposts(x: ArrayLike<number>, o: GoalpostOptions): Float64Array {
  const out = new Float64Array(x.length);
  const scale = o.scale ?? 1;
  const clip = o.clip ?? true;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    let r = o.direction === 'lower' ? (v - o.max) / (o.min - o.max) : (v - o.min) / (o.max - o.min);
    if (clip) r = clamp01(r);
    out[i] = r * scale;
  }
  return out;
}

/** Points by rule (DTI component scoring), between 0 and maxPoints. */
export function nPoints(
  x: ArrayLike<number>,
  rule: PointsRule,
  maxPoints: number,
  direction?: Direction,
  targets?: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    if (Number.isNaN(v)) {
      out[i] = Number.NaN;
      continue;
    }
    if (rule.kind === 'thresholds') {
      let best = 0;
      for (const step of rule.steps) {
        const reached = direction === 'lower' ? v <= step.at : v >= step.at;
        if (reached && step.points > best) best = step.points;
      }
      out[i] = Math.min(best, maxPoints);
    } else {
      const zero = rule.zero_at ?? 0;
      const full = rule.full_at === 'target' ? (targets?.[i] ?? Number.NaN) : rule.full_at;
      const r = (v - zero) / (full - zero);
      out[i] = Number.isFinite(r) ? clamp01(r) * maxPoints : Number.NaN;
    }
  }
  return out;
}

export interface NormaliseContext {
  direction?: Direction;
  maxPoints?: number;
  /** One target per unit (NaN = none), for `target` and `linear` points to 'target'. */
  targets?: ArrayLike<number>;
}

/** Applies a node's normalisation to its column of values. */
export function normalise(x: Float64Array, spec: Normalisation, ctx: NormaliseContext = {}): Float64Array {
  const dir = ctx.direction;
  switch (spec.kind) {
    case 'none':
      return x;
    case 'minmax':
      return nMinmax(x, spec.lower ?? 0, spec.upper ?? 100, dir);
    case 'zscore':
      return nZscore(x, spec.mean ?? 0, spec.sd ?? 1, dir);
    case 'rank':
      return nRank(x, dir);
    case 'percentile_rank':
      return nPercentileRank(x, dir);
    case 'target':
      return nDistToTarget(x, spec.target ?? ctx.targets ?? Number.NaN, {
        ...(dir ? { direction: dir } : {}),
        cap: spec.cap ?? false,
        from: spec.from ?? 'min',
      });
    case 'goalposts':
      return nGoalposts(x, {
        min: spec.min,
        max: spec.max,
        scale: spec.scale ?? 1,
        clip: spec.clip ?? true,
        ...(dir ? { direction: dir } : {}),
      });
    case 'points':
      return nPoints(x, spec.rule, ctx.maxPoints ?? Number.NaN, dir, ctx.targets);
  }
}
