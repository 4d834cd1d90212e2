import { describe, expect, it } from 'vitest';
import { type ProgressItem, progressRows } from './progress.ts';

const item = (over: Partial<ProgressItem>): ProgressItem => ({
  indicator: 'A',
  indicator_name_vi: 'A',
  indicator_name_en: null,
  unit_of_measure: '%',
  org_unit: '79',
  org_unit_name_vi: 'TP',
  level: 'city',
  period: '2025',
  status: 'target_achieved',
  attainment: 1,
  trend: 'improving',
  latest: { period: '2025', value: 100 },
  target: { comparator: '>=', value: 100, value_max: null },
  projection: 100,
  conflicts: 0,
  ...over,
});

describe('progressRows', () => {
  it('keeps a unit target as it is and folds a level target into one row with status counts', () => {
    const rows = progressRows(
      [
        item({}),
        item({ indicator: 'B', level: 'commune', org_unit: 'x1', status: 'insufficient_data' }),
        item({ indicator: 'B', level: 'commune', org_unit: 'x2', status: 'target_achieved' }),
        item({ indicator: 'B', level: 'commune', org_unit: 'x3', status: 'insufficient_data' }),
      ],
      ['target_achieved', 'insufficient_data'],
    );
    expect(rows.map((r) => r.kind)).toEqual(['unit', 'level']);
    const level = rows[1]!;
    if (level.kind !== 'level') throw new Error('expected a level row');
    expect(level.units).toBe(3);
    expect(level.counts).toEqual([
      ['target_achieved', 1],
      ['insufficient_data', 2],
    ]);
  });
});
