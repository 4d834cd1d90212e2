/**
 * The COINr unit-test expectations (bluefoxr/COINr tests/testthat, quoted in
 * shared/reference/composite-index.md §2.2) and the hand-checkable toy of §2.3, reproduced.
 */
import { describe, expect, it } from 'vitest';
import { ChisoError } from '../errors.ts';
import {
  aCopeland,
  aGeneralised,
  aGeometric,
  aHarmonic,
  aggregateColumns,
  aMean,
  outrankMatrix,
} from './aggregate.ts';
import { computeIndex } from './compute.ts';
import { imputePanel } from './impute.ts';
import { nDistToTarget, nGoalposts, nMinmax, nZscore } from './normalise.ts';
import { mean, sd } from './stats.ts';
import { checkSkewKurt, treat, winsorise } from './treat.ts';
import type { Aggregation, IndexMethodology, Normalisation } from './types.ts';

const arr = (...v: number[]) => Float64Array.from(v);
const round2 = (x: ArrayLike<number>) => Array.from(x, (v) => Math.round(v * 100) / 100);

// The data frame X of test-aggregate.R "outranking" and of the §2.3 toy: 4 units × 3 indicators.
const X = { x1: [1, 2, 3, 4], x2: [3, 2, 1, 5], x3: [2, 3, 1, 4] };
const columns = [arr(...X.x1), arr(...X.x2), arr(...X.x3)];

describe('test-aggregate.R', () => {
  it('a_gmean(1:3) = 6^(1/3)', () => {
    expect(aGeometric(arr(1, 2, 3))).toBeCloseTo(6 ** (1 / 3), 12);
  });
  it('weighted gmean with w = (1,1,2) = (1·2·3²)^(1/4)', () => {
    expect(aGeometric(arr(1, 2, 3), arr(1, 1, 2))).toBeCloseTo((1 * 2 * 3 ** 2) ** (1 / 4), 12);
  });
  it('a_hmean(1:3, w = (2,1,1)) = 4/(2 + ½ + ⅓)', () => {
    expect(aHarmonic(arr(1, 2, 3), arr(2, 1, 1))).toBeCloseTo(4 / (2 / 1 + 1 / 2 + 1 / 3), 12);
  });
  it('a_genmean with p = −1 equals the harmonic mean; with p = 1 gives 2', () => {
    const x = arr(1, 2, 3);
    expect(aGeneralised(x, -1)).toBeCloseTo(aHarmonic(x), 12);
    expect(aGeneralised(x, -1, arr(2, 1, 1))).toBeCloseTo(aHarmonic(x, arr(2, 1, 1)), 12);
    expect(aGeneralised(x, 1)).toBeCloseTo(2, 12);
  });
  it('gmean on values ≤ 0 raises an error', () => {
    expect(() => aGeometric(arr(1, 2, -1))).toThrow(ChisoError);
    expect(() => aGeometric(arr(1, 2, 0))).toThrow(ChisoError);
    try {
      aGeometric(arr(1, 2, 0));
    } catch (e) {
      expect((e as ChisoError).code).toBe('index.aggregation.domain');
    }
  });
  it('outranking matrix: o21 = 2/3, o31 = 1/3, o41 = 1, nDominant 3, fraction 0.5', () => {
    const orm = outrankMatrix(columns);
    const o = (i: number, j: number) => orm.matrix[(i - 1) * 4 + (j - 1)];
    expect(orm.matrix.length).toBe(16);
    expect([o(1, 1), o(2, 2), o(3, 3), o(4, 4)]).toEqual([0, 0, 0, 0]);
    expect(o(2, 1)).toBeCloseTo(2 / 3, 12);
    expect(o(3, 1)).toBeCloseTo(1 / 3, 12);
    expect(o(4, 1)).toBe(1);
    expect(orm.nDominant).toBe(3);
    expect(orm.fracDominant).toBe(3 / 6);
  });
  it('copeland equals the row sums of the outranking matrix mapped to ±1/0', () => {
    const orm = outrankMatrix(columns).matrix;
    const expected = [0, 1, 2, 3].map((i) =>
      [0, 1, 2, 3].reduce((s, j) => {
        if (i === j) return s;
        const v = orm[i * 4 + j] as number;
        return s + (v > 0.5 ? 1 : v < 0.5 ? -1 : 0);
      }, 0),
    );
    expect(Array.from(aCopeland(columns))).toEqual(expected);
  });
  it('dat_thresh 0.5 with 4/5 NAs gives NA, the other rows unchanged', () => {
    // 20 rows × 5 columns of deterministic values in (0, 1); weights 1:5.
    const cols = Array.from({ length: 5 }, (_, k) =>
      Float64Array.from({ length: 20 }, (_, i) => ((i * 7 + k * 3) % 11) / 11 + 0.05),
    );
    const w = arr(1, 2, 3, 4, 5);
    const full = aggregateColumns(cols, w, { kind: 'arithmetic' });
    for (let i = 0; i < 20; i++) {
      expect(full[i]).toBeCloseTo(
        aMean(
          cols.map((c) => c[i] as number),
          w,
        ),
        12,
      );
    }
    for (let k = 0; k < 4; k++) (cols[k] as Float64Array)[0] = Number.NaN;
    const withNA = aggregateColumns(cols, w, { kind: 'arithmetic' }, 0.5);
    expect(withNA[0]).toBeNaN();
    expect(Array.from(withNA.subarray(1))).toEqual(Array.from(full.subarray(1)));
  });
});

