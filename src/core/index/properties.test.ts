import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregateColumns, aMean } from './aggregate.ts';
import { computeIndex, evaluate, makePlan, prepareData } from './compute.ts';
import { nGoalposts, nMinmax } from './normalise.ts';
import { rankWithTies } from './rank.ts';
import { sensitivity } from './sensitivity.ts';
import { validateMethodology } from './validate.ts';
import type { Aggregation, IndexData, IndexMethodology, IndexNode } from './types.ts';

const missingOr = (a: fc.Arbitrary<number>) =>
  fc.oneof({ weight: 5, arbitrary: a }, { weight: 1, arbitrary: fc.constant(Number.NaN) });

/** Means keep scores positive, so they may feed one another; Copeland (scores ≤ 0) only at the root. */
const mean: fc.Arbitrary<Aggregation> = fc.oneof(
  fc.constant({ kind: 'arithmetic' as const }),
  fc.constant({ kind: 'geometric' as const }),
  fc.constant({ kind: 'harmonic' as const }),
  fc.constantFrom(-2, -1, 0.5, 2, 3).map((p) => ({ kind: 'generalised' as const, p })),
);
const aggregation: fc.Arbitrary<Aggregation> = fc.oneof(mean, fc.constant({ kind: 'copeland' as const }));

/**
 * A random index: 2–5 leaves (min-max [1,100], random direction), 1–3 middle nodes each fed by a
 * random non-empty set of leaves (a DAG: a leaf may feed several), a root over the middle nodes.
 * Values are small integers, so ties are frequent; some are missing.
 */
const scenario = fc
  .record({
    nLeaves: fc.integer({ min: 2, max: 5 }),
    nMids: fc.integer({ min: 1, max: 3 }),
    nUnits: fc.integer({ min: 2, max: 8 }),
  })
  .chain(({ nLeaves, nMids, nUnits }) =>
    fc.record({
      nLeaves: fc.constant(nLeaves),
      nUnits: fc.constant(nUnits),
      mids: fc.array(
        fc.record({
          aggregation: mean,
          edges: fc.uniqueArray(
            fc.record({
              leaf: fc.integer({ min: 0, max: nLeaves - 1 }),
              weight: fc.double({ min: 0.01, max: 10, noNaN: true }),
            }),
            { minLength: 1, maxLength: nLeaves, selector: (e) => e.leaf },
          ),
        }),
        { minLength: nMids, maxLength: nMids },
      ),
      rootAggregation: aggregation,
      rootWeights: fc.array(fc.double({ min: 0.01, max: 10, noNaN: true }), {
        minLength: nMids,
        maxLength: nMids,
      }),
      lower: fc.array(fc.boolean(), { minLength: nLeaves, maxLength: nLeaves }),
      values: fc.array(missingOr(fc.integer({ min: 0, max: 20 })), {
        minLength: nUnits * nLeaves,
        maxLength: nUnits * nLeaves,
      }),
    }),
  );
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function build(s: Scenario, scale = 1, rootKind?: Aggregation): { m: IndexMethodology; data: IndexData } {
  const leaves: IndexNode[] = Array.from({ length: s.nLeaves }, (_, k) => ({
    code: `L${k}`,
    name_vi: `L${k}`,
    name_en: `L${k}`,
    indicator: `i${k}`,
    direction: s.lower[k] ? 'lower' : 'higher',
    normalisation: { kind: 'minmax', lower: 1, upper: 100 },
  }));
  const mids: IndexNode[] = s.mids.map((mid, j) => ({
    code: `M${j}`,
    name_vi: `M${j}`,
    name_en: `M${j}`,
    aggregation: mid.aggregation,
    children: mid.edges.map((e) => ({ code: `L${e.leaf}`, weight: e.weight * scale })),
  }));
  const root: IndexNode = {
    code: 'R',
    name_vi: 'R',
    name_en: 'R',
    aggregation: rootKind ?? s.rootAggregation,
    children: s.mids.map((_, j) => ({ code: `M${j}`, weight: (s.rootWeights[j] as number) * scale })),
  };
  // Leaves fed into no middle node hang off the root with weight 1 (scaled too).
  const used = new Set(s.mids.flatMap((m) => m.edges.map((e) => e.leaf)));
  for (let k = 0; k < s.nLeaves; k++) if (!used.has(k)) root.children?.push({ code: `L${k}`, weight: scale });
  const m: IndexMethodology = {
    code: 'P',
    version: '1',
    name_vi: 'P',
    name_en: 'P',
    valid_from: 2020,
    valid_to: null,
    root: 'R',
    nodes: [root, ...mids, ...leaves],
  };
  const data: IndexData = {
    units: Array.from({ length: s.nUnits }, (_, u) => `u${u}`),
    indicators: Array.from({ length: s.nLeaves }, (_, k) => `i${k}`),
    values: Float64Array.from(s.values),
  };
  return { m, data };
}

