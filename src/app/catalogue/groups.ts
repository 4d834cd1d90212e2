/**
 * Indicator groups (pillars: chính quyền số, kinh tế số, xã hội số…): list, create, rename (vi/en),
 * reorder, archive and restore. Nothing is deleted: an archived group stays in exports and history
 * but is offered to no indicator. A group that still holds indicators cannot be archived — the
 * refusal names them, and they are moved to another group from the indicator edit page first.
 * Renames and reorders carry optimistic versions; every write is audited in its transaction.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { ChisoError } from '../../core/errors.ts';
import { foldVi } from '../../core/text.ts';
import { type Executor, rows } from '../../store/db.ts';
import { appendAudit } from '../audit.ts';
import { staleVersion } from './refs.ts';

export const GROUP_CODE_RE = /^[a-z0-9-]{1,40}$/;

const zName = z.string().trim().min(1).max(200);

export const zGroupInput = z.object({
  code: z.string().regex(GROUP_CODE_RE, 'a-z, 0-9 and -, at most 40 characters'),
  name_vi: zName,
  name_en: zName,
  /** Position in lists; omitted: after the last group. */
  sort: z.int().min(-32768).max(32767).optional(),
});
export type GroupInput = z.infer<typeof zGroupInput>;

export const zGroupPatch = z.object({
  name_vi: zName.optional(),
  name_en: zName.optional(),
  version: z.int().min(1),
});

export const zGroupOrder = z.object({
  /** Every active group, each once, in the new order. */
  codes: z.array(z.string().max(40)).min(1).max(500),
});

export const zGroupArchive = z.object({ version: z.int().min(1) });

export const zGroupQuery = z.object({
  /** Also archived groups. */
  include_archived: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
  /** Diacritic-insensitive search in code and names. */
  q: z.string().max(200).optional(),
});

export const zGroupOut = z.object({
  code: z.string(),
  name_vi: z.string(),
  name_en: z.string(),
  sort: z.number(),
  version: z.number(),
  /** Indicators in the group (not archived; published ones only for anonymous callers). */
  indicator_count: z.number(),
  archived_at: z.string().nullable(),
});
export type GroupOut = z.infer<typeof zGroupOut>;

interface GroupRow {
  code: string;
  name_vi: string;
  name_en: string;
  sort: number;
  version: number;
  indicator_count: number;
  archived_at: string | null;
}

const present = (g: GroupRow): GroupOut => ({
  ...g,
  archived_at: g.archived_at ? new Date(g.archived_at).toISOString() : null,
});

export async function listGroups(
  ex: Executor,
  f: { include_archived?: boolean; q?: string | undefined; published_only?: boolean },
): Promise<GroupOut[]> {
  const list = await rows<GroupRow>(
    ex,
    sql`select g.code, g.name_vi, g.name_en, g.sort, g.version, g.archived_at,
               (select count(*)::int from indicator i where i.group_code = g.code and i.archived_at is null
                  ${f.published_only ? sql`and i.published` : sql``}) as indicator_count
        from indicator_group g
        ${f.include_archived ? sql`` : sql`where g.archived_at is null`}
        order by g.archived_at is not null, g.sort, g.code`,
  );
  const q = f.q?.trim() ? foldVi(f.q) : null;
  return list.filter((g) => !q || foldVi(`${g.code} ${g.name_vi} ${g.name_en}`).includes(q)).map(present);
}

export async function getGroup(ex: Executor, code: string): Promise<GroupOut | null> {
  const [g] = await rows<GroupRow>(
    ex,
    sql`select g.code, g.name_vi, g.name_en, g.sort, g.version, g.archived_at,
               (select count(*)::int from indicator i where i.group_code = g.code and i.archived_at is null) as indicator_count
        from indicator_group g where g.code = ${code}`,
  );
  return g ? present(g) : null;
}

const groupNotFound = (code: string): ChisoError =>
  new ChisoError({
    code: 'not_found',
    status: 404,
    vi: `Không có nhóm chỉ tiêu '${code}'.`,
    en: `There is no indicator group '${code}'.`,
  });

async function requireGroup(ex: Executor, code: string): Promise<GroupOut> {
  const g = await getGroup(ex, code);
  if (!g) throw groupNotFound(code);
  return g;
}

export async function createGroup(ex: Executor, actor: string, input: GroupInput): Promise<GroupOut> {
  const existing = await getGroup(ex, input.code);
  if (existing) {
    throw new ChisoError({
      code: existing.archived_at ? 'group.archived_exists' : 'group.exists',
      status: 409,
      field: 'code',
      vi: existing.archived_at
        ? `Mã nhóm '${input.code}' thuộc một nhóm đã lưu trữ (${existing.name_vi}); hãy khôi phục nhóm đó thay vì tạo mới.`
        : `Đã có nhóm chỉ tiêu mã '${input.code}' (${existing.name_vi}).`,
      en: existing.archived_at
        ? `The code '${input.code}' belongs to an archived group (${existing.name_en}); restore it instead of creating a new one.`
        : `There is already an indicator group '${input.code}' (${existing.name_en}).`,
    });
  }
  const [last] = await rows<{ sort: number | null }>(
    ex,
    sql`select max(sort)::int as sort from indicator_group where archived_at is null`,
  );
  const sort = input.sort ?? Math.min(32767, (last?.sort ?? 0) + 1);
  await ex.execute(
    sql`insert into indicator_group (code, name_vi, name_en, sort) values (${input.code}, ${input.name_vi}, ${input.name_en}, ${sort})`,
  );
  await appendAudit(ex, {
    actor,
    action: 'indicator_group.create',
    entity: 'indicator_group',
    entityId: input.code,
    data: { ...input, sort },
  });
  return (await getGroup(ex, input.code))!;
}