describe('test-normalise.R', () => {
  it('n_goalposts(1, c(0,10,1)) = 0.1; 11 → 1; −1 → 0', () => {
    const g = (x: number) => nGoalposts(arr(x), { min: 0, max: 10, scale: 1 })[0];
    expect(g(1)).toBeCloseTo(0.1, 12);
    expect(g(11)).toBe(1);
    expect(g(-1)).toBe(0);
  });
  it('same with direction −1: 0.9 / 0 / 1', () => {
    const g = (x: number) => nGoalposts(arr(x), { min: 0, max: 10, scale: 1, direction: 'lower' })[0];
    expect(g(1)).toBeCloseTo(0.9, 12);
    expect(g(11)).toBe(0);
    expect(g(-1)).toBe(1);
  });
  it('goalposts with a scale: clipped (x − 0.2)/0.6 × 10', () => {
    const x = arr(0.1, 0.2, 0.5, 0.8, 0.95);
    const expected = [0, 0, 5, 10, 10];
    Array.from(nGoalposts(x, { min: 0.2, max: 0.8, scale: 10 })).forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i] as number, 12);
    });
  });
  it('n_dist2targ(c(0,5,11), 10) = (0, .5, 1.1), or (0, .5, 1) with cap', () => {
    expect(Array.from(nDistToTarget(arr(0, 5, 11), 10))).toEqual([0, 0.5, 1.1]);
    expect(Array.from(nDistToTarget(arr(0, 5, 11), 10, { cap: true }))).toEqual([0, 0.5, 1]);
  });
  it('direction −1, target 0, x = (−1, 1, 10): (1.1, .9, 0), capped (1, .9, 0)', () => {
    expect(Array.from(nDistToTarget(arr(-1, 1, 10), 0, { direction: 'lower' }))).toEqual([1.1, 0.9, 0]);
    expect(Array.from(nDistToTarget(arr(-1, 1, 10), 0, { direction: 'lower', cap: true }))).toEqual([
      1, 0.9, 0,
    ]);
  });
  it('norm_num: minmax to (2, 7), z-score to (5, 2), dist2targ 8 capped', () => {
    const x = Float64Array.from({ length: 10 }, (_, i) => i + 1);
    const mm = nMinmax(x, 2, 7);
    expect(Math.min(...mm)).toBe(2);
    expect(Math.max(...mm)).toBe(7);
    const z = nZscore(x, 5, 2);
    expect(mean(z)).toBeCloseTo(5, 12);
    expect(sd(z)).toBeCloseTo(2, 12);
    const t = nDistToTarget(x, 8, { cap: true });
    expect(Math.min(...t)).toBe(0);
    expect(Math.max(...t)).toBe(1);
    expect(Array.from(t.subarray(7))).toEqual([1, 1, 1]);
  });
});

describe('test-treat.R', () => {
  it('c(1:10, 100): fails, 100 is winsorised to 10, the rest unchanged, then passes', () => {
    const x = arr(...Array.from({ length: 10 }, (_, i) => i + 1), 100);
    expect(checkSkewKurt(x).pass).toBe(false);
    const t = treat(x, { kind: 'winsorise', winmax: 5 });
    expect(t.method).toBe('winsorise');
    expect(t.x[10]).toBe(10);
    expect(Array.from(t.x.subarray(0, 10))).toEqual(Array.from(x.subarray(0, 10)));
    expect(checkSkewKurt(t.x).pass).toBe(true);
    expect(t.pass).toBe(true);
  });
  it('c(1:20, 100, 200) with winmax 1 still fails; with the log fallback gives log(x)', () => {
    const x = arr(...Array.from({ length: 20 }, (_, i) => i + 1), 100, 200);
    const w = treat(x, { kind: 'winsorise', winmax: 1, fallback: 'none' });
    expect(checkSkewKurt(w.x).pass).toBe(false);
    expect(w.nwin).toBe(1);
    const l = treat(x, { kind: 'winsorise', winmax: 1, fallback: 'log' });
    expect(l.method).toBe('fallback');
    expect(Array.from(l.x)).toEqual(Array.from(x, Math.log));
  });
  it('forced winsorisation with winmax 3 treats 3 points', () => {
    const x = arr(...Array.from({ length: 20 }, (_, i) => i + 1), 100, 200);
    const w = winsorise(x, { winmax: 3, force: true });
    expect(w.treated.filter((t) => t !== 0).length).toBe(3);
  });
});

