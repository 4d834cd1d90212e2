/**
 * Progress against targets for every (indicator, unit, target): which targets apply to a unit,
 * and the assessment of its series against each of them by the core's assessProgress under the
 * engine's method profile.
 *
 * Target resolution. A unit's targets for an indicator and period are its own unit targets; when
 * it has none, the targets set for its level (for the units of that level that exist at the end of
 * the target period). When several documents set targets for the same thing, the unit is assessed
 * against each; the primary one — reported first — is the one from the latest document (by its
 * issue date; a target without a dated document counts as oldest; ties by the later target id).
 * `conflicts` counts the other targets that disagree with the primary (comparator or value).
 */
import { isChisoError } from '../../core/errors.ts';
import {
  ATTAINMENT_CAP,
  assessArrays,
  attainmentChecked,
  type Direction,
  type MethodProfile,
  newArrayAssessment,
  type PreparedAssessment,
  type ProgressStatus,
  prepareAssessment,
  progressReason,
} from '../../core/progress.ts';
import { type Period, PERIODS_PER_YEAR, type PeriodType, tryParsePeriod } from '../../core/period.ts';
import { activeOn } from './arrays.ts';
import { Calendar } from './calendar.ts';
import type { TargetInfo } from './catalogue.ts';
import type { Model } from './model.ts';

export interface StatusRow {
  key: string;
  ind: number;
  unit: number;
  target: TargetInfo;
  scope: 'unit' | 'level';
  primary: boolean;
  conflicts: number;
  profile: string;
  status: ProgressStatus;
  score: number | null;
  attainment: number | null;
  ratio: number | null;
  measure: string | null;
  cagrActual: number | null;
  cagrRequired: number | null;
  projection: number | null;
  latestValue: number | null;
  latestPeriod: string | null;
  baseValue: number | null;
  basePeriod: string | null;
  trend: 'improving' | 'worsening' | 'flat' | null;
  reason: { code: string; vi: string; en: string };
}

export const statusKey = (ind: number, unit: number, target: number): string => `${ind}:${unit}:${target}`;

/** The targets that apply to one unit, by target period, for an indicator (all period types). */
export function targetsFor(
  m: Model,
  ind: number,
  unit: number,
): Map<string, { scope: 'unit' | 'level'; targets: TargetInfo[] }> {
  const out = new Map<string, { scope: 'unit' | 'level'; targets: TargetInfo[] }>();
  const all = m.cat.targetsByIndicator.get(ind) ?? [];
  for (const t of all) {
    if (t.unit !== unit) continue;
    const g = out.get(t.period);
    if (g) g.targets.push(t);
    else out.set(t.period, { scope: 'unit', targets: [t] });
  }
  const u = m.cat.units[unit]!;
  for (const t of all) {
    if (t.unit !== -1 || t.level !== u.level || out.get(t.period)?.scope === 'unit') continue;
    if (!activeOn(u.validFrom, u.validTo, t.periodEnd)) continue;
    const g = out.get(t.period);
    if (g) g.targets.push(t);
    else out.set(t.period, { scope: 'level', targets: [t] });
  }
  return out;
}

/** Latest document first; undated documents last; then the later target. */
function primaryOrder(a: TargetInfo, b: TargetInfo): number {
  const da = a.documentIssuedOn;
  const db = b.documentIssuedOn;
  if (da !== db) {
    if (da === null) return 1;
    if (db === null) return -1;
    return da < db ? 1 : -1;
  }
  return b.id - a.id;
}

const sameTarget = (a: TargetInfo, b: TargetInfo): boolean =>
  a.comparator === b.comparator && a.value === b.value && (a.valueMax ?? null) === (b.valueMax ?? null);

/** Assesses a unit against a group of targets for one indicator and period. */
export function assessGroup(
  m: Model,
  ind: number,
  unit: number,
  scope: 'unit' | 'level',
  targets: TargetInfo[],
): StatusRow[] {
  const sorted = [...targets].sort(primaryOrder);
  const primary = sorted[0]!;
  const conflicts = sorted.filter((t) => !sameTarget(t, primary)).length;
  return sorted.map((t, j) => {
    const row = assessOne(m, ind, unit, t);
    row.scope = scope;
    row.primary = j === 0;
    row.conflicts = j === 0 ? conflicts : sameTarget(t, primary) ? 0 : 1;
    return row;
  });
}

