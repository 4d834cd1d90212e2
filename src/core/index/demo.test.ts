/**
 * The demo methodologies in data/demo/index: they validate, they carry the structure of the
 * reference (§3.2 provincial DTI of 922/QĐ-BTTTT, §3.4 HCMC's own index), every leaf has an
 * indicator definition at the right level, and they compute on synthetic data.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeIndex } from './compute.ts';
import { createRng } from './prng.ts';
import type { IndexMethodology, IndexNode } from './types.ts';
import { validateMethodology } from './validate.ts';

const dir = new URL('../../../data/demo/index/', import.meta.url);
const load = (name: string): unknown => JSON.parse(readFileSync(new URL(name, dir), 'utf8'));

interface IndicatorDef {
  code: string;
  levels: string[];
  value_type: string;
  group: string;
  source_document: string;
  [k: string]: unknown;
}
const indicators = load('indicators.json') as IndicatorDef[];
const byCode = new Map(indicators.map((i) => [i.code, i]));
const files = [
  ['dti-922.json', 'city', '922/QĐ-BTTTT'],
  ['hcmc-departments.json', 'department', '79/QĐ-UBND'],
  ['hcmc-districts.json', 'district', '79/QĐ-UBND'],
] as const;
const node = (m: IndexMethodology, code: string): IndexNode => {
  const n = m.nodes.find((x) => x.code === code);
  if (!n) throw new Error(`no node ${code}`);
  return n;
};

/** Synthetic points for `n` units: uniform between 0 and each leaf's maximum (or 100). */
function synthetic(m: IndexMethodology, n: number, seed: number) {
  const rng = createRng(seed);
  const leaves = m.nodes.filter((x) => x.indicator !== undefined);
  const values = new Float64Array(n * leaves.length);
  for (let u = 0; u < n; u++) {
    leaves.forEach((l, k) => {
      values[u * leaves.length + k] = Math.round(rng() * (l.max_points || 100) * 100) / 100;
    });
  }
  return {
    units: Array.from({ length: n }, (_, u) => `U${u + 1}`),
    indicators: leaves.map((l) => l.indicator as string),
    values,
  };
}

