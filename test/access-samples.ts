/**
 * Samples for the access matrix (test/access-matrix.test.ts): how to fill a route's path parameters
 * and bodies so that the request acts on a unit inside or outside the caller's scope.
 *
 * The callers hold their role on Quận 1 ('79.760'). "In scope" requests act on Phường Tân Định
 * ('79.760.26734', a ward of Quận 1); "out of scope" requests on Phường Thạnh Xuân
 * ('79.761.26764', a ward of Quận 12). Bodies and query strings are generated from the route's
 * JSON Schema (the OpenAPI document); fields that name a unit get the ward.
 *
 * A NEW ROUTE with a path parameter the matrix does not know fails the matrix with a message naming
 * the key to add here: PARAMS['<segment before the parameter>/:<param>'], or an exact
 * PARAMS['<route url>#<param>'] when one segment name means different things.
 */
import { sql } from 'drizzle-orm';
import { grantRole } from '../src/app/auth/grants.ts';
import { createApiToken } from '../src/app/auth/tokens.ts';
import { createUser, SYSTEM_ACTOR } from '../src/app/auth/users.ts';
import type { Role } from '../src/http/policies/index.ts';
import type { App } from '../src/http/server.ts';
import { rows, type Store } from '../src/store/db.ts';
import { syntheticSquares } from './boundary-samples.ts';

export const IN_DISTRICT = '79.760';
export const IN_WARD = '79.760.26734';
export const OUT_DISTRICT = '79.761';
export const OUT_WARD = '79.761.26764';
export const PASSWORD = 'mật khẩu ma trận quyền';

export type Scope = 'in' | 'out';

export interface Caller {
  role: Role;
  /** Unit code of the grant; null: every unit. */
  grantOn: string | null;
  username: string;
  userId: number;
  token: string;
}

export interface Reply {
  status: number;
  body: Record<string, unknown>;
}

export interface SampleContext {
  store: Store;
  app: App;
  scope: Scope;
  /** The ward acted on. */
  ward: string;
  district: string;
  /** Who will send the request (null: anonymous). */
  caller: Caller | null;
  /** Path parameters already chosen for this route, by name. */
  params: Record<string, string>;
  fixtures: Fixtures;
}

let seq = 0;
/** A name not used before in this run. */
export const unique = (prefix: string): string => `${prefix}${Date.now().toString(36)}${++seq}`;

/**
 * Lazily built records in the in-scope and the out-of-scope ward. Records a route may consume
 * (archive, revoke …) are made once per route; the rest once per run.
 */
export class Fixtures {
  private memo = new Map<string, Promise<unknown>>();
  /** The route being checked: the key of per-route records. */
  route = '';
  constructor(
    readonly store: Store,
    readonly app: App,
    /** A bearer token of a programme-wide administrator, to build records through the API. */
    private readonly rootToken: string,
  ) {}

  private once<T>(key: string, make: () => Promise<T>): Promise<T> {
    if (!this.memo.has(key)) this.memo.set(key, make());
    return this.memo.get(key) as Promise<T>;
  }
  private perRoute<T>(key: string, make: () => Promise<T>): Promise<T> {
    return this.once(`${this.route} ${key}`, make);
  }

