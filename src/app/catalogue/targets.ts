/**
 * Targets: indicator × (one unit, or every unit of a level) × period, with a comparator, a value, a
 * baseline and the document that set it. Several documents may target the same thing: all are kept,
 * and `listTargetConflicts` shows where they disagree.
 */
import { and, eq, sql } from 'drizzle-orm';
import { ChisoError } from '../../core/errors.ts';
import { formatPeriod, periodStart } from '../../core/period.ts';
import { foldVi } from '../../core/text.ts';
import { type Executor, rows } from '../../store/db.ts';
import { target } from '../../store/schema.ts';
import { appendAudit } from '../audit.ts';
import {
  documentId,
  type IndicatorRef,
  indicatorRef,
  levelExists,
  periodOf,
  staleVersion,
  unitRef,
} from './refs.ts';
import type { TargetInput } from './schemas.ts';

export interface TargetOut {
  id: number;
  indicator_code: string;
  indicator_name_vi: string;
  indicator_name_en: string | null;
  period: string;
  org_unit_code: string | null;
  org_unit_name_vi: string | null;
  org_level: string;
  scope: 'unit' | 'level';
  comparator: string;
  value: number;
  value_max: number | null;
  unit_of_measure: string;
  baseline_period: string | null;
  baseline_value: number | null;
  source_document: string | null;
  quote: string | null;
  note: string | null;
  group: string | null;
  version: number;
  /** When archived (kept, out of the lists and the engine), and why (from the audit log). */
  archived_at: string | null;
  archive_reason: string | null;
}

export const TARGET_COLUMNS = sql`t.id, i.code as indicator_code, i.name_vi as indicator_name_vi, i.name_en as indicator_name_en,
  t.period, u.code as org_unit_code, u.name_vi as org_unit_name_vi, coalesce(t.org_level, u.level) as org_level,
  case when t.org_unit_id is null then 'level' else 'unit' end as scope,
  t.comparator, t.value, t.value_max, i.unit as unit_of_measure, t.baseline_period, t.baseline_value,
  d.code as source_document, t.quote, t.note, i.group_code as "group", t.version, t.archived_at,
  case when t.archived_at is null then null else (
    select a.data->>'reason' from audit_log a
    where a.entity = 'target' and a.entity_id = t.id::text and a.action = 'target.archive'
    order by a.seq desc limit 1) end as archive_reason`;

export const TARGET_FROM = sql`target t join indicator i on i.id = t.indicator_id
  left join org_unit u on u.id = t.org_unit_id left join document d on d.id = t.source_document_id`;

function levelNotAllowed(ind: IndicatorRef, level: string, field: string): ChisoError {
  return new ChisoError({
    code: 'target.level_not_allowed',
    field,
    vi: `Chỉ tiêu '${ind.code}' không áp dụng cho cấp '${level}' (chỉ áp dụng cho: ${ind.levels.join(', ') || 'không cấp nào'}).`,
    en: `Indicator '${ind.code}' does not apply to level '${level}' (it applies to: ${ind.levels.join(', ') || 'no level'}).`,
  });
}

async function validate(ex: Executor, input: TargetInput) {
  const ind = await indicatorRef(ex, input.indicator);
  const hasUnit = Boolean(input.org_unit);
  const hasLevel = Boolean(input.org_level);
  if (hasUnit === hasLevel) {
    throw new ChisoError({
      code: 'target.scope',
      field: hasUnit ? 'org_level' : 'org_unit',
      vi: 'Mục tiêu phải đặt cho đúng một trong hai: một đơn vị (org_unit) hoặc mọi đơn vị của một cấp (org_level).',
      en: 'A target is set either for one unit (org_unit) or for every unit of a level (org_level), not both or neither.',
    });
  }
  const p = periodOf(input.period);
  let unitId: number | null = null;
  if (input.org_unit) {
    const u = await unitRef(ex, input.org_unit);
    if (ind.levels.length && !ind.levels.includes(u.level)) throw levelNotAllowed(ind, u.level, 'org_unit');
    unitId = u.id;
  } else if (input.org_level) {
    await levelExists(ex, input.org_level);
    if (!ind.levels.includes(input.org_level)) throw levelNotAllowed(ind, input.org_level, 'org_level');
  }
  if (input.comparator === 'range') {
    if (input.value_max === null || input.value_max === undefined || input.value_max < input.value) {
      throw new ChisoError({
        code: 'target.range',
        field: 'value_max',
        vi: 'Mục tiêu dạng khoảng cần value_max lớn hơn hoặc bằng value.',
        en: 'A range target needs value_max greater than or equal to value.',
      });
    }
  } else if (input.value_max !== null && input.value_max !== undefined) {
    throw new ChisoError({
      code: 'target.range',
      field: 'value_max',
      vi: "Chỉ mục tiêu dạng khoảng (comparator 'range') mới có value_max.",
      en: "Only a range target (comparator 'range') has value_max.",
    });
  }
  if (ind.value_type === 'percent') {
    for (const [field, v] of [
      ['value', input.value],
      ['value_max', input.value_max],
    ] as const) {
      if (v !== null && v !== undefined && (v < 0 || v > 100)) {
        throw new ChisoError({
          code: 'value.percent_range',
          field,
          vi: `Giá trị phần trăm phải từ 0 đến 100 (nhận được ${v}).`,
          en: `A percentage must be between 0 and 100 (got ${v}).`,
        });
      }
    }
  }
  if (input.baseline_period) periodOf(input.baseline_period, 'baseline_period');
  return {
    indicatorId: ind.id,
    orgUnitId: unitId,
    orgLevel: input.org_level ?? null,
    period: formatPeriod(p),
    periodStart: periodStart(p),
    comparator: input.comparator,
    value: input.value,
    valueMax: input.value_max ?? null,
    baselinePeriod: input.baseline_period ?? null,
    baselineValue: input.baseline_value ?? null,
    sourceDocumentId: await documentId(ex, input.source_document),
    quote: input.quote ?? null,
    note: input.note ?? null,
  };
}

