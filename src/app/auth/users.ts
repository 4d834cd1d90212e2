/**
 * User accounts: create, change, set a password, disable / enable, unlock, list. Every write appends
 * to the audit log in its transaction; no password or hash ever reaches the log.
 */
import { sql } from 'drizzle-orm';
import { ChisoError } from '../../core/errors.ts';
import { foldVi } from '../../core/text.ts';
import { type Executor, rows } from '../../store/db.ts';
import { appendAudit } from '../audit.ts';
import type { RoleName } from './grants.ts';
import { checkPasswordPolicy, hashPassword } from './passwords.ts';

/** Who performs a write: a user, or the system / command line (userId null). */
export interface Actor {
  userId: number | null;
  username: string;
}
export const SYSTEM_ACTOR: Actor = { userId: null, username: 'system' };

export const USERNAME_RE = /^[a-z0-9][a-z0-9._@-]{1,63}$/;

export const normalizeUsername = (raw: string): string => raw.normalize('NFC').trim().toLowerCase();

export function checkUsername(username: string, field = 'username'): void {
  if (!USERNAME_RE.test(username)) {
    throw new ChisoError({
      code: 'auth.username_invalid',
      field,
      vi: `Tên đăng nhập '${username}' không hợp lệ: 2–64 ký tự gồm chữ thường không dấu, số và . _ @ -, bắt đầu bằng chữ hoặc số.`,
      en: `The username '${username}' is invalid: 2–64 characters of lower-case letters without diacritics, digits and . _ @ -, starting with a letter or digit.`,
    });
  }
}

function checkEmail(email: string | null | undefined): void {
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    throw new ChisoError({
      code: 'auth.email_invalid',
      field: 'email',
      vi: `Địa chỉ thư điện tử '${email}' không hợp lệ.`,
      en: `The e-mail address '${email}' is invalid.`,
    });
  }
}

export interface UserRow {
  id: number;
  username: string;
  display_name: string;
  email: string | null;
  password_hash: string | null;
  disabled: boolean;
  failed_logins: number;
  locked_until: string | null;
  oidc_issuer: string | null;
  oidc_subject: string | null;
  last_login_at: string | null;
  created_at: string;
  archived_at: string | null;
  version: number;
  must_change_password: boolean;
}

const USER_COLS = sql.raw(
  `u.id, u.username, u.display_name, u.email, u.password_hash, u.disabled, u.failed_logins, u.locked_until,
   u.oidc_issuer, u.oidc_subject, u.last_login_at, u.created_at, u.archived_at, u.version, u.must_change_password`,
);

export async function findUser(ex: Executor, username: string): Promise<UserRow | null> {
  const [u] = await rows<UserRow>(
    ex,
    sql`select ${USER_COLS} from app_user u where u.username = ${normalizeUsername(username)}`,
  );
  return u ?? null;
}

export async function findUserById(ex: Executor, id: number): Promise<UserRow | null> {
  const [u] = await rows<UserRow>(ex, sql`select ${USER_COLS} from app_user u where u.id = ${id}`);
  return u ?? null;
}

export const userNotFound = (username: string): ChisoError =>
  new ChisoError({
    code: 'not_found',
    status: 404,
    vi: `Không có người dùng '${username}'.`,
    en: `There is no user '${username}'.`,
  });

/** The user, or 404. Archived users are not found. */
export async function requireUser(ex: Executor, username: string): Promise<UserRow> {
  const u = await findUser(ex, username);
  if (!u || u.archived_at) throw userNotFound(username);
  return u;
}

export interface CreateUserInput {
  username: string;
  display_name?: string | null | undefined;
  email?: string | null | undefined;
  password?: string | null | undefined;
  /** The password is temporary (chosen by an administrator): the user must change it before working. */
  must_change_password?: boolean | undefined;
  oidc?: { issuer: string; subject: string } | undefined;
}

