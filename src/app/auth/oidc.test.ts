/**
 * Single sign-on against a real OpenID Connect provider (the oidc-provider package) started on
 * 127.0.0.1 at a random port: the full authorization code flow with PKCE, driven like a browser
 * (redirects, the provider's cookies), through chiso's HTTP routes — on PGlite and PostgreSQL.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '../../../test/db.ts';
import { readConfig } from '../../config.ts';
import { authenticatorFor } from '../../http/auth.ts';
import { type App, buildServer } from '../../http/server.ts';
import { rows, type Store } from '../../store/db.ts';
import { type AuthSettings, readAuthSettings } from './config.ts';
import { createUser, disableUser, SYSTEM_ACTOR } from './users.ts';

const CLIENT_ID = 'chiso-test';
const CLIENT_SECRET = 'a-client-secret-for-tests-only';
const REDIRECT_URI = 'http://chiso.test/api/auth/oidc/callback';

/** The people the provider knows: subject → claims. */
const PEOPLE: Record<string, Record<string, string>> = {
  'cccd-079200001234': {
    name: 'Nguyễn Văn An',
    preferred_username: 'nguyen.van.an',
    email: 'an.nv@tphcm.gov.vn',
  },
  'cccd-079200005678': { name: 'Trần Thị Bình', preferred_username: 'Trần Thị Bình' },
};

let provider: InstanceType<typeof Provider>;
let server: Server;
let issuer: string;
let store: Store;
let app: App;
/** Who signs in at the provider in the next flow. */
let signingIn = 'cccd-079200001234';
/** What the provider saw at its authorization endpoint, for the PKCE assertions. */
let lastAuthParams: URLSearchParams | null = null;

beforeAll(async () => {
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    async findAccount(_ctx, sub) {
      if (!PEOPLE[sub]) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...PEOPLE[sub] }) };
    },
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email'] },
    pkce: { required: () => true },
    cookies: { keys: ['cookie-key-for-tests-only'] },
    // the provider's own signing key for ID tokens, made for this run
    jwks: {
      keys: [
        {
          ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
          kid: 'test',
          use: 'sig',
        },
      ],
    },
    features: { devInteractions: { enabled: false } },
    interactions: { url: async (_ctx, interaction) => `/interaction/${interaction.uid}` },
  });
  // The provider's login and consent screens, answered as the person `signingIn`.
  provider.use(async (ctx, next) => {
    if (ctx.path === '/auth') lastAuthParams = new URLSearchParams(ctx.querystring);
    if (!ctx.path.startsWith('/interaction/')) return next();
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    let result: Record<string, unknown>;
    if (details.prompt.name === 'login') {
      result = { login: { accountId: signingIn } };
    } else {
      const grant = new provider.Grant({ accountId: details.session!.accountId!, clientId: CLIENT_ID });
      const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      result = { consent: { grantId: await grant.save() } };
    }
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, {
      mergeWithLastSubmission: false,
    });
    ctx.status = 303;
    ctx.redirect(returnTo);
  });
  server.on('request', provider.callback());

  store = await openTestStore();
  const settings: AuthSettings = {
    ...readAuthSettings({}),
    oidc: {
      issuer,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri: REDIRECT_URI,
      scopes: 'openid profile email',
      acrValues: undefined,
      usernameClaim: 'preferred_username',
      nameClaim: 'name',
      emailClaim: 'email',
      clientAuth: 'client_secret_post',
      allowHttp: false,
    },
  };
  app = await buildServer({ store, config: readConfig({}), authenticate: authenticatorFor(store, settings) });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await store?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

