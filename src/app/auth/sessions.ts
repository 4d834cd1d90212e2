/**
 * Signing in and out. Password login checks argon2id (with a dummy hash for unknown names, so the
 * answer and its timing reveal nothing), limits failures per client address and per username
 * (lockout for a while after N consecutive failures; the same for names that do not exist), and
 * audits every success and failure without the password. The state lives in `login_attempt`, so
 * every process of a deployment shares it.
 *
 * Each login issues a new random session token (the cookie holds it; the database its sha256): a
 * session id presented before login is revoked, never reused. Sessions end after an idle time and
 * after an absolute time, whichever comes first.
 */
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { ChisoError } from '../../core/errors.ts';
import { type Executor, rows, type Store } from '../../store/db.ts';
import { appendAudit } from '../audit.ts';
import { addMinutes, type AuthSettings } from './config.ts';
import { verifyPassword } from './passwords.ts';
import { sha256Hex } from './tokens.ts';
import { type Actor, findUser, normalizeUsername, type UserRow } from './users.ts';

export interface SessionIssued {
  /** The secret for the cookie; never stored. */
  token: string;
  /** sha256 of the token: the session's id in the database. */
  id: string;
  csrfToken: string;
  createdAt: string;
  idleExpiresAt: string;
  absoluteExpiresAt: string;
}

export interface ClientMeta {
  ip: string;
  userAgent?: string | null | undefined;
}

const iso = (d: Date): string => d.toISOString();
const minDate = (a: Date, b: Date): Date => (a.getTime() <= b.getTime() ? a : b);

/** Opens a new session for the user. */
export async function createSession(
  tx: Executor,
  userId: number,
  method: 'password' | 'oidc',
  meta: ClientMeta,
  settings: AuthSettings,
): Promise<SessionIssued> {
  const now = settings.now();
  const token = randomBytes(32).toString('base64url');
  const id = sha256Hex(token);
  const csrfToken = randomBytes(32).toString('base64url');
  const absolute = new Date(now.getTime() + settings.absoluteHours * 3_600_000);
  const idle = minDate(addMinutes(now, settings.idleMinutes), absolute);
  await tx.execute(
    sql`insert into session (id, user_id, csrf_token, method, created_at, last_seen_at, idle_expires_at, absolute_expires_at, ip, user_agent)
        values (${id}, ${userId}, ${csrfToken}, ${method}, ${iso(now)}, ${iso(now)}, ${iso(idle)}, ${iso(absolute)},
                ${meta.ip.slice(0, 100)}, ${meta.userAgent ? meta.userAgent.slice(0, 500) : null})`,
  );
  return {
    token,
    id,
    csrfToken,
    createdAt: iso(now),
    idleExpiresAt: iso(idle),
    absoluteExpiresAt: iso(absolute),
  };
}

/** Revokes the session whose token was presented before a login (whoever it belonged to). */
export async function revokePresentedSession(tx: Executor, token: string | null | undefined, reason: string) {
  if (!token) return;
  await tx.execute(
    sql`update session set revoked_at = now(), revoke_reason = ${reason} where id = ${sha256Hex(token)} and revoked_at is null`,
  );
}

export interface ResolvedSession {
  sessionId: string;
  userId: number;
  username: string;
  csrfToken: string;
  idleExpiresAt: string;
  absoluteExpiresAt: string;
  /** The account's password is temporary (set by an administrator) and must be changed first. */
  mustChangePassword: boolean;
}

/**
 * The live session for a cookie token, or null when it is unknown, revoked, idle too long, past its
 * absolute end, or its account is disabled. A live session's idle deadline moves forward.
 */
