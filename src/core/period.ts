/**
 * Reporting periods: parsing, formatting, ordering, calendar arithmetic and the reporting windows
 * of Decree 09/2019/NĐ-CP.
 *
 * Codes (strict on input, one spelling per period):
 *   year `2024` · half `2024S1`/`2024S2` · quarter `2024Q1`…`2024Q4` · month `2024-01`…`2024-12`.
 * Years have exactly four digits, 1000–9999. DHIS2 spells months `202403`; convert with
 * `fromDhis2Period` / `toDhis2Period` at the boundary rather than loosening `parsePeriod`.
 *
 * Dates are ISO strings `YYYY-MM-DD` in the proleptic Gregorian calendar; all arithmetic is on
 * integers (no `Date`, no time zone), so results are the same on every machine.
 */
import { ChisoError } from './errors.ts';

export type PeriodType = 'year' | 'half' | 'quarter' | 'month';

export interface Period {
  type: PeriodType;
  year: number;
  /** 1 for a year, 1–2 for a half, 1–4 for a quarter, 1–12 for a month. */
  index: number;
}

export const PERIOD_TYPES: readonly PeriodType[] = ['year', 'half', 'quarter', 'month'];

/** How many periods of a type make a year. */
export const PERIODS_PER_YEAR: Readonly<Record<PeriodType, number>> = {
  year: 1,
  half: 2,
  quarter: 4,
  month: 12,
};

/** Length of a period type in months. */
export const MONTHS_IN_PERIOD: Readonly<Record<PeriodType, number>> = {
  year: 12,
  half: 6,
  quarter: 3,
  month: 1,
};

export const MIN_YEAR = 1000;
export const MAX_YEAR = 9999;

const TYPE_VI: Record<PeriodType, string> = { year: 'năm', half: '6 tháng', quarter: 'quý', month: 'tháng' };

// ---------------------------------------------------------------------------------------------
// Parsing

