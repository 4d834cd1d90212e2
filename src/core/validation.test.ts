import { describe, expect, it } from 'vitest';
import { ChisoError } from './errors.ts';
import {
  evaluateRule,
  outlierFinding,
  parseRule,
  type RuleToCheck,
  validateSubmission,
} from './validation.ts';

const item = (over: Partial<Parameters<typeof validateSubmission>[0]['items'][number]> = {}) => ({
  code: 'A',
  value_type: 'number',
  required: false,
  value: 10 as number | null,
  ...over,
});

const rule = (over: Partial<RuleToCheck>): RuleToCheck => ({
  code: 'R1',
  name_vi: 'Quy tắc',
  name_en: 'Rule',
  left: 'A',
  operator: '<=',
  right: 'B',
  importance: 'error',
  ...over,
});

describe('value checks', () => {
  it('reports type and range faults, percentages outside 0–100 and missing required items as errors', () => {
    const r = validateSubmission({
      items: [
        item({ code: 'P', value_type: 'percent', value: 100.5 }),
        item({ code: 'I', value_type: 'integer', value: 2.5 }),
        item({ code: 'M', value: -1, min_value: 0 }),
        item({ code: 'Q', required: true, value: null }),
        item({ code: 'O', required: false, value: null }),
        item({ code: 'Z', value_type: 'percent', value: 0 }),
      ],
      rules: [],
      lookup: () => null,
    });
    expect(r.errors.map((e) => [e.key, e.code])).toEqual([
      ['value:P', 'value.percent_range'],
      ['value:I', 'value.integer'],
      ['value:M', 'value.below_min'],
      ['required:Q', 'validation.required'],
    ]);
    expect(r.warnings).toEqual([]);
    for (const e of r.errors) {
      expect(e.vi).toMatch(/\S/);
      expect(e.en).toMatch(/\S/);
    }
  });

  it('checks numerator ≤ denominator for counts only', () => {
    const lookup = (code: string) => ({ TOTAL: 100 })[code] ?? null;
    const den = { code: 'TOTAL', value_type: 'integer' };
    const r = validateSubmission({
      items: [
        item({ code: 'ONLINE', value_type: 'integer', value: 101, denominator: den }),
        item({ code: 'EQUAL', value_type: 'integer', value: 100, denominator: den }),
        item({ code: 'RATE', value_type: 'percent', value: 80, denominator: den }),
        item({
          code: 'NODEN',
          value_type: 'integer',
          value: 5,
          denominator: { code: 'MISSING', value_type: 'integer' },
        }),
      ],
      rules: [],
      lookup,
    });
    expect(r.errors.map((e) => e.key)).toEqual(['denominator:ONLINE']);
    expect(r.errors[0]!.details).toMatchObject({ numerator: 101, denominator: 100 });
  });
});

describe('validation rules', () => {
  it('evaluates left operator right with the formula language, skipping when a side is missing', () => {
    const values: Record<string, number | null> = { A: 5, B: 3, C: null };
    const lookup = (c: string, offset: number) =>
      offset === -1 ? ({ A: 4 }[c] ?? null) : (values[c] ?? null);
    expect(evaluateRule(rule({}), lookup).holds).toBe(false);
    expect(evaluateRule(rule({ operator: '>' }), lookup).holds).toBe(true);
    expect(evaluateRule(rule({ left: 'A + C' }), lookup).holds).toBeNull();
    expect(evaluateRule(rule({ left: 'coalesce(C, 0) + B', operator: '==', right: '3' }), lookup).holds).toBe(
      true,
    );
    expect(evaluateRule(rule({ left: 'A', operator: '>=', right: 'A@-1' }), lookup)).toEqual({
      holds: true,
      left: 5,
      right: 4,
    });
    // The formula language's tolerance: 0.1 + 0.2 == 0.3.
    expect(evaluateRule(rule({ left: '0.1 + 0.2', operator: '==', right: '0.3' }), lookup).holds).toBe(true);
  });

  it('turns a violated rule into an error or a warning by its importance', () => {
    const lookup = (c: string) => ({ A: 5, B: 3 })[c] ?? null;
    const r = validateSubmission({
      items: [],
      rules: [
        rule({ code: 'E' }),
        rule({ code: 'W', importance: 'warning' }),
        rule({ code: 'OK', operator: '>' }),
      ],
      lookup,
    });
    expect(r.errors.map((e) => e.key)).toEqual(['rule:E']);
    expect(r.warnings.map((e) => e.key)).toEqual(['rule:W']);
    expect(r.errors[0]!.en).toContain('A = 5 <= B = 3 is false');
  });

  it('names the side of a syntax error and its position', () => {
    try {
      parseRule({ left: 'A +', operator: '==', right: 'B' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ChisoError);
      expect((e as ChisoError).location).toEqual({ field: 'left', position: 3 });
    }
    expect(() => parseRule({ left: 'A', operator: '=' as never, right: 'B' })).toThrow(/Operator '='/);
  });
});

describe('outliers', () => {
  it('flags a value beyond 3 robust deviations of the unit’s history', () => {
    const history = [100, 104, 98, 101, 99, 103];
    expect(
      outlierFinding({ code: 'A', value_type: 'number', value: 102, history, previous: null }),
    ).toBeNull();
    const f = outlierFinding({ code: 'A', value_type: 'number', value: 130, history, previous: null });
    expect(f).toMatchObject({ key: 'outlier:A', severity: 'warning', details: { median: 100.5 } });
    expect(f!.details!.robust_z as number).toBeGreaterThan(3);
    // Fewer than four earlier values: no robust check.
    expect(
      outlierFinding({
        code: 'A',
        value_type: 'number',
        value: 130,
        history: [100, 101, 99],
        previous: null,
      }),
    ).toBeNull();
    // A constant history has no spread: only the change from the previous period counts.
    expect(
      outlierFinding({
        code: 'A',
        value_type: 'number',
        value: 120,
        history: [100, 100, 100, 100],
        previous: null,
      }),
    ).toBeNull();
  });

  it('flags a change of more than 50 % from the previous period, in either direction', () => {
    const at = (value: number, previous: number | null) =>
      outlierFinding({ code: 'A', value_type: 'percent', value, history: [], previous });
    expect(at(150, 100)).toBeNull();
    expect(at(151, 100)).toMatchObject({ details: { previous: 100, change: 0.51 } });
    expect(at(49, 100)).not.toBeNull();
    expect(at(50, 100)).toBeNull();
    expect(at(5, 0)).toBeNull();
    expect(at(5, null)).toBeNull();
    expect(
      outlierFinding({ code: 'B', value_type: 'boolean', value: 1, history: [], previous: 0.1 }),
    ).toBeNull();
    expect(outlierFinding({ code: 'R', value_type: 'rank', value: 30, history: [], previous: 3 })).toBeNull();
  });

  it('reports both reasons in one warning per value', () => {
    const f = outlierFinding({
      code: 'A',
      value_type: 'number',
      value: 300,
      history: [90, 100, 110, 100, 95],
      previous: 100,
    });
    expect(f!.en).toMatch(/robust standard deviations.*; a change of \+200%/);
    const r = validateSubmission({
      items: [item({ code: 'A', value: 300, history: [90, 100, 110, 100, 95], previous: 100 })],
      rules: [],
      lookup: () => null,
    });
    expect(r.warnings.map((w) => w.key)).toEqual(['outlier:A']);
  });
});
