/**
 * Tasks of a plan: their deadlines as the documents write them, and the status of a task at a
 * reference date from its deadline and the progress its units reported. Pure: no I/O, no clock (the
 * reference date is an argument), deterministic.
 *
 * Deadlines (thời gian hoàn thành) come in the forms the plans use:
 *   a date "30/6/2021" · a month "Tháng 6/2021" · a quarter "Hoàn thành trong quý 01 năm 2021",
 *   "Quý I/2021" · a half "6 tháng đầu năm 2021" · a year "Năm 2021" · recurring "thường xuyên",
 *   "hằng năm", "Định kỳ hàng quý" · none. A dated deadline means "by the last day of that date or
 *   period". A recurring task has no final deadline and owes a report every period of its
 *   recurrence (quarterly unless the text says otherwise: plan 681/KH-UBND IV.1.e makes every unit
 *   report quarterly).
 *
 * Status rules (`unitTaskStatus`, for the reports of one responsible unit; the most severe of the
 * responsible units' statuses is the task's, `combineStatuses`):
 *   1. done / done_late — the latest report says done: on time when completed (its `completedOn`,
 *      else the day it was reported) on or before the deadline, late after it. Recurring tasks are
 *      never done: a "done" report closes that period only.
 *   2. no_deadline — no deadline and not done (blocked tasks are still at_risk).
 *   3. overdue — past the deadline (the reference date is after its last day) and not done.
 *      Recurring: the latest period whose reporting deadline has passed has no report.
 *   4. at_risk — the latest report says blocked; or the percent complete is behind the linear
 *      schedule from the start date to the deadline by more than `atRiskMargin` percentage points
 *      (default 25: a task half-way through its time with less than 25 % done). Without a start date
 *      the schedule is unknown and only "blocked" makes a task at risk.
 *   5. due — the deadline falls in the current reporting period (a quarter by default) or within
 *      `dueWithinDays` days (default 30). Recurring: the current period's report is not in yet and its
 *      reporting deadline is within `dueWithinDays` days.
 *   6. on_track — none of the above.
 * Only the reports made on or before the reference date count (a view "as of" a past day sees what
 * was known that day).
 * Recurring tasks are judged per period of their recurrence against the reporting deadline of that
 * period (`reportingWindow`, Decree 09/2019 by default: a quarter's report is due on the 20th of its
 * last month); judgement stops at `until` (the day the plan was closed).
 */
import { ChisoError } from './errors.ts';
import {
  comparePeriods,
  daysBetween,
  daysInMonth,
  formatPeriod,
  MAX_YEAR,
  MIN_YEAR,
  type Period,
  type PeriodType,
  parseIsoDate,
  periodEnd,
  periodOfDate,
  periodStart,
  type ReportingRule,
  reportingWindow,
  shiftPeriod,
  tryParsePeriod,
} from './period.ts';
import { foldVi } from './text.ts';

// ---------------------------------------------------------------------------------------------
// Deadlines

export const DEADLINE_KINDS = ['date', 'month', 'quarter', 'half', 'year', 'recurring', 'none'] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];
export const RECURRENCES = ['month', 'quarter', 'half', 'year'] as const;
export type Recurrence = (typeof RECURRENCES)[number];

export interface Deadline {
  kind: DeadlineKind;
  /** 'date': an ISO date; 'month' … 'year': a period code (2021-06, 2021Q1, 2021S1, 2021); else null. */
  value: string | null;
  /** Recurring tasks only: the period of the report they owe. */
  recurrence: Recurrence | null;
  /** The deadline as the document writes it, verbatim. */
  text: string | null;
}

export const NO_DEADLINE: Deadline = { kind: 'none', value: null, recurrence: null, text: null };

/** The default recurrence of a recurring task whose text does not say ("thường xuyên"). */
export const DEFAULT_RECURRENCE: Recurrence = 'quarter';

const pad2 = (n: number): string => String(n).padStart(2, '0');

const EXAMPLES_VI =
  "'30/6/2021', 'Tháng 6/2021', 'Quý 01/2021', 'Hoàn thành trong quý 01 năm 2021', '6 tháng đầu năm 2021', 'Năm 2021', 'thường xuyên', 'hằng năm', 'Định kỳ hàng quý'";
