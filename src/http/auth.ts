/**
 * Who is calling: `Authorization: Bearer <API token>` or the `chiso_session` cookie, resolved
 * against the database on every request (so a revoked grant, session or token, or a disabled
 * account, takes effect at once). Also the CSRF rule for cookie sessions and the live route table.
 *
 * CSRF: a request authenticated by the session cookie with an unsafe method (POST, PUT, PATCH,
 * DELETE) must carry the header `x-csrf-token` equal to its session's CSRF token (given by
 * GET /api/auth/me and at login); otherwise 403 `auth.csrf`. Bearer tokens are exempt: a browser
 * never adds them on its own.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type AuthSettings, readAuthSettings } from '../app/auth/config.ts';
import { activeGrants } from '../app/auth/grants.ts';
import { resolveSession } from '../app/auth/sessions.ts';
import { resolveApiToken } from '../app/auth/tokens.ts';
import { ChisoError } from '../core/errors.ts';
import type { Store } from '../store/db.ts';
import type { Principal, RoutePolicy } from './policies/index.ts';
import type { App, ServerDeps } from './server.ts';

export const SESSION_COOKIE = 'chiso_session';
export const OIDC_COOKIE = 'chiso_oidc';
export const CSRF_HEADER = 'x-csrf-token';

export type Authenticator = ((req: FastifyRequest) => Promise<Principal | null>) & { settings: AuthSettings };

/** The value of one cookie of the request, or null. */
export function readCookie(req: FastifyRequest, name: string): string | null {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return null;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) {
      const v = part.slice(i + 1).trim();
      try {
        return decodeURIComponent(v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v);
      } catch {
        return null;
      }
    }
  }
  return null;
}

export function bearerToken(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1]! : null;
}

interface CookieOptions {
  path?: string;
  maxAge?: number;
}

/** A Set-Cookie value: httpOnly, SameSite=Lax, Secure when the request came over https. */
export function cookieHeader(
  req: FastifyRequest,
  name: string,
  value: string,
  o: CookieOptions = {},
): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${o.path ?? '/'}`, 'HttpOnly', 'SameSite=Lax'];
  if (o.maxAge !== undefined) {
    parts.push(`Max-Age=${o.maxAge}`);
    if (o.maxAge === 0) parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  }
  if (req.protocol === 'https') parts.push('Secure');
  return parts.join('; ');
}

export function addCookie(reply: FastifyReply, value: string): void {
  const prev = reply.getHeader('set-cookie');
  const list = prev === undefined ? [] : Array.isArray(prev) ? prev.map(String) : [String(prev)];
  reply.header('set-cookie', [...list, value]);
}

/**
 * The authenticator of a store: builds the caller's principal from a bearer token or the session
 * cookie. `settings` (timeouts, limits, single sign-on, clock) are read by the auth routes too.
 */
export function authenticatorFor(store: Store, settings: AuthSettings = readAuthSettings()): Authenticator {
  const authenticate = async (req: FastifyRequest): Promise<Principal | null> => {
    const bearer = bearerToken(req);
    if (bearer) {
      const t = await resolveApiToken(store.db, bearer, settings.now());
      if (!t) return null;
      return {
        kind: 'token',
        userId: t.userId,
        username: t.username,
        grants: await activeGrants(store.db, t.userId),
        mustChangePassword: t.mustChangePassword,
      };
    }
    const token = readCookie(req, SESSION_COOKIE);
    if (!token) return null;
    const s = await resolveSession(store.db, token, settings);
    if (!s) return null;
    return {
      kind: 'session',
      userId: s.userId,
      username: s.username,
      grants: await activeGrants(store.db, s.userId),
      sessionId: s.sessionId,
      csrfToken: s.csrfToken,
      mustChangePassword: s.mustChangePassword,
    };
  };
  return Object.assign(authenticate, { settings });
}

/** The auth settings in force for a server: its authenticator's, or the environment's. */
export function authSettingsOf(deps: ServerDeps): AuthSettings {
  const a = deps.authenticate as Partial<Authenticator> | undefined;
  return a?.settings ?? readAuthSettings();
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const sameString = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export const csrfRefused = (): ChisoError =>
  new ChisoError({
    code: 'auth.csrf',
    status: 403,
    vi: `Thiếu hoặc sai mã chống giả mạo yêu cầu (tiêu đề ${CSRF_HEADER}). Hãy tải lại trang.`,
    en: `Missing or wrong anti-forgery token (header ${CSRF_HEADER}). Reload the page.`,
  });

/**
 * The routes a user with a temporary password may call (besides public ones): change it, who am I,
 * sign out. Everything else answers 403 `auth.password_change_required`.
 */
export const TEMPORARY_PASSWORD_ROUTES: ReadonlySet<string> = new Set([
  'POST /api/auth/password',
  'GET /api/auth/me',
  'POST /api/auth/logout',
]);

export const passwordChangeRequired = (): ChisoError =>
  new ChisoError({
    code: 'auth.password_change_required',
    status: 403,
    vi: 'Mật khẩu của bạn là mật khẩu tạm thời do quản trị viên đặt. Hãy đổi mật khẩu (POST /api/auth/password) trước khi tiếp tục.',
    en: 'Your password is a temporary one set by an administrator. Change it (POST /api/auth/password) before going on.',
  });

/** One registered route with its policy: the live route table (for the access matrix and docs). */
export interface RouteEntry {
  method: string;
  url: string;
  policy: RoutePolicy | undefined;
  /** The route's schema as declared (Zod or JSON Schema). */
  schema: unknown;
  hidden: boolean;
}

/**
 * Installs the CSRF rule (after the caller is known) and records every route in `app.routeTable`.
 * Called by buildServer right after it installs authentication, before any route is registered.
 */
export function installAuthHooks(app: App): void {
  const table: RouteEntry[] = [];
  app.decorate('routeTable', table);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      const schema = route.schema as { hide?: boolean } | undefined;
      table.push({
        method: String(method),
        url: route.url,
        policy: route.config?.policy,
        schema: route.schema,
        hidden: schema?.hide === true,
      });
    }
  });
  // A temporary password: nothing but changing it (after the caller is known, before validation).
  app.addHook('preValidation', async (req) => {
    if (!req.principal?.mustChangePassword) return;
    const p = req.routeOptions.config?.policy;
    if (!p || p.kind === 'public') return;
    if (TEMPORARY_PASSWORD_ROUTES.has(`${req.method} ${req.routeOptions.url}`)) return;
    throw passwordChangeRequired();
  });
  app.addHook('onRequest', async (req) => {
    const p = req.principal;
    if (p?.kind !== 'session' || !UNSAFE.has(req.method)) return;
    const h = req.headers[CSRF_HEADER];
    if (typeof h !== 'string' || !p.csrfToken || !sameString(h, p.csrfToken)) throw csrfRefused();
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: RouteEntry[];
  }
}
