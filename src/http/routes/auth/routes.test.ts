/**
 * Accounts over HTTP with the real authenticator: cookies, CSRF, session rotation, logout, lockout
 * answers, password change, and who may administer whom — on PGlite and PostgreSQL.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '../../../../test/db.ts';
import { type AuthSettings, readAuthSettings } from '../../../app/auth/config.ts';
import { grantRole } from '../../../app/auth/grants.ts';
import { createApiToken } from '../../../app/auth/tokens.ts';
import { createUser, SYSTEM_ACTOR } from '../../../app/auth/users.ts';
import { readConfig } from '../../../config.ts';
import { rows, type Store } from '../../../store/db.ts';
import { authenticatorFor } from '../../auth.ts';
import { type App, buildServer } from '../../server.ts';

const PW = 'mật khẩu thử nghiệm';
let store: Store;
let app: App;
let clock: Date;
const settings: AuthSettings = {
  ...readAuthSettings({}),
  maxFailures: 3,
  lockMinutes: 15,
  ipMaxFailures: 1000,
  now: () => clock,
};

async function makeUser(
  username: string,
  grants: Array<[string, string | null]>,
  password: string | null = PW,
) {
  await store.db.transaction(async (tx) => {
    await createUser(tx, SYSTEM_ACTOR, { username, password, display_name: username });
    for (const [role, unit] of grants)
      await grantRole(tx, SYSTEM_ACTOR, username, { role: role as 'admin', org_unit: unit });
  });
}
async function tokenFor(username: string): Promise<string> {
  const t = await store.db.transaction((tx) =>
    createApiToken(tx, SYSTEM_ACTOR, username, { name: 'test' }, clock),
  );
  return t.token;
}

let ipSeq = 0;
interface Resp {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, unknown>;
  cookies: string[];
}
async function call(
  method: string,
  url: string,
  o: {
    payload?: unknown;
    cookie?: string;
    csrf?: string;
    bearer?: string;
    headers?: Record<string, string>;
    ip?: string;
  } = {},
): Promise<Resp> {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (o.cookie) headers.cookie = `chiso_session=${o.cookie}`;
  if (o.csrf) headers['x-csrf-token'] = o.csrf;
  if (o.bearer) headers.authorization = `Bearer ${o.bearer}`;
  const r = await app.inject({
    method: method as 'GET',
    url,
    headers,
    remoteAddress: o.ip ?? `192.0.2.${(++ipSeq % 200) + 1}`,
    ...(o.payload !== undefined ? { payload: o.payload as object } : {}),
  });
  const sc = r.headers['set-cookie'];
  return {
    status: r.statusCode,
    body: r.body && String(r.headers['content-type']).includes('json') ? r.json() : {},
    headers: r.headers,
    cookies: sc === undefined ? [] : Array.isArray(sc) ? sc : [String(sc)],
  };
}
const sessionOf = (r: Resp): string | null => {
  const c = r.cookies.find((x) => x.startsWith('chiso_session='));
  return c ? decodeURIComponent(c.split(';')[0]!.slice('chiso_session='.length)) : null;
};
async function loginAs(username: string, password = PW) {
  const r = await call('POST', '/api/auth/login', { payload: { username, password } });
  expect(r.status).toBe(200);
  return { cookie: sessionOf(r)!, csrf: r.body.csrf_token as string, body: r.body };
}

beforeAll(async () => {
  clock = new Date('2026-04-01T01:00:00Z');
  store = await openTestStore();
  // the part of the HCMC tree these tests act on: the city, two districts and a ward of each
  await store.db.execute(
    sql`insert into org_level (code, name_vi, name_en, sort) values ('city', 'Thành phố', 'City', 1),
        ('district', 'Quận', 'District', 3), ('commune', 'Phường', 'Ward', 4)`,
  );
  const unit = async (code: string, name: string, level: string, parent: string | null) => {
    const [p] = parent
      ? await rows<{ id: number; path: string }>(
          store.db,
          sql`select id, path from org_unit where code = ${parent}`,
        )
      : [];
    const [u] = await rows<{ id: number }>(
      store.db,
      sql`insert into org_unit (code, name_vi, level, parent_id) values (${code}, ${name}, ${level}, ${p?.id ?? null}) returning id`,
    );
    await store.db.execute(
      sql`update org_unit set path = ${`${p?.path ?? '/'}${u!.id}/`} where id = ${u!.id}`,
    );
  };
  await unit('79', 'Thành phố Hồ Chí Minh', 'city', null);
  await unit('79.760', 'Quận 1', 'district', '79');
  await unit('79.760.26734', 'Phường Tân Định', 'commune', '79.760');
  await unit('79.761', 'Quận 12', 'district', '79');
  await unit('79.761.26764', 'Phường Thạnh Xuân', 'commune', '79.761');
  app = await buildServer({
    store,
    config: { ...readConfig({}), trustProxy: true },
    authenticate: authenticatorFor(store, settings),
  });
  await app.ready();
  await makeUser('root', [['admin', null]]);
  await makeUser('q1.admin', [['admin', '79.760']]);
  await makeUser('q12.admin', [['admin', '79.761']]);
  await makeUser('tandinh.reporter', [['reporter', '79.760.26734']]);
  await makeUser('thanhxuan.reporter', [['reporter', '79.761.26764']]);
  await makeUser('nogrant.user', []);
});
afterAll(async () => {
  await app.close();
  await store.close();
});

describe('login and the session cookie', () => {
  it('sets an httpOnly, SameSite=Lax cookie, Secure only over https, and answers who I am', async () => {
    const r = await call('POST', '/api/auth/login', {
      payload: { username: 'tandinh.reporter', password: PW },
    });
    expect(r.status).toBe(200);
    const c = r.cookies.find((x) => x.startsWith('chiso_session='))!;
    expect(c).toMatch(/; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.body).toMatchObject({
      auth: 'session',
      user: { username: 'tandinh.reporter', grants: [{ role: 'reporter', org_unit: '79.760.26734' }] },
    });
    const https = await call('POST', '/api/auth/login', {
      payload: { username: 'tandinh.reporter', password: PW },
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(https.cookies.find((x) => x.startsWith('chiso_session='))).toMatch(/; Secure$/);

    const me = await call('GET', '/api/auth/me', { cookie: sessionOf(r)! });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      auth: 'session',
      csrf_token: r.body.csrf_token,
      user: { username: 'tandinh.reporter' },
    });
    expect((me.body.session as { idle_expires_at: string }).idle_expires_at).toBe(
      new Date(clock.getTime() + 30 * 60_000).toISOString(),
    );
    expect((await call('GET', '/api/auth/me')).status).toBe(401);
    expect((await call('GET', '/api/auth/me', { cookie: 'forged-session-token' })).status).toBe(401);
  });

  it('answers wrong credentials with 401 and a lock with 429, in Vietnamese by default', async () => {
    await makeUser('lock.http', []);
    const ip = '198.51.100.7';
    for (let i = 0; i < 3; i++) {
      const r = await call('POST', '/api/auth/login', {
        payload: { username: 'lock.http', password: `wrong-${i}-xxxxx` },
        ip,
      });
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({
        code: 'auth.invalid_credentials',
        detail: 'Tên đăng nhập hoặc mật khẩu không đúng.',
      });
    }
    const r = await call('POST', '/api/auth/login', { payload: { username: 'lock.http', password: PW }, ip });
    expect(r.status).toBe(429);
    expect(r.body).toMatchObject({ code: 'auth.locked', detail: expect.stringContaining('sau 15 phút') });
    expect(r.cookies.some((c) => c.startsWith('chiso_session='))).toBe(false);
    // Retry-After: the seconds left of the 15-minute lock, counting down with the clock
    expect(r.headers['retry-after']).toBe('900');
    const lockedAt = clock;
    clock = new Date(lockedAt.getTime() + 5 * 60_000 + 30_000);
    try {
      const later = await call('POST', '/api/auth/login?lang=en', {
        payload: { username: 'lock.http', password: PW },
        ip,
      });
      expect(later.status).toBe(429);
      expect(later.headers['retry-after']).toBe('570');
      expect(later.body).toMatchObject({
        code: 'auth.locked',
        detail: expect.stringContaining('in 10 minutes'),
      });
    } finally {
      clock = lockedAt;
    }
    // an administrator in scope lifts it
    const root = await loginAs('root');
    const u = await call('POST', '/api/auth/users/lock.http/unlock', {
      cookie: root.cookie,
      csrf: root.csrf,
    });
    expect(u.status).toBe(200);
    expect(
      (await call('POST', '/api/auth/login', { payload: { username: 'lock.http', password: PW }, ip }))
        .status,
    ).toBe(200);
  });

  it('gives a Retry-After when an address has failed too often', async () => {
    const strict = await buildServer({
      store,
      config: readConfig({}),
      authenticate: authenticatorFor(store, { ...settings, ipMaxFailures: 2, ipWindowMinutes: 10 }),
    });
    try {
      const send = (username: string) =>
        strict.inject({
          method: 'POST',
          url: '/api/auth/login?lang=en',
          remoteAddress: '198.51.100.99',
          payload: { username, password: 'not-the-password' },
        });
      await send('spray.a');
      await send('spray.b');
      const r = await send('root');
      expect(r.statusCode).toBe(429);
      expect(r.json()).toMatchObject({ code: 'auth.rate_limited' });
      expect(Number(r.headers['retry-after'])).toBe(600);
    } finally {
      await strict.close();
    }
  });

  it('never reuses a session id presented before login, and revokes it', async () => {
    const first = await loginAs('thanhxuan.reporter');
    const second = await call('POST', '/api/auth/login', {
      payload: { username: 'thanhxuan.reporter', password: PW },
      cookie: first.cookie,
      csrf: first.csrf,
    });
    expect(second.status).toBe(200);
    const fresh = sessionOf(second)!;
    expect(fresh).not.toBe(first.cookie);
    expect((await call('GET', '/api/auth/me', { cookie: first.cookie })).status).toBe(401);
    expect((await call('GET', '/api/auth/me', { cookie: fresh })).status).toBe(200);
    // a planted, never-issued id is not adopted either
    const planted = await call('POST', '/api/auth/login', {
      payload: { username: 'thanhxuan.reporter', password: PW },
      cookie: 'planted-by-attacker',
    });
    expect(sessionOf(planted)).not.toBe('planted-by-attacker');
    expect((await call('GET', '/api/auth/me', { cookie: 'planted-by-attacker' })).status).toBe(401);
  });

  it('ends the session at logout and clears the cookie', async () => {
    const s = await loginAs('tandinh.reporter');
    const out = await call('POST', '/api/auth/logout', { cookie: s.cookie, csrf: s.csrf });
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ ended: true });
    expect(out.cookies.find((c) => c.startsWith('chiso_session='))).toMatch(
      /^chiso_session=; Path=\/; HttpOnly; SameSite=Lax; Max-Age=0/,
    );
    expect((await call('GET', '/api/auth/me', { cookie: s.cookie })).status).toBe(401);
  });

  it('ends an idle session, and one past its absolute time', async () => {
    const s = await loginAs('tandinh.reporter');
    clock = new Date(clock.getTime() + 31 * 60_000);
    expect((await call('GET', '/api/auth/me', { cookie: s.cookie })).status).toBe(401);
    const t = await loginAs('tandinh.reporter');
    for (let i = 0; i < 12 * 4; i++) {
      clock = new Date(clock.getTime() + 15 * 60_000);
      const r = await call('GET', '/api/auth/me', { cookie: t.cookie });
      expect(r.status).toBe(i < 12 * 4 - 1 ? 200 : 401);
    }
  });
});

describe('CSRF', () => {
  it('refuses cookie-authenticated writes without the session’s token, with 403 auth.csrf', async () => {
    const s = await loginAs('q1.admin');
    const body = { name: 'mine' };
    const none = await call('POST', '/api/auth/tokens', { cookie: s.cookie, payload: body });
    expect(none.status).toBe(403);
    expect(none.body).toMatchObject({ code: 'auth.csrf' });
    const other = await loginAs('q12.admin');
    const wrong = await call('POST', '/api/auth/tokens', {
      cookie: s.cookie,
      csrf: other.csrf,
      payload: body,
    });
    expect(wrong.body).toMatchObject({ code: 'auth.csrf' });
    // also on every other write, before anything else is looked at
    const put = await call('PUT', '/api/values', { cookie: s.cookie, payload: {} });
    expect(put.body).toMatchObject({ code: 'auth.csrf' });
    const ok = await call('POST', '/api/auth/tokens', { cookie: s.cookie, csrf: s.csrf, payload: body });
    expect(ok.status).toBe(201);
    // reads need no token
    expect((await call('GET', '/api/auth/tokens', { cookie: s.cookie })).status).toBe(200);
  });

  it('does not apply to bearer tokens', async () => {
    const token = await tokenFor('q1.admin');
    const r = await call('POST', '/api/auth/tokens', { bearer: token, payload: { name: 'from a script' } });
    expect(r.status).toBe(201);
    const me = await call('GET', '/api/auth/me', { bearer: token });
    expect(me.body).toMatchObject({ auth: 'token', csrf_token: null, session: null });
  });
});

describe('API tokens over HTTP', () => {
  it('shows a new token once, lists tokens without them, and authenticates with it until revoked', async () => {
    const s = await loginAs('thanhxuan.reporter');
    const created = await call('POST', '/api/auth/tokens', {
      cookie: s.cookie,
      csrf: s.csrf,
      payload: { name: 'Excel add-in', expires_in_days: 90 },
    });
    expect(created.status).toBe(201);
    const token = created.body.token as string;
    expect(created.body.expires_at).toBe(new Date(clock.getTime() + 90 * 86_400_000).toISOString());
    const list = await call('GET', '/api/auth/tokens', { cookie: s.cookie });
    const items = list.body.items as Array<Record<string, unknown>>;
    expect(items.find((t) => t.id === created.body.id)).toMatchObject({
      name: 'Excel add-in',
      prefix: token.slice(0, 12),
    });
    expect(JSON.stringify(list.body)).not.toContain(token);
    expect((await call('GET', '/api/auth/me', { bearer: token })).body).toMatchObject({
      user: { username: 'thanhxuan.reporter' },
    });
    // someone else cannot revoke it through their own route
    const other = await loginAs('tandinh.reporter');
    expect(
      (
        await call('POST', `/api/auth/tokens/${created.body.id}/revoke`, {
          cookie: other.cookie,
          csrf: other.csrf,
        })
      ).status,
    ).toBe(404);
    const rv = await call('POST', `/api/auth/tokens/${created.body.id}/revoke`, {
      cookie: s.cookie,
      csrf: s.csrf,
    });
    expect(rv.status).toBe(200);
    expect(rv.body.revoked_at).not.toBeNull();
    expect((await call('GET', '/api/auth/me', { bearer: token })).status).toBe(401);
    expect((await call('GET', '/api/auth/me', { bearer: 'chiso_not-a-real-token' })).status).toBe(401);
  });
});

describe('password change', () => {
  it('checks the current password, rotates my session and ends the others', async () => {
    await makeUser('pw.change', [['viewer', '79.760']]);
    const a = await loginAs('pw.change');
    const b = await loginAs('pw.change');
    const wrong = await call('POST', '/api/auth/password', {
      cookie: a.cookie,
      csrf: a.csrf,
      payload: { current_password: 'not my password', new_password: 'một mật khẩu mới' },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ code: 'auth.current_password', field: 'current_password' });
    const weak = await call('POST', '/api/auth/password', {
      cookie: a.cookie,
      csrf: a.csrf,
      payload: { current_password: PW, new_password: 'pw.change.2026' },
    });
    expect(weak.body).toMatchObject({ code: 'auth.password_policy', field: 'new_password' });
    const ok = await call('POST', '/api/auth/password', {
      cookie: a.cookie,
      csrf: a.csrf,
      payload: { current_password: PW, new_password: 'một mật khẩu mới' },
    });
    expect(ok.status).toBe(200);
    const rotated = sessionOf(ok)!;
    expect(rotated).not.toBe(a.cookie);
    expect((await call('GET', '/api/auth/me', { cookie: a.cookie })).status).toBe(401);
    expect((await call('GET', '/api/auth/me', { cookie: b.cookie })).status).toBe(401);
    const me = await call('GET', '/api/auth/me', { cookie: rotated });
    expect(me.status).toBe(200);
    expect(me.body.csrf_token).toBe(ok.body.csrf_token);
    await loginAs('pw.change', 'một mật khẩu mới');
  });
});

describe('administration within scope', () => {
  it('lets a district admin create users with roles inside the district only', async () => {
    const q1 = await loginAs('q1.admin');
    const post = (payload: unknown) =>
      call('POST', '/api/auth/users', { cookie: q1.cookie, csrf: q1.csrf, payload });
    const ok = await post({
      username: 'new.tandinh',
      display_name: 'Nguyễn Thị Mai',
      password: 'mật khẩu ban đầu',
      grants: [{ role: 'reporter', org_unit: '79.760.26734' }],
    });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({
      username: 'new.tandinh',
      has_password: true,
      grants: [{ role: 'reporter', org_unit: '79.760.26734' }],
    });
    expect(JSON.stringify(ok.body)).not.toMatch(/argon2|password_hash/);
    expect(
      (await post({ username: 'other.district', grants: [{ role: 'viewer', org_unit: '79.761.26764' }] }))
        .status,
    ).toBe(403);
    expect((await post({ username: 'no.roles' })).status).toBe(403);
    expect(
      (await post({ username: 'everywhere', grants: [{ role: 'viewer', org_unit: null }] })).status,
    ).toBe(403);
    const [n] = await rows<{ n: number }>(
      store.db,
      sql`select count(*)::int as n from app_user where username in ('other.district', 'no.roles', 'everywhere')`,
    );
    expect(n!.n).toBe(0);
  });

  it('grants within one’s own rights and never above them', async () => {
    const q1 = await loginAs('q1.admin');
    const grant = (username: string, role: string, org_unit: string | null) =>
      call('POST', `/api/auth/users/${username}/grants`, {
        cookie: q1.cookie,
        csrf: q1.csrf,
        payload: { role, org_unit },
      });
    const same = await grant('nogrant.user', 'admin', '79.760');
    expect(same.status).toBe(201);
    expect(same.body).toMatchObject({ role: 'admin', org_unit: '79.760', org_unit_name_vi: 'Quận 1' });
    expect((await grant('nogrant.user', 'admin', '79.760')).status).toBe(200);
    expect((await grant('nogrant.user', 'viewer', '79.761')).status).toBe(403);
    expect((await grant('nogrant.user', 'viewer', '79')).status).toBe(403);
    expect((await grant('nogrant.user', 'viewer', null)).status).toBe(403);
    // a reporter cannot grant anything, even on their own unit
    const rep = await loginAs('tandinh.reporter');
    const r = await call('POST', '/api/auth/users/nogrant.user/grants', {
      cookie: rep.cookie,
      csrf: rep.csrf,
      payload: { role: 'reporter', org_unit: '79.760.26734' },
    });
    expect(r.status).toBe(403);
    // revoking needs admin on the grant's unit
    const q12 = await loginAs('q12.admin');
    const id = same.body.id as number;
    expect(
      (await call('POST', `/api/auth/grants/${id}/revoke`, { cookie: q12.cookie, csrf: q12.csrf })).status,
    ).toBe(403);
    const rv = await call('POST', `/api/auth/grants/${id}/revoke`, { cookie: q1.cookie, csrf: q1.csrf });
    expect(rv.status).toBe(200);
    expect(rv.body).toMatchObject({ role: 'admin', org_unit: '79.760' });
    expect(rv.body.revoked_at).not.toBeNull();
  });

  it('takes a revoked role away on the very next request', async () => {
    await makeUser('revoke.now', [['admin', '79.760.26734']]);
    const token = await tokenFor('revoke.now');
    expect((await call('GET', '/api/auth/users', { bearer: token })).status).toBe(200);
    const [g] = await rows<{ id: number }>(
      store.db,
      sql`select g.id from role_grant g join app_user u on u.id = g.user_id where u.username = 'revoke.now'`,
    );
    const root = await tokenFor('root');
    expect((await call('POST', `/api/auth/grants/${g!.id}/revoke`, { bearer: root })).status).toBe(200);
    expect((await call('GET', '/api/auth/users', { bearer: token })).status).toBe(403);
  });

  it('lists only the users in the administrator’s scope', async () => {
    const q1 = await loginAs('q1.admin');
    const list = await call('GET', '/api/auth/users?limit=1000', { cookie: q1.cookie });
    const names = (list.body.items as Array<{ username: string }>).map((u) => u.username);
    expect(names).toContain('tandinh.reporter');
    expect(names).toContain('q1.admin');
    expect(names).not.toContain('thanhxuan.reporter');
    expect(names).not.toContain('root');
    expect(names).not.toContain('nogrant.user');
    const root = await loginAs('root');
    const all = await call('GET', '/api/auth/users?limit=1000&q=REPORTER', { cookie: root.cookie });
    expect((all.body.items as Array<{ username: string }>).map((u) => u.username)).toEqual(
      expect.arrayContaining(['tandinh.reporter', 'thanhxuan.reporter']),
    );
    expect(
      (await call('GET', '/api/auth/users', { cookie: (await loginAs('tandinh.reporter')).cookie })).status,
    ).toBe(403);
  });

  it('disables a user in scope: sessions end, tokens stop, login is refused; not out of scope', async () => {
    await makeUser('to.disable', [['reporter', '79.760.26734']]);
    const victim = await loginAs('to.disable');
    const token = await tokenFor('to.disable');
    const q12 = await loginAs('q12.admin');
    expect(
      (
        await call('POST', '/api/auth/users/to.disable/disable', {
          cookie: q12.cookie,
          csrf: q12.csrf,
          payload: { reason: 'moved' },
        })
      ).status,
    ).toBe(403);
    const q1 = await loginAs('q1.admin');
    const d = await call('POST', '/api/auth/users/to.disable/disable', {
      cookie: q1.cookie,
      csrf: q1.csrf,
      payload: { reason: 'chuyển công tác' },
    });
    expect(d.status).toBe(200);
    expect(d.body).toMatchObject({ disabled: true });
    expect((await call('GET', '/api/auth/me', { cookie: victim.cookie })).status).toBe(401);
    expect((await call('GET', '/api/auth/me', { bearer: token })).status).toBe(401);
    expect(
      (await call('POST', '/api/auth/login', { payload: { username: 'to.disable', password: PW } })).body,
    ).toMatchObject({
      code: 'auth.disabled',
    });
    expect(
      (await call('POST', '/api/auth/users/to.disable/enable', { cookie: q1.cookie, csrf: q1.csrf })).body,
    ).toMatchObject({
      disabled: false,
    });
    expect((await call('GET', '/api/auth/me', { bearer: token })).status).toBe(200);
  });

  it('manages another user’s tokens and password only in scope', async () => {
    const q1 = await loginAs('q1.admin');
    const mk = await call('POST', '/api/auth/users/tandinh.reporter/tokens', {
      cookie: q1.cookie,
      csrf: q1.csrf,
      payload: { name: 'import robot' },
    });
    expect(mk.status).toBe(201);
    expect(mk.body).toMatchObject({ username: 'tandinh.reporter', name: 'import robot' });
    const q12 = await loginAs('q12.admin');
    expect(
      (await call('GET', '/api/auth/users/tandinh.reporter/tokens', { cookie: q12.cookie })).status,
    ).toBe(403);
    expect(
      (
        await call('POST', `/api/auth/users/tandinh.reporter/tokens/${mk.body.id}/revoke`, {
          cookie: q12.cookie,
          csrf: q12.csrf,
        })
      ).status,
    ).toBe(403);
    const rv = await call('POST', `/api/auth/users/tandinh.reporter/tokens/${mk.body.id}/revoke`, {
      cookie: q1.cookie,
      csrf: q1.csrf,
    });
    expect(rv.status).toBe(200);
    expect(
      (
        await call('POST', '/api/auth/users/tandinh.reporter/password', {
          cookie: q12.cookie,
          csrf: q12.csrf,
          payload: { password: 'xyz mật khẩu mới' },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call('POST', '/api/auth/users/tandinh.reporter/password', {
          cookie: q1.cookie,
          csrf: q1.csrf,
          payload: { password: 'xyz mật khẩu mới' },
        })
      ).status,
    ).toBe(200);
    await loginAs('tandinh.reporter', 'xyz mật khẩu mới');
    // not one's own password without the current one
    const self = await call('POST', '/api/auth/users/Q1.ADMIN/password', {
      cookie: q1.cookie,
      csrf: q1.csrf,
      payload: { password: 'xyz mật khẩu mới' },
    });
    expect(self.body).toMatchObject({ code: 'auth.own_password', status: 400 });
    // a user without roles is the business of programme-wide administrators only
    expect((await call('GET', '/api/auth/users/nogrant.user', { cookie: q1.cookie })).status).toBe(403);
    const root = await loginAs('root');
    const detail = await call('GET', '/api/auth/users/nogrant.user', { cookie: root.cookie });
    expect(detail.status).toBe(200);
    expect((detail.body.grant_history as unknown[]).length).toBe(1);
    expect((await call('GET', '/api/auth/users/nobody.at.all', { cookie: root.cookie })).status).toBe(404);
  });

  it('audits every administrative write with its actor', async () => {
    const list = await rows<{ actor: string; action: string }>(
      store.db,
      sql`select actor, action from audit_log where action like 'user.%' or action like 'grant.%' or action like 'token.%' order by seq`,
    );
    const byQ1 = new Set(list.filter((a) => a.actor === 'q1.admin').map((a) => a.action));
    for (const a of [
      'user.create',
      'grant.create',
      'grant.revoke',
      'user.disable',
      'user.enable',
      'token.create',
      'token.revoke',
      'user.password',
    ])
      expect(byQ1).toContain(a);
  });
});

describe('providers', () => {
  it('says how one can sign in', async () => {
    expect((await call('GET', '/api/auth/providers')).body).toEqual({
      password: true,
      oidc: { enabled: false, start: null },
    });
    expect((await call('GET', '/api/auth/oidc/start')).body).toMatchObject({ code: 'auth.oidc_disabled' });
  });
});
