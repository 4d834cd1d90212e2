/**
 * What the administration pages of reporting rely on, through the API: the list of forms once
 * forms exist (item counts), a formula's syntax error at its side and character, and managing a
 * round — its submissions by unit, locking, reopening with a reason (admin only, audited, an event
 * with the reason, back to the unit as returned).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { principalFor, type TestApp, testApp } from '../../../../test/fixtures.ts';
import { FORM, openRoundsStore, TOTAL, TRAINED, WARD_A, WARD_B } from '../../../../test/rounds-fixture.ts';
import { rows } from '../../../store/db.ts';
import type { Principal } from '../../policies/index.ts';

let t: TestApp;
let admin: Principal;
let reviewer: Principal;
let reporter: Principal;

beforeAll(async () => {
  t = await testApp(await openRoundsStore());
  admin = await principalFor(t.store, [['admin', '79']], 'quan.tri');
  reviewer = await principalFor(t.store, [['reviewer', '79']], 'tham.dinh');
  reporter = await principalFor(t.store, [['reporter', '79.760']], 'bao.cao');
});
afterAll(() => t.close());

async function call(p: Principal | null, method: 'GET' | 'POST', url: string, payload?: unknown) {
  t.as(p);
  const r = await t.app.inject({
    method,
    url,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  return { status: r.statusCode, body: r.json() };
}

describe('administration of forms and rounds', () => {
  it('lists the forms with the number of items of their current version', async () => {
    const r = await call(reporter, 'GET', '/api/forms');
    expect(r.status).toBe(200);
    expect(r.body.items).toEqual([
      expect.objectContaining({
        code: FORM,
        period_type: 'quarter',
        version: 1,
        items_count: 4,
        archived: false,
      }),
    ]);
  });

  it('gives a formula syntax error at its side and character, and stores nothing', async () => {
    const r = await call(admin, 'POST', '/api/validation-rules', {
      code: 'R-SYNTAX',
      name_vi: 'Thử',
      name_en: 'Trial',
      left: `${TOTAL} + * 2`,
      operator: '>=',
      right: TRAINED,
      importance: 'error',
      period_type: 'quarter',
    });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 'formula.syntax', field: 'left', position: TOTAL.length + 3 });
    expect(r.body.vi).toContain(`vị trí ${TOTAL.length + 3}`);
    const [n] = await rows<{ n: number }>(t.store.db, sql`select count(*)::int as n from validation_rule`);
    expect(n!.n).toBe(0);
  });

  it('manages a round: submissions by unit, lock, and reopen with a reason by an admin only', async () => {
    const round = await call(admin, 'POST', '/api/rounds', {
      form: FORM,
      period: '2024Q4',
      org_unit: '79.760',
      level: 'commune',
      deadline: '2099-01-31',
    });
    expect(round.status).toBe(201);
    const subs = await call(admin, 'GET', `/api/submissions?round=${round.body.id}&limit=1000`);
    expect(subs.body.items.map((s: { org_unit: string }) => s.org_unit).sort()).toEqual([WARD_A, WARD_B]);
    const id = subs.body.items.find((s: { org_unit: string }) => s.org_unit === WARD_A).id as number;

    // the ward reports and the reviewer approves
    const values = [
      { indicator: TOTAL, value: 100 },
      { indicator: 'HS_TRUC_TUYEN', value: 60 },
      { indicator: 'TL_TRUC_TUYEN', value: 60 },
    ];
    expect((await call(reporter, 'POST', `/api/submissions/${id}/submit`, { version: 1 })).status).toBe(422);
    t.as(reporter);
    expect(
      (await t.app.inject({ method: 'PUT', url: `/api/submissions/${id}/values`, payload: { values } }))
        .statusCode,
    ).toBe(200);
    const v1 = (await call(reporter, 'GET', `/api/submissions/${id}`)).body.version;
    expect((await call(reporter, 'POST', `/api/submissions/${id}/submit`, { version: v1 })).status).toBe(200);
    const v2 = (await call(reviewer, 'GET', `/api/submissions/${id}`)).body.version;
    expect((await call(reviewer, 'POST', `/api/submissions/${id}/approve`, { version: v2 })).status).toBe(
      200,
    );

    // the round counts it; locking every approved submission locks it
    expect((await call(admin, 'GET', `/api/rounds/${round.body.id}`)).body.counts).toMatchObject({
      approved: 1,
      draft: 1,
      total: 2,
    });
    expect((await call(reviewer, 'POST', `/api/rounds/${round.body.id}/lock`)).body).toEqual({
      locked: [id],
    });
    const locked = (await call(admin, 'GET', `/api/submissions/${id}`)).body;
    expect(locked.status).toBe('locked');

    // reopening: not by a reviewer, not without a reason; by an admin with one
    const reason = 'Sở đề nghị rà soát lại số hồ sơ trực tuyến.';
    expect(
      (await call(reviewer, 'POST', `/api/submissions/${id}/reopen`, { version: locked.version, reason }))
        .status,
    ).toBe(403);
    expect(
      (await call(admin, 'POST', `/api/submissions/${id}/reopen`, { version: locked.version, reason: ' ' }))
        .status,
    ).toBe(400);
    const before = (await rows<{ n: number }>(t.store.db, sql`select count(*)::int as n from audit_log`))[0]!
      .n;
    const reopened = await call(admin, 'POST', `/api/submissions/${id}/reopen`, {
      version: locked.version,
      reason,
    });
    expect(reopened.status).toBe(200);
    expect(reopened.body).toMatchObject({
      status: 'returned',
      reopened_by: 'quan.tri',
      reopen_reason: reason,
    });
    const events = (await call(admin, 'GET', `/api/submissions/${id}/events`)).body.items;
    expect(events.at(-1)).toMatchObject({
      action: 'reopen',
      actor: 'quan.tri',
      comment: reason,
      to_status: 'returned',
    });
    const audit = await rows<{ actor: string; action: string }>(
      t.store.db,
      sql`select actor, action from audit_log where seq > (select max(seq) from audit_log) - 10 and entity = 'submission' and entity_id = ${String(id)} order by seq desc limit 1`,
    );
    expect(audit[0]).toMatchObject({ actor: 'quan.tri' });
    expect(audit[0]!.action).toMatch(/reopen/);
    expect(
      (await rows<{ n: number }>(t.store.db, sql`select count(*)::int as n from audit_log`))[0]!.n,
    ).toBeGreaterThan(before);
    const inbox = (await call(reporter, 'GET', '/api/inbox/reporter')).body.items;
    expect(inbox.find((i: { submission_id: number }) => i.submission_id === id)).toMatchObject({
      category: 'returned',
      return_comment: reason,
    });
  });
});
