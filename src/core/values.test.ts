import { describe, expect, it } from 'vitest';
import { checkValue } from './values.ts';

describe('checkValue', () => {
  const pct = { code: 'P', value_type: 'percent' };
  it('accepts zero and missing', () => {
    expect(() => checkValue(pct, 0)).not.toThrow();
    expect(() => checkValue(pct, null)).not.toThrow();
  });
  it('rejects percentages outside 0–100 with the field and both languages', () => {
    try {
      checkValue(pct, 101);
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: 'value.percent_range', location: { field: 'value' } });
      expect((e as { vi: string }).vi).toMatch(/phần trăm/);
    }
  });
  it('checks integers, ranks, booleans and bounds', () => {
    expect(() => checkValue({ code: 'I', value_type: 'integer' }, 1.5)).toThrow(/whole number/);
    expect(() => checkValue({ code: 'R', value_type: 'rank' }, 0)).toThrow(/rank/);
    expect(() => checkValue({ code: 'B', value_type: 'boolean' }, 2)).toThrow(/0 or 1/);
    expect(() => checkValue({ code: 'N', value_type: 'number', min_value: 0 }, -1)).toThrow(
      /below the minimum/,
    );
    expect(() => checkValue({ code: 'N', value_type: 'number' }, Number.NaN)).toThrow(/finite/);
  });
});
