/**
 * THE ACCESS MATRIX. Every route the server registers (read from the live route table, so a new
 * route is covered the day it is added) × {anonymous, admin, reviewer, reporter, viewer} ×
 * {a unit in the caller's scope, a unit outside it}: the answer must be the one the route's policy
 * declares.
 *
 *   public          anyone, anywhere: never 401/403
 *   authenticated   anonymous: 401; any signed-in caller: not refused
 *   role R, scope   anonymous: 401; a role that does not include R: 403;
 *     catalogue       R on every unit: not refused; R on a district only: 403
 *     unit resolver   R on the district, acting on one of its wards: not refused; on another district's ward: 403
 *     any unit        R on the district: not refused; acting outside the district, the handler narrows to
 *                     the caller's scope or refuses (403), and in any case writes nothing (no audit entry)
 *
 * "Not refused" means neither 401 nor 403 nor a server error (503 — a service such as SMTP not
 * configured in tests — is an answer, not a refusal). A refused request must not write
 * anything (the audit log does not grow). Callers authenticate with real API tokens through the
 * real authenticator. Samples (path parameters, bodies) come from test/access-samples.ts and the
 * route's JSON Schema in the OpenAPI document.
 *
 * Also here: every write operation of the OpenAPI document refuses an anonymous caller unless it is
 * one of the few public writes named below, and a route registered without a policy makes
 * buildServer throw.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { grantRole } from '../src/app/auth/grants.ts';
import { createApiToken } from '../src/app/auth/tokens.ts';
import { createUser, SYSTEM_ACTOR } from '../src/app/auth/users.ts';
import { readConfig } from '../src/config.ts';
import { authenticatorFor, type RouteEntry } from '../src/http/auth.ts';
import { ROLES, type Role, type RoutePolicy } from '../src/http/policies/index.ts';
import { type App, buildServer } from '../src/http/server.ts';
import { rows, type Store } from '../src/store/db.ts';
import {
  type Caller,
  Fixtures,
  fieldSample,
  IN_DISTRICT,
  IN_WARD,
  OUT_DISTRICT,
  OUT_WARD,
  PARAMS,
  REQUESTS,
  type SampleContext,
  type Scope,
  UNIT_FIELDS,
} from './access-samples.ts';
import { openDemoStore } from './fixtures.ts';

/** Writes that anyone may call, each with its reason. Adding one here is a decision, not a fix. */
const PUBLIC_WRITES: Record<string, string> = {
  'POST /api/auth/login': 'signing in',
  'POST /api/feedback': 'the public sends feedback on plans, tasks and indicators (DESIGN.md)',
};

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const INCLUDED_BY: Record<Role, Role[]> = {
  admin: ['admin'],
  reviewer: ['admin', 'reviewer'],
  reporter: ['admin', 'reporter'],
  viewer: ['admin', 'reviewer', 'reporter', 'viewer'],
};

type Expect = 'pass' | 401 | 403 | 'narrowed';

/** What the policy declares for a caller (null: anonymous) holding `role`, in or out of scope. */
function expected(policy: RoutePolicy, role: Role | null, scope: Scope): Expect {
  if (policy.kind === 'public') return 'pass';
  if (role === null) return 401;
  if (policy.kind === 'authenticated') return 'pass';
  if (!INCLUDED_BY[policy.role].includes(role)) return 403;
  if (scope === 'in') return 'pass';
  if (policy.scope === 'any') return 'narrowed';
  return 403;
}

/** Whom a cell is sent as: a caller with `role` on the district, or on every unit (in-scope catalogue cells). */
function callerFor(policy: RoutePolicy, role: Role, scope: Scope, callers: CallerSet): Caller {
  if (policy.kind === 'role' && policy.scope === 'catalogue' && scope === 'in')
    return callers.everywhere[role];
  return callers.district[role];
}

interface CallerSet {
  district: Record<Role, Caller>;
  everywhere: Record<Role, Caller>;
}

// ---- requests generated from JSON Schema ----

type Json = Record<string, unknown>;
interface Operation {
  parameters?: Array<{ in: string; name: string; required?: boolean; schema?: Json }>;
  requestBody?: { content?: Record<string, { schema?: Json }> };
}