const EXAMPLES_EN = EXAMPLES_VI;

function malformedDeadline(text: string): ChisoError {
  return new ChisoError({
    code: 'deadline.malformed',
    vi: `Không hiểu thời hạn '${text}'. Các dạng được chấp nhận: ${EXAMPLES_VI}, hoặc để trống.`,
    en: `Cannot read the deadline '${text}'. Accepted forms: ${EXAMPLES_EN}, or empty.`,
    details: { input: text },
  });
}

function invalidDeadline(text: string, vi: string, en: string): ChisoError {
  return new ChisoError({
    code: 'deadline.invalid',
    vi: `Thời hạn '${text}' không hợp lệ: ${vi}.`,
    en: `The deadline '${text}' is invalid: ${en}.`,
    details: { input: text },
  });
}

function checkYear(text: string, y: number): void {
  if (y < MIN_YEAR || y > MAX_YEAR) {
    throw invalidDeadline(
      text,
      `năm phải từ ${MIN_YEAR} đến ${MAX_YEAR}`,
      `the year must be ${MIN_YEAR} to ${MAX_YEAR}`,
    );
  }
}

function dateDeadline(text: string | null, y: number, m: number, d: number): Deadline {
  const t = text ?? `${y}-${pad2(m)}-${pad2(d)}`;
  checkYear(t, y);
  if (m < 1 || m > 12) throw invalidDeadline(t, 'tháng phải từ 1 đến 12', 'the month must be 1 to 12');
  const last = daysInMonth(y, m);
  if (d < 1 || d > last) {
    throw invalidDeadline(t, `tháng ${m}/${y} có ${last} ngày`, `month ${m}/${y} has ${last} days`);
  }
  return { kind: 'date', value: `${y}-${pad2(m)}-${pad2(d)}`, recurrence: null, text };
}

function periodDeadline(text: string | null, p: Period): Deadline {
  const kind: DeadlineKind = p.type;
  return { kind, value: formatPeriod(p), recurrence: null, text };
}

const ROMAN: Record<string, number> = { i: 1, ii: 2, iii: 3, iv: 4 };

function quarterDeadline(text: string, q: string, y: number): Deadline {
  checkYear(text, y);
  const n = ROMAN[q] ?? Number(q);
  if (!Number.isInteger(n) || n < 1 || n > 4) {
    throw invalidDeadline(text, 'quý phải từ 1 (I) đến 4 (IV)', 'the quarter must be 1 (I) to 4 (IV)');
  }
  return periodDeadline(text, { type: 'quarter', year: y, index: n });
}

function monthDeadline(text: string, m: number, y: number): Deadline {
  checkYear(text, y);
  if (m < 1 || m > 12) throw invalidDeadline(text, 'tháng phải từ 1 đến 12', 'the month must be 1 to 12');
  return periodDeadline(text, { type: 'month', year: y, index: m });
}

/** Words that may stand before a deadline without changing it ("Hoàn thành trong …", "trước ngày …"). */
const LEAD_IN =
  /^(?:hoan thanh|thuc hien|trien khai|truoc|trong|cham nhat la|cham nhat|den het|den|vao|thoi han|thoi gian|han|xong|ket thuc|cuoi|ngay)\s*[:,-]?\s*/;

/** Recurring phrases (folded) and the period they name (null: "regularly", unspecified). */
const RECURRING_PHRASES: ReadonlyArray<[RegExp, Recurrence | null]> = [
  [/^(?:dinh ky )?(?:hang|moi) thang(?: mot lan)?$/, 'month'],
  [/^(?:dinh ky )?(?:hang|moi) quy(?: mot lan)?$/, 'quarter'],
  [/^dinh ky (?:theo )?quy$/, 'quarter'],
  [/^(?:dinh ky )?(?:hang |moi )?(?:6|sau) thang(?: mot lan)?$/, 'half'],
  [/^(?:dinh ky )?(?:hang|moi) nam(?: mot lan)?$/, 'year'],
  [/^dinh ky (?:theo )?nam$/, 'year'],
  [/^(?:thuong xuyen|lien tuc|dinh ky|thuong xuyen lien tuc|thuong xuyen va lien tuc)$/, null],
];