export async function resolveSession(
  ex: Executor,
  token: string,
  settings: AuthSettings,
): Promise<ResolvedSession | null> {
  if (!token || token.length > 200) return null;
  const now = settings.now();
  const [s] = await rows<{
    id: string;
    user_id: number;
    username: string;
    csrf_token: string;
    last_seen_at: string;
    idle_expires_at: string;
    absolute_expires_at: string;
    must_change_password: boolean;
  }>(
    ex,
    sql`select s.id, s.user_id, u.username, s.csrf_token, s.last_seen_at, s.idle_expires_at, s.absolute_expires_at,
               u.must_change_password
        from session s join app_user u on u.id = s.user_id
        where s.id = ${sha256Hex(token)} and s.revoked_at is null
          and s.idle_expires_at > ${iso(now)} and s.absolute_expires_at > ${iso(now)}
          and not u.disabled and u.archived_at is null`,
  );
  if (!s) return null;
  const absolute = new Date(s.absolute_expires_at);
  let idle = new Date(s.idle_expires_at);
  // Move the idle deadline, writing at most every tenth of the idle time (and at most once a minute).
  const throttle = Math.min(60_000, (settings.idleMinutes * 60_000) / 10);
  if (now.getTime() - new Date(s.last_seen_at).getTime() >= throttle) {
    idle = minDate(addMinutes(now, settings.idleMinutes), absolute);
    await ex.execute(
      sql`update session set last_seen_at = ${iso(now)}, idle_expires_at = ${iso(idle)} where id = ${s.id}`,
    );
  }
  return {
    sessionId: s.id,
    userId: s.user_id,
    username: s.username,
    csrfToken: s.csrf_token,
    idleExpiresAt: iso(idle),
    absoluteExpiresAt: iso(absolute),
    mustChangePassword: s.must_change_password === true,
  };
}

/** Ends a session (logout). */
export async function logout(tx: Executor, actor: Actor, sessionId: string, meta: ClientMeta): Promise<void> {
  const r = await rows<{ id: string }>(
    tx,
    sql`update session set revoked_at = now(), revoke_reason = 'logout' where id = ${sessionId} and revoked_at is null returning id`,
  );
  if (r.length === 0) return;
  await appendAudit(tx, {
    actor: actor.username,
    action: 'auth.logout',
    entity: 'session',
    entityId: sessionId.slice(0, 12),
    data: { username: actor.username, ip: meta.ip },
  });
}

// ---------------------------------------------------------------------------------------------
// Password login

export interface LoginInput extends ClientMeta {
  username: string;
  password: string;
  /** The session token the client presented before logging in: revoked, never reused. */
  presentedToken?: string | null | undefined;
}

export interface LoginResult {
  session: SessionIssued;
  user: { id: number; username: string; display_name: string };
}

const invalidCredentials = (): ChisoError =>
  new ChisoError({
    code: 'auth.invalid_credentials',
    status: 401,
    vi: 'Tên đăng nhập hoặc mật khẩu không đúng.',
    en: 'Wrong username or password.',
  });

/** The lock lasts `retryAfter` more seconds (the Retry-After header of the HTTP answer). */
const lockedOut = (retryAfter: number): ChisoError =>
  new ChisoError({
    code: 'auth.locked',
    status: 429,
    vi: `Tài khoản tạm khóa vì đăng nhập sai nhiều lần liên tiếp. Hãy thử lại sau ${Math.ceil(retryAfter / 60)} phút hoặc liên hệ quản trị viên.`,
    en: `The account is locked after too many failed logins. Try again in ${Math.ceil(retryAfter / 60)} minutes or ask an administrator.`,
    details: { retry_after: retryAfter },
  });

const rateLimited = (retryAfter: number): ChisoError =>
  new ChisoError({
    code: 'auth.rate_limited',
    status: 429,
    vi: `Quá nhiều lần đăng nhập sai từ địa chỉ này. Hãy thử lại sau ${Math.ceil(retryAfter / 60)} phút.`,
    en: `Too many failed logins from this address. Try again in ${Math.ceil(retryAfter / 60)} minutes.`,
    details: { retry_after: retryAfter },
  });

/** A transaction-scoped lock per username: concurrent attempts on one name are counted one by one. */
function usernameLockKey(username: string): number {
  return createHash('sha256').update(`login:${username}`).digest().readInt32BE(0);
}