describe('data/demo/index', () => {
  it('indicators.json: unique DTI- codes in the shared catalogue shape', () => {
    expect(new Set(indicators.map((i) => i.code)).size).toBe(indicators.length);
    for (const i of indicators) {
      expect(i.code.startsWith('DTI-')).toBe(true);
      expect(Object.keys(i).sort()).toEqual(
        [
          'code',
          'name_vi',
          'name_en',
          'definition_vi',
          'definition_en',
          'unit',
          'value_type',
          'direction',
          'rollup',
          'denominator',
          'period_type',
          'period_rollup',
          'formula',
          'group',
          'levels',
          'source_document',
          'responsible_unit',
        ].sort(),
      );
      expect(i).toMatchObject({
        value_type: 'number',
        direction: 'increase',
        rollup: 'none',
        denominator: null,
        period_type: 'year',
        period_rollup: 'last',
        formula: null,
        group: 'dti',
        responsible_unit: null,
      });
    }
  });

  for (const [file, level, source] of files) {
    it(`${file} validates, cites its decision, and every leaf has a ${level} indicator`, () => {
      const m = validateMethodology(load(file));
      expect(m.source).toContain(source.split('/')[0]);
      const leaves = m.nodes.filter((n) => n.indicator !== undefined);
      for (const l of leaves) {
        const def = byCode.get(l.indicator as string);
        expect(def, l.indicator).toBeDefined();
        expect(def?.levels).toEqual([level]);
        expect(def?.source_document).toBe(source);
      }
      const used = new Set(leaves.map((l) => l.indicator));
      const prefix = { city: 'DTI-T-', department: 'DTI-SN-', district: 'DTI-QH-' }[level];
      expect(indicators.filter((i) => i.code.startsWith(prefix)).map((i) => i.code)).toEqual([...used]);
      const r = computeIndex(m, synthetic(m, 12, 2024), { year: 2023 });
      expect(r.nodes[m.root]?.rank.length).toBe(12);
      expect(Array.from(r.nodes[m.root]?.rank ?? []).every((x) => x >= 1 && x <= 12)).toBe(true);
    });
  }

  it('dti-922: 9 main indicators, 1000 points, the weights of §3.2', () => {
    const m = validateMethodology(load('dti-922.json'));
    const root = node(m, 'DTI');
    expect(root.children?.map((e) => [e.code, e.weight])).toEqual([
      ['NTS', 0.1],
      ['TCS', 0.1],
      ['HTS', 0.1],
      ['NLS', 0.1],
      ['ATTT', 0.1],
      ['DTTM', 0],
      ['HD-CQS', 0.2],
      ['HD-KTS', 0.15],
      ['HD-XHS', 0.15],
    ]);
    const max = root.children?.map((e) => node(m, e.code).max_points ?? 0) ?? [];
    expect(max).toEqual([100, 100, 100, 100, 100, 0, 200, 150, 150]);
    expect(max.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(node(m, 'NTC').max_points).toBe(500);
    expect(node(m, 'HD').max_points).toBe(500);
    // Each pillar = the six foundation indicators + its own activity indicator (a DAG).
    for (const [p, a] of [
      ['CQS', 'HD-CQS'],
      ['KTS', 'HD-KTS'],
      ['XHS', 'HD-XHS'],
    ] as const) {
      expect(node(m, p).children?.map((e) => e.code)).toEqual([
        'NTS',
        'TCS',
        'HTS',
        'NLS',
        'ATTT',
        'DTTM',
        a,
      ]);
    }
    expect(m.rank_decimals).toBe(4);
  });

  it('dti-922: DTI = Σ points / 1000 (Đà Nẵng 2022: 433.18 + 171.50 + 117.54 + 77.96 → 0.8002)', () => {
    const m = validateMethodology(load('dti-922.json'));
    // The published group totals, split evenly over the main indicators (the split does not matter).
    const pts: Record<string, number> = {
      'DTI-T-NTS': 433.18 / 5,
      'DTI-T-TCS': 433.18 / 5,
      'DTI-T-HTS': 433.18 / 5,
      'DTI-T-NLS': 433.18 / 5,
      'DTI-T-ATTT': 433.18 / 5,
      'DTI-T-DTTM': 0,
      'DTI-T-HD-CQS': 171.5,
      'DTI-T-HD-KTS': 117.54,
      'DTI-T-HD-XHS': 77.96,
    };
    const codes = Object.keys(pts);
    const r = computeIndex(m, {
      units: ['DNG'],
      indicators: codes,
      values: Float64Array.from(codes.map((c) => pts[c] as number)),
    });
    const dti = r.nodes.DTI?.score[0] as number;
    expect(Math.round(dti * 1e4) / 1e4).toBe(0.8002);
    expect(r.nodes.NTC?.score[0]).toBeCloseTo(433.18 / 500, 12);
    expect(r.nodes.CQS?.score[0]).toBeCloseTo((433.18 + 171.5) / 700, 12);
  });

  it('hcmc-departments: 6 main indicators summed on 330 points, three bands', () => {
    const m = validateMethodology(load('hcmc-departments.json'));
    expect(node(m, 'DTI').children?.length).toBe(6);
    expect(node(m, 'DTI').max_points).toBe(330);
    const indicatorsOf = m.nodes.filter((n) => n.indicator).map((n) => n.indicator as string);
    const r = computeIndex(m, {
      units: ['a', 'b', 'c'],
      indicators: indicatorsOf,
      values: Float64Array.from([
        ...[30, 30, 30, 30, 30, 30],
        ...[40, 40, 40, 40, 40, 40],
        ...[50, 50, 50, 50, 50, 50],
      ]),
    });
    expect(Array.from(r.nodes.DTI?.score ?? [])).toEqual([180, 240, 300]);
    expect(r.nodes.DTI?.band).toEqual(['bat-dau', 'hinh-thanh', 'nang-cao']);
  });

  it('hcmc-districts: 9 main indicators', () => {
    const m = validateMethodology(load('hcmc-districts.json'));
    expect(node(m, 'DTI').children?.map((e) => e.code)).toEqual([
      'NTS',
      'TCS',
      'HTS',
      'NLS',
      'ATTT',
      'CQS',
      'KTS',
      'XHS',
      'DTTM',
    ]);
  });
});
