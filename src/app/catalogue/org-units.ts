/**
 * Org units: create, change, archive, lineage across reorganisations, and the queries over the tree.
 */
import { and, eq, sql } from 'drizzle-orm';
import { ChisoError } from '../../core/errors.ts';
import { foldVi } from '../../core/text.ts';
import { type Executor, rows } from '../../store/db.ts';
import { orgLineage, orgUnit } from '../../store/schema.ts';
import { appendAudit } from '../audit.ts';
import { levelExists, staleVersion, unitRef } from './refs.ts';
import type { LineageInput, OrgUnitInput, OrgUnitOut } from './schemas.ts';

const unitSearchText = (u: {
  code: string;
  name_vi: string;
  name_en?: string | null;
  official_code?: string | null;
}) => foldVi([u.code, u.official_code ?? '', u.name_vi, u.name_en ?? ''].join(' '));

function checkValidity(from: string | null | undefined, to: string | null | undefined): void {
  if (from && to && from > to) {
    throw new ChisoError({
      code: 'org_unit.validity',
      field: 'valid_to',
      vi: `Ngày kết thúc hiệu lực (${to}) trước ngày bắt đầu (${from}).`,
      en: `The end of validity (${to}) is before its start (${from}).`,
    });
  }
}

export const ORG_UNIT_COLUMNS = sql`u.code, u.official_code, u.name_vi, u.name_en, u.type, u.level,
  p.code as parent, u.path, u.depth, u.groups, u.valid_from, u.valid_to, u.is_coordinator, u.source, u.version`;

export async function getOrgUnit(ex: Executor, code: string): Promise<OrgUnitOut | null> {
  const [u] = await rows<OrgUnitOut>(
    ex,
    sql`select ${ORG_UNIT_COLUMNS} from org_unit u left join org_unit p on p.id = u.parent_id
        where u.code = ${code} and u.archived_at is null`,
  );
  return u ?? null;
}

export async function createOrgUnit(ex: Executor, actor: string, input: OrgUnitInput): Promise<OrgUnitOut> {
  await levelExists(ex, input.level, 'level');
  checkValidity(input.valid_from, input.valid_to);
  const parent = input.parent ? await unitRef(ex, input.parent, 'parent') : null;
  const [existing] = await rows(ex, sql`select 1 from org_unit where code = ${input.code}`);
  if (existing) {
    throw new ChisoError({
      code: 'org_unit.duplicate',
      status: 409,
      field: 'code',
      vi: `Mã đơn vị '${input.code}' đã tồn tại.`,
      en: `Org unit code '${input.code}' already exists.`,
    });
  }
  const [row] = await ex
    .insert(orgUnit)
    .values({
      code: input.code,
      officialCode: input.official_code ?? null,
      nameVi: input.name_vi,
      nameEn: input.name_en ?? null,
      type: input.type ?? null,
      level: input.level,
      parentId: parent?.id ?? null,
      depth: parent ? parent.path.split('/').filter(Boolean).length : 0,
      groups: input.groups ?? [],
      validFrom: input.valid_from ?? null,
      validTo: input.valid_to ?? null,
      isCoordinator: input.is_coordinator ?? false,
      source: input.source ?? null,
      searchText: unitSearchText(input),
    })
    .returning({ id: orgUnit.id });
  const id = row!.id;
  await ex
    .update(orgUnit)
    .set({ path: `${parent ? parent.path : '/'}${id}/` })
    .where(eq(orgUnit.id, id));
  await appendAudit(ex, {
    actor,
    action: 'org_unit.create',
    entity: 'org_unit',
    entityId: input.code,
    data: input,
  });
  return (await getOrgUnit(ex, input.code))!;
}

export async function updateOrgUnit(
  ex: Executor,
  actor: string,
  code: string,
  patch: Partial<Omit<OrgUnitInput, 'code' | 'parent'>> & { version: number },
): Promise<OrgUnitOut> {
  const current = await getOrgUnit(ex, code);
  if (!current)
    throw new ChisoError({
      code: 'not_found',
      status: 404,
      vi: `Không có đơn vị '${code}'.`,
      en: `No org unit '${code}'.`,
    });
  if (patch.version !== current.version) throw staleVersion('org unit', current);
  if (patch.level) await levelExists(ex, patch.level, 'level');
  checkValidity(patch.valid_from ?? current.valid_from, patch.valid_to ?? current.valid_to);
  const next = { ...current, ...patch };
  const updated = await ex
    .update(orgUnit)
    .set({
      officialCode: next.official_code ?? null,
      nameVi: next.name_vi,
      nameEn: next.name_en ?? null,
      type: next.type ?? null,
      level: next.level,
      groups: next.groups ?? [],
      validFrom: next.valid_from ?? null,
      validTo: next.valid_to ?? null,
      isCoordinator: next.is_coordinator ?? false,
      source: next.source ?? null,
      searchText: unitSearchText(next),
      version: current.version + 1,
      updatedAt: sql`now()`,
    })
    .where(and(eq(orgUnit.code, code), eq(orgUnit.version, patch.version)))
    .returning({ id: orgUnit.id });
  if (updated.length === 0) throw staleVersion('org unit', current);
  await appendAudit(ex, {
    actor,
    action: 'org_unit.update',
    entity: 'org_unit',
    entityId: code,
    data: patch,
  });
  return (await getOrgUnit(ex, code))!;
}

