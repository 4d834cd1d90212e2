import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChisoError } from './errors.ts';
import {
  assessProgress,
  attainment,
  cagr,
  combineProgress,
  isTargetMet,
  limitCoefficient,
  METHOD_PROFILES,
  type MethodProfile,
  type ProgressInput,
  type ProgressStatus,
  projectToYear,
  STATUS_LABELS,
  STATUS_ORDER,
  statusFromScore,
} from './progress.ts';

function errorOf(fn: () => unknown): ChisoError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ChisoError) return e;
    throw e;
  }
  throw new Error('expected a ChisoError');
}

describe('attainment and isTargetMet', () => {
  it('≥: actual/target, capped at 2 by default', () => {
    expect(attainment({ actual: 80, target: 100, comparator: '>=' })).toBe(0.8);
    expect(attainment({ actual: 120, target: 100, comparator: '>=' })).toBe(1.2);
    expect(attainment({ actual: 500, target: 100, comparator: '>=' })).toBe(2);
    expect(attainment({ actual: 500, target: 100, comparator: '>=', cap: 1 })).toBe(1);
    expect(attainment({ actual: -5, target: 100, comparator: '>=' })).toBe(0);
  });

  it('≤: target/actual', () => {
    expect(attainment({ actual: 10, target: 5, comparator: '<=' })).toBe(0.5);
    expect(attainment({ actual: 4, target: 5, comparator: '<=' })).toBe(1.25);
    expect(attainment({ actual: 0, target: 5, comparator: '<=' })).toBe(1);
    expect(attainment({ actual: 3, target: 0, comparator: '<=' })).toBe(0);
  });

  it('with a baseline: the share of the planned change achieved', () => {
    expect(attainment({ actual: 60, target: 100, baseline: 40, comparator: '>=' })).toBeCloseTo(1 / 3, 12);
    expect(attainment({ actual: 15, target: 10, baseline: 20, comparator: '<=' })).toBe(0.5);
    expect(attainment({ actual: 25, target: 10, baseline: 20, comparator: '<=' })).toBe(0);
    // baseline on the wrong side: fall back to the ratio
    expect(attainment({ actual: 80, target: 100, baseline: 120, comparator: '>=' })).toBe(0.8);
  });

  it('= and range: 1 when met, else distance-based', () => {
    expect(attainment({ actual: 100, target: 100, comparator: '=' })).toBe(1);
    expect(attainment({ actual: 90, target: 100, comparator: '=' })).toBeCloseTo(0.9, 12);
    expect(attainment({ actual: 110, target: 100, comparator: '=' })).toBeCloseTo(0.9, 12);
    expect(attainment({ actual: 90, target: 100, comparator: '=', baseline: 50 })).toBeCloseTo(0.8, 12);
    expect(attainment({ actual: 1, target: 0, comparator: '=' })).toBe(0);
    const range = { target: 40, targetMax: 60, comparator: 'range' as const };
    expect(attainment({ ...range, actual: 50 })).toBe(1);
    expect(attainment({ ...range, actual: 30 })).toBe(0.75);
    expect(attainment({ ...range, actual: 75 })).toBe(0.75);
    expect(attainment({ ...range, actual: 200 })).toBe(0);
  });

  it('is null for a missing actual', () => {
    expect(attainment({ actual: null, target: 1, comparator: '>=' })).toBeNull();
    expect(isTargetMet({ actual: null, target: 1, comparator: '>=' })).toBeNull();
  });

  it('decides whether a target is met, with a tolerance for decimals', () => {
    expect(isTargetMet({ actual: 0.1 + 0.2, target: 0.3, comparator: '<=' })).toBe(true);
    expect(isTargetMet({ actual: 0.1 + 0.2, target: 0.3, comparator: '=' })).toBe(true);
    expect(isTargetMet({ actual: 99, target: 100, comparator: '>=' })).toBe(false);
    expect(isTargetMet({ actual: 60, target: 40, targetMax: 60, comparator: 'range' })).toBe(true);
  });

  it('rejects ill-formed targets', () => {
    expect(errorOf(() => attainment({ actual: 1, target: 1, comparator: 'range' })).code).toBe(
      'progress.bad_target',
    );
    expect(errorOf(() => attainment({ actual: 1, target: 5, targetMax: 4, comparator: 'range' })).code).toBe(
      'progress.bad_target',
    );
    expect(errorOf(() => isTargetMet({ actual: 1, target: Number.NaN, comparator: '>=' })).code).toBe(
      'progress.bad_target',
    );
  });

  it('met targets have attainment ≥ 1 and unmet < 1 for ≥ and ≤ (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 1e6, noNaN: true }),
        fc.double({ min: 0.01, max: 1e6, noNaN: true }),
        fc.constantFrom<'>=' | '<='>('>=', '<='),
        (actual, target, comparator) => {
          const a = attainment({ actual, target, comparator })!;
          expect(a).toBeGreaterThanOrEqual(0);
          expect(a).toBeLessThanOrEqual(2);
          if (isTargetMet({ actual, target, comparator })) expect(a).toBeGreaterThanOrEqual(1 - 1e-9);
          else expect(a).toBeLessThan(1);
        },
      ),
    );
  });
});

