import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChisoError } from './errors.ts';
import { addDays, formatPeriod, type Period, periodEnd, periodStart, reportingWindow } from './period.ts';
import {
  combineStatuses,
  compareTaskNumbers,
  type Deadline,
  deadlineDate,
  deadlineOf,
  formatDeadlineEn,
  formatDeadlineVi,
  isNumberedUnder,
  parentNumber,
  parseDeadlineText,
  type ProgressPoint,
  TASK_STATUSES,
  type TaskStatus,
  unitTaskStatus,
} from './tasks.ts';

const errorOf = (f: () => unknown): ChisoError => {
  try {
    f();
  } catch (e) {
    if (e instanceof ChisoError) return e;
    throw e;
  }
  throw new Error('expected a ChisoError');
};

describe('parseDeadlineText', () => {
  const cases: Array<[string, Partial<Deadline>]> = [
    ['Hoàn thành trong quý 01 năm 2021', { kind: 'quarter', value: '2021Q1' }],
    ['Quý 01/2021', { kind: 'quarter', value: '2021Q1' }],
    ['Quý I/2021', { kind: 'quarter', value: '2021Q1' }],
    ['quý IV năm 2022', { kind: 'quarter', value: '2022Q4' }],
    ['Quý III - 2023', { kind: 'quarter', value: '2023Q3' }],
    ['Q2/2021', { kind: 'quarter', value: '2021Q2' }],
    ['trong Quý 2 năm 2021.', { kind: 'quarter', value: '2021Q2' }],
    ['cuối quý 3/2024', { kind: 'quarter', value: '2024Q3' }],
    ['2021Q1', { kind: 'quarter', value: '2021Q1' }],
    ['30/6/2021', { kind: 'date', value: '2021-06-30' }],
    ['30/06/2021', { kind: 'date', value: '2021-06-30' }],
    ['Trước ngày 15/3/2021', { kind: 'date', value: '2021-03-15' }],
    ['chậm nhất ngày 01-12-2021', { kind: 'date', value: '2021-12-01' }],
    ['ngày 30 tháng 6 năm 2021', { kind: 'date', value: '2021-06-30' }],
    ['29/2/2024', { kind: 'date', value: '2024-02-29' }],
    ['2021-06-30', { kind: 'date', value: '2021-06-30' }],
    ['Tháng 6/2021', { kind: 'month', value: '2021-06' }],
    ['tháng 12 năm 2021', { kind: 'month', value: '2021-12' }],
    ['06/2021', { kind: 'month', value: '2021-06' }],
    ['2021-06', { kind: 'month', value: '2021-06' }],
    ['6 tháng đầu năm 2021', { kind: 'half', value: '2021S1' }],
    ['Sáu tháng cuối năm 2021', { kind: 'half', value: '2021S2' }],
    ['2021S2', { kind: 'half', value: '2021S2' }],
    ['Năm 2021', { kind: 'year', value: '2021' }],
    ['trong năm 2024', { kind: 'year', value: '2024' }],
    ['Cuối năm 2025', { kind: 'year', value: '2025' }],
    ['2025', { kind: 'year', value: '2025' }],
    ['thường xuyên', { kind: 'recurring', recurrence: 'quarter' }],
    ['Thường xuyên, liên tục', { kind: 'recurring', recurrence: 'quarter' }],
    ['thường xuyên và liên tục', { kind: 'recurring', recurrence: 'quarter' }],
    ['hằng năm', { kind: 'recurring', recurrence: 'year' }],
    ['hàng năm', { kind: 'recurring', recurrence: 'year' }],
    ['Định kỳ hàng quý', { kind: 'recurring', recurrence: 'quarter' }],
    ['hằng tháng', { kind: 'recurring', recurrence: 'month' }],
    ['định kỳ 6 tháng', { kind: 'recurring', recurrence: 'half' }],
    ['Thường xuyên, hằng năm', { kind: 'recurring', recurrence: 'year' }],
    ['hằng quý, hằng năm', { kind: 'recurring', recurrence: 'quarter' }],
    ['', { kind: 'none', value: null, text: null }],
    ['—', { kind: 'none', value: null }],
    ['Không', { kind: 'none', value: null }],
  ];
  it.each(cases)('reads %j', (text, expected) => {
    const d = parseDeadlineText(text);
    expect(d).toMatchObject(expected);
    if (expected.kind !== 'recurring') expect(d.recurrence).toBeNull();
    if (text.trim() !== '') expect(d.text).toBe(text);
  });

  it('takes the default recurrence when the text does not say', () => {
    expect(parseDeadlineText('thường xuyên', { defaultRecurrence: 'year' }).recurrence).toBe('year');
    expect(parseDeadlineText('hằng quý', { defaultRecurrence: 'year' }).recurrence).toBe('quarter');
  });

  it.each([
    ['Quý 5/2021', 'deadline.invalid'],
    ['Quý 0/2021', 'deadline.invalid'],
    ['31/2/2021', 'deadline.invalid'],
    ['29/2/2023', 'deadline.invalid'],
    ['31/4/2021', 'deadline.invalid'],
    ['1/13/2021', 'deadline.invalid'],
    ['Tháng 13/2021', 'deadline.invalid'],
    ['2021S3', 'deadline.invalid'],
    ['Năm 0999', 'deadline.invalid'],
    ['sớm', 'deadline.malformed'],
    ['Quý 1', 'deadline.malformed'],
    ['30/6', 'deadline.malformed'],
    ['30/6-2021', 'deadline.malformed'],
    ['khi có kinh phí', 'deadline.malformed'],
    ['thường xuyên, khi cần', 'deadline.malformed'],
  ])('rejects %j with %s, in Vietnamese and English', (text, code) => {
    const e = errorOf(() => parseDeadlineText(text));
    expect(e.code).toBe(code);
    expect(e.vi).toContain(text);
    expect(e.en).toContain(text);
    expect(e.vi).not.toBe(e.en);
  });
});

