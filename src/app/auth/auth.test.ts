/**
 * Accounts and access, at the use-case level: passwords, login with rate limiting and lockout,
 * sessions (rotation, idle and absolute timeouts), API tokens, grants — on PGlite and PostgreSQL.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '../../../test/db.ts';
import { rows, type Store } from '../../store/db.ts';
import { verifyAuditChain } from '../audit.ts';
import { type AuthSettings, readAuthSettings } from './config.ts';
import { activeGrants, grantRole, revokeRole } from './grants.ts';
import { checkPasswordPolicy } from './passwords.ts';
import { login, logout, resolveSession } from './sessions.ts';
import { createApiToken, resolveApiToken, revokeApiToken, sha256Hex } from './tokens.ts';
import { createUser, disableUser, enableUser, SYSTEM_ACTOR, setPassword, unlockUser } from './users.ts';

const PASSWORD = 'correct horse battery';

let store: Store;
let clock: Date;
const settings: AuthSettings = {
  ...readAuthSettings({}),
  maxFailures: 3,
  lockMinutes: 10,
  ipMaxFailures: 8,
  ipWindowMinutes: 15,
  idleMinutes: 30,
  absoluteHours: 12,
  now: () => clock,
};
const advance = (minutes: number) => {
  clock = new Date(clock.getTime() + minutes * 60_000);
};
let ipSeq = 0;
/** A fresh client address, so that tests of the username lock do not trip the address limit. */
const freshIp = () => `10.0.${Math.floor(++ipSeq / 250)}.${ipSeq % 250}`;

async function user(username: string, password: string | null = PASSWORD) {
  return store.db.transaction((tx) =>
    createUser(tx, SYSTEM_ACTOR, { username, password, display_name: username }),
  );
}
async function tryLogin(username: string, password: string, ip = freshIp()) {
  try {
    const r = await login(store, { username, password, ip }, settings);
    return { ok: true as const, r };
  } catch (e) {
    return {
      ok: false as const,
      code: (e as { code: string }).code,
      status: (e as { status: number }).status,
    };
  }
}
const audit = (action: string) =>
  rows<{ actor: string; data: Record<string, unknown>; payload: string }>(
    store.db,
    sql`select actor, data, payload from audit_log where action = ${action} order by seq`,
  );

beforeAll(async () => {
  store = await openTestStore();
  clock = new Date('2026-03-02T08:00:00Z');
  // units for grants
  await store.db.execute(
    sql`insert into org_level (code, name_vi, name_en) values ('city', 'Thành phố', 'City'), ('district', 'Quận', 'District')`,
  );
  await store.db.execute(
    sql`insert into org_unit (code, name_vi, level, path, depth) values ('79', 'TP.HCM', 'city', '/1/', 0)`,
  );
  await store.db.execute(
    sql`insert into org_unit (code, name_vi, level, parent_id, path, depth) values ('79.760', 'Quận 1', 'district', 1, '/1/2/', 1)`,
  );
});
afterAll(() => store.close());

