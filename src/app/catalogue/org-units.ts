/**
 * Org units: create, change, archive, lineage across reorganisations, and the queries over the tree.
 */
import { and, eq, sql } from 'drizzle-orm';
import { ChisoError } from '../../core/errors.ts';
import { addDays } from '../../core/period.ts';
import { foldVi } from '../../core/text.ts';
import { type Executor, rows } from '../../store/db.ts';
import { orgLineage, orgUnit } from '../../store/schema.ts';
import { appendAudit } from '../audit.ts';
import { levelExists, staleVersion, type UnitRef, unitRef } from './refs.ts';
import type { LineageInput, OrgUnitInput, OrgUnitOut, ReorganisationInput } from './schemas.ts';

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

/** Refuses a link from → to when `to` already precedes `from` (lineage cannot form a cycle). */
async function refuseCycle(ex: Executor, from: UnitRef, to: UnitRef, field: string): Promise<void> {
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
      field,
      vi: `'${to.code}' đã là tiền thân của '${from.code}': quan hệ kế thừa không được tạo vòng.`,
      en: `'${to.code}' already precedes '${from.code}': lineage cannot form a cycle.`,
    });
  }
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
  await refuseCycle(ex, from, to, 'to');
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

// ---------------------------------------------------------------------------------------------
// Reorganisations: merges, splits and renames recorded at once

export interface Reorganisation {
  kind: string;
  effective_date: string;
  predecessors: Array<{ code: string; name_vi: string; share: number | null }>;
  successors: Array<{ code: string; name_vi: string; share: number | null }>;
  source: string | null;
}

const COUNTS: Record<ReorganisationInput['kind'], { pre: [number, number]; suc: [number, number] }> = {
  merge: { pre: [2, Number.POSITIVE_INFINITY], suc: [1, 1] },
  split: { pre: [1, 1], suc: [2, Number.POSITIVE_INFINITY] },
  rename: { pre: [1, 1], suc: [1, 1] },
};

const KIND_VI: Record<ReorganisationInput['kind'], string> = {
  merge: 'Sáp nhập',
  split: 'Chia tách',
  rename: 'Đổi tên',
};

function reorgError(code: string, field: string, vi: string, en: string, status = 400): ChisoError {
  return new ChisoError({ code: `reorganisation.${code}`, field, vi, en, status });
}

/**
 * Records a merge, split or rename: every predecessor (at the version the writer saw) closes the
 * day before `effective_date`, every successor without a start opens on it, and lineage links join
 * each predecessor to each successor (a split's links are partial, with the successor's share).
 * One transaction, one audit entry; nothing else changes when any check fails.
 */