describe('deadlineOf (the structured form of plan files)', () => {
  it('reads codes and keeps the text', () => {
    expect(deadlineOf('2021Q1', 'Hoàn thành trong quý 01 năm 2021')).toEqual({
      kind: 'quarter',
      value: '2021Q1',
      recurrence: null,
      text: 'Hoàn thành trong quý 01 năm 2021',
    });
    expect(deadlineOf('2021-06-30')).toMatchObject({ kind: 'date', value: '2021-06-30', text: null });
    expect(deadlineOf('2021')).toMatchObject({ kind: 'year', value: '2021' });
    expect(deadlineOf('2021S1')).toMatchObject({ kind: 'half', value: '2021S1' });
    expect(deadlineOf('2021-06')).toMatchObject({ kind: 'month', value: '2021-06' });
    expect(deadlineOf(null)).toMatchObject({ kind: 'none', value: null, text: null });
    expect(deadlineOf('')).toMatchObject({ kind: 'none' });
  });

  it('takes a recurring task’s recurrence from the field, else from the text, else quarterly', () => {
    expect(deadlineOf('recurring', 'hàng năm').recurrence).toBe('year');
    expect(deadlineOf('recurring', 'Định kỳ hàng quý').recurrence).toBe('quarter');
    expect(deadlineOf('recurring', 'thường xuyên, liên tục').recurrence).toBe('quarter');
    expect(deadlineOf('recurring', null).recurrence).toBe('quarter');
    expect(deadlineOf('recurring', 'hàng năm', 'month').recurrence).toBe('month');
    expect(deadlineOf('recurring', 'theo chỉ đạo').recurrence).toBe('quarter');
  });

  it('parses the text when no code is given', () => {
    expect(deadlineOf(null, 'Quý 01/2021')).toMatchObject({ kind: 'quarter', value: '2021Q1' });
    expect(deadlineOf(null, 'hằng năm')).toMatchObject({ kind: 'recurring', recurrence: 'year' });
    expect(errorOf(() => deadlineOf(null, 'sớm nhất có thể')).code).toBe('deadline.malformed');
  });

  it('accepts a text that names the same last day another way', () => {
    expect(deadlineOf('2021-06-30', 'Tháng 6/2021')).toMatchObject({ kind: 'date', value: '2021-06-30' });
    expect(deadlineOf('2021Q2', '30/6/2021')).toMatchObject({ kind: 'quarter', value: '2021Q2' });
  });

  it('keeps a free text it cannot read beside a code', () => {
    expect(deadlineOf('2021', 'trong năm, theo tiến độ dự án')).toMatchObject({
      kind: 'year',
      value: '2021',
    });
  });

  it.each([
    ['2021Q2', 'Hoàn thành trong quý 01 năm 2021', 'deadline.inconsistent'],
    ['recurring', 'Quý 01/2021', 'deadline.inconsistent'],
    ['2021Q1', 'hằng năm', 'deadline.inconsistent'],
    ['2021Q5', null, 'deadline.malformed'],
    ['Q1 2021', null, 'deadline.malformed'],
    ['2021-02-30', null, 'deadline.invalid'],
  ])('rejects %j with text %j: %s', (code, text, expected) => {
    expect(errorOf(() => deadlineOf(code, text)).code).toBe(expected);
  });

  it('refuses a recurrence on a task that is not recurring', () => {
    expect(errorOf(() => deadlineOf('2021Q1', null, 'year')).code).toBe(
      'deadline.recurrence_without_recurring',
    );
    expect(errorOf(() => deadlineOf(null, null, 'year')).code).toBe('deadline.recurrence_without_recurring');
  });
});