export async function updateGroup(
  ex: Executor,
  actor: string,
  code: string,
  patch: z.infer<typeof zGroupPatch>,
): Promise<GroupOut> {
  const current = await requireGroup(ex, code);
  if (current.version !== patch.version) throw staleVersion('indicator group', current);
  const nameVi = patch.name_vi ?? current.name_vi;
  const nameEn = patch.name_en ?? current.name_en;
  const done = await rows<{ code: string }>(
    ex,
    sql`update indicator_group set name_vi = ${nameVi}, name_en = ${nameEn}, version = version + 1, updated_at = now()
        where code = ${code} and version = ${patch.version} returning code`,
  );
  if (done.length === 0) throw staleVersion('indicator group', current);
  await appendAudit(ex, {
    actor,
    action: 'indicator_group.update',
    entity: 'indicator_group',
    entityId: code,
    data: {
      before: { name_vi: current.name_vi, name_en: current.name_en },
      after: { name_vi: nameVi, name_en: nameEn },
    },
  });
  return (await getGroup(ex, code))!;
}

/** Puts the active groups in the given order (positions 1, 2, …). The list must name each exactly once. */
export async function reorderGroups(ex: Executor, actor: string, codes: string[]): Promise<GroupOut[]> {
  const active = await listGroups(ex, {});
  const known = new Set(active.map((g) => g.code));
  const seen = new Set<string>();
  for (const [i, c] of codes.entries()) {
    if (!known.has(c)) {
      throw new ChisoError({
        code: 'group.order_unknown',
        field: `codes.${i}`,
        vi: `Không có nhóm chỉ tiêu đang dùng mã '${c}'.`,
        en: `There is no active indicator group '${c}'.`,
      });
    }
    if (seen.has(c)) {
      throw new ChisoError({
        code: 'group.order_duplicate',
        field: `codes.${i}`,
        vi: `Nhóm '${c}' xuất hiện hai lần trong thứ tự.`,
        en: `The group '${c}' appears twice in the order.`,
      });
    }
    seen.add(c);
  }
  const missing = active.filter((g) => !seen.has(g.code)).map((g) => g.code);
  if (missing.length) {
    throw new ChisoError({
      code: 'group.order_incomplete',
      field: 'codes',
      vi: `Thứ tự phải gồm mọi nhóm đang dùng; thiếu: ${missing.join(', ')}. Có thể ai đó vừa thêm nhóm — hãy tải lại.`,
      en: `The order must name every active group; missing: ${missing.join(', ')}. Someone may have just added one — reload.`,
      details: { missing },
    });
  }
  const before = active.map((g) => g.code);
  for (const [i, c] of codes.entries()) {
    await ex.execute(
      sql`update indicator_group set sort = ${i + 1}, version = version + 1, updated_at = now()
          where code = ${c} and sort <> ${i + 1}`,
    );
  }
  await appendAudit(ex, {
    actor,
    action: 'indicator_group.reorder',
    entity: 'indicator_group',
    entityId: '*',
    data: { before, after: codes },
  });
  return listGroups(ex, {});
}

/**
 * Archives a group. Refused (409 `group.in_use`, naming the indicators) while an indicator that is
 * not archived belongs to it: move those indicators to another group first.
 */
export async function archiveGroup(
  ex: Executor,
  actor: string,
  code: string,
  version: number,
): Promise<GroupOut> {
  const current = await requireGroup(ex, code);
  if (current.archived_at) return current;
  if (current.version !== version) throw staleVersion('indicator group', current);
  const members = await rows<{ code: string }>(
    ex,
    sql`select code from indicator where group_code = ${code} and archived_at is null order by code`,
  );
  if (members.length) {
    const shown = members.slice(0, 10).map((m) => m.code);
    const more = members.length > shown.length ? ` (+${members.length - shown.length})` : '';
    throw new ChisoError({
      code: 'group.in_use',
      status: 409,
      vi: `Không thể lưu trữ nhóm '${code}': còn ${members.length} chỉ tiêu thuộc nhóm (${shown.join(', ')}${more}). Hãy chuyển các chỉ tiêu này sang nhóm khác trên trang sửa chỉ tiêu trước.`,
      en: `The group '${code}' cannot be archived: ${members.length} indicators still belong to it (${shown.join(', ')}${more}). Move them to another group on the indicator edit page first.`,
      details: { indicators: members.map((m) => m.code) },
    });
  }
  const done = await rows<{ code: string }>(
    ex,
    sql`update indicator_group set archived_at = now(), version = version + 1, updated_at = now()
        where code = ${code} and version = ${version} and archived_at is null returning code`,
  );
  if (done.length === 0) throw staleVersion('indicator group', current);
  await appendAudit(ex, {
    actor,
    action: 'indicator_group.archive',
    entity: 'indicator_group',
    entityId: code,
    data: { name_vi: current.name_vi, name_en: current.name_en },
  });
  return (await getGroup(ex, code))!;
}

/** Brings an archived group back, after the active ones. */
export async function restoreGroup(ex: Executor, actor: string, code: string): Promise<GroupOut> {
  const current = await requireGroup(ex, code);
  if (!current.archived_at) return current;
  const [last] = await rows<{ sort: number | null }>(
    ex,
    sql`select max(sort)::int as sort from indicator_group where archived_at is null`,
  );
  await ex.execute(
    sql`update indicator_group set archived_at = null, sort = ${Math.min(32767, (last?.sort ?? 0) + 1)},
        version = version + 1, updated_at = now() where code = ${code}`,
  );
  await appendAudit(ex, {
    actor,
    action: 'indicator_group.restore',
    entity: 'indicator_group',
    entityId: code,
    data: { archived_at: current.archived_at },
  });
  return (await getGroup(ex, code))!;
}
