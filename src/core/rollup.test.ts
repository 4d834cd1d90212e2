import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChisoError } from './errors.ts';
import {
  type PreparedTree,
  prepareTree,
  type RollupRule,
  mapLineage,
  rollupPeriods,
  rollupTree,
  rollupTreeMany,
} from './rollup.ts';

const N = Number.NaN;

function errorOf(fn: () => unknown): ChisoError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ChisoError) return e;
    throw e;
  }
  throw new Error('expected a ChisoError');
}

const f64 = (xs: number[]) => Float64Array.from(xs);
const arr = (a: Float64Array) => Array.from(a);

/**
 *        0 city
 *      /        \
 *   1 district   2 district
 *   /   \          |
 *  3     4         5
 */
const parent = Int32Array.from([-1, 0, 0, 1, 1, 2]);
const tree = prepareTree(parent);

describe('prepareTree', () => {
  it('orders children before parents and lists children', () => {
    const pos = new Map(Array.from(tree.order).map((node, k) => [node, k]));
    for (let i = 0; i < parent.length; i++) {
      if (parent[i]! >= 0) expect(pos.get(i)!).toBeLessThan(pos.get(parent[i]!)!);
    }
    expect(Array.from(tree.roots)).toEqual([0]);
    expect(Array.from(tree.depth)).toEqual([0, 1, 1, 2, 2, 2]);
    const kids = (i: number) =>
      Array.from(tree.childIndex.subarray(tree.childStart[i], tree.childStart[i + 1]));
    expect(kids(0)).toEqual([1, 2]);
    expect(kids(1)).toEqual([3, 4]);
    expect(kids(3)).toEqual([]);
  });

  it('rejects cycles, naming them', () => {
    const e = errorOf(() => prepareTree([-1, 2, 3, 1, 0]));
    expect(e.code).toBe('rollup.cycle');
    expect(e.details).toEqual({ cycle: [1, 2, 3, 1] });
    expect(errorOf(() => prepareTree([0])).details).toEqual({ cycle: [0, 0] });
  });

  it('rejects parents out of range', () => {
    expect(errorOf(() => prepareTree([-1, 5])).code).toBe('rollup.bad_parent');
    expect(errorOf(() => prepareTree([-2])).code).toBe('rollup.bad_parent');
    expect(errorOf(() => prepareTree([0.5])).code).toBe('rollup.bad_parent');
  });

  it('accepts a forest and an empty tree', () => {
    expect(Array.from(prepareTree([-1, -1, 0]).roots)).toEqual([0, 1]);
    expect(prepareTree([]).size).toBe(0);
  });
});

describe('rollupTree', () => {
  it('sums children where a node has no own figure', () => {
    expect(arr(rollupTree(tree, f64([N, N, N, 1, 2, 4]), 'sum'))).toEqual([7, 3, 4, 1, 2, 4]);
  });

  it("keeps a unit's own figure even when the children disagree", () => {
    expect(arr(rollupTree(tree, f64([N, 10, N, 1, 2, 4]), 'sum'))).toEqual([14, 10, 4, 1, 2, 4]);
  });

  it('uses present children only, and NaN when none is present', () => {
    expect(arr(rollupTree(tree, f64([N, N, N, 1, N, N]), 'sum'))).toEqual([1, 1, N, 1, N, N]);
    expect(arr(rollupTree(tree, f64([N, N, N, 0, N, N]), 'sum'))).toEqual([0, 0, N, 0, N, N]);
  });

  it('mean is the mean of the children, not of the leaves', () => {
    // district 1 = mean(1, 2) = 1.5; district 2 = 4; city = mean(1.5, 4)
    expect(arr(rollupTree(tree, f64([N, N, N, 1, 2, 4]), 'mean'))).toEqual([2.75, 1.5, 4, 1, 2, 4]);
  });

  it('weighted_mean weights children by their rolled denominators', () => {
    // rates 10% and 20% in wards of 100 and 300 people; ward 5: 50% of 600
    const pop = rollupTree(tree, f64([N, N, N, 100, 300, 600]), 'sum');
    expect(arr(pop)).toEqual([1000, 400, 600, 100, 300, 600]);
    const rate = rollupTree(tree, f64([N, N, N, 10, 20, 50]), 'weighted_mean', pop);
    expect(rate[1]).toBeCloseTo(17.5, 12);
    expect(rate[2]).toBe(50);
    expect(rate[0]).toBeCloseTo((17.5 * 400 + 50 * 600) / 1000, 12);
  });

  it('weighted_mean skips children without a weight and needs weights', () => {
    const w = f64([N, N, N, 1, N, 0]);
    const r = rollupTree(tree, f64([N, N, N, 10, 20, 50]), 'weighted_mean', w);
    expect(r[1]).toBe(10);
    expect(r[2]).toBeNaN(); // total weight 0
    expect(errorOf(() => rollupTree(tree, f64([N, N, N, 1, 2, 3]), 'weighted_mean')).code).toBe(
      'rollup.weights_required',
    );
  });

  it('min, max and none', () => {
    const own = f64([N, N, N, 1, 2, 4]);
    expect(arr(rollupTree(tree, own, 'min'))).toEqual([1, 1, 4, 1, 2, 4]);
    expect(arr(rollupTree(tree, own, 'max'))).toEqual([4, 2, 4, 1, 2, 4]);
    expect(arr(rollupTree(tree, f64([N, 7, N, 1, 2, 4]), 'none'))).toEqual([N, 7, N, 1, 2, 4]);
    expect(arr(rollupTree(tree, f64([N, N, N, -1, -2, -4]), 'max'))).toEqual([-1, -1, -4, -1, -2, -4]);
  });

  it('checks sizes and rules', () => {
    expect(errorOf(() => rollupTree(tree, f64([1]), 'sum')).code).toBe('rollup.size_mismatch');
    expect(errorOf(() => rollupTree(tree, f64([N, N, N, 1, 2, 4]), 'median' as RollupRule)).code).toBe(
      'rollup.unknown_rule',
    );
  });
});

