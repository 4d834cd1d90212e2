/**
 * Who is acting in a use case of the rounds, and the shared guards. The HTTP layer builds a `Caller`
 * from the request's principal (src/http/policies decides roles on unit subtrees); use cases check
 * again, per submission, because one request may touch units of several subtrees (approveMany).
 */
import { type SQL, sql } from 'drizzle-orm';
import { ChisoError } from '../../core/errors.ts';
import { type Executor, rows } from '../../store/db.ts';

export type RoundRole = 'admin' | 'reviewer' | 'reporter' | 'viewer';

export interface Caller {
  /** Recorded as actor in events and the audit log. */
  name: string;
  /** True when the caller holds `role` (or a higher one) on the unit with this tree path. */
  can(role: RoundRole, unitPath: string): boolean;
  /** The subtree roots ('/1/5/') on which the caller holds `role`: lists are narrowed to them. */
  roots(role: RoundRole): string[];
}

export const ROLE_VI: Record<RoundRole, string> = {
  admin: 'quản trị',
  reviewer: 'người duyệt',
  reporter: 'người báo cáo',
  viewer: 'người xem',
};

/** The caller must hold `role` on the unit. */
export function requireRole(caller: Caller, role: RoundRole, unit: { path: string; code: string }): void {
  if (!caller.can(role, unit.path)) {
    throw new ChisoError({
      code: 'auth.forbidden',
      status: 403,
      vi: `Bạn không có vai trò ${ROLE_VI[role]} đối với đơn vị '${unit.code}'.`,
      en: `You do not hold the ${role} role for unit '${unit.code}'.`,
      details: { role, org_unit: unit.code },
    });
  }
}

/** SQL condition: the unit path column lies in one of the subtrees. False for no subtree. */
export function inSubtrees(pathColumn: SQL, roots: string[]): SQL {
  if (roots.length === 0) return sql`false`;
  return sql`(${sql.join(
    roots.map((r) => sql`${pathColumn} like ${`${r}%`}`),
    sql` or `,
  )})`;
}

/** Vietnam keeps UTC+7 all year: deadlines are calendar days there. */
export const VN_OFFSET_MS = 7 * 3600 * 1000;

/** The calendar date in Vietnam at an instant, 'YYYY-MM-DD'. */
export function vnDate(at: Date): string {
  return new Date(at.getTime() + VN_OFFSET_MS).toISOString().slice(0, 10);
}

/** An ISO timestamp expression in UTC, the same text on PGlite and PostgreSQL. */
export const isoTs = (column: string) =>
  sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

export const notFound = (what: { vi: string; en: string }, key: string | number): ChisoError =>
  new ChisoError({
    code: 'not_found',
    status: 404,
    vi: `Không tìm thấy ${what.vi} '${key}'.`,
    en: `No ${what.en} '${key}' was found.`,
  });

/** The path and code of a unit by id (for scope checks). */
export async function unitById(
  ex: Executor,
  id: number,
): Promise<{ id: number; code: string; path: string }> {
  const [u] = await rows<{ id: number; code: string; path: string }>(
    ex,
    sql`select id, code, path from org_unit where id = ${id}`,
  );
  if (!u) throw notFound({ vi: 'đơn vị', en: 'org unit' }, id);
  return u;
}