  async asRoot(method: string, url: string, payload?: unknown): Promise<Reply> {
    const r = await this.app.inject({
      method: method as 'GET',
      url,
      headers: { authorization: `Bearer ${this.rootToken}` },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
    const body = String(r.headers['content-type'] ?? '').includes('json')
      ? (r.json() as Record<string, unknown>)
      : {};
    return { status: r.statusCode, body };
  }

  private async must(method: string, url: string, payload?: unknown): Promise<Record<string, unknown>> {
    const r = await this.asRoot(method, url, payload);
    if (r.status >= 300)
      throw new Error(`fixture ${method} ${url} answered ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  }

  private async one<T>(query: ReturnType<typeof sql>, what: string): Promise<T> {
    const [r] = await rows<{ v: T }>(this.store.db, query);
    if (!r) throw new Error(`fixture: no ${what} in the demo database`);
    return r.v;
  }

  unitId(code: string): Promise<number> {
    return this.once(`unit:${code}`, () =>
      this.one<number>(sql`select id as v from org_unit where code = ${code}`, `unit ${code}`),
    );
  }
  /** A yearly indicator reported by communes. */
  indicator(): Promise<string> {
    return this.once('indicator', () =>
      this.one<string>(
        sql`select code as v from indicator where period_type = 'year' and 'commune' = any(levels) order by code limit 1`,
        'yearly commune indicator',
      ),
    );
  }
  indicatorId(): Promise<number> {
    return this.once('indicatorId', async () =>
      this.one<number>(
        sql`select id as v from indicator where code = ${await this.indicator()}`,
        'indicator',
      ),
    );
  }
  document(): Promise<string> {
    return this.once('document', () =>
      this.one<string>(sql`select code as v from document order by code limit 1`, 'document'),
    );
  }
  plan(): Promise<string> {
    return this.once('plan', () =>
      this.one<string>(sql`select code as v from plan order by id limit 1`, 'plan'),
    );
  }
  task(): Promise<number> {
    return this.once('task', () =>
      this.one<number>(sql`select id as v from task order by id limit 1`, 'task'),
    );
  }
  target(): Promise<number> {
    return this.once('target', () =>
      this.one<number>(sql`select id as v from target order by id limit 1`, 'target'),
    );
  }
  /** A form of one's own for the route (which may archive or revise it). */
  form(): Promise<string> {
    return this.perRoute('form', () => this.newForm(unique('MATRIX-F')));
  }
  /** The form of the rounds: never handed to a route. */
  private roundForm(): Promise<string> {
    return this.once('roundForm', () => this.newForm('MATRIX-ROUNDS'));
  }
  private newForm(code: string): Promise<string> {
    return (async () => {
      await this.must('POST', '/api/forms', {
        code,
        name_vi: 'Biểu mẫu kiểm tra ma trận quyền',
        name_en: 'Access matrix form',
        period_type: 'year',
        items: [{ indicator: await this.indicator(), required: false }],
      });
      return code;
    })();
  }
  /** Opens the rounds before any request can open one of its own. */
  async prepare(): Promise<void> {
    await this.submission('in');
    await this.submission('out');
  }
  round(scope: Scope): Promise<number> {
    return this.once(`round:${scope}`, async () => {
      const r = await this.must('POST', '/api/rounds', {
        form: await this.roundForm(),
        // not the period of generated requests (2024), so that a round a test request opens cannot overlap
        period: '2023',
        org_unit: scope === 'in' ? IN_DISTRICT : OUT_DISTRICT,
        level: 'commune',
      });
      return r.id as number;
    });
  }
  submission(scope: Scope): Promise<number> {
    return this.once(`submission:${scope}`, async () => {
      const ward = scope === 'in' ? IN_WARD : OUT_WARD;
      const list = await this.must('GET', `/api/submissions?round=${await this.round(scope)}&limit=1000`);
      const s = (list.items as Array<{ id: number; org_unit: string }>).find((x) => x.org_unit === ward);
      if (!s) throw new Error(`fixture: the round has no submission for ${ward}`);
      return s.id;
    });
  }
  attachment(scope: Scope): Promise<number> {
    return this.perRoute(`attachment:${scope}`, async () => {
      const boundary = 'matrixboundary';
      const payload =
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="minh-chung.csv"\r\n` +
        `Content-Type: text/csv\r\n\r\nchi_tieu,gia_tri\r\nCD-01,1\r\n--${boundary}--\r\n`;
      // Evidence goes only to an editable submission: a route sampled earlier may have submitted or
      // approved it, so bring it back to the unit first (as the workflow would).
      const id = await this.submission(scope);
      const cur = await this.must('GET', `/api/submissions/${id}`);
      if (cur.status === 'submitted')
        await this.must('POST', `/api/submissions/${id}/return`, {
          version: cur.version,
          comment: 'Trả lại để thêm minh chứng (ma trận quyền)',
        });
      else if (cur.status === 'approved' || cur.status === 'locked')
        await this.must('POST', `/api/submissions/${id}/reopen`, {
          version: cur.version,
          reason: 'Mở lại để thêm minh chứng (ma trận quyền)',
        });
      const r = await this.app.inject({
        method: 'POST',
        url: `/api/submissions/${id}/attachments`,
        headers: {
          authorization: `Bearer ${this.rootToken}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
        },
        payload,
      });
      if (r.statusCode >= 300) throw new Error(`fixture attachment: ${r.statusCode} ${r.body}`);
      return (r.json() as { id: number }).id;
    });
  }
  /** A stored (invalid) signature row: enough for the routes that find a signature's unit. */
  signature(scope: Scope): Promise<number> {
    return this.perRoute(`signature:${scope}`, async () =>
      this.one<number>(
        sql`insert into submission_signature (submission_id, signature, content_sha256, signer_subject, signer_serial,
              signer_issuer, verified_at, result, uploaded_by)
            values (${await this.submission(scope)}, decode('00', 'hex'), ${'0'.repeat(64)}, 'CN=matrix', '01', 'CN=matrix',
              now(), 'invalid', 'matrix') returning id as v`,
        'signature',
      ),
    );
  }
  feedback(scope: Scope): Promise<number> {
    return this.perRoute(`feedback:${scope}`, async () =>
      this.one<number>(
        sql`insert into feedback (target_kind, indicator_id, body, routed_unit_id, ip_hash, body_hash, token_nonce)
            values ('indicator', ${await this.indicatorId()}, 'Góp ý kiểm tra ma trận quyền',
              ${await this.unitId(scope === 'in' ? IN_WARD : OUT_WARD)}, 'matrix', ${unique('body')}, ${unique('nonce')})
            returning id as v`,
        'feedback',
      ),
    );
  }
  taskProgress(scope: Scope): Promise<number> {
    return this.perRoute(`taskProgress:${scope}`, async () =>
      this.one<number>(
        sql`insert into task_progress (task_id, org_unit_id, period, period_start, role, status, reported_by)
            values (${await this.task()}, ${await this.unitId(scope === 'in' ? IN_WARD : OUT_WARD)}, ${String(1900 + ++seq)},
              ${`${1900 + seq}-01-01`}, 'lead', 'in_progress', 'matrix') returning id as v`,
        'task progress',
      ),
    );
  }
  contact(scope: Scope): Promise<number> {
    return this.perRoute(`contact:${scope}`, async () => {
      const r = await this.must('POST', '/api/reporting-contacts', {
        org_unit: scope === 'in' ? IN_WARD : OUT_WARD,
        name: 'Cán bộ đầu mối',
        email: 'dau-moi@example.vn',
      });
      return r.id as number;
    });
  }
  value(scope: Scope): Promise<number> {
    return this.perRoute(`value:${scope}`, async () => {
      const r = await this.must('PUT', '/api/values', {
        indicator: await this.indicator(),
        org_unit: scope === 'in' ? IN_WARD : OUT_WARD,
        period: String(1900 + ++seq),
        value: 50,
      });
      return (r.value as { id: number }).id;
    });
  }

  // Accounts: made fresh for every request, as requests may disable, revoke or rename them.
  async userWithRoleOn(ward: string): Promise<string> {
    const username = unique('m.user');
    await this.store.db.transaction(async (tx) => {
      await createUser(tx, SYSTEM_ACTOR, { username });
      await grantRole(tx, SYSTEM_ACTOR, username, { role: 'viewer', org_unit: ward });
    });
    return username;
  }
  async grantOn(ward: string): Promise<number> {
    const username = unique('m.grant');
    return this.store.db.transaction(async (tx) => {
      await createUser(tx, SYSTEM_ACTOR, { username });
      return (await grantRole(tx, SYSTEM_ACTOR, username, { role: 'reporter', org_unit: ward })).id;
    });
  }
  async tokenOf(username: string): Promise<number> {
    const t = await this.store.db.transaction((tx) =>
      createApiToken(tx, SYSTEM_ACTOR, username, { name: 'matrix sample' }, new Date()),
    );
    return t.id;
  }
  /** A user who can sign in with PASSWORD (for the login route). */
  loginUser(): Promise<string> {
    return this.once('loginUser', async () => {
      const username = unique('m.login');
      await this.store.db.transaction((tx) => createUser(tx, SYSTEM_ACTOR, { username, password: PASSWORD }));
      return username;
    });
  }
}

type ParamSample = (c: SampleContext) => Promise<string | number>;

/** Path parameters: by 'segment/:param' (the segment before the parameter), or exactly by 'url#param'. */
export const PARAMS: Record<string, ParamSample> = {
  'periods/:code': async () => '2024',
  'org-units/:code': async (c) => c.ward,
  'documents/:code': (c) => c.fixtures.document(),
  'indicators/:code': (c) => c.fixtures.indicator(),
  // an indicator group (the first in order; 404 for everyone when there is none)
  'indicator-groups/:code': async (c) =>
    (
      await rows<{ code: string }>(
        c.store.db,
        sql`select code from indicator_group order by sort, code limit 1`,
      )
    )[0]?.code ?? 'none',
  'targets/:id': (c) => c.fixtures.target(),
  'values/:id': (c) => c.fixtures.value(c.scope),
  'plans/:code': (c) => c.fixtures.plan(),
  'tasks/:id': (c) => c.fixtures.task(),
  'task-progress/:id': (c) => c.fixtures.taskProgress(c.scope),
  'feedback/:id': (c) => c.fixtures.feedback(c.scope),
  'forms/:code': (c) => c.fixtures.form(),
  'validation-rules/:code': async () => 'MATRIX-RULE',
  // public: an index methodology version (none in the matrix's database: 404 for everyone)
  'methodologies/:id': async () => 1,
  'reporting-contacts/:id': (c) => c.fixtures.contact(c.scope),
  'rounds/:id': (c) => c.fixtures.round(c.scope),
  'submissions/:id': (c) => c.fixtures.submission(c.scope),
  // a round's unit: the ward acted on (the matrix's rounds cover the communes of each district)
  'units/:unit': async (c) => c.ward,
  'attachments/:id': (c) => c.fixtures.attachment(c.scope),
  'signatures/:id': (c) => c.fixtures.signature(c.scope),
  'users/:username': (c) => c.fixtures.userWithRoleOn(c.ward),
  'grants/:id': (c) => c.fixtures.grantOn(c.ward),
  // one's own API token
  '/api/auth/tokens/:id/revoke#id': async (c) => (c.caller ? c.fixtures.tokenOf(c.caller.username) : 1),
  // another user's API token
  '/api/auth/users/:username/tokens/:id/revoke#id': (c) => c.fixtures.tokenOf(c.params.username!),
  // the web application's files
  '/*#*': async () => 'index.html',
};

/** Whole-request samples for routes whose generated request would not say anything useful. */
export const REQUESTS: Record<
  string,
  (c: SampleContext) => Promise<{ body?: unknown; query?: Record<string, string> }>
> = {
  // a real account, so that the public login answers 200 rather than 401 for wrong credentials
  'POST /api/auth/login': async (c) => ({
    body: { username: await c.fixtures.loginUser(), password: PASSWORD },
  }),
  // the body must name at least one value or task report (a rule JSON Schema cannot say)
  'PUT /api/submissions/:id/values': async () => ({
    body: { values: [{ indicator: 'KTXH-01', value: 1 }] },
  }),
  // a GeoJSON file (the body is parsed by the import): one SYNTHETIC square for the ward acted on
  'POST /api/boundaries/import': async (c) => ({
    body: syntheticSquares([c.ward]),
    query: { file: 'matrix.geojson' },
  }),
};

/** Field names whose value is a unit code: filled with the ward acted on. */
export const UNIT_FIELDS = new Set([
  'org_unit',
  'org_units',
  'unit',
  'units',
  'parent',
  'subtree',
  'unit_code',
  'org_unit_code',
]);

/** Values for fields by name (before the schema is looked at). */
export async function fieldSample(name: string, c: SampleContext): Promise<unknown> {
  switch (name) {
    case 'indicator':
      return c.fixtures.indicator();
    case 'period':
      return '2024';
    case 'form':
      return c.fixtures.form();
    case 'username':
      return unique('m.new');
    case 'password':
    case 'new_password':
      return 'một mật khẩu mới đủ dài';
    case 'current_password':
      return 'không phải mật khẩu hiện tại';
    case 'email':
      return 'ma-tran@example.vn';
    case 'version':
      return 1;
    default:
      return undefined;
  }
}
