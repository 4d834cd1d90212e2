/**
 * Forms (with versions), validation rules (checked formulas), opening rounds (units in scope, the
 * Decree 09 window, overlaps) and reporting contacts, through the API.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../../store/db.ts';
import type { Principal } from '../../policies/index.ts';
import { principalFor, type TestApp, testApp } from '../../../../test/fixtures.ts';
import {
  FORM,
  ONLINE,
  openRoundsStore,
  RATE,
  TOTAL,
  TRAINED,
  WARD_A,
  WARD_B,
} from '../../../../test/rounds-fixture.ts';

let t: TestApp;
let admin: Principal;
let districtAdmin: Principal;
let reporter: Principal;

beforeAll(async () => {
  const store = await openRoundsStore();
  t = await testApp(store);
  admin = await principalFor(store, [['admin', '79']]);
  districtAdmin = await principalFor(store, [['admin', '79.760']]);
  reporter = await principalFor(store, [['reporter', '79.760']]);
});
afterAll(() => t.close());

async function call(
  p: Principal | null,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH',
  url: string,
  payload?: unknown,
) {
  t.as(p);
  const r = await t.app.inject({
    method,
    url,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  return { status: r.statusCode, body: r.json() };
}

const counts = async () =>
  (
    await rows<Record<string, number>>(
      t.store.db,
      sql`select (select count(*)::int from form) as f, (select count(*)::int from form_item) as fi,
        (select count(*)::int from validation_rule) as r, (select count(*)::int from round) as rd,
        (select count(*)::int from submission) as s, (select count(*)::int from audit_log) as a`,
    )
  )[0];

describe('forms', () => {
  it('creates a form with ordered items and sections, and reports every bad item at once', async () => {
    const before = await counts();
    const bad = await call(admin, 'POST', '/api/forms', {
      code: 'BAD',
      name_vi: 'Sai',
      name_en: 'Bad',
      period_type: 'year',
      sections: [{ code: 'A', name_vi: 'A', name_en: 'A' }],
      items: [{ indicator: TOTAL }, { indicator: 'NOPE' }, { indicator: TOTAL, section: 'Z' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string; code: string }) => [e.field, e.code])).toEqual([
      ['items.0.indicator', 'form.period_type'],
      ['items.1.indicator', 'indicator.unknown'],
      ['items.2.indicator', 'form.duplicate_item'],
      ['items.2.indicator', 'form.period_type'],
      ['items.2.section', 'form.unknown_section'],
    ]);
    expect(await counts()).toEqual(before);

    const dup = await call(admin, 'POST', '/api/forms', {
      code: FORM,
      name_vi: 'x',
      name_en: 'x',
      period_type: 'quarter',
      items: [{ indicator: TOTAL }],
    });
    expect([dup.status, dup.body.code]).toEqual([409, 'form.exists']);
    expect((await call(districtAdmin, 'POST', '/api/forms', {})).status).toBe(403);
    expect(
      (await call(reporter, 'GET', `/api/forms/${FORM}`)).body.items.map(
        (i: { indicator: string }) => i.indicator,
      ),
    ).toEqual([TOTAL, ONLINE, RATE, TRAINED]);
    expect((await call(null, 'GET', '/api/forms')).status).toBe(401);
  });

  it('revises a form into a new version; rounds keep theirs', async () => {
    const round = await call(admin, 'POST', '/api/rounds', {
      form: FORM,
      period: '2023Q4',
      org_unit: '79.760',
      level: 'commune',
    });
    expect(round.body.form_version).toBe(1);
    const stale = await call(admin, 'PUT', `/api/forms/${FORM}`, {
      version: 0,
      items: [{ indicator: TOTAL }],
    });
    expect([stale.status, stale.body.code]).toEqual([409, 'conflict.stale_version']);
    expect(stale.body.details.current.version).toBe(1);
    const v2 = await call(admin, 'PUT', `/api/forms/${FORM}`, {
      version: 1,
      items: [
        { indicator: TOTAL, required: true, section: 'A' },
        { indicator: ONLINE, required: true, section: 'A' },
        { indicator: RATE, required: true, section: 'A' },
      ],
    });
    expect(v2.status, JSON.stringify(v2.body)).toBe(200);
    expect(v2.body.version).toBe(2);
    expect(v2.body.items).toHaveLength(3);
    expect((await call(admin, 'GET', `/api/forms/${FORM}?version=1`)).body.items).toHaveLength(4);
    const subs = await call(admin, 'GET', `/api/submissions?round=${round.body.id}`);
    const values = await call(admin, 'GET', `/api/submissions/${subs.body.items[0].id}/values`);
    expect(values.body.items).toHaveLength(4);
  });
});

describe('validation rules', () => {
  const base = {
    code: 'R1',
    name_vi: 'Trực tuyến không vượt tổng',
    name_en: 'Online within the total',
    left: ONLINE,
    operator: '<=',
    right: TOTAL,
    importance: 'error',
    period_type: 'quarter',
  };

  it('checks both formulas: syntax with position, known indicators of the period type', async () => {
    const syntax = await call(admin, 'POST', '/api/validation-rules', { ...base, right: `${TOTAL} +` });
    expect(syntax.status).toBe(400);
    expect(syntax.body).toMatchObject({ code: 'formula.syntax', field: 'right', position: TOTAL.length + 2 });
    const unknown = await call(admin, 'POST', '/api/validation-rules', {
      ...base,
      left: `${ONLINE} + KHONG_CO`,
    });
    expect(unknown.body).toMatchObject({ code: 'validation_rule.unknown_indicator', field: 'left' });
    const type = await call(admin, 'POST', '/api/validation-rules', { ...base, period_type: 'year' });
    expect(type.body.errors.map((e: { code: string }) => e.code)).toEqual([
      'validation_rule.period_type',
      'validation_rule.period_type',
    ]);
    const ok = await call(admin, 'POST', '/api/validation-rules', base);
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ code: 'R1', left: ONLINE, right: TOTAL, version: 1, form: null });
    const patched = await call(admin, 'PATCH', '/api/validation-rules/R1', {
      version: 1,
      importance: 'warning',
    });
    expect(patched.body).toMatchObject({ importance: 'warning', version: 2 });
    const archived = await call(admin, 'POST', '/api/validation-rules/R1/archive', {
      reason: 'Trùng kiểm tra mẫu số',
    });
    expect(archived.status).toBe(200);
    expect((await call(admin, 'GET', '/api/validation-rules')).body.items).toEqual([]);
    expect((await call(reporter, 'POST', '/api/validation-rules', { ...base, code: 'R2' })).status).toBe(403);
  });
});

describe('opening rounds', () => {
  it('creates one draft per unit of the level in the subtree that exists at the end of the period', async () => {
    const r = await call(districtAdmin, 'POST', '/api/rounds', {
      form: FORM,
      period: '2025Q1',
      org_unit: '79.760',
      level: 'commune',
      title_vi: 'Báo cáo quý I/2025',
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({
      period_label_vi: 'Quý I/2025',
      period_label_en: 'Q1 2025',
      window_rule: 'decree09',
      data_from: '2024-12-15',
      data_to: '2025-03-14',
      cutoff: '2025-03-14',
      deadline: '2025-03-20',
      scope_unit: '79.760',
      scope_level: 'commune',
      status: 'open',
      counts: { draft: 2, total: 2, submitted: 0 },
    });
    const subs = await call(reporter, 'GET', `/api/submissions?round=${r.body.id}`);
    expect(subs.body.items.map((s: { org_unit: string }) => s.org_unit).sort()).toEqual([WARD_A, WARD_B]);
    const events = await call(reporter, 'GET', `/api/submissions/${subs.body.items[0].id}/events`);
    expect(events.body.items).toEqual([
      expect.objectContaining({ action: 'open', from_status: null, to_status: 'draft' }),
    ]);
    // After the 1 July 2025 reorganisation the old wards no longer exist.
    const later = await call(districtAdmin, 'POST', '/api/rounds', {
      form: FORM,
      period: '2025Q3',
      org_unit: '79.760',
      level: 'commune',
    });
    expect([later.status, later.body.code]).toEqual([400, 'round.no_units']);
    const calendar = await call(admin, 'POST', '/api/rounds', {
      form: FORM,
      period: '2025Q2',
      org_unit: '79',
      level: 'district',
      window: 'calendar',
    });
    expect(calendar.body).toMatchObject({
      data_from: '2025-04-01',
      cutoff: '2025-06-30',
      deadline: '2025-06-30',
    });
    expect(calendar.body.counts.total).toBe(2);
  });

  it('refuses overlapping rounds, bad periods, early deadlines and callers without admin on the subtree', async () => {
    const before = await counts();
    const overlap = await call(admin, 'POST', '/api/rounds', {
      form: FORM,
      period: '2025Q1',
      org_unit: '79',
    });
    expect(overlap.status).toBe(409);
    expect(overlap.body.code).toBe('round.overlap');
    expect(overlap.body.details.units.map((u: { code: string }) => u.code)).toEqual([WARD_A, WARD_B]);
    const period = await call(admin, 'POST', '/api/rounds', { form: FORM, period: '2025', org_unit: '79' });
    expect(period.body).toMatchObject({ code: 'round.period_type', field: 'period' });
    const malformed = await call(admin, 'POST', '/api/rounds', {
      form: FORM,
      period: '2025Q5',
      org_unit: '79',
    });
    expect(malformed.body).toMatchObject({ code: 'period.malformed', field: 'period' });
    const early = await call(admin, 'POST', '/api/rounds', {
      form: FORM,
      period: '2024Q3',
      org_unit: '79',
      deadline: '2024-09-01',
    });
    expect(early.body).toMatchObject({ code: 'round.deadline_before_cutoff', field: 'deadline' });
    const other = await call(districtAdmin, 'POST', '/api/rounds', {
      form: FORM,
      period: '2024Q3',
      org_unit: '79.761',
    });
    expect(other.status).toBe(403);
    expect(
      (await call(reporter, 'POST', '/api/rounds', { form: FORM, period: '2024Q3', org_unit: '79.760' }))
        .status,
    ).toBe(403);
    expect(await counts()).toEqual(before);
  });

  it('lists rounds in the caller’s scope with counts of their own units', async () => {
    const ward = await principalFor(t.store, [['viewer', WARD_A]]);
    const list = await call(ward, 'GET', '/api/rounds?period=2025Q1');
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0].counts).toMatchObject({ total: 1, draft: 1 });
    const q12 = await principalFor(t.store, [['viewer', '79.761']]);
    expect((await call(q12, 'GET', '/api/rounds?period=2025Q1')).body.items).toEqual([]);
    expect((await call(q12, 'GET', `/api/rounds/${list.body.items[0].id}`)).status).toBe(403);
    const moved = await call(admin, 'PATCH', `/api/rounds/${list.body.items[0].id}`, {
      version: list.body.items[0].version,
      deadline: '2025-03-31',
    });
    expect(moved.body).toMatchObject({ deadline: '2025-03-31', version: 2 });
    t.as(ward);
    const csv = await t.app.inject({
      method: 'GET',
      url: `/api/submissions.csv?round=${list.body.items[0].id}`,
    });
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe(
      'id,round_id,form,period,org_unit,org_unit_name_vi,org_level,status,late,deadline,submitted_by,submitted_at,reviewed_by,reviewed_at,return_comment,locked_at',
    );
    expect(lines.slice(1).map((l) => l.split(',')[4])).toEqual([WARD_A]);
  });
});

describe('reporting contacts', () => {
  it('are named by an admin of the unit and listed within scope', async () => {
    const added = await call(districtAdmin, 'POST', '/api/reporting-contacts', {
      org_unit: WARD_A,
      name: 'Lê Thị Mai',
      email: 'mai.lt@tandinh.test',
      phone: '028 3820 0000',
    });
    expect(added.status).toBe(201);
    const bad = await call(districtAdmin, 'POST', '/api/reporting-contacts', {
      org_unit: WARD_A,
      name: 'X',
      email: 'not-an-email',
    });
    expect(bad.status).toBe(400);
    expect(
      (
        await call(districtAdmin, 'POST', '/api/reporting-contacts', {
          org_unit: '79.761',
          name: 'Y',
          email: 'y@q12.test',
        })
      ).status,
    ).toBe(403);
    expect((await call(reporter, 'GET', '/api/reporting-contacts')).body.items).toEqual([
      {
        id: added.body.id,
        org_unit: WARD_A,
        name: 'Lê Thị Mai',
        email: 'mai.lt@tandinh.test',
        phone: '028 3820 0000',
        position: null,
      },
    ]);
    const q12 = await principalFor(t.store, [['viewer', '79.761']]);
    expect((await call(q12, 'GET', '/api/reporting-contacts')).body.items).toEqual([]);
    const archived = await call(districtAdmin, 'POST', `/api/reporting-contacts/${added.body.id}/archive`, {
      reason: 'Chuyển công tác',
    });
    expect(archived.status).toBe(200);
    expect((await call(reporter, 'GET', '/api/reporting-contacts')).body.items).toEqual([]);
  });
});

describe('OpenAPI', () => {
  it('describes every rounds route with its request and response shapes', async () => {
    const doc = (await call(null, 'GET', '/api/openapi.json')).body as {
      paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>>;
    };
    for (const [path, method] of [
      ['/api/forms', 'post'],
      ['/api/rounds', 'post'],
      ['/api/submissions/{id}/values', 'put'],
      ['/api/submissions/{id}/submit', 'post'],
      ['/api/submissions/{id}/approve', 'post'],
      ['/api/submissions/approve', 'post'],
      ['/api/submissions/{id}/signatures', 'post'],
      ['/api/inbox/reviewer', 'get'],
      ['/api/reminders', 'get'],
    ] as const) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(Object.keys(op!.responses), `${method} ${path}`).toEqual(
        expect.arrayContaining([expect.stringMatching(/^20/)]),
      );
    }
    const submit = doc.paths['/api/submissions/{id}/submit']!.post!;
    expect(JSON.stringify(submit.requestBody)).toContain('comments');
    expect(JSON.stringify(doc.paths['/api/submissions/{id}/values']!.get!.responses)).toContain('change_pct');
  });
});
