/**
 * The composite-index methodology as data (bộ chỉ số). Everything here is JSON-serialisable so a
 * methodology can be stored, versioned, diffed and sent over the wire unchanged. Field names are
 * snake_case like the rest of chiso's data files; the TypeScript API around it is camelCase.
 *
 * A methodology is a DAG of nodes: pillars → main indicators → components. A leaf references an
 * indicator code; an aggregate lists its children with a weight per edge, so one node may feed
 * several parents with different weights (Vietnam's DTI feeds its six foundation indicators into
 * all three pillars).
 */

/** Which way is better for the node's values. Default `higher`. */
export type Direction = 'higher' | 'lower';

/**
 * Points awarded by rule, as Vietnam's DTI scores its components. The node's `max_points` is the
 * ceiling.
 * - `thresholds`: the most points among the steps the value reaches (value ≥ `at`, or ≤ `at` when
 *   the node's direction is `lower`); 0 when none is reached. E.g. 4/3/2/1 meetings → 20/15/10/5.
 * - `linear`: `Tỷ lệ × Điểm tối đa`: clip((x − zero_at)/(full_at − zero_at), 0, 1) × max_points;
 *   `full_at: 'target'` takes the unit's target from the data.
 */
export type PointsRule =
  | { kind: 'thresholds'; steps: { at: number; points: number }[] }
  | { kind: 'linear'; zero_at?: number; full_at: number | 'target' };

/**
 * How a node's values become scores. Every kind except `none` applies the node's direction first
 * (as COINr multiplies by Direction), so its output is always "higher is better".
 * - `minmax`: (x − min)/(max − min)·(upper − lower) + lower, default [0, 100]; NaN when all equal.
 * - `zscore`: (x − mean)/sd·sd* + mean*, sample sd, default mean 0 and sd 1.
 * - `rank`: rank of the value among units, ties "min", 1 = lowest value.
 * - `percentile_rank`: (rank − 1)/(n − 1), in [0, 1].
 * - `target`: distance to target, COINr's n_dist2targ: (x − min)/(t − min), or
 *   (max − x)/(max − t) for direction `lower` (min/max over units); `from: 'zero'` gives x/t
 *   (direction `higher` only); `cap` clips at 1 (default false, as COINr). The target is
 *   `target` or else the unit's value in `data.targets`.
 * - `goalposts`: (x − min)/(max − min), or (x − max)/(min − max) for direction `lower`, clipped
 *   to [0, 1] unless `clip: false`, then × `scale` (default 1).
 * - `points`: see PointsRule.
 */
export type Normalisation =
  | { kind: 'none' }
  | { kind: 'minmax'; lower?: number; upper?: number }
  | { kind: 'zscore'; mean?: number; sd?: number }
  | { kind: 'rank' }
  | { kind: 'percentile_rank' }
  | { kind: 'target'; target?: number; cap?: boolean; from?: 'min' | 'zero' }
  | { kind: 'goalposts'; min: number; max: number; scale?: number; clip?: boolean }
  | { kind: 'points'; rule: PointsRule };

/**
 * How an aggregate combines its children (weights are relative: every mean divides by Σw over
 * the children present; `sum` does not).
 * - `arithmetic`: Σwx/Σw. `geometric`: exp(Σw·ln x/Σw), rejects x ≤ 0. `harmonic`: Σw/Σ(w/x),
 *   rejects x = 0. `generalised`: (Σw·x^p/Σw)^(1/p), p ≠ 0.
 * - `sum`: Σw·x, DTI-style "sum of points" (weight default 1).
 * - `copeland`: COINr's a_copeland over all units: +1 per unit outranked, −1 per unit outranking.
 */
export type Aggregation =
  | { kind: 'arithmetic' }
  | { kind: 'geometric' }
  | { kind: 'harmonic' }
  | { kind: 'generalised'; p: number }
  | { kind: 'sum' }
  | { kind: 'copeland' };

/**
 * Filling missing values of a node before it is normalised. `mean`/`median` use the unit's group
 * (`data.groups`) when `by_group` is true, else all units.
 */
export type Imputation =
  | { kind: 'none' }
  | { kind: 'mean'; by_group?: boolean }
  | { kind: 'median'; by_group?: boolean }
  | { kind: 'zero' };

/**
 * COINr's two-stage outlier treatment (Treat.numeric): if |skew| ≥ skew_threshold and
 * kurtosis ≥ kurt_threshold, winsorise up to `winmax` points; if that still fails, apply
 * `fallback` to the original values. Defaults as COINr: 5, 2, 3.5, `log_ct`.
 */
export interface Treatment {
  kind: 'winsorise';
  winmax?: number;
  skew_threshold?: number;
  kurt_threshold?: number;
  fallback?: 'none' | 'log' | 'log_ct' | 'log_ct_orig';
  /** Winsorise up to winmax points even when the values pass (COINr force_win). */
  force?: boolean;
}

/** An edge to a child. `weight` defaults to 1; 0 means the child does not count. */
export interface IndexEdge {
  code: string;
  weight?: number;
}

/** A performance band on a node's score, e.g. HCMC's "đang khởi động / hình thành / phát triển". */
export interface IndexBand {
  code: string;
  name_vi: string;
  name_en: string;
  /** Lowest score of the band (inclusive). Bands are listed from lowest to highest. */
  min: number;
}

export interface IndexNode {
  code: string;
  name_vi: string;
  name_en: string;
  /** A leaf: the indicator whose values feed the node. Exactly one of indicator/children. */
  indicator?: string;
  /** An aggregate: its children with edge weights. */
  children?: IndexEdge[];
  direction?: Direction;
  /** Default `none`. */
  normalisation?: Normalisation;
  /** Aggregates only; default `arithmetic`. */
  aggregation?: Aggregation;
  /** The node's ceiling in a points-based index; required by `points` normalisation. */
  max_points?: number;
  /** Minimum share (0..1) of weighted children present, else the node is missing. Default 0. */
  min_share?: number;
  imputation?: Imputation;
  treatment?: Treatment;
  bands?: IndexBand[];
  note?: string;
}

export interface IndexMethodology {
  code: string;
  version: string;
  name_vi: string;
  name_en: string;
  /** First and last year (inclusive) the methodology applies to; null = still in force. */
  valid_from: number;
  valid_to: number | null;
  /** The headline index node. */
  root: string;
  /** Further top-level nodes computed and ranked alongside the root (e.g. DTI pillars). */
  views?: string[];
  nodes: IndexNode[];
  /** Rank on scores rounded to this many decimals (DTI: 4). Default: unrounded. */
  rank_decimals?: number;
  source?: string;
  note?: string;
}

/** Values for one period: units × indicators, row-major, NaN = missing. */
export interface IndexData {
  units: string[];
  indicators: string[];
  values: Float64Array;
  /** Same shape as values; used by `target` normalisation and `linear` points to 'target'. */
  targets?: Float64Array;
  /** A group label per unit, used by imputation `by_group`. */
  groups?: string[];
}