/** A browser's cookie jar for the provider (chiso's cookies are carried by hand). */
class Jar {
  private cookies = new Map<string, string>();
  take(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i);
      const value = pair!.slice(i + 1);
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(c) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** Follows the provider's redirects until it sends the browser back to chiso's redirect URI. */
async function throughProvider(authUrl: string): Promise<URL> {
  const jar = new Jar();
  let url = authUrl;
  for (let hop = 0; hop < 10; hop++) {
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
    jar.take(res);
    const loc = res.headers.get('location');
    if (!loc) throw new Error(`provider answered ${res.status} at ${url}: ${await res.text()}`);
    const next = new URL(loc, url);
    if (next.href.startsWith(REDIRECT_URI)) return next;
    url = next.href;
  }
  throw new Error('too many redirects at the provider');
}

interface Flow {
  start: Awaited<ReturnType<App['inject']>>;
  stateCookie: string;
  callback: URL;
}
async function flow(returnTo?: string): Promise<Flow> {
  const start = await app.inject({
    method: 'GET',
    url: `/api/auth/oidc/start${returnTo ? `?return_to=${encodeURIComponent(returnTo)}` : ''}`,
  });
  expect(start.statusCode).toBe(302);
  const setCookie = ([] as string[]).concat(start.headers['set-cookie'] as string | string[]);
  const sc = setCookie.find((c) => c.startsWith('chiso_oidc='))!;
  expect(sc).toMatch(/; Path=\/api\/auth\/oidc; HttpOnly; SameSite=Lax; Max-Age=600/);
  const stateCookie = sc.split(';')[0]!.slice('chiso_oidc='.length);
  const callback = await throughProvider(String(start.headers.location));
  return { start, stateCookie, callback };
}
const finish = (f: Flow, cookie = `chiso_oidc=${f.stateCookie}`) =>
  app.inject({ method: 'GET', url: `/api/auth/oidc/callback${f.callback.search}`, headers: { cookie } });
const sessionCookie = (r: Awaited<ReturnType<App['inject']>>): string | null => {
  const all = ([] as string[]).concat((r.headers['set-cookie'] as string | string[] | undefined) ?? []);
  const c = all.find((x) => x.startsWith('chiso_session=') && !x.startsWith('chiso_session=;'));
  return c ? c.split(';')[0]!.slice('chiso_session='.length) : null;
};

describe('OpenID Connect single sign-on', () => {
  it('sends the browser to the provider with PKCE (S256), state and nonce', async () => {
    const start = await app.inject({ method: 'GET', url: '/api/auth/oidc/start' });
    const loc = new URL(String(start.headers.location));
    expect(`${loc.origin}${loc.pathname}`).toBe(`${issuer}/auth`);
    const q = loc.searchParams;
    expect(q.get('client_id')).toBe(CLIENT_ID);
    expect(q.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(q.get('response_type')).toBe('code');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // the verifier stays on the server: only its hash reaches the browser
    const [r] = await rows<{ code_verifier: string }>(
      store.db,
      sql`select code_verifier from oidc_request order by created_at desc limit 1`,
    );
    expect(loc.href).not.toContain(r!.code_verifier);
  });

  it('runs the whole code flow: creates the account without roles, opens a session, returns', async () => {
    signingIn = 'cccd-079200001234';
    const f = await flow('/bao-cao?ky=2025Q3');
    expect(lastAuthParams?.get('code_challenge')).toBeTruthy();
    expect(f.callback.searchParams.get('code')).toBeTruthy();
    expect(f.callback.searchParams.get('iss')).toBe(issuer);
    const done = await finish(f);
    expect(done.statusCode).toBe(302);
    expect(done.headers.location).toBe('/bao-cao?ky=2025Q3');
    const cookie = sessionCookie(done);
    expect(cookie).toBeTruthy();
    const me = await app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: { cookie: `chiso_session=${cookie}` },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      auth: 'session',
      user: {
        username: 'nguyen.van.an',
        display_name: 'Nguyễn Văn An',
        email: 'an.nv@tphcm.gov.vn',
        sso: true,
        has_password: false,
        grants: [],
      },
    });
    const [u] = await rows<{ oidc_issuer: string; oidc_subject: string }>(
      store.db,
      sql`select oidc_issuer, oidc_subject from app_user where username = 'nguyen.van.an'`,
    );
    expect(u).toEqual({ oidc_issuer: issuer, oidc_subject: 'cccd-079200001234' });
    const audit = await rows<{ actor: string; action: string; data: Record<string, unknown> }>(
      store.db,
      sql`select actor, action, data from audit_log where action in ('user.create', 'auth.login') order by seq`,
    );
    expect(audit).toEqual([
      expect.objectContaining({ actor: 'oidc', action: 'user.create' }),
      expect.objectContaining({
        actor: 'nguyen.van.an',
        action: 'auth.login',
        data: expect.objectContaining({ method: 'oidc', issuer }),
      }),
    ]);
  });

  it('finds the same account by issuer and subject on the next login', async () => {
    signingIn = 'cccd-079200001234';
    const done = await finish(await flow());
    expect(done.statusCode).toBe(302);
    expect(done.headers.location).toBe('/');
    const [n] = await rows<{ n: number }>(
      store.db,
      sql`select count(*)::int as n from app_user where oidc_subject = 'cccd-079200001234'`,
    );
    expect(n!.n).toBe(1);
  });

  it('never links to a local account by name: a taken username gets a suffix', async () => {
    await store.db.transaction((tx) =>
      createUser(tx, SYSTEM_ACTOR, { username: 'tran-thi-binh', password: 'mật khẩu cục bộ' }),
    );
    signingIn = 'cccd-079200005678';
    const done = await finish(await flow());
    expect(done.statusCode).toBe(302);
    const [u] = await rows<{ username: string; display_name: string }>(
      store.db,
      sql`select username, display_name from app_user where oidc_subject = 'cccd-079200005678'`,
    );
    expect(u).toEqual({ username: 'tran-thi-binh-2', display_name: 'Trần Thị Bình' });
  });

  it('refuses a response that belongs to another browser, and a replayed one', async () => {
    signingIn = 'cccd-079200001234';
    const f = await flow();
    const noCookie = await finish(f, '');
    expect(noCookie.statusCode).toBe(400);
    expect(noCookie.json()).toMatchObject({ code: 'auth.oidc_state' });
    expect(sessionCookie(noCookie)).toBeNull();
    const other = await flow();
    const crossed = await finish(f, `chiso_oidc=${other.stateCookie}`);
    expect(crossed.json()).toMatchObject({ code: 'auth.oidc_state' });
    expect((await finish(f)).statusCode).toBe(302);
    const replay = await finish(f);
    expect(replay.statusCode).toBe(400);
    expect(replay.json()).toMatchObject({ code: 'auth.oidc_expired' });
  });

  it('fails when the PKCE verifier does not match the challenge the provider saw', async () => {
    signingIn = 'cccd-079200001234';
    const f = await flow();
    await store.db.execute(
      sql`update oidc_request set code_verifier = ${'x'.repeat(43)} where used_at is null`,
    );
    const r = await finish(f);
    expect(r.statusCode).toBe(401);
    expect(r.json()).toMatchObject({ code: 'auth.oidc_failed' });
    expect(r.json().en).toMatch(/^Single sign-on failed: invalid_grant/);
    expect(sessionCookie(r)).toBeNull();
  });

  it('refuses a disabled account and never redirects off-site', async () => {
    await store.db.transaction((tx) => disableUser(tx, SYSTEM_ACTOR, 'nguyen.van.an', 'left'));
    signingIn = 'cccd-079200001234';
    const r = await finish(await flow());
    expect(r.statusCode).toBe(403);
    expect(r.json()).toMatchObject({ code: 'auth.disabled' });
    signingIn = 'cccd-079200005678';
    const off = await finish(await flow('//evil.example/steal'));
    expect(off.headers.location).toBe('/');
  });

  it('audits failed single sign-on attempts', async () => {
    const reasons = await rows<{ reason: string }>(
      store.db,
      sql`select data->>'reason' as reason from audit_log where action = 'auth.login_failed' order by seq`,
    );
    expect(reasons.map((r) => r.reason)).toEqual([
      'state_mismatch',
      'state_mismatch',
      'request_expired',
      'code_exchange',
      'disabled',
    ]);
  });
});