export async function recordReorganisation(
  ex: Executor,
  actor: string,
  input: ReorganisationInput,
): Promise<{ reorganisation: Reorganisation; predecessors: OrgUnitOut[]; successors: OrgUnitOut[] }> {
  const { kind, effective_date: date } = input;
  const want = COUNTS[kind];
  const between = (n: number, [lo, hi]: [number, number]) => n >= lo && n <= hi;
  if (!between(input.predecessors.length, want.pre)) {
    throw reorgError(
      'count',
      'predecessors',
      kind === 'merge'
        ? 'Sáp nhập cần ít nhất hai đơn vị tiền thân.'
        : `${KIND_VI[kind]} cần đúng một đơn vị tiền thân.`,
      kind === 'merge'
        ? 'A merge needs at least two predecessors.'
        : `A ${kind} needs exactly one predecessor.`,
    );
  }
  if (!between(input.successors.length, want.suc)) {
    throw reorgError(
      'count',
      'successors',
      kind === 'split'
        ? 'Chia tách cần ít nhất hai đơn vị kế thừa.'
        : `${KIND_VI[kind]} cần đúng một đơn vị kế thừa.`,
      kind === 'split' ? 'A split needs at least two successors.' : `A ${kind} needs exactly one successor.`,
    );
  }
  const seen = new Map<string, string>();
  const listed = [
    ...input.predecessors.map((p, i) => [p.code, `predecessors.${i}.code`] as const),
    ...input.successors.map((p, i) => [p.code, `successors.${i}.code`] as const),
  ];
  for (const [code, field] of listed) {
    if (seen.has(code)) {
      throw reorgError(
        'duplicate_unit',
        field,
        `Đơn vị '${code}' được nêu hai lần (một đơn vị không thể vừa là tiền thân vừa là kế thừa).`,
        `Unit '${code}' is named twice (a unit cannot be both a predecessor and a successor).`,
      );
    }
    seen.set(code, field);
  }
  const shares = input.successors.map((s) => s.share ?? null);
  if (kind !== 'split' && shares.some((s) => s !== null)) {
    throw reorgError(
      'share',
      'successors.0.share',
      'Chỉ chia tách mới ghi tỷ lệ cho từng đơn vị kế thừa.',
      'Only a split gives each successor a share.',
    );
  }
  const shareSum = shares.reduce<number>((a, s) => a + (s ?? 0), 0);
  if (shareSum > 1 + 1e-9) {
    throw reorgError(
      'share',
      'successors.0.share',
      `Tổng tỷ lệ của các đơn vị kế thừa (${shareSum}) vượt quá 1.`,
      `The successors' shares add up to ${shareSum}, more than 1.`,
    );
  }
  const dayBefore = addDays(date, -1);

  // predecessors: exist, at the version seen, open the day before the change, without open children
  const pre: Array<{ ref: UnitRef; unit: OrgUnitOut }> = [];
  for (const [i, p] of input.predecessors.entries()) {
    const ref = await unitRef(ex, p.code, `predecessors.${i}.code`);
    const unit = (await getOrgUnit(ex, p.code))!;
    if (unit.version !== p.version) {
      const e = staleVersion('org unit', unit);
      throw new ChisoError({ ...e.toJSON(), field: `predecessors.${i}.version` });
    }
    if ((unit.valid_from && unit.valid_from >= date) || (unit.valid_to && unit.valid_to < dayBefore)) {
      throw reorgError(
        'predecessor_not_valid',
        `predecessors.${i}.code`,
        `Đơn vị tiền thân '${p.code}' không còn hiệu lực vào ngày ${dayBefore} (hiệu lực ${unit.valid_from ?? '…'} – ${unit.valid_to ?? '…'}).`,
        `Predecessor '${p.code}' is not valid on ${dayBefore} (valid ${unit.valid_from ?? '…'} – ${unit.valid_to ?? '…'}).`,
      );
    }
    const [child] = await rows<{ code: string }>(
      ex,
      sql`select code from org_unit where parent_id = ${ref.id} and archived_at is null
            and (valid_to is null or valid_to >= ${date}) order by code limit 1`,
    );
    if (child) {
      throw reorgError(
        'open_children',
        `predecessors.${i}.code`,
        `Đơn vị tiền thân '${p.code}' còn đơn vị trực thuộc có hiệu lực sau ngày ${dayBefore} (ví dụ '${child.code}'): hãy chuyển hoặc sắp xếp các đơn vị đó trước.`,
        `Predecessor '${p.code}' still has units valid after ${dayBefore} (e.g. '${child.code}'): move or reorganise them first.`,
      );
    }
    pre.push({ ref, unit });
  }
  // successors: exist, at the version seen (when given), valid on the day of the change
  const suc: Array<{ ref: UnitRef; unit: OrgUnitOut; share: number | null }> = [];
  for (const [i, s] of input.successors.entries()) {
    const ref = await unitRef(ex, s.code, `successors.${i}.code`);
    const unit = (await getOrgUnit(ex, s.code))!;
    if (s.version !== undefined && unit.version !== s.version) {
      const e = staleVersion('org unit', unit);
      throw new ChisoError({ ...e.toJSON(), field: `successors.${i}.version` });
    }
    if ((unit.valid_from && unit.valid_from > date) || (unit.valid_to && unit.valid_to < date)) {
      throw reorgError(
        'successor_not_valid',
        `successors.${i}.code`,
        `Đơn vị kế thừa '${s.code}' không có hiệu lực vào ngày ${date} (hiệu lực ${unit.valid_from ?? '…'} – ${unit.valid_to ?? '…'}).`,
        `Successor '${s.code}' is not valid on ${date} (valid ${unit.valid_from ?? '…'} – ${unit.valid_to ?? '…'}).`,
      );
    }
    suc.push({ ref, unit, share: s.share ?? null });
  }
  for (const [i, s] of suc.entries()) {
    for (const p of pre) {
      const [dup] = await rows(
        ex,
        sql`select 1 from org_lineage where from_unit_id = ${p.ref.id} and to_unit_id = ${s.ref.id}
              and effective_date = ${date}`,
      );
      if (dup) {
        throw reorgError(
          'duplicate',
          `successors.${i}.code`,
          `Đã ghi nhận '${p.ref.code}' → '${s.ref.code}' ngày ${date}.`,
          `'${p.ref.code}' → '${s.ref.code}' on ${date} is already recorded.`,
          409,
        );
      }
      await refuseCycle(ex, p.ref, s.ref, `successors.${i}.code`);
    }
  }

  const closed: string[] = [];
  for (const p of pre) {
    const validTo = p.unit.valid_to && p.unit.valid_to < dayBefore ? p.unit.valid_to : dayBefore;
    const done = await ex
      .update(orgUnit)
      .set({ validTo, version: p.unit.version + 1, updatedAt: sql`now()` })
      .where(and(eq(orgUnit.id, p.ref.id), eq(orgUnit.version, p.unit.version)))
      .returning({ id: orgUnit.id });
    if (done.length === 0) throw staleVersion('org unit', p.unit);
    closed.push(p.unit.code);
  }
  const opened: string[] = [];
  for (const s of suc) {
    if (s.unit.valid_from) continue;
    const done = await ex
      .update(orgUnit)
      .set({ validFrom: date, version: s.unit.version + 1, updatedAt: sql`now()` })
      .where(and(eq(orgUnit.id, s.ref.id), eq(orgUnit.version, s.unit.version)))
      .returning({ id: orgUnit.id });
    if (done.length === 0) throw staleVersion('org unit', s.unit);
    opened.push(s.unit.code);
  }
  for (const p of pre) {
    for (const s of suc) {
      await ex.insert(orgLineage).values({
        fromUnitId: p.ref.id,
        toUnitId: s.ref.id,
        effectiveDate: date,
        kind,
        partial: kind === 'split',
        share: s.share,
        source: input.source ?? null,
      });
    }
  }
  await appendAudit(ex, {
    actor,
    action: `org_reorganisation.${kind}`,
    entity: 'org_lineage',
    entityId: `${pre.map((p) => p.unit.code).join('+')}>${suc.map((s) => s.unit.code).join('+')}@${date}`,
    data: { ...input, closed, opened },
  });
  const predecessors = await Promise.all(pre.map((p) => getOrgUnit(ex, p.unit.code)));
  const successors = await Promise.all(suc.map((s) => getOrgUnit(ex, s.unit.code)));
  return {
    reorganisation: {
      kind,
      effective_date: date,
      predecessors: pre.map((p) => ({ code: p.unit.code, name_vi: p.unit.name_vi, share: null })),
      successors: suc.map((s) => ({ code: s.unit.code, name_vi: s.unit.name_vi, share: s.share })),
      source: input.source ?? null,
    },
    predecessors: predecessors as OrgUnitOut[],
    successors: successors as OrgUnitOut[],
  };
}