/** Creates an account without roles. Throws 409 `auth.user_exists` when the username is taken. */
export async function createUser(tx: Executor, actor: Actor, input: CreateUserInput): Promise<UserRow> {
  const username = normalizeUsername(input.username);
  checkUsername(username);
  checkEmail(input.email);
  if (input.password != null) checkPasswordPolicy(username, input.password);
  if (await findUser(tx, username)) {
    throw new ChisoError({
      code: 'auth.user_exists',
      status: 409,
      field: 'username',
      vi: `Tên đăng nhập '${username}' đã có người dùng.`,
      en: `The username '${username}' is already taken.`,
    });
  }
  const passwordHash = input.password != null ? await hashPassword(input.password) : null;
  const mustChange = passwordHash !== null && input.must_change_password === true;
  const [u] = await rows<UserRow>(
    tx,
    sql`insert into app_user as u (username, display_name, email, password_hash, password_changed_at, must_change_password, oidc_issuer, oidc_subject)
        values (${username}, ${input.display_name?.trim() ?? ''}, ${input.email?.trim() || null}, ${passwordHash},
                ${passwordHash ? sql`now()` : null}, ${mustChange}, ${input.oidc?.issuer ?? null}, ${input.oidc?.subject ?? null})
        returning ${USER_COLS}`,
  );
  await appendAudit(tx, {
    actor: actor.username,
    action: 'user.create',
    entity: 'app_user',
    entityId: u!.id,
    data: {
      username,
      display_name: u!.display_name,
      email: u!.email,
      has_password: passwordHash !== null,
      must_change_password: mustChange,
      ...(input.oidc ? { oidc_issuer: input.oidc.issuer, oidc_subject: input.oidc.subject } : {}),
    },
  });
  return u!;
}

export interface UserPatch {
  display_name?: string | undefined;
  email?: string | null | undefined;
}

export async function updateUser(
  tx: Executor,
  actor: Actor,
  username: string,
  patch: UserPatch,
): Promise<UserRow> {
  const u = await requireUser(tx, username);
  checkEmail(patch.email);
  const displayName = patch.display_name !== undefined ? patch.display_name.trim() : u.display_name;
  const email = patch.email !== undefined ? patch.email?.trim() || null : u.email;
  const [out] = await rows<UserRow>(
    tx,
    sql`update app_user as u set display_name = ${displayName}, email = ${email}, updated_at = now(), version = version + 1
        where id = ${u.id} returning ${USER_COLS}`,
  );
  await appendAudit(tx, {
    actor: actor.username,
    action: 'user.update',
    entity: 'app_user',
    entityId: u.id,
    data: {
      username: u.username,
      before: { display_name: u.display_name, email: u.email },
      after: { display_name: displayName, email },
    },
  });
  return out!;
}

/** Revokes the user's sessions (all, or all but one) — after a password change or when disabled. */
export async function revokeUserSessions(
  tx: Executor,
  userId: number,
  reason: string,
  exceptSessionId?: string,
): Promise<number> {
  const r = await rows<{ id: string }>(
    tx,
    sql`update session set revoked_at = now(), revoke_reason = ${reason}
        where user_id = ${userId} and revoked_at is null ${exceptSessionId ? sql`and id <> ${exceptSessionId}` : sql``}
        returning id`,
  );
  return r.length;
}

/**
 * Sets a user's password (policy-checked, argon2id) and ends their other sessions. `self` records
 * whether the user changed their own password or an administrator reset it. `temporary` marks the
 * password as one the user must change before doing anything else (a reset by an administrator);
 * a user setting their own password clears the mark.
 */
export async function setPassword(
  tx: Executor,
  actor: Actor,
  username: string,
  password: string,
  options: { keepSessionId?: string; temporary?: boolean } = {},
): Promise<void> {
  const u = await requireUser(tx, username);
  checkPasswordPolicy(u.username, password);
  const self = actor.userId === u.id;
  const temporary = !self && options.temporary === true;
  const h = await hashPassword(password);
  await tx.execute(
    sql`update app_user set password_hash = ${h}, password_changed_at = now(), must_change_password = ${temporary},
        updated_at = now(), version = version + 1 where id = ${u.id}`,
  );
  const ended = await revokeUserSessions(tx, u.id, 'password_changed', options.keepSessionId);
  await appendAudit(tx, {
    actor: actor.username,
    action: 'user.password',
    entity: 'app_user',
    entityId: u.id,
    data: {
      username: u.username,
      self,
      temporary,
      ...(u.must_change_password && !temporary ? { temporary_replaced: true } : {}),
      sessions_ended: ended,
    },
  });
}

