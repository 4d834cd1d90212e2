import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChisoError } from './errors.ts';
import {
  addDays,
  comparePeriods,
  containingPeriod,
  cumulativeWindow,
  daysBetween,
  formatPeriod,
  formatPeriodEn,
  formatPeriodVi,
  fromDhis2Period,
  isoWeekday,
  type Period,
  type PeriodType,
  parseIsoDate,
  parsePeriod,
  periodContainsDate,
  periodEnd,
  periodOfDate,
  periodRange,
  periodStart,
  periodsWithin,
  reportingPeriodOfDate,
  reportingWindow,
  shiftPeriod,
  toDhis2Period,
  tryParsePeriod,
} from './period.ts';

const P = parsePeriod;

function errorOf(fn: () => unknown): ChisoError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ChisoError) return e;
    throw e;
  }
  throw new Error('expected a ChisoError');
}

const arbType = fc.constantFrom<PeriodType>('year', 'half', 'quarter', 'month');
const arbPeriod: fc.Arbitrary<Period> = arbType.chain((type) =>
  fc.record({
    type: fc.constant(type),
    year: fc.integer({ min: 1900, max: 2200 }),
    index: fc.integer({ min: 1, max: { year: 1, half: 2, quarter: 4, month: 12 }[type] }),
  }),
);

describe('parsePeriod', () => {
  it('reads the four period codes', () => {
    expect(P('2024')).toEqual({ type: 'year', year: 2024, index: 1 });
    expect(P('2024S2')).toEqual({ type: 'half', year: 2024, index: 2 });
    expect(P('2024Q1')).toEqual({ type: 'quarter', year: 2024, index: 1 });
    expect(P('2024-03')).toEqual({ type: 'month', year: 2024, index: 3 });
    expect(P('2024-12')).toEqual({ type: 'month', year: 2024, index: 12 });
  });

  it('names the fault and its position in both languages', () => {
    const e = errorOf(() => P('2024Q5'));
    expect(e.code).toBe('period.malformed');
    expect(e.location.position).toBe(5);
    expect(e.vi).toBe("Kỳ báo cáo không hợp lệ: '2024Q5' — quý phải từ 1 đến 4");
    expect(e.en).toBe("Invalid period: '2024Q5' — the quarter must be 1 to 4");
  });

  it.each([
    ['', 0],
    ['24', 2],
    ['20a4', 2],
    ['0999', 0],
    ['2024X1', 4],
    ['2024q1', 4],
    ['2024Q', 5],
    ['2024Q0', 5],
    ['2024Q12', 6],
    ['2024S3', 5],
    ['2024-3', 6],
    ['2024-13', 5],
    ['2024-00', 5],
    ['202403', 4],
    [' 2024', 0],
    ['2024 ', 4],
    ['2024-03-01', 7],
  ])('rejects %j at position %i', (code, position) => {
    const e = errorOf(() => P(code));
    expect(e.code).toBe('period.malformed');
    expect(e.location.position).toBe(position);
    expect(e.vi).toContain('Kỳ báo cáo không hợp lệ');
  });

  it('tryParsePeriod returns null on bad input', () => {
    expect(tryParsePeriod('2024Q5')).toBeNull();
    expect(tryParsePeriod('2024Q4')).toEqual({ type: 'quarter', year: 2024, index: 4 });
  });

  it('format and parse are inverse (property)', () => {
    fc.assert(
      fc.property(arbPeriod, (p) => {
        expect(P(formatPeriod(p))).toEqual(p);
      }),
    );
  });

  it('never throws anything but a ChisoError with a position inside the input (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 9 }), (s) => {
        try {
          const p = P(s);
          expect(formatPeriod(p)).toBe(s);
        } catch (e) {
          expect(e).toBeInstanceOf(ChisoError);
          const pos = (e as ChisoError).location.position!;
          expect(pos).toBeGreaterThanOrEqual(0);
          expect(pos).toBeLessThanOrEqual(s.length);
        }
      }),
    );
  });
});

describe('formatting', () => {
  it('writes Vietnamese labels', () => {
    expect(formatPeriodVi(P('2024'))).toBe('Năm 2024');
    expect(formatPeriodVi(P('2024S1'))).toBe('6 tháng đầu năm 2024');
    expect(formatPeriodVi(P('2024S2'))).toBe('6 tháng cuối năm 2024');
    expect(formatPeriodVi(P('2024Q1'))).toBe('Quý I/2024');
    expect(formatPeriodVi(P('2024Q4'))).toBe('Quý IV/2024');
    expect(formatPeriodVi(P('2024-03'))).toBe('Tháng 03/2024');
  });
  it('writes English labels', () => {
    expect(formatPeriodEn(P('2024'))).toBe('Year 2024');
    expect(formatPeriodEn(P('2024S1'))).toBe('First half of 2024');
    expect(formatPeriodEn(P('2024Q3'))).toBe('Q3 2024');
    expect(formatPeriodEn(P('2024-03'))).toBe('March 2024');
  });
  it('refuses an impossible period object', () => {
    expect(errorOf(() => formatPeriod({ type: 'quarter', year: 2024, index: 5 })).code).toBe(
      'period.invalid',
    );
  });
});

