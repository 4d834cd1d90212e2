/**
 * Single sign-on with OpenID Connect (openid-client 6): authorization code flow with PKCE (S256),
 * `state` bound to the browser by a cookie and `nonce` checked in the ID token. The verifier and the
 * nonce wait in `oidc_request` (keyed by the sha256 of `state`, usable once, for 10 minutes), so any
 * process of a deployment can finish a login another one started.
 *
 * Users are matched by issuer + subject. A first login creates an account without roles (an
 * administrator grants them); accounts are never linked by e-mail, which an identity provider may
 * not verify. Works with any conforming provider: HCMC's public-servant SSO, Keycloak, WSO2 IS
 * (the national public-service portal), with claim names configurable (e.g. `HoVaTen`).
 */
import { timingSafeEqual } from 'node:crypto';
import { sql } from 'drizzle-orm';
import * as client from 'openid-client';
import { ChisoError } from '../../core/errors.ts';
import { foldVi } from '../../core/text.ts';
import { rows, type Store } from '../../store/db.ts';
import { appendAudit } from '../audit.ts';
import { addMinutes, type AuthSettings, type OidcSettings } from './config.ts';
import { createSession, revokePresentedSession, type SessionIssued } from './sessions.ts';
import { sha256Hex } from './tokens.ts';
import { createUser, findUser, USERNAME_RE, type UserRow } from './users.ts';

export const OIDC_REQUEST_MINUTES = 10;

const disabled = (): ChisoError =>
  new ChisoError({
    code: 'auth.oidc_disabled',
    status: 404,
    vi: 'Đăng nhập một lần (OpenID Connect) chưa được cấu hình.',
    en: 'Single sign-on (OpenID Connect) is not configured.',
  });

const failed = (why: string): ChisoError =>
  new ChisoError({
    code: 'auth.oidc_failed',
    status: 401,
    vi: `Đăng nhập một lần không thành công: ${why}`,
    en: `Single sign-on failed: ${why}`,
  });

const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '[::1]' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);

let cache: { key: string; config: Promise<client.Configuration> } | undefined;

/** The provider's configuration, discovered once per process (retried after a failure). */
export function oidcConfiguration(s: OidcSettings): Promise<client.Configuration> {
  const key = JSON.stringify([s.issuer, s.clientId, s.clientSecret, s.clientAuth, s.allowHttp]);
  if (cache?.key === key) return cache.config;
  const issuer = new URL(s.issuer);
  const insecure = issuer.protocol === 'http:';
  if (insecure && !isLoopback(issuer.hostname) && !s.allowHttp) {
    throw new ChisoError({
      code: 'config.invalid',
      field: 'CHISO_OIDC_ISSUER',
      status: 500,
      vi: 'CHISO_OIDC_ISSUER phải dùng https (http chỉ được phép trên máy cục bộ hoặc khi đặt CHISO_OIDC_ALLOW_HTTP=1).',
      en: 'CHISO_OIDC_ISSUER must use https (http only on the loopback interface or with CHISO_OIDC_ALLOW_HTTP=1).',
    });
  }
  const auth =
    s.clientAuth === 'none'
      ? client.None()
      : s.clientAuth === 'client_secret_basic'
        ? client.ClientSecretBasic(s.clientSecret)
        : client.ClientSecretPost(s.clientSecret);
  const config = client
    .discovery(
      issuer,
      s.clientId,
      s.clientSecret ? { client_secret: s.clientSecret } : undefined,
      auth,
      insecure ? { execute: [client.allowInsecureRequests], timeout: 10 } : { timeout: 10 },
    )
    .catch((e: unknown) => {
      if (cache?.key === key) cache = undefined;
      throw new ChisoError({
        code: 'auth.oidc_unavailable',
        status: 503,
        vi: `Không kết nối được nhà cung cấp định danh ${s.issuer}: ${(e as Error).message}`,
        en: `The identity provider ${s.issuer} cannot be reached: ${(e as Error).message}`,
      });
    });
  cache = { key, config };
  return config;
}

/** A relative path inside chiso to return to after login; anything else becomes '/'. */
export function safeReturnTo(raw: string | null | undefined): string {
  if (!raw || raw.length > 500) return '/';
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\') || /[\r\n]/.test(raw)) return '/';
  return raw;
}