const mentionsUnit = (schema: unknown): boolean => {
  if (!schema || typeof schema !== 'object') return false;
  const s = schema as Json;
  if (s.properties && Object.keys(s.properties as Json).some((k) => UNIT_FIELDS.has(k))) return true;
  return Object.values(s).some((v) =>
    Array.isArray(v) ? v.some(mentionsUnit) : typeof v === 'object' && v !== null && mentionsUnit(v),
  );
};

const STRING_CANDIDATES = ['MATRIX-1', 'matrix-1', 'matrix1', 'M1', '2024', '2024-12-31', 'a', 'ma trận'];

class SampleError extends Error {}

async function generate(
  schema: Json | undefined,
  name: string,
  c: SampleContext,
  where: string,
): Promise<unknown> {
  if (UNIT_FIELDS.has(name)) {
    const t = schema?.type;
    return t === 'array' || (Array.isArray(t) && t.includes('array')) ? [c.ward] : c.ward;
  }
  const byName = await fieldSample(name, c);
  if (byName !== undefined) return byName;
  if (!schema) return 'matrix';
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum.find((v) => v !== null);
  for (const k of ['anyOf', 'oneOf'] as const) {
    const alts = schema[k] as Json[] | undefined;
    if (alts) {
      const alt = alts.find((a) => a.type !== 'null') ?? alts[0]!;
      return generate(alt, name, c, where);
    }
  }
  if (Array.isArray(schema.allOf))
    return generate(Object.assign({}, ...(schema.allOf as Json[])), name, c, where);
  let type = schema.type;
  if (Array.isArray(type)) type = type.find((t) => t !== 'null');
  if (type === undefined && schema.properties) type = 'object';
  switch (type) {
    case 'object': {
      const out: Json = {};
      const props = (schema.properties ?? {}) as Record<string, Json>;
      const required = new Set((schema.required ?? []) as string[]);
      for (const [k, v] of Object.entries(props)) {
        if (required.has(k) || UNIT_FIELDS.has(k) || mentionsUnit(v))
          out[k] = await generate(v, k, c, `${where}.${k}`);
      }
      return out;
    }
    case 'array': {
      const n = Math.max(Number(schema.minItems ?? 0), mentionsUnit(schema.items) ? 1 : 0);
      const items = [];
      for (let i = 0; i < n; i++) items.push(await generate(schema.items as Json, name, c, `${where}[${i}]`));
      return items;
    }
    case 'integer':
    case 'number': {
      let v = 1;
      if (typeof schema.minimum === 'number') v = Math.max(v, schema.minimum);
      if (typeof schema.exclusiveMinimum === 'number') v = Math.max(v, schema.exclusiveMinimum + 1);
      if (typeof schema.maximum === 'number') v = Math.min(v, schema.maximum);
      return v;
    }
    case 'boolean':
      return false;
    case 'string': {
      if (schema.default !== undefined) return schema.default;
      const min = Number(schema.minLength ?? 0);
      const max = Number(schema.maxLength ?? 1000);
      switch (schema.format) {
        case 'date':
          return '2024-12-31';
        case 'date-time':
          return '2024-12-31T00:00:00Z';
        case 'email':
          return 'ma-tran@example.vn';
        case 'uri':
          return 'https://example.vn/ma-tran';
      }
      const pattern = typeof schema.pattern === 'string' ? new RegExp(schema.pattern, 'u') : null;
      const fits = (s: string) => s.length >= min && s.length <= max && (!pattern || pattern.test(s));
      const found = [...STRING_CANDIDATES, 'ma trận quyền'.padEnd(Math.max(min, 13), '.')].find(fits);
      if (found !== undefined) return found;
      throw new SampleError(
        `no sample string for ${where} (pattern ${schema.pattern}); add one in test/access-samples.ts`,
      );
    }
    default:
      return 'matrix';
  }
}

const PARAM_RE = /:(\w+)|\*/g;