describe('password policy', () => {
  it('refuses short passwords, the username, and near-constant strings, naming the rule', () => {
    expect(() => checkPasswordPolicy('lan', 'short')).toThrow(/at least 10 characters/);
    expect(() => checkPasswordPolicy('nguyenvanlan', 'nguyenvanlan')).toThrow(/must not be/);
    expect(() => checkPasswordPolicy('nguyenvanlan', 'NguyenVanLan2024')).toThrow(/must not be/);
    expect(() => checkPasswordPolicy('lan', 'aaaaaaaaaaaa')).toThrow(/3 different/);
    expect(() => checkPasswordPolicy('lan', 'mật khẩu đủ dài')).not.toThrow();
    // length counts characters, not UTF-16 units or bytes
    expect(() => checkPasswordPolicy('lan', 'ắắắắắắắắbc')).not.toThrow();
  });

  it('creates users with argon2id hashes, lower-case names, and refuses duplicates', async () => {
    const u = await user('Tran.Thi.Binh');
    expect(u.username).toBe('tran.thi.binh');
    expect(u.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(u.password_hash).not.toContain(PASSWORD);
    await expect(user('TRAN.THI.BINH')).rejects.toMatchObject({ code: 'auth.user_exists', status: 409 });
    await expect(user('bad name')).rejects.toMatchObject({ code: 'auth.username_invalid' });
    await expect(user('weak.pw', 'tooshort')).rejects.toMatchObject({
      code: 'auth.password_policy',
      location: { field: 'password' },
    });
    const [c] = await rows<{ n: number }>(
      store.db,
      sql`select count(*)::int as n from app_user where username in ('bad name', 'weak.pw')`,
    );
    expect(c!.n).toBe(0);
  });
});

describe('login', () => {
  it('opens a session on the right password and audits it without the password', async () => {
    await user('an.login');
    const r = await tryLogin('AN.LOGIN', PASSWORD);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.r.user.username).toBe('an.login');
    expect(r.r.session.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(r.r.session.id).toBe(sha256Hex(r.r.session.token));
    // the database holds only the hash of the session token
    const [s] = await rows<{ id: string }>(
      store.db,
      sql`select id from session where user_id = (select id from app_user where username = 'an.login')`,
    );
    expect(s!.id).toBe(r.r.session.id);
    const [{ n }] = (await rows<{ n: number }>(
      store.db,
      sql`select count(*)::int as n from session where id = ${r.r.session.token}`,
    )) as [{ n: number }];
    expect(n).toBe(0);
    const logins = await audit('auth.login');
    expect(logins.at(-1)).toMatchObject({
      actor: 'an.login',
      data: { username: 'an.login', method: 'password' },
    });
    const all = await rows<{ payload: string }>(store.db, sql`select payload from audit_log`);
    for (const a of all) expect(a.payload).not.toContain(PASSWORD);
  });

  it('answers an unknown user exactly like a wrong password, and audits both', async () => {
    await user('binh.wrong');
    const before = (await audit('auth.login_failed')).length;
    const wrong = await tryLogin('binh.wrong', 'not the password');
    const unknown = await tryLogin('nobody.here', 'not the password');
    const noPassword = await (async () => {
      await user('sso.only', null);
      return tryLogin('sso.only', 'anything at all');
    })();
    for (const r of [wrong, unknown, noPassword])
      expect(r).toMatchObject({ ok: false, code: 'auth.invalid_credentials', status: 401 });
    const failed = (await audit('auth.login_failed')).slice(before);
    expect(failed.map((f) => f.data.username)).toEqual(['binh.wrong', 'nobody.here', 'sso.only']);
    expect(failed.every((f) => f.data.reason === 'invalid_credentials' && f.actor === 'anonymous')).toBe(
      true,
    );
    for (const f of failed) expect(f.payload).not.toContain('not the password');
  });

  it('locks a username after N consecutive failures for M minutes, even for the right password', async () => {
    await user('chi.lock');
    for (let i = 0; i < 3; i++)
      expect(await tryLogin('chi.lock', `wrong password ${i}`)).toMatchObject({
        code: 'auth.invalid_credentials',
      });
    expect(await tryLogin('chi.lock', PASSWORD)).toMatchObject({
      ok: false,
      code: 'auth.locked',
      status: 429,
    });
    const [u] = await rows<{ locked_until: string }>(
      store.db,
      sql`select locked_until from app_user where username = 'chi.lock'`,
    );
    expect(new Date(u!.locked_until).getTime()).toBe(clock.getTime() + 10 * 60_000);
    advance(9);
    expect(await tryLogin('chi.lock', PASSWORD)).toMatchObject({ code: 'auth.locked' });
    advance(2);
    expect(await tryLogin('chi.lock', PASSWORD)).toMatchObject({ ok: true });
    const refused = (await audit('auth.login_failed')).filter((a) => a.data.username === 'chi.lock');
    expect(refused.map((a) => a.data.reason)).toEqual([
      'invalid_credentials',
      'invalid_credentials',
      'invalid_credentials',
      'locked',
      'locked',
    ]);
    expect(refused[2]!.data.locked_until).toBeDefined();
  });

  it('resets the count on success, and forgets failures older than the lock period', async () => {
    await user('dung.reset');
    await tryLogin('dung.reset', 'wrong password 1');
    await tryLogin('dung.reset', 'wrong password 2');
    expect(await tryLogin('dung.reset', PASSWORD)).toMatchObject({ ok: true });
    await tryLogin('dung.reset', 'wrong password 3');
    await tryLogin('dung.reset', 'wrong password 4');
    advance(11);
    await tryLogin('dung.reset', 'wrong password 5');
    expect(await tryLogin('dung.reset', PASSWORD)).toMatchObject({ ok: true });
  });

  it('locks unknown usernames the same way, so a lock does not reveal that an account exists', async () => {
    for (let i = 0; i < 3; i++) await tryLogin('ghost.user', `guess ${i}`);
    expect(await tryLogin('ghost.user', 'guess 4')).toMatchObject({ code: 'auth.locked', status: 429 });
  });

  it('lets an administrator lift a lock', async () => {
    await user('em.unlock');
    for (let i = 0; i < 3; i++) await tryLogin('em.unlock', `wrong ${i} password`);
    expect(await tryLogin('em.unlock', PASSWORD)).toMatchObject({ code: 'auth.locked' });
    await store.db.transaction((tx) => unlockUser(tx, SYSTEM_ACTOR, 'em.unlock', clock));
    expect(await tryLogin('em.unlock', PASSWORD)).toMatchObject({ ok: true });
    expect((await audit('user.unlock')).at(-1)?.data).toMatchObject({ username: 'em.unlock' });
  });

  it('limits failures per client address across usernames, with a retry delay', async () => {
    const ip = '203.0.113.9';
    for (let i = 0; i < 8; i++) await tryLogin(`spray${i}`, 'password123456', ip);
    await user('giang.ip');
    let err: unknown;
    try {
      await login(store, { username: 'giang.ip', password: PASSWORD, ip }, settings);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'auth.rate_limited', status: 429 });
    const retry = (err as { details: { retry_after: number } }).details.retry_after;
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(15 * 60);
    // another address is not affected; the window passes
    expect(await tryLogin('giang.ip', PASSWORD)).toMatchObject({ ok: true });
    advance(16);
    expect(await tryLogin('giang.ip', PASSWORD, ip)).toMatchObject({ ok: true });
  });

  it('counts concurrent attempts one by one: no more than N guesses get through', async () => {
    await user('hai.parallel');
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => tryLogin('hai.parallel', `parallel guess ${i}`)),
    );
    const codes = results.map((r) => (r.ok ? 'ok' : r.code));
    expect(codes.filter((c) => c === 'auth.invalid_credentials')).toHaveLength(3);
    expect(codes.filter((c) => c === 'auth.locked')).toHaveLength(5);
    expect(await tryLogin('hai.parallel', PASSWORD)).toMatchObject({ code: 'auth.locked' });
  });

  it('refuses a disabled account (after the right password) and ends its sessions', async () => {
    await user('khanh.disabled');
    const r = await tryLogin('khanh.disabled', PASSWORD);
    if (!r.ok) throw new Error('login failed');
    await store.db.transaction((tx) =>
      disableUser(tx, SYSTEM_ACTOR, 'khanh.disabled', 'left the department'),
    );
    expect(await resolveSession(store.db, r.r.session.token, settings)).toBeNull();
    expect(await tryLogin('khanh.disabled', PASSWORD)).toMatchObject({ code: 'auth.disabled', status: 403 });
    expect(await tryLogin('khanh.disabled', 'wrong password!')).toMatchObject({
      code: 'auth.invalid_credentials',
    });
    await store.db.transaction((tx) => enableUser(tx, SYSTEM_ACTOR, 'khanh.disabled'));
    expect(await tryLogin('khanh.disabled', PASSWORD)).toMatchObject({ ok: true });
  });
});