describe('deadlineDate and formatting', () => {
  it('gives the last day of a dated deadline', () => {
    expect(deadlineDate(deadlineOf('2021Q1'))).toBe('2021-03-31');
    expect(deadlineDate(deadlineOf('2024-02'))).toBe('2024-02-29');
    expect(deadlineDate(deadlineOf('2021S2'))).toBe('2021-12-31');
    expect(deadlineDate(deadlineOf('2021'))).toBe('2021-12-31');
    expect(deadlineDate(deadlineOf('2021-06-15'))).toBe('2021-06-15');
    expect(deadlineDate(deadlineOf('recurring'))).toBeNull();
    expect(deadlineDate(deadlineOf(null))).toBeNull();
  });

  it('writes deadlines in Vietnamese (dd/mm/yyyy) and English', () => {
    expect(formatDeadlineVi(deadlineOf('2021-06-05'))).toBe('05/06/2021');
    expect(formatDeadlineVi(deadlineOf('2021Q1'))).toBe('Quý 01/2021');
    expect(formatDeadlineVi(deadlineOf('2021S1'))).toBe('6 tháng đầu năm 2021');
    expect(formatDeadlineVi(deadlineOf('2021'))).toBe('Năm 2021');
    expect(formatDeadlineVi(deadlineOf('2021-06'))).toBe('Tháng 06/2021');
    expect(formatDeadlineVi(deadlineOf('recurring', 'hàng năm'))).toBe('Thường xuyên, hằng năm');
    expect(formatDeadlineVi(deadlineOf(null))).toBe('');
    expect(formatDeadlineEn(deadlineOf('2021Q1'))).toBe('By the end of Q1 2021');
    expect(formatDeadlineEn(deadlineOf('recurring'))).toBe('Recurring, quarterly');
  });

  const arbDeadline: fc.Arbitrary<Deadline> = fc.oneof(
    fc
      .record({
        y: fc.integer({ min: 1900, max: 2200 }),
        m: fc.integer({ min: 1, max: 12 }),
        d: fc.integer({ min: 1, max: 31 }),
      })
      .filter(({ y, m, d }) => d <= new Date(Date.UTC(y, m, 0)).getUTCDate())
      .map(({ y, m, d }) => deadlineOf(`${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`)),
    fc
      .record({ y: fc.integer({ min: 1900, max: 2200 }), q: fc.integer({ min: 1, max: 4 }) })
      .map(({ y, q }) => deadlineOf(`${y}Q${q}`)),
    fc
      .record({ y: fc.integer({ min: 1900, max: 2200 }), h: fc.integer({ min: 1, max: 2 }) })
      .map(({ y, h }) => deadlineOf(`${y}S${h}`)),
    fc
      .record({ y: fc.integer({ min: 1900, max: 2200 }), m: fc.integer({ min: 1, max: 12 }) })
      .map(({ y, m }) => deadlineOf(`${y}-${String(m).padStart(2, '0')}`)),
    fc.integer({ min: 1900, max: 2200 }).map((y) => deadlineOf(String(y))),
    fc
      .constantFrom('month', 'quarter', 'half', 'year')
      .map((r) => deadlineOf('recurring', null, r as 'year')),
  );

  it('reads back what it writes in Vietnamese (property)', () => {
    fc.assert(
      fc.property(arbDeadline, (d) => {
        const text = formatDeadlineVi(d);
        const back = parseDeadlineText(text);
        expect({ kind: back.kind, value: back.value, recurrence: back.recurrence }).toEqual({
          kind: d.kind,
          value: d.value,
          recurrence: d.recurrence,
        });
      }),
    );
  });

  it('never throws anything but a ChisoError on arbitrary text (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        try {
          const d = parseDeadlineText(s);
          if (d.kind !== 'none' && d.kind !== 'recurring')
            expect(deadlineDate(d)).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        } catch (e) {
          expect(e).toBeInstanceOf(ChisoError);
        }
      }),
    );
  });
});

