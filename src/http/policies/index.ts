/**
 * Who may do what: the one place where access is decided. Every route declares a policy in its
 * `config.policy`; the server refuses to start when a route has none (see `enforcePolicies`).
 *
 * Roles are granted on org-unit subtrees: a grant on unit U (path '/1/5/') covers U and every unit
 * below it. A grant on '/' covers every unit. Higher roles include the rights of lower ones.
 */
import type { FastifyRequest } from 'fastify';
import { ChisoError } from '../../core/errors.ts';

export const ROLES = ['admin', 'reviewer', 'reporter', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** The roles whose holders may act as the key role. */
const INCLUDED_BY: Record<Role, Role[]> = {
  admin: ['admin'],
  reviewer: ['admin', 'reviewer'],
  reporter: ['admin', 'reporter'],
  viewer: ['admin', 'reviewer', 'reporter', 'viewer'],
};

export interface Grant {
  role: Role;
  unitId: number | null;
  /** Path of the granted subtree's root ('/1/5/'), or '/' for every unit. */
  unitPath: string;
}

export interface Principal {
  kind: 'session' | 'token';
  userId: number;
  username: string;
  grants: Grant[];
  /** Session id (session principals), used for CSRF and logout. */
  sessionId?: string;
  csrfToken?: string;
  /** The password is temporary: only changing it, who-am-I and logout are allowed (src/http/auth.ts). */
  mustChangePassword?: boolean;
}

/** Resolves the unit paths a request acts on; an empty list means "no unit": global rights needed. */
export type ScopeResolver = (req: FastifyRequest) => Promise<string[]>;

export type RoutePolicy =
  | { kind: 'public' }
  | { kind: 'authenticated' }
  | {
      kind: 'role';
      role: Role;
      /** 'catalogue': programme-wide administration (a grant on a root unit or on '/'). */
      scope: 'catalogue' | 'any' | ScopeResolver;
    };

export const policy = {
  public: (): RoutePolicy => ({ kind: 'public' }),
  authenticated: (): RoutePolicy => ({ kind: 'authenticated' }),
  /** The caller must hold `role` (or a higher one) on every unit the resolver returns. */
  onUnits: (role: Role, scope: ScopeResolver): RoutePolicy => ({ kind: 'role', role, scope }),
  /** The caller must hold `role` on a root unit (programme-wide). */
  catalogue: (role: Role): RoutePolicy => ({ kind: 'role', role, scope: 'catalogue' }),
  /** The caller must hold `role` on some unit; the handler narrows results to the caller's scope. */
  anyUnit: (role: Role): RoutePolicy => ({ kind: 'role', role, scope: 'any' }),
};

const depthOf = (path: string): number => path.split('/').filter(Boolean).length;

/** True when the principal holds `role` (or a higher one) on the unit with this path. */
export function hasRoleOn(principal: Principal | null, role: Role, unitPath: string): boolean {
  if (!principal) return false;
  const ok = INCLUDED_BY[role];
  return principal.grants.some((g) => ok.includes(g.role) && unitPath.startsWith(g.unitPath));
}

/** True when the principal holds `role` programme-wide. */
export function hasCatalogueRole(principal: Principal | null, role: Role): boolean {
  if (!principal) return false;
  const ok = INCLUDED_BY[role];
  return principal.grants.some((g) => ok.includes(g.role) && depthOf(g.unitPath) <= 1);
}

/** The subtree roots on which the principal holds `role`: used to narrow lists to the caller's scope. */
export function scopeRoots(principal: Principal | null, role: Role): string[] {
  if (!principal) return [];
  const ok = INCLUDED_BY[role];
  const roots = principal.grants.filter((g) => ok.includes(g.role)).map((g) => g.unitPath);
  return roots.filter((p) => !roots.some((q) => q !== p && p.startsWith(q)));
}

export const unauthenticated = (): ChisoError =>
  new ChisoError({
    code: 'auth.required',
    status: 401,
    vi: 'Cần đăng nhập để thực hiện thao tác này.',
    en: 'You must sign in to do this.',
  });

export const forbidden = (what?: string): ChisoError =>
  new ChisoError({
    code: 'auth.forbidden',
    status: 403,
    vi: `Bạn không có quyền thực hiện thao tác này${what ? ` (${what})` : ''}.`,
    en: `You are not allowed to do this${what ? ` (${what})` : ''}.`,
  });

/** Decides a request against its route's policy; throws 401/403 ChisoErrors. */
export async function authorize(policyOfRoute: RoutePolicy, req: FastifyRequest): Promise<void> {
  const principal = req.principal;
  if (policyOfRoute.kind === 'public') return;
  if (!principal) throw unauthenticated();
  if (policyOfRoute.kind === 'authenticated') return;
  const { role, scope } = policyOfRoute;
  if (scope === 'catalogue') {
    if (!hasCatalogueRole(principal, role)) throw forbidden(role);
    return;
  }
  if (scope === 'any') {
    if (scopeRoots(principal, role).length === 0) throw forbidden(role);
    return;
  }
  const paths = await scope(req);
  if (paths.length === 0) {
    if (!hasCatalogueRole(principal, role)) throw forbidden(role);
    return;
  }
  for (const p of paths) if (!hasRoleOn(principal, role, p)) throw forbidden(role);
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    policy?: RoutePolicy;
  }
}
