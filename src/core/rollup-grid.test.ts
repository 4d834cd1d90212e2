import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChisoError } from './errors.ts';
import {
  type PeriodRollupRule,
  prepareTree,
  type RollupRule,
  rollupPeriods,
  rollupPeriodsGrid,
  rollupTree,
} from './rollup.ts';

/** A random forest as a parent array: node i's parent is an earlier node or none. */
const arbForest = fc
  .integer({ min: 1, max: 40 })
  .chain((n) =>
    fc.tuple(
      fc.constant(n),
      fc.array(fc.integer({ min: -1, max: 1_000_000 }), { minLength: n, maxLength: n }),
      fc.array(fc.oneof(fc.integer({ min: -50, max: 50 }), fc.constant(Number.NaN)), {
        minLength: n,
        maxLength: n,
      }),
      fc.array(fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constant(Number.NaN)), {
        minLength: n,
        maxLength: n,
      }),
    ),
  )
  .map(([n, ps, own, w]) => ({
    parent: Int32Array.from(ps.map((p, i) => (i === 0 || p < 0 ? -1 : p % i))),
    own: Float64Array.from(own),
    weights: Float64Array.from(w),
    n,
  }));

/** The tree rule written plainly, recursively (the readable reference of the one-pass loops). */
function reference(parent: Int32Array, own: Float64Array, rule: RollupRule, w: Float64Array): Float64Array {
  const n = parent.length;
  const kids: number[][] = Array.from({ length: n }, () => []);
  parent.forEach((p, i) => {
    if (p >= 0) kids[p]!.push(i);
  });
  const out = new Float64Array(n).fill(Number.NaN);
  const done = new Uint8Array(n);
  const value = (i: number): number => {
    if (done[i]) return out[i]!;
    done[i] = 1;
    let v = own[i]!;
    if (Number.isNaN(v) && rule !== 'none') {
      const present = kids[i]!.map((c) => ({ c, v: value(c) })).filter((x) => !Number.isNaN(x.v));
      if (rule === 'weighted_mean') {
        const use = present.filter((x) => !Number.isNaN(w[x.c]!));
        const sw = use.reduce((a, x) => a + w[x.c]!, 0);
        if (use.length > 0) v = sw === 0 ? Number.NaN : use.reduce((a, x) => a + w[x.c]! * x.v, 0) / sw;
      } else if (present.length > 0) {
        const xs = present.map((x) => x.v);
        const sum = xs.reduce((a, b) => a + b, 0);
        v =
          rule === 'sum'
            ? sum
            : rule === 'mean'
              ? sum / xs.length
              : rule === 'min'
                ? Math.min(...xs)
                : Math.max(...xs);
      }
    }
    out[i] = v;
    return v;
  };
  for (let i = 0; i < n; i++) value(i);
  return out;
}

describe('rollupTree against a plain recursive reference', () => {
  it('gives the same values for every rule on random forests (property)', () => {
    fc.assert(
      fc.property(
        arbForest,
        fc.constantFrom<RollupRule>('sum', 'mean', 'weighted_mean', 'min', 'max', 'none'),
        ({ parent, own, weights }, rule) => {
          const tree = prepareTree(parent);
          const got = rollupTree(tree, own, rule, rule === 'weighted_mean' ? weights : undefined);
          const want = reference(parent, own, rule, weights);
          // Integer inputs: sums are exact; a mean of means may differ in the last bits with the order.
          got.forEach((v, i) => {
            const w = want[i]!;
            if (Number.isNaN(w)) expect(v).toBeNaN();
            else expect(Math.abs(v - w)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(w)));
          });
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('rollupPeriodsGrid', () => {
  it('equals rollupPeriods on every run of every column (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom<PeriodRollupRule>('sum', 'mean', 'last'),
        fc.boolean(),
        fc.infiniteStream(fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constant(Number.NaN))),
        (per, nOut, nCols, rule, complete, stream) => {
          const values = Float64Array.from(
            { length: nOut * per * nCols },
            () => stream.next().value as number,
          );
          const got = rollupPeriodsGrid(values, per, nCols, rule, { complete });
          expect(got.length).toBe(nOut * nCols);
          for (let o = 0; o < nOut; o++)
            for (let c = 0; c < nCols; c++) {
              const run = Array.from({ length: per }, (_, q) => values[(o * per + q) * nCols + c]!);
              expect(got[o * nCols + c]).toBe(rollupPeriods(run, rule, { complete }));
            }
        },
      ),
    );
  });

  it('writes into a given array and checks sizes and rules', () => {
    const out = new Float64Array(2);
    const v = Float64Array.from([1, 10, 2, Number.NaN, 3, 30, 4, 40]);
    expect(Array.from(rollupPeriodsGrid(v, 4, 2, 'sum', {}, out))).toEqual([10, 80]);
    expect(Array.from(out)).toEqual([10, 80]);
    expect(Array.from(rollupPeriodsGrid(v, 4, 2, 'sum', { complete: true }))).toEqual([10, Number.NaN]);
    expect(Array.from(rollupPeriodsGrid(v, 2, 2, 'last'))).toEqual([2, 10, 4, 40]);
    expect(() => rollupPeriodsGrid(v, 3, 2, 'sum')).toThrow(ChisoError);
    expect(() => rollupPeriodsGrid(v, 4, 2, 'median' as never)).toThrow(ChisoError);
    expect(() => rollupPeriodsGrid(v, 4, 2, 'sum', {}, new Float64Array(3))).toThrow(ChisoError);
  });
});
