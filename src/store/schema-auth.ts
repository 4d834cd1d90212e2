/**
 * Accounts and access: users, role grants on org-unit subtrees, sessions, API tokens, login attempts
 * (rate limiting and lockout shared by every process) and pending OpenID Connect logins.
 *
 * Secrets are never stored in the clear: passwords as argon2id hashes, session ids and API tokens as
 * sha256 of the random token the client holds. Nothing is deleted: grants, sessions and tokens are
 * revoked (`revoked_at`), users are disabled or archived.
 */
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  index,
  integer,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { orgUnit } from './schema.ts';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'string' });

/** A person or machine account. `username` is stored lower-case. */
export const appUser = pgTable(
  'app_user',
  {
    id: serial('id').primaryKey(),
    username: text('username').notNull(),
    displayName: text('display_name').notNull().default(''),
    email: text('email'),
    /** argon2id PHC string; null for accounts that sign in only through single sign-on. */
    passwordHash: text('password_hash'),
    passwordChangedAt: ts('password_changed_at'),
    /** Set when an administrator chose the password (new account, reset): the user must change it. */
    mustChangePassword: boolean('must_change_password').notNull().default(false),
    disabled: boolean('disabled').notNull().default(false),
    /** Mirror of the login-attempt state, for administrators: consecutive failures and the lock. */
    failedLogins: integer('failed_logins').notNull().default(0),
    lockedUntil: ts('locked_until'),
    oidcIssuer: text('oidc_issuer'),
    oidcSubject: text('oidc_subject'),
    lastLoginAt: ts('last_login_at'),
    version: integer('version').notNull().default(1),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    archivedAt: ts('archived_at'),
  },
  (t) => [
    uniqueIndex('app_user_username_uq').on(t.username),
    uniqueIndex('app_user_oidc_uq').on(t.oidcIssuer, t.oidcSubject).where(sql`${t.oidcSubject} is not null`),
    check('app_user_username_lower', sql`${t.username} = lower(${t.username})`),
  ],
);

/** A role on an org-unit subtree (`org_unit_id` null: every unit). Revoked, never deleted. */
export const roleGrant = pgTable(
  'role_grant',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => appUser.id),
    role: text('role').notNull(),
    orgUnitId: integer('org_unit_id').references(() => orgUnit.id),
    /** Who granted it; null when granted by the system (first administrator, command line). */
    grantedBy: integer('granted_by').references(() => appUser.id),
    createdAt: ts('created_at').notNull().defaultNow(),
    revokedAt: ts('revoked_at'),
    revokedBy: integer('revoked_by').references(() => appUser.id),
  },
  (t) => [
    index('role_grant_user_idx').on(t.userId),
    index('role_grant_unit_idx').on(t.orgUnitId),
    uniqueIndex('role_grant_active_uq')
      .on(t.userId, t.role, sql`coalesce(${t.orgUnitId}, 0)`)
      .where(sql`${t.revokedAt} is null`),
    check('role_grant_role', sql`${t.role} in ('admin', 'reviewer', 'reporter', 'viewer')`),
  ],
);

/** A browser session. `id` is the sha256 (hex) of the random token held in the cookie. */
export const session = pgTable(
  'session',
  {
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => appUser.id),
    csrfToken: text('csrf_token').notNull(),
    /** 'password' or 'oidc'. */
    method: text('method').notNull(),
    createdAt: ts('created_at').notNull(),
    lastSeenAt: ts('last_seen_at').notNull(),
    idleExpiresAt: ts('idle_expires_at').notNull(),
    absoluteExpiresAt: ts('absolute_expires_at').notNull(),
    revokedAt: ts('revoked_at'),
    revokeReason: text('revoke_reason'),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [index('session_user_idx').on(t.userId)],
);

/** A token for machine clients (`Authorization: Bearer …`). Shown once, stored as its sha256. */
export const apiToken = pgTable(
  'api_token',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => appUser.id),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    /** The first characters of the token, to recognise it in lists. */
    prefix: text('prefix').notNull(),
    createdAt: ts('created_at').notNull(),
    createdBy: integer('created_by').references(() => appUser.id),
    lastUsedAt: ts('last_used_at'),
    expiresAt: ts('expires_at'),
    revokedAt: ts('revoked_at'),
    revokedBy: integer('revoked_by').references(() => appUser.id),
  },
  (t) => [uniqueIndex('api_token_hash_uq').on(t.tokenHash), index('api_token_user_idx').on(t.userId)],
);

/**
 * Every password login attempt, by username (known or not) and client address: the shared state of
 * rate limiting and lockout. `pending` while the password is being checked; `locks_until` on the
 * failure that locked the username.
 */
export const loginAttempt = pgTable(
  'login_attempt',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: ts('at').notNull(),
    username: text('username').notNull(),
    ip: text('ip').notNull(),
    outcome: text('outcome').notNull(),
    locksUntil: ts('locks_until'),
  },
  (t) => [
    index('login_attempt_username_idx').on(t.username, t.at),
    index('login_attempt_ip_idx').on(t.ip, t.at),
    check(
      'login_attempt_outcome',
      sql`${t.outcome} in ('pending', 'success', 'failure', 'locked', 'rate_limited', 'unlock')`,
    ),
  ],
);

/** A single-sign-on login in progress: the PKCE verifier and nonce, keyed by the sha256 of `state`. */
export const oidcRequest = pgTable('oidc_request', {
  id: text('id').primaryKey(),
  codeVerifier: text('code_verifier').notNull(),
  nonce: text('nonce').notNull(),
  returnTo: text('return_to').notNull().default('/'),
  createdAt: ts('created_at').notNull(),
  expiresAt: ts('expires_at').notNull(),
  usedAt: ts('used_at'),
  ip: text('ip'),
});
