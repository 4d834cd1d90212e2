/**
 * The submission workflow through the API: every (state, action, role) against the transition table,
 * and each guard — version, round closed / not open / before cut-off, late flag, comments, self-review.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../../app/audit.ts';
import { onApproved, onReopened } from '../../../app/rounds/hooks.ts';
import { ACTIONS, type Action } from '../../../app/rounds/workflow.ts';
import type { Principal } from '../../policies/index.ts';
import { rows } from '../../../store/db.ts';
import { principalFor, type TestApp, testApp } from '../../../../test/fixtures.ts';
import {
  FORM,
  ONLINE,
  openRoundsStore,
  RATE,
  TOTAL,
  TRAINED,
  testWard,
  vnDaysFromNow,
  WARD_A,
  WARD_B,
} from '../../../../test/rounds-fixture.ts';

let t: TestApp;
const who: Record<string, Principal> = {};

beforeAll(async () => {
  const store = await openRoundsStore({ testWards: 20 });
  t = await testApp(store);
  who.reporter = await principalFor(store, [['reporter', '79.760']]);
  who.reporter2 = await principalFor(store, [['reporter', '79.760']], 'second-reporter@79.760');
  who.reviewer = await principalFor(store, [['reviewer', '79']]);
  who.admin = await principalFor(store, [['admin', '79']]);
  who.viewer = await principalFor(store, [['viewer', '79']]);
  who.outsideReporter = await principalFor(store, [['reporter', '79.761']]);
  who.outsideReviewer = await principalFor(store, [['reviewer', '79.761']]);
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
  return {
    status: r.statusCode,
    body: r.headers['content-type']?.toString().includes('json') ? r.json() : r.body,
  };
}

async function openRound(body: Record<string, unknown>) {
  const r = await call(who.admin!, 'POST', '/api/rounds', { form: FORM, ...body });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: number; deadline: string; cutoff: string; counts: { total: number } };
}

async function submissionOf(roundId: number, unit: string) {
  const r = await call(who.admin!, 'GET', `/api/submissions?round=${roundId}&limit=1000`);
  const s = (r.body.items as Array<{ id: number; org_unit: string; version: number; status: string }>).find(
    (x) => x.org_unit === unit,
  );
  if (!s) throw new Error(`no submission for ${unit}`);
  return s;
}

const goodValues = (total = 200, online = 150) => ({
  values: [
    { indicator: TOTAL, value: total },
    { indicator: ONLINE, value: online },
    { indicator: RATE, value: Math.round((online / total) * 1000) / 10 },
    { indicator: TRAINED, value: 12 },
  ],
});

async function current(id: number) {
  return (await call(who.admin!, 'GET', `/api/submissions/${id}`)).body as {
    id: number;
    status: string;
    version: number;
    late: boolean;
    submitted_by: string | null;
  };
}

/** Brings a submission with valid values to a state through the real workflow. */
async function bringTo(id: number, state: string) {
  const seen = await call(who.reporter!, 'GET', `/api/submissions/${id}/values`);
  const versions = new Map(
    (seen.body.items as Array<{ indicator: string; version: number }>).map((i) => [i.indicator, i.version]),
  );
  const values = goodValues().values.map((v) => ({ ...v, version: versions.get(v.indicator) }));
  const fill = await call(who.reporter!, 'PUT', `/api/submissions/${id}/values`, { values });
  expect(fill.status, JSON.stringify(fill.body)).toBe(200);
  if (state === 'draft') return;
  const step = async (p: Principal, action: string, extra: object = {}) => {
    const v = (await current(id)).version;
    const r = await call(p, 'POST', `/api/submissions/${id}/${action}`, { version: v, ...extra });
    expect(r.status, `${action}: ${JSON.stringify(r.body)}`).toBe(200);
  };
  await step(who.reporter!, 'submit');
  if (state === 'submitted') return;
  if (state === 'returned') return step(who.reviewer!, 'return', { comment: 'Xem lại số hồ sơ' });
  await step(who.reviewer!, 'approve');
  if (state === 'approved') return;
  await step(who.reviewer!, 'lock');
}

const bodyFor = (action: Action, version: number) =>
  action === 'submit'
    ? { version }
    : action === 'return'
      ? { version, comment: 'Số liệu chưa khớp' }
      : action === 'reopen'
        ? { version, reason: 'Sai số liệu quý trước' }
        : { version };

