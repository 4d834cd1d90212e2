/**
 * Validation of a submission's figures: each value against its indicator (type and range,
 * percentages 0–100), required items, numerator ≤ denominator, validation rules between indicators
 * (`left operator right`, both sides formulas, like DHIS2 validation rules) and outliers against the
 * unit's own history. Pure: the caller hands in the values and the history.
 *
 * Findings are errors (they block a submission) or warnings (they need a comment). Each has a stable
 * `key` — `value:<indicator>`, `required:<indicator>`, `denominator:<indicator>`, `rule:<rule code>`,
 * `outlier:<indicator>` — by which the submitter answers a warning with a comment.
 *
 * Outliers (warnings only), against the unit's own approved values of earlier periods:
 *  - robust deviation: with at least OUTLIER_MIN_HISTORY earlier values, a value whose distance from
 *    their median exceeds OUTLIER_ROBUST_Z robust standard deviations (1.4826 × the median absolute
 *    deviation) is flagged; skipped when the deviation is 0 (a constant history);
 *  - change from the previous period: a value that differs from the previous period's approved value
 *    by more than OUTLIER_MAX_CHANGE (50 %) of it is flagged; skipped when the previous value is 0.
 * Boolean and rank indicators are not checked for outliers.
 *
 * Validation rules: a side that evaluates to missing (an operand without a value, a division by zero)
 * makes the rule not applicable for that submission — missing required values are caught by the
 * required check instead. Comparisons use the formula language's relative tolerance of 1e-9.
 */
import { ChisoError } from './errors.ts';
import {
  type BinaryOp,
  evaluateFormula,
  type FormulaAst,
  type FormulaLookup,
  parseFormula,
} from './formula.ts';
import { checkValue, type ValueRule } from './values.ts';

export const RULE_OPERATORS = ['==', '!=', '<', '<=', '>', '>='] as const;
export type RuleOperator = (typeof RULE_OPERATORS)[number];
export const RULE_IMPORTANCE = ['error', 'warning'] as const;
export type RuleImportance = (typeof RULE_IMPORTANCE)[number];

export const OUTLIER_MIN_HISTORY = 4;
export const OUTLIER_ROBUST_Z = 3;
export const OUTLIER_MAX_CHANGE = 0.5;
/** Scale factor that makes the median absolute deviation estimate a normal standard deviation. */
const MAD_SCALE = 1.4826;

export interface Finding {
  key: string;
  severity: 'error' | 'warning';
  code: string;
  indicator?: string;
  rule?: string;
  vi: string;
  en: string;
  details?: Record<string, unknown>;
}

export interface ItemToCheck extends ValueRule {
  name_vi?: string;
  required: boolean;
  value: number | null;
  /** Present when the indicator has a denominator: numerator ≤ denominator is checked for counts. */
  denominator?: { code: string; value_type: string } | null;
  /** The unit's approved values of earlier periods, oldest first (for outliers). */
  history?: number[];
  /** The unit's approved value of the previous period, if any. */
  previous?: number | null;
}

export interface RuleToCheck {
  code: string;
  name_vi: string;
  name_en: string;
  left: string;
  operator: RuleOperator;
  right: string;
  importance: RuleImportance;
}

export interface ValidationReport {
  errors: Finding[];
  warnings: Finding[];
}

const COUNT_TYPES = new Set(['number', 'integer']);
const fmt = (x: number): string => String(Math.round(x * 1e6) / 1e6);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The outlier warning of one value, or null. */
export function outlierFinding(
  item: Pick<ItemToCheck, 'code' | 'value_type' | 'value' | 'history' | 'previous'>,
): Finding | null {
  const x = item.value;
  if (x === null || item.value_type === 'boolean' || item.value_type === 'rank') return null;
  const reasonsVi: string[] = [];
  const reasonsEn: string[] = [];
  const details: Record<string, unknown> = {};
  const history = (item.history ?? []).filter((v) => Number.isFinite(v));
  if (history.length >= OUTLIER_MIN_HISTORY) {
    const m = median(history);
    const mad = median(history.map((v) => Math.abs(v - m)));
    if (mad > 0) {
      const z = Math.abs(x - m) / (MAD_SCALE * mad);
      if (z > OUTLIER_ROBUST_Z) {
        reasonsVi.push(
          `cách trung vị ${fmt(m)} của ${history.length} kỳ trước ${fmt(z)} độ lệch chuẩn (vững), vượt ngưỡng ${OUTLIER_ROBUST_Z}`,
        );
        reasonsEn.push(
          `${fmt(z)} robust standard deviations from the median ${fmt(m)} of ${history.length} earlier periods (threshold ${OUTLIER_ROBUST_Z})`,
        );
        Object.assign(details, { median: m, mad, robust_z: z, history_count: history.length });
      }
    }
  }
  const p = item.previous;
  if (p !== null && p !== undefined && Number.isFinite(p) && p !== 0) {
    const change = (x - p) / Math.abs(p);
    if (Math.abs(change) > OUTLIER_MAX_CHANGE) {
      const pct = `${change > 0 ? '+' : ''}${fmt(change * 100)}%`;
      reasonsVi.push(
        `thay đổi ${pct} so với kỳ trước (${fmt(p)}), vượt ngưỡng ±${OUTLIER_MAX_CHANGE * 100}%`,
      );
      reasonsEn.push(
        `a change of ${pct} from the previous period (${fmt(p)}), beyond ±${OUTLIER_MAX_CHANGE * 100}%`,
      );
      Object.assign(details, { previous: p, change });
    }
  }
  if (reasonsVi.length === 0) return null;
  return {
    key: `outlier:${item.code}`,
    severity: 'warning',
    code: 'validation.outlier',
    indicator: item.code,
    vi: `${item.code}: giá trị ${fmt(x)} bất thường — ${reasonsVi.join('; ')}. Hãy kiểm tra lại hoặc giải thích.`,
    en: `${item.code}: the value ${fmt(x)} is unusual — ${reasonsEn.join('; ')}. Check it or explain it.`,
    details,
  };
}