interface LockState {
  locked: boolean;
  /** While locked: seconds until the lock ends (at least 1). */
  retryAfter: number;
  /** Failures (and attempts still being checked) that count towards the next lock. */
  failures: number;
}

async function lockState(
  tx: Executor,
  username: string,
  now: Date,
  settings: AuthSettings,
): Promise<LockState> {
  const [r] = await rows<{ reset_at: string | null; lock_at: string | null; locks_until: string | null }>(
    tx,
    sql`select (select max(at) from login_attempt where username = ${username} and outcome in ('success', 'unlock')) as reset_at,
               (select max(at) from login_attempt where username = ${username} and locks_until is not null) as lock_at,
               (select max(locks_until) from login_attempt where username = ${username} and locks_until is not null) as locks_until`,
  );
  const resetAt = r?.reset_at ? new Date(r.reset_at).getTime() : Number.NEGATIVE_INFINITY;
  const lockAt = r?.lock_at ? new Date(r.lock_at).getTime() : Number.NEGATIVE_INFINITY;
  const locksUntil = r?.locks_until ? new Date(r.locks_until).getTime() : Number.NEGATIVE_INFINITY;
  if (lockAt > resetAt && locksUntil > now.getTime())
    return {
      locked: true,
      failures: 0,
      retryAfter: Math.max(1, Math.ceil((locksUntil - now.getTime()) / 1000)),
    };
  const base = Math.max(resetAt, lockAt, now.getTime() - settings.lockMinutes * 60_000);
  const [c] = await rows<{ n: number }>(
    tx,
    sql`select count(*)::int as n from login_attempt where username = ${username} and outcome in ('failure', 'pending')
        and at > ${new Date(base).toISOString()}`,
  );
  const failures = c?.n ?? 0;
  return { locked: failures >= settings.maxFailures, failures, retryAfter: settings.lockMinutes * 60 };
}

type Gate = { ok: true; attemptId: number } | { ok: false; error: ChisoError };

