/**
 * Validation rules between indicators (like DHIS2's): createValidationRule, updateValidationRule,
 * archiveValidationRule, and the readers. Each side is a formula (src/core/formula.ts); every code
 * it names must be an indicator of the rule's period type.
 */
import { sql } from 'drizzle-orm';
import { ChisoError, type ChisoErrorInit } from '../../core/errors.ts';
import { formulaDependencies } from '../../core/formula.ts';
import {
  parseRule,
  type RuleOperator,
  type RuleToCheck,
  type RuleImportance,
} from '../../core/validation.ts';
import { type Executor, rows } from '../../store/db.ts';
import { appendAudit } from '../audit.ts';
import { staleVersion } from '../catalogue/refs.ts';
import { notFound } from './access.ts';
import {
  type ValidationRuleInput,
  type ValidationRuleOut,
  type ValidationRulePatch,
  zValidationRuleInput,
  zValidationRulePatch,
} from './schemas.ts';

const COLUMNS = sql`r.code, r.name_vi, r.name_en, r.description_vi, r.description_en, r.left_expr as "left", r.operator,
  r.right_expr as "right", r.importance, r.period_type, f.code as form, r.version, r.archived_at is not null as archived`;
const FROM = sql`validation_rule r left join form f on f.id = r.form_id`;

export async function getValidationRule(ex: Executor, code: string): Promise<ValidationRuleOut | null> {
  const [r] = await rows<ValidationRuleOut>(ex, sql`select ${COLUMNS} from ${FROM} where r.code = ${code}`);
  return r ?? null;
}

export async function listValidationRules(
  ex: Executor,
  f: { period_type?: string | undefined; form?: string | undefined; include_archived?: boolean | undefined },
): Promise<ValidationRuleOut[]> {
  return rows<ValidationRuleOut>(
    ex,
    sql`select ${COLUMNS} from ${FROM}
        where (${f.period_type ?? null}::text is null or r.period_type = ${f.period_type ?? null})
          and (${f.form ?? null}::text is null or f.code = ${f.form ?? null})
          and (${f.include_archived ?? false}::boolean or r.archived_at is null)
        order by r.code`,
  );
}

/** Checks both sides and resolves the form; throws one error listing every fault. */
async function checkRule(
  ex: Executor,
  r: { left: string; right: string; operator: string; period_type: string; form?: string | null | undefined },
): Promise<number | null> {
  const parsed = parseRule({ left: r.left, right: r.right, operator: r.operator as RuleOperator });
  const faults: ChisoErrorInit[] = [];
  for (const [field, ast] of [
    ['left', parsed.left],
    ['right', parsed.right],
  ] as const) {
    const codes = [...new Set(formulaDependencies(ast).map((d) => d.code))];
    if (codes.length === 0) continue;
    const found = await rows<{ code: string; period_type: string }>(
      ex,
      sql`select code, period_type from indicator where archived_at is null and code in (${sql.join(
        codes.map((c) => sql`${c}`),
        sql`, `,
      )})`,
    );
    const byCode = new Map(found.map((f) => [f.code, f]));
    for (const c of codes) {
      const ind = byCode.get(c);
      if (!ind)
        faults.push({
          code: 'validation_rule.unknown_indicator',
          field,
          vi: `Biểu thức ${field === 'left' ? 'vế trái' : 'vế phải'} dùng mã '${c}' nhưng không có chỉ tiêu này.`,
          en: `The ${field} expression uses '${c}', which is not an indicator.`,
        });
      else if (ind.period_type !== r.period_type)
        faults.push({
          code: 'validation_rule.period_type',
          field,
          vi: `Chỉ tiêu '${c}' báo cáo theo kỳ '${ind.period_type}', quy tắc theo kỳ '${r.period_type}'.`,
          en: `Indicator '${c}' is reported per '${ind.period_type}'; the rule is per '${r.period_type}'.`,
        });
    }
  }
  let formId: number | null = null;
  if (r.form) {
    const [f] = await rows<{ id: number; period_type: string }>(
      ex,
      sql`select id, period_type from form where code = ${r.form} and archived_at is null`,
    );
    if (!f)
      faults.push({
        code: 'form.unknown',
        field: 'form',
        vi: `Không có biểu mẫu mã '${r.form}'.`,
        en: `There is no form with code '${r.form}'.`,
      });
    else if (f.period_type !== r.period_type)
      faults.push({
        code: 'validation_rule.period_type',
        field: 'form',
        vi: `Biểu mẫu '${r.form}' theo kỳ '${f.period_type}', quy tắc theo kỳ '${r.period_type}'.`,
        en: `Form '${r.form}' is per '${f.period_type}'; the rule is per '${r.period_type}'.`,
      });
    else formId = f.id;
  }
  if (faults.length) throw new ChisoError({ ...faults[0]!, errors: faults });
  return formId;
}