describe('sessions', () => {
  it('issues a new session id at every login and revokes the one presented before', async () => {
    await user('lan.rotate');
    const first = await login(store, { username: 'lan.rotate', password: PASSWORD, ip: freshIp() }, settings);
    const second = await login(
      store,
      { username: 'lan.rotate', password: PASSWORD, ip: freshIp(), presentedToken: first.session.token },
      settings,
    );
    expect(second.session.token).not.toBe(first.session.token);
    expect(second.session.csrfToken).not.toBe(first.session.csrfToken);
    expect(await resolveSession(store.db, first.session.token, settings)).toBeNull();
    expect(await resolveSession(store.db, second.session.token, settings)).toMatchObject({
      username: 'lan.rotate',
    });
    // a token planted by someone else (never issued) does not become a session either
    const planted = await login(
      store,
      { username: 'lan.rotate', password: PASSWORD, ip: freshIp(), presentedToken: 'attacker-chosen-token' },
      settings,
    );
    expect(planted.session.token).not.toBe('attacker-chosen-token');
    expect(await resolveSession(store.db, 'attacker-chosen-token', settings)).toBeNull();
  });

  it('ends a session after the idle time, and moves the idle deadline with use', async () => {
    await user('minh.idle');
    const { session } = await login(
      store,
      { username: 'minh.idle', password: PASSWORD, ip: freshIp() },
      settings,
    );
    advance(20);
    expect(await resolveSession(store.db, session.token, settings)).not.toBeNull();
    advance(25); // 45 minutes after login, 25 after the last request
    const s = await resolveSession(store.db, session.token, settings);
    expect(s).not.toBeNull();
    expect(s!.idleExpiresAt).toBe(new Date(clock.getTime() + 30 * 60_000).toISOString());
    advance(31);
    expect(await resolveSession(store.db, session.token, settings)).toBeNull();
  });

  it('ends a session at the absolute time however active it is', async () => {
    await user('nam.absolute');
    const { session } = await login(
      store,
      { username: 'nam.absolute', password: PASSWORD, ip: freshIp() },
      settings,
    );
    // a request every 25 minutes for 700 minutes keeps it alive …
    for (let i = 0; i < 28; i++) {
      advance(25);
      expect(await resolveSession(store.db, session.token, settings)).not.toBeNull();
    }
    // … but the idle deadline may not pass the absolute end (12 h = 720 minutes)
    const s = await resolveSession(store.db, session.token, settings);
    expect(s!.idleExpiresAt).toBe(session.absoluteExpiresAt);
    advance(19);
    expect(await resolveSession(store.db, session.token, settings)).not.toBeNull();
    advance(2);
    expect(await resolveSession(store.db, session.token, settings)).toBeNull();
  });

  it('ends a session at logout, audited', async () => {
    await user('oanh.logout');
    const r = await login(store, { username: 'oanh.logout', password: PASSWORD, ip: freshIp() }, settings);
    await store.db.transaction((tx) =>
      logout(tx, { userId: r.user.id, username: 'oanh.logout' }, r.session.id, { ip: '127.0.0.1' }),
    );
    expect(await resolveSession(store.db, r.session.token, settings)).toBeNull();
    expect((await audit('auth.logout')).at(-1)).toMatchObject({ actor: 'oanh.logout' });
  });

  it('ends the other sessions when the password changes', async () => {
    await user('phuc.pw');
    const a = await login(store, { username: 'phuc.pw', password: PASSWORD, ip: freshIp() }, settings);
    const b = await login(store, { username: 'phuc.pw', password: PASSWORD, ip: freshIp() }, settings);
    await store.db.transaction((tx) =>
      setPassword(tx, { userId: a.user.id, username: 'phuc.pw' }, 'phuc.pw', 'a brand new secret', {
        keepSessionId: a.session.id,
      }),
    );
    expect(await resolveSession(store.db, a.session.token, settings)).not.toBeNull();
    expect(await resolveSession(store.db, b.session.token, settings)).toBeNull();
    expect(await tryLogin('phuc.pw', PASSWORD)).toMatchObject({ code: 'auth.invalid_credentials' });
    expect(await tryLogin('phuc.pw', 'a brand new secret')).toMatchObject({ ok: true });
    expect((await audit('user.password')).at(-1)?.data).toMatchObject({
      username: 'phuc.pw',
      self: true,
      sessions_ended: 1,
    });
  });
});

