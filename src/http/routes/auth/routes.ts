/**
 * Accounts and access over HTTP: login / logout / me, single sign-on (OpenID Connect), password
 * change, and administration of users, role grants and API tokens.
 *
 * Who may administer whom: an administrator acts on a user only when they are admin on every unit
 * the user holds a role on (users without any role: programme-wide administrators only); a role on
 * a unit can be granted or revoked only by an admin of that unit's subtree, so nobody can hand out
 * more than they hold. Everyone manages their own password and API tokens.
 */
import type { FastifyRequest } from 'fastify';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { grantHistory, grantPath, grantRole, revokeRole, unitPathOf } from '../../../app/auth/grants.ts';
import { completeOidcLogin, OIDC_REQUEST_MINUTES, startOidcLogin } from '../../../app/auth/oidc.ts';
import { checkPasswordPolicy } from '../../../app/auth/passwords.ts';
import {
  zGrantInput,
  zGrantOut,
  zIdParams,
  zLoginInput,
  zMe,
  zPasswordChange,
  zPasswordReset,
  zReason,
  zTokenCreated,
  zTokenInput,
  zTokenOut,
  zUserInput,
  zUserOut,
  zUsernameParams,
  zUserPatch,
} from '../../../app/auth/schemas.ts';
import { createSession, login, logout, passwordAttempt } from '../../../app/auth/sessions.ts';
import { createApiToken, listApiTokens, revokeApiToken } from '../../../app/auth/tokens.ts';
import {
  type Actor,
  createUser,
  disableUser,
  enableUser,
  findUserById,
  grantsOfUsers,
  listUsers,
  normalizeUsername,
  presentUser,
  requireUser,
  setPassword,
  unlockUser,
  updateUser,
  userScopePaths,
} from '../../../app/auth/users.ts';
import { ChisoError, isChisoError } from '../../../core/errors.ts';
import { rows } from '../../../store/db.ts';
import {
  addCookie,
  authSettingsOf,
  cookieHeader,
  OIDC_COOKIE,
  readCookie,
  SESSION_COOKIE,
} from '../../auth.ts';
import {
  hasCatalogueRole,
  type Principal,
  policy,
  type ScopeResolver,
  scopeRoots,
  unauthenticated,
} from '../../policies/index.ts';
import type { App, ServerDeps } from '../../server.ts';
import { zPage } from '../common.ts';

const TAGS = ['accounts'];

const actorOf = (p: Principal | null): Actor => {
  if (!p) throw unauthenticated();
  return { userId: p.userId > 0 ? p.userId : null, username: p.username };
};

const meta = (req: FastifyRequest) => ({
  ip: req.ip ?? '-',
  userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : null,
});

