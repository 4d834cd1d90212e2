import { describe, expect, it } from 'vitest';
import { ChisoError } from '../errors.ts';
import { computeIndex, strengthsAndWeaknesses, type NodeScores } from './compute.ts';
import { compareRanks, rankWithTies } from './rank.ts';
import type { IndexData, IndexMethodology, IndexNode } from './types.ts';

const NaN_ = Number.NaN;

function methodology(nodes: IndexNode[], extra: Partial<IndexMethodology> = {}): IndexMethodology {
  return {
    code: 'T',
    version: '1',
    name_vi: 'Thử',
    name_en: 'Test',
    valid_from: 2021,
    valid_to: 2023,
    root: nodes[0]?.code ?? 'R',
    nodes,
    ...extra,
  };
}
const node = (code: string, rest: Partial<IndexNode>): IndexNode => ({
  code,
  name_vi: code,
  name_en: code,
  ...rest,
});

function caught(f: () => unknown): ChisoError {
  try {
    f();
  } catch (e) {
    if (e instanceof ChisoError) return e;
    throw e;
  }
  throw new Error('expected a ChisoError');
}

/** A DTI-style points index: components scored by rule, main indicators as points/max. */
const dtiLike = methodology(
  [
    node('DTI', {
      aggregation: { kind: 'sum' },
      children: [
        { code: 'M1', weight: 100 / 300 },
        { code: 'M2', weight: 200 / 300 },
      ],
    }),
    node('P', {
      aggregation: { kind: 'arithmetic' },
      children: [
        { code: 'M1', weight: 100 },
        { code: 'M2', weight: 200 },
      ],
    }),
    node('M1', {
      max_points: 100,
      aggregation: { kind: 'sum' },
      normalisation: { kind: 'goalposts', min: 0, max: 100 },
      children: [{ code: 'C1' }, { code: 'C2' }, { code: 'C3' }],
    }),
    node('C1', {
      indicator: 'meetings',
      max_points: 20,
      normalisation: {
        kind: 'points',
        rule: {
          kind: 'thresholds',
          steps: [
            { at: 1, points: 5 },
            { at: 2, points: 10 },
            { at: 3, points: 15 },
            { at: 4, points: 20 },
          ],
        },
      },
    }),
    node('C2', {
      indicator: 'ratio',
      max_points: 30,
      normalisation: { kind: 'points', rule: { kind: 'linear', zero_at: 0, full_at: 1 } },
    }),
    node('C3', {
      indicator: 'value',
      max_points: 50,
      normalisation: { kind: 'points', rule: { kind: 'linear', full_at: 'target' } },
    }),
    node('M2', {
      indicator: 'm2points',
      max_points: 200,
      normalisation: { kind: 'goalposts', min: 0, max: 200 },
    }),
  ],
  { views: ['P'] },
);
const dtiData: IndexData = {
  units: ['A', 'B', 'C'],
  indicators: ['meetings', 'ratio', 'value', 'm2points'],
  values: Float64Array.from([4, 0.5, 30, 150, 2, 1.2, 50, 60, 0, NaN_, 40, 200]),
  targets: Float64Array.from([NaN_, NaN_, 40, NaN_, NaN_, NaN_, 40, NaN_, NaN_, NaN_, 40, NaN_]),
};

describe('computeIndex: a DTI-style points index', () => {
  const r = computeIndex(dtiLike, dtiData);
  it('scores components by rule: thresholds and ratio × max points, to a target', () => {
    expect(Array.from(r.nodes.C1?.score ?? [])).toEqual([20, 10, 0]);
    expect(Array.from(r.nodes.C2?.score ?? [])).toEqual([15, 30, NaN_]);
    expect(Array.from(r.nodes.C3?.score ?? [])).toEqual([37.5, 50, 50]);
  });
  it('sums points (missing counts as no points) and divides by the maximum', () => {
    expect(Array.from(r.nodes.M1?.raw ?? [])).toEqual([72.5, 90, 50]);
    expect(Array.from(r.nodes.M1?.score ?? [])).toEqual([0.725, 0.9, 0.5]);
  });
  it('DTI = Σ points / max = Σ w·I, and a view over the same nodes with other weights agrees', () => {
    const dti = r.nodes.DTI?.score ?? [];
    [222.5 / 300, 150 / 300, 250 / 300].forEach((v, i) => {
      expect(dti[i]).toBeCloseTo(v, 12);
      expect(r.nodes.P?.score[i]).toBeCloseTo(v, 12);
    });
    expect(Array.from(r.nodes.DTI?.rank ?? [])).toEqual([2, 3, 1]);
  });
  it('reports levels, the evaluation order and the leaves', () => {
    expect(r.nodes.C1?.level).toBe(1);
    expect(r.nodes.M1?.level).toBe(2);
    expect(r.nodes.DTI?.level).toBe(3);
    expect(r.order.indexOf('C1')).toBeLessThan(r.order.indexOf('M1'));
    expect(r.order.at(-1)).toBe('P');
    expect(r.nodes.C1?.leaf).toBe(true);
    expect(r.nodes.C1?.indicator).toBe('meetings');
    expect(r.views).toEqual(['P']);
  });
  it('a threshold rule with direction lower awards points at or below each step', () => {
    const m = methodology([
      node('R', { children: [{ code: 'L' }] }),
      node('L', {
        indicator: 'days',
        direction: 'lower',
        max_points: 10,
        normalisation: {
          kind: 'points',
          rule: {
            kind: 'thresholds',
            steps: [
              { at: 5, points: 10 },
              { at: 10, points: 5 },
            ],
          },
        },
      }),
    ]);
    const out = computeIndex(m, {
      units: ['a', 'b', 'c'],
      indicators: ['days'],
      values: Float64Array.from([3, 7, 12]),
    });
    expect(Array.from(out.nodes.L?.score ?? [])).toEqual([10, 5, 0]);
  });
});