describe('assessProgress — open-sdg (Statistics Canada method), results quoted in progress-and-peers.md §1.5', () => {
  it('Canada 1-2-1: 14.5 → 10.2 over 2015–2023, target 7.25, decrease: P = 0.9525901792, score 2.5186', () => {
    const r = assessProgress({
      series: [
        { year: 2015, value: 14.5 },
        { year: 2023, value: 10.2 },
      ],
      target: 7.25,
      targetYear: 2030,
      direction: 'decrease',
      comparator: '<=',
      profile: 'open-sdg',
    });
    expect(r.ratio).toBeCloseTo(0.9525901792, 10);
    expect(r.score).toBeCloseTo(2.5186, 4);
    expect(r.status).toBe('substantial_progress');
    expect(r.measure).toBe('cagr_ratio');
    expect(r.cagrActual).toBeCloseTo(-0.0430174446, 9);
    expect(r.cagrRequired).toBeCloseTo(-0.0451583961, 9);
    expect(r.attainment).toBeCloseTo(7.25 / 10.2, 12);
    expect(r.reason.code).toBe('assessed');
  });

  it('Canada 1-3-1: 90 → 93.2 over 2015–2021, increase, limit 100: C = 0.37362, P = 0.00584, score 2.8154', () => {
    const r = assessProgress({
      series: [
        { year: 2015, value: 90 },
        { year: 2018, value: 91 },
        { year: 2021, value: 93.2 },
      ],
      target: null,
      targetYear: 2030,
      direction: 'increase',
      comparator: '>=',
      profile: 'open-sdg',
      limit: 100,
    });
    expect(limitCoefficient(90, 100)).toBeCloseTo(0.37362, 5);
    expect(r.ratio).toBeCloseTo(0.00584, 5);
    expect(r.score).toBeCloseTo(2.8154, 4);
    expect(r.status).toBe('substantial_progress');
    expect(r.measure).toBe('directed_cagr');
    expect(r.bands![0]!.min).toBeCloseTo(0.015 * 0.37362164501, 10);
  });

  it('without the limit the same series is only moderate progress', () => {
    const r = assessProgress({
      series: [
        { year: 2015, value: 90 },
        { year: 2021, value: 93.2 },
      ],
      target: null,
      targetYear: 2030,
      direction: 'increase',
      comparator: '>=',
      profile: 'open-sdg',
    });
    expect(r.status).toBe('moderate_progress');
    expect(r.score).toBeCloseTo(250 * 0.005839995229728112 - 1.25, 10);
  });

  it('a met target wins first, with score 5, even from a single year', () => {
    const r = assessProgress({
      series: [{ year: 2024, value: 7 }],
      target: 7.25,
      targetYear: 2030,
      direction: 'decrease',
      comparator: '<=',
      profile: 'open-sdg',
    });
    expect(r.status).toBe('target_achieved');
    expect(r.score).toBe(5);
    expect(r.reason.code).toBe('target_met');
  });

  it('replaces a zero base by 0.001', () => {
    const r = assessProgress({
      series: [
        { year: 2015, value: 0 },
        { year: 2020, value: 5 },
      ],
      target: 50,
      targetYear: 2030,
      direction: 'increase',
      comparator: '>=',
      profile: 'open-sdg',
    });
    expect(r.cagrActual).toBeCloseTo((5 / 0.001) ** (1 / 5) - 1, 10);
    expect(r.status).not.toBe('not_computable');
  });

  it('uses the next year with data when the base year has none; negative base values flip the sign', () => {
    const r = assessProgress({
      series: [
        { year: 2012, value: 1 },
        { year: 2017, value: -20 },
        { year: 2022, value: -10 },
      ],
      target: null,
      targetYear: 2030,
      direction: 'increase',
      comparator: '>=',
      profile: 'open-sdg',
    });
    expect(r.base).toEqual({ year: 2017, value: -20 });
    // −20 → −10 is an increase: CAGR of the magnitudes is negative, the sign makes P positive
    expect(r.cagrActual!).toBeLessThan(0);
    expect(r.ratio!).toBeGreaterThan(0);
    expect(r.status).toBe('substantial_progress');
  });
});