export default async function authRoutes(app: App, deps: ServerDeps): Promise<void> {
  const { store } = deps;
  const db = store.db;
  const settings = authSettingsOf(deps);

  // ---- scope resolvers ----
  /** The units of every role the user named in the path holds: an admin must cover them all. */
  const userScope: ScopeResolver = async (req) =>
    (await userScopePaths(db, (req.params as { username: string }).username)) ?? [];
  /** The units of the grants a new user is created with. */
  const newUserScope: ScopeResolver = async (req) => {
    const grants = (req.body as { grants?: Array<{ org_unit: string | null }> }).grants ?? [];
    const out: string[] = [];
    for (const g of grants) {
      const p = await unitPathOf(db, g.org_unit);
      if (p) out.push(p);
    }
    return out;
  };
  /** The unit a role is being granted on ('/' for every unit). */
  const grantScope: ScopeResolver = async (req) => {
    const p = await unitPathOf(db, (req.body as { org_unit: string | null }).org_unit);
    return p ? [p] : [];
  };
  const revokeScope: ScopeResolver = async (req) => {
    const p = await grantPath(db, (req.params as { id: number }).id);
    return p ? [p] : [];
  };

  const presentById = async (userId: number) => {
    const u = await findUserById(db, userId);
    if (!u) throw unauthenticated();
    const grants = await grantsOfUsers(db, [u.id]);
    return presentUser(u, grants.get(u.id) ?? [], settings.now());
  };
  const presentByName = async (username: string) => {
    const u = await requireUser(db, username);
    return presentById(u.id);
  };

  // ---- signing in and out ----
  app.get(
    '/api/auth/providers',
    {
      schema: { tags: TAGS, summary: 'How one can sign in: password, and single sign-on when configured' },
      config: { policy: policy.public() },
    },
    async () => ({
      password: true,
      oidc: settings.oidc
        ? { enabled: true, start: '/api/auth/oidc/start' }
        : { enabled: false, start: null },
    }),
  );

  app.post(
    '/api/auth/login',
    {
      schema: {
        tags: TAGS,
        summary: 'Sign in with a username and password; sets the chiso_session cookie',
        body: zLoginInput,
        response: { 200: zMe },
      },
      config: { policy: policy.public() },
    },
    async (req, reply) => {
      try {
        const r = await login(
          store,
          { ...req.body, ...meta(req), presentedToken: readCookie(req, SESSION_COOKIE) },
          settings,
        );
        addCookie(reply, cookieHeader(req, SESSION_COOKIE, r.session.token));
        reply.header('cache-control', 'no-store');
        return {
          user: await presentById(r.user.id),
          auth: 'session' as const,
          csrf_token: r.session.csrfToken,
          session: {
            idle_expires_at: r.session.idleExpiresAt,
            absolute_expires_at: r.session.absoluteExpiresAt,
          },
        };
      } catch (e) {
        const retry = isChisoError(e) ? e.details?.retry_after : undefined;
        if (typeof retry === 'number') reply.header('retry-after', String(retry));
        throw e;
      }
    },
  );

  app.post(
    '/api/auth/logout',
    {
      schema: { tags: TAGS, summary: 'End the current session and clear its cookie' },
      config: { policy: policy.authenticated() },
    },
    async (req, reply) => {
      const p = req.principal!;
      if (p.kind === 'session' && p.sessionId) {
        const sid = p.sessionId;
        await db.transaction((tx) => logout(tx, actorOf(p), sid, meta(req)));
      }
      addCookie(reply, cookieHeader(req, SESSION_COOKIE, '', { maxAge: 0 }));
      return { ended: p.kind === 'session' };
    },
  );

  app.get(
    '/api/auth/me',
    {
      schema: {
        tags: TAGS,
        summary: 'Who I am: my account, my roles and units, and the CSRF token of my session',
        response: { 200: zMe },
      },
      config: { policy: policy.authenticated() },
    },
    async (req, reply) => {
      const p = req.principal!;
      reply.header('cache-control', 'no-store');
      let session: { idle_expires_at: string; absolute_expires_at: string } | null = null;
      if (p.kind === 'session' && p.sessionId) {
        const [s] = await rows<{ idle_expires_at: string; absolute_expires_at: string }>(
          db,
          sql`select idle_expires_at, absolute_expires_at from session where id = ${p.sessionId}`,
        );
        if (s) {
          session = {
            idle_expires_at: new Date(s.idle_expires_at).toISOString(),
            absolute_expires_at: new Date(s.absolute_expires_at).toISOString(),
          };
        }
      }
      return {
        user: await presentById(p.userId),
        auth: p.kind,
        csrf_token: p.kind === 'session' ? (p.csrfToken ?? null) : null,
        session,
      };
    },
  );

  app.post(
    '/api/auth/password',
    {
      schema: {
        tags: TAGS,
        summary:
          'Change my password (ends my other sessions; a cookie session gets a new session id); clears a temporary password',
        body: zPasswordChange,
      },
      config: { policy: policy.authenticated() },
    },
    async (req, reply) => {
      const p = req.principal!;
      const me = await presentById(p.userId);
      checkPasswordPolicy(me.username, req.body.new_password, 'new_password');
      if (req.body.new_password === req.body.current_password) {
        throw new ChisoError({
          code: 'auth.password_unchanged',
          status: 400,
          field: 'new_password',
          vi: 'Mật khẩu mới phải khác mật khẩu hiện tại.',
          en: 'The new password must differ from the current one.',
        });
      }
      let issued: Awaited<ReturnType<typeof createSession>> | null = null;
      try {
        issued = await passwordAttempt(
          store,
          { username: me.username, password: req.body.current_password, ...meta(req) },
          settings,
          'password_change',
          async (tx) => {
            await setPassword(tx, actorOf(p), me.username, req.body.new_password);
            return p.kind === 'session' ? createSession(tx, p.userId, 'password', meta(req), settings) : null;
          },
        );
      } catch (e) {
        const retry = isChisoError(e) ? e.details?.retry_after : undefined;
        if (typeof retry === 'number') reply.header('retry-after', String(retry));
        if (isChisoError(e) && e.code === 'auth.invalid_credentials') {
          throw new ChisoError({
            code: 'auth.current_password',
            status: 400,
            field: 'current_password',
            vi: 'Mật khẩu hiện tại không đúng.',
            en: 'The current password is wrong.',
          });
        }
        throw e;
      }
      if (issued) addCookie(reply, cookieHeader(req, SESSION_COOKIE, issued.token));
      return { changed: true, csrf_token: issued?.csrfToken ?? null };
    },
  );

  // ---- single sign-on ----
  app.get(
    '/api/auth/oidc/start',
    {
      schema: {
        tags: TAGS,
        summary: 'Start single sign-on: redirects to the identity provider (authorization code + PKCE)',
        querystring: z.object({ return_to: z.string().max(500).optional() }),
      },
      config: { policy: policy.public() },
    },
    async (req, reply) => {
      const r = await startOidcLogin(store, settings, { returnTo: req.query.return_to, ip: req.ip });
      addCookie(
        reply,
        cookieHeader(req, OIDC_COOKIE, r.state, {
          path: '/api/auth/oidc',
          maxAge: OIDC_REQUEST_MINUTES * 60,
        }),
      );
      reply.header('cache-control', 'no-store');
      return reply.redirect(r.url, 302);
    },
  );

  app.get(
    '/api/auth/oidc/callback',
    {
      schema: {
        tags: TAGS,
        summary: 'Single sign-on redirect URI: finishes the login, sets the session cookie, redirects back',
        querystring: z.record(z.string(), z.string()),
      },
      config: { policy: policy.public() },
    },
    async (req, reply) => {
      addCookie(reply, cookieHeader(req, OIDC_COOKIE, '', { path: '/api/auth/oidc', maxAge: 0 }));
      const r = await completeOidcLogin(store, settings, {
        query: new URLSearchParams(req.query),
        cookieState: readCookie(req, OIDC_COOKIE),
        ...meta(req),
        presentedToken: readCookie(req, SESSION_COOKIE),
      });
      addCookie(reply, cookieHeader(req, SESSION_COOKIE, r.session.token));
      reply.header('cache-control', 'no-store');
      return reply.redirect(r.returnTo, 302);
    },
  );

  // ---- my API tokens ----
  app.get(
    '/api/auth/tokens',
    {
      schema: {
        tags: TAGS,
        summary: 'My API tokens (never the tokens themselves)',
        response: { 200: z.object({ items: z.array(zTokenOut) }) },
      },
      config: { policy: policy.authenticated() },
    },
    async (req) => ({ items: await listApiTokens(db, req.principal!.username) }),
  );
  app.post(
    '/api/auth/tokens',
    {
      schema: {
        tags: TAGS,
        summary: 'Create an API token for myself; the token is in this answer only',
        body: zTokenInput,
        response: { 201: zTokenCreated },
      },
      config: { policy: policy.authenticated() },
    },
    async (req, reply) => {
      const p = req.principal!;
      const t = await db.transaction((tx) =>
        createApiToken(tx, actorOf(p), p.username, req.body, settings.now()),
      );
      reply.header('cache-control', 'no-store');
      return reply.status(201).send(t);
    },
  );
  app.post(
    '/api/auth/tokens/:id/revoke',
    {
      schema: {
        tags: TAGS,
        summary: 'Revoke one of my API tokens',
        params: zIdParams,
        response: { 200: zTokenOut },
      },
      config: { policy: policy.authenticated() },
    },
    async (req) => {
      const p = req.principal!;
      return db.transaction((tx) => revokeApiToken(tx, actorOf(p), p.username, req.params.id));
    },
  );

  // ---- administration: users ----
  app.get(
    '/api/auth/users',
    {
      schema: {
        tags: TAGS,
        summary:
          'Users with a role in my administrative scope (and, for programme-wide admins, users without roles)',
        querystring: z.object({ q: z.string().max(200).optional() }).extend(zPage.shape),
      },
      config: { policy: policy.anyUnit('admin') },
    },
    async (req) => {
      const { limit, offset, q } = req.query;
      const r = await listUsers(
        db,
        {
          q,
          scopeRoots: scopeRoots(req.principal, 'admin'),
          includeUngranted: hasCatalogueRole(req.principal, 'admin'),
        },
        { limit, offset },
        settings.now(),
      );
      return { ...r, limit, offset };
    },
  );
  app.post(
    '/api/auth/users',
    {
      schema: {
        tags: TAGS,
        summary:
          'Create a user, optionally with roles (admin on each unit granted; no roles: programme-wide admin)',
        body: zUserInput,
        response: { 201: zUserOut },
      },
      config: { policy: policy.onUnits('admin', newUserScope) },
    },
    async (req, reply) => {
      const actor = actorOf(req.principal);
      const { grants, ...input } = req.body;
      const u = await db.transaction(async (tx) => {
        // a password chosen by an administrator is temporary unless the request says otherwise
        const created = await createUser(tx, actor, {
          ...input,
          must_change_password: input.must_change_password ?? true,
        });
        for (const g of grants ?? []) await grantRole(tx, actor, created.username, g);
        return created;
      });
      return reply.status(201).send(await presentById(u.id));
    },
  );
  app.get(
    '/api/auth/users/:username',
    {
      schema: {
        tags: TAGS,
        summary: 'One user with roles and the history of their grants',
        params: zUsernameParams,
      },
      config: { policy: policy.onUnits('admin', userScope) },
    },
    async (req) => ({
      ...(await presentByName(req.params.username)),
      grant_history: (await grantHistory(db, req.params.username)).map((g) => ({
        id: g.id,
        role: g.role,
        org_unit: g.org_unit,
        created_at: new Date(g.created_at).toISOString(),
        revoked_at: g.revoked_at ? new Date(g.revoked_at).toISOString() : null,
      })),
    }),
  );
  app.patch(
    '/api/auth/users/:username',
    {
      schema: {
        tags: TAGS,
        summary: 'Change a user’s name or e-mail',
        params: zUsernameParams,
        body: zUserPatch,
      },
      config: { policy: policy.onUnits('admin', userScope) },
    },
    async (req) => {
      await db.transaction((tx) => updateUser(tx, actorOf(req.principal), req.params.username, req.body));
      return presentByName(req.params.username);
    },
  );
  app.post(
    '/api/auth/users/:username/disable',
    {
      schema: {
        tags: TAGS,
        summary: 'Disable a user: no sign-in, sessions end, API tokens stop working',
        params: zUsernameParams,
        body: zReason,
      },
      config: { policy: policy.onUnits('admin', userScope) },
    },
    async (req) => {
      await db.transaction((tx) =>
        disableUser(tx, actorOf(req.principal), req.params.username, req.body.reason),
      );
      return presentByName(req.params.username);
    },
  );
  app.post(
    '/api/auth/users/:username/enable',
    {
      schema: { tags: TAGS, summary: 'Enable a disabled user', params: zUsernameParams },
      config: { policy: policy.onUnits('admin', userScope) },
    },
    async (req) => {
      await db.transaction((tx) => enableUser(tx, actorOf(req.principal), req.params.username));
      return presentByName(req.params.username);
    },
  );
  app.post(
    '/api/auth/users/:username/unlock',
    {
      schema: { tags: TAGS, summary: 'Lift a login lockout now', params: zUsernameParams },
      config: { policy: policy.onUnits('admin', userScope) },
    },
    async (req) => {
      await db.transaction((tx) =>
        unlockUser(tx, actorOf(req.principal), req.params.username, settings.now()),
      );
      return presentByName(req.params.username);
    },
  );
  app.post(
    '/api/auth/users/:username/password',
    {
      schema: {
        tags: TAGS,
        summary:
          'Set a user’s password (ends all their sessions); temporary unless must_change_password is false',
        params: zUsernameParams,
        body: zPasswordReset,
      },
      config: { policy: policy.onUnits('admin', userScope) },
    },
    async (req) => {
      if (normalizeUsername(req.params.username) === req.principal!.username) {
        // one's own password needs the current one (POST /api/auth/password), even for an administrator
        throw new ChisoError({
          code: 'auth.own_password',
          status: 400,
          vi: 'Hãy đổi mật khẩu của chính mình tại POST /api/auth/password (cần mật khẩu hiện tại).',
          en: 'Change your own password with POST /api/auth/password (the current password is needed).',
        });
      }
      await db.transaction((tx) =>
        setPassword(tx, actorOf(req.principal), req.params.username, req.body.password, {
          temporary: req.body.must_change_password ?? true,
        }),
      );
      return { changed: true };
    },
  );

  // ---- administration: roles ----
  app.post(
    '/api/auth/users/:username/grants',
    {
      schema: {
        tags: TAGS,
        summary: 'Grant a role on a unit’s subtree (org_unit null: every unit); needs admin on that unit',
        params: zUsernameParams,
        body: zGrantInput,
        response: { 200: zGrantOut, 201: zGrantOut },
      },
      config: { policy: policy.onUnits('admin', grantScope) },
    },
    async (req, reply) => {
      const g = await db.transaction((tx) =>
        grantRole(tx, actorOf(req.principal), req.params.username, req.body),
      );
      const [name] = g.org_unit_id
        ? await rows<{ name_vi: string }>(db, sql`select name_vi from org_unit where id = ${g.org_unit_id}`)
        : [];
      return reply.status(g.created ? 201 : 200).send({
        id: g.id,
        role: g.role,
        org_unit: g.org_unit,
        org_unit_name_vi: name?.name_vi ?? null,
        path: g.path,
        created_at: new Date(g.created_at).toISOString(),
      });
    },
  );
  app.post(
    '/api/auth/grants/:id/revoke',
    {
      schema: {
        tags: TAGS,
        summary: 'Revoke a role grant (kept in the history); needs admin on its unit',
        params: zIdParams,
      },
      config: { policy: policy.onUnits('admin', revokeScope) },
    },
    async (req) => {
      const g = await db.transaction((tx) => revokeRole(tx, actorOf(req.principal), req.params.id));
      return {
        id: g.id,
        username: g.username,
        role: g.role,
        org_unit: g.org_unit,
        revoked_at: g.revoked_at ? new Date(g.revoked_at).toISOString() : null,
      };
    },
  );

  // ---- administration: other users' API tokens ----
  app.get(
    '/api/auth/users/:username/tokens',
    {
      schema: {
        tags: TAGS,
        summary: 'A user’s API tokens',
        params: zUsernameParams,
        response: { 200: z.object({ items: z.array(zTokenOut) }) },
      },
      config: { policy: policy.onUnits('admin', userScope) },
    },
    async (req) => ({ items: await listApiTokens(db, req.params.username) }),
  );
  app.post(
    '/api/auth/users/:username/tokens',
    {
      schema: {
        tags: TAGS,
        summary: 'Create an API token for a user (a machine account); the token is in this answer only',
        params: zUsernameParams,
        body: zTokenInput,
        response: { 201: zTokenCreated },
      },
      config: { policy: policy.onUnits('admin', userScope) },
    },
    async (req, reply) => {
      const t = await db.transaction((tx) =>
        createApiToken(tx, actorOf(req.principal), req.params.username, req.body, settings.now()),
      );
      reply.header('cache-control', 'no-store');
      return reply.status(201).send(t);
    },
  );
  app.post(
    '/api/auth/users/:username/tokens/:id/revoke',
    {
      schema: {
        tags: TAGS,
        summary: 'Revoke a user’s API token',
        params: zUsernameParams.extend(zIdParams.shape),
        response: { 200: zTokenOut },
      },
      config: { policy: policy.onUnits('admin', userScope) },
    },
    async (req) =>
      db.transaction((tx) => revokeApiToken(tx, actorOf(req.principal), req.params.username, req.params.id)),
  );
}
