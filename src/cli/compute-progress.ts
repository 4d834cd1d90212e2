/**
 * `chiso compute progress FILE.json`: progress against targets without a database. The input and
 * output formats are documented in docs/COMPUTE.md ("## Progress input"). JSON field names are
 * snake_case; missing values are null.
 */
import { ChisoError } from '../core/errors.ts';
import {
  assessProgress,
  attainment,
  type Comparator,
  type Direction,
  METHOD_PROFILES,
  type MethodProfile,
  type ProfileId,
  type ProgressResult,
  STATUS_LABELS,
} from '../core/progress.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function bad(field: string, vi: string, en: string): ChisoError {
  return new ChisoError({ code: 'compute.input', field, vi: `${field}: ${vi}`, en: `${field}: ${en}` });
}

const num = (v: unknown, field: string, required: boolean): number | undefined => {
  if (v === undefined || v === null) {
    if (required) throw bad(field, 'bắt buộc', 'is required');
    return undefined;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(field, 'phải là số', 'must be a number');
  return v;
};

const int = (v: unknown, field: string, required: boolean): number | undefined => {
  const x = num(v, field, required);
  if (x !== undefined && !Number.isInteger(x))
    throw bad(field, 'phải là số nguyên (năm)', 'must be an integer (a year)');
  return x;
};

const COMPARATORS: readonly Comparator[] = ['>=', '<=', '=', 'range'];

function profileOf(v: unknown): MethodProfile {
  if (v === undefined) return METHOD_PROFILES['open-sdg'];
  if (typeof v === 'string') {
    if (Object.hasOwn(METHOD_PROFILES, v)) return METHOD_PROFILES[v as ProfileId];
    throw bad(
      'profile',
      `không có phương pháp '${v}'; dùng: ${Object.keys(METHOD_PROFILES).join(', ')}`,
      `unknown method '${v}'; expected one of ${Object.keys(METHOD_PROFILES).join(', ')}`,
    );
  }
  if (isObj(v) && typeof v.base === 'string' && Object.hasOwn(METHOD_PROFILES, v.base)) {
    // A named profile with other thresholds: { "base": "open-sdg", "with_target": [...], "without_target": [...] }
    const base = METHOD_PROFILES[v.base as ProfileId];
    const bands = (x: unknown, field: string) => {
      if (x === undefined) return undefined;
      if (!Array.isArray(x) || x.length === 0)
        throw bad(field, 'là danh sách ngưỡng', 'must be a list of bands');
      return x.map((b: unknown, i) => {
        if (!isObj(b) || typeof b.status !== 'string' || !Object.hasOwn(STATUS_LABELS, b.status)) {
          throw bad(
            `${field}[${i}]`,
            'cần { min, status } với status hợp lệ',
            'needs { min, status } with a known status',
          );
        }
        const min = b.min === null ? Number.NEGATIVE_INFINITY : num(b.min, `${field}[${i}].min`, true)!;
        return { min, status: b.status as ProgressResult['status'] };
      });
    };
    const wt = bands(v.with_target, 'profile.with_target');
    const wo = bands(v.without_target, 'profile.without_target');
    return {
      ...base,
      id: typeof v.id === 'string' ? v.id : `${base.id}-custom`,
      withTarget: { ...base.withTarget, ...(wt ? { bands: wt } : {}) },
      withoutTarget: { ...base.withoutTarget, ...(wo ? { bands: wo } : {}) },
    };
  }
  throw bad(
    'profile',
    'là tên phương pháp hoặc { base, with_target?, without_target? }',
    'must be a method name or { base, with_target?, without_target? }',
  );
}

function seriesOf(input: Obj): Array<{ year: number; value: number | null }> {
  if (Array.isArray(input.series)) {
    return input.series.map((p: unknown, i) => {
      if (!isObj(p)) throw bad(`series[${i}]`, 'cần { year, value }', 'needs { year, value }');
      const year = int(p.year, `series[${i}].year`, true)!;
      const value = p.value === null ? null : num(p.value, `series[${i}].value`, true)!;
      return { year, value };
    });
  }
  if (Array.isArray(input.years) && Array.isArray(input.values)) {
    if (input.years.length !== input.values.length) {
      throw bad(
        'values',
        `cần ${input.years.length} giá trị, mỗi năm một giá trị`,
        `needs ${input.years.length} values, one per year`,
      );
    }
    return input.years.map((y, i) => ({
      year: int(y, `years[${i}]`, true)!,
      value:
        input.values === null || (input.values as unknown[])[i] === null
          ? null
          : num((input.values as unknown[])[i], `values[${i}]`, true)!,
    }));
  }
  throw bad(
    'series',
    'bắt buộc: series [{ year, value }] hoặc years + values',
    'is required: series [{ year, value }] or years + values',
  );
}

/** One assessment. */
function assessOneInput(input: Obj, profile: MethodProfile): unknown {
  const series = seriesOf(input);
  const target = input.target === null ? null : (num(input.target, 'target', false) ?? null);
  const comparator = (input.comparator ?? (input.direction === 'decrease' ? '<=' : '>=')) as Comparator;
  if (!COMPARATORS.includes(comparator)) {
    throw bad(
      'comparator',
      `là một trong ${COMPARATORS.join(', ')}`,
      `must be one of ${COMPARATORS.join(', ')}`,
    );
  }
  const direction = input.direction as Direction;
  if (direction !== 'increase' && direction !== 'decrease') {
    throw bad('direction', "là 'increase' hoặc 'decrease'", "must be 'increase' or 'decrease'");
  }
  const targetYear = int(input.target_year, 'target_year', target !== null) ?? profile.defaultTargetYear;
  const targetMax = num(input.target_max, 'target_max', comparator === 'range');
  const baseYear = int(input.base_year, 'base_year', false);
  const currentYear = int(input.current_year, 'current_year', false);
  const limit = num(input.limit, 'limit', false);
  const baseline = num(input.baseline, 'baseline', false);
  if (input.is_percent !== undefined && typeof input.is_percent !== 'boolean') {
    throw bad('is_percent', 'là true/false', 'must be true/false');
  }
  let r: ProgressResult;
  try {
    r = assessProgress({
      series,
      target,
      ...(targetMax !== undefined ? { targetMax } : {}),
      targetYear,
      direction,
      comparator,
      profile,
      ...(baseYear !== undefined ? { baseYear } : {}),
      ...(currentYear !== undefined ? { currentYear } : {}),
      ...(limit !== undefined ? { limit } : {}),
      ...(input.is_percent !== undefined ? { isPercent: input.is_percent as boolean } : {}),
    });
  } catch (e) {
    if (e instanceof ChisoError) throw new ChisoError({ ...e.toJSON(), field: e.location.field ?? 'target' });
    throw e;
  }
  const withBaseline =
    target !== null && r.current && baseline !== undefined
      ? attainment({
          actual: r.current.value,
          target,
          comparator,
          ...(targetMax !== undefined ? { targetMax } : {}),
          baseline,
        })
      : r.attainment;
  const label = STATUS_LABELS[r.status];
  return {
    ...(typeof input.id === 'string' ? { id: input.id } : {}),
    profile: r.profile,
    status: r.status,
    status_vi: label.vi,
    status_en: label.en,
    score: r.score,
    attainment: withBaseline,
    measure: r.measure,
    ratio: r.ratio,
    cagr_actual: r.cagrActual,
    cagr_required: r.cagrRequired,
    projection: r.projection,
    base: r.base,
    current: r.current,
    bands: r.bands?.map((b) => ({ min: Number.isFinite(b.min) ? b.min : null, status: b.status })) ?? null,
    reason: r.reason,
  };
}

/**
 * Assesses progress from a JSON input: one series ({ series | years + values, target, target_year,
 * direction, comparator, profile, … }) or several ({ profile, items: [ … ] }). Returns the status,
 * score, attainment, growth rates, projection to the target year and the reason.
 */
export function computeProgressFromJson(input: unknown): unknown {
  if (!isObj(input)) throw bad('input', 'phải là một đối tượng JSON', 'must be a JSON object');
  const profile = profileOf(input.profile);
  if (Array.isArray(input.items)) {
    return {
      profile: profile.id,
      items: input.items.map((item: unknown, i) => {
        if (!isObj(item)) throw bad(`items[${i}]`, 'phải là một đối tượng', 'must be an object');
        try {
          return assessOneInput(item, item.profile !== undefined ? profileOf(item.profile) : profile);
        } catch (e) {
          if (!(e instanceof ChisoError)) throw e;
          const f = e.location.field;
          throw new ChisoError({
            ...e.toJSON(),
            field: `items[${i}]${f ? `.${f}` : ''}`,
            vi: `items[${i}]: ${e.vi}`,
            en: `items[${i}]: ${e.en}`,
          });
        }
      }),
    };
  }
  return assessOneInput(input, profile);
}