const NONE_PHRASES = new Set([
  '',
  '-',
  '—',
  '–',
  'khong',
  'khong co',
  'khong xac dinh',
  'chua xac dinh',
  'n/a',
]);

const FINER: Record<Recurrence, number> = { month: 1, quarter: 3, half: 6, year: 12 };

const halfDeadline = (text: string, y: number, h: number): Deadline => {
  checkYear(text, y);
  if (h < 1 || h > 2) throw invalidDeadline(text, 'nửa năm phải là S1 hoặc S2', 'the half must be S1 or S2');
  return periodDeadline(text, { type: 'half', year: y, index: h });
};
const yearDeadline = (text: string, y: number): Deadline => {
  checkYear(text, y);
  return periodDeadline(text, { type: 'year', year: y, index: 1 });
};

/** The dated forms, on folded text without its lead-in words; the first that matches reads it. */
const DATED_FORMS: ReadonlyArray<[RegExp, (text: string, m: RegExpExecArray) => Deadline]> = [
  // ISO forms (the structured files use them).
  [/^(\d{4})-(\d{2})-(\d{2})$/, (t, m) => dateDeadline(t, +m[1]!, +m[2]!, +m[3]!)],
  [/^(\d{4})-(\d{2})$/, (t, m) => monthDeadline(t, +m[2]!, +m[1]!)],
  [/^(\d{4})q(\d)$/, (t, m) => quarterDeadline(t, m[2]!, +m[1]!)],
  [/^(\d{4})s(\d)$/, (t, m) => halfDeadline(t, +m[1]!, +m[2]!)],
  // Dates: 30/6/2021, 30-06-2021, 30.6.2021, "30 tháng 6 năm 2021".
  [/^(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4})$/, (t, m) => dateDeadline(t, +m[4]!, +m[3]!, +m[1]!)],
  [/^(\d{1,2}) thang (\d{1,2})(?: nam |\s*\/\s*)(\d{4})$/, (t, m) => dateDeadline(t, +m[3]!, +m[2]!, +m[1]!)],
  // Quarters: "quý 01 năm 2021", "Quý I/2021", "Q1/2021", "quý 1 - 2021".
  [
    /^(?:quy|q)\s*(iv|i{1,3}|\d{1,2})\s*(?:nam\s*|[/.-]\s*)(\d{4})$/,
    (t, m) => quarterDeadline(t, m[1]!, +m[2]!),
  ],
  // Halves: "6 tháng đầu năm 2021", "sáu tháng cuối năm 2021", "nửa đầu năm 2021".
  [
    /^(?:6 thang|sau thang|nua) (dau|cuoi)(?: nam)?\s*(?:[/.-]\s*)?(\d{4})$/,
    (t, m) => halfDeadline(t, +m[2]!, m[1] === 'dau' ? 1 : 2),
  ],
  // Months: "Tháng 6/2021", "tháng 06 năm 2021", "06/2021".
  [/^thang\s*(\d{1,2})\s*(?:nam\s*|[/.-]\s*)(\d{4})$/, (t, m) => monthDeadline(t, +m[1]!, +m[2]!)],
  [/^(\d{1,2})\s*\/\s*(\d{4})$/, (t, m) => monthDeadline(t, +m[1]!, +m[2]!)],
  // Years: "Năm 2021", "2021", "cuối năm 2021".
  [/^(?:nam\s*)?(\d{4})$/, (t, m) => yearDeadline(t, +m[1]!)],
];

/**
 * Reads a deadline as a plan document writes it. Throws ChisoError `deadline.malformed` when the
 * text is not a known form, `deadline.invalid` when it is but names an impossible date or period.
 */
