/**
 * Roles on org-unit subtrees. A grant on a unit covers the unit and everything below it; a grant
 * with no unit covers every unit. Grants are revoked, never deleted; both steps are audited.
 * Whether the actor may grant or revoke is decided by the HTTP policy (admin on the unit's subtree),
 * so nobody can hand out more than they hold.
 */
import { sql } from 'drizzle-orm';
import { ChisoError } from '../../core/errors.ts';
import { type Executor, rows } from '../../store/db.ts';
import { appendAudit } from '../audit.ts';
import { type Actor, isGlobalAdmin, lastAdmin, otherGlobalAdmins, requireUser } from './users.ts';

export const ROLE_NAMES = ['admin', 'reviewer', 'reporter', 'viewer'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

/** A grant as the access policies read it. */
export interface UserGrant {
  role: RoleName;
  unitId: number | null;
  /** The granted subtree's root path ('/1/5/'), '/' for every unit. */
  unitPath: string;
}

export interface GrantRow {
  id: number;
  user_id: number;
  username: string;
  role: RoleName;
  org_unit: string | null;
  org_unit_id: number | null;
  path: string;
  created_at: string;
  revoked_at: string | null;
}

const GRANT_SELECT = sql`select g.id, g.user_id, u.username, g.role, o.code as org_unit, g.org_unit_id,
  coalesce(o.path, '/') as path, g.created_at, g.revoked_at
  from role_grant g join app_user u on u.id = g.user_id left join org_unit o on o.id = g.org_unit_id`;

/** The active grants of a user, for building a principal. */
export async function activeGrants(ex: Executor, userId: number): Promise<UserGrant[]> {
  const list = await rows<{ role: RoleName; org_unit_id: number | null; path: string }>(
    ex,
    sql`select g.role, g.org_unit_id, coalesce(o.path, '/') as path from role_grant g left join org_unit o on o.id = g.org_unit_id
        where g.user_id = ${userId} and g.revoked_at is null order by g.id`,
  );
  return list.map((g) => ({ role: g.role, unitId: g.org_unit_id, unitPath: g.path }));
}

export async function getGrant(ex: Executor, id: number): Promise<GrantRow | null> {
  const [g] = await rows<GrantRow>(ex, sql`${GRANT_SELECT} where g.id = ${id}`);
  return g ?? null;
}

/** The path a grant covers, or null when there is no such active grant. */
export async function grantPath(ex: Executor, id: number): Promise<string | null> {
  const g = await getGrant(ex, id);
  return g && !g.revoked_at ? g.path : null;
}

/** Path of a unit code; '/' for null (every unit); null when there is no such unit. */
export async function unitPathOf(ex: Executor, code: string | null): Promise<string | null> {
  if (code === null) return '/';
  const [u] = await rows<{ path: string }>(ex, sql`select path from org_unit where code = ${code}`);
  return u?.path ?? null;
}

export interface GrantInput {
  role: RoleName;
  /** Unit code; null for every unit. */
  org_unit: string | null;
}

/** Grants `role` on the unit's subtree. Granting a role the user already holds there returns that grant. */
export async function grantRole(
  tx: Executor,
  actor: Actor,
  username: string,
  input: GrantInput,
): Promise<GrantRow & { created: boolean }> {
  const u = await requireUser(tx, username);
  if (!ROLE_NAMES.includes(input.role)) {
    throw new ChisoError({
      code: 'auth.role_invalid',
      field: 'role',
      vi: `Vai trò '${input.role}' không hợp lệ (${ROLE_NAMES.join(', ')}).`,
      en: `Unknown role '${input.role}' (${ROLE_NAMES.join(', ')}).`,
    });
  }
  let unitId: number | null = null;
  if (input.org_unit !== null) {
    const [o] = await rows<{ id: number }>(tx, sql`select id from org_unit where code = ${input.org_unit}`);
    if (!o) {
      throw new ChisoError({
        code: 'not_found',
        status: 404,
        field: 'org_unit',
        vi: `Không có đơn vị '${input.org_unit}'.`,
        en: `There is no org unit '${input.org_unit}'.`,
      });
    }
    unitId = o.id;
  }
  const [existing] = await rows<{ id: number }>(
    tx,
    sql`select id from role_grant where user_id = ${u.id} and role = ${input.role}
        and coalesce(org_unit_id, 0) = ${unitId ?? 0} and revoked_at is null`,
  );
  if (existing) return { ...(await getGrant(tx, existing.id))!, created: false };
  const [g] = await rows<{ id: number }>(
    tx,
    sql`insert into role_grant (user_id, role, org_unit_id, granted_by) values (${u.id}, ${input.role}, ${unitId}, ${actor.userId}) returning id`,
  );
  await appendAudit(tx, {
    actor: actor.username,
    action: 'grant.create',
    entity: 'role_grant',
    entityId: g!.id,
    data: { username: u.username, role: input.role, org_unit: input.org_unit },
  });
  return { ...(await getGrant(tx, g!.id))!, created: true };
}

/** Revokes a grant (kept, with who revoked it and when). Refuses to remove the last global admin. */
export async function revokeRole(tx: Executor, actor: Actor, grantId: number): Promise<GrantRow> {
  const g = await getGrant(tx, grantId);
  if (!g || g.revoked_at) {
    throw new ChisoError({
      code: 'not_found',
      status: 404,
      vi: `Không có quyền được cấp số ${grantId} (hoặc đã thu hồi).`,
      en: `There is no active grant ${grantId}.`,
    });
  }
  if (
    g.role === 'admin' &&
    g.org_unit_id === null &&
    (await isGlobalAdmin(tx, g.user_id)) &&
    (await otherGlobalAdmins(tx, g.user_id)) === 0
  ) {
    throw lastAdmin();
  }
  await tx.execute(
    sql`update role_grant set revoked_at = now(), revoked_by = ${actor.userId} where id = ${grantId} and revoked_at is null`,
  );
  await appendAudit(tx, {
    actor: actor.username,
    action: 'grant.revoke',
    entity: 'role_grant',
    entityId: grantId,
    data: { username: g.username, role: g.role, org_unit: g.org_unit },
  });
  return (await getGrant(tx, grantId))!;
}

/** Every grant (active and revoked) of a user, newest first. */
export async function grantHistory(ex: Executor, username: string): Promise<GrantRow[]> {
  const u = await requireUser(ex, username);
  return rows<GrantRow>(ex, sql`${GRANT_SELECT} where g.user_id = ${u.id} order by g.id desc`);
}