describe('the transition table', () => {
  const STATES = ['draft', 'submitted', 'returned', 'approved', 'locked'] as const;
  const ROLES = ['reporter', 'reviewer', 'admin', 'viewer', 'outsideReporter', 'outsideReviewer'] as const;
  /** Which test roles hold which workflow role on Quận 1's wards. */
  const HOLDS: Record<(typeof ROLES)[number], string[]> = {
    reporter: ['reporter', 'viewer'],
    reviewer: ['reviewer', 'viewer'],
    admin: ['admin', 'reviewer', 'reporter', 'viewer'],
    viewer: ['viewer'],
    outsideReporter: [],
    outsideReviewer: [],
  };

  it('allows exactly the table and refuses everything else with 403 or 409, changing nothing', async () => {
    const round = await openRound({
      period: '2024Q1',
      org_unit: '79.760',
      level: 'commune',
      deadline: vnDaysFromNow(30),
    });
    expect(round.counts.total).toBe(22);
    const wards = [WARD_A, WARD_B, ...Array.from({ length: 20 }, (_, i) => testWard(i + 1))];
    let next = 0;
    const fresh = async (state: string) => {
      const s = await submissionOf(round.id, wards[next++]!);
      await bringTo(s.id, state);
      return s.id;
    };
    // One submission per state takes every refused attempt; each allowed attempt gets a fresh one.
    const shared: Record<string, number> = {};
    const known = new Map<number, Awaited<ReturnType<typeof current>>>();
    for (const state of STATES) {
      shared[state] = await fresh(state);
      known.set(shared[state]!, await current(shared[state]!));
    }
    let allowed = 0;
    let refused = 0;
    for (const state of STATES)
      for (const action of Object.keys(ACTIONS) as Action[])
        for (const role of ROLES) {
          const rule = ACTIONS[action];
          const roleOk = HOLDS[role].includes(rule.role);
          const stateOk = (rule.from as readonly string[]).includes(state);
          const id = roleOk && stateOk ? await fresh(state) : shared[state]!;
          const before = known.get(id) ?? (await current(id));
          const r = await call(
            who[role]!,
            'POST',
            `/api/submissions/${id}/${action}`,
            bodyFor(action, before.version),
          );
          const label = `${state} ${action} by ${role}: ${JSON.stringify(r.body)}`;
          if (roleOk && stateOk) {
            allowed++;
            expect(r.status, label).toBe(200);
            expect(r.body.status, label).toBe(rule.to);
            expect(r.body.version, label).toBe(before.version + 1);
          } else {
            refused++;
            expect(r.status, label).toBe(roleOk ? 409 : 403);
            expect(r.body.code, label).toBe(roleOk ? 'submission.invalid_transition' : 'auth.forbidden');
            expect(await current(id), label).toEqual(before);
          }
        }
    expect(allowed).toBe(12);
    expect(refused).toBe(5 * 5 * 6 - 12);
    expect(next).toBe(17);
    expect((await verifyAuditChain(t.store)).ok).toBe(true);
    // About 500 requests on one database: allow for a busy machine.
  }, 300_000);

  it('refuses anonymous callers with 401', async () => {
    for (const action of Object.keys(ACTIONS)) {
      const r = await call(null, 'POST', `/api/submissions/1/${action}`, { version: 1 });
      expect(r.status).toBe(401);
    }
  });
});