describe('API tokens', () => {
  it('shows a token once, stores its hash, and resolves it until revoked', async () => {
    const u = await user('quang.token', null);
    const t = await store.db.transaction((tx) =>
      createApiToken(tx, SYSTEM_ACTOR, 'quang.token', { name: 'ETL server' }, clock),
    );
    expect(t.token).toMatch(/^chiso_[A-Za-z0-9_-]{43}$/);
    expect(t.prefix).toBe(t.token.slice(0, 12));
    const [stored] = await rows<{ token_hash: string }>(
      store.db,
      sql`select token_hash from api_token where id = ${t.id}`,
    );
    expect(stored!.token_hash).toBe(sha256Hex(t.token));
    const dump = await rows<{ j: string }>(store.db, sql`select row_to_json(t)::text as j from api_token t`);
    expect(dump.some((d) => d.j.includes(t.token))).toBe(false);
    expect(await resolveApiToken(store.db, t.token, clock)).toMatchObject({
      userId: u.id,
      username: 'quang.token',
    });
    expect(await resolveApiToken(store.db, `${t.token}x`, clock)).toBeNull();
    await store.db.transaction((tx) => revokeApiToken(tx, SYSTEM_ACTOR, 'quang.token', t.id));
    expect(await resolveApiToken(store.db, t.token, clock)).toBeNull();
    expect((await audit('token.create')).at(-1)?.payload).not.toContain(t.token);
  });

  it('expires tokens with a lifetime and ignores tokens of disabled users', async () => {
    await user('son.expiry', null);
    const t = await store.db.transaction((tx) =>
      createApiToken(tx, SYSTEM_ACTOR, 'son.expiry', { name: 'monthly job', expires_in_days: 30 }, clock),
    );
    advance(29 * 24 * 60);
    expect(await resolveApiToken(store.db, t.token, clock)).not.toBeNull();
    await store.db.transaction((tx) => disableUser(tx, SYSTEM_ACTOR, 'son.expiry', 'machine retired'));
    expect(await resolveApiToken(store.db, t.token, clock)).toBeNull();
    await store.db.transaction((tx) => enableUser(tx, SYSTEM_ACTOR, 'son.expiry'));
    expect(await resolveApiToken(store.db, t.token, clock)).not.toBeNull();
    advance(2 * 24 * 60);
    expect(await resolveApiToken(store.db, t.token, clock)).toBeNull();
  });

  it('revokes only the owner’s tokens', async () => {
    await user('tam.owner', null);
    await user('uyen.other', null);
    const t = await store.db.transaction((tx) =>
      createApiToken(tx, SYSTEM_ACTOR, 'tam.owner', { name: 'x' }, clock),
    );
    await expect(
      store.db.transaction((tx) => revokeApiToken(tx, SYSTEM_ACTOR, 'uyen.other', t.id)),
    ).rejects.toMatchObject({ status: 404 });
    expect(await resolveApiToken(store.db, t.token, clock)).not.toBeNull();
  });
});

