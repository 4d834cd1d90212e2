/**
 * Indicators: the catalogue of what is measured, how it rolls up, which way is better, and at which
 * administrative levels it applies.
 */
import { and, eq, sql } from 'drizzle-orm';
import { ChisoError } from '../../core/errors.ts';
import { foldVi } from '../../core/text.ts';
import { type Executor, rows } from '../../store/db.ts';
import { indicator } from '../../store/schema.ts';
import { appendAudit } from '../audit.ts';
import { documentId, indicatorRef, levelExists, staleVersion, unitRef } from './refs.ts';
import { type IndicatorInput, zIndicatorInput } from './schemas.ts';

export interface IndicatorOut {
  code: string;
  name_vi: string;
  name_en: string | null;
  definition_vi: string | null;
  definition_en: string | null;
  unit: string;
  value_type: string;
  direction: string;
  rollup: string;
  denominator: string | null;
  period_type: string;
  period_rollup: string;
  formula: string | null;
  group: string | null;
  group_name_vi: string | null;
  group_name_en: string | null;
  levels: string[];
  min_value: number | null;
  max_value: number | null;
  source_document: string | null;
  responsible_unit: string | null;
  published: boolean;
  version: number;
}

export const INDICATOR_COLUMNS = sql`i.code, i.name_vi, i.name_en, i.definition_vi, i.definition_en, i.unit, i.value_type,
  i.direction, i.rollup, den.code as denominator, i.period_type, i.period_rollup, i.formula, i.group_code as "group",
  g.name_vi as group_name_vi, g.name_en as group_name_en, i.levels, i.min_value, i.max_value,
  d.code as source_document, ru.code as responsible_unit, i.published, i.version`;

export const INDICATOR_FROM = sql`indicator i
  left join indicator den on den.id = i.denominator_id
  left join indicator_group g on g.code = i.group_code
  left join document d on d.id = i.source_document_id
  left join org_unit ru on ru.id = i.responsible_unit_id`;

const searchText = (i: {
  code: string;
  name_vi: string;
  name_en?: string | null;
  definition_vi?: string | null;
}) => foldVi([i.code, i.name_vi, i.name_en ?? '', i.definition_vi ?? ''].join(' '));

export async function getIndicator(ex: Executor, code: string): Promise<IndicatorOut | null> {
  const [i] = await rows<IndicatorOut>(
    ex,
    sql`select ${INDICATOR_COLUMNS} from ${INDICATOR_FROM} where i.code = ${code} and i.archived_at is null`,
  );
  return i ?? null;
}

async function resolveRefs(ex: Executor, input: Partial<IndicatorInput>) {
  if (input.group) {
    const [g] = await rows<{ archived_at: string | null }>(
      ex,
      sql`select archived_at from indicator_group where code = ${input.group}`,
    );
    if (!g) {
      throw new ChisoError({
        code: 'group.unknown',
        field: 'group',
        vi: `Không có nhóm chỉ tiêu '${input.group}'.`,
        en: `There is no indicator group '${input.group}'.`,
      });
    }
    if (g.archived_at) {
      throw new ChisoError({
        code: 'group.archived',
        field: 'group',
        vi: `Nhóm chỉ tiêu '${input.group}' đã được lưu trữ; hãy chọn nhóm khác hoặc khôi phục nhóm này.`,
        en: `The indicator group '${input.group}' is archived; choose another group or restore it.`,
      });
    }
  }
  for (const l of input.levels ?? []) await levelExists(ex, l, 'levels');
  if (input.min_value != null && input.max_value != null && input.min_value > input.max_value) {
    throw new ChisoError({
      code: 'indicator.bounds',
      field: 'max_value',
      vi: 'Giá trị tối đa nhỏ hơn giá trị tối thiểu.',
      en: 'The maximum value is below the minimum value.',
    });
  }
  if (input.formula) {
    const { parseFormula, formulaDependencies } = await import('../../core/formula.ts');
    let deps: Array<{ code: string }>;
    try {
      deps = formulaDependencies(parseFormula(input.formula));
    } catch (e) {
      if (e instanceof ChisoError) throw new ChisoError({ ...e.toJSON(), field: 'formula' });
      throw e;
    }
    for (const d of deps) await indicatorRef(ex, d.code, 'formula');
  }
  return {
    denominatorId: input.denominator ? (await indicatorRef(ex, input.denominator, 'denominator')).id : null,
    sourceDocumentId: await documentId(ex, input.source_document),
    responsibleUnitId: input.responsible_unit
      ? (await unitRef(ex, input.responsible_unit, 'responsible_unit')).id
      : null,
  };
}