describe('DHIS2 codes', () => {
  it('converts both ways', () => {
    expect(fromDhis2Period('202403')).toEqual(P('2024-03'));
    expect(fromDhis2Period('2024')).toEqual(P('2024'));
    expect(fromDhis2Period('2024S1')).toEqual(P('2024S1'));
    expect(fromDhis2Period('2024Q1')).toEqual(P('2024Q1'));
    expect(toDhis2Period(P('2024-03'))).toBe('202403');
    expect(toDhis2Period(P('2024Q2'))).toBe('2024Q2');
  });
  it('rejects unsupported or invalid DHIS2 types', () => {
    for (const c of ['2024W1', '202413', '2024April', '2024-03', '20240301', '2024BiW1']) {
      expect(errorOf(() => fromDhis2Period(c)).code).toBe('period.dhis2_unsupported');
    }
  });
  it('round-trips (property)', () => {
    fc.assert(
      fc.property(arbPeriod, (p) => {
        expect(fromDhis2Period(toDhis2Period(p))).toEqual(p);
      }),
    );
  });
});

describe('ordering and dates', () => {
  it('orders by start then by length', () => {
    const codes = ['2024', '2024-02', '2023Q4', '2024Q1', '2024S1', '2024-01', '2023'];
    expect(
      codes
        .map(P)
        .sort(comparePeriods)
        .map((p) => formatPeriod(p)),
    ).toEqual(['2023', '2023Q4', '2024-01', '2024Q1', '2024S1', '2024', '2024-02']);
  });

  it('gives start and end dates', () => {
    expect(periodStart(P('2024Q2'))).toBe('2024-04-01');
    expect(periodEnd(P('2024Q2'))).toBe('2024-06-30');
    expect(periodEnd(P('2024-02'))).toBe('2024-02-29');
    expect(periodEnd(P('2023-02'))).toBe('2023-02-28');
    expect(periodEnd(P('2100-02'))).toBe('2100-02-28');
    expect(periodEnd(P('2000-02'))).toBe('2000-02-29');
    expect(periodStart(P('2024S2'))).toBe('2024-07-01');
    expect(periodEnd(P('2024'))).toBe('2024-12-31');
  });

  it('comparePeriods agrees with start dates for one type (property)', () => {
    fc.assert(
      fc.property(
        arbType,
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 0, max: 3000 }),
        (t, a, b) => {
          const base: Period = { type: t, year: 1950, index: 1 };
          const pa = shiftPeriod(base, a);
          const pb = shiftPeriod(base, b);
          expect(Math.sign(comparePeriods(pa, pb))).toBe(Math.sign(a - b));
          expect(periodStart(pa) < periodStart(pb)).toBe(a < b);
        },
      ),
    );
  });

  it('shifts across years', () => {
    expect(formatPeriod(shiftPeriod(P('2024Q1'), -1))).toBe('2023Q4');
    expect(formatPeriod(shiftPeriod(P('2024-11'), 3))).toBe('2025-02');
    expect(formatPeriod(shiftPeriod(P('2024S2'), 1))).toBe('2025S1');
    expect(formatPeriod(shiftPeriod(P('2024'), -4))).toBe('2020');
    expect(errorOf(() => shiftPeriod(P('2024'), 0.5)).code).toBe('period.bad_shift');
    expect(errorOf(() => shiftPeriod(P('9999'), 1)).code).toBe('period.out_of_range');
  });

  it('shift is additive and invertible (property)', () => {
    // A shift that leaves the years 1000–9999 is refused; two shifts are compared with one only
    // when the first stays inside (a year shifted by -422 and then by -479 leaves at the second).
    const outcome = (f: () => Period) => {
      try {
        return f();
      } catch (e) {
        if (e instanceof ChisoError) return e.code;
        throw e;
      }
    };
    fc.assert(
      fc.property(
        arbPeriod,
        fc.integer({ min: -500, max: 500 }),
        fc.integer({ min: -500, max: 500 }),
        (p, a, b) => {
          const first = shiftPeriod(p, a);
          expect(outcome(() => shiftPeriod(first, b))).toEqual(outcome(() => shiftPeriod(p, a + b)));
          expect(shiftPeriod(first, -a)).toEqual(p);
        },
      ),
      { examples: [[{ type: 'year', year: 1900, index: 1 }, -422, -479]] },
    );
  });

  it('lists a range', () => {
    expect(periodRange(P('2023Q3'), P('2024Q2')).map(formatPeriod)).toEqual([
      '2023Q3',
      '2023Q4',
      '2024Q1',
      '2024Q2',
    ]);
    expect(periodRange(P('2024-05'), P('2024-05')).map(formatPeriod)).toEqual(['2024-05']);
    expect(errorOf(() => periodRange(P('2024Q1'), P('2024-03'))).code).toBe('period.type_mismatch');
    expect(errorOf(() => periodRange(P('2024Q2'), P('2024Q1'))).code).toBe('period.range_reversed');
  });

  it('nests periods', () => {
    expect(periodsWithin(P('2024'), 'quarter').map(formatPeriod)).toEqual([
      '2024Q1',
      '2024Q2',
      '2024Q3',
      '2024Q4',
    ]);
    expect(periodsWithin(P('2024Q2'), 'month').map(formatPeriod)).toEqual(['2024-04', '2024-05', '2024-06']);
    expect(periodsWithin(P('2024S2'), 'quarter').map(formatPeriod)).toEqual(['2024Q3', '2024Q4']);
    expect(periodsWithin(P('2024Q2'), 'quarter').map(formatPeriod)).toEqual(['2024Q2']);
    expect(errorOf(() => periodsWithin(P('2024Q2'), 'half')).code).toBe('period.type_mismatch');
    expect(formatPeriod(containingPeriod(P('2024-08'), 'quarter'))).toBe('2024Q3');
    expect(formatPeriod(containingPeriod(P('2024-08'), 'half'))).toBe('2024S2');
    expect(formatPeriod(containingPeriod(P('2024Q2'), 'year'))).toBe('2024');
    expect(errorOf(() => containingPeriod(P('2024'), 'month')).code).toBe('period.type_mismatch');
  });

  it('periodsWithin tiles the period and containingPeriod inverts it (property)', () => {
    fc.assert(
      fc.property(arbPeriod, arbType, (p, t) => {
        const [outer, inner] = [p, t];
        const order = ['month', 'quarter', 'half', 'year'];
        if (order.indexOf(inner) > order.indexOf(outer.type)) return;
        const parts = periodsWithin(outer, inner);
        expect(periodStart(parts[0]!)).toBe(periodStart(outer));
        expect(periodEnd(parts.at(-1)!)).toBe(periodEnd(outer));
        for (let i = 1; i < parts.length; i++) {
          expect(addDays(periodEnd(parts[i - 1]!), 1)).toBe(periodStart(parts[i]!));
        }
        for (const q of parts) expect(containingPeriod(q, outer.type)).toEqual(outer);
      }),
    );
  });

  it('maps dates to periods', () => {
    expect(periodContainsDate(P('2024Q1'), '2024-03-31')).toBe(true);
    expect(periodContainsDate(P('2024Q1'), '2024-04-01')).toBe(false);
    expect(formatPeriod(periodOfDate('2024-08-15', 'quarter'))).toBe('2024Q3');
    expect(formatPeriod(periodOfDate('2024-08-15', 'month'))).toBe('2024-08');
    expect(formatPeriod(periodOfDate('2024-08-15', 'half'))).toBe('2024S2');
    expect(errorOf(() => periodOfDate('2024-02-30', 'month')).code).toBe('date.malformed');
    expect(errorOf(() => periodOfDate('2024-2-03', 'month')).location.position).toBe(6);
  });

  it('periodOfDate contains the date (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -20000, max: 60000 }), arbType, (n, t) => {
        const d = addDays('1970-01-01', n);
        const p = periodOfDate(d, t);
        expect(periodContainsDate(p, d)).toBe(true);
        expect(periodStart(p) <= d && d <= periodEnd(p)).toBe(true);
      }),
    );
  });

  it('does calendar arithmetic without Date', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(daysBetween('2024-01-01', '2025-01-01')).toBe(366);
    expect(isoWeekday('2024-03-14')).toBe(4); // Thursday
    expect(isoWeekday('2025-07-01')).toBe(2); // Tuesday
    expect(parseIsoDate('2024-02-29')).toEqual({ y: 2024, m: 2, d: 29 });
    expect(errorOf(() => parseIsoDate('2023-02-29')).location.position).toBe(8);
  });
});