describe('grants', () => {
  it('grants roles on subtrees, revokes them without deleting, and audits both', async () => {
    await user('vy.grant', null);
    const g = await store.db.transaction((tx) =>
      grantRole(tx, SYSTEM_ACTOR, 'vy.grant', { role: 'reporter', org_unit: '79.760' }),
    );
    expect(g).toMatchObject({ role: 'reporter', org_unit: '79.760', path: '/1/2/', created: true });
    const again = await store.db.transaction((tx) =>
      grantRole(tx, SYSTEM_ACTOR, 'vy.grant', { role: 'reporter', org_unit: '79.760' }),
    );
    expect(again).toMatchObject({ id: g.id, created: false });
    expect(await activeGrants(store.db, g.user_id)).toEqual([
      { role: 'reporter', unitId: 2, unitPath: '/1/2/' },
    ]);
    await store.db.transaction((tx) => revokeRole(tx, SYSTEM_ACTOR, g.id));
    expect(await activeGrants(store.db, g.user_id)).toEqual([]);
    const [kept] = await rows<{ revoked_at: string | null }>(
      store.db,
      sql`select revoked_at from role_grant where id = ${g.id}`,
    );
    expect(kept!.revoked_at).not.toBeNull();
    await expect(store.db.transaction((tx) => revokeRole(tx, SYSTEM_ACTOR, g.id))).rejects.toMatchObject({
      status: 404,
    });
    await expect(
      store.db.transaction((tx) =>
        grantRole(tx, SYSTEM_ACTOR, 'vy.grant', { role: 'viewer', org_unit: '79.999' }),
      ),
    ).rejects.toMatchObject({ status: 404, location: { field: 'org_unit' } });
    expect((await audit('grant.create')).at(-1)?.data).toMatchObject({
      username: 'vy.grant',
      role: 'reporter',
      org_unit: '79.760',
    });
    expect((await audit('grant.revoke')).at(-1)?.data).toMatchObject({
      username: 'vy.grant',
      role: 'reporter',
    });
    await expect(store.query('delete from role_grant where id = $1', [g.id])).rejects.toThrow(
      /never deleted/,
    );
  });

  it('never leaves the installation without an active administrator of every unit', async () => {
    await user('xuan.admin', null);
    const g = await store.db.transaction((tx) =>
      grantRole(tx, SYSTEM_ACTOR, 'xuan.admin', { role: 'admin', org_unit: null }),
    );
    await expect(store.db.transaction((tx) => revokeRole(tx, SYSTEM_ACTOR, g.id))).rejects.toMatchObject({
      code: 'auth.last_admin',
      status: 409,
    });
    await expect(
      store.db.transaction((tx) => disableUser(tx, SYSTEM_ACTOR, 'xuan.admin', 'test')),
    ).rejects.toMatchObject({ code: 'auth.last_admin' });
    await user('yen.admin', null);
    await store.db.transaction((tx) =>
      grantRole(tx, SYSTEM_ACTOR, 'yen.admin', { role: 'admin', org_unit: null }),
    );
    await store.db.transaction((tx) => revokeRole(tx, SYSTEM_ACTOR, g.id));
  });

  it('keeps the audit chain valid through all of the above', async () => {
    expect(await verifyAuditChain(store)).toMatchObject({ ok: true });
  });
});