describe('assessProgress — UN profiles (worked examples: base 50 in 2015, target 100 in 2030, latest in 2022)', () => {
  // Required CAGR (100/50)^(1/15) − 1 = 0.0472941228.
  const run = (current: number, profile: 'open-sdg' | 'un-2022' | 'un-2023') =>
    assessProgress({
      series: [
        { year: 2015, value: 50 },
        { year: 2022, value: current },
      ],
      target: 100,
      targetYear: 2030,
      direction: 'increase',
      comparator: '>=',
      profile,
    });

  it.each<[number, number, ProgressStatus, ProgressStatus]>([
    // latest, R = CR_a / CR_r, un-2022 status, open-sdg status
    [80, 1.4684446166, 'substantial_progress', 'substantial_progress'],
    [70, 1.0411745544, 'substantial_progress', 'substantial_progress'],
    [62, 0.6598545818, 'moderate_progress', 'moderate_progress'],
    [60, 0.5579571981, 'moderate_progress', 'limited_progress'], // 0.5 ≤ R < 0.6: the profiles differ
    [52, 0.1188030271, 'limited_progress', 'limited_progress'],
    [49, -0.0609365411, 'limited_progress', 'deterioration'], // −0.1 ≤ R < 0: the profiles differ
    [45, -0.3158699997, 'deterioration', 'deterioration'],
  ])('un-2022: latest %d gives R = %d → %s (open-sdg: %s)', (current, ratio, un, sdg) => {
    const r = run(current, 'un-2022');
    expect(r.ratio).toBeCloseTo(ratio, 9);
    expect(r.cagrRequired).toBeCloseTo(0.0472941228, 9);
    expect(r.status).toBe(un);
    expect(r.score).toBeNull();
    expect(run(current, 'open-sdg').status).toBe(sdg);
  });

  it.each<[number, number, number, ProgressStatus]>([
    // latest, projected 2030 value v_t·(1+CAGR)^8, r = (v̂ − 50)/(100 − 50), status
    [70, 102.8256608511, 1.056513217, 'substantial_progress'],
    [60, 73.8999429305, 0.4779988586, 'moderate_progress'],
    [51, 52.1673701632, 0.0433474033, 'stagnation_or_regression'],
    [45, 39.8949788204, -0.2021004236, 'stagnation_or_regression'],
  ])('un-2023: latest %d projects to %d in 2030, r = %d → %s', (current, projected, ratio, status) => {
    const r = run(current, 'un-2023');
    expect(r.projection!.year).toBe(2030);
    expect(r.projection!.value).toBeCloseTo(projected, 8);
    expect(r.ratio).toBeCloseTo(ratio, 9);
    expect(r.measure).toBe('projection_ratio');
    expect(r.status).toBe(status);
  });

  it('un-2023 without target: CAGR ≥ 2% / ≥ 0.5% / below, mirrored for a decrease', () => {
    const grow = (g: number, direction: 'increase' | 'decrease') =>
      assessProgress({
        series: [
          { year: 2015, value: 100 },
          { year: 2020, value: 100 * (1 + g) ** 5 },
        ],
        target: null,
        targetYear: 2030,
        direction,
        comparator: direction === 'increase' ? '>=' : '<=',
        profile: 'un-2023',
      }).status;
    expect(grow(0.025, 'increase')).toBe('substantial_progress');
    expect(grow(0.01, 'increase')).toBe('moderate_progress');
    expect(grow(0.003, 'increase')).toBe('stagnation_or_regression');
    expect(grow(-0.01, 'increase')).toBe('stagnation_or_regression');
    expect(grow(-0.025, 'decrease')).toBe('substantial_progress');
    expect(grow(-0.01, 'decrease')).toBe('moderate_progress');
    expect(grow(-0.003, 'decrease')).toBe('stagnation_or_regression');
    expect(grow(0.01, 'decrease')).toBe('stagnation_or_regression');
  });

  it('un-2023: a percentage within 1 point of a 100% target counts as achieved', () => {
    const input: ProgressInput = {
      series: [
        { year: 2015, value: 90 },
        { year: 2022, value: 99.3 },
      ],
      target: 100,
      targetYear: 2030,
      direction: 'increase',
      comparator: '>=',
      profile: 'un-2023',
      isPercent: true,
    };
    expect(assessProgress(input).status).toBe('target_achieved');
    expect(assessProgress({ ...input, isPercent: false }).status).not.toBe('target_achieved');
    expect(assessProgress({ ...input, profile: 'un-2022' }).status).not.toBe('target_achieved');
  });
});