describe('rollupTreeMany', () => {
  it('rolls each series like rollupTree', () => {
    const m = f64([N, N, N, 1, 2, 4, N, 5, N, 1, 1, N]);
    const out = rollupTreeMany(tree, m, 2, 'sum');
    expect(arr(out)).toEqual([7, 3, 4, 1, 2, 4, 5, 5, N, 1, 1, N]);
  });

  it('takes shared or per-series weights', () => {
    const m = f64([N, N, N, 10, 20, 50, N, N, N, 10, 20, 50]);
    const shared = rollupTreeMany(tree, m, 2, 'weighted_mean', f64([N, N, N, 1, 1, 1]));
    expect(shared[1]).toBe(15);
    expect(shared[7]).toBe(15);
    const per = rollupTreeMany(tree, m, 2, 'weighted_mean', f64([N, N, N, 1, 1, 1, N, N, N, 1, 3, 1]));
    expect(per[1]).toBe(15);
    expect(per[7]).toBe(17.5);
    expect(errorOf(() => rollupTreeMany(tree, m, 3, 'sum')).code).toBe('rollup.size_mismatch');
  });
});

// ---------------------------------------------------------------------------------------------
// Properties on random forests

interface Case {
  parent: number[];
  leafValues: number[]; // value per node; only used for leaves
}

/** A random forest: parent[i] < i or -1 before shuffling, then node indices permuted. */
const arbForest = fc
  .integer({ min: 1, max: 60 })
  .chain((n) =>
    fc.record({
      links: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: n, maxLength: n }),
      roots: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
      values: fc.array(fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.constant(Number.NaN)), {
        minLength: n,
        maxLength: n,
      }),
      perm: fc.shuffledSubarray(
        Array.from({ length: n }, (_, i) => i),
        { minLength: n, maxLength: n },
      ),
    }),
  )
  .map(({ links, roots, values, perm }): Case => {
    const n = links.length;
    const base = links.map((u, i) => (i === 0 || roots[i] ? -1 : Math.floor(u * i) % i));
    // node i of the base tree becomes node perm[i]
    const parent = new Array<number>(n);
    const leafValues = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      parent[perm[i]!] = base[i]! < 0 ? -1 : perm[base[i]!]!;
      leafValues[perm[i]!] = values[i]!;
    }
    return { parent, leafValues };
  });

function leavesUnder(t: PreparedTree, node: number): number[] {
  const out: number[] = [];
  const stack = [node];
  while (stack.length) {
    const x = stack.pop()!;
    const a = t.childStart[x]!;
    const b = t.childStart[x + 1]!;
    if (a === b) out.push(x);
    for (let k = a; k < b; k++) stack.push(t.childIndex[k]!);
  }
  return out;
}

function ownOfLeaves(t: PreparedTree, c: Case): Float64Array {
  const own = new Float64Array(t.size).fill(Number.NaN);
  for (let i = 0; i < t.size; i++) if (t.childStart[i] === t.childStart[i + 1]) own[i] = c.leafValues[i]!;
  return own;
}

