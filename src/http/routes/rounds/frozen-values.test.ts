/**
 * Values held by the workflow: while a submission is submitted, approved or locked, its values (its
 * unit × its round's period × its form's indicators, every disaggregation) cannot be changed through
 * the catalogue's PUT /api/values, archived, or overwritten by a bulk import; the whole import is
 * refused with the line and the rule, and nothing is written. Returning or reopening frees them.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../../app/audit.ts';
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
  vnDaysFromNow,
  WARD_A,
  WARD_B,
} from '../../../../test/rounds-fixture.ts';

let t: TestApp;
let admin: Principal;
let reviewer: Principal;
let reporter: Principal;
let subA: number;
let subB: number;

async function call(p: Principal, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) {
  t.as(p);
  const r = await t.app.inject({
    method,
    url,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  return { status: r.statusCode, body: r.json() };
}

async function step(p: Principal, id: number, action: string, extra: object = {}) {
  const { body: s } = await call(admin, 'GET', `/api/submissions/${id}`);
  const r = await call(p, 'POST', `/api/submissions/${id}/${action}`, { version: s.version, ...extra });
  expect(r.status, `${action}: ${JSON.stringify(r.body)}`).toBe(200);
}

async function storedValue(indicator: string, unit: string, period: string) {
  const [v] = await rows<{ id: number; value: number | null; version: number; status: string }>(
    t.store.db,
    sql`select v.id, v.value, v.version, v.status from data_value v join indicator i on i.id = v.indicator_id
        join org_unit u on u.id = v.org_unit_id where i.code = ${indicator} and u.code = ${unit}
        and v.period = ${period} and v.disagg = ''`,
  );
  return v;
}

async function importCsv(csv: string, dryRun = false) {
  t.as(admin);
  const r = await t.app.inject({
    method: 'POST',
    url: `/api/exchange/values/import?file=thang9.csv${dryRun ? '&dry_run=true' : ''}`,
    payload: csv,
    headers: { 'content-type': 'text/csv' },
  });
  return { status: r.statusCode, body: r.json() };
}

beforeAll(async () => {
  const store = await openRoundsStore();
  t = await testApp(store);
  admin = await principalFor(store, [['admin', '79']]);
  reviewer = await principalFor(store, [['reviewer', '79']]);
  reporter = await principalFor(store, [['reporter', '79.760']]);
  const round = await call(admin, 'POST', '/api/rounds', {
    form: FORM,
    period: '2024Q3',
    org_unit: '79.760',
    level: 'commune',
    deadline: vnDaysFromNow(20),
  });
  expect(round.status, JSON.stringify(round.body)).toBe(201);
  const subs = await call(admin, 'GET', `/api/submissions?round=${round.body.id}`);
  const idOf = (u: string) =>
    subs.body.items.find((s: { org_unit: string }) => s.org_unit === u).id as number;
  subA = idOf(WARD_A);
  subB = idOf(WARD_B);
  for (const id of [subA, subB]) {
    const r = await call(reporter, 'PUT', `/api/submissions/${id}/values`, {
      values: [
        { indicator: TOTAL, value: 300 },
        { indicator: ONLINE, value: 210 },
        { indicator: RATE, value: 70 },
      ],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    await step(reporter, id, 'submit');
  }
  // Ward A: approved and locked. Ward B: submitted, waiting for review.
  await step(reviewer, subA, 'approve');
  await step(reviewer, subA, 'lock');
});
afterAll(() => t.close());

describe('the catalogue’s direct write', () => {
  it('refuses to change or archive a locked value with 409 value.locked, naming the submission', async () => {
    const before = (await storedValue(TOTAL, WARD_A, '2024Q3'))!;
    expect(before).toMatchObject({ value: 300, status: 'approved' });
    t.as(admin);
    const r = await t.app.inject({
      method: 'PUT',
      url: '/api/values',
      payload: { indicator: TOTAL, period: '2024Q3', org_unit: WARD_A, value: 999, version: before.version },
    });
    expect(r.statusCode).toBe(409);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(r.json()).toMatchObject({
      code: 'value.locked',
      detail: expect.stringContaining(`thuộc báo cáo #${subA}`),
      details: { submission: subA, submission_status: 'locked', form: FORM, period: '2024Q3' },
    });
    expect(r.json().detail).toContain('đã khóa');
    const en = await t.app.inject({
      method: 'PUT',
      url: '/api/values',
      headers: { 'accept-language': 'en' },
      payload: { indicator: TOTAL, period: '2024Q3', org_unit: WARD_A, value: 999, version: before.version },
    });
    expect(en.json().detail).toMatch(/which is locked; it cannot be changed outside the reporting workflow/);
    // a stale version does not hide the lock; a new disaggregation of the same value is held too
    const stale = await call(admin, 'PUT', '/api/values', {
      indicator: TOTAL,
      period: '2024Q3',
      org_unit: WARD_A,
      value: 999,
      version: 1,
    });
    expect(stale.body.code).toBe('value.locked');
    const disagg = await call(admin, 'PUT', '/api/values', {
      indicator: TOTAL,
      period: '2024Q3',
      org_unit: WARD_A,
      disagg: 'nu',
      value: 120,
    });
    expect(disagg.status).toBe(409);
    // a value missing from the locked submission cannot be added behind its back either
    const added = await call(admin, 'PUT', '/api/values', {
      indicator: TRAINED,
      period: '2024Q3',
      org_unit: WARD_A,
      value: 5,
    });
    expect(added).toMatchObject({ status: 409, body: { code: 'value.locked' } });
    const archive = await call(admin, 'POST', `/api/values/${before.id}/archive`, {
      version: before.version,
      reason: 'Nhập nhầm',
    });
    expect(archive).toMatchObject({ status: 409, body: { code: 'value.locked' } });
    expect(await storedValue(TOTAL, WARD_A, '2024Q3')).toEqual(before);
    // the same figure again changes nothing and is allowed
    const same = await call(admin, 'PUT', '/api/values', {
      indicator: TOTAL,
      period: '2024Q3',
      org_unit: WARD_A,
      value: 300,
      provenance: 'entered',
      version: before.version,
    });
    expect(same).toMatchObject({ status: 200, body: { outcome: 'unchanged' } });
  });

  it('holds a submitted value too (until a reviewer returns it); other periods stay free', async () => {
    const r = await call(admin, 'PUT', '/api/values', {
      indicator: TRAINED,
      period: '2024Q3',
      org_unit: WARD_B,
      value: 4,
    });
    expect(r).toMatchObject({
      status: 409,
      body: { code: 'value.locked', details: { submission: subB, submission_status: 'submitted' } },
    });
    expect(r.body.detail).toContain('đang chờ duyệt');
    const other = await call(admin, 'PUT', '/api/values', {
      indicator: TRAINED,
      period: '2024Q2',
      org_unit: WARD_B,
      value: 4,
    });
    expect(other.status).toBe(201);
  });
});

describe('bulk imports', () => {
  const csv = [
    'indicator_code,period,org_unit_code,value',
    `${TOTAL},2024Q2,${WARD_B},150`,
    `${TOTAL},2024Q3,${WARD_A},999`,
    `${ONLINE},2024Q3,${WARD_A},210`,
    `${RATE},2024Q3,${WARD_B},71`,
    '',
  ].join('\n');

  it('rejects the whole file naming each line that would change a held value; nothing is written', async () => {
    const dry = await importCsv(csv, true);
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({
      dry_run: true,
      rejected_count: 2,
      rejected: [
        { line: 3, column: 'value', code: 'value.locked' },
        { line: 5, column: 'value', code: 'value.locked' },
      ],
    });
    const auditBefore = await rows<{ n: number }>(t.store.db, sql`select count(*)::int as n from audit_log`);
    const r = await importCsv(csv);
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({
      code: 'import.rejected',
      row: 3,
      errors: [
        { code: 'value.locked', file: 'thang9.csv', row: 3, column: 'value' },
        { code: 'value.locked', file: 'thang9.csv', row: 5, column: 'value' },
      ],
    });
    expect(r.body.errors[0].vi).toMatch(
      /^Dòng 3: Số liệu HS_TONG \/ 79\.760\.26734 \/ 2024Q3 thuộc báo cáo #\d+/,
    );
    expect(r.body.errors[1].en).toContain('which is submitted and waiting for review');
    expect(await storedValue(TOTAL, WARD_B, '2024Q2')).toBeUndefined();
    expect((await storedValue(TOTAL, WARD_A, '2024Q3'))!.value).toBe(300);
    expect((await storedValue(RATE, WARD_B, '2024Q3'))!.value).toBe(70);
    const auditAfter = await rows<{ n: number }>(t.store.db, sql`select count(*)::int as n from audit_log`);
    expect(auditAfter[0]!.n).toBe(auditBefore[0]!.n);
  });

  it('lets a file through whose rows leave the held values as they are', async () => {
    const r = await importCsv(
      [
        'indicator_code,period,org_unit_code,value,provenance,status',
        `${TOTAL},2024Q2,${WARD_B},150,,`,
        `${ONLINE},2024Q3,${WARD_A},210,entered,approved`,
        '',
      ].join('\n'),
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ created: 1, unchanged: 1, rejected_count: 0 });
  });
});

describe('the workflow frees the values', () => {
  it('after a reopen (admin, with a reason) the direct write and the import succeed', async () => {
    await step(admin, subA, 'reopen', { reason: 'Sở Nội vụ phát hiện số liệu sai' });
    const v = (await storedValue(TOTAL, WARD_A, '2024Q3'))!;
    const put = await call(admin, 'PUT', '/api/values', {
      indicator: TOTAL,
      period: '2024Q3',
      org_unit: WARD_A,
      value: 310,
      version: v.version,
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({ outcome: 'updated', value: { value: 310 } });
    const imp = await importCsv(
      ['indicator_code,period,org_unit_code,value', `${ONLINE},2024Q3,${WARD_A},215`, ''].join('\n'),
    );
    expect(imp.status, JSON.stringify(imp.body)).toBe(200);
    expect(imp.body).toMatchObject({ updated: 1 });
  });

  it('after a return by the reviewer the submitted values are free again', async () => {
    await step(reviewer, subB, 'return', { comment: 'Bổ sung số cán bộ tập huấn' });
    const r = await call(admin, 'PUT', '/api/values', {
      indicator: TRAINED,
      period: '2024Q3',
      org_unit: WARD_B,
      value: 4,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(await verifyAuditChain(t.store)).toMatchObject({ ok: true });
  });
});
