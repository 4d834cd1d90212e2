/**
 * `chiso compute progress` without a database: the documented input (docs/COMPUTE.md "Progress
 * input") gives the same assessment as the engine's core, reproduces Statistics Canada's published
 * result, and bad input names the faulty field.
 */
import { describe, expect, it } from 'vitest';
import { ChisoError } from '../core/errors.ts';
import { computeProgressFromJson } from './compute.ts';

const fault = (input: unknown): ChisoError => {
  try {
    computeProgressFromJson(input);
  } catch (e) {
    if (e instanceof ChisoError) return e;
    throw e;
  }
  throw new Error('no error');
};

describe('computeProgressFromJson', () => {
  it('reproduces Statistics Canada 1-2-1 (substantial progress, score 2.5186)', () => {
    const r = computeProgressFromJson({
      years: [2015, 2023],
      values: [14.5, 10.2],
      target: 7.25,
      target_year: 2030,
      direction: 'decrease',
      comparator: '<=',
      profile: 'open-sdg',
    }) as { status: string; score: number; ratio: number; status_vi: string; projection: { year: number } };
    expect(r.status).toBe('substantial_progress');
    expect(r.ratio).toBeCloseTo(0.9525901792, 9);
    expect(r.score).toBeCloseTo(2.5186, 4);
    expect(r.status_vi).toBe('Tiến triển tốt, đúng lộ trình');
    expect(r.projection.year).toBe(2030);
  });

  it('takes a list of series with one profile and per-item overrides, and a baseline for attainment', () => {
    const r = computeProgressFromJson({
      profile: 'un-2023',
      items: [
        {
          id: 'a',
          series: [
            { year: 2021, value: 40 },
            { year: 2022, value: null },
            { year: 2024, value: 55 },
          ],
          target: 70,
          target_year: 2025,
          direction: 'increase',
          baseline: 40,
        },
        {
          id: 'b',
          years: [2024],
          values: [3],
          target: 5,
          target_year: 2025,
          direction: 'decrease',
          comparator: '<=',
          profile: 'open-sdg',
        },
      ],
    }) as {
      profile: string;
      items: Array<{ id: string; profile: string; status: string; attainment: number }>;
    };
    expect(r.profile).toBe('un-2023');
    expect(r.items[0]).toMatchObject({ id: 'a', profile: 'un-2023', attainment: 0.5 });
    expect(r.items[1]).toMatchObject({ id: 'b', profile: 'open-sdg', status: 'target_achieved' });
    expect(r.items[1]!.attainment).toBeCloseTo(5 / 3, 12);
  });

  it('reports too little data as a status, not an error', () => {
    const r = computeProgressFromJson({
      years: [2024],
      values: [50],
      target: 80,
      target_year: 2030,
      direction: 'increase',
    }) as {
      status: string;
      reason: { code: string };
    };
    expect(r.status).toBe('insufficient_data');
    expect(r.reason.code).toBe('fewer_than_two_years');
  });

  it('names the faulty field of bad input', () => {
    expect(fault([1, 2]).location.field).toBe('input');
    expect(fault({ years: [2020], values: [1], target: 2, target_year: 2030 }).location.field).toBe(
      'direction',
    );
    expect(
      fault({ years: [2020, 2021], values: [1], target: 2, target_year: 2030, direction: 'increase' })
        .location.field,
    ).toBe('values');
    expect(
      fault({ series: [{ year: 2020.5, value: 1 }], target: 2, target_year: 2030, direction: 'increase' })
        .location.field,
    ).toBe('series[0].year');
    expect(
      fault({ years: [2020], values: [1], target: 2, direction: 'increase', profile: 'dhis2' }).location
        .field,
    ).toBe('profile');
    const e = fault({ items: [{ years: [2020], values: [1], target: 2, direction: 'sideways' }] });
    expect(e.location.field).toBe('items[0].direction');
    expect(e.vi).toMatch(/^items\[0\]: direction/);
    expect(
      fault({
        years: [2020],
        values: [1],
        target: 2,
        target_year: 2030,
        direction: 'increase',
        comparator: 'range',
      }).location.field,
    ).toBe('target_max');
  });
});
