/**
 * Entering values in a submission: optimistic versions (two reporters, one 409), atomic saves, checks
 * on entry and on submit (errors block, warnings need comments), the previous period beside each
 * value, and the reporter's and reviewer's inboxes.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setValue } from '../../../app/catalogue/values.ts';
import { createValidationRule } from '../../../app/rounds/define-validation-rule.ts';
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
let reporter: Principal;
let reporter2: Principal;
let reviewer: Principal;
let admin: Principal;

beforeAll(async () => {
  const store = await openRoundsStore({ testWards: 4 });
  t = await testApp(store);
  reporter = await principalFor(store, [['reporter', '79.760']]);
  reporter2 = await principalFor(store, [['reporter', WARD_A]], 'ward-reporter@26734');
  reviewer = await principalFor(store, [['reviewer', '79']]);
  admin = await principalFor(store, [['admin', '79']]);
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

async function openRound(period: string, deadline?: string) {
  const r = await call(admin, 'POST', '/api/rounds', {
    form: FORM,
    period,
    org_unit: '79.760',
    level: 'commune',
    ...(deadline ? { deadline } : {}),
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  const subs = await call(admin, 'GET', `/api/submissions?round=${r.body.id}`);
  const byUnit = new Map<string, { id: number; version: number }>(
    subs.body.items.map((s: { org_unit: string; id: number; version: number }) => [s.org_unit, s]),
  );
  return { round: r.body as { id: number }, sub: (u: string) => byUnit.get(u)! };
}

const valuesOf = async (id: number) =>
  (await call(reporter, 'GET', `/api/submissions/${id}/values`)).body.items as Array<{
    indicator: string;
    value: number | null;
    version: number;
    status: string | null;
    previous: { period: string; value: number | null } | null;
    change_pct: number | null;
  }>;

describe('concurrent entry', () => {
  it('gives one success and one 409 with the current value when two reporters save the same value', async () => {
    const { sub } = await openRound('2023Q1', vnDaysFromNow(30));
    const s = sub(WARD_A);
    // Both open the form: no value yet (version 0), and both save at the same moment.
    const [a, b] = await Promise.all([
      call(reporter, 'PUT', `/api/submissions/${s.id}/values`, {
        values: [{ indicator: TOTAL, value: 120, version: 0 }],
      }),
      call(reporter2, 'PUT', `/api/submissions/${s.id}/values`, {
        values: [{ indicator: TOTAL, value: 130, version: 0 }],
      }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const [won, lost] = a.status === 200 ? [a, b] : [b, a];
    expect(lost.body.code).toBe('conflict.stale_version');
    expect(lost.body.field).toBe('values.0.version');
    const winner = won.body.values[0].value.value;
    expect(lost.body.details.current).toEqual([
      expect.objectContaining({ indicator_code: TOTAL, value: winner, version: 1 }),
    ]);

    // Then both edit version 1 at once: again one wins.
    const [c, d] = await Promise.all([
      call(reporter, 'PUT', `/api/submissions/${s.id}/values`, {
        values: [{ indicator: TOTAL, value: 140, version: 1 }],
      }),
      call(reporter2, 'PUT', `/api/submissions/${s.id}/values`, {
        values: [{ indicator: TOTAL, value: 150, version: 1 }],
      }),
    ]);
    expect([c.status, d.status].sort()).toEqual([200, 409]);
    const final = (await valuesOf(s.id)).find((v) => v.indicator === TOTAL)!;
    expect(final.version).toBe(2);
    expect(final.value).toBe(c.status === 200 ? 140 : 150);
    const [history] = await rows<{ n: number }>(
      t.store.db,
      sql`select count(*)::int as n from data_value_history h join data_value v on v.id = h.data_value_id
          join indicator i on i.id = v.indicator_id join org_unit u on u.id = v.org_unit_id
          where i.code = ${TOTAL} and u.code = ${WARD_A} and v.period = '2023Q1'`,
    );
    expect(history!.n).toBe(1);
  });

  it('saves all values or none, and checks each on entry', async () => {
    const { sub } = await openRound('2023Q2', vnDaysFromNow(30));
    const s = sub(WARD_B);
    const bad = await call(reporter, 'PUT', `/api/submissions/${s.id}/values`, {
      values: [
        { indicator: TOTAL, value: 200 },
        { indicator: RATE, value: 120 },
        { indicator: 'CHUA_CO', value: 1 },
        { indicator: TRAINED, value: 2.5 },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string; code: string }) => [e.field, e.code])).toEqual([
      ['values.1.value', 'value.percent_range'],
      ['values.2.indicator', 'submission.not_an_item'],
      ['values.3.value', 'value.integer'],
    ]);
    expect((await valuesOf(s.id)).every((v) => v.value === null && v.version === 0)).toBe(true);
    const after = await call(admin, 'GET', `/api/submissions/${s.id}`);
    expect(after.body.version).toBe(s.version);
  });

  it('refuses entry from outside the unit’s subtree', async () => {
    const { sub } = await openRound('2023Q3', vnDaysFromNow(30));
    const ward = await principalFor(t.store, [['reporter', WARD_A]]);
    const r = await call(ward, 'PUT', `/api/submissions/${sub(WARD_B).id}/values`, {
      values: [{ indicator: TOTAL, value: 1 }],
    });
    expect(r.status).toBe(403);
    expect(
      (await call(null, 'PUT', `/api/submissions/${sub(WARD_B).id}/values`, { values: [] })).status,
    ).toBe(401);
  });
});

describe('checks on submit', () => {
  let sub: (u: string) => { id: number; version: number };
  beforeAll(async () => {
    // Three approved quarters of history for ward A, 2024Q1–Q3.
    await t.store.db.transaction(async (tx) => {
      for (const [period, total, online, rate, trained] of [
        ['2024Q1', 200, 100, 50, 10],
        ['2024Q2', 210, 110, 52.4, 11],
        ['2024Q3', 205, 120, 58.5, 12],
        ['2024Q4', 220, 125, 56.8, 12],
      ] as const) {
        for (const [indicator, value] of [
          [TOTAL, total],
          [ONLINE, online],
          [RATE, rate],
          [TRAINED, trained],
        ] as const)
          await setValue(tx, 'system:test', {
            indicator,
            org_unit: WARD_A,
            period,
            value,
            provenance: 'imported',
          });
      }
      await createValidationRule(tx, 'system:test', {
        code: 'TL_KHOP',
        name_vi: 'Tỷ lệ trực tuyến khớp với số hồ sơ',
        name_en: 'Online rate agrees with the dossier counts',
        left: RATE,
        operator: '==',
        right: `round(${ONLINE} / ${TOTAL} * 100, 1)`,
        importance: 'warning',
        period_type: 'quarter',
      });
      await createValidationRule(tx, 'system:test', {
        code: 'TAP_HUAN_TANG',
        name_vi: 'Số cán bộ tập huấn không giảm so với quý trước',
        name_en: 'Staff trained does not fall below the previous quarter',
        left: TRAINED,
        operator: '>=',
        right: `${TRAINED}@-1`,
        importance: 'error',
        period_type: 'quarter',
        form: FORM,
      });
    });
    ({ sub } = await openRound('2025Q1', vnDaysFromNow(30)));
  });

  const save = async (id: number, vals: Record<string, number | null>) => {
    const current = new Map((await valuesOf(id)).map((v) => [v.indicator, v.version]));
    const r = await call(reporter, 'PUT', `/api/submissions/${id}/values`, {
      values: Object.entries(vals).map(([indicator, value]) => ({
        indicator,
        value,
        version: current.get(indicator),
      })),
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.submission.version as number;
  };

  it('blocks on errors: required items, numerator above denominator, a violated error rule', async () => {
    const s = sub(WARD_A);
    let v = await save(s.id, { [TOTAL]: 225, [ONLINE]: 240, [TRAINED]: 9 });
    const r = await call(reporter, 'POST', `/api/submissions/${s.id}/submit`, { version: v });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('submission.invalid');
    expect(r.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      `denominator:${ONLINE}`,
      `required:${RATE}`,
      'rule:TAP_HUAN_TANG',
    ]);
    const report = await call(reviewer, 'GET', `/api/submissions/${s.id}/validation`);
    expect(report.body.errors).toHaveLength(3);
    expect((await call(admin, 'GET', `/api/submissions/${s.id}`)).body.status).toBe('draft');
    // The previous quarter's approved values stand beside the new ones.
    const vals = await valuesOf(s.id);
    expect(vals.find((x) => x.indicator === TOTAL)).toMatchObject({
      value: 225,
      previous: { period: '2024Q4', value: 220 },
      change_pct: 2.272727,
    });
    v = await save(s.id, { [ONLINE]: 130, [RATE]: 57.8, [TRAINED]: 12 });
    const ok = await call(reporter, 'POST', `/api/submissions/${s.id}/submit`, { version: v });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.warning_comments).toBeNull();
  });

  it('needs a comment of at least 3 characters for each warning, by its key', async () => {
    const s = sub(WARD_B);
    // Ward B has no history: only the rule can warn. Ward A's outliers are checked below.
    const v = await save(s.id, { [TOTAL]: 100, [ONLINE]: 40, [RATE]: 45 });
    const r = await call(reporter, 'POST', `/api/submissions/${s.id}/submit`, { version: v });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('submission.warning_comment_required');
    expect(r.body.details.report.warnings.map((w: { key: string }) => w.key)).toEqual(['rule:TL_KHOP']);
    const short = await call(reporter, 'POST', `/api/submissions/${s.id}/submit`, {
      version: v,
      comments: { 'rule:TL_KHOP': ' ok' },
    });
    expect(short.body.code).toBe('submission.warning_comment_required');
    const done = await call(reporter, 'POST', `/api/submissions/${s.id}/submit`, {
      version: v,
      comments: { 'rule:TL_KHOP': 'Tỷ lệ tính theo hồ sơ đã giải quyết, không theo hồ sơ tiếp nhận' },
    });
    expect(done.status).toBe(200);
    expect(done.body.warning_comments).toEqual({
      'rule:TL_KHOP': 'Tỷ lệ tính theo hồ sơ đã giải quyết, không theo hồ sơ tiếp nhận',
    });
    const events = await call(reviewer, 'GET', `/api/submissions/${s.id}/events`);
    expect(events.body.items.at(-1).data.warnings).toEqual([
      { key: 'rule:TL_KHOP', comment: 'Tỷ lệ tính theo hồ sơ đã giải quyết, không theo hồ sơ tiếp nhận' },
    ]);
  });

  it('warns about values far from the unit’s own history', async () => {
    const { sub: next } = await openRound('2025Q2', vnDaysFromNow(30));
    // The reviewer approves ward A's 2025Q1 report: it joins the history.
    const q1 = sub(WARD_A);
    const cur = await call(admin, 'GET', `/api/submissions/${q1.id}`);
    expect(cur.body.status).toBe('submitted');
    const ok = await call(reviewer, 'POST', `/api/submissions/${q1.id}/approve`, {
      version: cur.body.version,
    });
    expect(ok.status).toBe(200);
    const s = next(WARD_A);
    const v = await save(s.id, { [TOTAL]: 900, [ONLINE]: 500, [RATE]: 55.6, [TRAINED]: 13 });
    const report = await call(reporter, 'GET', `/api/submissions/${s.id}/validation`);
    expect(report.body.errors).toEqual([]);
    expect(report.body.warnings.map((w: { key: string }) => w.key)).toEqual([
      `outlier:${TOTAL}`,
      `outlier:${ONLINE}`,
    ]);
    expect(report.body.warnings[0].details).toMatchObject({ previous: 225, median: 210 });
    const r = await call(reporter, 'POST', `/api/submissions/${s.id}/submit`, {
      version: v,
      comments: { [`outlier:${TOTAL}`]: 'Sáp nhập bộ phận một cửa của hai phường' },
    });
    expect(r.body.errors.map((e: { field: string }) => e.field)).toEqual([`comments.outlier:${ONLINE}`]);
  });
});

describe('inboxes', () => {
  it('shows reporters what is due, overdue and returned, and reviewers what waits for them with the previous values', async () => {
    const due = await openRound('2022Q1', vnDaysFromNow(10));
    const overdue = await openRound('2022Q2');
    const inbox = await call(reporter, 'GET', '/api/inbox/reporter?limit=1000');
    const cat = (roundId: number, unit: string) =>
      inbox.body.items.find(
        (i: { round_id: number; org_unit: string }) => i.round_id === roundId && i.org_unit === unit,
      )?.category;
    expect(cat(due.round.id, WARD_A)).toBe('due');
    expect(cat(overdue.round.id, WARD_A)).toBe('overdue');
    expect(inbox.body.items.find((i: { round_id: number }) => i.round_id === due.round.id).days_left).toBe(
      10,
    );

    // Ward B reports, the reviewer returns it, then it is resubmitted.
    const s = due.sub(WARD_B);
    const filled = await call(reporter, 'PUT', `/api/submissions/${s.id}/values`, {
      values: [
        { indicator: TOTAL, value: 80 },
        { indicator: ONLINE, value: 40 },
        { indicator: RATE, value: 50 },
      ],
    });
    const sent = await call(reporter, 'POST', `/api/submissions/${s.id}/submit`, {
      version: filled.body.submission.version,
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    const waiting = await call(reviewer, 'GET', `/api/inbox/reviewer?round=${due.round.id}`);
    expect(waiting.body.items).toEqual([
      expect.objectContaining({
        submission_id: s.id,
        org_unit: WARD_B,
        previous_period: '2021Q4',
        late: false,
        comparison: [
          { indicator: TOTAL, value: 80, previous: null, change_pct: null },
          { indicator: ONLINE, value: 40, previous: null, change_pct: null },
          { indicator: RATE, value: 50, previous: null, change_pct: null },
          { indicator: TRAINED, value: null, previous: null, change_pct: null },
        ],
      }),
    ]);
    // The reporter does not review, and a reviewer does not see what they submitted themselves.
    expect((await call(reporter, 'GET', '/api/inbox/reviewer')).status).toBe(403);
    const back = await call(reviewer, 'POST', `/api/submissions/${s.id}/return`, {
      version: sent.body.version,
      comment: 'Bổ sung số cán bộ tập huấn',
    });
    expect(back.status).toBe(200);
    const again = await call(reporter, 'GET', `/api/inbox/reporter?category=returned&round=${due.round.id}`);
    expect(again.body.items).toEqual([
      expect.objectContaining({
        submission_id: s.id,
        category: 'returned',
        return_comment: 'Bổ sung số cán bộ tập huấn',
      }),
    ]);
    // A reporter of Quận 12 sees none of Quận 1's work.
    const other = await principalFor(t.store, [['reporter', '79.761']]);
    const theirs = await call(other, 'GET', `/api/inbox/reporter?round=${due.round.id}`);
    expect(theirs.body.items).toEqual([]);
  });
});