export async function getTarget(ex: Executor, id: number): Promise<TargetOut | null> {
  const [t] = await rows<TargetOut>(ex, sql`select ${TARGET_COLUMNS} from ${TARGET_FROM} where t.id = ${id}`);
  return t ?? null;
}

export async function createTarget(ex: Executor, actor: string, input: TargetInput): Promise<TargetOut> {
  const values = await validate(ex, input);
  const [row] = await ex.insert(target).values(values).returning({ id: target.id });
  await appendAudit(ex, { actor, action: 'target.create', entity: 'target', entityId: row!.id, data: input });
  return (await getTarget(ex, row!.id))!;
}

export async function updateTarget(
  ex: Executor,
  actor: string,
  id: number,
  patch: Partial<Omit<TargetInput, 'indicator'>> & { version: number },
): Promise<TargetOut> {
  const current = await getTarget(ex, id);
  if (!current)
    throw new ChisoError({
      code: 'not_found',
      status: 404,
      vi: `Không có mục tiêu ${id}.`,
      en: `No target ${id}.`,
    });
  if (current.archived_at) throw targetArchived(id);
  if (current.version !== patch.version) throw staleVersion('target', current);
  const merged: TargetInput = {
    indicator: current.indicator_code,
    org_unit: current.scope === 'unit' ? current.org_unit_code : null,
    org_level: current.scope === 'level' ? current.org_level : null,
    period: current.period,
    comparator: current.comparator as TargetInput['comparator'],
    value: current.value,
    value_max: current.value_max,
    baseline_period: current.baseline_period,
    baseline_value: current.baseline_value,
    source_document: current.source_document,
    quote: current.quote,
    note: current.note,
  };
  const { version, ...rest } = patch;
  const next = { ...merged, ...rest };
  if (rest.org_unit) next.org_level = null;
  if (rest.org_level) next.org_unit = null;
  const values = await validate(ex, next);
  const done = await ex
    .update(target)
    .set({ ...values, version: version + 1, updatedAt: sql`now()` })
    .where(and(eq(target.id, id), eq(target.version, version)))
    .returning({ id: target.id });
  if (done.length === 0) throw staleVersion('target', current);
  await appendAudit(ex, { actor, action: 'target.update', entity: 'target', entityId: id, data: patch });
  return (await getTarget(ex, id))!;
}

/** Archives a target (nothing is hard-deleted); it disappears from lists but stays in the audit log. */
const targetArchived = (id: number): ChisoError =>
  new ChisoError({
    code: 'target.archived',
    status: 409,
    vi: `Mục tiêu ${id} đã được lưu trữ; không sửa được nữa.`,
    en: `The target ${id} is archived and can no longer be changed.`,
  });

/**
 * Archives a target with a reason (kept in the audit log). `version`, when given, must be the one
 * the caller read (409 otherwise). Archiving an archived target is refused with `target.archived`.
 */
export async function archiveTarget(
  ex: Executor,
  actor: string,
  id: number,
  reason: string,
  version?: number,
): Promise<void> {
  const current = await getTarget(ex, id);
  if (!current)
    throw new ChisoError({
      code: 'not_found',
      status: 404,
      vi: `Không có mục tiêu ${id}.`,
      en: `No target ${id}.`,
    });
  if (current.archived_at) throw targetArchived(id);
  if (version !== undefined && version !== current.version) throw staleVersion('target', current);
  const done = await ex
    .update(target)
    .set({ archivedAt: sql`now()`, updatedAt: sql`now()`, version: sql`${target.version} + 1` })
    .where(and(eq(target.id, id), eq(target.version, current.version), sql`${target.archivedAt} is null`))
    .returning({ id: target.id });
  if (done.length === 0) throw staleVersion('target', current);
  await appendAudit(ex, {
    actor,
    action: 'target.archive',
    entity: 'target',
    entityId: id,
    data: { reason },
  });
}