export async function createValidationRule(
  ex: Executor,
  actor: string,
  raw: ValidationRuleInput,
): Promise<ValidationRuleOut> {
  const input = zValidationRuleInput.parse(raw);
  const [exists] = await rows(ex, sql`select 1 from validation_rule where code = ${input.code}`);
  if (exists)
    throw new ChisoError({
      code: 'validation_rule.exists',
      status: 409,
      field: 'code',
      vi: `Đã có quy tắc kiểm tra mã '${input.code}'.`,
      en: `A validation rule with code '${input.code}' already exists.`,
    });
  const formId = await checkRule(ex, input);
  await ex.execute(
    sql`insert into validation_rule (code, name_vi, name_en, description_vi, description_en, left_expr, operator, right_expr,
          importance, period_type, form_id, created_by)
        values (${input.code}, ${input.name_vi}, ${input.name_en}, ${input.description_vi ?? null}, ${input.description_en ?? null},
          ${input.left}, ${input.operator}, ${input.right}, ${input.importance}, ${input.period_type}, ${formId}, ${actor})`,
  );
  await appendAudit(ex, {
    actor,
    action: 'validation_rule.create',
    entity: 'validation_rule',
    entityId: input.code,
    data: input,
  });
  return (await getValidationRule(ex, input.code))!;
}

export async function updateValidationRule(
  ex: Executor,
  actor: string,
  code: string,
  raw: ValidationRulePatch,
): Promise<ValidationRuleOut> {
  const patch = zValidationRulePatch.parse(raw);
  const [locked] = await rows(ex, sql`select 1 from validation_rule where code = ${code} for update`);
  const cur = locked ? await getValidationRule(ex, code) : null;
  if (!cur) throw notFound({ vi: 'quy tắc kiểm tra', en: 'validation rule' }, code);
  if (cur.version !== patch.version) throw staleVersion('validation rule', cur);
  const next = {
    name_vi: patch.name_vi ?? cur.name_vi,
    name_en: patch.name_en ?? cur.name_en,
    description_vi: patch.description_vi === undefined ? cur.description_vi : patch.description_vi,
    description_en: patch.description_en === undefined ? cur.description_en : patch.description_en,
    left: patch.left ?? cur.left,
    operator: patch.operator ?? cur.operator,
    right: patch.right ?? cur.right,
    importance: patch.importance ?? cur.importance,
    period_type: patch.period_type ?? cur.period_type,
    form: patch.form === undefined ? cur.form : patch.form,
  };
  const formId = await checkRule(ex, next);
  await ex.execute(
    sql`update validation_rule set name_vi = ${next.name_vi}, name_en = ${next.name_en}, description_vi = ${next.description_vi ?? null},
          description_en = ${next.description_en ?? null}, left_expr = ${next.left}, operator = ${next.operator},
          right_expr = ${next.right}, importance = ${next.importance}, period_type = ${next.period_type}, form_id = ${formId},
          version = version + 1, updated_at = now()
        where code = ${code}`,
  );
  await appendAudit(ex, {
    actor,
    action: 'validation_rule.update',
    entity: 'validation_rule',
    entityId: code,
    data: { ...patch, version: cur.version + 1 },
  });
  return (await getValidationRule(ex, code))!;
}

export async function archiveValidationRule(
  ex: Executor,
  actor: string,
  code: string,
  reason: string,
): Promise<void> {
  const [cur] = await rows<{ id: number }>(
    ex,
    sql`select id from validation_rule where code = ${code} and archived_at is null for update`,
  );
  if (!cur) throw notFound({ vi: 'quy tắc kiểm tra', en: 'validation rule' }, code);
  await ex.execute(
    sql`update validation_rule set archived_at = now(), updated_at = now(), version = version + 1 where id = ${cur.id}`,
  );
  await appendAudit(ex, {
    actor,
    action: 'validation_rule.archive',
    entity: 'validation_rule',
    entityId: code,
    data: { reason },
  });
}

/**
 * The rules that apply to a submission of this form version: of the form's period type, not archived,
 * and either bound to the form or naming (at offset 0) one of its indicators.
 */
export async function rulesForForm(
  ex: Executor,
  formId: number,
  periodType: string,
  itemCodes: string[],
): Promise<RuleToCheck[]> {
  const candidates = await rows<RuleToCheck & { form_id: number | null }>(
    ex,
    sql`select code, name_vi, name_en, left_expr as "left", operator, right_expr as "right", importance, form_id
        from validation_rule where archived_at is null and period_type = ${periodType}
          and (form_id is null or form_id = ${formId}) order by code`,
  );
  const items = new Set(itemCodes);
  return candidates
    .filter((r) => {
      if (r.form_id === formId) return true;
      const { left, right } = parseRule(r);
      return [...formulaDependencies(left), ...formulaDependencies(right)].some(
        (d) => d.offset === 0 && items.has(d.code),
      );
    })
    .map(({ form_id: _f, ...r }) => ({
      ...r,
      operator: r.operator as RuleOperator,
      importance: r.importance as RuleImportance,
    }));
}