const report = (
  period: string,
  status: ProgressPoint['status'],
  percent: number | null,
  reportedOn: string,
  completedOn: string | null = null,
): ProgressPoint => ({ period, status, percent, reportedOn, completedOn });

describe('unitTaskStatus — dated deadlines', () => {
  const q1 = deadlineOf('2021Q1', 'Hoàn thành trong quý 01 năm 2021');

  it('is done when completed on or before the last day of the deadline', () => {
    const r = unitTaskStatus(q1, [report('2021Q1', 'done', 100, '2021-03-31')], { asOf: '2021-06-01' });
    expect(r).toMatchObject({
      status: 'done',
      completedOn: '2021-03-31',
      percent: 100,
      deadline: '2021-03-31',
    });
  });

  it('is done late when completed after the deadline', () => {
    const r = unitTaskStatus(q1, [report('2021Q2', 'done', 100, '2021-04-01')], { asOf: '2021-06-01' });
    expect(r).toMatchObject({ status: 'done_late', completedOn: '2021-04-01' });
  });

  it('uses the completion day the reporter gives, not the day of the report', () => {
    const late = report('2021Q2', 'done', 100, '2021-04-10', '2021-03-28');
    expect(unitTaskStatus(q1, [late], { asOf: '2021-06-01' }).status).toBe('done');
    const reallyLate = report('2021Q1', 'done', 100, '2021-03-20', '2021-04-02');
    expect(unitTaskStatus(q1, [reallyLate], { asOf: '2021-06-01' }).status).toBe('done_late');
  });

  it('dates completion by the first of the final run of done reports', () => {
    const reports = [
      report('2021Q1', 'done', 100, '2021-03-20'),
      report('2021Q2', 'in_progress', 90, '2021-05-01'),
      report('2021Q2', 'done', 100, '2021-06-01'),
      report('2021Q3', 'done', 100, '2021-09-01'),
    ];
    expect(unitTaskStatus(q1, reports, { asOf: '2021-10-01' })).toMatchObject({
      status: 'done_late',
      completedOn: '2021-06-01',
    });
  });

  it('follows the latest report: done then reopened is not done', () => {
    const reports = [
      report('2021Q1', 'done', 100, '2021-03-01'),
      report('2021Q2', 'in_progress', 80, '2021-04-05'),
    ];
    expect(unitTaskStatus(q1, reports, { asOf: '2021-04-10' }).status).toBe('overdue');
  });

  it('orders reports by period, then by day, whatever order they come in', () => {
    const reports = [
      report('2021Q2', 'in_progress', 80, '2021-04-05'),
      report('2021Q1', 'done', 100, '2021-03-01'),
    ];
    expect(unitTaskStatus(q1, reports, { asOf: '2021-04-10' }).status).toBe('overdue');
  });

  it('is overdue the day after the last day, not on it', () => {
    expect(unitTaskStatus(q1, [], { asOf: '2021-03-31' }).status).not.toBe('overdue');
    const r = unitTaskStatus(q1, [report('2021Q1', 'in_progress', 90, '2021-03-15')], { asOf: '2021-04-01' });
    expect(r).toMatchObject({ status: 'overdue', daysLeft: -1, reason: 'past_deadline', percent: 90 });
  });

  it('is due when the deadline falls in the current quarter', () => {
    const r = unitTaskStatus(q1, [report('2021Q1', 'in_progress', 50, '2021-01-02')], { asOf: '2021-01-05' });
    expect(r).toMatchObject({ status: 'due', reason: 'deadline_this_period', daysLeft: 85 });
  });

  it('is due when the deadline is within N days, even in the next period', () => {
    const d = deadlineOf('2021-04-10');
    expect(unitTaskStatus(d, [], { asOf: '2021-03-20' })).toMatchObject({
      status: 'due',
      reason: 'deadline_soon',
    });
    expect(unitTaskStatus(d, [], { asOf: '2021-03-20', dueWithinDays: 10 }).status).toBe('on_track');
    expect(unitTaskStatus(d, [], { asOf: '2021-03-31', dueWithinDays: 10 }).status).toBe('due');
  });

  it('is on track when the deadline is further than the current period and N days', () => {
    expect(unitTaskStatus(deadlineOf('2021'), [], { asOf: '2021-02-01' }).status).toBe('on_track');
  });

  it('is at risk when behind the linear schedule by more than the margin', () => {
    const year = deadlineOf('2021');
    const options = { asOf: '2021-07-02', start: '2021-01-01' };
    // Half of the year has gone: 50 % expected.
    const behind = unitTaskStatus(year, [report('2021Q2', 'in_progress', 20, '2021-06-30')], options);
    expect(behind).toMatchObject({ status: 'at_risk', reason: 'behind_schedule', percent: 20 });
    expect(behind.expectedPercent).toBeCloseTo(50, 0);
    expect(unitTaskStatus(year, [report('2021Q2', 'in_progress', 30, '2021-06-30')], options).status).toBe(
      'on_track',
    );
    expect(unitTaskStatus(year, [], options).status).toBe('at_risk');
    expect(
      unitTaskStatus(year, [report('2021Q2', 'in_progress', 40, '2021-06-30')], {
        ...options,
        atRiskMargin: 5,
      }).status,
    ).toBe('at_risk');
  });

  it('judges no schedule without a start date', () => {
    expect(unitTaskStatus(deadlineOf('2021'), [], { asOf: '2021-07-02' })).toMatchObject({
      status: 'on_track',
      expectedPercent: null,
    });
  });

  it('is at risk when the unit reports it blocked, before the deadline', () => {
    const r = unitTaskStatus(deadlineOf('2021'), [report('2021Q1', 'blocked', 10, '2021-03-01')], {
      asOf: '2021-03-05',
    });
    expect(r).toMatchObject({ status: 'at_risk', reason: 'blocked' });
    // After the deadline, blocked is overdue.
    expect(
      unitTaskStatus(deadlineOf('2021'), [report('2021Q1', 'blocked', 10, '2021-03-01')], {
        asOf: '2022-01-01',
      }).status,
    ).toBe('overdue');
  });

  it('has no deadline unless done or blocked', () => {
    const none = deadlineOf(null);
    expect(unitTaskStatus(none, [], { asOf: '2021-01-01' }).status).toBe('no_deadline');
    expect(
      unitTaskStatus(none, [report('2021Q1', 'in_progress', 5, '2021-02-01')], { asOf: '2030-01-01' }).status,
    ).toBe('no_deadline');
    expect(
      unitTaskStatus(none, [report('2021Q1', 'done', 100, '2021-02-01')], { asOf: '2030-01-01' }).status,
    ).toBe('done');
    expect(
      unitTaskStatus(none, [report('2021Q1', 'blocked', 5, '2021-02-01')], { asOf: '2021-03-01' }).status,
    ).toBe('at_risk');
  });

  it('ignores reports made after the reference date', () => {
    const reports = [
      report('2021Q1', 'in_progress', 50, '2021-02-01'),
      report('2021Q1', 'done', 100, '2021-03-20'),
    ];
    expect(unitTaskStatus(q1, reports, { asOf: '2021-03-19' })).toMatchObject({ status: 'due', percent: 50 });
    expect(unitTaskStatus(q1, reports, { asOf: '2021-03-20' })).toMatchObject({
      status: 'done',
      percent: 100,
    });
    expect(
      unitTaskStatus(deadlineOf('recurring'), [report('2021Q1', 'in_progress', null, '2021-04-02')], {
        asOf: '2021-03-25',
      }).status,
    ).toBe('overdue');
  });

  it('treats not started without a percent as zero', () => {
    expect(
      unitTaskStatus(q1, [report('2021Q1', 'not_started', null, '2021-01-10')], { asOf: '2021-01-11' })
        .percent,
    ).toBe(0);
  });

  it('rejects a malformed reference date with the field named', () => {
    const e = errorOf(() => unitTaskStatus(q1, [], { asOf: '2021-13-01' }));
    expect(e.code).toBe('date.malformed');
    expect(e.location.field).toBe('asOf');
  });
});

