/**
 * Deterministic synthetic data for the benchmarks: an org tree, an indicator catalogue with mixed
 * roll-up rules (some weighted by a denominator indicator), periods, own reported values and
 * targets. Everything comes from one seeded PRNG (sfc32), so the same scale gives the same data on
 * every machine. The values are synthetic; in the database they carry provenance 'synthetic'.
 *
 * Layout of the own values: Float64Array [indicator][period][unit], NaN = not reported. Leaves
 * report (each indicator applies to a share `density` of the leaves); a few inner units report
 * their own figure, which is authoritative over their children's roll-up.
 */
import { type PeriodRollupRule, prepareTree, type RollupRule, rollupTreeMany } from '../src/core/rollup.ts';

export type ScaleName = 'city' | 'national' | 'national-quick';

export interface Scale {
  name: ScaleName;
  /** Children per node at each level below the root (the root is level 0). */
  fanout: number[];
  indicators: number;
  periodType: 'quarter' | 'year';
  firstYear: number;
  periods: number;
  /** Share of leaves to which an indicator applies. */
  density: number;
  /** Share of inner (non-root) unit × indicator × period cells with an own value. */
  innerOwn: number;
  levelNames: string[];
  rootCode: string;
  seed: number;
}

export const SCALES: Record<ScaleName, Scale> = {
  // 1 + 24 + 24·16 = 409 units; 150 indicators; 40 quarters (2016Q1–2025Q4)
  city: {
    name: 'city',
    fanout: [24, 16],
    indicators: 150,
    periodType: 'quarter',
    firstYear: 2016,
    periods: 40,
    density: 0.9,
    innerOwn: 0.01,
    levelNames: ['bench_city', 'bench_district', 'bench_ward'],
    rootCode: 'B79',
    seed: 79,
  },
  // 1 + 63 + 63·11 + 693·13 = 9,766 units; 300 indicators; 20 years (2006–2025)
  national: {
    name: 'national',
    fanout: [63, 11, 13],
    indicators: 300,
    periodType: 'year',
    firstYear: 2006,
    periods: 20,
    density: 0.4,
    innerOwn: 0.005,
    levelNames: ['bench_nation', 'bench_province', 'bench_district', 'bench_commune'],
    rootCode: 'BVN',
    seed: 84,
  },
  // --quick: the national shape with fewer units and indicators (1 + 63 + 252 + 1,008 = 1,324 units; 60 indicators)
  'national-quick': {
    name: 'national-quick',
    fanout: [63, 4, 4],
    indicators: 60,
    periodType: 'year',
    firstYear: 2006,
    periods: 20,
    density: 0.4,
    innerOwn: 0.005,
    levelNames: ['bench_nation', 'bench_province', 'bench_district', 'bench_commune'],
    rootCode: 'BVN',
    seed: 84,
  },
};

/** sfc32: a small, fast, well-distributed 32-bit PRNG; floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = (): number => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 15; i++) next();
  return next;
}

export interface BenchIndicator {
  code: string;
  rule: RollupRule;
  /** Index of the denominator indicator (a 'sum' indicator) for weighted_mean, else -1. */
  denominator: number;
  periodRollup: PeriodRollupRule;
  direction: 'increase' | 'decrease';
}

export interface Dataset {
  scale: Scale;
  units: { code: string[]; parent: Int32Array; depth: Int32Array; leaf: Uint8Array };
  indicators: BenchIndicator[];
  /** Period codes in time order. */
  periods: string[];
  /** First day of each period. */
  periodStarts: string[];
  /** Year of each period. */
  periodYear: Int32Array;
  years: number[];
  /** [indicator][period][unit], NaN = not reported. */
  own: Float64Array;
  /** Final-year target per [indicator][unit] (NaN = none); comparator '>=' for increase, '<=' for decrease. */
  target: Float64Array;
  targetYear: number;
  /** Number of own values (non-NaN cells of `own`). */
  valueCount: number;
}

const RULES: RollupRule[] = [
  'sum',
  'sum',
  'sum',
  'sum',
  'mean',
  'mean',
  'weighted_mean',
  'weighted_mean',
  'min',
  'max',
];

export function periodCodes(scale: Scale): { codes: string[]; starts: string[]; year: Int32Array } {
  const codes: string[] = [];
  const starts: string[] = [];
  const year = new Int32Array(scale.periods);
  for (let k = 0; k < scale.periods; k++) {
    if (scale.periodType === 'year') {
      const y = scale.firstYear + k;
      codes.push(String(y));
      starts.push(`${y}-01-01`);
      year[k] = y;
    } else {
      const y = scale.firstYear + Math.floor(k / 4);
      const q = (k % 4) + 1;
      codes.push(`${y}Q${q}`);
      starts.push(`${y}-${String((q - 1) * 3 + 1).padStart(2, '0')}-01`);
      year[k] = y;
    }
  }
  return { codes, starts, year };
}

