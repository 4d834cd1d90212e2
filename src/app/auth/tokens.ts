/**
 * API tokens for machine clients: `Authorization: Bearer chiso_…`. The token is shown once, when
 * created; the database keeps its sha256 and a short prefix to recognise it. Tokens expire (when
 * given a lifetime) and are revoked, never deleted.
 */
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { ChisoError } from '../../core/errors.ts';
import { type Executor, rows } from '../../store/db.ts';
import { appendAudit } from '../audit.ts';
import { type Actor, requireUser } from './users.ts';

export const TOKEN_PREFIX = 'chiso_';
export const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');

export interface TokenOut {
  id: number;
  name: string;
  prefix: string;
  username: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}

const iso = (v: string | null): string | null => (v ? new Date(v).toISOString() : null);

const TOKEN_SELECT = sql`select t.id, t.name, t.prefix, u.username, t.user_id, t.created_at, t.last_used_at, t.expires_at, t.revoked_at
  from api_token t join app_user u on u.id = t.user_id`;

type TokenRow = TokenOut & { user_id: number };

const present = ({ user_id: _u, ...t }: TokenRow): TokenOut => ({
  ...t,
  created_at: iso(t.created_at)!,
  last_used_at: iso(t.last_used_at),
  expires_at: iso(t.expires_at),
  revoked_at: iso(t.revoked_at),
});

export interface CreateTokenInput {
  name: string;
  /** Lifetime in days; none: until revoked. */
  expires_in_days?: number | null | undefined;
}

/** Creates a token for `username`. The clear token is in the result and nowhere else, ever. */
export async function createApiToken(
  tx: Executor,
  actor: Actor,
  username: string,
  input: CreateTokenInput,
  now: Date,
): Promise<TokenOut & { token: string }> {
  const u = await requireUser(tx, username);
  const name = input.name.trim();
  if (!name || name.length > 100) {
    throw new ChisoError({
      code: 'auth.token_name',
      field: 'name',
      vi: 'Tên mã truy cập cần từ 1 đến 100 ký tự.',
      en: 'A token name needs 1 to 100 characters.',
    });
  }
  const days = input.expires_in_days ?? null;
  if (days !== null && (!Number.isInteger(days) || days < 1 || days > 3650)) {
    throw new ChisoError({
      code: 'auth.token_lifetime',
      field: 'expires_in_days',
      vi: 'Thời hạn mã truy cập là số ngày nguyên từ 1 đến 3650.',
      en: 'A token lifetime is a whole number of days from 1 to 3650.',
    });
  }
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const prefix = token.slice(0, TOKEN_PREFIX.length + 6);
  const expiresAt = days === null ? null : new Date(now.getTime() + days * 86_400_000).toISOString();
  const [t] = await rows<{ id: number }>(
    tx,
    sql`insert into api_token (user_id, name, token_hash, prefix, created_at, created_by, expires_at)
        values (${u.id}, ${name}, ${sha256Hex(token)}, ${prefix}, ${now.toISOString()}, ${actor.userId}, ${expiresAt})
        returning id`,
  );
  await appendAudit(tx, {
    actor: actor.username,
    action: 'token.create',
    entity: 'api_token',
    entityId: t!.id,
    data: { username: u.username, name, prefix, expires_at: expiresAt },
  });
  const [row] = await rows<TokenRow>(tx, sql`${TOKEN_SELECT} where t.id = ${t!.id}`);
  return { ...present(row!), token };
}

export async function getApiToken(
  ex: Executor,
  id: number,
): Promise<(TokenOut & { user_id: number }) | null> {
  const [row] = await rows<TokenRow>(ex, sql`${TOKEN_SELECT} where t.id = ${id}`);
  return row ? { ...present(row), user_id: row.user_id } : null;
}

/** Revokes token `id` of `username` (404 when the user has no such token). */
export async function revokeApiToken(
  tx: Executor,
  actor: Actor,
  username: string,
  id: number,
): Promise<TokenOut> {
  const u = await requireUser(tx, username);
  const t = await getApiToken(tx, id);
  if (!t || t.user_id !== u.id) {
    throw new ChisoError({
      code: 'not_found',
      status: 404,
      vi: `Người dùng '${u.username}' không có mã truy cập số ${id}.`,
      en: `User '${u.username}' has no API token ${id}.`,
    });
  }
  if (!t.revoked_at) {
    await tx.execute(
      sql`update api_token set revoked_at = now(), revoked_by = ${actor.userId} where id = ${id}`,
    );
    await appendAudit(tx, {
      actor: actor.username,
      action: 'token.revoke',
      entity: 'api_token',
      entityId: id,
      data: { username: u.username, name: t.name, prefix: t.prefix },
    });
  }
  return (await getApiToken(tx, id))!;
}

export async function listApiTokens(ex: Executor, username: string): Promise<TokenOut[]> {
  const u = await requireUser(ex, username);
  const list = await rows<TokenRow>(ex, sql`${TOKEN_SELECT} where t.user_id = ${u.id} order by t.id desc`);
  return list.map(present);
}

/** The owner of a valid token (not revoked, not expired, account enabled), or null. */
export async function resolveApiToken(
  ex: Executor,
  token: string,
  now: Date,
): Promise<{ tokenId: number; userId: number; username: string; mustChangePassword: boolean } | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
  const [t] = await rows<{
    id: number;
    user_id: number;
    username: string;
    last_used_at: string | null;
    must_change_password: boolean;
  }>(
    ex,
    sql`select t.id, t.user_id, u.username, t.last_used_at, u.must_change_password from api_token t join app_user u on u.id = t.user_id
        where t.token_hash = ${sha256Hex(token)} and t.revoked_at is null
          and (t.expires_at is null or t.expires_at > ${now.toISOString()})
          and not u.disabled and u.archived_at is null`,
  );
  if (!t) return null;
  // Record use at most once a minute: a write per request would be waste.
  if (!t.last_used_at || now.getTime() - new Date(t.last_used_at).getTime() >= 60_000) {
    await ex.execute(sql`update api_token set last_used_at = ${now.toISOString()} where id = ${t.id}`);
  }
  return {
    tokenId: t.id,
    userId: t.user_id,
    username: t.username,
    mustChangePassword: t.must_change_password === true,
  };
}
