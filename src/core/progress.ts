/**
 * Progress against targets.
 *
 * Two questions, kept apart:
 * 1. Attainment — how much of a target the latest figure reaches (`attainment`, `isTargetMet`):
 *    the "đạt x% kế hoạch" of Vietnamese reporting.
 * 2. Trend — whether the series is moving towards the target fast enough (`assessProgress`), by a
 *    named methodology profile (`METHOD_PROFILES`):
 *    - `open-sdg`: the Statistics Canada method as implemented by Open SDG (sdg-build
 *      `sdg/ProgressMeasure.py`): CAGR ratio with a target, directed CAGR with limit scaling without
 *      one, thresholds 0.95/0.60/0 and 1.5%/0.5%/0, scores on [−5, 5];
 *    - `un-2022`: UNSD Progress Chart 2020–2022 notes: R = CR_actual / CR_required with thresholds
 *      0.95/0.5/−0.1;
 *    - `un-2023`: UNSD 2023 note: projected 2030 value, r = (v̂_T − v_b)/(v_T − v_b) with
 *      thresholds 0.95/0.10; without a target CAGR ≥ 2% / ≥ 0.5% in the desired direction.
 *    The profiles are data: copy one and change its bands to configure another.
 *
 * Status codes are stable English strings; `STATUS_LABELS` has the vi/en labels.
 */
import { ChisoError } from './errors.ts';

export type Comparator = '>=' | '<=' | '=' | 'range';
export type Direction = 'increase' | 'decrease';

export type ProgressStatus =
  | 'target_achieved'
  | 'substantial_progress'
  | 'moderate_progress'
  | 'limited_progress'
  | 'deterioration'
  | 'stagnation_or_regression'
  | 'insufficient_data'
  | 'not_computable';

export const STATUS_LABELS: Readonly<Record<ProgressStatus, { vi: string; en: string }>> = {
  target_achieved: { vi: 'Đã đạt mục tiêu', en: 'Target achieved' },
  substantial_progress: { vi: 'Tiến triển tốt, đúng lộ trình', en: 'Substantial progress / on track' },
  moderate_progress: { vi: 'Có tiến triển nhưng cần đẩy nhanh', en: 'Progress made but acceleration needed' },
  limited_progress: { vi: 'Tiến triển hạn chế', en: 'Limited or no progress' },
  deterioration: { vi: 'Đi xuống', en: 'Deterioration' },
  stagnation_or_regression: { vi: 'Đứng yên hoặc đi xuống', en: 'Stagnation or regression' },
  insufficient_data: { vi: 'Chưa đủ dữ liệu để đánh giá', en: 'Insufficient data' },
  not_computable: {
    vi: 'Không đánh giá được bằng phương pháp này',
    en: 'Cannot be assessed with this method',
  },
};

/** Best first; for sorting and colour scales. The last two are "no assessment". */
export const STATUS_ORDER: readonly ProgressStatus[] = [
  'target_achieved',
  'substantial_progress',
  'moderate_progress',
  'limited_progress',
  'stagnation_or_regression',
  'deterioration',
  'insufficient_data',
  'not_computable',
];

// ---------------------------------------------------------------------------------------------
// Attainment

/** Attainment is capped here unless the caller passes another cap: 2 = "200% of target". */
export const ATTAINMENT_CAP = 2;
const TOLERANCE = 1e-9;
const near = (a: number, b: number): boolean =>
  Math.abs(a - b) <= TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));

export interface TargetSpec {
  target: number;
  comparator: Comparator;
  /** Upper bound for comparator 'range' (target is the lower bound). */
  targetMax?: number;
}

export interface AttainmentInput extends TargetSpec {
  actual: number | null;
  baseline?: number | null;
  cap?: number;
}

function badTarget(vi: string, en: string): ChisoError {
  return new ChisoError({
    code: 'progress.bad_target',
    vi: `Mục tiêu không hợp lệ: ${vi}`,
    en: `Invalid target: ${en}`,
  });
}

function checkTarget(t: TargetSpec): void {
  if (!Number.isFinite(t.target))
    throw badTarget('giá trị mục tiêu phải là số', 'the target value must be a number');
  const c = t.comparator;
  if (c !== '>=' && c !== '<=' && c !== '=' && c !== 'range') {
    throw badTarget(`phép so sánh '${t.comparator}' không hợp lệ`, `unknown comparator '${t.comparator}'`);
  }
  if (t.comparator === 'range') {
    if (t.targetMax === undefined || !Number.isFinite(t.targetMax)) {
      throw badTarget("khoảng mục tiêu cần cận trên 'targetMax'", "a 'range' target needs 'targetMax'");
    }
    if (t.targetMax < t.target) {
      throw badTarget(
        `cận trên ${t.targetMax} nhỏ hơn cận dưới ${t.target}`,
        `upper bound ${t.targetMax} is below lower bound ${t.target}`,
      );
    }
  }
}

/**
 * Whether `actual` meets the target (ties within a relative 1e-9 count as met). Null when actual is
 * missing. Throws `progress.bad_target` for an ill-formed target.
 */