describe('test-impute_panel.R', () => {
  // One unit, years 2020–2022, four indicators.
  const i1 = arr(1, 2, 3);
  const i2 = arr(3, Number.NaN, 5);
  const i3 = arr(Number.NaN, 5, 6);
  const i4 = arr(7, 8, Number.NaN);
  it('linear: i1 unchanged, i2 (3,4,5), i3 (5,5,6), i4 (7,8,8)', () => {
    expect(Array.from(imputePanel(i1, 'linear'))).toEqual([1, 2, 3]);
    expect(Array.from(imputePanel(i2, 'linear'))).toEqual([3, 4, 5]);
    expect(Array.from(imputePanel(i3, 'linear'))).toEqual([5, 5, 6]);
    expect(Array.from(imputePanel(i4, 'linear'))).toEqual([7, 8, 8]);
  });
  it('constant: i1 unchanged, i2 (3,3,5), i3 (5,5,6), i4 (7,8,8)', () => {
    expect(Array.from(imputePanel(i1, 'constant'))).toEqual([1, 2, 3]);
    expect(Array.from(imputePanel(i2, 'constant'))).toEqual([3, 3, 5]);
    expect(Array.from(imputePanel(i3, 'constant'))).toEqual([5, 5, 6]);
    expect(Array.from(imputePanel(i4, 'constant'))).toEqual([7, 8, 8]);
  });
  it('latest (default): the latest earlier value, within max_time', () => {
    expect(Array.from(imputePanel(arr(4, Number.NaN, Number.NaN)))).toEqual([4, 4, 4]);
    expect(Array.from(imputePanel(arr(4, Number.NaN, Number.NaN), 'latest', 1))).toEqual([4, 4, Number.NaN]);
    expect(Array.from(imputePanel(i3))).toEqual([Number.NaN, 5, 6]);
  });
});

describe('§2.3 toy: X with equal weights', () => {
  const units = ['u1', 'u2', 'u3', 'u4'];
  const indicators = ['x1', 'x2', 'x3'];
  const values = new Float64Array(12);
  units.forEach((_, u) => {
    values[u * 3] = X.x1[u] as number;
    values[u * 3 + 1] = X.x2[u] as number;
    values[u * 3 + 2] = X.x3[u] as number;
  });
  const toy = (normalisation: Normalisation, aggregation: Aggregation): IndexMethodology => ({
    code: 'TOY',
    version: '1',
    name_vi: 'Ví dụ',
    name_en: 'Toy',
    valid_from: 2024,
    valid_to: null,
    root: 'I',
    nodes: [
      {
        code: 'I',
        name_vi: 'Chỉ số',
        name_en: 'Index',
        aggregation,
        children: indicators.map((c) => ({ code: c })),
      },
      ...indicators.map((c) => ({ code: c, name_vi: c, name_en: c, indicator: c, normalisation })),
    ],
  });
  const run = (n: Normalisation, a: Aggregation) => computeIndex(toy(n, a), { units, indicators, values });
  const mm100: Normalisation = { kind: 'minmax', lower: 0, upper: 100 };
  const mm1: Normalisation = { kind: 'minmax', lower: 1, upper: 100 };

  it('min-max [0,100]: x1 = 0, 33.33, 66.67, 100; x2 = 50, 25, 0, 100; x3 = 33.33, 66.67, 0, 100', () => {
    const r = run(mm100, { kind: 'arithmetic' });
    expect(round2(r.nodes.x1?.score ?? [])).toEqual([0, 33.33, 66.67, 100]);
    expect(round2(r.nodes.x2?.score ?? [])).toEqual([50, 25, 0, 100]);
    expect(round2(r.nodes.x3?.score ?? [])).toEqual([33.33, 66.67, 0, 100]);
  });
  it('arithmetic mean 27.78, 41.67, 22.22, 100', () => {
    const r = run(mm100, { kind: 'arithmetic' });
    expect(round2(r.nodes.I?.score ?? [])).toEqual([27.78, 41.67, 22.22, 100]);
    expect(Array.from(r.nodes.I?.rank ?? [])).toEqual([3, 2, 4, 1]);
  });
  it('on a [1,100] scale: gmean 11.97, 38.85, 4.06, 100', () => {
    const r = run(mm1, { kind: 'geometric' });
    expect(round2(r.nodes.I?.score ?? [])).toEqual([11.97, 38.85, 4.06, 100]);
    expect(Array.from(r.nodes.I?.rank ?? [])).toEqual([3, 2, 4, 1]);
  });
  it('on a [1,100] scale: hmean 2.86, 36.07, 1.49, 100', () => {
    const r = run(mm1, { kind: 'harmonic' });
    expect(round2(r.nodes.I?.score ?? [])).toEqual([2.86, 36.07, 1.49, 100]);
    expect(Array.from(r.nodes.I?.rank ?? [])).toEqual([3, 2, 4, 1]);
  });
  it('Copeland −1, 1, −3, 3', () => {
    const r = run(mm100, { kind: 'copeland' });
    expect(Array.from(r.nodes.I?.score ?? [])).toEqual([-1, 1, -3, 3]);
    expect(Array.from(r.nodes.I?.rank ?? [])).toEqual([3, 2, 4, 1]);
  });
  it('gmean on the [0,100] scale fails with the node path (a zero)', () => {
    expect(() => run(mm100, { kind: 'geometric' })).toThrow(/nodes\[0\]\(I\)|geometric/);
  });
});
