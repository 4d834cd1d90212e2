import { describe, expect, it } from 'vitest';
import { ChisoError } from '../errors.ts';
import { createRng } from './prng.ts';
import { removeElements, sensitivity } from './sensitivity.ts';
import type { IndexData, IndexMethodology } from './types.ts';

// The §2.3 toy: 4 units × 3 indicators, min-max [0,100], arithmetic mean → ranks 3, 2, 4, 1.
const toy: IndexMethodology = {
  code: 'TOY',
  version: '1',
  name_vi: 'Ví dụ',
  name_en: 'Toy',
  valid_from: 2024,
  valid_to: null,
  root: 'I',
  nodes: [
    { code: 'I', name_vi: 'I', name_en: 'I', children: [{ code: 'x1' }, { code: 'x2' }, { code: 'x3' }] },
    ...['x1', 'x2', 'x3'].map((c) => ({
      code: c,
      name_vi: c,
      name_en: c,
      indicator: c,
      normalisation: { kind: 'minmax' as const, lower: 0, upper: 100 },
    })),
  ],
};
const data: IndexData = {
  units: ['u1', 'u2', 'u3', 'u4'],
  indicators: ['x1', 'x2', 'x3'],
  values: Float64Array.from([1, 3, 2, 2, 2, 3, 3, 1, 1, 4, 5, 4]),
};

describe('removeElements (COINr remove_elements)', () => {
  it('zeroes each weight in turn and reports MeanAbsDiff and rank changes', () => {
    const r = removeElements(toy, data);
    expect(r.node).toBe('I');
    expect(r.elements.map((e) => [e.element, e.meanAbsDiff])).toEqual([
      ['x1', 0],
      ['x2', 0.5],
      ['x3', 1],
    ]);
    // Without x3 the scores are 25, 29.17, 33.33, 100: ranks 4, 3, 2, 1 against 3, 2, 4, 1.
    expect(r.elements[2]?.rankDiffs).toEqual([-1, -1, 2, 0]);
  });
  it('rejects an unknown element or the studied node itself', () => {
    expect(() => removeElements(toy, data, { elements: ['nope'] })).toThrow(ChisoError);
    expect(() => removeElements(toy, data, { elements: ['I'] })).toThrow(/studied|phân tích/);
  });
});

describe('sensitivity', () => {
  it('with no noise and no alternatives every run is the nominal one', () => {
    const s = sensitivity(toy, data, { runs: 20, seed: 7 });
    expect(s.failedRuns).toBe(0);
    expect(s.units.map((u) => [u.nominal, u.median, u.q5, u.q95, u.mean])).toEqual([
      [3, 3, 3, 3, 3],
      [2, 2, 2, 2, 2],
      [4, 4, 4, 4, 4],
      [1, 1, 1, 1, 1],
    ]);
    expect(s.removeElements.elements.map((e) => e.meanAbsDiff)).toEqual([0, 0.5, 1]);
  });
  it('is deterministic for a seed and varies with it', () => {
    const o = {
      runs: 200,
      weightNoise: 0.9,
      alternatives: {
        normalisation: [
          { kind: 'minmax' as const, lower: 1, upper: 100 },
          { kind: 'zscore' as const, mean: 10, sd: 2 },
        ],
        aggregation: [{ kind: 'arithmetic' as const }, { kind: 'geometric' as const }],
      },
    };
    const a = sensitivity(toy, data, { ...o, seed: 42 });
    const b = sensitivity(toy, data, { ...o, seed: 42 });
    const c = sensitivity(toy, data, { ...o, seed: 43 });
    expect(Array.from(a.runRanks)).toEqual(Array.from(b.runRanks));
    expect(a.units).toEqual(b.units);
    expect(Array.from(a.runRanks)).not.toEqual(Array.from(c.runRanks));
    for (const u of a.units) {
      expect(u.q5).not.toBeNull();
      expect(u.q5 as number).toBeLessThanOrEqual(u.median as number);
      expect(u.median as number).toBeLessThanOrEqual(u.q95 as number);
      expect(u.q5 as number).toBeGreaterThanOrEqual(1);
      expect(u.q95 as number).toBeLessThanOrEqual(4);
    }
    // Unit 4 leads on every indicator: no weighting or method moves it.
    expect(a.units[3]).toMatchObject({ nominal: 1, median: 1, q5: 1, q95: 1 });
  });
  it('counts a failing run (geometric mean of a zero) as missing, as COINr does', () => {
    const s = sensitivity(toy, data, {
      runs: 50,
      seed: 1,
      alternatives: { aggregation: [{ kind: 'arithmetic' }, { kind: 'geometric' }] },
    });
    expect(s.failedRuns).toBeGreaterThan(0);
    expect(s.failedRuns).toBeLessThan(50);
    expect(s.units[0]?.median).toBe(3);
  });
  it('rejects bad options with the field', () => {
    const field = (o: Parameters<typeof sensitivity>[2]) => {
      try {
        sensitivity(toy, data, o);
      } catch (e) {
        return (e as ChisoError).location.field;
      }
      return undefined;
    };
    expect(field({ runs: 0, seed: 1 })).toBe('runs');
    expect(field({ runs: 5, seed: 1, weightNoise: 2 })).toBe('weightNoise');
    expect(field({ runs: 5, seed: 1, alternatives: { aggregation: [{ kind: 'median' } as never] } })).toBe(
      'alternatives.aggregation[0]',
    );
    expect(field({ runs: 5, seed: 1, node: 'zz' })).toBe('node');
  });
});

describe('createRng', () => {
  it('is deterministic, in [0, 1), and roughly uniform', () => {
    const a = createRng(123);
    const b = createRng(123);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const m = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(m).toBeGreaterThan(0.48);
    expect(m).toBeLessThan(0.52);
  });
});
