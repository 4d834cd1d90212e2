/**
 * validateSubmission: gathers a submission's values, the unit's history and the applicable rules,
 * and runs the checks of src/core/validation.ts (type and range, percentages 0–100, required items,
 * numerator ≤ denominator, validation rules, outliers). Read-only; `submit` runs it too.
 *
 * Operands of rules: at offset 0 the unit's current values for the period (draft or not); at other
 * offsets (X@-1) the unit's approved values of that period. History for outliers: the unit's approved
 * values of the same indicator in earlier periods (the last OUTLIER_HISTORY_PERIODS), and the
 * approved value of the previous period.
 */
import { sql } from 'drizzle-orm';
import { formulaDependencies } from '../../core/formula.ts';
import { formatPeriod, parsePeriod, shiftPeriod } from '../../core/period.ts';
import { parseRule, type ValidationReport, validateSubmission as runChecks } from '../../core/validation.ts';
import { type Executor, rows } from '../../store/db.ts';
import { rulesForForm } from './define-validation-rule.ts';
import { previousPeriod, type SubmissionRow, submissionItems } from './workflow.ts';
import { taskFindings } from '../plans/task-reports.ts';

export const OUTLIER_HISTORY_PERIODS = 12;

async function valuesAt(
  ex: Executor,
  unitId: number,
  period: string,
  codes: string[],
  approvedOnly: boolean,
): Promise<Map<string, number | null>> {
  if (codes.length === 0) return new Map();
  const r = await rows<{ code: string; value: number | null }>(
    ex,
    sql`select i.code, v.value from data_value v join indicator i on i.id = v.indicator_id
        where v.org_unit_id = ${unitId} and v.period = ${period} and v.disagg = '' and v.archived_at is null
          ${approvedOnly ? sql`and v.status = 'approved'` : sql``}
          and i.code in (${sql.join(
            codes.map((c) => sql`${c}`),
            sql`, `,
          )})`,
  );
  return new Map(r.map((x) => [x.code, x.value]));
}

export async function validateSubmissionData(ex: Executor, s: SubmissionRow): Promise<ValidationReport> {
  const items = await submissionItems(ex, s);
  const rules = await rulesForForm(
    ex,
    s.form_id,
    s.period_type,
    items.map((i) => i.code),
  );
  // Every operand needed, by offset.
  const needed = new Map<number, Set<string>>([[0, new Set(items.map((i) => i.code))]]);
  const need = (code: string, offset: number) => {
    if (!needed.has(offset)) needed.set(offset, new Set());
    needed.get(offset)!.add(code);
  };
  for (const i of items) if (i.denominator_code) need(i.denominator_code, 0);
  for (const r of rules) {
    const { left, right } = parseRule(r);
    for (const d of [...formulaDependencies(left), ...formulaDependencies(right)]) need(d.code, d.offset);
  }
  const p = parsePeriod(s.period);
  const byOffset = new Map<number, Map<string, number | null>>();
  for (const [offset, codes] of needed) {
    const at = formatPeriod(shiftPeriod(p, offset));
    byOffset.set(offset, await valuesAt(ex, s.org_unit_id, at, [...codes], offset !== 0));
  }
  const lookup = (code: string, offset: number): number | null => byOffset.get(offset)?.get(code) ?? null;

  // History of each item for outliers.
  const history = new Map<string, Array<{ period: string; value: number }>>();
  if (items.length) {
    const h = await rows<{ code: string; period: string; value: number }>(
      ex,
      sql`select i.code, v.period, v.value from data_value v join indicator i on i.id = v.indicator_id
          where v.org_unit_id = ${s.org_unit_id} and v.disagg = '' and v.archived_at is null and v.status = 'approved'
            and v.value is not null and v.period_start < (select period_start from round where id = ${s.round_id})
            and v.indicator_id in (${sql.join(
              items.map((i) => sql`${i.indicator_id}`),
              sql`, `,
            )})
          order by v.period_start desc`,
    );
    for (const x of h) {
      const list = history.get(x.code) ?? [];
      if (list.length < OUTLIER_HISTORY_PERIODS) list.push({ period: x.period, value: x.value });
      history.set(x.code, list);
    }
  }
  const prev = previousPeriod(s.period);
  const report = runChecks({
    items: items.map((i) => {
      const hist = history.get(i.code) ?? [];
      return {
        code: i.code,
        value_type: i.value_type,
        min_value: i.min_value,
        max_value: i.max_value,
        required: i.required,
        value: lookup(i.code, 0),
        denominator: i.denominator_code
          ? { code: i.denominator_code, value_type: i.denominator_value_type ?? 'number' }
          : null,
        history: hist.map((x) => x.value).reverse(),
        previous: hist.find((x) => x.period === prev)?.value ?? null,
      };
    }),
    rules,
    lookup,
  });
  // Task items: a required task without a report blocks (src/app/plans/task-reports.ts).
  report.errors.push(...(await taskFindings(ex, s)));
  return report;
}