describe('roll-up properties', () => {
  it('a sum with no internal own values equals the sum of the present leaves, at every node', () => {
    fc.assert(
      fc.property(arbForest, (c) => {
        const t = prepareTree(c.parent);
        const r = rollupTree(t, ownOfLeaves(t, c), 'sum');
        let total = 0;
        let leafTotal = 0;
        for (let i = 0; i < t.size; i++) {
          const present = leavesUnder(t, i)
            .map((l) => c.leafValues[l]!)
            .filter((v) => !Number.isNaN(v));
          if (present.length === 0) expect(r[i]).toBeNaN();
          else expect(r[i]).toBe(present.reduce((a, b) => a + b, 0));
          if (t.childStart[i] === t.childStart[i + 1] && !Number.isNaN(c.leafValues[i]!))
            leafTotal += c.leafValues[i]!;
        }
        for (const root of t.roots) if (!Number.isNaN(r[root]!)) total += r[root]!;
        expect(total).toBe(leafTotal);
      }),
    );
  });

  it('mean, min and max stay within [min, max] of the leaves below', () => {
    fc.assert(
      fc.property(arbForest, fc.constantFrom<RollupRule>('mean', 'min', 'max'), (c, rule) => {
        const t = prepareTree(c.parent);
        const r = rollupTree(t, ownOfLeaves(t, c), rule);
        for (let i = 0; i < t.size; i++) {
          const present = leavesUnder(t, i)
            .map((l) => c.leafValues[l]!)
            .filter((v) => !Number.isNaN(v));
          if (present.length === 0) {
            expect(r[i]).toBeNaN();
            continue;
          }
          expect(r[i]!).toBeGreaterThanOrEqual(Math.min(...present) - 1e-9);
          expect(r[i]!).toBeLessThanOrEqual(Math.max(...present) + 1e-9);
        }
      }),
    );
  });

  it('does not depend on node order', () => {
    fc.assert(
      fc.property(
        arbForest,
        fc.constantFrom<RollupRule>('sum', 'mean', 'weighted_mean', 'min', 'max', 'none'),
        (c, rule) => {
          const n = c.parent.length;
          // Reverse the indices: node i becomes n-1-i.
          const rev = (i: number) => n - 1 - i;
          const parent2 = new Array<number>(n);
          const own1 = new Float64Array(n);
          const own2 = new Float64Array(n);
          const w1 = new Float64Array(n);
          const w2 = new Float64Array(n);
          for (let i = 0; i < n; i++) {
            parent2[rev(i)] = c.parent[i]! < 0 ? -1 : rev(c.parent[i]!);
            own1[i] = c.leafValues[i]!;
            own2[rev(i)] = c.leafValues[i]!;
            w1[i] = (i % 5) + 1;
            w2[rev(i)] = (i % 5) + 1;
          }
          const r1 = rollupTree(prepareTree(c.parent), own1, rule, w1);
          const r2 = rollupTree(prepareTree(parent2), own2, rule, w2);
          for (let i = 0; i < n; i++) {
            const a = r1[i]!;
            const b = r2[rev(i)]!;
            if (Number.isNaN(a)) expect(b).toBeNaN();
            else expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(a)));
          }
        },
      ),
    );
  });

  it('rollupTreeMany equals rollupTree per series', () => {
    fc.assert(
      fc.property(arbForest, fc.integer({ min: 0, max: 3 }), (c, k) => {
        const t = prepareTree(c.parent);
        const n = t.size;
        const m = new Float64Array(k * n);
        for (let s = 0; s < k; s++) for (let i = 0; i < n; i++) m[s * n + i] = c.leafValues[(i + s) % n]!;
        const all = rollupTreeMany(t, m, k, 'mean');
        for (let s = 0; s < k; s++) {
          expect(arr(all.subarray(s * n, (s + 1) * n))).toEqual(
            arr(rollupTree(t, m.slice(s * n, (s + 1) * n), 'mean')),
          );
        }
      }),
    );
  });
});

describe('rollupPeriods', () => {
  it('sums, averages or takes the last present sub-period', () => {
    expect(rollupPeriods([1, 2, N], 'sum')).toBe(3);
    expect(rollupPeriods([1, 2, N], 'mean')).toBe(1.5);
    expect(rollupPeriods([1, 2, N], 'last')).toBe(2);
    expect(rollupPeriods([N, 0, N], 'last')).toBe(0);
    expect(rollupPeriods([N, N], 'sum')).toBeNaN();
    expect(rollupPeriods([], 'mean')).toBeNaN();
  });

  it('can require every sub-period', () => {
    expect(rollupPeriods([1, 2, N], 'sum', { complete: true })).toBeNaN();
    expect(rollupPeriods([1, 2, 3], 'sum', { complete: true })).toBe(6);
  });

  it('sum is the sum of the present values and last the last one (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: -99, max: 99 }), fc.constant(Number.NaN))), (xs) => {
        const present = xs.filter((v) => !Number.isNaN(v));
        const sum = rollupPeriods(xs, 'sum');
        const last = rollupPeriods(xs, 'last');
        if (present.length === 0) {
          expect(sum).toBeNaN();
          expect(last).toBeNaN();
        } else {
          expect(sum).toBe(present.reduce((a, b) => a + b, 0));
          expect(last).toBe(present.at(-1));
        }
      }),
    );
  });
});

