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

/**
 * Ranks 1..n with ties sharing the best rank; NaN for a missing score. A unit's rank is 1 + the
 * number of scores strictly better than its own: the scores present are sorted once (the typed
 * array's own numeric sort, no comparator) and each rank is a binary search in them.
 */
export function rankWithTies(scores: ArrayLike<number>, options: RankOptions = {}): Float64Array {
  const n = scores.length;
  const higher = options.higherIsBetter ?? true;
  const f = options.decimals === undefined ? 0 : 10 ** options.decimals;
  const keys = new Float64Array(n);
  const present = new Float64Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const v = scores[i] as number;
    const k = f === 0 || !Number.isFinite(v) ? v : Math.round(v * f) / f;
    keys[i] = k;
    if (!Number.isNaN(k)) present[m++] = k;
  }
  const sorted = present.subarray(0, m).sort();
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = keys[i] as number;
    if (Number.isNaN(k)) {
      ranks[i] = Number.NaN;
      continue;
    }
    // higher: better = greater, counted as m − (first position holding a value > k);
    // lower: better = smaller, counted as the first position holding a value ≥ k.
    let lo = 0;
    let hi = m;
    if (higher) {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((sorted[mid] as number) > k) hi = mid;
        else lo = mid + 1;
      }
      ranks[i] = m - lo + 1;
    } else {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((sorted[mid] as number) < k) lo = mid + 1;
        else hi = mid;
      }
      ranks[i] = lo + 1;
    }
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
