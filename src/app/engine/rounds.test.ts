/**
 * The reporting rounds' approval reaches the engine through the onApproved hook: approving a ward's
 * report updates the district's and the city's roll-ups before the approving request returns, and
 * the draft figures were visible only to viewers who asked, within their scope.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../http/policies/index.ts';
import { principalFor, type TestApp, testApp } from '../../../test/fixtures.ts';
import {
  FORM,
  ONLINE,
  openRoundsStore,
  RATE,
  TOTAL,
  vnDaysFromNow,
  WARD_A,
} from '../../../test/rounds-fixture.ts';

let t: TestApp;
let reporter: Principal;
let reviewer: Principal;
let admin: Principal;

beforeAll(async () => {
  const store = await openRoundsStore();
  t = await testApp(store);
  reporter = await principalFor(store, [['reporter', '79.760']]);
  reviewer = await principalFor(store, [['reviewer', '79']]);
  admin = await principalFor(store, [['admin', '79']]);
});
afterAll(() => t.close());

async function call(p: Principal | null, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) {
  t.as(p);
  const r = await t.app.inject({
    method,
    url,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  return { status: r.statusCode, body: r.json() };
}

describe('a round approval', () => {
  it('updates the roll-ups up to the city before the approving request returns', async () => {
    const round = await call(admin, 'POST', '/api/rounds', {
      form: FORM,
      period: '2025Q1',
      org_unit: '79.760',
      level: 'commune',
      deadline: vnDaysFromNow(20),
    });
    expect(round.status, JSON.stringify(round.body)).toBe(201);
    const subs = await call(admin, 'GET', `/api/submissions?round=${round.body.id}`);
    const sub = subs.body.items.find((s: { org_unit: string }) => s.org_unit === WARD_A) as { id: number };
    const saved = await call(reporter, 'PUT', `/api/submissions/${sub.id}/values`, {
      values: [
        { indicator: TOTAL, value: 240 },
        { indicator: ONLINE, value: 180 },
        { indicator: RATE, value: 75 },
      ],
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const rollup = `/api/rollups?indicator=${TOTAL}&org_unit=79.760&period=2025Q1`;
    // A draft: the public sees nothing; the reporter's scope, asking for drafts, sees it.
    expect((await call(null, 'GET', rollup)).body.value).toBeNull();
    expect((await call(reporter, 'GET', `${rollup}&include_drafts=true`)).body.value).toBe(240);
    const submitted = await call(reporter, 'POST', `/api/submissions/${sub.id}/submit`, {
      version: saved.body.submission.version,
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    const approved = await call(reviewer, 'POST', `/api/submissions/${sub.id}/approve`, {
      version: submitted.body.version,
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const status = (await call(null, 'GET', '/api/engine/status')).body;
    expect(status.stats.last).toMatchObject({ source: 'approval' });
    // Ward A, Quận 1, the city, the half and the year of each, for the three items.
    expect(status.stats.last.cells).toBeGreaterThanOrEqual(9);
    expect((await call(null, 'GET', rollup)).body).toMatchObject({ value: 240, source: 'rollup' });
    const city = (await call(null, 'GET', `/api/rollups?indicator=${TOTAL}&org_unit=79&period=2025Q1`)).body;
    expect(city.value).toBe(240);
    const rate = (await call(null, 'GET', `/api/rollups?indicator=${RATE}&org_unit=79.760&period=2025Q1`))
      .body;
    expect(rate).toMatchObject({ value: 75, rule: 'mean' });
  });
});
