/**
 * Temporary passwords: an account an administrator created with a password, or whose password an
 * administrator reset, must change it before anything else — at login the API says so, every other
 * authenticated route answers 403 `auth.password_change_required` (cookie sessions and API tokens
 * alike) until the user sets a new password, and each step is audited. On PGlite and PostgreSQL.
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

const ADMIN_PW = 'mật khẩu quản trị viên';
const TEMP_PW = 'tạm thời 2026 xyz';
const NEW_PW = 'mật khẩu riêng của tôi';
let store: Store;
let app: App;
const settings: AuthSettings = { ...readAuthSettings({}), ipMaxFailures: 1000 };

interface Resp {
  status: number;
  body: Record<string, unknown>;
  cookies: string[];
}
let ipSeq = 0;
async function call(
  method: string,
  url: string,
  o: { payload?: unknown; cookie?: string; csrf?: string; bearer?: string; lang?: string } = {},
): Promise<Resp> {
  const headers: Record<string, string> = {};
  if (o.cookie) headers.cookie = `chiso_session=${o.cookie}`;
  if (o.csrf) headers['x-csrf-token'] = o.csrf;
  if (o.bearer) headers.authorization = `Bearer ${o.bearer}`;
  if (o.lang) headers['accept-language'] = o.lang;
  const r = await app.inject({
    method: method as 'GET',
    url,
    headers,
    remoteAddress: `198.51.100.${(++ipSeq % 200) + 1}`,
    ...(o.payload !== undefined ? { payload: o.payload as object } : {}),
  });
  const sc = r.headers['set-cookie'];
  return {
    status: r.statusCode,
    body: r.body && String(r.headers['content-type']).includes('json') ? r.json() : {},
    cookies: sc === undefined ? [] : Array.isArray(sc) ? sc : [String(sc)],
  };
}
const sessionOf = (r: Resp): string | null => {
  const c = r.cookies.find((x) => x.startsWith('chiso_session='));
  return c ? decodeURIComponent(c.split(';')[0]!.slice('chiso_session='.length)) : null;
};
async function loginAs(username: string, password: string) {
  const r = await call('POST', '/api/auth/login', { payload: { username, password } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { cookie: sessionOf(r)!, csrf: r.body.csrf_token as string, body: r.body };
}
const mustChange = async (username: string): Promise<boolean> => {
  const [u] = await rows<{ must_change_password: boolean }>(
    store.db,
    sql`select must_change_password from app_user where username = ${username}`,
  );
  return u!.must_change_password;
};

beforeAll(async () => {
  store = await openTestStore();
  await store.db.execute(
    sql`insert into org_level (code, name_vi, name_en, sort) values ('city', 'Thành phố', 'City', 1)`,
  );
  const [u] = await rows<{ id: number }>(
    store.db,
    sql`insert into org_unit (code, name_vi, level) values ('79', 'Thành phố Hồ Chí Minh', 'city') returning id`,
  );
  await store.db.execute(sql`update org_unit set path = ${`/${u!.id}/`} where id = ${u!.id}`);
  app = await buildServer({
    store,
    config: readConfig({}),
    authenticate: authenticatorFor(store, settings),
  });
  await app.ready();
  await store.db.transaction(async (tx) => {
    await createUser(tx, SYSTEM_ACTOR, { username: 'root', password: ADMIN_PW, display_name: 'Root' });
    await grantRole(tx, SYSTEM_ACTOR, 'root', { role: 'admin', org_unit: null });
  });
});
afterAll(async () => {
  await app.close();
  await store.close();
});

describe('a temporary password', () => {
  it('is set when an administrator creates a user; until it is changed only me, logout and the change are allowed', async () => {
    const root = await loginAs('root', ADMIN_PW);
    expect((root.body.user as { must_change_password: boolean }).must_change_password).toBe(false);
    const created = await call('POST', '/api/auth/users', {
      cookie: root.cookie,
      csrf: root.csrf,
      payload: {
        username: 'new.viewer',
        display_name: 'Trần Văn Bình',
        password: TEMP_PW,
        grants: [{ role: 'viewer', org_unit: '79' }],
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ username: 'new.viewer', must_change_password: true });
    expect(await mustChange('new.viewer')).toBe(true);

    // at login the API says so
    const s = await loginAs('new.viewer', TEMP_PW);
    expect(s.body.user).toMatchObject({ username: 'new.viewer', must_change_password: true });
    const me = await call('GET', '/api/auth/me', { cookie: s.cookie });
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ must_change_password: true });

    // a data route and an account route are refused, in Vietnamese and in English
    const data = await call('GET', '/api/submissions', { cookie: s.cookie });
    expect(data.status).toBe(403);
    expect(data.body).toMatchObject({ code: 'auth.password_change_required', status: 403 });
    expect(data.body.vi).toMatch(/mật khẩu tạm thời/);
    expect(data.body.en).toMatch(/temporary one/);
    const tokens = await call('POST', '/api/auth/tokens', {
      cookie: s.cookie,
      csrf: s.csrf,
      payload: { name: 'trốn đổi mật khẩu' },
    });
    expect(tokens.body).toMatchObject({ code: 'auth.password_change_required', status: 403 });
    const [n] = await rows<{ n: number }>(
      store.db,
      sql`select count(*)::int as n from api_token t join app_user u on u.id = t.user_id where u.username = 'new.viewer'`,
    );
    expect(n!.n).toBe(0);
    // public routes stay public
    expect((await call('GET', '/api/auth/providers', { cookie: s.cookie })).status).toBe(200);

    // the new password must follow the rules and differ from the temporary one
    const weak = await call('POST', '/api/auth/password', {
      cookie: s.cookie,
      csrf: s.csrf,
      payload: { current_password: TEMP_PW, new_password: 'ngắn' },
    });
    expect(weak.body).toMatchObject({ code: 'auth.password_policy', field: 'new_password', status: 400 });
    const same = await call('POST', '/api/auth/password', {
      cookie: s.cookie,
      csrf: s.csrf,
      payload: { current_password: TEMP_PW, new_password: TEMP_PW },
    });
    expect(same.body).toMatchObject({ code: 'auth.password_unchanged', field: 'new_password', status: 400 });
    const wrong = await call('POST', '/api/auth/password', {
      cookie: s.cookie,
      csrf: s.csrf,
      payload: { current_password: 'không phải mật khẩu', new_password: NEW_PW },
    });
    expect(wrong.body).toMatchObject({ code: 'auth.current_password', field: 'current_password' });
    expect(await mustChange('new.viewer')).toBe(true);

    // changed: the rotated session may do what the role allows
    const ok = await call('POST', '/api/auth/password', {
      cookie: s.cookie,
      csrf: s.csrf,
      payload: { current_password: TEMP_PW, new_password: NEW_PW },
    });
    expect(ok.status).toBe(200);
    expect(await mustChange('new.viewer')).toBe(false);
    const rotated = sessionOf(ok)!;
    const after = await call('GET', '/api/submissions', { cookie: rotated });
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ items: [], total: 0 });
    expect(
      ((await call('GET', '/api/auth/me', { cookie: rotated })).body.user as Record<string, unknown>)
        .must_change_password,
    ).toBe(false);
    // the old session ended with the change
    expect((await call('GET', '/api/auth/me', { cookie: s.cookie })).status).toBe(401);
  });

  it('is set again when an administrator resets the password, and binds API tokens too', async () => {
    const root = await loginAs('root', ADMIN_PW);
    const token = (
      await store.db.transaction((tx) =>
        createApiToken(tx, SYSTEM_ACTOR, 'new.viewer', { name: 'máy' }, new Date()),
      )
    ).token;
    expect((await call('GET', '/api/submissions', { bearer: token })).status).toBe(200);
    const reset = await call('POST', '/api/auth/users/new.viewer/password', {
      cookie: root.cookie,
      csrf: root.csrf,
      payload: { password: TEMP_PW },
    });
    expect(reset.status).toBe(200);
    expect(await mustChange('new.viewer')).toBe(true);
    const viaToken = await call('GET', '/api/submissions', { bearer: token, lang: 'en' });
    expect(viaToken.body).toMatchObject({ code: 'auth.password_change_required', status: 403 });
    expect((await call('GET', '/api/auth/me', { bearer: token })).status).toBe(200);

    // logout is allowed with a temporary password
    const s = await loginAs('new.viewer', TEMP_PW);
    const out = await call('POST', '/api/auth/logout', { cookie: s.cookie, csrf: s.csrf });
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ ended: true });

    // changing it through the token (current password needed) frees the token
    const changed = await call('POST', '/api/auth/password', {
      bearer: token,
      payload: { current_password: TEMP_PW, new_password: NEW_PW },
    });
    expect(changed.status).toBe(200);
    expect((await call('GET', '/api/submissions', { bearer: token })).status).toBe(200);
  });

  it('is not set when the administrator says so (machine accounts, scripted set-ups)', async () => {
    const root = await loginAs('root', ADMIN_PW);
    const created = await call('POST', '/api/auth/users', {
      cookie: root.cookie,
      csrf: root.csrf,
      payload: {
        username: 'script.viewer',
        password: TEMP_PW,
        must_change_password: false,
        grants: [{ role: 'viewer', org_unit: '79' }],
      },
    });
    expect(created.body).toMatchObject({ must_change_password: false });
    const s = await loginAs('script.viewer', TEMP_PW);
    expect((await call('GET', '/api/submissions', { cookie: s.cookie })).status).toBe(200);
    // a reset without a password change keeps it free too when asked; by default it is temporary
    await call('POST', '/api/auth/users/script.viewer/password', {
      cookie: root.cookie,
      csrf: root.csrf,
      payload: { password: NEW_PW, must_change_password: false },
    });
    expect(await mustChange('script.viewer')).toBe(false);
    // an account without a password (single sign-on) is never marked
    const sso = await call('POST', '/api/auth/users', {
      cookie: root.cookie,
      csrf: root.csrf,
      payload: { username: 'sso.only', grants: [{ role: 'viewer', org_unit: '79' }] },
    });
    expect(sso.body).toMatchObject({ has_password: false, must_change_password: false });
  });

  it('is audited: the creation, each reset and each change, without any password', async () => {
    const list = await rows<{ actor: string; action: string; data: Record<string, unknown> }>(
      store.db,
      sql`select actor, action, data from audit_log where entity = 'app_user' and action in ('user.create', 'user.password')
          and data->>'username' = 'new.viewer' order by seq`,
    );
    expect(list.map((a) => [a.actor, a.action])).toEqual([
      ['root', 'user.create'],
      ['new.viewer', 'user.password'],
      ['root', 'user.password'],
      ['new.viewer', 'user.password'],
    ]);
    expect(list[0]!.data).toMatchObject({ must_change_password: true });
    expect(list[1]!.data).toMatchObject({ self: true, temporary: false, temporary_replaced: true });
    expect(list[2]!.data).toMatchObject({ self: false, temporary: true });
    expect(list[3]!.data).toMatchObject({ self: true, temporary: false, temporary_replaced: true });
    const text = JSON.stringify(list);
    for (const pw of [TEMP_PW, NEW_PW]) expect(text).not.toContain(pw);
  });
});