describe('assessProgress — data it cannot judge', () => {
  const base: ProgressInput = {
    series: [],
    target: 100,
    targetYear: 2030,
    direction: 'increase',
    comparator: '>=',
    profile: 'open-sdg',
  };

  it('reports insufficient data instead of throwing', () => {
    expect(assessProgress(base).status).toBe('insufficient_data');
    expect(assessProgress(base).reason.code).toBe('no_data');
    const one = assessProgress({ ...base, series: [{ year: 2020, value: 50 }] });
    expect(one.status).toBe('insufficient_data');
    expect(one.reason.code).toBe('fewer_than_two_years');
    const nulls = assessProgress({
      ...base,
      series: [
        { year: 2015, value: null },
        { year: 2020, value: Number.NaN },
      ],
    });
    expect(nulls.reason.code).toBe('no_data');
    const old = assessProgress({
      ...base,
      series: [
        { year: 2010, value: 1 },
        { year: 2012, value: 2 },
      ],
    });
    expect(old.reason.code).toBe('no_data_since_base_year');
    expect(old.reason.vi).toBe('Không có số liệu từ năm gốc trở đi');
  });

  it('reports what the method cannot handle', () => {
    const series = (a: number, b: number) => [
      { year: 2015, value: a },
      { year: 2020, value: b },
    ];
    expect(assessProgress({ ...base, series: series(5, -5) }).reason.code).toBe('opposite_signs');
    expect(assessProgress({ ...base, series: series(0, 5), profile: 'un-2022' }).reason.code).toBe(
      'zero_base',
    );
    expect(assessProgress({ ...base, series: series(100.5, 99), target: 100.5 }).status).toBe(
      'not_computable',
    );
    const dup = assessProgress({
      ...base,
      series: [
        { year: 2015, value: 1 },
        { year: 2015, value: 2 },
      ],
    });
    expect(dup.reason.code).toBe('duplicate_year');
  });

  it('honours baseYear and currentYear', () => {
    const series = [
      { year: 2015, value: 10 },
      { year: 2018, value: 20 },
      { year: 2020, value: 40 },
      { year: 2024, value: 200 },
    ];
    const r = assessProgress({ ...base, series, baseYear: 2018, currentYear: 2020 });
    expect(r.base).toEqual({ year: 2018, value: 20 });
    expect(r.current).toEqual({ year: 2020, value: 40 });
    expect(r.cagrActual).toBeCloseTo(Math.SQRT2 - 1, 12);
  });

  it('throws only for an unknown profile or an ill-formed target', () => {
    expect(errorOf(() => assessProgress({ ...base, profile: 'who-2019' as 'un-2022' })).code).toBe(
      'progress.unknown_profile',
    );
    expect(errorOf(() => assessProgress({ ...base, comparator: 'range' })).code).toBe('progress.bad_target');
    expect(errorOf(() => assessProgress({ ...base, direction: 'up' as 'increase' })).code).toBe(
      'progress.bad_direction',
    );
  });

  it('accepts a custom profile as data', () => {
    const strict: MethodProfile = {
      ...METHOD_PROFILES['open-sdg'],
      id: 'strict',
      withTarget: {
        ...METHOD_PROFILES['open-sdg'].withTarget,
        bands: [
          { min: 1, status: 'substantial_progress' },
          { min: Number.NEGATIVE_INFINITY, status: 'limited_progress' },
        ],
      },
    };
    const r = assessProgress({
      ...base,
      profile: strict,
      series: [
        { year: 2015, value: 50 },
        { year: 2022, value: 70 },
      ],
    });
    expect(r.profile).toBe('strict');
    expect(r.status).toBe('substantial_progress');
  });

  it('never throws on arbitrary series, and its statuses are labelled (property)', () => {
    const arbSeries = fc.array(
      fc.record({
        year: fc.integer({ min: 2000, max: 2035 }),
        value: fc.oneof(
          fc.double({ noDefaultInfinity: true }),
          fc.constant(null),
          fc.integer({ min: -5, max: 5 }),
        ),
      }),
      { maxLength: 8 },
    );
    fc.assert(
      fc.property(
        arbSeries,
        fc.option(fc.double({ min: -1e6, max: 1e6, noNaN: true })),
        fc.constantFrom<'open-sdg' | 'un-2022' | 'un-2023'>('open-sdg', 'un-2022', 'un-2023'),
        fc.constantFrom<'increase' | 'decrease'>('increase', 'decrease'),
        (series, target, profile, direction) => {
          const r = assessProgress({
            series,
            target,
            targetYear: 2030,
            direction,
            comparator: direction === 'increase' ? '>=' : '<=',
            profile,
          });
          expect(STATUS_LABELS[r.status]).toBeDefined();
          if (r.score !== null) {
            expect(r.score).toBeGreaterThanOrEqual(-5);
            expect(r.score).toBeLessThanOrEqual(5);
          }
          if (target !== null && r.current) {
            const met = isTargetMet({
              actual: r.current.value,
              target,
              comparator: direction === 'increase' ? '>=' : '<=',
            });
            expect(r.status === 'target_achieved').toBe(met === true);
          }
        },
      ),
    );
  });
});