/** How many enabled users other than `exceptUserId` hold admin on every unit. */
export async function otherGlobalAdmins(ex: Executor, exceptUserId: number): Promise<number> {
  const [r] = await rows<{ n: number }>(
    ex,
    sql`select count(distinct g.user_id)::int as n from role_grant g join app_user u on u.id = g.user_id
        where g.role = 'admin' and g.org_unit_id is null and g.revoked_at is null
          and not u.disabled and u.archived_at is null
          and g.user_id <> ${exceptUserId}`,
  );
  return r?.n ?? 0;
}

export const lastAdmin = (): ChisoError =>
  new ChisoError({
    code: 'auth.last_admin',
    status: 409,
    vi: 'Không thể thực hiện: đây là quản trị viên toàn hệ thống cuối cùng còn hoạt động.',
    en: 'Refused: this is the last active administrator of every unit.',
  });

export async function isGlobalAdmin(ex: Executor, userId: number): Promise<boolean> {
  const [r] = await rows<{ n: number }>(
    ex,
    sql`select count(*)::int as n from role_grant where user_id = ${userId} and role = 'admin' and org_unit_id is null and revoked_at is null`,
  );
  return (r?.n ?? 0) > 0;
}

/** Disables an account: it can no longer sign in, its sessions end and its API tokens stop working. */
export async function disableUser(
  tx: Executor,
  actor: Actor,
  username: string,
  reason: string,
): Promise<UserRow> {
  const u = await requireUser(tx, username);
  if (u.disabled) return u;
  if ((await isGlobalAdmin(tx, u.id)) && (await otherGlobalAdmins(tx, u.id)) === 0) throw lastAdmin();
  await tx.execute(
    sql`update app_user set disabled = true, updated_at = now(), version = version + 1 where id = ${u.id}`,
  );
  const ended = await revokeUserSessions(tx, u.id, 'disabled');
  await appendAudit(tx, {
    actor: actor.username,
    action: 'user.disable',
    entity: 'app_user',
    entityId: u.id,
    data: { username: u.username, reason, sessions_ended: ended },
  });
  return (await findUserById(tx, u.id))!;
}

export async function enableUser(tx: Executor, actor: Actor, username: string): Promise<UserRow> {
  const u = await requireUser(tx, username);
  if (!u.disabled) return u;
  await tx.execute(
    sql`update app_user set disabled = false, updated_at = now(), version = version + 1 where id = ${u.id}`,
  );
  await appendAudit(tx, {
    actor: actor.username,
    action: 'user.enable',
    entity: 'app_user',
    entityId: u.id,
    data: { username: u.username },
  });
  return (await findUserById(tx, u.id))!;
}

/** Lifts a login lockout now (recorded as an `unlock` attempt so every process sees it). */
export async function unlockUser(tx: Executor, actor: Actor, username: string, now: Date): Promise<UserRow> {
  const u = await requireUser(tx, username);
  await tx.execute(
    sql`insert into login_attempt (at, username, ip, outcome) values (${now.toISOString()}, ${u.username}, '-', 'unlock')`,
  );
  await tx.execute(
    sql`update app_user set failed_logins = 0, locked_until = null, updated_at = now() where id = ${u.id}`,
  );
  await appendAudit(tx, {
    actor: actor.username,
    action: 'user.unlock',
    entity: 'app_user',
    entityId: u.id,
    data: { username: u.username },
  });
  return (await findUserById(tx, u.id))!;
}

export interface UserGrantOut {
  id: number;
  role: RoleName;
  org_unit: string | null;
  org_unit_name_vi: string | null;
  path: string;
  created_at: string;
}

export interface UserOut {
  id: number;
  username: string;
  display_name: string;
  email: string | null;
  disabled: boolean;
  locked: boolean;
  locked_until: string | null;
  has_password: boolean;
  /** The password is temporary: every route but changing it, who-am-I and logout answers 403. */
  must_change_password: boolean;
  sso: boolean;
  last_login_at: string | null;
  created_at: string;
  grants: UserGrantOut[];
}