describe('unitTaskStatus — recurring tasks', () => {
  const quarterly = deadlineOf('recurring', 'Định kỳ hàng quý');
  const yearly = deadlineOf('recurring', 'hàng năm');
  // Decree 09: a quarter's report is due on the 20th of its last month (Q1 2021: 20/03/2021).
  const q1Due = reportingWindow({ type: 'quarter', year: 2021, index: 1 }, 'decree09').deadline;

  it('uses the Decree 09 reporting deadline of the period', () => {
    expect(q1Due).toBe('2021-03-20');
  });

  it('is due while the current period’s report is not in and its deadline is near', () => {
    const r = unitTaskStatus(quarterly, [], { asOf: '2021-03-10', start: '2021-03-10' });
    expect(r).toMatchObject({
      status: 'due',
      period: '2021Q1',
      deadline: '2021-03-20',
      reason: 'report_due',
      daysLeft: 10,
    });
  });

  it('is overdue when the period’s report is missing after its cut-off', () => {
    const r = unitTaskStatus(quarterly, [], { asOf: '2021-03-21', start: '2021-03-10' });
    expect(r).toMatchObject({ status: 'overdue', period: '2021Q1', reason: 'report_missing' });
  });

  it('is on track when the period was reported, and stays so until the next cut-off comes near', () => {
    const reports = [report('2021Q1', 'in_progress', null, '2021-03-15')];
    expect(unitTaskStatus(quarterly, reports, { asOf: '2021-03-21', start: '2021-03-10' })).toMatchObject({
      status: 'on_track',
      period: '2021Q1',
    });
    expect(unitTaskStatus(quarterly, reports, { asOf: '2021-05-25', start: '2021-03-10' })).toMatchObject({
      status: 'due',
      period: '2021Q2',
    });
    expect(unitTaskStatus(quarterly, reports, { asOf: '2021-06-21', start: '2021-03-10' })).toMatchObject({
      status: 'overdue',
      period: '2021Q2',
    });
  });

  it('is never done: a done report closes its period only', () => {
    const reports = [report('2021Q1', 'done', 100, '2021-03-15')];
    expect(unitTaskStatus(quarterly, reports, { asOf: '2021-06-21', start: '2021-03-10' }).status).toBe(
      'overdue',
    );
  });

  it('does not ask for periods before the start', () => {
    // Started after the Q1 cut-off: Q1 is not owed; Q2 is open.
    expect(unitTaskStatus(quarterly, [], { asOf: '2021-03-25', start: '2021-03-22' })).toMatchObject({
      status: 'on_track',
      period: '2021Q2',
    });
  });

  it('counts the quarterly reports of a year towards a yearly task', () => {
    const reports = [report('2021Q3', 'in_progress', 60, '2021-09-10')];
    expect(unitTaskStatus(yearly, reports, { asOf: '2022-01-05', start: '2021-03-10' })).toMatchObject({
      status: 'on_track',
      period: '2021',
    });
    expect(unitTaskStatus(yearly, [], { asOf: '2022-01-05', start: '2021-03-10' })).toMatchObject({
      status: 'overdue',
      period: '2021',
    });
  });

  it('stops judging when the plan was closed', () => {
    const reports = [report('2021Q4', 'in_progress', null, '2021-12-01')];
    const open = unitTaskStatus(quarterly, reports, { asOf: '2024-01-01', start: '2021-03-10' });
    expect(open.status).toBe('overdue');
    const closed = unitTaskStatus(quarterly, reports, {
      asOf: '2024-01-01',
      start: '2021-03-10',
      until: '2021-12-31',
    });
    expect(closed).toMatchObject({ status: 'on_track', period: '2021Q4' });
  });

  it('follows calendar windows when told', () => {
    expect(
      unitTaskStatus(quarterly, [], { asOf: '2021-03-25', start: '2021-01-01', reportingRule: 'calendar' })
        .status,
    ).toBe('due');
    expect(
      unitTaskStatus(quarterly, [], { asOf: '2021-04-01', start: '2021-01-01', reportingRule: 'calendar' }),
    ).toMatchObject({ status: 'overdue', period: '2021Q1' });
  });

  it('is at risk when reported blocked and nothing is missing', () => {
    const reports = [report('2021Q1', 'blocked', 10, '2021-03-15')];
    expect(unitTaskStatus(quarterly, reports, { asOf: '2021-03-25', start: '2021-03-10' }).status).toBe(
      'at_risk',
    );
  });
});