export function generate(scale: Scale): Dataset {
  const rnd = prng(scale.seed);
  // Units: breadth-first, so parents come before children and ids grow with depth.
  const code: string[] = [scale.rootCode];
  const parent: number[] = [-1];
  const depth: number[] = [0];
  let frontier = [0];
  for (let lvl = 0; lvl < scale.fanout.length; lvl++) {
    const next: number[] = [];
    for (const p of frontier) {
      for (let c = 0; c < scale.fanout[lvl]!; c++) {
        const i = code.length;
        code.push(`${code[p]}.${String(c + 1).padStart(2, '0')}`);
        parent.push(p);
        depth.push(lvl + 1);
        next.push(i);
      }
    }
    frontier = next;
  }
  const nU = code.length;
  const leafDepth = scale.fanout.length;
  const leaf = Uint8Array.from(depth, (d) => (d === leafDepth ? 1 : 0));

  const indicators: BenchIndicator[] = [];
  for (let i = 0; i < scale.indicators; i++) {
    // Indicator 0 is the denominator of every weighted mean (e.g. a population); never weighted itself.
    const rule: RollupRule = i === 0 ? 'sum' : RULES[Math.floor(rnd() * RULES.length)]!;
    indicators.push({
      code: `BI${String(i + 1).padStart(3, '0')}`,
      rule,
      denominator: rule === 'weighted_mean' ? 0 : -1,
      periodRollup: rule === 'sum' ? 'sum' : rnd() < 0.5 ? 'last' : 'mean',
      direction: rnd() < 0.8 ? 'increase' : 'decrease',
    });
  }
  const { codes: periods, starts: periodStarts, year: periodYear } = periodCodes(scale);
  const ppy = scale.periodType === 'quarter' ? 4 : 1;
  const nP = scale.periods;
  const nI = scale.indicators;
  const own = new Float64Array(nI * nP * nU).fill(Number.NaN);
  let count = 0;
  for (let i = 0; i < nI; i++) {
    const dir = indicators[i]!.direction === 'increase' ? 1 : -1;
    for (let u = 0; u < nU; u++) {
      const isLeaf = leaf[u] === 1;
      if (u === 0) continue;
      if (isLeaf && i !== 0 && rnd() >= scale.density) continue;
      const base = 20 + 200 * rnd();
      const growth = dir * (0.06 * rnd() - 0.01);
      for (let p = 0; p < nP; p++) {
        const r = rnd();
        if (isLeaf ? r < 0.03 : r >= scale.innerOwn) continue;
        const v = base * (1 + growth) ** (p / ppy) * (0.95 + 0.1 * rnd());
        own[(i * nP + p) * nU + u] = Math.round(v * 100) / 100;
        count++;
      }
    }
  }
  // Targets for the year after the last one, relative to each unit's rolled first-year value.
  const tree = prepareTree(Int32Array.from(parent));
  const target = new Float64Array(nI * nU).fill(Number.NaN);
  const lastYear = scale.firstYear + Math.floor((nP - 1) / ppy);
  const den = rollupTreeMany(tree, own.subarray(0, nP * nU), nP, 'sum');
  for (let i = 0; i < nI; i++) {
    const ind = indicators[i]!;
    const rolled = rollupTreeMany(
      tree,
      own.subarray(i * nP * nU, (i + 1) * nP * nU),
      nP,
      ind.rule,
      ind.rule === 'weighted_mean' ? den : undefined,
    );
    for (let u = 0; u < nU; u++) {
      const v0 = rolled[u]!;
      if (Number.isNaN(v0)) continue;
      const f = ind.direction === 'increase' ? 1.1 + 0.5 * rnd() : 0.6 + 0.3 * rnd();
      target[i * nU + u] = Math.round(v0 * f * 100) / 100;
    }
  }
  const years: number[] = [];
  for (let y = scale.firstYear; y <= lastYear; y++) years.push(y);
  return {
    scale,
    units: { code, parent: Int32Array.from(parent), depth: Int32Array.from(depth), leaf },
    indicators,
    periods,
    periodStarts,
    periodYear,
    years,
    own,
    target,
    targetYear: lastYear + 1,
    valueCount: count,
  };
}

/** Visits every own value in [indicator][period][unit] order. */
export function* ownValues(
  ds: Dataset,
): Generator<{ i: number; p: number; u: number; value: number }, void, undefined> {
  const nU = ds.units.code.length;
  const nP = ds.periods.length;
  const own = ds.own;
  for (let i = 0; i < ds.indicators.length; i++)
    for (let p = 0; p < nP; p++) {
      const off = (i * nP + p) * nU;
      for (let u = 0; u < nU; u++) {
        const v = own[off + u]!;
        if (!Number.isNaN(v)) yield { i, p, u, value: v };
      }
    }
}
