import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChisoError } from './errors.ts';
import {
  assessArrays,
  assessProgress,
  type Comparator,
  METHOD_PROFILES,
  type MethodProfile,
  newArrayAssessment,
  type ProgressInput,
  prepareAssessment,
  toProgressResult,
} from './progress.ts';

/** A profile that scores like open-sdg but keeps no zero replacement and a percent tolerance. */
const custom: MethodProfile = {
  ...METHOD_PROFILES['open-sdg'],
  id: 'custom',
  zeroReplacement: null,
  percentBoundTolerance: 0.5,
};

const arbValue = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) },
  { weight: 3, arbitrary: fc.integer({ min: -5, max: 5 }) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, 0, -0, 100) },
  { weight: 2, arbitrary: fc.constant(null) },
);

/** A series on a calendar: strictly increasing integer years, each with a value or none. */
const arbSeries = fc
  .uniqueArray(fc.integer({ min: 2005, max: 2035 }), { maxLength: 12 })
  .chain((years) =>
    fc.tuple(
      fc.constant([...years].sort((a, b) => a - b)),
      fc.array(arbValue, { minLength: years.length, maxLength: years.length }),
    ),
  );

const arbSettings = fc.record({
  target: fc.option(
    fc.oneof(
      fc.double({ min: -1e6, max: 1e6, noNaN: true }),
      fc.integer({ min: -5, max: 5 }),
      fc.constant(100),
    ),
  ),
  spread: fc.option(fc.double({ min: -10, max: 1e3, noNaN: true })),
  comparator: fc.constantFrom<Comparator>('>=', '<=', '=', 'range'),
  direction: fc.constantFrom<'increase' | 'decrease'>('increase', 'decrease'),
  profile: fc.constantFrom<ProgressInput['profile']>('open-sdg', 'un-2022', 'un-2023', custom),
  targetYear: fc.integer({ min: 2005, max: 2040 }),
  baseYear: fc.option(fc.integer({ min: 2000, max: 2036 })),
  currentYear: fc.option(fc.integer({ min: 2000, max: 2036 })),
  limit: fc.option(fc.oneof(fc.double({ min: -200, max: 200, noNaN: true }), fc.constant(100))),
  isPercent: fc.boolean(),
});

function errorOf(fn: () => unknown): ChisoError | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (e instanceof ChisoError) return e;
    throw e;
  }
}

describe('assessArrays — the array form of assessProgress', () => {
  it('gives exactly what assessProgress gives on the same series (property)', () => {
    const out = newArrayAssessment();
    fc.assert(
      fc.property(arbSeries, arbSettings, ([years, vals], s) => {
        const settings: Omit<ProgressInput, 'series'> = {
          target: s.target,
          ...(s.spread !== null && s.target !== null ? { targetMax: s.target + s.spread } : {}),
          targetYear: s.targetYear,
          direction: s.direction,
          comparator: s.comparator,
          profile: s.profile,
          ...(s.baseYear !== null ? { baseYear: s.baseYear } : {}),
          ...(s.currentYear !== null ? { currentYear: s.currentYear } : {}),
          ...(s.limit !== null ? { limit: s.limit } : {}),
          isPercent: s.isPercent,
        };
        const series = years.map((year, k) => ({ year, value: vals[k]! }));
        const refError = errorOf(() => assessProgress({ ...settings, series }));
        const prepError = errorOf(() => prepareAssessment(settings));
        expect(prepError?.code).toBe(refError?.code);
        expect(prepError?.en).toBe(refError?.en);
        if (refError) return;
        const expected = assessProgress({ ...settings, series });
        const p = prepareAssessment(settings);
        const values = Float64Array.from(vals, (v) => (v === null ? Number.NaN : v));
        const a = assessArrays(p, Int32Array.from(years), values, years.length, out);
        expect(toProgressResult(p, years, values, a)).toEqual(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it('reads only the first n entries, and a reused result keeps nothing of the previous series', () => {
    const p = prepareAssessment({
      target: 100,
      targetYear: 2030,
      direction: 'increase',
      comparator: '>=',
      profile: 'open-sdg',
      baseYear: 2015,
    });
    const years = Int32Array.from([2015, 2020, 2022, 2023]);
    const values = Float64Array.from([50, 70, 80, 120]);
    const out = newArrayAssessment();
    expect(assessArrays(p, years, values, 4, out).status).toBe('target_achieved');
    const r = assessArrays(p, years, values, 3, out);
    expect(r.status).toBe(
      assessProgress({
        series: [
          { year: 2015, value: 50 },
          { year: 2020, value: 70 },
          { year: 2022, value: 80 },
        ],
        target: 100,
        targetYear: 2030,
        direction: 'increase',
        comparator: '>=',
        profile: 'open-sdg',
        baseYear: 2015,
      }).status,
    );
    expect(r.status).not.toBe('target_achieved');
    expect(r.current).toBe(2);
    expect(r.base).toBe(0);
    const empty = assessArrays(p, years, new Float64Array(4).fill(Number.NaN), 4, out);
    expect(empty.status).toBe('insufficient_data');
    expect(empty.reason).toBe('no_data');
    expect(Number.isNaN(empty.attainment)).toBe(true);
    expect(empty.current).toBe(-1);
  });

  it('checks the target once, with the errors of assessProgress', () => {
    const bad = { targetYear: 2030, direction: 'increase', profile: 'open-sdg' } as const;
    expect(errorOf(() => prepareAssessment({ ...bad, target: 5, comparator: 'range' }))?.code).toBe(
      'progress.bad_target',
    );
    expect(errorOf(() => prepareAssessment({ ...bad, target: 5, comparator: '>' } as never))?.code).toBe(
      'progress.bad_target',
    );
    expect(
      errorOf(() =>
        prepareAssessment({
          target: 5,
          comparator: '>=',
          targetYear: 2030,
          direction: 'up',
          profile: 'open-sdg',
        } as never),
      )?.code,
    ).toBe('progress.bad_direction');
    expect(
      errorOf(() => prepareAssessment({ ...bad, target: 5, comparator: '>=', profile: 'nope' } as never))
        ?.code,
    ).toBe('progress.unknown_profile');
  });
});