export function parseDeadlineText(
  input: string | null | undefined,
  options: { defaultRecurrence?: Recurrence } = {},
): Deadline {
  const text = input === null || input === undefined ? '' : String(input).trim();
  let f = foldVi(text)
    .replace(/[.;,]+$/, '')
    .trim();
  if (NONE_PHRASES.has(f)) return { ...NO_DEADLINE, text: text === '' ? null : text };

  // Recurring: one or more phrases joined by ',', ';' or 'và'.
  const parts = f.split(/\s*(?:,|;|\bva\b)\s*/).filter(Boolean);
  const kinds = parts.map((p) => RECURRING_PHRASES.find(([re]) => re.test(p)));
  if (parts.length > 0 && kinds.every(Boolean)) {
    const named = kinds.map((k) => k![1]).filter((r): r is Recurrence => r !== null);
    // The most frequent period named wins ("hằng quý, hằng năm" → quarterly).
    const recurrence = named.length
      ? named.reduce((a, b) => (FINER[a] <= FINER[b] ? a : b))
      : (options.defaultRecurrence ?? DEFAULT_RECURRENCE);
    return { kind: 'recurring', value: null, recurrence, text };
  }

  for (let guard = 0; guard < 6; guard++) {
    const next = f.replace(LEAD_IN, '');
    if (next === f) break;
    f = next;
  }

  for (const [re, read] of DATED_FORMS) {
    const m = re.exec(f);
    if (m) return read(text, m);
  }
  throw malformedDeadline(text);
}

/**
 * A deadline from the structured form of the plan files: `code` is an ISO date, a period code
 * (2021, 2021S1, 2021Q1, 2021-06), 'recurring' or null; `text` the document's words. When both are
 * given and the text is a known form, they must agree (`deadline.inconsistent`); when only the text is
 * given it is parsed. A recurring deadline takes its recurrence from `recurrence`, else from the
 * text, else quarterly.
 */
export function deadlineOf(
  code: string | null | undefined,
  text?: string | null,
  recurrence?: Recurrence | null,
): Deadline {
  const words = text === undefined || text === null || text.trim() === '' ? null : text;
  const fromText = (): Deadline | null => {
    if (words === null) return null;
    try {
      return parseDeadlineText(words);
    } catch (e) {
      if (e instanceof ChisoError && e.code === 'deadline.malformed') return null;
      throw e;
    }
  };
  if (code === null || code === undefined || String(code).trim() === '') {
    if (words === null) {
      if (recurrence)
        throw new ChisoError({
          code: 'deadline.recurrence_without_recurring',
          vi: 'Chỉ nhiệm vụ thường xuyên (recurring) mới có chu kỳ báo cáo.',
          en: 'Only a recurring task has a recurrence.',
        });
      return NO_DEADLINE;
    }
    const d = parseDeadlineText(words);
    return d.kind === 'recurring' && recurrence ? { ...d, recurrence } : d;
  }
  const c = String(code).trim();
  let d: Deadline;
  if (c === 'recurring') {
    const t = fromText();
    d = {
      kind: 'recurring',
      value: null,
      recurrence: recurrence ?? (t?.kind === 'recurring' ? t.recurrence : null) ?? DEFAULT_RECURRENCE,
      text: words,
    };
    if (t && t.kind !== 'recurring') throw inconsistent(c, words!);
    return d;
  }
  if (recurrence) {
    throw new ChisoError({
      code: 'deadline.recurrence_without_recurring',
      vi: 'Chỉ nhiệm vụ thường xuyên (recurring) mới có chu kỳ báo cáo.',
      en: 'Only a recurring task has a recurrence.',
    });
  }
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(c);
  if (iso) d = dateDeadline(words, +iso[1]!, +iso[2]!, +iso[3]!);
  else {
    const p = tryParsePeriod(c);
    if (!p) {
      throw new ChisoError({
        code: 'deadline.malformed',
        vi: `Thời hạn '${c}' không hợp lệ: cần ngày YYYY-MM-DD, kỳ (2021, 2021S1, 2021Q1, 2021-06), 'recurring' hoặc để trống.`,
        en: `The deadline '${c}' is invalid: expected a date YYYY-MM-DD, a period (2021, 2021S1, 2021Q1, 2021-06), 'recurring' or empty.`,
        details: { input: c },
      });
    }
    d = periodDeadline(words, p);
  }
  const t = fromText();
  // The text may say the same day another way ("Tháng 6/2021" for 2021-06-30).
  const same =
    t === null || (t.kind === d.kind && t.value === d.value) || deadlineDate(t) === deadlineDate(d);
  if (!same) throw inconsistent(c, words!);
  return d;
}