export interface ReorganisationFilter {
  kind?: string | undefined;
  q?: string | undefined;
  /** Only reorganisations touching this unit (as predecessor or successor). */
  org_unit?: string | undefined;
}

/**
 * Recorded reorganisations, newest first: lineage links grouped into events — a merge by its
 * successor and date, a split by its predecessor and date, any other link on its own.
 */
export async function listReorganisations(
  ex: Executor,
  f: ReorganisationFilter = {},
): Promise<Reorganisation[]> {
  const links = await rows<{
    from: string;
    from_name: string;
    from_search: string;
    to: string;
    to_name: string;
    to_search: string;
    effective_date: string;
    kind: string;
    share: number | null;
    source: string | null;
  }>(
    ex,
    sql`select fu.code as from, fu.name_vi as from_name, fu.search_text as from_search,
               tu.code as to, tu.name_vi as to_name, tu.search_text as to_search,
               l.effective_date, l.kind, l.share, l.source
        from org_lineage l join org_unit fu on fu.id = l.from_unit_id join org_unit tu on tu.id = l.to_unit_id
        ${f.kind ? sql`where l.kind = ${f.kind}` : sql``}
        order by l.effective_date desc, l.id`,
  );
  const groups = new Map<string, Reorganisation & { search: string }>();
  for (const l of links) {
    const key =
      l.kind === 'merge'
        ? `${l.effective_date}|merge|>${l.to}`
        : l.kind === 'split'
          ? `${l.effective_date}|split|${l.from}>`
          : `${l.effective_date}|${l.kind}|${l.from}>${l.to}`;
    let g = groups.get(key);
    if (!g) {
      g = {
        kind: l.kind,
        effective_date: l.effective_date,
        predecessors: [],
        successors: [],
        source: l.source,
        search: '',
      };
      groups.set(key, g);
    }
    if (!g.predecessors.some((p) => p.code === l.from)) {
      g.predecessors.push({ code: l.from, name_vi: l.from_name, share: null });
      g.search += ` ${l.from_search}`;
    }
    if (!g.successors.some((s) => s.code === l.to)) {
      g.successors.push({ code: l.to, name_vi: l.to_name, share: l.share });
      g.search += ` ${l.to_search}`;
    }
  }
  const words = foldVi(f.q ?? '')
    .split(' ')
    .filter(Boolean);
  const out: Reorganisation[] = [];
  for (const { search, ...g } of groups.values()) {
    if (words.some((w) => !search.includes(w))) continue;
    if (f.org_unit && ![...g.predecessors, ...g.successors].some((u) => u.code === f.org_unit)) continue;
    out.push(g);
  }
  return out;
}