function malformed(code: string, position: number, vi: string, en: string): ChisoError {
  return new ChisoError({
    code: 'period.malformed',
    vi: `Kỳ báo cáo không hợp lệ: '${code}' — ${vi}`,
    en: `Invalid period: '${code}' — ${en}`,
    position,
    details: { input: code },
  });
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

const EXPECTED_SUFFIX_VI =
  "sau năm chỉ được có 'S1'/'S2' (6 tháng), 'Q1'–'Q4' (quý) hoặc '-01'–'-12' (tháng)";
const EXPECTED_SUFFIX_EN =
  "after the year only 'S1'/'S2' (half), 'Q1'–'Q4' (quarter) or '-01'–'-12' (month) may follow";

/**
 * Parse a period code. Throws ChisoError `period.malformed` whose `position` is the 0-based index
 * of the first character that cannot be accepted (the length of the input when it ends too early).
 */
export function parsePeriod(code: string): Period {
  if (typeof code !== 'string' || code.length === 0) {
    throw malformed(String(code ?? ''), 0, 'mã kỳ trống', 'the code is empty');
  }
  for (let i = 0; i < 4; i++) {
    if (!isDigit(code[i])) {
      throw malformed(
        code,
        i,
        'mã kỳ phải bắt đầu bằng năm gồm 4 chữ số',
        'a period starts with a 4-digit year',
      );
    }
  }
  const year = Number(code.slice(0, 4));
  if (year < MIN_YEAR) {
    throw malformed(
      code,
      0,
      `năm phải từ ${MIN_YEAR} đến ${MAX_YEAR}`,
      `the year must be ${MIN_YEAR} to ${MAX_YEAR}`,
    );
  }
  if (code.length === 4) return { type: 'year', year, index: 1 };
  const tag = code[4];
  let type: PeriodType;
  let width: number;
  if (tag === 'S') {
    type = 'half';
    width = 1;
  } else if (tag === 'Q') {
    type = 'quarter';
    width = 1;
  } else if (tag === '-') {
    type = 'month';
    width = 2;
  } else {
    throw malformed(code, 4, EXPECTED_SUFFIX_VI, EXPECTED_SUFFIX_EN);
  }
  const digits = code.slice(5, 5 + width);
  for (let i = 0; i < width; i++) {
    if (!isDigit(code[5 + i])) {
      const pos = 5 + i;
      if (type === 'month') {
        throw malformed(
          code,
          pos,
          'tháng phải gồm 2 chữ số, từ 01 đến 12',
          'the month must have 2 digits, 01 to 12',
        );
      }
      throw malformed(
        code,
        pos,
        type === 'half' ? 'sau S phải là 1 hoặc 2' : 'sau Q phải là số quý từ 1 đến 4',
        type === 'half' ? "'S' must be followed by 1 or 2" : "'Q' must be followed by a quarter 1 to 4",
      );
    }
  }
  const index = Number(digits);
  const max = PERIODS_PER_YEAR[type];
  if (index < 1 || index > max) {
    const [vi, en] =
      type === 'half'
        ? ['nửa năm phải là 1 hoặc 2', 'the half must be 1 or 2']
        : type === 'quarter'
          ? ['quý phải từ 1 đến 4', 'the quarter must be 1 to 4']
          : ['tháng phải từ 01 đến 12', 'the month must be 01 to 12'];
    throw malformed(code, 5, vi, en);
  }
  if (code.length > 5 + width) {
    throw malformed(code, 5 + width, 'thừa ký tự sau mã kỳ', 'unexpected characters after the period');
  }
  return { type, year, index };
}

/** Like parsePeriod but returns null instead of throwing. */
export function tryParsePeriod(code: string): Period | null {
  try {
    return parsePeriod(code);
  } catch {
    return null;
  }
}

/** Throws ChisoError `period.invalid` unless `p` is a well-formed Period. */
export function assertPeriod(p: Period): void {
  const ok =
    p !== null &&
    typeof p === 'object' &&
    Object.hasOwn(PERIODS_PER_YEAR, p.type) &&
    Number.isInteger(p.year) &&
    p.year >= MIN_YEAR &&
    p.year <= MAX_YEAR &&
    Number.isInteger(p.index) &&
    p.index >= 1 &&
    p.index <= PERIODS_PER_YEAR[p.type];
  if (!ok) {
    throw new ChisoError({
      code: 'period.invalid',
      vi: `Kỳ báo cáo không hợp lệ: ${JSON.stringify(p)}`,
      en: `Invalid period: ${JSON.stringify(p)}`,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Formatting

const pad2 = (n: number): string => String(n).padStart(2, '0');
const ROMAN = ['I', 'II', 'III', 'IV'];
const MONTH_EN = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** The canonical code: `2024`, `2024S1`, `2024Q1`, `2024-03`. */
export function formatPeriod(p: Period): string {
  assertPeriod(p);
  switch (p.type) {
    case 'year':
      return String(p.year);
    case 'half':
      return `${p.year}S${p.index}`;
    case 'quarter':
      return `${p.year}Q${p.index}`;
    case 'month':
      return `${p.year}-${pad2(p.index)}`;
  }
}

/** 'Năm 2024', '6 tháng đầu năm 2024', '6 tháng cuối năm 2024', 'Quý I/2024', 'Tháng 03/2024'. */
export function formatPeriodVi(p: Period): string {
  assertPeriod(p);
  switch (p.type) {
    case 'year':
      return `Năm ${p.year}`;
    case 'half':
      return `6 tháng ${p.index === 1 ? 'đầu' : 'cuối'} năm ${p.year}`;
    case 'quarter':
      return `Quý ${ROMAN[p.index - 1]}/${p.year}`;
    case 'month':
      return `Tháng ${pad2(p.index)}/${p.year}`;
  }
}

/** 'Year 2024', 'First half of 2024', 'Second half of 2024', 'Q1 2024', 'March 2024'. */
export function formatPeriodEn(p: Period): string {
  assertPeriod(p);
  switch (p.type) {
    case 'year':
      return `Year ${p.year}`;
    case 'half':
      return `${p.index === 1 ? 'First' : 'Second'} half of ${p.year}`;
    case 'quarter':
      return `Q${p.index} ${p.year}`;
    case 'month':
      return `${MONTH_EN[p.index - 1]} ${p.year}`;
  }
}

// ---------------------------------------------------------------------------------------------
// DHIS2 period codes (yearly 2024, six-monthly 2024S1, quarterly 2024Q1, monthly 202403)

/** Convert a DHIS2 period identifier of a supported type; throws `period.dhis2_unsupported` otherwise. */
export function fromDhis2Period(code: string): Period {
  if (typeof code === 'string' && /^\d{6}$/.test(code)) {
    const p = tryParsePeriod(`${code.slice(0, 4)}-${code.slice(4)}`);
    if (p) return p;
  } else if (typeof code === 'string' && /^\d{4}(?:[SQ]\d)?$/.test(code)) {
    const p = tryParsePeriod(code);
    if (p) return p;
  }
  throw new ChisoError({
    code: 'period.dhis2_unsupported',
    vi: `Kỳ DHIS2 không hợp lệ hoặc chưa hỗ trợ: '${code}' — chỉ nhận năm (2024), 6 tháng (2024S1), quý (2024Q1) và tháng (202403)`,
    en: `Invalid or unsupported DHIS2 period: '${code}' — only yearly (2024), six-monthly (2024S1), quarterly (2024Q1) and monthly (202403) are supported`,
    details: { input: code },
  });
}

export function toDhis2Period(p: Period): string {
  return p.type === 'month' ? `${p.year}${pad2(p.index)}` : formatPeriod(p);
}

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic on integers

export const isLeapYear = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

interface Ymd {
  y: number;
  m: number;
  d: number;
}

const isoDate = ({ y, m, d }: Ymd): string => `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`;

/**
 * Parse a strict ISO calendar date `YYYY-MM-DD`. Throws ChisoError `date.malformed` with the
 * position of the first bad character.
 */
export function parseIsoDate(s: string): Ymd {
  const bad = (position: number, vi: string, en: string): ChisoError =>
    new ChisoError({
      code: 'date.malformed',
      vi: `Ngày không hợp lệ: '${s}' — ${vi}`,
      en: `Invalid date: '${s}' — ${en}`,
      position,
      details: { input: s },
    });
  if (typeof s !== 'string') throw bad(0, 'cần chuỗi YYYY-MM-DD', 'expected a YYYY-MM-DD string');
  const shape = '0000-00-00';
  for (let i = 0; i < shape.length; i++) {
    const c = s[i];
    const ok = shape[i] === '-' ? c === '-' : isDigit(c);
    if (!ok) throw bad(i, 'cần dạng YYYY-MM-DD', 'expected the form YYYY-MM-DD');
  }
  if (s.length > shape.length)
    throw bad(shape.length, 'thừa ký tự sau ngày', 'unexpected characters after the date');
  const y = Number(s.slice(0, 4));
  const m = Number(s.slice(5, 7));
  const d = Number(s.slice(8, 10));
  if (y < 1) throw bad(0, 'năm phải từ 0001', 'the year must be 0001 or later');
  if (m < 1 || m > 12) throw bad(5, 'tháng phải từ 01 đến 12', 'the month must be 01 to 12');
  if (d < 1 || d > daysInMonth(y, m)) {
    throw bad(8, `ngày phải từ 01 đến ${daysInMonth(y, m)}`, `the day must be 01 to ${daysInMonth(y, m)}`);
  }
  return { y, m, d };
}

/** Days since 1970-01-01 (negative before). Hinnant's days_from_civil. */
function dayNumber({ y, m, d }: Ymd): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function fromDayNumber(z0: number): Ymd {
  const z = z0 + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: era * 400 + yoe + (m <= 2 ? 1 : 0), m, d };
}

/** Add (or subtract) calendar days to an ISO date. */
export function addDays(date: string, days: number): string {
  return isoDate(fromDayNumber(dayNumber(parseIsoDate(date)) + days));
}

/** ISO weekday of a date: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: string): number {
  const n = dayNumber(parseIsoDate(date));
  return ((((n + 3) % 7) + 7) % 7) + 1; // 1970-01-01 was a Thursday
}

/** Whole days from `a` to `b` (positive when b is later). */
export function daysBetween(a: string, b: string): number {
  return dayNumber(parseIsoDate(b)) - dayNumber(parseIsoDate(a));
}

// ---------------------------------------------------------------------------------------------
// Ordering and navigation

/** 0-based month (since year 0) in which the period starts. */
const startMonthOrdinal = (p: Period): number => p.year * 12 + (p.index - 1) * MONTHS_IN_PERIOD[p.type];

/** 1–12: the first calendar month of the period. */
export const periodFirstMonth = (p: Period): number => (p.index - 1) * MONTHS_IN_PERIOD[p.type] + 1;
/** 1–12: the last calendar month of the period. */
export const periodLastMonth = (p: Period): number => p.index * MONTHS_IN_PERIOD[p.type];

/**
 * Total order on periods. Same type: by time. Different types: by start date, then the shorter
 * period first (so `2024-01` < `2024Q1` < `2024S1` < `2024` < `2024-02`).
 */
export function comparePeriods(a: Period, b: Period): number {
  const d = startMonthOrdinal(a) - startMonthOrdinal(b);
  if (d !== 0) return d < 0 ? -1 : 1;
  const l = MONTHS_IN_PERIOD[a.type] - MONTHS_IN_PERIOD[b.type];
  return l === 0 ? 0 : l < 0 ? -1 : 1;
}

export const samePeriod = (a: Period, b: Period): boolean =>
  a.type === b.type && a.year === b.year && a.index === b.index;

/** First day of the period, 'YYYY-MM-DD'. */
export function periodStart(p: Period): string {
  assertPeriod(p);
  return isoDate({ y: p.year, m: periodFirstMonth(p), d: 1 });
}

/** Last day of the period, 'YYYY-MM-DD'. */
export function periodEnd(p: Period): string {
  assertPeriod(p);
  const m = periodLastMonth(p);
  return isoDate({ y: p.year, m, d: daysInMonth(p.year, m) });
}

/** Sequential number of a period within its type (year·k + index − 1). */
const ordinal = (p: Period): number => p.year * PERIODS_PER_YEAR[p.type] + p.index - 1;

function fromOrdinal(type: PeriodType, n: number): Period {
  const k = PERIODS_PER_YEAR[type];
  const year = Math.floor(n / k);
  if (year < MIN_YEAR || year > MAX_YEAR) {
    throw new ChisoError({
      code: 'period.out_of_range',
      vi: `Kỳ báo cáo nằm ngoài khoảng năm ${MIN_YEAR}–${MAX_YEAR}`,
      en: `Period outside the years ${MIN_YEAR}–${MAX_YEAR}`,
    });
  }
  return { type, year, index: n - year * k + 1 };
}

/** The period `n` steps later (earlier when n < 0) of the same type. */
export function shiftPeriod(p: Period, n: number): Period {
  assertPeriod(p);
  if (!Number.isInteger(n)) {
    throw new ChisoError({
      code: 'period.bad_shift',
      vi: `Số kỳ dịch chuyển phải là số nguyên: ${n}`,
      en: `A period shift must be an integer: ${n}`,
    });
  }
  return fromOrdinal(p.type, ordinal(p) + n);
}

/** Every period from `from` to `to`, both included. Both must have the same type and from ≤ to. */
export function periodRange(from: Period, to: Period): Period[] {
  assertPeriod(from);
  assertPeriod(to);
  if (from.type !== to.type) {
    throw new ChisoError({
      code: 'period.type_mismatch',
      vi: `Khoảng kỳ phải cùng loại: ${formatPeriod(from)} là kỳ ${TYPE_VI[from.type]}, ${formatPeriod(to)} là kỳ ${TYPE_VI[to.type]}`,
      en: `A period range needs one type: ${formatPeriod(from)} is a ${from.type}, ${formatPeriod(to)} is a ${to.type}`,
    });
  }
  const a = ordinal(from);
  const b = ordinal(to);
  if (a > b) {
    throw new ChisoError({
      code: 'period.range_reversed',
      vi: `Kỳ bắt đầu ${formatPeriod(from)} ở sau kỳ kết thúc ${formatPeriod(to)}`,
      en: `The first period ${formatPeriod(from)} is after the last period ${formatPeriod(to)}`,
    });
  }
  const out: Period[] = [];
  for (let n = a; n <= b; n++) out.push(fromOrdinal(from.type, n));
  return out;
}

/** Whether periods of type `inner` tile each period of type `outer` (every type tiles every longer one). */
const nests = (inner: PeriodType, outer: PeriodType): boolean =>
  MONTHS_IN_PERIOD[outer] % MONTHS_IN_PERIOD[inner] === 0;

function typeError(p: Period, type: PeriodType, vi: string, en: string): ChisoError {
  return new ChisoError({
    code: 'period.type_mismatch',
    vi: `Kỳ ${formatPeriod(p)}: ${vi}`,
    en: `Period ${formatPeriod(p)}: ${en}`,
    details: { period: formatPeriod(p), type },
  });
}

/** The periods of a finer (or the same) type that make up `p`: the quarters of a year, the months of a quarter … */
export function periodsWithin(p: Period, type: PeriodType): Period[] {
  assertPeriod(p);
  if (!nests(type, p.type)) {
    throw typeError(
      p,
      type,
      `không chia được thành các kỳ ${TYPE_VI[type]}`,
      `cannot be divided into periods of type ${type}`,
    );
  }
  const per = MONTHS_IN_PERIOD[p.type] / MONTHS_IN_PERIOD[type];
  const first = (p.index - 1) * per + 1;
  return Array.from({ length: per }, (_, i) => ({ type, year: p.year, index: first + i }));
}

/** The period of a coarser (or the same) type that contains `p`: the quarter of a month, the year of a half … */
export function containingPeriod(p: Period, type: PeriodType): Period {
  assertPeriod(p);
  if (!nests(p.type, type)) {
    throw typeError(
      p,
      type,
      `không nằm trọn trong một kỳ ${TYPE_VI[type]}`,
      `is not contained in a single period of type ${type}`,
    );
  }
  const m = periodFirstMonth(p);
  return { type, year: p.year, index: Math.floor((m - 1) / MONTHS_IN_PERIOD[type]) + 1 };
}

/** Whether the calendar period `p` contains the ISO date. */
export function periodContainsDate(p: Period, date: string): boolean {
  const { y, m } = parseIsoDate(date);
  assertPeriod(p);
  return y === p.year && m >= periodFirstMonth(p) && m <= periodLastMonth(p);
}

/** The calendar period of the given type that contains the ISO date. */
export function periodOfDate(date: string, type: PeriodType): Period {
  const { y, m } = parseIsoDate(date);
  if (y < MIN_YEAR || y > MAX_YEAR) {
    throw new ChisoError({
      code: 'period.out_of_range',
      vi: `Ngày ${date} nằm ngoài khoảng năm ${MIN_YEAR}–${MAX_YEAR}`,
      en: `The date ${date} is outside the years ${MIN_YEAR}–${MAX_YEAR}`,
    });
  }
  return { type, year: y, index: Math.floor((m - 1) / MONTHS_IN_PERIOD[type]) + 1 };
}

// ---------------------------------------------------------------------------------------------
// Reporting windows (Decree 09/2019/NĐ-CP)

/**
 * When a report is due. Decree 09 leaves the sending deadline to each reporting regime, so it is
 * configuration:
 * - `day_of_cutoff_month`: a fixed day of the month in which the data cut-off falls (clamped to
 *   the month's length), e.g. day 20;
 * - `days_after_cutoff`: N calendar days, or N working days when `workingDays` (Monday–Friday, and
 *   not one of `holidays`), after the cut-off date.
 */
export type DeadlineRule =
  | { kind: 'day_of_cutoff_month'; day: number }
  | { kind: 'days_after_cutoff'; days: number; workingDays?: boolean; holidays?: readonly string[] };

export interface ReportingRule {
  /**
   * `decree09`: data from the 15th of the month before the period to the 14th of its last month.
   * `calendar`: the calendar period itself (statistical reporting under the Statistics Law).
   */
  window: 'decree09' | 'calendar';
  deadline: DeadlineRule;
}

/**
 * Named rules.
 * - `decree09`: Decree 09 default cut-off window; deadline the 20th of the cut-off month. The
 *   decree itself sets no sending deadline; the 20th is the figure usually quoted for reports to
 *   the Government and is NOT confirmed (see docs/ENGINE.md) — configure the regime's own rule.
 * - `calendar`: calendar period, deadline unset, i.e. equal to the cut-off (period end).
 */
export const REPORTING_RULES: Readonly<Record<'decree09' | 'calendar', ReportingRule>> = {
  decree09: { window: 'decree09', deadline: { kind: 'day_of_cutoff_month', day: 20 } },
  calendar: { window: 'calendar', deadline: { kind: 'days_after_cutoff', days: 0 } },
};

export interface ReportingWindow {
  /** First day whose data belongs to the report. */
  dataFrom: string;
  /** Last day whose data belongs to the report. */
  dataTo: string;
  /** Thời gian chốt số liệu: the day the figures are closed (= dataTo). */
  cutoff: string;
  /** Thời hạn gửi báo cáo: the last day to submit. */
  deadline: string;
}

function resolveRule(rule: 'decree09' | 'calendar' | ReportingRule): ReportingRule {
  if (typeof rule === 'string') {
    const r = REPORTING_RULES[rule];
    if (!r) {
      throw new ChisoError({
        code: 'period.unknown_rule',
        vi: `Không có quy tắc kỳ báo cáo '${rule}'`,
        en: `Unknown reporting rule '${rule}'`,
      });
    }
    return r;
  }
  return rule;
}

function applyDeadline(cutoff: string, rule: DeadlineRule): string {
  if (rule.kind === 'day_of_cutoff_month') {
    const { y, m, d } = parseIsoDate(cutoff);
    const day = Math.min(Math.max(1, Math.trunc(rule.day)), daysInMonth(y, m));
    // A day before the cut-off would make the deadline precede the data: roll to the next month.
    if (day >= d) return isoDate({ y, m, d: day });
    const ny = m === 12 ? y + 1 : y;
    const nm = m === 12 ? 1 : m + 1;
    return isoDate({ y: ny, m: nm, d: Math.min(day, daysInMonth(ny, nm)) });
  }
  const n = Math.max(0, Math.trunc(rule.days));
  if (!rule.workingDays) return addDays(cutoff, n);
  const holidays = new Set(rule.holidays ?? []);
  let date = cutoff;
  for (let left = n; left > 0; ) {
    date = addDays(date, 1);
    if (isoWeekday(date) <= 5 && !holidays.has(date)) left--;
  }
  return date;
}

/**
 * The reporting window of a period. Under Decree 09 (its default cut-off, used when a regime sets
 * none) the data run from the 15th of the month before the period's first month to the 14th of the
 * period's last month: month 2024-03 → 15/02–14/03; Q1 2024 → 15/12/2023–14/03/2024; H1 → 15/12 of
 * the previous year–14/06; year → 15/12 of the previous year–14/12. The cut-off is the last data day.
 */
export function reportingWindow(
  p: Period,
  rule: 'decree09' | 'calendar' | ReportingRule = 'decree09',
): ReportingWindow {
  assertPeriod(p);
  const r = resolveRule(rule);
  let dataFrom: string;
  let dataTo: string;
  if (r.window === 'calendar') {
    dataFrom = periodStart(p);
    dataTo = periodEnd(p);
  } else {
    const first = periodFirstMonth(p);
    const fy = first === 1 ? p.year - 1 : p.year;
    const fm = first === 1 ? 12 : first - 1;
    dataFrom = isoDate({ y: fy, m: fm, d: 15 });
    dataTo = isoDate({ y: p.year, m: periodLastMonth(p), d: 14 });
  }
  return { dataFrom, dataTo, cutoff: dataTo, deadline: applyDeadline(dataTo, r.deadline) };
}

/**
 * The window of a year-to-date report ending with `p` (e.g. the common "9 tháng" report is
 * `cumulativeWindow(2024Q3)`: 15/12/2023–14/09/2024 under Decree 09).
 */
export function cumulativeWindow(
  p: Period,
  rule: 'decree09' | 'calendar' | ReportingRule = 'decree09',
): ReportingWindow {
  const own = reportingWindow(p, rule);
  const year = reportingWindow({ type: 'year', year: p.year, index: 1 }, rule);
  return { ...own, dataFrom: year.dataFrom };
}

/**
 * The period of the given type whose reporting window contains the date: under Decree 09,
 * 20/12/2024 belongs to Q1 2025 and to year 2025; under `calendar` this is periodOfDate.
 */
export function reportingPeriodOfDate(
  date: string,
  type: PeriodType,
  rule: 'decree09' | 'calendar' | ReportingRule = 'decree09',
): Period {
  const r = resolveRule(rule);
  if (r.window === 'calendar') return periodOfDate(date, type);
  const { y, m, d } = parseIsoDate(date);
  // Days from the 15th on count towards the next month.
  const carry = d >= 15;
  const ny = carry && m === 12 ? y + 1 : y;
  const nm = carry ? (m === 12 ? 1 : m + 1) : m;
  return periodOfDate(isoDate({ y: ny, m: nm, d: 1 }), type);
}