function directionOf(m: Model, ind: number, t: TargetInfo, first: number | null): Direction {
  const d = m.cat.indicators[ind]!.direction;
  if (d === 'increase' || d === 'decrease') return d;
  if (t.comparator === '>=') return 'increase';
  if (t.comparator === '<=') return 'decrease';
  const from = t.baselineValue ?? first;
  if (from !== null && from > t.value) return 'decrease';
  return 'increase';
}

const periodAt = (t: PeriodType, time: number): string => {
  if (t === 'year') return String(time);
  const per = PERIODS_PER_YEAR[t];
  const year = Math.floor(time / per);
  const index = (time % per) + 1;
  return t === 'half'
    ? `${year}S${index}`
    : t === 'quarter'
      ? `${year}Q${index}`
      : `${year}-${String(index).padStart(2, '0')}`;
};

/** The series of a unit at a period type, up to and including `until` (a time as Calendar.timeOf). */
export function seriesOf(
  m: Model,
  ind: number,
  unit: number,
  type: PeriodType,
  until: number,
): Array<{ year: number; value: number }> {
  const layer = m.layer(ind, type);
  if (!layer) return [];
  const n = m.nUnits;
  const out: Array<{ year: number; value: number }> = [];
  for (let k = 0; k < layer.n; k++) {
    const time = Calendar.timeOf(m.cat.calendar.period(type, k));
    if (time > until) break;
    const v = layer.val[k * n + unit]!;
    if (!Number.isNaN(v)) out.push({ year: time, value: v });
  }
  return out;
}

// Scratch arrays of assessOne: a unit's series at a period type (times and values), reused.
let scratchTime = new Float64Array(64);
let scratchValue = new Float64Array(64);
const scratchPrep = {} as PreparedAssessment;
const scratchOut = newArrayAssessment();

/**
 * Fills the scratch arrays with the unit's present values at a period type up to `until`, with
 * the target's documented baseline inserted (in time order) when the series has none for its
 * period; returns the number of points.
 */
function fillSeries(
  m: Model,
  ind: number,
  unit: number,
  type: PeriodType,
  until: number,
  baseTime: number | undefined,
  baseValue: number | null,
): number {
  const layer = m.layer(ind, type);
  const cap = (layer?.n ?? 0) + 1;
  if (scratchTime.length < cap) {
    scratchTime = new Float64Array(cap * 2);
    scratchValue = new Float64Array(cap * 2);
  }
  let n = 0;
  if (layer) {
    const nu = m.nUnits;
    // The time of ordinal k is firstYear·per + k (Calendar.timeOf).
    const t0 = m.cat.calendar.firstYear * PERIODS_PER_YEAR[type];
    const val = layer.val;
    for (let k = 0; k < layer.n; k++) {
      const time = t0 + k;
      if (time > until) break;
      const v = val[k * nu + unit]!;
      if (Number.isNaN(v)) continue;
      scratchTime[n] = time;
      scratchValue[n] = v;
      n++;
    }
  }
  if (baseTime !== undefined && baseValue !== null && baseTime <= until) {
    let j = 0;
    while (j < n && scratchTime[j]! < baseTime) j++;
    if (j === n || scratchTime[j] !== baseTime) {
      scratchTime.copyWithin(j + 1, j, n);
      scratchValue.copyWithin(j + 1, j, n);
      scratchTime[j] = baseTime;
      scratchValue[j] = baseValue;
      n++;
    }
  }
  return n;
}

const orNull = (x: number): number | null => (Number.isNaN(x) ? null : x);

