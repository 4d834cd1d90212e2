/**
 * Ranking as COINr and Vietnam's DTI do it: rank(−x, ties = "min", na.last = "keep"), so ties
 * share the best rank ("1, 2, 2, 4") and a missing score has no rank.
 */

export interface RankOptions {
  /** Default true: the highest score gets rank 1. */
  higherIsBetter?: boolean;
  /** Compare scores rounded to this many decimals (the DTI ranks on 4-dp values). */
  decimals?: number;
}

/** Ranks 1..n with ties sharing the best rank; NaN for a missing score. */
export function rankWithTies(scores: ArrayLike<number>, options: RankOptions = {}): Float64Array {
  const n = scores.length;
  const higher = options.higherIsBetter ?? true;
  const f = options.decimals === undefined ? 0 : 10 ** options.decimals;
  const keys = new Float64Array(n);
  const idx: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = scores[i] as number;
    keys[i] = f === 0 || !Number.isFinite(v) ? v : Math.round(v * f) / f;
    if (!Number.isNaN(v)) idx.push(i);
  }
  idx.sort((a, b) => {
    const ka = keys[a] as number;
    const kb = keys[b] as number;
    if (ka === kb) return a - b;
    return higher ? (kb > ka ? 1 : -1) : ka > kb ? 1 : -1;
  });
  const ranks = new Float64Array(n).fill(Number.NaN);
  for (let pos = 0; pos < idx.length; pos++) {
    const i = idx[pos] as number;
    const prev = pos > 0 ? (idx[pos - 1] as number) : -1;
    ranks[i] = prev >= 0 && keys[prev] === keys[i] ? (ranks[prev] as number) : pos + 1;
  }
  return ranks;
}

export interface RankTable {
  units: readonly string[];
  ranks: ArrayLike<number>;
}

export interface RankChange {
  unit: string;
  previous: number | null;
  current: number | null;
  /** previous − current: positive = moved up; null when either rank is missing. */
  change: number | null;
}

const rankOrNull = (v: number | undefined): number | null => (v === undefined || Number.isNaN(v) ? null : v);

/**
 * Rank change per unit between two results, matched by unit code (unit sets may differ when
 * units open or close). Units of `current` first in their order, then units only in `previous`.
 */
export function compareRanks(previous: RankTable, current: RankTable): RankChange[] {
  const prev = new Map<string, number>();
  previous.units.forEach((u, i) => {
    prev.set(u, previous.ranks[i] as number);
  });
  const out: RankChange[] = [];
  const seen = new Set<string>();
  current.units.forEach((u, i) => {
    seen.add(u);
    const p = rankOrNull(prev.get(u));
    const c = rankOrNull(current.ranks[i]);
    out.push({ unit: u, previous: p, current: c, change: p === null || c === null ? null : p - c });
  });
  previous.units.forEach((u, i) => {
    if (!seen.has(u))
      out.push({ unit: u, previous: rankOrNull(previous.ranks[i]), current: null, change: null });
  });
  return out;
}