describe('combineStatuses', () => {
  it('is the most severe status', () => {
    expect(combineStatuses(['done', 'on_track', 'overdue', 'due'])).toBe('overdue');
    expect(combineStatuses(['done', 'done_late'])).toBe('done_late');
    expect(combineStatuses(['done', 'no_deadline'])).toBe('no_deadline');
    expect(combineStatuses(['due', 'at_risk'])).toBe('at_risk');
    expect(combineStatuses([])).toBeNull();
  });
});

describe('status properties', () => {
  const arbDay = fc.integer({ min: 0, max: 4 * 365 }).map((n) => addDays('2020-01-01', n));
  const arbQuarter: fc.Arbitrary<Period> = fc
    .record({ year: fc.integer({ min: 2020, max: 2023 }), index: fc.integer({ min: 1, max: 4 }) })
    .map(({ year, index }) => ({ type: 'quarter', year, index }));
  const arbReport: fc.Arbitrary<ProgressPoint> = fc
    .record({
      p: arbQuarter,
      status: fc.constantFrom('not_started', 'in_progress', 'done', 'blocked' as const),
      percent: fc.option(fc.integer({ min: 0, max: 100 })),
      offset: fc.integer({ min: 0, max: 89 }),
    })
    .map(({ p, status, percent, offset }) => ({
      period: formatPeriod(p),
      status: status as ProgressPoint['status'],
      percent,
      reportedOn: addDays(periodStart(p), offset),
    }));
  const arbDeadline = fc.oneof(
    arbDay.map((d) => deadlineOf(d)),
    arbQuarter.map((p) => deadlineOf(formatPeriod(p))),
    fc.constant(deadlineOf(null)),
    fc.constantFrom('quarter', 'year', 'month').map((r) => deadlineOf('recurring', null, r as 'year')),
  );

  it('always gives one of the statuses, and done only when the latest report is done', () => {
    fc.assert(
      fc.property(
        arbDeadline,
        fc.array(arbReport, { maxLength: 6 }),
        arbDay,
        fc.option(arbDay),
        (d, reports, asOf, start) => {
          const r = unitTaskStatus(d, reports, { asOf, start });
          expect(TASK_STATUSES).toContain(r.status);
          if (r.status === 'done' || r.status === 'done_late') {
            const latest = reports
              .filter((x) => x.reportedOn <= asOf)
              .sort((a, b) =>
                a.period < b.period ? -1 : a.period > b.period ? 1 : a.reportedOn < b.reportedOn ? -1 : 1,
              )
              .at(-1);
            expect(latest?.status).toBe('done');
            expect(d.kind).not.toBe('recurring');
          }
          if (r.status === 'no_deadline') expect(d.kind).toBe('none');
        },
      ),
    );
  });

  it('a dated task not done is overdue exactly when the reference date is past its last day', () => {
    fc.assert(
      fc.property(arbDeadline, fc.array(arbReport, { maxLength: 4 }), arbDay, (d, reports, asOf) => {
        fc.pre(d.kind !== 'recurring' && d.kind !== 'none');
        const notDone = reports.map((r) =>
          r.status === 'done' ? { ...r, status: 'in_progress' as const } : r,
        );
        const r = unitTaskStatus(d, notDone, { asOf });
        expect(r.status === 'overdue').toBe(asOf > deadlineDate(d)!);
      }),
    );
  });

  it('once overdue, a dated task stays overdue on every later day until reported done', () => {
    const rank = (s: TaskStatus) => (s === 'overdue' ? 1 : 0);
    fc.assert(
      fc.property(
        arbDeadline,
        fc.array(arbReport, { maxLength: 4 }),
        arbDay,
        fc.integer({ min: 0, max: 400 }),
        (d, reports, asOf, later) => {
          fc.pre(d.kind !== 'recurring');
          const notDone = reports.map((r) =>
            r.status === 'done' ? { ...r, status: 'in_progress' as const } : r,
          );
          const a = unitTaskStatus(d, notDone, { asOf });
          const b = unitTaskStatus(d, notDone, { asOf: addDays(asOf, later) });
          expect(rank(b.status)).toBeGreaterThanOrEqual(rank(a.status));
        },
      ),
    );
  });

  it('done or done late does not depend on the reference date, once reported', () => {
    const arbAfter = fc.integer({ min: 0, max: 2000 });
    fc.assert(
      fc.property(arbDeadline, arbReport, arbAfter, arbAfter, (d, last, a, b) => {
        fc.pre(d.kind !== 'recurring');
        const done = { ...last, status: 'done' as const };
        const at = (n: number) => unitTaskStatus(d, [done], { asOf: addDays(done.reportedOn, n) }).status;
        expect(['done', 'done_late']).toContain(at(a));
        expect(at(a)).toBe(at(b));
      }),
    );
  });

  it('a higher percent complete is never more at risk (same day, same schedule)', () => {
    fc.assert(
      fc.property(
        arbQuarter,
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        arbDay,
        (p, x, y, asOf) => {
          const d = deadlineOf(formatPeriod(p));
          const lo = Math.min(x, y);
          const hi = Math.max(x, y);
          const start = addDays(periodStart(p), -200);
          const at = (pc: number) =>
            unitTaskStatus(d, [report(formatPeriod(p), 'in_progress', pc, periodStart(p))], { asOf, start })
              .status;
          if (at(lo) !== 'at_risk') expect(at(hi)).not.toBe('at_risk');
        },
      ),
    );
  });

  it('a recurring task is overdue only when the judged period has no report', () => {
    fc.assert(
      fc.property(fc.array(arbReport, { maxLength: 6 }), arbDay, (reports, asOf) => {
        const r = unitTaskStatus(deadlineOf('recurring'), reports, { asOf });
        if (r.status === 'overdue') {
          expect(reports.some((x) => x.period === r.period && x.reportedOn <= asOf)).toBe(false);
          expect(r.deadline! < asOf).toBe(true);
        }
      }),
    );
  });

  it('every dated deadline ends within its period', () => {
    fc.assert(
      fc.property(arbQuarter, (p) => {
        expect(deadlineDate(deadlineOf(formatPeriod(p)))).toBe(periodEnd(p));
      }),
    );
  });
});

describe('task numbers', () => {
  it('knows parents and children', () => {
    expect(parentNumber('II.2.a')).toBe('II.2');
    expect(parentNumber('II')).toBeNull();
    expect(isNumberedUnder('II.2.a', 'II.2')).toBe(true);
    expect(isNumberedUnder('II.20', 'II.2')).toBe(false);
    expect(isNumberedUnder('III.1', 'II')).toBe(false);
  });

  it('orders numbers as a reader does', () => {
    const sorted = ['IV', 'II.10', 'II.2.b', 'III', 'II.2.a', 'II', 'II.2', 'X', 'IX', '10', '2'].sort(
      compareTaskNumbers,
    );
    expect(sorted).toEqual(['2', '10', 'II', 'II.2', 'II.2.a', 'II.2.b', 'II.10', 'III', 'IV', 'IX', 'X']);
  });
});