describe('computeIndex: methods', () => {
  const units = ['a', 'b', 'c', 'd'];
  const one = (n: Partial<IndexNode>, values: number[], extra: Partial<IndexData> = {}) =>
    computeIndex(
      methodology([node('R', { children: [{ code: 'L' }] }), node('L', { indicator: 'x', ...n })]),
      {
        units,
        indicators: ['x'],
        values: Float64Array.from(values),
        ...extra,
      },
    );

  it('direction lower flips min-max; without normalisation the rank is ascending', () => {
    const r = one(
      { direction: 'lower', normalisation: { kind: 'minmax', lower: 0, upper: 1 } },
      [1, 2, 3, 5],
    );
    expect(Array.from(r.nodes.L?.score ?? [])).toEqual([1, 0.75, 0.5, 0]);
    expect(Array.from(r.nodes.L?.rank ?? [])).toEqual([1, 2, 3, 4]);
    const m = methodology([node('L', { indicator: 'x', direction: 'lower' })]);
    const raw = computeIndex(m, { units, indicators: ['x'], values: Float64Array.from([1, 2, 3, 5]) });
    expect(raw.nodes.L?.higherIsBetter).toBe(false);
    expect(Array.from(raw.nodes.L?.rank ?? [])).toEqual([1, 2, 3, 4]);
  });
  it('z-score, rank, percentile rank and distance to target (value/target)', () => {
    const z = one({ normalisation: { kind: 'zscore', mean: 10, sd: 2 } }, [1, 2, 3, 4]);
    expect(z.nodes.L?.score[0]).toBeCloseTo(10 - (1.5 / Math.sqrt(5 / 3)) * 2, 12);
    expect(
      Array.from(one({ normalisation: { kind: 'rank' } }, [5, 1, 5, NaN_]).nodes.L?.score ?? []),
    ).toEqual([2, 1, 2, NaN_]);
    expect(
      Array.from(one({ normalisation: { kind: 'percentile_rank' } }, [5, 1, 3, 4]).nodes.L?.score ?? []),
    ).toEqual([1, 0, 1 / 3, 2 / 3]);
    const t = one({ normalisation: { kind: 'target', target: 80, from: 'zero', cap: true } }, [
      40,
      80,
      100,
      NaN_,
    ]);
    expect(Array.from(t.nodes.L?.score ?? [])).toEqual([0.5, 1, 1, NaN_]);
  });
  it('imputes by mean, group mean, median and zero; present values never change', () => {
    const v = [1, NaN_, 3, 8];
    expect(Array.from(one({ imputation: { kind: 'mean' } }, v).nodes.L?.raw ?? [])).toEqual([1, 4, 3, 8]);
    expect(Array.from(one({ imputation: { kind: 'median' } }, v).nodes.L?.raw ?? [])).toEqual([1, 3, 3, 8]);
    expect(Array.from(one({ imputation: { kind: 'zero' } }, v).nodes.L?.raw ?? [])).toEqual([1, 0, 3, 8]);
    const g = one({ imputation: { kind: 'mean', by_group: true } }, v, { groups: ['s', 's', 'q', 'q'] });
    expect(Array.from(g.nodes.L?.raw ?? [])).toEqual([1, 1, 3, 8]);
  });
  it('treats outliers before normalising and says what it did', () => {
    const units11 = Array.from({ length: 11 }, (_, i) => `u${i}`);
    const m = methodology([
      node('R', { children: [{ code: 'L' }] }),
      node('L', { indicator: 'x', treatment: { kind: 'winsorise' }, normalisation: { kind: 'minmax' } }),
    ]);
    const r = computeIndex(m, {
      units: units11,
      indicators: ['x'],
      values: Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100]),
    });
    expect(r.nodes.L?.raw[10]).toBe(10);
    expect(r.nodes.L?.treatment).toEqual({ method: 'winsorise', nwin: 1 });
    expect(r.nodes.L?.score[10]).toBe(100);
    expect(r.nodes.L?.score[9]).toBe(100);
  });
  it('a node with too few children present is missing (min_share)', () => {
    const m = methodology([
      node('R', { min_share: 2 / 3, children: [{ code: 'A' }, { code: 'B' }, { code: 'C' }] }),
      node('A', { indicator: 'a' }),
      node('B', { indicator: 'b' }),
      node('C', { indicator: 'c' }),
    ]);
    const r = computeIndex(m, {
      units: ['u', 'v'],
      indicators: ['a', 'b', 'c'],
      values: Float64Array.from([1, 2, NaN_, 1, NaN_, NaN_]),
    });
    expect(Array.from(r.nodes.R?.score ?? [])).toEqual([1.5, NaN_]);
    expect(Array.from(r.nodes.R?.rank ?? [])).toEqual([1, NaN_]);
  });
  it('a weight of 0 keeps a child out of the score and of the missing-data share', () => {
    const m = methodology([
      node('R', { min_share: 1, children: [{ code: 'A' }, { code: 'B', weight: 0 }] }),
      node('A', { indicator: 'a' }),
      node('B', { indicator: 'b' }),
    ]);
    const r = computeIndex(m, { units: ['u'], indicators: ['a', 'b'], values: Float64Array.from([3, NaN_]) });
    expect(Array.from(r.nodes.R?.score ?? [])).toEqual([3]);
  });
  it('assigns bands', () => {
    const m = methodology([
      node('R', {
        aggregation: { kind: 'sum' },
        children: [{ code: 'A' }],
        bands: [
          { code: 'start', name_vi: 'Khởi động', name_en: 'Starting', min: 0 },
          { code: 'form', name_vi: 'Hình thành', name_en: 'Forming', min: 198 },
          { code: 'adv', name_vi: 'Phát triển', name_en: 'Advanced', min: 264 },
        ],
      }),
      node('A', { indicator: 'a' }),
    ]);
    const r = computeIndex(m, { units, indicators: ['a'], values: Float64Array.from([100, 198, 300, NaN_]) });
    expect(r.nodes.R?.band).toEqual(['start', 'form', 'adv', null]);
  });
  it('ranks on rounded scores when the methodology says so (DTI: 4 dp)', () => {
    const m = (d?: number) =>
      methodology(
        [node('R', { children: [{ code: 'A' }] }), node('A', { indicator: 'a' })],
        d === undefined ? {} : { rank_decimals: d },
      );
    const data = { units, indicators: ['a'], values: Float64Array.from([0.71631, 0.71629, 0.7, 0.8]) };
    expect(Array.from(computeIndex(m(), data).nodes.R?.rank ?? [])).toEqual([2, 3, 4, 1]);
    expect(Array.from(computeIndex(m(4), data).nodes.R?.rank ?? [])).toEqual([2, 2, 4, 1]);
  });
});

