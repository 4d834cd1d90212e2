/**
 * Reorganisations through the API: a merge closes the predecessors the day before and opens the
 * successor, joined by lineage, in one audited transaction; stale versions, wrong counts, closed
 * units and duplicates are refused with the field at fault and change nothing; splits carry shares;
 * the list groups links into events; values download as .xlsx.
 */
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoStore, principalFor, type TestApp, testApp } from '../../../test/fixtures.ts';
import { rows } from '../../store/db.ts';
import { verifyAuditChain } from '../audit.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp(await openDemoStore());
  t.as(await principalFor(t.store, [['admin', '/']]));
});
afterAll(() => t.close());

const call = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
  const r = await t.app.inject({
    method,
    url,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  return { status: r.statusCode, body: r.json() };
};
const unit = async (code: string) => (await call('GET', `/api/org-units/${code}`)).body;
const state = async () =>
  (
    await rows<{ l: number; a: number; v: number }>(
      t.store.db,
      sql`select (select count(*)::int from org_lineage) as l, (select count(*)::int from audit_log) as a,
                 (select coalesce(sum(version), 0)::int from org_unit) as v`,
    )
  )[0];

/** A new ward (no start date yet) under the city, to merge others into. */
async function newWard(code: string, name: string) {
  const r = await call('POST', '/api/org-units', {
    code,
    name_vi: name,
    level: 'commune',
    parent: '79',
    type: 'Phường',
  });
  expect(r.status).toBe(201);
  return r.body;
}

describe('recording a merge', () => {
  it('closes the predecessors the day before, opens the successor, links them, audits once', async () => {
    await newWard('79.E2E01', 'Phường Thử Nghiệm Một');
    const a = await unit('79.25747');
    const b = await unit('79.25750');
    const before = (await state())!;
    const r = await call('POST', '/api/org-reorganisations', {
      kind: 'merge',
      effective_date: '2026-01-01',
      predecessors: [
        { code: a.code, version: a.version },
        { code: b.code, version: b.version },
      ],
      successors: [{ code: '79.E2E01' }],
      source: 'Nghị quyết thử nghiệm',
    });
    expect(r.status).toBe(201);
    expect(r.body.predecessors.map((u: { valid_to: string }) => u.valid_to)).toEqual([
      '2025-12-31',
      '2025-12-31',
    ]);
    expect(r.body.successors[0]).toMatchObject({ code: '79.E2E01', valid_from: '2026-01-01' });
    const after = (await state())!;
    expect(after.l - before.l).toBe(2);
    expect(after.a - before.a).toBe(1);
    expect(after.v - before.v).toBe(3); // two predecessors and the successor moved one version each
    const s = await unit('79.E2E01');
    const direct = (s.predecessors as Array<{ from: string; depth: number }>).filter((l) => l.depth === 1);
    expect(direct.map((l) => l.from).sort()).toEqual(['79.25747', '79.25750']);
    // and, through them, the wards that were merged into them on 1 July 2025
    expect(s.predecessors.length).toBeGreaterThan(2);
    expect((await unit('79.25747')).successors[0]).toMatchObject({
      to: '79.E2E01',
      kind: 'merge',
      effective_date: '2026-01-01',
    });
    const [entry] = await rows<{ action: string; entity: string }>(
      t.store.db,
      sql`select action, entity from audit_log order by seq desc limit 1`,
    );
    expect(entry).toEqual({ action: 'org_reorganisation.merge', entity: 'org_lineage' });
    expect((await verifyAuditChain(t.store)).ok).toBe(true);
    // the successor's history carries the predecessors' values forward
    const values = await call('GET', '/api/values?org_unit=79.E2E01&follow_lineage=true&limit=5');
    expect(values.status).toBe(200);

    // it is listed as one event, found without diacritics
    const list = await call('GET', '/api/org-reorganisations?q=thu%20nghiem%20mot');
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({
      kind: 'merge',
      effective_date: '2026-01-01',
      successors: [{ code: '79.E2E01' }],
    });
    expect(list.body.items[0].predecessors).toHaveLength(2);
  });

  it('refuses a stale version with 409 and the current state, and changes nothing', async () => {
    await newWard('79.E2E02', 'Phường Thử Nghiệm Hai');
    const a = await unit('79.25760');
    const b = await unit('79.25768');
    const before = await state();
    const r = await call('POST', '/api/org-reorganisations', {
      kind: 'merge',
      effective_date: '2026-01-01',
      predecessors: [
        { code: a.code, version: a.version },
        { code: b.code, version: b.version - 1 },
      ],
      successors: [{ code: '79.E2E02' }],
    });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ code: 'conflict.stale_version', field: 'predecessors.1.version' });
    expect(r.body.details.current).toMatchObject({ code: b.code, version: b.version });
    expect(await state()).toEqual(before);
    expect((await unit(a.code)).valid_to).toBeNull();
  });

  it('names the field at fault: counts, duplicates, closed units, unknown codes', async () => {
    const a = await unit('79.25771');
    const b = await unit('79.25813');
    const old = await unit('79.760'); // Quận 1, closed on 30/06/2025
    const before = await state();
    const cases: Array<[unknown, number, string, string]> = [
      [
        {
          kind: 'merge',
          predecessors: [{ code: a.code, version: a.version }],
          successors: [{ code: b.code }],
        },
        400,
        'reorganisation.count',
        'predecessors',
      ],
      [
        {
          kind: 'merge',
          predecessors: [
            { code: a.code, version: a.version },
            { code: b.code, version: b.version },
          ],
          successors: [{ code: a.code }],
        },
        400,
        'reorganisation.duplicate_unit',
        'successors.0.code',
      ],
      [
        {
          kind: 'rename',
          predecessors: [{ code: old.code, version: old.version }],
          successors: [{ code: b.code }],
        },
        400,
        'reorganisation.predecessor_not_valid',
        'predecessors.0.code',
      ],
      [
        {
          kind: 'merge',
          predecessors: [
            { code: a.code, version: a.version },
            { code: 'KHONG-CO', version: 1 },
          ],
          successors: [{ code: b.code }],
        },
        400,
        'predecessors.1.code.unknown',
        'predecessors.1.code',
      ],
      [
        {
          kind: 'split',
          predecessors: [{ code: '79', version: (await unit('79')).version }],
          successors: [{ code: a.code }, { code: b.code }],
        },
        400,
        'reorganisation.open_children',
        'predecessors.0.code',
      ],
    ];
    for (const [body, status, code, field] of cases) {
      const r = await call('POST', '/api/org-reorganisations', {
        effective_date: '2026-01-01',
        ...(body as object),
      });
      expect(r.status, JSON.stringify(r.body)).toBe(status);
      expect(r.body).toMatchObject({ code, field });
      expect(r.body.vi).toBeTruthy();
      expect(r.body.en).toBeTruthy();
    }
    expect(await state()).toEqual(before);
  });

  it('refuses the same merge twice, and a merge that would make lineage a cycle', async () => {
    await newWard('79.E2E03', 'Phường Thử Nghiệm Ba');
    const a = await unit('79.25837');
    const b = await unit('79.25840');
    const body = {
      kind: 'merge',
      effective_date: '2026-02-01',
      predecessors: [
        { code: a.code, version: a.version },
        { code: b.code, version: b.version },
      ],
      successors: [{ code: '79.E2E03' }],
    };
    expect((await call('POST', '/api/org-reorganisations', body)).status).toBe(201);
    // the same again with fresh versions: the predecessors are now closed on the day before
    const again = await call('POST', '/api/org-reorganisations', {
      ...body,
      predecessors: [
        { code: a.code, version: a.version + 1 },
        { code: b.code, version: b.version + 1 },
      ],
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'reorganisation.duplicate' });
    // the successor back into one of its predecessors (a cycle)
    const s = await unit('79.E2E03');
    const x = await unit('79.25843');
    const cycle = await call('POST', '/api/org-reorganisations', {
      kind: 'merge',
      effective_date: '2026-06-01',
      predecessors: [
        { code: s.code, version: s.version },
        { code: x.code, version: x.version },
      ],
      successors: [{ code: a.code }],
    });
    expect(cycle.status).toBe(400);
    expect(cycle.body.code).toMatch(/^reorganisation\.successor_not_valid|lineage\.cycle$/);
  });

  it('records a split with shares (partial links) and refuses shares above 1', async () => {
    await newWard('79.E2E04', 'Phường Thử Nghiệm Bốn');
    await newWard('79.E2E05', 'Phường Thử Nghiệm Năm');
    const p = await unit('79.25846');
    const over = await call('POST', '/api/org-reorganisations', {
      kind: 'split',
      effective_date: '2026-03-01',
      predecessors: [{ code: p.code, version: p.version }],
      successors: [
        { code: '79.E2E04', share: 0.7 },
        { code: '79.E2E05', share: 0.6 },
      ],
    });
    expect(over.status).toBe(400);
    expect(over.body).toMatchObject({ code: 'reorganisation.share' });
    const r = await call('POST', '/api/org-reorganisations', {
      kind: 'split',
      effective_date: '2026-03-01',
      predecessors: [{ code: p.code, version: p.version }],
      successors: [
        { code: '79.E2E04', share: 0.4 },
        { code: '79.E2E05', share: 0.6 },
      ],
    });
    expect(r.status).toBe(201);
    const links = (await unit(p.code)).successors as Array<{ to: string; partial: boolean; share: number }>;
    expect(links.map((l) => [l.to, l.partial, l.share])).toEqual([
      ['79.E2E04', true, 0.4],
      ['79.E2E05', true, 0.6],
    ]);
    const list = await call('GET', `/api/org-reorganisations?kind=split&org_unit=${p.code}`);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0].successors).toHaveLength(2);
  });

  it('is for programme administrators only', async () => {
    t.as(await principalFor(t.store, [['admin', '79.760']]));
    const r = await call('POST', '/api/org-reorganisations', {
      kind: 'rename',
      effective_date: '2026-01-01',
      predecessors: [{ code: '79.760.26734', version: 1 }],
      successors: [{ code: '79.760.26737' }],
    });
    expect(r.status).toBe(403);
    t.as(null);
    expect((await call('GET', '/api/org-reorganisations')).status).toBe(200);
    t.as(await principalFor(t.store, [['admin', '/']]));
  });
});

describe('values as .xlsx', () => {
  it('downloads an indicator’s approved values for anyone; a bad period is a 400', async () => {
    t.as(null);
    const r = await t.app.inject({ method: 'GET', url: '/api/values.xlsx?indicator=KTXH-01' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/spreadsheetml/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    const [approved] = await rows<{ n: number }>(
      t.store.db,
      sql`select count(*)::int as n from data_value v join indicator i on i.id = v.indicator_id
          where i.code = 'KTXH-01' and v.status = 'approved' and v.archived_at is null`,
    );
    const codes: string[] = [];
    ws.eachRow((row) => {
      const v = row.values as unknown[];
      if (v.includes('KTXH-01')) codes.push('KTXH-01');
    });
    expect(approved!.n).toBeGreaterThan(0);
    expect(codes).toHaveLength(approved!.n);
    const bad = await t.app.inject({
      method: 'GET',
      url: '/api/values.xlsx?indicator=KTXH-01&period=2024X9',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ field: 'period' });
    t.as(await principalFor(t.store, [['admin', '/']]));
  });
});
