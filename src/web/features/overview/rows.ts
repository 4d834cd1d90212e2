/**
 * The overview's rows: each target with the latest approved actual of its unit and the trend of that
 * unit's series. No status is made up here: until the engine's assessment is available a row is
 * "not assessed".
 */
import { comparePeriods, tryParsePeriod } from '../../../core/period.ts';
import type { StatusCode } from '../../components/Badges.tsx';
import type { DataValue, Target } from '../../lib/types.ts';

export interface OverviewRow {
  target: Target;
  /** Latest value of the target's unit (unit-scoped targets only). */
  latest: DataValue | null;
  previous: DataValue | null;
  /** The unit's series, oldest first, for the trend line. */
  series: DataValue[];
  status: StatusCode;
  attainment: number | null;
  conflict: boolean;
}

export function byPeriod(a: DataValue, b: DataValue): number {
  const pa = tryParsePeriod(a.period);
  const pb = tryParsePeriod(b.period);
  if (!pa || !pb) return a.period.localeCompare(b.period);
  return comparePeriods(pa, pb);
}

/** Values grouped by "indicator|unit", each series sorted by period (totals only, no disaggregations). */
export function seriesByKey(values: DataValue[]): Map<string, DataValue[]> {
  const m = new Map<string, DataValue[]>();
  for (const v of values) {
    if (v.disagg !== '' || v.value === null) continue;
    const k = `${v.indicator_code}|${v.org_unit_code}`;
    const list = m.get(k);
    if (list) list.push(v);
    else m.set(k, [v]);
  }
  for (const list of m.values()) list.sort(byPeriod);
  return m;
}

export function overviewRows(
  targets: Target[],
  values: DataValue[],
  conflictKeys: Set<string>,
): OverviewRow[] {
  const series = seriesByKey(values);
  return targets.map((target) => {
    const s = target.org_unit_code
      ? (series.get(`${target.indicator_code}|${target.org_unit_code}`) ?? [])
      : [];
    return {
      target,
      latest: s[s.length - 1] ?? null,
      previous: s[s.length - 2] ?? null,
      series: s,
      status: 'not_assessed',
      attainment: null,
      conflict: conflictKeys.has(`${target.indicator_code}|${target.period}`),
    };
  });
}