/** Checks the address and username limits and records the attempt as pending; or records the refusal. */
async function openAttempt(
  store: Store,
  username: string,
  meta: ClientMeta,
  settings: AuthSettings,
): Promise<Gate> {
  const now = settings.now();
  const ip = meta.ip.slice(0, 100) || '-';
  return store.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(7263003, ${usernameLockKey(username)})`);
    const refuse = async (outcome: 'rate_limited' | 'locked', error: ChisoError): Promise<Gate> => {
      await tx.execute(
        sql`insert into login_attempt (at, username, ip, outcome) values (${iso(now)}, ${username}, ${ip}, ${outcome})`,
      );
      await appendAudit(tx, {
        actor: 'anonymous',
        action: 'auth.login_failed',
        entity: 'app_user',
        entityId: null,
        data: { username, ip, reason: outcome },
      });
      return { ok: false, error };
    };
    const since = new Date(now.getTime() - settings.ipWindowMinutes * 60_000);
    const [ipc] = await rows<{ n: number; first: string | null }>(
      tx,
      sql`select count(*)::int as n, min(at) as first from login_attempt
          where ip = ${ip} and outcome in ('failure', 'pending') and at > ${iso(since)}`,
    );
    if ((ipc?.n ?? 0) >= settings.ipMaxFailures) {
      const first = ipc?.first ? new Date(ipc.first).getTime() : now.getTime();
      const retryAfter = Math.max(
        1,
        Math.ceil((first + settings.ipWindowMinutes * 60_000 - now.getTime()) / 1000),
      );
      return refuse('rate_limited', rateLimited(retryAfter));
    }
    const lock = await lockState(tx, username, now, settings);
    if (lock.locked) return refuse('locked', lockedOut(lock.retryAfter));
    const [a] = await rows<{ id: number }>(
      tx,
      sql`insert into login_attempt (at, username, ip, outcome) values (${iso(now)}, ${username}, ${ip}, 'pending') returning id`,
    );
    return { ok: true, attemptId: Number(a!.id) };
  });
}

/**
 * Checks a username and password under the rate limits and lockout, records the attempt, and on
 * success runs `onSuccess` in the same transaction. Throws 401 `auth.invalid_credentials` (the same
 * for an unknown name, a wrong password and an account without a password), 429 `auth.locked` or
 * `auth.rate_limited`, 403 `auth.disabled` (right password, disabled account).
 */
export async function passwordAttempt<T>(
  store: Store,
  input: { username: string; password: string } & ClientMeta,
  settings: AuthSettings,
  purpose: 'login' | 'password_change',
  onSuccess: (tx: Executor, user: UserRow) => Promise<T>,
): Promise<T> {
  const username = normalizeUsername(input.username).slice(0, 200) || '-';
  const ip = input.ip.slice(0, 100) || '-';
  const gate = await openAttempt(store, username, input, settings);
  if (!gate.ok) throw gate.error;

  const user: UserRow | null = await findUser(store.db, username);
  const live = user && !user.archived_at ? user : null;
  const passwordOk = await verifyPassword(live?.password_hash ?? null, input.password);

  const now = settings.now();
  const outcome = await store.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(7263003, ${usernameLockKey(username)})`);
    if (passwordOk && live && !live.disabled) {
      await tx.execute(
        sql`update login_attempt set outcome = 'success', at = ${iso(now)} where id = ${gate.attemptId}`,
      );
      await tx.execute(sql`update app_user set failed_logins = 0, locked_until = null where id = ${live.id}`);
      return { ok: true as const, value: await onSuccess(tx, live) };
    }
    await tx.execute(sql`update login_attempt set outcome = 'failure' where id = ${gate.attemptId}`);
    const state = await lockState(tx, username, now, settings);
    const locks = state.failures >= settings.maxFailures;
    const locksUntil = locks ? addMinutes(now, settings.lockMinutes) : null;
    if (locksUntil) {
      await tx.execute(
        sql`update login_attempt set locks_until = ${iso(locksUntil)} where id = ${gate.attemptId}`,
      );
    }
    if (live) {
      await tx.execute(
        sql`update app_user set failed_logins = ${locks ? 0 : state.failures},
            locked_until = ${locksUntil ? iso(locksUntil) : sql`locked_until`} where id = ${live.id}`,
      );
    }
    const reason = passwordOk && live?.disabled ? 'disabled' : 'invalid_credentials';
    await appendAudit(tx, {
      actor: purpose === 'login' ? 'anonymous' : username,
      action: purpose === 'login' ? 'auth.login_failed' : 'auth.password_change_failed',
      entity: 'app_user',
      entityId: live?.id ?? null,
      data: { username, ip, reason, ...(locks ? { locked_until: iso(locksUntil!) } : {}) },
    });
    return { ok: false as const, reason };
  });
  if (!outcome.ok) {
    if (outcome.reason === 'disabled') {
      throw new ChisoError({
        code: 'auth.disabled',
        status: 403,
        vi: 'Tài khoản đã bị vô hiệu hóa. Hãy liên hệ quản trị viên.',
        en: 'The account is disabled. Ask an administrator.',
      });
    }
    throw invalidCredentials();
  }
  return outcome.value;
}

/** Signs in with a username and password and opens a new session (see `passwordAttempt`). */
export async function login(store: Store, input: LoginInput, settings: AuthSettings): Promise<LoginResult> {
  const ip = input.ip.slice(0, 100) || '-';
  return passwordAttempt(store, input, settings, 'login', async (tx, user) => {
    const now = settings.now();
    await tx.execute(sql`update app_user set last_login_at = ${iso(now)} where id = ${user.id}`);
    await revokePresentedSession(tx, input.presentedToken, 'replaced_by_login');
    const session = await createSession(tx, user.id, 'password', input, settings);
    await appendAudit(tx, {
      actor: user.username,
      action: 'auth.login',
      entity: 'app_user',
      entityId: user.id,
      data: { username: user.username, ip, method: 'password', session: session.id.slice(0, 12) },
    });
    return { session, user: { id: user.id, username: user.username, display_name: user.display_name } };
  });
}
