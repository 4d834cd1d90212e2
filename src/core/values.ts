/**
 * Checks a single data value against its indicator's type and bounds. Zero is a value; null is
 * "missing" and always passes here (whether a value is required is the form's business).
 */
import { ChisoError } from './errors.ts';

export interface ValueRule {
  code: string;
  value_type: string;
  min_value?: number | null;
  max_value?: number | null;
}

/** Throws a value's fault (a module function: a closure made per call would be renamed by the loader on every call). */
function valueFault(ind: ValueRule, field: string, code: string, vi: string, en: string): never {
  throw new ChisoError({ code, field, vi: `${ind.code}: ${vi}`, en: `${ind.code}: ${en}` });
}

export function checkValue(ind: ValueRule, value: number | null, field = 'value'): void {
  if (value === null) return;
  if (!Number.isFinite(value))
    valueFault(
      ind,
      field,
      'value.not_a_number',
      'giá trị phải là một số hữu hạn.',
      'the value must be a finite number.',
    );
  switch (ind.value_type) {
    case 'percent':
      if (value < 0 || value > 100)
        valueFault(
          ind,
          field,
          'value.percent_range',
          `tỷ lệ phần trăm phải từ 0 đến 100 (nhận được ${value}).`,
          `a percentage must be between 0 and 100 (got ${value}).`,
        );
      break;
    case 'integer':
      if (!Number.isInteger(value))
        valueFault(
          ind,
          field,
          'value.integer',
          `giá trị phải là số nguyên (nhận được ${value}).`,
          `the value must be a whole number (got ${value}).`,
        );
      break;
    case 'rank':
      if (!Number.isInteger(value) || value < 1)
        valueFault(
          ind,
          field,
          'value.rank',
          `thứ hạng phải là số nguyên từ 1 trở lên (nhận được ${value}).`,
          `a rank must be a whole number of 1 or more (got ${value}).`,
        );
      break;
    case 'boolean':
      if (value !== 0 && value !== 1)
        valueFault(
          ind,
          field,
          'value.boolean',
          `giá trị chỉ được là 0 hoặc 1 (nhận được ${value}).`,
          `the value must be 0 or 1 (got ${value}).`,
        );
      break;
    default:
      break;
  }
  if (ind.min_value !== null && ind.min_value !== undefined && value < ind.min_value)
    valueFault(
      ind,
      field,
      'value.below_min',
      `giá trị ${value} nhỏ hơn mức tối thiểu ${ind.min_value}.`,
      `the value ${value} is below the minimum ${ind.min_value}.`,
    );
  if (ind.max_value !== null && ind.max_value !== undefined && value > ind.max_value)
    valueFault(
      ind,
      field,
      'value.above_max',
      `giá trị ${value} lớn hơn mức tối đa ${ind.max_value}.`,
      `the value ${value} is above the maximum ${ind.max_value}.`,
    );
}