async function buildRequest(route: RouteEntry, op: Operation | undefined, c: SampleContext) {
  // path parameters, in order, so later ones can use earlier ones
  let url = route.url;
  for (const m of route.url.matchAll(PARAM_RE)) {
    const name = m[1] ?? '*';
    const before = route.url.slice(0, m.index).split('/').filter(Boolean).at(-1) ?? '';
    const sample = PARAMS[`${route.url}#${name}`] ?? PARAMS[`${before}/:${name}`];
    let value: string;
    if (sample) value = String(await sample(c));
    else if (route.policy?.kind === 'role' && typeof route.policy.scope === 'function') {
      throw new SampleError(
        `${route.method} ${route.url}: no sample for path parameter '${name}'. Add PARAMS['${before}/:${name}'] (or PARAMS['${route.url}#${name}']) to test/access-samples.ts, returning a record in the ward c.ward.`,
      );
    } else value = name === 'id' ? '1' : 'matrix';
    c.params[name] = value;
    url = url.replace(name === '*' ? '*' : `:${name}`, encodeURIComponent(value));
  }
  const special = REQUESTS[`${route.method} ${route.url}`];
  const fixed = special ? await special(c) : {};
  const query = new URLSearchParams(fixed.query ?? {});
  if (!fixed.query) {
    for (const p of op?.parameters ?? []) {
      if (p.in !== 'query' || !(p.required || UNIT_FIELDS.has(p.name))) continue;
      query.set(p.name, String(await generate(p.schema, p.name, c, `query.${p.name}`)));
    }
  }
  let body = fixed.body;
  const schema = op?.requestBody?.content?.['application/json']?.schema;
  if (body === undefined && schema && WRITE_METHODS.has(route.method))
    body = await generate(schema, 'body', c, 'body');
  const qs = query.toString();
  return { url: qs ? `${url}?${qs}` : url, body };
}

async function auditCount(store: Store): Promise<number> {
  const [r] = await rows<{ n: number }>(store.db, sql`select count(*)::int as n from audit_log`);
  return r!.n;
}

/** Runs every cell of one route; returns the cells that broke the rule. */
async function checkRoute(
  app: App,
  store: Store,
  doc: { paths: Record<string, Record<string, Operation>> },
  route: RouteEntry,
  callers: CallerSet,
  fixtures: Fixtures,
): Promise<{ failures: string[]; cells: number }> {
  const failures: string[] = [];
  let cells = 0;
  const policy = route.policy;
  if (!policy) return { failures: [`${route.method} ${route.url}: no policy`], cells };
  const op = doc.paths[route.url.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()];
  fixtures.route = `${route.method} ${route.url}`;
  // Refusals first: an allowed request may consume a record (archive, revoke) that later cells need.
  const order = (['out', 'in'] as const).flatMap((scope) =>
    ([null, ...ROLES] as Array<Role | null>).map((role) => ({
      scope,
      role,
      want: expected(policy, role, scope),
    })),
  );
  const rank = (w: Expect) => (w === 'pass' ? 2 : w === 'narrowed' ? 1 : 0);
  order.sort((a, b) => rank(a.want) - rank(b.want));
  for (const { scope, role, want } of order) {
    const caller = role ? callerFor(policy, role, scope, callers) : null;
    const ctx: SampleContext = {
      store,
      app,
      scope,
      ward: scope === 'in' ? IN_WARD : OUT_WARD,
      district: scope === 'in' ? IN_DISTRICT : OUT_DISTRICT,
      caller,
      params: {},
      fixtures,
    };
    let req: { url: string; body: unknown };
    try {
      req = await buildRequest(route, op, ctx);
    } catch (e) {
      failures.push(
        e instanceof SampleError
          ? e.message
          : `${route.method} ${route.url}: sample failed: ${(e as Error).message} ${(e as { cause?: Error }).cause?.message ?? ''}`,
      );
      return { failures, cells };
    }
    const before = await auditCount(store);
    const r = await app.inject({
      method: route.method as 'GET',
      url: req.url,
      headers: caller ? { authorization: `Bearer ${caller.token}` } : {},
      ...(req.body !== undefined ? { payload: req.body as object } : {}),
    });
    cells++;
    const wrote = (await auditCount(store)) !== before;
    const status = r.statusCode;
    let code: string | undefined;
    try {
      code = (r.json() as { code?: string }).code;
    } catch {
      code = undefined;
    }
    // 503: a service the route needs is not configured in tests (SMTP, signature trust roots)
    const answered = status !== 401 && (status < 500 || status === 503);
    const ok =
      want === 'pass'
        ? answered && status !== 403
        : want === 'narrowed'
          ? answered && (status === 403 || !wrote)
          : status === want && !wrote;
    if (!ok) {
      failures.push(
        `${route.method} ${req.url} as ${caller?.username ?? 'anonymous'} (${scope} of scope): expected ${want}, got ${status}${code ? ` ${code}` : ''}${wrote && want !== 'pass' ? ' and it WROTE to the audit log' : ''}`,
      );
    }
  }
  return { failures, cells };
}