export function assessOne(
  m: Model,
  ind: number,
  unit: number,
  t: TargetInfo,
  profile?: MethodProfile,
): StatusRow {
  const info = m.cat.indicators[ind]!;
  const prof = profile ?? m.profile;
  const P: Period = tryParsePeriod(t.period)!;
  const until = Calendar.timeOf(P);
  // The target's documented baseline counts as an observation when the series has none for it.
  let baseTime: number | undefined;
  const bp = t.baselinePeriod ? tryParsePeriod(t.baselinePeriod) : null;
  if (bp && bp.type === t.periodType) baseTime = Calendar.timeOf(bp);
  const n = fillSeries(m, ind, unit, t.periodType, until, baseTime, t.baselineValue);
  if (baseTime === undefined && t.periodType !== 'year') {
    baseTime = prof.defaultBaseYear * PERIODS_PER_YEAR[t.periodType];
  }
  const times = scratchTime;
  const values = scratchValue;
  const direction = directionOf(m, ind, t, n > 0 ? values[0]! : null);
  const row: StatusRow = {
    key: statusKey(ind, unit, t.id),
    ind,
    unit,
    target: t,
    scope: t.unit === -1 ? 'level' : 'unit',
    primary: true,
    conflicts: 0,
    profile: prof.id,
    status: 'insufficient_data',
    score: null,
    attainment: null,
    ratio: null,
    measure: null,
    cagrActual: null,
    cagrRequired: null,
    projection: null,
    latestValue: null,
    latestPeriod: null,
    baseValue: null,
    basePeriod: null,
    trend: null,
    reason: { code: 'no_data', vi: 'Không có số liệu', en: 'No data' },
  };
  try {
    prepareAssessment(
      {
        target: t.value,
        ...(t.valueMax !== null ? { targetMax: t.valueMax } : {}),
        targetYear: until,
        direction,
        comparator: t.comparator,
        profile: prof,
        currentYear: until,
        isPercent: info.valueType === 'percent',
        ...(baseTime !== undefined ? { baseYear: baseTime } : {}),
      },
      scratchPrep,
    );
  } catch (e) {
    if (!isChisoError(e)) throw e;
    row.status = 'not_computable';
    row.reason = { code: e.code, vi: e.vi, en: e.en };
    return row;
  }
  const r = assessArrays(scratchPrep, times, values, n, scratchOut);
  row.status = r.status;
  row.score = orNull(r.score);
  row.ratio = orNull(r.ratio);
  row.measure = r.measure;
  row.cagrActual = orNull(r.cagrActual);
  row.cagrRequired = orNull(r.cagrRequired);
  row.projection = r.hasProjection ? r.projection : null;
  row.reason = progressReason(r.reason);
  if (r.current >= 0) {
    const v = values[r.current]!;
    row.latestValue = v;
    row.latestPeriod = periodAt(t.periodType, times[r.current]!);
    row.attainment = attainmentChecked(
      v,
      t.value,
      t.comparator,
      t.valueMax ?? undefined,
      t.baselineValue,
      ATTAINMENT_CAP,
    );
  }
  if (r.base >= 0) {
    row.baseValue = values[r.base]!;
    row.basePeriod = periodAt(t.periodType, times[r.base]!);
  }
  if (n >= 2) {
    const a = values[n - 2]!;
    const b = values[n - 1]!;
    const d = direction === 'decrease' ? -1 : 1;
    const delta = (b - a) * d;
    row.trend = delta > 0 ? 'improving' : delta < 0 ? 'worsening' : 'flat';
  }
  return row;
}

/** Every status, from scratch. */
export function computeStatusesAll(m: Model): Map<string, StatusRow> {
  const out = new Map<string, StatusRow>();
  for (const [ind, targets] of m.cat.targetsByIndicator) {
    const units = new Set<number>();
    for (const t of targets) {
      if (t.unit >= 0) units.add(t.unit);
      else for (const u of m.unitsOfLevel(t.level ?? '')) units.add(u);
    }
    for (const u of [...units].sort((a, b) => a - b)) {
      for (const row of statusesOf(m, ind, u)) out.set(row.key, row);
    }
  }
  return out;
}

/** The statuses of one (indicator, unit) for the target periods of the given types (all when omitted). */
export function statusesOf(
  m: Model,
  ind: number,
  unit: number,
  types?: ReadonlySet<PeriodType>,
): StatusRow[] {
  const out: StatusRow[] = [];
  for (const [, g] of targetsFor(m, ind, unit)) {
    if (types && !types.has(g.targets[0]!.periodType)) continue;
    out.push(...assessGroup(m, ind, unit, g.scope, g.targets));
  }
  return out;
}