export function isTargetMet(input: TargetSpec & { actual: number | null }): boolean | null {
  checkTarget(input);
  const { actual } = input;
  if (actual === null || !Number.isFinite(actual)) return null;
  return metChecked(actual, input.target, input.comparator, input.targetMax);
}

/** isTargetMet for a finite actual and a target already checked. */
function metChecked(
  actual: number,
  target: number,
  comparator: Comparator,
  targetMax: number | undefined,
): boolean {
  switch (comparator) {
    case '>=':
      return actual >= target || near(actual, target);
    case '<=':
      return actual <= target || near(actual, target);
    case '=':
      return near(actual, target);
    case 'range':
      return (actual >= target || near(actual, target)) && (actual <= targetMax! || near(actual, targetMax!));
  }
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(Math.max(x, lo), hi);

/**
 * Direction-aware share of the target reached, in [0, cap] (cap default 2), null when actual is
 * missing.
 * - '>=' with a baseline below the target: (actual − baseline)/(target − baseline), the share of
 *   the planned improvement achieved; otherwise actual/target when target > 0.
 * - '<=' with a baseline above the target: the same (actual − baseline)/(target − baseline);
 *   otherwise target/actual when both are > 0.
 * - Where no ratio is meaningful (a target ≤ 0, an actual ≤ 0 for '<='): 1 if met, else 0.
 * - '=' and 'range': 1 when met; otherwise 1 − distance/scale, floored at 0, where distance is to
 *   the target (nearest bound of a range) and scale is |bound − baseline| when a baseline is given
 *   and differs, else |bound| (0 when that is 0 too).
 */
export function attainment(input: AttainmentInput): number | null {
  checkTarget(input);
  const { actual } = input;
  if (actual === null || !Number.isFinite(actual)) return null;
  return attainmentChecked(
    actual,
    input.target,
    input.comparator,
    input.targetMax,
    input.baseline ?? null,
    input.cap ?? ATTAINMENT_CAP,
  );
}

/** attainment() for a finite actual and a target already checked. */
export function attainmentChecked(
  actual: number,
  target: number,
  comparator: Comparator,
  targetMax: number | undefined,
  baseline: number | null,
  cap: number,
): number {
  const met = metChecked(actual, target, comparator, targetMax);
  if (comparator === '>=' || comparator === '<=') {
    const improving =
      baseline !== null &&
      Number.isFinite(baseline) &&
      (comparator === '>=' ? target > baseline : target < baseline);
    if (improving) return clamp((actual - baseline!) / (target - baseline!), 0, cap);
    if (comparator === '>=' && target > 0) return clamp(actual / target, 0, cap);
    if (comparator === '<=' && target > 0 && actual > 0) return clamp(target / actual, 0, cap);
    return met ? 1 : 0;
  }
  if (met) return 1;
  const bound = comparator === '=' || actual < target ? target : targetMax!;
  const dist = Math.abs(actual - bound);
  let scale = 0;
  if (baseline !== null && Number.isFinite(baseline) && baseline !== bound)
    scale = Math.abs(bound - baseline);
  else scale = Math.abs(bound);
  return scale === 0 ? 0 : clamp(1 - dist / scale, 0, 1);
}

// ---------------------------------------------------------------------------------------------
// Methodology profiles

export interface ThresholdBand {
  /** The band applies when the measure is ≥ min (bands are checked from the first). */
  min: number;
  status: ProgressStatus;
}

export interface MethodProfile {
  id: string;
  label: { vi: string; en: string };
  source: string;
  /** False where the thresholds come from secondary sources that were not checked against the note. */
  verified: boolean;
  note?: string;
  defaultBaseYear: number;
  defaultTargetYear: number;
  withTarget: {
    /**
     * `cagr_ratio`: CAGR(base → current) / CAGR(base → target). `signed: true` is Open SDG's form
     * sign(base)·d·CAGR_a/|CAGR_r|; `signed: false` the plain UN ratio.
     * `projection_ratio`: (v̂_T − v_b)/(v_T − v_b) with v̂_T the current value grown at CAGR_a to T.
     */
    measure: 'cagr_ratio' | 'projection_ratio';
    signed: boolean;
    bands: readonly ThresholdBand[];
  };
  withoutTarget: {
    /** Directed CAGR, sign(base)·d·CAGR_a, against these bands. */
    bands: readonly ThresholdBand[];
    /** Open SDG's reduction of the thresholds near a natural limit (exponent a = 4.44). */
    limitScaling: { exponent: number } | null;
  };
  /** 'open-sdg': the [−5, 5] score of sdg-build; null: the method defines no score. */
  score: 'open-sdg' | null;
  /** A zero base value (and a zero target) is replaced by this to keep CAGR finite; null = not computable. */
  zeroReplacement: number | null;
  /** un-2023: a latest value within this many points of a 0% or 100% target counts as achieved. */
  percentBoundTolerance: number | null;
}

export type ProfileId = 'open-sdg' | 'un-2022' | 'un-2023';

const NEG_INF = Number.NEGATIVE_INFINITY;

export const METHOD_PROFILES: Readonly<Record<ProfileId, MethodProfile>> = {
  'open-sdg': {
    id: 'open-sdg',
    label: { vi: 'Open SDG (phương pháp Thống kê Canada)', en: 'Open SDG (Statistics Canada method)' },
    source: 'open-sdg/sdg-build sdg/ProgressMeasure.py @139fede; open-sdg docs/progress-methodology.md',
    verified: true,
    defaultBaseYear: 2015,
    defaultTargetYear: 2030,
    withTarget: {
      measure: 'cagr_ratio',
      signed: true,
      bands: [
        { min: 0.95, status: 'substantial_progress' },
        { min: 0.6, status: 'moderate_progress' },
        { min: 0, status: 'limited_progress' },
        { min: NEG_INF, status: 'deterioration' },
      ],
    },
    withoutTarget: {
      bands: [
        { min: 0.015, status: 'substantial_progress' },
        { min: 0.005, status: 'moderate_progress' },
        { min: 0, status: 'limited_progress' },
        { min: NEG_INF, status: 'deterioration' },
      ],
      limitScaling: { exponent: 4.44 },
    },
    score: 'open-sdg',
    zeroReplacement: 0.001,
    percentBoundTolerance: null,
  },
  'un-2022': {
    id: 'un-2022',
    label: { vi: 'UNSD Progress Chart 2022', en: 'UNSD Progress Chart 2022' },
    source:
      'UNSD SDG Progress Chart technical notes 2020–2022 (as implemented by UNDP SDG tracker and others)',
    verified: false,
    note: 'Thresholds with a target agree across implementations; the no-target cut-offs (1% and 0.5%) and their lower band are unconfirmed.',
    defaultBaseYear: 2015,
    defaultTargetYear: 2030,
    withTarget: {
      measure: 'cagr_ratio',
      signed: false,
      bands: [
        { min: 0.95, status: 'substantial_progress' },
        { min: 0.5, status: 'moderate_progress' },
        { min: -0.1, status: 'limited_progress' },
        { min: NEG_INF, status: 'deterioration' },
      ],
    },
    withoutTarget: {
      bands: [
        { min: 0.01, status: 'substantial_progress' },
        { min: 0.005, status: 'moderate_progress' },
        { min: 0, status: 'limited_progress' },
        { min: NEG_INF, status: 'deterioration' },
      ],
      limitScaling: null,
    },
    score: null,
    zeroReplacement: null,
    percentBoundTolerance: null,
  },
  'un-2023': {
    id: 'un-2023',
    label: { vi: 'UNSD Progress Chart 2023', en: 'UNSD Progress Chart 2023' },
    source:
      'UNSD Progress Chart Technical Note 2023 (as implemented by EUSTAT-DES/site _pages/en/metodologia.md)',
    verified: false,
    note: 'Read from an implementation that cites the note; check against the PDF before publishing labels.',
    defaultBaseYear: 2015,
    defaultTargetYear: 2030,
    withTarget: {
      measure: 'projection_ratio',
      signed: false,
      bands: [
        { min: 0.95, status: 'substantial_progress' },
        { min: 0.1, status: 'moderate_progress' },
        { min: NEG_INF, status: 'stagnation_or_regression' },
      ],
    },
    withoutTarget: {
      bands: [
        { min: 0.02, status: 'substantial_progress' },
        { min: 0.005, status: 'moderate_progress' },
        { min: NEG_INF, status: 'stagnation_or_regression' },
      ],
      limitScaling: null,
    },
    score: null,
    zeroReplacement: null,
    percentBoundTolerance: 1,
  },
};

function resolveProfile(profile: ProfileId | MethodProfile): MethodProfile {
  if (typeof profile === 'object' && profile !== null) return profile;
  if (typeof profile === 'string' && Object.hasOwn(METHOD_PROFILES, profile)) return METHOD_PROFILES[profile];
  throw new ChisoError({
    code: 'progress.unknown_profile',
    vi: `Không có phương pháp đánh giá tiến độ '${String(profile)}'; dùng: ${Object.keys(METHOD_PROFILES).join(', ')}`,
    en: `Unknown progress method '${String(profile)}'; expected one of ${Object.keys(METHOD_PROFILES).join(', ')}`,
  });
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** Compound annual growth rate (v1/v0)^(1/(t1 − t0)) − 1; null when undefined or not finite. */
export function cagr(v1: number, v0: number, t1: number, t0: number): number | null {
  if (t1 === t0 || v0 === 0) return null;
  const g = (v1 / v0) ** (1 / (t1 - t0)) - 1;
  return Number.isFinite(g) ? g : null;
}

/** Open SDG's threshold coefficient near a natural limit: 1 far from it, 0 at it. */
export function limitCoefficient(base: number, limit: number, exponent = 4.44): number {
  const b = Math.abs(base);
  const l = Math.abs(limit);
  if (b >= 2 * l) return 1;
  if (b <= l) return 1 - (b / l) ** exponent;
  return 1 - ((2 * l - b) / l) ** exponent;
}

/** The [−5, 5] score of sdg-build for one series (thresholds already multiplied by `coefficient`). */
export function openSdgScore(
  p: number,
  withTarget: boolean,
  thresholds: { high: number; med: number; low: number },
  coefficient = 1,
): number {
  const { high, med, low } = thresholds;
  if (withTarget) {
    return p >= med ? Math.min(7.1429 * p - 4.2857, 5) : Math.max(4.1667 * p - 2.5, -5);
  }
  if (p < low) return Math.max(125 * p - 2.5, -5);
  if (coefficient === 0) return 5;
  if (p >= high) return Math.min((500 * p) / coefficient - 5, 5);
  if (p >= med) return (250 * p) / coefficient - 1.25;
  return (500 * p) / coefficient - 2.5;
}

/**
 * Status of an indicator from the mean score of its series (Open SDG): target_achieved only when
 * every series achieved its target; else [2.5, 5] substantial, [0, 2.5) moderate, [−2.5, 0)
 * limited, below that deterioration.
 */
export function statusFromScore(score: number | null, allAchieved = false): ProgressStatus {
  if (allAchieved) return 'target_achieved';
  if (score === null || !Number.isFinite(score)) return 'insufficient_data';
  if (score >= 2.5) return 'substantial_progress';
  if (score >= 0) return 'moderate_progress';
  if (score >= -2.5) return 'limited_progress';
  return 'deterioration';
}

/** Combine series results into one indicator result the Open SDG way (mean of the scores). */
export function combineProgress(results: ReadonlyArray<Pick<ProgressResult, 'status' | 'score'>>): {
  status: ProgressStatus;
  score: number | null;
} {
  const scored = results.filter((r) => r.score !== null);
  if (scored.length === 0) return { status: 'insufficient_data', score: null };
  const score = scored.reduce((a, r) => a + r.score!, 0) / scored.length;
  return {
    status: statusFromScore(
      score,
      scored.every((r) => r.status === 'target_achieved'),
    ),
    score,
  };
}

interface Point {
  year: number;
  value: number;
}

function cleanSeries(series: ReadonlyArray<{ year: number; value: number | null }>): Point[] | 'duplicate' {
  const pts: Point[] = [];
  const years = new Set<number>();
  for (const p of series) {
    if (!p || !Number.isInteger(p.year) || p.value === null || !Number.isFinite(p.value)) continue;
    if (years.has(p.year)) return 'duplicate';
    years.add(p.year);
    pts.push({ year: p.year, value: p.value });
  }
  return pts.sort((a, b) => a.year - b.year);
}

/** The base point: the base year if it has data, else the first later year that has. */
function pickBase(pts: Point[], baseYear: number | undefined): Point | undefined {
  if (baseYear === undefined) return pts[0];
  return pts.find((p) => p.year >= baseYear);
}

/**
 * Extrapolate a series to `year` at its compound annual growth rate between the base point
 * (`baseYear`, or the next year with data; default the first point) and the latest point:
 * v_t · (1 + CAGR)^(year − t). Null with fewer than two years, a zero base, values of opposite
 * sign, or a year before the latest point.
 */
export function projectToYear(
  series: ReadonlyArray<{ year: number; value: number | null }>,
  year: number,
  baseYear?: number,
): { year: number; value: number } | null {
  const pts = cleanSeries(series);
  if (pts === 'duplicate' || pts.length === 0) return null;
  const cur = pts[pts.length - 1]!;
  const base = pickBase(pts, baseYear);
  if (!base || cur.year - base.year < 1 || year < cur.year) return null;
  const g = cagr(cur.value, base.value, cur.year, base.year);
  if (g === null) return null;
  const value = cur.value * (1 + g) ** (year - cur.year);
  return Number.isFinite(value) ? { year, value } : null;
}

// ---------------------------------------------------------------------------------------------
// Assessment

export interface ProgressInput {
  /** Yearly observations; null/NaN values are ignored. */
  series: ReadonlyArray<{ year: number; value: number | null }>;
  /** The target for targetYear; null = no numeric target (trend judged by growth alone). */
  target: number | null;
  targetMax?: number;
  targetYear: number;
  direction: Direction;
  comparator: Comparator;
  profile: ProfileId | MethodProfile;
  /** Default: the profile's (2015). When it has no data, the next year with data is used. */
  baseYear?: number;
  /** Ignore data after this year. Default: the latest year with data. */
  currentYear?: number;
  /** open-sdg without target: a natural limit (e.g. 100 for a percentage) that damps the thresholds. */
  limit?: number;
  /** The indicator is a percentage (enables un-2023's ±1 point rule for 0% and 100% targets). */
  isPercent?: boolean;
}

export type ProgressMeasure = 'cagr_ratio' | 'directed_cagr' | 'projection_ratio';

export interface ProgressResult {
  status: ProgressStatus;
  /** Open SDG score on [−5, 5]; null for profiles that define none or when not assessed. */
  score: number | null;
  /** attainment() of the latest value against the target (no baseline); null without target. */
  attainment: number | null;
  /** CAGR from the base point to the latest point. */
  cagrActual: number | null;
  /** CAGR from the base point to the target in the target year. */
  cagrRequired: number | null;
  /** The measure compared with the profile's thresholds (see `measure`). */
  ratio: number | null;
  measure: ProgressMeasure | null;
  /** The latest value grown at cagrActual to the target year. */
  projection: { year: number; value: number } | null;
  base: Point | null;
  current: Point | null;
  /** The bands used, after any limit scaling. */
  bands: readonly ThresholdBand[] | null;
  profile: string;
  reason: { code: string; vi: string; en: string };
}

const REASONS = {
  target_met: ['Giá trị mới nhất đã đạt mục tiêu', 'The latest value meets the target'],
  assessed: [
    'Đánh giá theo xu hướng tăng trưởng bình quân năm',
    'Assessed from the compound annual growth rate',
  ],
  no_data: ['Không có số liệu', 'No data'],
  no_data_since_base_year: ['Không có số liệu từ năm gốc trở đi', 'No data in or after the base year'],
  fewer_than_two_years: [
    'Cần số liệu của ít nhất hai năm (năm gốc và một năm sau)',
    'At least two years of data are needed (the base year and a later one)',
  ],
  duplicate_year: ['Có năm bị trùng số liệu', 'A year has more than one value'],
  zero_base: ['Giá trị năm gốc bằng 0', 'The base value is zero'],
  opposite_signs: [
    'Giá trị năm gốc và giá trị hiện tại trái dấu',
    'The base and current values have opposite signs',
  ],
  target_opposite_sign: [
    'Mục tiêu và giá trị năm gốc trái dấu',
    'The target and the base value have opposite signs',
  ],
  target_year_not_after_base: [
    'Năm mục tiêu không sau năm gốc',
    'The target year is not after the base year',
  ],
  target_equals_base: ['Mục tiêu bằng giá trị năm gốc', 'The target equals the base value'],
  growth_undefined: ['Không tính được tốc độ tăng trưởng', 'The growth rate cannot be computed'],
} as const;

export type ReasonCode = keyof typeof REASONS;
const reason = (code: ReasonCode): ProgressResult['reason'] => ({
  code,
  vi: REASONS[code][0],
  en: REASONS[code][1],
});
/** The reason of a code, in Vietnamese and English. */
export function progressReason(code: ReasonCode): ProgressResult['reason'] {
  return reason(code);
}

function bandStatus(p: number, bands: readonly ThresholdBand[]): ProgressStatus {
  for (const b of bands) if (p >= b.min) return b.status;
  return bands[bands.length - 1]?.status ?? 'not_computable';
}

/**
 * Assess a yearly series against a target by a methodology profile. Never throws on data: too
 * little data gives `insufficient_data`, data the method cannot handle (opposite signs, zero base
 * without replacement, duplicate years) gives `not_computable`; the reason says which. Throws
 * only for an ill-formed target or an unknown profile.
 *
 * Order, as in sdg-build: (1) a latest value that meets the target is `target_achieved` (score 5)
 * even with a single data point; (2) base point = base year or the next year with data; at least
 * one year between base and latest; (3) the measure for the profile and its bands.
 */
export function assessProgress(input: ProgressInput): ProgressResult {
  const profile = resolveProfile(input.profile);
  const hasTarget = input.target !== null && input.target !== undefined;
  if (hasTarget)
    checkTarget({ target: input.target!, comparator: input.comparator, targetMax: input.targetMax });
  if (input.direction !== 'increase' && input.direction !== 'decrease') {
    throw new ChisoError({
      code: 'progress.bad_direction',
      vi: `Chiều mong muốn phải là 'increase' hoặc 'decrease', nhận '${String(input.direction)}'`,
      en: `The desired direction must be 'increase' or 'decrease', got '${String(input.direction)}'`,
    });
  }
  const d = input.direction === 'decrease' ? -1 : 1;
  const result: ProgressResult = {
    status: 'insufficient_data',
    score: null,
    attainment: null,
    cagrActual: null,
    cagrRequired: null,
    ratio: null,
    measure: null,
    projection: null,
    base: null,
    current: null,
    bands: null,
    profile: profile.id,
    reason: reason('no_data'),
  };
  const stop = (status: ProgressStatus, code: ReasonCode): ProgressResult => {
    result.status = status;
    result.reason = reason(code);
    return result;
  };

  const cleaned = cleanSeries(input.series);
  if (cleaned === 'duplicate') return stop('not_computable', 'duplicate_year');
  const pts = input.currentYear === undefined ? cleaned : cleaned.filter((p) => p.year <= input.currentYear!);
  if (pts.length === 0) return stop('insufficient_data', 'no_data');
  const current = pts[pts.length - 1]!;
  result.current = current;

  // (1) target achieved
  let achieved = false;
  if (hasTarget) {
    const spec = { target: input.target!, comparator: input.comparator, targetMax: input.targetMax };
    result.attainment = attainment({ ...spec, actual: current.value });
    achieved = isTargetMet({ ...spec, actual: current.value }) === true;
    const tol = profile.percentBoundTolerance;
    if (!achieved && tol !== null && input.isPercent && (input.target === 0 || input.target === 100)) {
      achieved = Math.abs(current.value - input.target) <= tol;
    }
  }

  // (2) base point and growth; computed even when achieved, for display
  const base = pickBase(pts, input.baseYear ?? profile.defaultBaseYear);
  const finish = (): ProgressResult => {
    if (achieved) {
      result.status = 'target_achieved';
      result.score = profile.score === 'open-sdg' ? 5 : null;
      result.reason = reason('target_met');
    }
    return result;
  };
  const fail = (status: ProgressStatus, code: ReasonCode): ProgressResult =>
    achieved ? finish() : stop(status, code);

  if (!base) return fail('insufficient_data', 'no_data_since_base_year');
  result.base = base;
  if (current.year - base.year < 1) return fail('insufficient_data', 'fewer_than_two_years');
  let baseValue = base.value;
  if (baseValue === 0) {
    if (profile.zeroReplacement === null) return fail('not_computable', 'zero_base');
    baseValue = profile.zeroReplacement;
  }
  if ((baseValue > 0 && current.value < 0) || (baseValue < 0 && current.value > 0)) {
    return fail('not_computable', 'opposite_signs');
  }
  const sign = base.value < 0 ? -1 : 1;
  const cagrA = cagr(current.value, baseValue, current.year, base.year);
  if (cagrA === null) return fail('not_computable', 'growth_undefined');
  result.cagrActual = cagrA;
  if (input.targetYear >= current.year) {
    result.projection = {
      year: input.targetYear,
      value: current.value * (1 + cagrA) ** (input.targetYear - current.year),
    };
  }

  // (3) the measure
  let p: number;
  let bands: readonly ThresholdBand[];
  let coefficient = 1;
  if (hasTarget) {
    const rawTarget = input.target!;
    const target = rawTarget === 0 && profile.zeroReplacement !== null ? profile.zeroReplacement : rawTarget;
    if (input.targetYear <= base.year) return fail('not_computable', 'target_year_not_after_base');
    if ((target > 0 && baseValue < 0) || (target < 0 && baseValue > 0)) {
      return fail('not_computable', 'target_opposite_sign');
    }
    const cagrR = cagr(target, baseValue, input.targetYear, base.year);
    result.cagrRequired = cagrR;
    bands = profile.withTarget.bands;
    if (profile.withTarget.measure === 'projection_ratio') {
      if (target === base.value) return fail('not_computable', 'target_equals_base');
      const years = Math.max(0, input.targetYear - current.year);
      const projected = current.value * (1 + cagrA) ** years;
      p = (projected - base.value) / (target - base.value);
      result.measure = 'projection_ratio';
    } else {
      if (cagrR === null) return fail('not_computable', 'growth_undefined');
      if (cagrR === 0) return fail('not_computable', 'target_equals_base');
      p = profile.withTarget.signed ? (sign * d * cagrA) / Math.abs(cagrR) : cagrA / cagrR;
      result.measure = 'cagr_ratio';
    }
  } else {
    p = sign * d * cagrA;
    result.measure = 'directed_cagr';
    bands = profile.withoutTarget.bands;
    const scaling = profile.withoutTarget.limitScaling;
    if (scaling && input.limit !== undefined && Number.isFinite(input.limit)) {
      coefficient = limitCoefficient(base.value, input.limit, scaling.exponent);
      bands = bands.map((b) => ({ min: b.min * coefficient, status: b.status }));
    }
  }
  if (!Number.isFinite(p)) return fail('not_computable', 'growth_undefined');
  result.ratio = p;
  result.bands = bands;
  result.status = bandStatus(p, bands);
  result.reason = reason('assessed');
  if (profile.score === 'open-sdg') {
    const [high, med, low] = [bands[0]?.min ?? 0, bands[1]?.min ?? 0, bands[2]?.min ?? 0];
    result.score = openSdgScore(p, hasTarget, { high, med, low }, coefficient);
  }
  return finish();
}

// ---------------------------------------------------------------------------------------------
// Array form: the same assessment for series held in arrays, without per-call allocation

/**
 * An assessment's settings, checked once (`prepareAssessment`) and reused for any number of
 * series. Everything of `ProgressInput` but the series, resolved: the profile object, the
 * direction as ±1, the base year with the profile's default applied, no current year = +∞.
 */
export interface PreparedAssessment {
  profile: MethodProfile;
  hasTarget: boolean;
  target: number;
  targetMax: number | undefined;
  comparator: Comparator;
  targetYear: number;
  d: 1 | -1;
  baseYear: number;
  currentYear: number;
  limit: number | undefined;
  isPercent: boolean;
}

/**
 * Checks and resolves the settings of an assessment (the same checks, in the same order, with the
 * same errors as `assessProgress`). `into` is filled and returned instead of a new object.
 */
export function prepareAssessment(
  input: Omit<ProgressInput, 'series'>,
  into?: PreparedAssessment,
): PreparedAssessment {
  const profile = resolveProfile(input.profile);
  const hasTarget = input.target !== null && input.target !== undefined;
  if (hasTarget)
    checkTarget({ target: input.target!, comparator: input.comparator, targetMax: input.targetMax });
  if (input.direction !== 'increase' && input.direction !== 'decrease') {
    throw new ChisoError({
      code: 'progress.bad_direction',
      vi: `Chiều mong muốn phải là 'increase' hoặc 'decrease', nhận '${String(input.direction)}'`,
      en: `The desired direction must be 'increase' or 'decrease', got '${String(input.direction)}'`,
    });
  }
  const p = into ?? ({} as PreparedAssessment);
  p.profile = profile;
  p.hasTarget = hasTarget;
  p.target = hasTarget ? input.target! : Number.NaN;
  p.targetMax = input.targetMax;
  p.comparator = input.comparator;
  p.targetYear = input.targetYear;
  p.d = input.direction === 'decrease' ? -1 : 1;
  p.baseYear = input.baseYear ?? profile.defaultBaseYear;
  p.currentYear = input.currentYear ?? Number.POSITIVE_INFINITY;
  p.limit = input.limit;
  p.isPercent = input.isPercent === true;
  return p;
}

/**
 * The result of `assessArrays`, meant to be reused from call to call (`newArrayAssessment`).
 * Numbers that `ProgressResult` gives as null are NaN here; points are indices into the arrays
 * (−1 = none).
 */
export interface ArrayAssessment {
  status: ProgressStatus;
  reason: ReasonCode;
  score: number;
  attainment: number;
  cagrActual: number;
  cagrRequired: number;
  ratio: number;
  measure: ProgressMeasure | null;
  /** The projection is the latest value grown to the target year; NaN when there is none. */
  projection: number;
  hasProjection: boolean;
  base: number;
  current: number;
  /** The bands used (limit-scaled bands: the profile's × `coefficient`); null when not assessed. */
  bands: readonly ThresholdBand[] | null;
  coefficient: number;
}

export function newArrayAssessment(): ArrayAssessment {
  return {
    status: 'insufficient_data',
    reason: 'no_data',
    score: Number.NaN,
    attainment: Number.NaN,
    cagrActual: Number.NaN,
    cagrRequired: Number.NaN,
    ratio: Number.NaN,
    measure: null,
    projection: Number.NaN,
    hasProjection: false,
    base: -1,
    current: -1,
    bands: null,
    coefficient: 1,
  };
}

/** `cagr` with NaN for "undefined". */
function cagrOrNaN(v1: number, v0: number, t1: number, t0: number): number {
  if (t1 === t0 || v0 === 0) return Number.NaN;
  const g = (v1 / v0) ** (1 / (t1 - t0)) - 1;
  return Number.isFinite(g) ? g : Number.NaN;
}

/**
 * Ends an assessment: a series whose latest value meets the target is `target_achieved` (score 5
 * under open-sdg) whatever else was found; otherwise `status` and `code` when given (a series the
 * method cannot assess), else what the measure gave.
 */
function conclude(
  out: ArrayAssessment,
  achieved: boolean,
  profile: MethodProfile,
  status: ProgressStatus | null,
  code: ReasonCode | null,
): ArrayAssessment {
  if (achieved) {
    out.status = 'target_achieved';
    out.reason = 'target_met';
    out.score = profile.score === 'open-sdg' ? 5 : Number.NaN;
  } else if (status !== null) {
    out.status = status;
    out.reason = code!;
  }
  return out;
}

/**
 * `assessProgress` for a series held in arrays: `years[k]` (strictly increasing integers — a
 * calendar's periods, not checked) and `values[k]` (NaN or ±∞ = missing) for k in [0, n). Writes
 * the result into `out` and returns it; gives exactly the statuses, scores and numbers of
 * `assessProgress` on the same series (property-tested), without allocating anything but scaled
 * bands (no target, a `limit`, open-sdg).
 */
export function assessArrays(
  p: PreparedAssessment,
  years: ArrayLike<number>,
  values: ArrayLike<number>,
  n: number,
  out: ArrayAssessment,
): ArrayAssessment {
  const profile = p.profile;
  out.status = 'insufficient_data';
  out.reason = 'no_data';
  out.score = Number.NaN;
  out.attainment = Number.NaN;
  out.cagrActual = Number.NaN;
  out.cagrRequired = Number.NaN;
  out.ratio = Number.NaN;
  out.measure = null;
  out.projection = Number.NaN;
  out.hasProjection = false;
  out.base = -1;
  out.current = -1;
  out.bands = null;
  out.coefficient = 1;
  // The latest point up to the current year, and the base point: the first at or after the base year.
  let cur = -1;
  let base = -1;
  for (let k = 0; k < n; k++) {
    const v = values[k]!;
    if (!Number.isFinite(v)) continue;
    const y = years[k]!;
    if (y > p.currentYear) break;
    cur = k;
    if (base < 0 && y >= p.baseYear) base = k;
  }
  if (cur < 0) return out;
  out.current = cur;
  const curValue = values[cur]!;
  const curYear = years[cur]!;

  // (1) target achieved
  let achieved = false;
  if (p.hasTarget) {
    out.attainment = attainmentChecked(curValue, p.target, p.comparator, p.targetMax, null, ATTAINMENT_CAP);
    achieved = metChecked(curValue, p.target, p.comparator, p.targetMax);
    const tol = profile.percentBoundTolerance;
    if (!achieved && tol !== null && p.isPercent && (p.target === 0 || p.target === 100)) {
      achieved = Math.abs(curValue - p.target) <= tol;
    }
  }
  // (2) base point and growth
  if (base < 0) {
    return conclude(out, achieved, profile, 'insufficient_data', 'no_data_since_base_year');
  }
  out.base = base;
  const baseRaw = values[base]!;
  const baseYear = years[base]!;
  if (curYear - baseYear < 1) {
    return conclude(out, achieved, profile, 'insufficient_data', 'fewer_than_two_years');
  }
  let baseValue = baseRaw;
  if (baseValue === 0) {
    if (profile.zeroReplacement === null) {
      return conclude(out, achieved, profile, 'not_computable', 'zero_base');
    }
    baseValue = profile.zeroReplacement;
  }
  if ((baseValue > 0 && curValue < 0) || (baseValue < 0 && curValue > 0)) {
    return conclude(out, achieved, profile, 'not_computable', 'opposite_signs');
  }
  const sign = baseRaw < 0 ? -1 : 1;
  const cagrA = cagrOrNaN(curValue, baseValue, curYear, baseYear);
  if (Number.isNaN(cagrA)) {
    return conclude(out, achieved, profile, 'not_computable', 'growth_undefined');
  }
  out.cagrActual = cagrA;
  if (p.targetYear >= curYear) {
    out.hasProjection = true;
    out.projection = curValue * (1 + cagrA) ** (p.targetYear - curYear);
  }

  // (3) the measure
  let ratio: number;
  let bands: readonly ThresholdBand[];
  let coefficient = 1;
  if (p.hasTarget) {
    const rawTarget = p.target;
    const target = rawTarget === 0 && profile.zeroReplacement !== null ? profile.zeroReplacement : rawTarget;
    if (p.targetYear <= baseYear) {
      return conclude(out, achieved, profile, 'not_computable', 'target_year_not_after_base');
    }
    if ((target > 0 && baseValue < 0) || (target < 0 && baseValue > 0)) {
      return conclude(out, achieved, profile, 'not_computable', 'target_opposite_sign');
    }
    const cagrR = cagrOrNaN(target, baseValue, p.targetYear, baseYear);
    out.cagrRequired = cagrR;
    bands = profile.withTarget.bands;
    if (profile.withTarget.measure === 'projection_ratio') {
      if (target === baseRaw) {
        return conclude(out, achieved, profile, 'not_computable', 'target_equals_base');
      }
      const years = Math.max(0, p.targetYear - curYear);
      const projected = curValue * (1 + cagrA) ** years;
      ratio = (projected - baseRaw) / (target - baseRaw);
      out.measure = 'projection_ratio';
    } else {
      if (Number.isNaN(cagrR)) {
        return conclude(out, achieved, profile, 'not_computable', 'growth_undefined');
      }
      if (cagrR === 0) {
        return conclude(out, achieved, profile, 'not_computable', 'target_equals_base');
      }
      ratio = profile.withTarget.signed ? (sign * p.d * cagrA) / Math.abs(cagrR) : cagrA / cagrR;
      out.measure = 'cagr_ratio';
    }
  } else {
    ratio = sign * p.d * cagrA;
    out.measure = 'directed_cagr';
    bands = profile.withoutTarget.bands;
    const scaling = profile.withoutTarget.limitScaling;
    if (scaling && p.limit !== undefined && Number.isFinite(p.limit)) {
      coefficient = limitCoefficient(baseRaw, p.limit, scaling.exponent);
      const c = coefficient;
      bands = bands.map((b) => ({ min: b.min * c, status: b.status }));
    }
  }
  if (!Number.isFinite(ratio)) {
    return conclude(out, achieved, profile, 'not_computable', 'growth_undefined');
  }
  out.ratio = ratio;
  out.bands = bands;
  out.coefficient = coefficient;
  out.status = bandStatus(ratio, bands);
  out.reason = 'assessed';
  if (profile.score === 'open-sdg') {
    const high = bands[0]?.min ?? 0;
    const med = bands[1]?.min ?? 0;
    const low = bands[2]?.min ?? 0;
    out.score = openSdgScore(ratio, p.hasTarget, { high, med, low }, coefficient);
  }
  return conclude(out, achieved, profile, null, null);
}

const nullIfNaN = (x: number): number | null => (Number.isNaN(x) ? null : x);

/** An `ArrayAssessment` as the `ProgressResult` that `assessProgress` gives for the same series. */
export function toProgressResult(
  p: PreparedAssessment,
  years: ArrayLike<number>,
  values: ArrayLike<number>,
  a: ArrayAssessment,
): ProgressResult {
  return {
    status: a.status,
    score: nullIfNaN(a.score),
    attainment: nullIfNaN(a.attainment),
    cagrActual: nullIfNaN(a.cagrActual),
    cagrRequired: nullIfNaN(a.cagrRequired),
    ratio: nullIfNaN(a.ratio),
    measure: a.measure,
    projection: a.hasProjection ? { year: p.targetYear, value: a.projection } : null,
    base: a.base < 0 ? null : { year: years[a.base]!, value: values[a.base]! },
    current: a.current < 0 ? null : { year: years[a.current]!, value: values[a.current]! },
    bands: a.bands,
    profile: p.profile.id,
    reason: reason(a.reason),
  };
}