describe('guards and effects of each step', () => {
  let roundId: number;
  beforeAll(async () => {
    // Q2 2024 with the Decree 09 deadline (20/06/2024): long past, so every submission is late.
    const r = await openRound({ period: '2024Q2', org_unit: '79.760', level: 'commune' });
    expect(r.cutoff).toBe('2024-06-14');
    expect(r.deadline).toBe('2024-06-20');
    roundId = r.id;
  });

  it('records values as draft → submitted → approved, flags a late submission, runs the hooks, lists events', async () => {
    const s = await submissionOf(roundId, WARD_A);
    await bringTo(s.id, 'draft');
    const status = async () =>
      (
        await rows<{ status: string }>(
          t.store.db,
          sql`select distinct v.status from data_value v join org_unit u on u.id = v.org_unit_id
              where u.code = ${WARD_A} and v.period = '2024Q2'`,
        )
      ).map((r) => r.status);
    expect(await status()).toEqual(['draft']);
    const submitted = await call(who.reporter!, 'POST', `/api/submissions/${s.id}/submit`, {
      version: (await current(s.id)).version,
    });
    expect(submitted.status).toBe(200);
    expect(submitted.body).toMatchObject({
      status: 'submitted',
      late: true,
      submitted_by: who.reporter!.username,
    });
    expect(await status()).toEqual(['submitted']);

    const seen: Array<{ unitId: number; period: string; indicatorIds: number[] }> = [];
    const hook = (_tx: unknown, e: { unitId: number; period: string; indicatorIds: number[] }) => {
      seen.push(e);
    };
    onApproved.push(hook);
    try {
      const approved = await call(who.reviewer!, 'POST', `/api/submissions/${s.id}/approve`, {
        version: submitted.body.version,
      });
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({ status: 'approved', reviewed_by: who.reviewer!.username });
    } finally {
      onApproved.splice(onApproved.indexOf(hook), 1);
    }
    expect(await status()).toEqual(['approved']);
    const [unit] = await rows<{ id: number }>(
      t.store.db,
      sql`select id from org_unit where code = ${WARD_A}`,
    );
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ unitId: unit!.id, period: '2024Q2' });
    expect(seen[0]!.indicatorIds).toHaveLength(4);

    const events = await call(who.viewer!, 'GET', `/api/submissions/${s.id}/events`);
    expect(events.body.items.map((e: { action: string }) => e.action)).toEqual(['open', 'submit', 'approve']);
    expect(events.body.items[1]).toMatchObject({
      from_status: 'draft',
      to_status: 'submitted',
      data: { late: true },
    });
    const audit = await rows<{ action: string }>(
      t.store.db,
      sql`select action from audit_log where entity = 'submission' and entity_id = ${String(s.id)} order by seq`,
    );
    expect(audit.map((a) => a.action)).toEqual([
      'value.status',
      'submission.submit',
      'value.status',
      'submission.approve',
    ]);
  });

  it('refuses a stale version with 409 and the current state', async () => {
    const s = await submissionOf(roundId, WARD_B);
    await bringTo(s.id, 'draft');
    const cur = await current(s.id);
    const r = await call(who.reporter!, 'POST', `/api/submissions/${s.id}/submit`, {
      version: cur.version - 1,
    });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('conflict.stale_version');
    expect(r.body.details.current).toMatchObject({ id: s.id, version: cur.version, status: 'draft' });
  });

  it('needs a comment to return and a reason to reopen; the submitter may not approve their own report', async () => {
    const s = await submissionOf(roundId, testWard(1));
    await bringTo(s.id, 'draft');
    // An admin may report and review, but not approve what they submitted themselves.
    let v = (await current(s.id)).version;
    expect((await call(who.admin!, 'POST', `/api/submissions/${s.id}/submit`, { version: v })).status).toBe(
      200,
    );
    v = (await current(s.id)).version;
    const self = await call(who.admin!, 'POST', `/api/submissions/${s.id}/approve`, { version: v });
    expect(self.status).toBe(403);
    expect(self.body.code).toBe('submission.self_review');
    const noComment = await call(who.reviewer!, 'POST', `/api/submissions/${s.id}/return`, {
      version: v,
      comment: '  ',
    });
    expect(noComment.status).toBe(400);
    expect(noComment.body.field).toBe('body.comment');
    const returned = await call(who.reviewer!, 'POST', `/api/submissions/${s.id}/return`, {
      version: v,
      comment: 'Thiếu số cán bộ tập huấn',
    });
    expect(returned.body).toMatchObject({ status: 'returned', return_comment: 'Thiếu số cán bộ tập huấn' });
    // Returned values go back to draft and can be edited again.
    const vals = await call(who.reporter!, 'GET', `/api/submissions/${s.id}/values`);
    expect(vals.body.items.map((i: { status: string }) => i.status)).toEqual([
      'draft',
      'draft',
      'draft',
      'draft',
    ]);
    await bringTo(s.id, 'approved');
    v = (await current(s.id)).version;
    const noReason = await call(who.admin!, 'POST', `/api/submissions/${s.id}/reopen`, { version: v });
    expect(noReason.status).toBe(400);
    const reopenedSeen: number[] = [];
    const hook = (_tx: unknown, e: { submissionId: number }) => {
      reopenedSeen.push(e.submissionId);
    };
    onReopened.push(hook);
    try {
      const reopened = await call(who.admin!, 'POST', `/api/submissions/${s.id}/reopen`, {
        version: v,
        reason: 'Sở phát hiện sai số hồ sơ trực tuyến',
      });
      expect(reopened.body).toMatchObject({
        status: 'returned',
        reopen_reason: 'Sở phát hiện sai số hồ sơ trực tuyến',
        reopened_by: who.admin!.username,
      });
    } finally {
      onReopened.splice(onReopened.indexOf(hook), 1);
    }
    expect(reopenedSeen).toEqual([s.id]);
    // The approved figures stay approved until corrected.
    const after = await call(who.reporter!, 'GET', `/api/submissions/${s.id}/values`);
    expect(after.body.items.map((i: { status: string }) => i.status)).toEqual([
      'approved',
      'approved',
      'approved',
      'approved',
    ]);
  });

  it('closes the round to entries but not to review; reopening a submission needs an open round', async () => {
    const round = await openRound({ period: '2024Q3', org_unit: '79.760', level: 'commune' });
    const a = await submissionOf(round.id, WARD_A);
    const b = await submissionOf(round.id, WARD_B);
    await bringTo(a.id, 'submitted');
    await bringTo(b.id, 'approved');
    const r = (await call(who.admin!, 'GET', `/api/rounds/${round.id}`)).body;
    const closed = await call(who.admin!, 'PATCH', `/api/rounds/${round.id}`, {
      version: r.version,
      status: 'closed',
    });
    expect(closed.status).toBe(200);
    expect(closed.body.status).toBe('closed');
    const c = await submissionOf(round.id, testWard(2));
    const save = await call(who.reporter!, 'PUT', `/api/submissions/${c.id}/values`, goodValues());
    expect(save.status).toBe(409);
    expect(save.body.code).toBe('round.closed');
    const sub = await call(who.reporter!, 'POST', `/api/submissions/${c.id}/submit`, { version: c.version });
    expect(sub.body.code).toBe('round.closed');
    const approve = await call(who.reviewer!, 'POST', `/api/submissions/${a.id}/approve`, {
      version: (await current(a.id)).version,
    });
    expect(approve.status).toBe(200);
    const reopen = await call(who.admin!, 'POST', `/api/submissions/${b.id}/reopen`, {
      version: (await current(b.id)).version,
      reason: 'Cần sửa',
    });
    expect(reopen.status).toBe(409);
    expect(reopen.body.code).toBe('round.closed');
    // Locking the round locks its approved submissions.
    const locked = await call(who.reviewer!, 'POST', `/api/rounds/${round.id}/lock`);
    expect(locked.body.locked.sort()).toEqual([a.id, b.id].sort());
    expect((await current(a.id)).status).toBe('locked');
  });

  it('refuses to submit before the cut-off day and to enter data before the round opens', async () => {
    const year = Number(vnDaysFromNow(0).slice(0, 4)) + 1;
    const early = await openRound({ period: `${year}Q4`, org_unit: '79', level: 'city' });
    const s = await submissionOf(early.id, '79');
    const cityReporter = await principalFor(t.store, [['reporter', '79']]);
    const save = await call(cityReporter, 'PUT', `/api/submissions/${s.id}/values`, goodValues());
    expect(save.status).toBe(200);
    const r = await call(cityReporter, 'POST', `/api/submissions/${s.id}/submit`, {
      version: save.body.submission.version,
    });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ code: 'submission.before_cutoff', details: { cutoff: `${year}-12-14` } });

    const later = await openRound({
      period: `${year}Q3`,
      org_unit: '79',
      level: 'city',
      opens_at: `${year}-09-15T00:00:00+07:00`,
    });
    const s2 = await submissionOf(later.id, '79');
    const notYet = await call(cityReporter, 'PUT', `/api/submissions/${s2.id}/values`, goodValues());
    expect(notYet.status).toBe(409);
    expect(notYet.body.code).toBe('round.not_open_yet');
  });

  it('approves many at once, answering each', async () => {
    const round = await openRound({ period: '2024Q4', org_unit: '79.760', level: 'commune' });
    const a = await submissionOf(round.id, WARD_A);
    const b = await submissionOf(round.id, WARD_B);
    const c = await submissionOf(round.id, testWard(3));
    await bringTo(a.id, 'submitted');
    await bringTo(b.id, 'submitted');
    await bringTo(c.id, 'draft');
    const r = await call(who.reviewer!, 'POST', '/api/submissions/approve', {
      items: [
        { id: a.id, version: (await current(a.id)).version },
        { id: b.id, version: 1 },
        { id: c.id, version: (await current(c.id)).version },
        { id: 999999, version: 1 },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.items.map((i: { ok: boolean; error?: { code: string } }) => i.error?.code ?? 'ok')).toEqual(
      ['ok', 'conflict.stale_version', 'submission.invalid_transition', 'not_found'],
    );
    expect((await current(a.id)).status).toBe('approved');
    expect((await current(b.id)).status).toBe('submitted');
    // A district reviewer elsewhere may not approve Quận 1's wards, even in bulk.
    const other = await call(who.outsideReviewer!, 'POST', '/api/submissions/approve', {
      items: [{ id: b.id, version: (await current(b.id)).version }],
    });
    expect(other.body.items[0].error.code).toBe('auth.forbidden');
  });
});