export interface OidcStart {
  /** Where to send the browser. */
  url: string;
  /** To bind to the browser (cookie) and compare on return. */
  state: string;
}

export async function startOidcLogin(
  store: Store,
  settings: AuthSettings,
  input: { returnTo?: string | null | undefined; ip: string },
): Promise<OidcStart> {
  const s = settings.oidc;
  if (!s) throw disabled();
  const config = await oidcConfiguration(s);
  const codeVerifier = client.randomPKCECodeVerifier();
  const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier);
  const state = client.randomState();
  const nonce = client.randomNonce();
  const now = settings.now();
  await store.db.execute(
    sql`insert into oidc_request (id, code_verifier, nonce, return_to, created_at, expires_at, ip)
        values (${sha256Hex(state)}, ${codeVerifier}, ${nonce}, ${safeReturnTo(input.returnTo)}, ${now.toISOString()},
                ${addMinutes(now, OIDC_REQUEST_MINUTES).toISOString()}, ${input.ip.slice(0, 100)})`,
  );
  const params: Record<string, string> = {
    redirect_uri: s.redirectUri,
    scope: s.scopes,
    response_type: 'code',
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
    state,
    nonce,
  };
  if (s.acrValues) params.acr_values = s.acrValues;
  return { url: client.buildAuthorizationUrl(config, params).href, state };
}

const sameString = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

const claimString = (claims: Record<string, unknown>, name: string): string | null => {
  const v = claims[name];
  return typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' ? String(v) : null;
};

/** A free username derived from the provider's claims. */
async function freeUsername(store: Store, s: OidcSettings, claims: Record<string, unknown>, subject: string) {
  const candidates: string[] = [];
  for (const raw of [
    claimString(claims, s.usernameClaim),
    claimString(claims, s.emailClaim)?.split('@')[0],
  ]) {
    if (!raw) continue;
    const c = foldVi(raw)
      .replace(/[^a-z0-9._@-]+/g, '-')
      .replace(/^[^a-z0-9]+/, '')
      .slice(0, 56);
    if (USERNAME_RE.test(c)) candidates.push(c);
  }
  candidates.push(`sso-${sha256Hex(`${s.issuer} ${subject}`).slice(0, 12)}`);
  for (const base of candidates) {
    for (let i = 1; i <= 20; i++) {
      const name = i === 1 ? base : `${base}-${i}`;
      if (!(await findUser(store.db, name))) return name;
    }
  }
  return `sso-${sha256Hex(`${s.issuer} ${subject} ${Date.now()}`).slice(0, 16)}`;
}

export interface OidcResult {
  session: SessionIssued;
  user: { id: number; username: string; display_name: string };
  returnTo: string;
  /** True when this login created the account. */
  created: boolean;
}

/**
 * Finishes a login at the redirect URI: checks `state` against the browser's cookie, redeems the
 * code with the PKCE verifier, verifies the ID token (signature, issuer, audience, nonce), then
 * finds or creates the account and opens a session.
 */