export interface TargetFilter {
  indicator?: string | undefined;
  period?: string | undefined;
  period_from?: string | undefined;
  period_to?: string | undefined;
  org_unit?: string | undefined;
  subtree?: string | undefined;
  level?: string | undefined;
  group?: string | undefined;
  source_document?: string | undefined;
  q?: string | undefined;
  /** Archived targets only (the history) instead of the active ones. */
  archived?: boolean | undefined;
}

export function targetWhere(f: TargetFilter) {
  const parts = [
    f.archived ? sql`t.archived_at is not null` : sql`t.archived_at is null`,
    sql`i.archived_at is null`,
  ];
  if (f.indicator) parts.push(sql`i.code = ${f.indicator}`);
  if (f.period) parts.push(sql`t.period = ${formatPeriod(periodOf(f.period))}`);
  if (f.period_from)
    parts.push(sql`t.period_start >= ${periodStart(periodOf(f.period_from, 'period_from'))}`);
  if (f.period_to) {
    const p = periodOf(f.period_to, 'period_to');
    parts.push(sql`t.period_start <= ${periodStart(p)}`);
  }
  if (f.org_unit) parts.push(sql`u.code = ${f.org_unit}`);
  if (f.subtree) parts.push(sql`u.path like (select path from org_unit where code = ${f.subtree}) || '%'`);
  if (f.level) parts.push(sql`coalesce(t.org_level, u.level) = ${f.level}`);
  if (f.group) parts.push(sql`i.group_code = ${f.group}`);
  if (f.source_document) parts.push(sql`d.code = ${f.source_document}`);
  for (const w of foldVi(f.q ?? '')
    .split(' ')
    .filter(Boolean))
    parts.push(sql`i.search_text like ${`%${w}%`}`);
  return sql.join(parts, sql` and `);
}

export async function listTargets(
  ex: Executor,
  f: TargetFilter,
  page: { limit: number; offset: number },
): Promise<{ items: TargetOut[]; total: number }> {
  const where = targetWhere(f);
  const [c] = await rows<{ n: number }>(
    ex,
    sql`select count(*)::int as n from ${TARGET_FROM} where ${where}`,
  );
  const items = await rows<TargetOut>(
    ex,
    sql`select ${TARGET_COLUMNS} from ${TARGET_FROM} where ${where}
        order by i.code, t.period_start, coalesce(t.org_level, u.level), u.code nulls first, t.id
        limit ${page.limit} offset ${page.offset}`,
  );
  return { items, total: c?.n ?? 0 };
}

export interface TargetConflict {
  indicator_code: string;
  indicator_name_vi: string;
  period: string;
  scope: string;
  targets: Array<{
    id: number;
    comparator: string;
    value: number;
    value_max: number | null;
    source_document: string | null;
    quote: string | null;
  }>;
}

/** Targets for the same indicator, scope and period that disagree (different comparator or value). */
export async function listTargetConflicts(ex: Executor, f: TargetFilter = {}): Promise<TargetConflict[]> {
  const where = targetWhere(f);
  const all = await rows<TargetOut>(
    ex,
    sql`select ${TARGET_COLUMNS} from ${TARGET_FROM} where ${where} order by i.code, t.period_start, t.id`,
  );
  const groups = new Map<string, TargetOut[]>();
  for (const t of all) {
    const key = `${t.indicator_code}|${t.period}|${t.scope === 'unit' ? `unit:${t.org_unit_code}` : `level:${t.org_level}`}`;
    const g = groups.get(key);
    if (g) g.push(t);
    else groups.set(key, [t]);
  }
  const out: TargetConflict[] = [];
  for (const [key, g] of groups) {
    const distinct = new Set(g.map((t) => `${t.comparator}|${t.value}|${t.value_max}`));
    if (distinct.size < 2) continue;
    const first = g[0]!;
    out.push({
      indicator_code: first.indicator_code,
      indicator_name_vi: first.indicator_name_vi,
      period: first.period,
      scope: key.split('|')[2]!,
      targets: g.map((t) => ({
        id: t.id,
        comparator: t.comparator,
        value: t.value,
        value_max: t.value_max,
        source_document: t.source_document,
        quote: t.quote,
      })),
    });
  }
  return out;
}