describe('strengths and weaknesses (COINr get_str_weak)', () => {
  const mk = (code: string, score: number[]): NodeScores => {
    const s = Float64Array.from(score);
    return {
      code,
      name_vi: code,
      name_en: code,
      level: 1,
      leaf: true,
      raw: s,
      score: s,
      rank: rankWithTies(s),
      higherIsBetter: true,
    };
  };
  const nodes = [mk('a', [4, 3, 2, 1]), mk('b', [1, 2, 3, 4]), mk('c', [2, 4, 1, 3])];
  it('drops the nodes where the unit ranks last, then takes the best and worst ranked', () => {
    const [u1] = strengthsAndWeaknesses(['u1', 'u2', 'u3', 'u4'], nodes, { top: 1, bottom: 1 });
    expect(u1?.strengths).toEqual([{ node: 'a', rank: 1, score: 4 }]);
    expect(u1?.weaknesses).toEqual([{ node: 'c', rank: 3, score: 2 }]);
  });
  it('keeps them with minDiscard false; weaknesses listed in ascending rank', () => {
    const [u1] = strengthsAndWeaknesses(['u1', 'u2', 'u3', 'u4'], nodes, {
      top: 2,
      bottom: 2,
      minDiscard: false,
    });
    expect(u1?.strengths.map((e) => e.node)).toEqual(['a', 'c']);
    expect(u1?.weaknesses.map((e) => e.node)).toEqual(['c', 'b']);
  });
  it('drops nodes with few distinct values (uniqueDiscard)', () => {
    const flat = mk('f', [1, 1, 1, 2]);
    const [, u2] = strengthsAndWeaknesses(['u1', 'u2', 'u3', 'u4'], [...nodes, flat], {
      top: 5,
      bottom: 5,
      minDiscard: false,
      uniqueDiscard: 0.5,
    });
    expect(u2?.strengths.map((e) => e.node)).toEqual(['c', 'a', 'b']);
  });
  it('computeIndex gives every unit its strengths over the leaves by default', () => {
    const r = computeIndex(dtiLike, dtiData);
    expect(r.strengths.map((s) => s.unit)).toEqual(['A', 'B', 'C']);
    const a = r.strengths[0];
    expect(a?.strengths[0]?.node).toBe('C1');
    const pillars = computeIndex(dtiLike, dtiData, { strengths: { nodes: ['M1', 'M2'], top: 1, bottom: 1 } });
    expect(pillars.strengths[2]?.strengths).toEqual([{ node: 'M2', rank: 1, score: 1 }]);
    expect(computeIndex(dtiLike, dtiData, { strengths: false }).strengths).toEqual([]);
  });
});