function inconsistent(code: string, text: string): ChisoError {
  return new ChisoError({
    code: 'deadline.inconsistent',
    vi: `Thời hạn '${code}' không khớp với văn bản '${text}'.`,
    en: `The deadline '${code}' does not match the text '${text}'.`,
    details: { deadline: code, text },
  });
}

/** The last day of a dated deadline ('YYYY-MM-DD'), or null for recurring and none. */
export function deadlineDate(d: Deadline): string | null {
  if (d.kind === 'date') return d.value;
  if (d.kind === 'recurring' || d.kind === 'none' || d.value === null) return null;
  const p = tryParsePeriod(d.value);
  return p ? periodEnd(p) : null;
}

const RECURRENCE_VI: Record<Recurrence, string> = {
  month: 'hằng tháng',
  quarter: 'hằng quý',
  half: '6 tháng một lần',
  year: 'hằng năm',
};
const RECURRENCE_EN: Record<Recurrence, string> = {
  month: 'monthly',
  quarter: 'quarterly',
  half: 'half-yearly',
  year: 'yearly',
};

const dmy = (iso: string): string => {
  const { y, m, d } = parseIsoDate(iso);
  return `${pad2(d)}/${pad2(m)}/${y}`;
};

/** The deadline in Vietnamese, in a form `parseDeadlineText` reads back to the same deadline. */
export function formatDeadlineVi(d: Deadline): string {
  switch (d.kind) {
    case 'none':
      return '';
    case 'recurring':
      return d.recurrence ? `Thường xuyên, ${RECURRENCE_VI[d.recurrence]}` : 'Thường xuyên';
    case 'date':
      return dmy(d.value!);
    default: {
      const p = tryParsePeriod(d.value!)!;
      if (p.type === 'year') return `Năm ${p.year}`;
      if (p.type === 'half') return `6 tháng ${p.index === 1 ? 'đầu' : 'cuối'} năm ${p.year}`;
      if (p.type === 'quarter') return `Quý ${pad2(p.index)}/${p.year}`;
      return `Tháng ${pad2(p.index)}/${p.year}`;
    }
  }
}

export function formatDeadlineEn(d: Deadline): string {
  switch (d.kind) {
    case 'none':
      return '';
    case 'recurring':
      return d.recurrence ? `Recurring, ${RECURRENCE_EN[d.recurrence]}` : 'Recurring';
    case 'date':
      return d.value!;
    default: {
      const p = tryParsePeriod(d.value!)!;
      if (p.type === 'year') return `By the end of ${p.year}`;
      if (p.type === 'half') return `By the end of H${p.index} ${p.year}`;
      if (p.type === 'quarter') return `By the end of Q${p.index} ${p.year}`;
      return `By the end of ${p.year}-${pad2(p.index)}`;
    }
  }
}

/** The structured code of a deadline: an ISO date, a period code, 'recurring' or ''. */
export function deadlineCode(d: Deadline): string {
  if (d.kind === 'none') return '';
  if (d.kind === 'recurring') return 'recurring';
  return d.value ?? '';
}

// ---------------------------------------------------------------------------------------------
// Status

export const PROGRESS_STATUSES = ['not_started', 'in_progress', 'done', 'blocked'] as const;
export type ProgressState = (typeof PROGRESS_STATUSES)[number];