export async function completeOidcLogin(
  store: Store,
  settings: AuthSettings,
  input: {
    /** The callback URL with its query (code, state, iss …). */
    query: URLSearchParams;
    cookieState: string | null | undefined;
    ip: string;
    userAgent?: string | null | undefined;
    presentedToken?: string | null | undefined;
  },
): Promise<OidcResult> {
  const s = settings.oidc;
  if (!s) throw disabled();
  const ip = input.ip.slice(0, 100);
  const audit = async (reason: string, extra: Record<string, unknown> = {}) =>
    store.db.transaction((tx) =>
      appendAudit(tx, {
        actor: 'anonymous',
        action: 'auth.login_failed',
        entity: 'app_user',
        entityId: null,
        data: { method: 'oidc', ip, reason, ...extra },
      }),
    );
  const state = input.query.get('state');
  if (!state || !input.cookieState || !sameString(state, input.cookieState)) {
    await audit('state_mismatch');
    throw new ChisoError({
      code: 'auth.oidc_state',
      status: 400,
      vi: 'Phiên đăng nhập một lần không khớp với trình duyệt này (thiếu hoặc sai state). Hãy đăng nhập lại.',
      en: 'The single sign-on response does not belong to this browser (missing or wrong state). Sign in again.',
    });
  }
  const now = settings.now();
  const pending = await store.db.transaction(async (tx) => {
    const [r] = await rows<{
      code_verifier: string;
      nonce: string;
      return_to: string;
      expires_at: string;
      used_at: string | null;
    }>(
      tx,
      sql`select code_verifier, nonce, return_to, expires_at, used_at from oidc_request where id = ${sha256Hex(state)} for update`,
    );
    if (!r || r.used_at || new Date(r.expires_at).getTime() <= now.getTime()) return null;
    await tx.execute(
      sql`update oidc_request set used_at = ${now.toISOString()} where id = ${sha256Hex(state)}`,
    );
    return r;
  });
  if (!pending) {
    await audit('request_expired');
    throw new ChisoError({
      code: 'auth.oidc_expired',
      status: 400,
      vi: 'Yêu cầu đăng nhập một lần đã hết hạn hoặc đã được dùng. Hãy đăng nhập lại.',
      en: 'The single sign-on request has expired or was already used. Sign in again.',
    });
  }
  const providerError = input.query.get('error');
  if (providerError) {
    await audit('provider_error', { error: providerError.slice(0, 100) });
    throw failed(
      `${providerError.slice(0, 100)} ${input.query.get('error_description')?.slice(0, 300) ?? ''}`.trim(),
    );
  }

  const config = await oidcConfiguration(s);
  const callback = new URL(s.redirectUri);
  callback.search = input.query.toString();
  let claims: Record<string, unknown>;
  try {
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: pending.code_verifier,
      expectedState: state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims();
    if (!idClaims) throw new Error('no ID token');
    claims = { ...idClaims };
    if (config.serverMetadata().userinfo_endpoint && tokens.access_token) {
      const info = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
      claims = { ...info, ...claims };
      for (const k of [s.usernameClaim, s.nameClaim, s.emailClaim])
        if (info[k] !== undefined) claims[k] = info[k];
    }
  } catch (e) {
    // openid-client's ResponseBodyError carries the provider's OAuth error code and description.
    const oauth = e as { error?: unknown; error_description?: unknown; message?: string };
    const why =
      typeof oauth.error === 'string'
        ? `${oauth.error}${typeof oauth.error_description === 'string' ? ` (${oauth.error_description})` : ''}`
        : (oauth.message ?? String(e));
    await audit('code_exchange', { error: why.slice(0, 300) });
    throw failed(why.slice(0, 300));
  }
  const issuer = String(claims.iss);
  const subject = String(claims.sub);

  let user: UserRow | null =
    (
      await rows<UserRow>(
        store.db,
        sql`select * from app_user where oidc_issuer = ${issuer} and oidc_subject = ${subject}`,
      )
    )[0] ?? null;
  let created = false;
  if (!user) {
    const username = await freeUsername(store, s, claims, subject);
    user = await store.db.transaction((tx) =>
      createUser(
        tx,
        { userId: null, username: 'oidc' },
        {
          username,
          display_name: claimString(claims, s.nameClaim) ?? username,
          email: claimString(claims, s.emailClaim)?.match(/^[^\s@]+@[^\s@]+\.[^\s@]+$/)
            ? claimString(claims, s.emailClaim)
            : null,
          oidc: { issuer, subject },
        },
      ),
    );
    created = true;
  }
  const u = user;
  if (u.disabled || u.archived_at) {
    await audit('disabled', { username: u.username });
    throw new ChisoError({
      code: 'auth.disabled',
      status: 403,
      vi: 'Tài khoản đã bị vô hiệu hóa. Hãy liên hệ quản trị viên.',
      en: 'The account is disabled. Ask an administrator.',
    });
  }
  const session = await store.db.transaction(async (tx) => {
    await revokePresentedSession(tx, input.presentedToken, 'replaced_by_login');
    const issued = await createSession(tx, u.id, 'oidc', { ip, userAgent: input.userAgent }, settings);
    await tx.execute(sql`update app_user set last_login_at = ${now.toISOString()} where id = ${u.id}`);
    await appendAudit(tx, {
      actor: u.username,
      action: 'auth.login',
      entity: 'app_user',
      entityId: u.id,
      data: { username: u.username, ip, method: 'oidc', issuer, session: issued.id.slice(0, 12) },
    });
    return issued;
  });
  return {
    session,
    user: { id: u.id, username: u.username, display_name: u.display_name },
    returnTo: safeReturnTo(pending.return_to),
    created,
  };
}
