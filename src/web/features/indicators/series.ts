/**
 * The data behind an indicator's chart and its table: one unit's actuals by period beside the
 * targets that apply to that unit (its own, or every unit of its level).
 */
import { comparePeriods, tryParsePeriod } from '../../../core/period.ts';
import type { DataValue, Target } from '../../lib/types.ts';

export interface SeriesRow {
  period: string;
  actual: DataValue | null;
  target: Target | null;
}

function periodOrder(a: string, b: string): number {
  const pa = tryParsePeriod(a);
  const pb = tryParsePeriod(b);
  if (!pa || !pb) return a.localeCompare(b);
  return comparePeriods(pa, pb) || a.localeCompare(b);
}

export function targetsForUnit(targets: Target[], unit: { code: string; level: string }): Target[] {
  return targets.filter((t) =>
    t.scope === 'unit' ? t.org_unit_code === unit.code : t.org_level === unit.level,
  );
}

/** Rows by period, oldest first: every period with an actual or a target. */
export function unitSeries(
  values: DataValue[],
  targets: Target[],
  unit: { code: string; level: string },
): SeriesRow[] {
  const byPeriod = new Map<string, SeriesRow>();
  const row = (period: string) => {
    let r = byPeriod.get(period);
    if (!r) {
      r = { period, actual: null, target: null };
      byPeriod.set(period, r);
    }
    return r;
  };
  for (const v of values) {
    if (v.org_unit_code !== unit.code || v.disagg !== '' || v.value === null) continue;
    row(v.period).actual = v;
  }
  // a unit's own target wins over its level's; among equals, the first set (lowest id)
  const ts = targetsForUnit(targets, unit).sort((a, b) =>
    a.scope === b.scope ? a.id - b.id : a.scope === 'unit' ? -1 : 1,
  );
  for (const t of ts) {
    const r = row(t.period);
    if (!r.target) r.target = t;
  }
  return [...byPeriod.values()].sort((a, b) => periodOrder(a.period, b.period));
}

/** The periods with values, newest first. */
export function periodsNewestFirst(values: DataValue[]): string[] {
  return [...new Set(values.map((v) => v.period))].sort((a, b) => periodOrder(b, a));
}