/** A rule parsed once: both sides as formulas. Throws `validation_rule.syntax` naming the side. */
export function parseRule(rule: Pick<RuleToCheck, 'left' | 'right' | 'operator'>): {
  left: FormulaAst;
  right: FormulaAst;
} {
  const side = (src: string, field: 'left' | 'right'): FormulaAst => {
    try {
      return parseFormula(src);
    } catch (e) {
      if (e instanceof ChisoError) throw new ChisoError({ ...e.toJSON(), field });
      throw e;
    }
  };
  if (!(RULE_OPERATORS as readonly string[]).includes(rule.operator)) {
    throw new ChisoError({
      code: 'validation_rule.operator',
      field: 'operator',
      vi: `Toán tử '${rule.operator}' không hợp lệ; dùng một trong ${RULE_OPERATORS.join(' ')}.`,
      en: `Operator '${rule.operator}' is not valid; use one of ${RULE_OPERATORS.join(' ')}.`,
    });
  }
  return { left: side(rule.left, 'left'), right: side(rule.right, 'right') };
}

/** Evaluates a rule: true/false, or null when a side is missing (the rule does not apply). */
export function evaluateRule(
  rule: Pick<RuleToCheck, 'left' | 'right' | 'operator'>,
  lookup: FormulaLookup,
  parsed = parseRule(rule),
): { holds: boolean | null; left: number | null; right: number | null } {
  const left = evaluateFormula(parsed.left, lookup);
  const right = evaluateFormula(parsed.right, lookup);
  if (left === null || right === null) return { holds: null, left, right };
  const cmp = evaluateFormula(
    {
      kind: 'binary',
      op: rule.operator as BinaryOp,
      left: { kind: 'number', value: left },
      right: { kind: 'number', value: right },
    },
    () => null,
  );
  return { holds: cmp === null ? null : cmp !== 0, left, right };
}

/**
 * Checks every item and rule. `lookup(code, offset)` gives the value of any indicator for the
 * submission's unit: offset 0 from the submission (and the unit's other current values), other
 * offsets from its history.
 */
export function validateSubmission(input: {
  items: ItemToCheck[];
  rules: RuleToCheck[];
  lookup: FormulaLookup;
}): ValidationReport {
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  for (const item of input.items) {
    if (item.value === null) {
      if (item.required)
        errors.push({
          key: `required:${item.code}`,
          severity: 'error',
          code: 'validation.required',
          indicator: item.code,
          vi: `${item.code}: chỉ tiêu bắt buộc chưa có số liệu.`,
          en: `${item.code}: this indicator is required and has no value.`,
        });
      continue;
    }
    try {
      checkValue(item, item.value);
    } catch (e) {
      if (!(e instanceof ChisoError)) throw e;
      errors.push({
        key: `value:${item.code}`,
        severity: 'error',
        code: e.code,
        indicator: item.code,
        vi: e.vi,
        en: e.en,
      });
      continue;
    }
    const den = item.denominator;
    if (den && COUNT_TYPES.has(item.value_type) && COUNT_TYPES.has(den.value_type)) {
      const d = input.lookup(den.code, 0);
      if (d !== null && item.value > d * (1 + 1e-9) + 1e-12) {
        errors.push({
          key: `denominator:${item.code}`,
          severity: 'error',
          code: 'validation.numerator_above_denominator',
          indicator: item.code,
          vi: `${item.code}: tử số ${fmt(item.value)} lớn hơn mẫu số ${den.code} = ${fmt(d)}.`,
          en: `${item.code}: the numerator ${fmt(item.value)} is greater than the denominator ${den.code} = ${fmt(d)}.`,
          details: { numerator: item.value, denominator: d, denominator_indicator: den.code },
        });
      }
    }
    const o = outlierFinding(item);
    if (o) warnings.push(o);
  }
  for (const rule of input.rules) {
    const r = evaluateRule(rule, input.lookup);
    if (r.holds !== false) continue;
    const finding: Finding = {
      key: `rule:${rule.code}`,
      severity: rule.importance,
      code: 'validation.rule',
      rule: rule.code,
      vi: `Quy tắc ${rule.code} (${rule.name_vi}) không thỏa: ${rule.left} = ${fmt(r.left!)} ${rule.operator} ${rule.right} = ${fmt(r.right!)} là sai.`,
      en: `Rule ${rule.code} (${rule.name_en}) is violated: ${rule.left} = ${fmt(r.left!)} ${rule.operator} ${rule.right} = ${fmt(r.right!)} is false.`,
      details: { left: r.left, right: r.right, operator: rule.operator },
    };
    (rule.importance === 'error' ? errors : warnings).push(finding);
  }
  return { errors, warnings };
}