export async function createIndicator(
  ex: Executor,
  actor: string,
  raw: IndicatorInput,
): Promise<IndicatorOut> {
  const input = zIndicatorInput.parse(raw);
  if (await getIndicator(ex, input.code)) {
    throw new ChisoError({
      code: 'indicator.duplicate',
      status: 409,
      field: 'code',
      vi: `Mã chỉ tiêu '${input.code}' đã tồn tại.`,
      en: `Indicator code '${input.code}' already exists.`,
    });
  }
  const refs = await resolveRefs(ex, input);
  await ex.insert(indicator).values({
    code: input.code,
    nameVi: input.name_vi,
    nameEn: input.name_en ?? null,
    definitionVi: input.definition_vi ?? null,
    definitionEn: input.definition_en ?? null,
    unit: input.unit,
    valueType: input.value_type,
    direction: input.direction,
    rollup: input.rollup,
    periodType: input.period_type,
    periodRollup: input.period_rollup,
    formula: input.formula ?? null,
    groupCode: input.group ?? null,
    levels: input.levels,
    minValue: input.min_value ?? null,
    maxValue: input.max_value ?? null,
    published: input.published,
    searchText: searchText(input),
    ...refs,
  });
  await appendAudit(ex, {
    actor,
    action: 'indicator.create',
    entity: 'indicator',
    entityId: input.code,
    data: input,
  });
  return (await getIndicator(ex, input.code))!;
}

export async function updateIndicator(
  ex: Executor,
  actor: string,
  code: string,
  patch: Partial<Omit<IndicatorInput, 'code'>> & { version: number },
): Promise<IndicatorOut> {
  const current = await getIndicator(ex, code);
  if (!current)
    throw new ChisoError({
      code: 'not_found',
      status: 404,
      vi: `Không có chỉ tiêu '${code}'.`,
      en: `No indicator '${code}'.`,
    });
  if (current.version !== patch.version) throw staleVersion('indicator', current);
  const { group_name_vi: _a, group_name_en: _b, version: _v, ...base } = current;
  const next = zIndicatorInput.parse({ ...base, ...patch, code });
  if (next.denominator === code) {
    throw new ChisoError({
      code: 'indicator.denominator_self',
      field: 'denominator',
      vi: 'Chỉ tiêu không thể là mẫu số của chính nó.',
      en: 'An indicator cannot be its own denominator.',
    });
  }
  const refs = await resolveRefs(ex, next);
  const done = await ex
    .update(indicator)
    .set({
      nameVi: next.name_vi,
      nameEn: next.name_en ?? null,
      definitionVi: next.definition_vi ?? null,
      definitionEn: next.definition_en ?? null,
      unit: next.unit,
      valueType: next.value_type,
      direction: next.direction,
      rollup: next.rollup,
      periodType: next.period_type,
      periodRollup: next.period_rollup,
      formula: next.formula ?? null,
      groupCode: next.group ?? null,
      levels: next.levels,
      minValue: next.min_value ?? null,
      maxValue: next.max_value ?? null,
      published: next.published,
      searchText: searchText(next),
      version: current.version + 1,
      updatedAt: sql`now()`,
      ...refs,
    })
    .where(and(eq(indicator.code, code), eq(indicator.version, patch.version)))
    .returning({ id: indicator.id });
  if (done.length === 0) throw staleVersion('indicator', current);
  await appendAudit(ex, {
    actor,
    action: 'indicator.update',
    entity: 'indicator',
    entityId: code,
    data: patch,
  });
  return (await getIndicator(ex, code))!;
}

export interface IndicatorFilter {
  group?: string | undefined;
  level?: string | undefined;
  q?: string | undefined;
  published_only?: boolean | undefined;
}

export function indicatorWhere(f: IndicatorFilter) {
  const parts = [sql`i.archived_at is null`];
  if (f.published_only) parts.push(sql`i.published`);
  if (f.group) parts.push(sql`i.group_code = ${f.group}`);
  if (f.level) parts.push(sql`${f.level} = any(i.levels)`);
  for (const w of foldVi(f.q ?? '')
    .split(' ')
    .filter(Boolean))
    parts.push(sql`i.search_text like ${`%${w}%`}`);
  return sql.join(parts, sql` and `);
}

export async function listIndicators(
  ex: Executor,
  f: IndicatorFilter,
  page: { limit: number; offset: number },
): Promise<{ items: IndicatorOut[]; total: number }> {
  const where = indicatorWhere(f);
  const [c] = await rows<{ n: number }>(ex, sql`select count(*)::int as n from indicator i where ${where}`);
  const items = await rows<IndicatorOut>(
    ex,
    sql`select ${INDICATOR_COLUMNS} from ${INDICATOR_FROM} where ${where}
        order by g.sort nulls last, i.code limit ${page.limit} offset ${page.offset}`,
  );
  return { items, total: c?.n ?? 0 };
}