// ---- the live server ----

let store: Store;
let app: App;
let doc: { paths: Record<string, Record<string, Operation>> };
let callers: CallerSet;
let fixtures: Fixtures;

async function makeCaller(store: Store, role: Role, grantOn: string | null): Promise<Caller> {
  const username = `m.${role}.${grantOn === null ? 'all' : grantOn.replace(/\./g, '-')}`;
  return store.db.transaction(async (tx) => {
    const u = await createUser(tx, SYSTEM_ACTOR, { username });
    await grantRole(tx, SYSTEM_ACTOR, username, { role, org_unit: grantOn });
    const t = await createApiToken(tx, SYSTEM_ACTOR, username, { name: 'access matrix' }, new Date());
    return { role, grantOn, username, userId: u.id, token: t.token };
  });
}

async function setup(extra?: (app: App) => void) {
  const s = await openDemoStore();
  const a = await buildServer({ store: s, config: readConfig({}), authenticate: authenticatorFor(s) });
  extra?.(a);
  await a.ready();
  return { store: s, app: a };
}

beforeAll(async () => {
  ({ store, app } = await setup());
  doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
  const district = {} as Record<Role, Caller>;
  const everywhere = {} as Record<Role, Caller>;
  for (const role of ROLES) {
    district[role] = await makeCaller(store, role, IN_DISTRICT);
    everywhere[role] = await makeCaller(store, role, null);
  }
  callers = { district, everywhere };
  fixtures = new Fixtures(store, app, everywhere.admin.token);
  await fixtures.prepare();
}, 600_000); // loads the demo and opens rounds: minutes on a busy machine
afterAll(async () => {
  await app?.close();
  await store?.close();
});