const scores = (r: ReturnType<typeof computeIndex>, code: string) => Array.from(r.nodes[code]?.score ?? []);
const ranks = (r: ReturnType<typeof computeIndex>, code: string) => Array.from(r.nodes[code]?.rank ?? []);

describe('properties', () => {
  it('min-max output lies within [lower, upper]', () => {
    fc.assert(
      fc.property(
        fc.array(missingOr(fc.double({ min: -1e6, max: 1e6, noNaN: true })), { minLength: 1, maxLength: 30 }),
        fc.double({ min: -1000, max: 1000, noNaN: true }),
        fc.double({ min: 1e-3, max: 1000, noNaN: true }),
        fc.boolean(),
        (x, lower, span, lowerIsBetter) => {
          const upper = lower + span;
          const eps = 1e-9 * Math.max(1, Math.abs(lower), Math.abs(upper));
          for (const v of nMinmax(x, lower, upper, lowerIsBetter ? 'lower' : 'higher')) {
            if (Number.isNaN(v)) continue;
            expect(v).toBeGreaterThanOrEqual(lower - eps);
            expect(v).toBeLessThanOrEqual(upper + eps);
          }
        },
      ),
    );
  });

  it('goalposts output lies within [0, scale], missing stays missing', () => {
    fc.assert(
      fc.property(
        fc.array(missingOr(fc.double({ min: -1e6, max: 1e6, noNaN: true })), { minLength: 1, maxLength: 30 }),
        fc.double({ min: -1000, max: 1000, noNaN: true }),
        fc.double({ min: 1e-3, max: 1000, noNaN: true }),
        fc.double({ min: 1e-3, max: 1000, noNaN: true }),
        fc.boolean(),
        (x, min, span, scale, lower) => {
          const out = nGoalposts(x, { min, max: min + span, scale, direction: lower ? 'lower' : 'higher' });
          out.forEach((v, i) => {
            if (Number.isNaN(x[i] as number)) expect(v).toBeNaN();
            else {
              expect(v).toBeGreaterThanOrEqual(0);
              expect(v).toBeLessThanOrEqual(scale);
            }
          });
        },
      ),
    );
  });

  it('ranks: ties share the best rank, rank = 1 + the number of better scores', () => {
    fc.assert(
      fc.property(
        fc.array(missingOr(fc.integer({ min: 0, max: 5 })), { maxLength: 25 }),
        fc.boolean(),
        (x, higher) => {
          const r = rankWithTies(x, { higherIsBetter: higher });
          x.forEach((v, i) => {
            if (Number.isNaN(v)) {
              expect(r[i]).toBeNaN();
              return;
            }
            const better = x.filter((w) => !Number.isNaN(w) && (higher ? w > v : w < v)).length;
            expect(r[i]).toBe(1 + better);
            x.forEach((w, j) => {
              if (w === v) expect(r[j]).toBe(r[i]);
            });
          });
        },
      ),
    );
  });

  it('ranks of any doubles (±0, infinities, rounding to decimals) are 1 + the number of better keys', () => {
    const value = fc.oneof(
      fc.double({ noNaN: true, min: -1e6, max: 1e6 }),
      fc.constantFrom(0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1.23456, 1.23454),
    );
    fc.assert(
      fc.property(
        fc.array(missingOr(value), { maxLength: 40 }),
        fc.boolean(),
        fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
        (x, higher, decimals) => {
          const r = rankWithTies(
            x,
            decimals === undefined ? { higherIsBetter: higher } : { higherIsBetter: higher, decimals },
          );
          const f = decimals === undefined ? 0 : 10 ** decimals;
          const key = (v: number) => (f === 0 || !Number.isFinite(v) ? v : Math.round(v * f) / f);
          x.forEach((v, i) => {
            if (Number.isNaN(v)) {
              expect(r[i]).toBeNaN();
              return;
            }
            const k = key(v);
            const better = x.filter((w) => !Number.isNaN(w) && (higher ? key(w) > k : key(w) < k)).length;
            expect(r[i]).toBe(1 + better);
          });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('the arithmetic aggregation column by column is exactly aMean row by row (missing values, zero weights, min share)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }).chain((m) =>
          fc.record({
            cols: fc.array(
              fc.array(missingOr(fc.double({ min: -1e3, max: 1e3, noNaN: true })), {
                minLength: 7,
                maxLength: 7,
              }),
              { minLength: m, maxLength: m },
            ),
            w: fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 10, noNaN: true })), {
              minLength: m,
              maxLength: m,
            }),
            share: fc.constantFrom(0, 0.5, 1),
          }),
        ),
        ({ cols, w, share }) => {
          const columns = cols.map((c) => Float64Array.from(c));
          const weights = Float64Array.from(w);
          const out = aggregateColumns(columns, weights, { kind: 'arithmetic' }, share);
          const counted = w.filter((x) => x > 0).length;
          for (let u = 0; u < 7; u++) {
            const row = columns.map((c) => c[u] as number);
            const have = row.filter((v, k) => !Number.isNaN(v) && (w[k] as number) > 0).length;
            const expected = have > 0 && have / counted >= share ? aMean(row, weights) : Number.NaN;
            expect(Object.is(out[u], expected) || (Number.isNaN(out[u]) && Number.isNaN(expected))).toBe(
              true,
            );
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('scaling every weight by a power of two leaves every score and rank identical', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: -8, max: 8 }), (s, k) => {
        const a = build(s);
        const b = build(s, 2 ** k);
        const ra = computeIndex(a.m, a.data);
        const rb = computeIndex(b.m, b.data);
        for (const code of ra.order) {
          expect(scores(rb, code)).toEqual(scores(ra, code));
          expect(ranks(rb, code)).toEqual(ranks(ra, code));
        }
      }),
    );
  });

  it('scaling every weight by any positive constant leaves scores (to rounding) and the order unchanged', () => {
    // Copeland compares child scores for equality, so rounding noise may turn a tie into a win:
    // it is covered exactly by the power-of-two property above.
    fc.assert(
      fc.property(scenario, mean, fc.double({ min: 0.01, max: 100, noNaN: true }), (s, rootKind, c) => {
        const a = build(s, 1, rootKind);
        const b = build(s, c, rootKind);
        const ra = computeIndex(a.m, a.data);
        const rb = computeIndex(b.m, b.data);
        for (const code of ra.order) {
          const sa = scores(ra, code);
          const sb = scores(rb, code);
          sa.forEach((v, i) => {
            const w = sb[i] as number;
            if (Number.isNaN(v)) expect(w).toBeNaN();
            else expect(Math.abs(w - v)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(v)));
          });
          // Units whose scores differ beyond rounding keep their order.
          const rka = ranks(ra, code);
          const rkb = ranks(rb, code);
          sa.forEach((v, i) => {
            sa.forEach((w, j) => {
              if (Number.isNaN(v) || Number.isNaN(w) || Math.abs(v - w) <= 1e-6 * Math.max(1, Math.abs(v)))
                return;
              expect(Math.sign((rka[i] as number) - (rka[j] as number))).toBe(
                Math.sign((rkb[i] as number) - (rkb[j] as number)),
              );
            });
          });
        }
      }),
    );
  });

  it('with a sum of points, scaling weights scales the scores and keeps the ranks', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: -4, max: 4 }), (s, k) => {
        const a = build(s, 1, { kind: 'sum' });
        const b = build(s, 2 ** k, { kind: 'sum' });
        const ra = computeIndex(a.m, a.data);
        const rb = computeIndex(b.m, b.data);
        expect(ranks(rb, 'R')).toEqual(ranks(ra, 'R'));
      }),
    );
  });

  it('permuting the units permutes every score, rank and strength', () => {
    fc.assert(
      fc.property(
        scenario.chain((s) =>
          fc.tuple(
            fc.constant(s),
            fc.shuffledSubarray(
              Array.from({ length: s.nUnits }, (_, i) => i),
              { minLength: s.nUnits, maxLength: s.nUnits },
            ),
          ),
        ),
        ([s, perm]) => {
          const { m, data } = build(s);
          const nI = data.indicators.length;
          const values = new Float64Array(data.values.length);
          perm.forEach((from, to) => {
            values.set(data.values.subarray(from * nI, from * nI + nI), to * nI);
          });
          const permuted = { ...data, units: perm.map((i) => data.units[i] as string), values };
          const r0 = computeIndex(m, data);
          const r1 = computeIndex(m, permuted);
          for (const code of r0.order) {
            expect(scores(r1, code)).toEqual(perm.map((i) => scores(r0, code)[i]));
            expect(ranks(r1, code)).toEqual(perm.map((i) => ranks(r0, code)[i]));
          }
          expect(r1.strengths).toEqual(perm.map((i) => r0.strengths[i]));
        },
      ),
    );
  });

  it('sensitivity with zero noise: median rank = nominal rank, for any seed and run count', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 1, max: 15 }), fc.integer(), (s, runs, seed) => {
        const { m, data } = build(s);
        const out = sensitivity(m, data, { runs, seed, weightNoise: 0, remove: [] });
        for (const u of out.units) {
          expect(u.median).toBe(u.nominal);
          expect(u.q5).toBe(u.nominal);
          expect(u.q95).toBe(u.nominal);
        }
      }),
      { numRuns: 50 },
    );
  });
  it('a run that reuses the nominal leaves equals one that recomputes them (any weights, any aggregation)', () => {
    fc.assert(
      fc.property(
        scenario,
        fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 40, maxLength: 40 }),
        fc.option(aggregation, { nil: undefined }),
        (s, noise, agg) => {
          const { m, data } = build(s);
          const plan = makePlan(validateMethodology(m));
          const prepared = prepareData(plan, data);
          const weights = plan.weights.map((w, e) => w * (noise[e % noise.length] as number));
          const run = (reuse: boolean) => {
            try {
              const base = evaluate(plan, prepared);
              const o = { weights, ...(agg ? { aggregation: agg } : {}) };
              return evaluate(plan, prepared, reuse ? { ...o, reuseLeaves: base } : o);
            } catch (e) {
              return String(e);
            }
          };
          const a = run(true);
          const b = run(false);
          if (typeof a === 'string' || typeof b === 'string') return expect(a).toEqual(b);
          expect(a.raw.map((x) => (x ? Array.from(x) : x))).toEqual(
            b.raw.map((x) => (x ? Array.from(x) : x)),
          );
          expect(a.score.map((x) => (x ? Array.from(x) : x))).toEqual(
            b.score.map((x) => (x ? Array.from(x) : x)),
          );
          expect(a.treatment).toEqual(b.treatment);
        },
      ),
      { numRuns: 200 },
    );
  });
});