export async function grantsOfUsers(ex: Executor, userIds: number[]): Promise<Map<number, UserGrantOut[]>> {
  const out = new Map<number, UserGrantOut[]>();
  if (userIds.length === 0) return out;
  const list = await rows<UserGrantOut & { user_id: number }>(
    ex,
    sql`select g.id, g.user_id, g.role, o.code as org_unit, o.name_vi as org_unit_name_vi, coalesce(o.path, '/') as path, g.created_at
        from role_grant g left join org_unit o on o.id = g.org_unit_id
        where g.revoked_at is null and g.user_id in (${sql.join(
          userIds.map((id) => sql`${id}`),
          sql`, `,
        )})
        order by g.user_id, coalesce(o.path, '/'), g.role`,
  );
  for (const { user_id, ...g } of list) {
    if (!out.has(user_id)) out.set(user_id, []);
    out.get(user_id)!.push({ ...g, created_at: new Date(g.created_at).toISOString() });
  }
  return out;
}

export function presentUser(u: UserRow, grants: UserGrantOut[], now: Date): UserOut {
  const locked = !!u.locked_until && new Date(u.locked_until).getTime() > now.getTime();
  return {
    id: u.id,
    username: u.username,
    display_name: u.display_name,
    email: u.email,
    disabled: u.disabled,
    locked,
    locked_until: locked ? new Date(u.locked_until!).toISOString() : null,
    has_password: u.password_hash !== null,
    must_change_password: u.must_change_password,
    sso: u.oidc_subject !== null,
    last_login_at: u.last_login_at ? new Date(u.last_login_at).toISOString() : null,
    created_at: new Date(u.created_at).toISOString(),
    grants,
  };
}

export interface UserFilter {
  q?: string | undefined;
  /** Only users with a grant inside these subtrees ('/' = all). */
  scopeRoots: string[];
  /** Also users with no grant at all (visible to programme-wide administrators). */
  includeUngranted: boolean;
}

export async function listUsers(
  ex: Executor,
  f: UserFilter,
  page: { limit: number; offset: number },
  now: Date,
): Promise<{ items: UserOut[]; total: number }> {
  const all = f.scopeRoots.includes('/');
  const inScope = all
    ? sql`true`
    : f.scopeRoots.length
      ? sql`exists (select 1 from role_grant g join org_unit o on o.id = g.org_unit_id where g.user_id = u.id and g.revoked_at is null
               and (${sql.join(
                 f.scopeRoots.map((r) => sql`o.path like ${`${r}%`}`),
                 sql` or `,
               )}))`
      : sql`false`;
  const ungranted = f.includeUngranted
    ? sql`not exists (select 1 from role_grant g where g.user_id = u.id and g.revoked_at is null)`
    : sql`false`;
  const q = f.q ? `%${f.q.trim().toLowerCase()}%` : null;
  const folded = f.q ? `%${foldVi(f.q)}%` : null;
  const where = sql`u.archived_at is null and (${inScope} or ${ungranted})
    ${q ? sql`and (u.username like ${folded} or lower(u.display_name) like ${q} or lower(coalesce(u.email, '')) like ${q})` : sql``}`;
  const [c] = await rows<{ n: number }>(ex, sql`select count(*)::int as n from app_user u where ${where}`);
  const list = await rows<UserRow>(
    ex,
    sql`select ${USER_COLS} from app_user u where ${where} order by u.username limit ${page.limit} offset ${page.offset}`,
  );
  const grants = await grantsOfUsers(
    ex,
    list.map((u) => u.id),
  );
  return { items: list.map((u) => presentUser(u, grants.get(u.id) ?? [], now)), total: c?.n ?? 0 };
}

/** Paths of the units the user holds active grants on ('/' for every unit): the user's scope. */
export async function userScopePaths(ex: Executor, username: string): Promise<string[] | null> {
  const u = await findUser(ex, username);
  if (!u || u.archived_at) return null;
  const list = await rows<{ path: string }>(
    ex,
    sql`select distinct coalesce(o.path, '/') as path from role_grant g left join org_unit o on o.id = g.org_unit_id
        where g.user_id = ${u.id} and g.revoked_at is null`,
  );
  return list.map((r) => r.path);
}