export async function addLineage(ex: Executor, actor: string, input: LineageInput): Promise<void> {
  const from = await unitRef(ex, input.from, 'from');
  const to = await unitRef(ex, input.to, 'to');
  if (from.id === to.id) {
    throw new ChisoError({
      code: 'lineage.self',
      field: 'to',
      vi: 'Một đơn vị không thể là tiền thân của chính nó.',
      en: 'A unit cannot be its own predecessor.',
    });
  }
  // Refuse cycles: `to` must not already precede `from`.
  const [cycle] = await rows(
    ex,
    sql`with recursive pre(id) as (
          select from_unit_id from org_lineage where to_unit_id = ${from.id}
          union select l.from_unit_id from org_lineage l join pre on l.to_unit_id = pre.id)
        select 1 from pre where id = ${to.id} limit 1`,
  );
  if (cycle) {
    throw new ChisoError({
      code: 'lineage.cycle',
      field: 'to',
      vi: `'${input.to}' đã là tiền thân của '${input.from}': quan hệ kế thừa không được tạo vòng.`,
      en: `'${input.to}' already precedes '${input.from}': lineage cannot form a cycle.`,
    });
  }
  await ex
    .insert(orgLineage)
    .values({
      fromUnitId: from.id,
      toUnitId: to.id,
      effectiveDate: input.effective_date,
      kind: input.kind,
      partial: input.partial ?? false,
      share: input.share ?? null,
      source: input.source ?? null,
    })
    .onConflictDoNothing();
  await appendAudit(ex, {
    actor,
    action: 'org_lineage.create',
    entity: 'org_lineage',
    entityId: `${input.from}>${input.to}`,
    data: input,
  });
}

export interface LineageLink {
  from: string;
  from_name: string;
  to: string;
  to_name: string;
  effective_date: string;
  kind: string;
  partial: boolean;
  share: number | null;
  depth: number;
}

/** Every unit that flowed into `code`, transitively (its predecessors through merges and splits). */
export async function predecessors(ex: Executor, code: string): Promise<LineageLink[]> {
  const u = await unitRef(ex, code);
  return rows<LineageLink>(
    ex,
    sql`with recursive pre(from_id, to_id, effective_date, kind, partial, share, depth) as (
          select from_unit_id, to_unit_id, effective_date, kind, partial, share, 1 from org_lineage where to_unit_id = ${u.id}
          union all
          select l.from_unit_id, l.to_unit_id, l.effective_date, l.kind, l.partial, l.share, pre.depth + 1
          from org_lineage l join pre on l.to_unit_id = pre.from_id where pre.depth < 20)
        select f.code as from, f.name_vi as from_name, t.code as to, t.name_vi as to_name,
               pre.effective_date, pre.kind, pre.partial, pre.share, pre.depth
        from pre join org_unit f on f.id = pre.from_id join org_unit t on t.id = pre.to_id
        order by pre.depth, f.code`,
  );
}

/** Every unit that `code` flowed into, transitively. */
export async function successors(ex: Executor, code: string): Promise<LineageLink[]> {
  const u = await unitRef(ex, code);
  return rows<LineageLink>(
    ex,
    sql`with recursive suc(from_id, to_id, effective_date, kind, partial, share, depth) as (
          select from_unit_id, to_unit_id, effective_date, kind, partial, share, 1 from org_lineage where from_unit_id = ${u.id}
          union all
          select l.from_unit_id, l.to_unit_id, l.effective_date, l.kind, l.partial, l.share, suc.depth + 1
          from org_lineage l join suc on l.from_unit_id = suc.to_id where suc.depth < 20)
        select f.code as from, f.name_vi as from_name, t.code as to, t.name_vi as to_name,
               suc.effective_date, suc.kind, suc.partial, suc.share, suc.depth
        from suc join org_unit f on f.id = suc.from_id join org_unit t on t.id = suc.to_id
        order by suc.depth, t.code`,
  );
}

export interface OrgUnitFilter {
  level?: string | undefined;
  parent?: string | undefined;
  subtree?: string | undefined;
  group?: string | undefined;
  q?: string | undefined;
  /** Only units valid on this date. */
  valid_on?: string | undefined;
}

export function orgUnitWhere(f: OrgUnitFilter) {
  const parts = [sql`u.archived_at is null`];
  if (f.level) parts.push(sql`u.level = ${f.level}`);
  if (f.parent) parts.push(sql`p.code = ${f.parent}`);
  if (f.subtree) parts.push(sql`u.path like (select path from org_unit where code = ${f.subtree}) || '%'`);
  if (f.group) parts.push(sql`${f.group} = any(u.groups)`);
  if (f.valid_on)
    parts.push(
      sql`(u.valid_from is null or u.valid_from <= ${f.valid_on}) and (u.valid_to is null or u.valid_to >= ${f.valid_on})`,
    );
  for (const w of foldVi(f.q ?? '')
    .split(' ')
    .filter(Boolean))
    parts.push(sql`u.search_text like ${`%${w}%`}`);
  return sql.join(parts, sql` and `);
}

export async function listOrgUnits(
  ex: Executor,
  f: OrgUnitFilter,
  page: { limit: number; offset: number },
): Promise<{ items: OrgUnitOut[]; total: number }> {
  const where = orgUnitWhere(f);
  const [count] = await rows<{ n: number }>(
    ex,
    sql`select count(*)::int as n from org_unit u left join org_unit p on p.id = u.parent_id where ${where}`,
  );
  const items = await rows<OrgUnitOut>(
    ex,
    sql`select ${ORG_UNIT_COLUMNS} from org_unit u left join org_unit p on p.id = u.parent_id
        where ${where} order by u.path limit ${page.limit} offset ${page.offset}`,
  );
  return { items, total: count?.n ?? 0 };
}