describe('the access matrix', () => {
  it('knows every route from the live route table, each with a policy, and the OpenAPI document agrees', () => {
    const table = app.routeTable;
    expect(table.length).toBeGreaterThan(50);
    expect(table.filter((r) => !r.policy)).toEqual([]);
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([p, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`),
      ),
    );
    const visible = table.filter((r) => !r.hidden).map((r) => `${r.method} ${r.url}`);
    expect(visible.filter((r) => !documented.has(r))).toEqual([]);
    expect([...documented].filter((d) => !visible.includes(d))).toEqual([]);
    // the routes the matrix is known to need stay in the table
    for (const r of [
      'POST /api/auth/login',
      'GET /api/auth/me',
      'POST /api/auth/users/:username/grants',
      'PUT /api/values',
    ])
      expect(visible).toContain(r);
  });

  it('gives every route the answer its policy declares, for every role, in and out of scope', async () => {
    const failures: string[] = [];
    let cells = 0;
    for (const route of app.routeTable) {
      const r = await checkRoute(app, store, doc, route, callers, fixtures);
      failures.push(...r.failures);
      cells += r.cells;
    }
    expect(failures).toEqual([]);
    expect(cells).toBe(app.routeTable.length * 10);
  }, 600_000);

  it('refuses an anonymous caller on every write operation of the OpenAPI document, but the public writes', async () => {
    const refused: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops).map((m) => m.toUpperCase())) {
        if (!WRITE_METHODS.has(method)) continue;
        const key = `${method} ${path.replace(/\{(\w+)\}/g, ':$1')}`;
        const url = path.replace(/\{(\w+)\}/g, (_m, name: string) => (name === 'id' ? '1' : 'matrix'));
        const r = await app.inject({ method: method as 'POST', url, payload: {} });
        if (PUBLIC_WRITES[key]) {
          expect(r.statusCode, key).not.toBe(401);
          continue;
        }
        if (r.statusCode !== 401 && r.statusCode !== 403)
          refused.push(`${key} answered ${r.statusCode} to an anonymous caller`);
      }
    }
    expect(refused).toEqual([]);
    for (const key of Object.keys(PUBLIC_WRITES)) {
      const route = app.routeTable.find((r) => `${r.method} ${r.url}` === key);
      expect(route?.policy, key).toEqual({ kind: 'public' });
    }
  });
});

describe('the matrix checks itself', () => {
  it('a route registered without a policy makes buildServer throw', async () => {
    vi.resetModules();
    vi.doMock('../src/http/routes/index.ts', async (importOriginal) => {
      const original = await importOriginal<typeof import('../src/http/routes/index.ts')>();
      return {
        ...original,
        registerRoutes: async (a: App, deps: Parameters<typeof original.registerRoutes>[1]) => {
          await original.registerRoutes(a, deps);
          a.post('/api/matrix/unguarded', async () => ({ ok: true }));
        },
      };
    });
    try {
      const { buildServer: build } = await import('../src/http/server.ts');
      await expect(build({ store, config: readConfig({}) })).rejects.toThrow(
        'route POST /api/matrix/unguarded has no policy (config.policy)',
      );
    } finally {
      vi.doUnmock('../src/http/routes/index.ts');
      vi.resetModules();
    }
  });

  it('fails a route whose policy does not protect what it should, and a route that writes when it should not', async () => {
    const { store: s, app: a } = await setup((x) => {
      // declares reporter on the unit of the body, but its resolver never finds the unit: everyone in a
      // district is refused, so the in-scope cells must fail
      x.post(
        '/api/matrix/broken-resolver',
        { config: { policy: { kind: 'role', role: 'reporter', scope: async () => ['/no/such/unit/'] } } },
        async () => ({ ok: true }),
      );
      // narrows to the caller's scope but writes anyway when the unit is outside it
      x.post(
        '/api/matrix/leaky-any',
        { config: { policy: { kind: 'role', role: 'viewer', scope: 'any' } } },
        async (req) => {
          await s.db.transaction(async (tx) => {
            const { appendAudit } = await import('../src/app/audit.ts');
            await appendAudit(tx, {
              actor: req.principal!.username,
              action: 'matrix.leak',
              entity: 'matrix',
            });
          });
          return { ok: true };
        },
      );
    });
    try {
      const d = (await a.inject({ method: 'GET', url: '/api/openapi.json' })).json();
      const own: CallerSet = { district: {} as Record<Role, Caller>, everywhere: {} as Record<Role, Caller> };
      for (const role of ROLES) {
        own.district[role] = await makeCaller(s, role, IN_DISTRICT);
        own.everywhere[role] = await makeCaller(s, role, null);
      }
      const fx = new Fixtures(s, a, own.everywhere.admin.token);
      await fx.prepare();
      const route = (url: string) => a.routeTable.find((r) => r.url === url)!;
      const broken = await checkRoute(a, s, d, route('/api/matrix/broken-resolver'), own, fx);
      expect(broken.failures).toEqual([
        expect.stringMatching(/as m\.admin\.79-760 \(in of scope\): expected pass, got 403/),
        expect.stringMatching(/as m\.reporter\.79-760 \(in of scope\): expected pass, got 403/),
      ]);
      const leaky = await checkRoute(a, s, d, route('/api/matrix/leaky-any'), own, fx);
      expect(leaky.failures).toHaveLength(4);
      for (const f of leaky.failures)
        expect(f).toMatch(/\(out of scope\): expected narrowed, got 200 and it WROTE/);
      // and the sound routes of the same server pass
      const sound = await checkRoute(a, s, d, route('/api/auth/users/:username/grants'), own, fx);
      expect(sound.failures).toEqual([]);
    } finally {
      await a.close();
      await s.close();
    }
  }, 120_000);
});