describe('rankWithTies and compareRanks', () => {
  it('ties share the best rank: 1, 2, 2, 4; missing has no rank', () => {
    expect(Array.from(rankWithTies([9, 5, 5, 1, NaN_]))).toEqual([1, 2, 2, 4, NaN_]);
    expect(Array.from(rankWithTies([9, 5, 5, 1], { higherIsBetter: false }))).toEqual([4, 2, 2, 1]);
  });
  it('rank change per unit, positive = moved up, matched by code', () => {
    const change = compareRanks(
      { units: ['A', 'B', 'C'], ranks: [1, 2, 3] },
      { units: ['B', 'A', 'D'], ranks: [1, 2, 3] },
    );
    expect(change).toEqual([
      { unit: 'B', previous: 2, current: 1, change: 1 },
      { unit: 'A', previous: 1, current: 2, change: -1 },
      { unit: 'D', previous: null, current: 3, change: null },
      { unit: 'C', previous: 3, current: null, change: null },
    ]);
  });
});

describe('computeIndex rejects bad data with a precise ChisoError', () => {
  it('a leaf whose indicator is not in the data', () => {
    const e = caught(() =>
      computeIndex(dtiLike, { ...dtiData, indicators: ['meetings', 'ratio', 'value', 'other'] }),
    );
    expect(e.code).toBe('index.data.indicator_missing');
    expect(e.location.field).toBe('nodes[6](M2).indicator');
    expect(e.vi).toContain('m2points');
  });
  it('values of the wrong shape, infinite values, repeated units', () => {
    expect(caught(() => computeIndex(dtiLike, { ...dtiData, values: new Float64Array(5) })).code).toBe(
      'index.data.shape',
    );
    const inf = Float64Array.from(dtiData.values);
    inf[5] = Number.POSITIVE_INFINITY;
    const e = caught(() => computeIndex(dtiLike, { ...dtiData, values: inf }));
    expect(e.code).toBe('index.data.not_finite');
    expect(e.location.field).toBe('values[1][1]');
    expect(caught(() => computeIndex(dtiLike, { ...dtiData, units: ['A', 'A', 'C'] })).code).toBe(
      'index.data.units',
    );
  });
  it('a year outside the methodology', () => {
    const e = caught(() => computeIndex(dtiLike, dtiData, { year: 2024 }));
    expect(e.code).toBe('index.year_out_of_range');
    expect(computeIndex(dtiLike, dtiData, { year: 2022 }).units).toEqual(['A', 'B', 'C']);
  });
  it('distance to target without any target', () => {
    const m = methodology([
      node('R', { children: [{ code: 'A' }] }),
      node('A', { indicator: 'a', normalisation: { kind: 'target', cap: true } }),
    ]);
    const data = { units: ['u', 'v'], indicators: ['a'], values: Float64Array.from([5, 10]) };
    const e = caught(() => computeIndex(m, data));
    expect(e.code).toBe('index.data.targets_missing');
    expect(e.location.field).toBe('nodes[1](A).normalisation');
    const r = computeIndex(m, { ...data, targets: Float64Array.from([10, 8]) });
    expect(Array.from(r.nodes.A?.score ?? [])).toEqual([0, 1]);
  });
  it('a geometric mean meeting a zero names the node and unit', () => {
    const m = methodology([
      node('R', { aggregation: { kind: 'geometric' }, children: [{ code: 'A' }] }),
      node('A', { indicator: 'a' }),
    ]);
    const e = caught(() =>
      computeIndex(m, { units: ['u', 'v'], indicators: ['a'], values: Float64Array.from([2, 0]) }),
    );
    expect(e.code).toBe('index.aggregation.domain');
    expect(e.location.field).toBe('nodes[0](R)');
    expect(e.details).toMatchObject({ unit: 'v', value: 0 });
  });
});