describe('reportingWindow (Decree 09/2019/NĐ-CP default cut-off, reference vietnam.md §2)', () => {
  const w = (code: string) => reportingWindow(P(code));

  it('month M: 15 of M-1 to 14 of M', () => {
    expect(w('2024-03')).toMatchObject({
      dataFrom: '2024-02-15',
      dataTo: '2024-03-14',
      cutoff: '2024-03-14',
    });
    expect(w('2024-01')).toMatchObject({ dataFrom: '2023-12-15', dataTo: '2024-01-14' });
  });

  it('quarters: Q1 15/12 of the previous year – 14/03; Q2 15/03–14/06; Q3 15/06–14/09; Q4 15/09–14/12', () => {
    expect(w('2024Q1')).toMatchObject({ dataFrom: '2023-12-15', dataTo: '2024-03-14' });
    expect(w('2024Q2')).toMatchObject({ dataFrom: '2024-03-15', dataTo: '2024-06-14' });
    expect(w('2024Q3')).toMatchObject({ dataFrom: '2024-06-15', dataTo: '2024-09-14' });
    expect(w('2024Q4')).toMatchObject({ dataFrom: '2024-09-15', dataTo: '2024-12-14' });
  });

  it('halves: H1 15/12 of the previous year – 14/06; H2 15/06–14/12', () => {
    expect(w('2024S1')).toMatchObject({ dataFrom: '2023-12-15', dataTo: '2024-06-14' });
    expect(w('2024S2')).toMatchObject({ dataFrom: '2024-06-15', dataTo: '2024-12-14' });
  });

  it('year: 15/12 of the previous year – 14/12; 9 months: 15/12 of the previous year – 14/09', () => {
    expect(w('2024')).toMatchObject({ dataFrom: '2023-12-15', dataTo: '2024-12-14', cutoff: '2024-12-14' });
    expect(cumulativeWindow(P('2024Q3'))).toMatchObject({ dataFrom: '2023-12-15', dataTo: '2024-09-14' });
  });

  it('default deadline: the 20th of the cut-off month (unconfirmed figure, configurable)', () => {
    expect(w('2024Q1').deadline).toBe('2024-03-20');
    expect(w('2024').deadline).toBe('2024-12-20');
  });

  it('a regime may set its own deadline, e.g. Khánh Hòa: 2 working days after the cut-off', () => {
    const khanhHoa = {
      window: 'decree09' as const,
      deadline: { kind: 'days_after_cutoff' as const, days: 2, workingDays: true },
    };
    // 14/03/2024 is a Thursday → Friday 15, (weekend), Monday 18.
    expect(reportingWindow(P('2024Q1'), khanhHoa).deadline).toBe('2024-03-18');
    // 14/09/2024 is a Saturday → Monday 16, Tuesday 17; with 16/09 a holiday → 18.
    expect(reportingWindow(P('2024Q3'), khanhHoa).deadline).toBe('2024-09-17');
    const withHoliday = { ...khanhHoa, deadline: { ...khanhHoa.deadline, holidays: ['2024-09-16'] } };
    expect(reportingWindow(P('2024Q3'), withHoliday).deadline).toBe('2024-09-18');
  });

  it('statistical reporting uses calendar periods', () => {
    expect(reportingWindow(P('2024Q1'), 'calendar')).toEqual({
      dataFrom: '2024-01-01',
      dataTo: '2024-03-31',
      cutoff: '2024-03-31',
      deadline: '2024-03-31',
    });
  });

  it('assigns a date to the period whose window holds it', () => {
    expect(formatPeriod(reportingPeriodOfDate('2024-12-20', 'quarter'))).toBe('2025Q1');
    expect(formatPeriod(reportingPeriodOfDate('2024-12-14', 'quarter'))).toBe('2024Q4');
    expect(formatPeriod(reportingPeriodOfDate('2024-12-15', 'year'))).toBe('2025');
    expect(formatPeriod(reportingPeriodOfDate('2024-03-15', 'month'))).toBe('2024-04');
    expect(formatPeriod(reportingPeriodOfDate('2024-12-20', 'quarter', 'calendar'))).toBe('2024Q4');
  });

  it('windows of consecutive periods tile time and hold their own dates (property)', () => {
    fc.assert(
      fc.property(arbPeriod, (p) => {
        const a = reportingWindow(p);
        const b = reportingWindow(shiftPeriod(p, 1));
        expect(addDays(a.dataTo, 1)).toBe(b.dataFrom);
        expect(a.deadline >= a.cutoff).toBe(true);
        expect(reportingPeriodOfDate(a.dataFrom, p.type)).toEqual(p);
        expect(reportingPeriodOfDate(a.dataTo, p.type)).toEqual(p);
      }),
    );
  });
});