describe('mapLineage', () => {
  // Old wards 0, 1, 2 merge into new ward 0; old ward 3 is split 40/60 into new wards 1 and 2;
  // old ward 4 is renamed to new ward 3.
  const mapping = [
    { from: 0, to: 0 },
    { from: 1, to: 0 },
    { from: 2, to: 0 },
    { from: 3, to: 1, share: 0.4 },
    { from: 3, to: 2 },
    { from: 4, to: 3 },
  ];
  const old = f64([10, 20, 30, 100, 7]);

  it('sum: merges add up, a split divides by share, the rest goes equally', () => {
    expect(arr(mapLineage(old, mapping, 'sum'))).toEqual([60, 40, 60, 7]);
    const equal = mapLineage(
      f64([9]),
      [
        { from: 0, to: 0 },
        { from: 0, to: 1 },
        { from: 0, to: 2 },
      ],
      'sum',
    );
    expect(arr(equal)).toEqual([3, 3, 3]);
  });

  it('mean, min, max combine the old values; shares are ignored', () => {
    expect(arr(mapLineage(old, mapping, 'mean'))).toEqual([20, 100, 100, 7]);
    expect(arr(mapLineage(old, mapping, 'min'))).toEqual([10, 100, 100, 7]);
    expect(arr(mapLineage(old, mapping, 'max'))).toEqual([30, 100, 100, 7]);
  });

  it('weighted_mean weights by the old denominators times the share', () => {
    const pop = f64([100, 100, 200, 1000, 50]);
    const r = mapLineage(old, mapping, 'weighted_mean', { weights: pop });
    expect(r[0]).toBeCloseTo((10 * 100 + 20 * 100 + 30 * 200) / 400, 12);
    expect(r[1]).toBe(100);
  });

  it('none carries only one-to-one links', () => {
    expect(arr(mapLineage(old, mapping, 'none'))).toEqual([N, N, N, 7]);
  });

  it('missing old values are skipped; a new unit with nothing present is NaN', () => {
    expect(arr(mapLineage(f64([N, 20, N, N, 7]), mapping, 'sum', { newCount: 5 }))).toEqual([20, N, N, 7, N]);
  });

  it('rejects bad mappings with the entry number', () => {
    expect(errorOf(() => mapLineage(old, [{ from: 9, to: 0 }], 'sum')).location.row).toBe(1);
    expect(
      errorOf(() =>
        mapLineage(
          old,
          [
            { from: 0, to: 0 },
            { from: 0, to: 0 },
          ],
          'sum',
        ),
      ).code,
    ).toBe('lineage.bad_mapping');
    const over = [
      { from: 0, to: 0, share: 0.7 },
      { from: 0, to: 1, share: 0.5 },
    ];
    expect(errorOf(() => mapLineage(old, over, 'sum')).en).toContain('more than 1');
    expect(errorOf(() => mapLineage(old, [{ from: 0, to: 0, share: 1.5 }], 'sum')).code).toBe(
      'lineage.bad_mapping',
    );
    expect(errorOf(() => mapLineage(old, [{ from: 0, to: 4 }], 'sum', { newCount: 2 })).code).toBe(
      'lineage.bad_mapping',
    );
  });

  it('sum conserves the total when every old unit is fully mapped (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            v: fc.integer({ min: 0, max: 10_000 }),
            to: fc.array(fc.nat(5), { minLength: 1, maxLength: 3 }),
          }),
          {
            minLength: 1,
            maxLength: 20,
          },
        ),
        (units) => {
          const values = f64(units.map((u) => u.v));
          const links = units.flatMap((u, from) => [...new Set(u.to)].map((to) => ({ from, to })));
          const r = mapLineage(values, links, 'sum', { newCount: 6 });
          const total = arr(r)
            .filter((x) => !Number.isNaN(x))
            .reduce((a, b) => a + b, 0);
          expect(total).toBeCloseTo(
            units.reduce((a, u) => a + u.v, 0),
            6,
          );
        },
      ),
    );
  });
});