export const TASK_STATUSES = [
  'overdue',
  'at_risk',
  'due',
  'on_track',
  'no_deadline',
  'done_late',
  'done',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TASK_STATUS_LABELS: Readonly<Record<TaskStatus, { vi: string; en: string }>> = {
  overdue: { vi: 'Quá hạn', en: 'Overdue' },
  at_risk: { vi: 'Có nguy cơ chậm', en: 'At risk' },
  due: { vi: 'Đến hạn', en: 'Due' },
  on_track: { vi: 'Đúng tiến độ', en: 'On track' },
  no_deadline: { vi: 'Không có thời hạn', en: 'No deadline' },
  done_late: { vi: 'Hoàn thành trễ hạn', en: 'Done late' },
  done: { vi: 'Hoàn thành', en: 'Done' },
};

export const PROGRESS_STATUS_LABELS: Readonly<Record<ProgressState, { vi: string; en: string }>> = {
  not_started: { vi: 'Chưa triển khai', en: 'Not started' },
  in_progress: { vi: 'Đang thực hiện', en: 'In progress' },
  done: { vi: 'Đã hoàn thành', en: 'Done' },
  blocked: { vi: 'Vướng mắc', en: 'Blocked' },
};

/** One report of one unit on one task. */
export interface ProgressPoint {
  /** The period the report is for (a period code). */
  period: string;
  status: ProgressState;
  /** 0–100, or null when not given. */
  percent: number | null;
  /** The day the report was made. */
  reportedOn: string;
  /** The day the work was completed, when the reporter gives it. */
  completedOn?: string | null;
}

export interface StatusOptions {
  /** The reference date ('YYYY-MM-DD'). */
  asOf: string;
  /** When the work started (the plan's date of issue); enables the at-risk schedule test. */
  start?: string | null;
  /** The day the plan was closed: recurring tasks are not judged after it. */
  until?: string | null;
  /** A deadline within this many days is due (default 30). */
  dueWithinDays?: number;
  /** Percentage points behind the linear schedule that make a task at risk (default 25). */
  atRiskMargin?: number;
  /** The reporting period used for "the deadline falls in the current period" (default quarter). */
  periodType?: PeriodType;
  /** The reporting windows of recurring tasks (default Decree 09). */
  reportingRule?: 'decree09' | 'calendar' | ReportingRule;
}

export const DEFAULT_DUE_WITHIN_DAYS = 30;
export const DEFAULT_AT_RISK_MARGIN = 25;

export interface TaskStatusResult {
  status: TaskStatus;
  /** Last day of the deadline (dated deadlines) or the reporting deadline of the judged period (recurring). */
  deadline: string | null;
  /** Days from the reference date to `deadline` (negative when past). */
  daysLeft: number | null;
  /** The percent complete the linear schedule expects at the reference date. */
  expectedPercent: number | null;
  /** The latest reported percent complete (100 when done). */
  percent: number | null;
  /** When the task was completed (done, done_late). */
  completedOn: string | null;
  /** Recurring: the period judged (the one overdue, due or last reported). */
  period: string | null;
  /** A stable code for why, e.g. 'blocked', 'behind_schedule', 'report_missing'. */
  reason: string | null;
}

function checkDate(field: string, value: string): void {
  try {
    parseIsoDate(value);
  } catch (e) {
    if (e instanceof ChisoError) throw new ChisoError({ ...e.toJSON(), field });
    throw e;
  }
}

const byPeriodThenDay = (a: ProgressPoint, b: ProgressPoint): number => {
  const pa = tryParsePeriod(a.period);
  const pb = tryParsePeriod(b.period);
  const c = pa && pb ? comparePeriods(pa, pb) : 0;
  if (c !== 0) return c;
  return a.reportedOn < b.reportedOn ? -1 : a.reportedOn > b.reportedOn ? 1 : 0;
};

/** Reports in time order: by period, then by the day reported. */
export function orderReports(reports: readonly ProgressPoint[]): ProgressPoint[] {
  return [...reports].sort(byPeriodThenDay);
}

const within = (inner: Period, outer: Period): boolean =>
  periodStart(inner) >= periodStart(outer) && periodEnd(inner) <= periodEnd(outer);

/** The status of a task for one responsible unit, from that unit's reports. */
export function unitTaskStatus(
  deadline: Deadline,
  reports: readonly ProgressPoint[],
  options: StatusOptions,
): TaskStatusResult {
  checkDate('asOf', options.asOf);
  if (options.start) checkDate('start', options.start);
  if (options.until) checkDate('until', options.until);
  const dueWithin = options.dueWithinDays ?? DEFAULT_DUE_WITHIN_DAYS;
  const margin = options.atRiskMargin ?? DEFAULT_AT_RISK_MARGIN;
  // Reports made after the reference date were not known on it.
  const ordered = orderReports(reports.filter((r) => r.reportedOn <= options.asOf));
  const latest = ordered.at(-1) ?? null;
  const percentOf = (r: ProgressPoint | null): number | null =>
    r === null ? null : r.status === 'done' ? 100 : r.status === 'not_started' ? (r.percent ?? 0) : r.percent;

  if (deadline.kind === 'recurring') return recurringStatus(deadline, ordered, options, dueWithin);

  const base: TaskStatusResult = {
    status: 'on_track',
    deadline: deadlineDate(deadline),
    daysLeft: null,
    expectedPercent: null,
    percent: percentOf(latest),
    completedOn: null,
    period: null,
    reason: null,
  };
  const end = base.deadline;
  if (end) base.daysLeft = daysBetween(options.asOf, end);

  if (latest?.status === 'done') {
    // The first report of the final run of "done" reports marks the completion.
    let i = ordered.length - 1;
    while (i > 0 && ordered[i - 1]!.status === 'done') i--;
    const first = ordered[i]!;
    const completedOn = first.completedOn ?? first.reportedOn;
    const late = end !== null && completedOn > end;
    return { ...base, status: late ? 'done_late' : 'done', completedOn, percent: 100, reason: null };
  }
  if (end === null) {
    if (latest?.status === 'blocked') return { ...base, status: 'at_risk', reason: 'blocked' };
    return { ...base, status: 'no_deadline' };
  }
  if (options.asOf > end) return { ...base, status: 'overdue', reason: 'past_deadline' };

  const start = options.start ?? null;
  if (start !== null && start < end) {
    const total = daysBetween(start, end);
    const gone = Math.min(Math.max(daysBetween(start, options.asOf), 0), total);
    base.expectedPercent = Math.round((gone / total) * 1000) / 10;
  }
  if (latest?.status === 'blocked') return { ...base, status: 'at_risk', reason: 'blocked' };
  if (base.expectedPercent !== null && base.expectedPercent - (base.percent ?? 0) > margin) {
    return { ...base, status: 'at_risk', reason: 'behind_schedule' };
  }
  const current = periodOfDate(options.asOf, options.periodType ?? 'quarter');
  const inCurrent = end >= periodStart(current) && end <= periodEnd(current);
  if (inCurrent || (base.daysLeft !== null && base.daysLeft <= dueWithin)) {
    return { ...base, status: 'due', reason: inCurrent ? 'deadline_this_period' : 'deadline_soon' };
  }
  return base;
}

function recurringStatus(
  deadline: Deadline,
  ordered: ProgressPoint[],
  options: StatusOptions,
  dueWithin: number,
): TaskStatusResult {
  const type: Recurrence = deadline.recurrence ?? DEFAULT_RECURRENCE;
  const rule = options.reportingRule ?? 'decree09';
  const judgeOn = options.until && options.until < options.asOf ? options.until : options.asOf;
  const latest = ordered.at(-1) ?? null;
  const reported = (p: Period): boolean =>
    ordered.some((r) => {
      const rp = tryParsePeriod(r.period);
      return rp !== null && within(rp, p);
    });
  // The open period on a day: the first whose reporting deadline is on or after it.
  const openOn = (day: string): Period => {
    let p = periodOfDate(day, type);
    while (reportingWindow(shiftPeriod(p, -1), rule).deadline >= day) p = shiftPeriod(p, -1);
    while (reportingWindow(p, rule).deadline < day) p = shiftPeriod(p, 1);
    return p;
  };
  // The first period owed: the one open when the work started.
  const firstPeriod = options.start ? openOn(options.start) : null;
  const result = (
    status: TaskStatus,
    p: Period | null,
    due: string | null,
    reason: string | null,
  ): TaskStatusResult => ({
    status,
    deadline: due,
    daysLeft: due === null ? null : daysBetween(options.asOf, due),
    expectedPercent: null,
    percent: latest ? (latest.status === 'done' ? 100 : latest.percent) : null,
    completedOn: null,
    period: p ? formatPeriod(p) : null,
    reason,
  });

  const open = openOn(judgeOn);
  const closed = shiftPeriod(open, -1);
  const closedCounts = firstPeriod === null || comparePeriods(closed, firstPeriod) >= 0;
  if (closedCounts && !reported(closed)) {
    return result('overdue', closed, reportingWindow(closed, rule).deadline, 'report_missing');
  }
  if (latest?.status === 'blocked')
    return result('at_risk', open, reportingWindow(open, rule).deadline, 'blocked');
  const openDeadline = reportingWindow(open, rule).deadline;
  const openCounts = firstPeriod === null || comparePeriods(open, firstPeriod) >= 0;
  if (openCounts && !reported(open) && daysBetween(judgeOn, openDeadline) <= dueWithin) {
    return result('due', open, openDeadline, 'report_due');
  }
  return result('on_track', reported(open) ? open : closedCounts ? closed : open, openDeadline, null);
}

/** The most severe first: the task's status is the worst of its responsible units'. */
const SEVERITY: Record<TaskStatus, number> = {
  overdue: 6,
  at_risk: 5,
  due: 4,
  on_track: 3,
  no_deadline: 2,
  done_late: 1,
  done: 0,
};

/** The task's status from its responsible units' statuses: the most severe; null for none. */
export function combineStatuses(statuses: readonly TaskStatus[]): TaskStatus | null {
  let worst: TaskStatus | null = null;
  for (const s of statuses) if (worst === null || SEVERITY[s] > SEVERITY[worst]) worst = s;
  return worst;
}

export const compareTaskStatus = (a: TaskStatus, b: TaskStatus): number => SEVERITY[b] - SEVERITY[a];

// ---------------------------------------------------------------------------------------------
// Task numbers

/** The segments of a task number as documents write it: 'II.2.a' → ['II', '2', 'a']. */
export function numberSegments(n: string): string[] {
  return n.split('.').map((s) => s.trim());
}

/** The number of the parent: 'II.2.a' → 'II.2'; null at the top. */
export function parentNumber(n: string): string | null {
  const i = n.lastIndexOf('.');
  return i < 0 ? null : n.slice(0, i);
}

/** True when `child` is numbered under `parent` ('II.2.a' under 'II.2'). */
export const isNumberedUnder = (child: string, parent: string): boolean =>
  child.startsWith(`${parent}.`) && child.length > parent.length + 1;

const ROMAN_VALUE: Record<string, number> = { I: 1, V: 5, X: 10, L: 50, C: 100 };
function romanValue(s: string): number | null {
  if (!/^[IVXLC]+$/.test(s)) return null;
  let total = 0;
  for (let i = 0; i < s.length; i++) {
    const v = ROMAN_VALUE[s[i]!]!;
    const next = ROMAN_VALUE[s[i + 1] ?? ''] ?? 0;
    total += v < next ? -v : v;
  }
  return total;
}

/** Orders task numbers as a reader does: II before IV before X, 2 before 10, a before b. */
export function compareTaskNumbers(a: string, b: string): number {
  const sa = numberSegments(a);
  const sb = numberSegments(b);
  for (let i = 0; i < Math.min(sa.length, sb.length); i++) {
    const x = sa[i]!;
    const y = sb[i]!;
    if (x === y) continue;
    const dx = /^\d+$/.test(x);
    const dy = /^\d+$/.test(y);
    if (dx && dy && Number(x) !== Number(y)) return Number(x) - Number(y);
    const rx = dx ? null : romanValue(x);
    const ry = dy ? null : romanValue(y);
    if (rx !== null && ry !== null && rx !== ry) return rx - ry;
    // Arabic numbers before Roman numerals before letters.
    const kx = dx ? 0 : rx !== null ? 1 : 2;
    const ky = dy ? 0 : ry !== null ? 1 : 2;
    if (kx !== ky) return kx - ky;
    return x < y ? -1 : 1;
  }
  return sa.length - sb.length;
}