describe('helpers', () => {
  it('cagr', () => {
    expect(cagr(121, 100, 2022, 2020)).toBeCloseTo(0.1, 12);
    expect(cagr(1, 0, 2022, 2020)).toBeNull();
    expect(cagr(1, 1, 2020, 2020)).toBeNull();
    expect(cagr(-1, 1, 2022, 2020)).toBeNull();
  });

  it('projectToYear extrapolates at the compound growth rate', () => {
    const s = [
      { year: 2020, value: 100 },
      { year: 2021, value: 105 },
      { year: 2022, value: 121 },
    ];
    expect(projectToYear(s, 2024)!.value).toBeCloseTo(146.41, 9);
    expect(projectToYear(s, 2024, 2021)!.value).toBeCloseTo(121 * (121 / 105) ** 2, 9);
    expect(projectToYear(s, 2022)).toEqual({ year: 2022, value: 121 });
    expect(projectToYear(s, 2019)).toBeNull();
    expect(projectToYear([{ year: 2020, value: 1 }], 2030)).toBeNull();
  });

  it('combines series the Open SDG way', () => {
    expect(statusFromScore(2.5)).toBe('substantial_progress');
    expect(statusFromScore(0)).toBe('moderate_progress');
    expect(statusFromScore(-2.5)).toBe('limited_progress');
    expect(statusFromScore(-2.6)).toBe('deterioration');
    expect(
      combineProgress([
        { status: 'target_achieved', score: 5 },
        { status: 'moderate_progress', score: 1 },
      ]),
    ).toEqual({
      status: 'substantial_progress',
      score: 3,
    });
    expect(combineProgress([{ status: 'target_achieved', score: 5 }])).toEqual({
      status: 'target_achieved',
      score: 5,
    });
    expect(combineProgress([{ status: 'insufficient_data', score: null }]).status).toBe('insufficient_data');
  });

  it('labels every status in both languages, in a stable order', () => {
    expect(Object.keys(STATUS_LABELS).sort()).toEqual([...STATUS_ORDER].sort());
    for (const s of STATUS_ORDER) {
      expect(STATUS_LABELS[s].vi.length).toBeGreaterThan(0);
      expect(STATUS_LABELS[s].en.length).toBeGreaterThan(0);
    }
    expect(STATUS_LABELS.target_achieved.vi).toBe('Đã đạt mục tiêu');
  });

  it('profiles keep their thresholds as data', () => {
    expect(METHOD_PROFILES['open-sdg'].withTarget.bands.map((b) => b.min)).toEqual([0.95, 0.6, 0, -Infinity]);
    expect(METHOD_PROFILES['un-2022'].withTarget.bands.map((b) => b.min)).toEqual([
      0.95,
      0.5,
      -0.1,
      -Infinity,
    ]);
    expect(METHOD_PROFILES['un-2023'].withTarget.bands.map((b) => b.min)).toEqual([0.95, 0.1, -Infinity]);
    expect(METHOD_PROFILES['open-sdg'].withoutTarget.bands.map((b) => b.min)).toEqual([
      0.015,
      0.005,
      0,
      -Infinity,
    ]);
    expect(METHOD_PROFILES['un-2023'].withoutTarget.bands.map((b) => b.min)).toEqual([
      0.02,
      0.005,
      -Infinity,
    ]);
  });
});
