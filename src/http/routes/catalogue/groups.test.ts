/**
 * Indicator groups (pillars) over HTTP on the HCMC demo: list with counts and a search without
 * diacritics, create, rename with optimistic versions, reorder, archive (refused while indicators
 * belong to the group, naming them), restore, assigning an indicator, who may do it, and the audit
 * — on PGlite and PostgreSQL.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoStore, principalFor, type TestApp, testApp } from '../../../../test/fixtures.ts';
import type { Principal } from '../../policies/index.ts';
import { rows } from '../../../store/db.ts';

let t: TestApp;
let admin: Principal;
let wardAdmin: Principal;

beforeAll(async () => {
  t = await testApp(await openDemoStore());
  admin = await principalFor(t.store, [['admin', '79']], 'group.admin');
  wardAdmin = await principalFor(t.store, [['admin', '79.26737']], 'ward.admin');
});
afterAll(async () => {
  await t.close();
});

async function send(method: string, url: string, payload?: unknown, who: Principal | null = admin) {
  t.as(who);
  const r = await t.app.inject({
    method: method as 'GET',
    url,
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
  return { status: r.statusCode, body: r.json() as Record<string, unknown> & { items?: GroupOut[] } };
}
interface GroupOut {
  code: string;
  name_vi: string;
  name_en: string;
  sort: number;
  version: number;
  indicator_count: number;
  archived_at: string | null;
}
const codes = async (query = '') =>
  ((await send('GET', `/api/indicator-groups${query}`, undefined, null)).body.items ?? []).map((g) => g.code);
const auditCount = async (action: string) => {
  const [r] = await rows<{ n: number }>(
    t.store.db,
    sql`select count(*)::int as n from audit_log where action = ${action} and actor = 'group.admin'`,
  );
  return r!.n;
};

describe('indicator groups', () => {
  it('lists the active groups in order with their indicator counts, searchable without diacritics', async () => {
    const r = await send('GET', '/api/indicator-groups', undefined, null);
    expect(r.status).toBe(200);
    const list = r.body.items!;
    expect(list.map((g) => g.code).slice(0, 2)).toEqual(['chu-de', 'chinh-quyen-so']);
    const [n] = await rows<{ n: number }>(
      t.store.db,
      sql`select count(*)::int as n from indicator where group_code = 'chinh-quyen-so' and archived_at is null and published`,
    );
    expect(list.find((g) => g.code === 'chinh-quyen-so')).toMatchObject({
      name_vi: 'Chính quyền số',
      indicator_count: n!.n,
      archived_at: null,
    });
    expect(await codes('?q=chinh%20quyen')).toEqual(['chinh-quyen-so']);
    expect(await codes('?q=AN%20NINH')).toEqual(['an-toan-thong-tin']);
  });

  it('creates, renames (vi/en) with a version, and refuses a taken code or a stale version', async () => {
    const created = await send('POST', '/api/indicator-groups', {
      code: 'ha-tang-so',
      name_vi: 'Hạ tầng số',
      name_en: 'Digital infrastructure',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ code: 'ha-tang-so', version: 1, indicator_count: 0 });
    expect((await codes()).at(-1)).toBe('ha-tang-so');
    const again = await send('POST', '/api/indicator-groups', {
      code: 'ha-tang-so',
      name_vi: 'Trùng',
      name_en: 'Duplicate',
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'group.exists', field: 'code' });
    const bad = await send('POST', '/api/indicator-groups', { code: 'Hạ tầng', name_vi: 'x', name_en: 'x' });
    expect(bad.body).toMatchObject({ code: 'request.invalid', status: 400 });

    const renamed = await send('PATCH', '/api/indicator-groups/ha-tang-so', {
      name_vi: 'Hạ tầng số và dữ liệu',
      name_en: 'Digital infrastructure and data',
      version: 1,
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name_vi: 'Hạ tầng số và dữ liệu', version: 2 });
    const stale = await send('PATCH', '/api/indicator-groups/ha-tang-so', { name_vi: 'Cũ', version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'conflict.stale_version' });
    expect(stale.body.vi).toMatch(/nhóm chỉ tiêu/);
    expect((await send('PATCH', '/api/indicator-groups/khong-co', { version: 1 })).status).toBe(404);
    expect(await auditCount('indicator_group.create')).toBe(1);
    expect(await auditCount('indicator_group.update')).toBe(1);
  });

  it('reorders the whole list, and refuses an incomplete or repeated one', async () => {
    const before = await codes();
    const wanted = ['ha-tang-so', ...before.filter((c) => c !== 'ha-tang-so')];
    const r = await send('PUT', '/api/indicator-groups/order', { codes: wanted });
    expect(r.status).toBe(200);
    expect(r.body.items!.map((g) => g.code)).toEqual(wanted);
    expect(await codes()).toEqual(wanted);
    const missing = await send('PUT', '/api/indicator-groups/order', { codes: wanted.slice(1) });
    expect(missing.body).toMatchObject({ code: 'group.order_incomplete', field: 'codes' });
    expect(missing.body.vi).toContain('ha-tang-so');
    const twice = await send('PUT', '/api/indicator-groups/order', { codes: [...wanted, wanted[0]] });
    expect(twice.body).toMatchObject({ code: 'group.order_duplicate', field: `codes.${wanted.length}` });
    const unknown = await send('PUT', '/api/indicator-groups/order', { codes: ['khong-co', ...wanted] });
    expect(unknown.body).toMatchObject({ code: 'group.order_unknown', field: 'codes.0' });
    expect(await codes()).toEqual(wanted);
    expect(await auditCount('indicator_group.reorder')).toBe(1);
  });

  it('moves an indicator into a group from the indicator, and refuses to archive a group that holds one', async () => {
    const i = await send('GET', '/api/indicators/CD-01');
    const moved = await send('PATCH', '/api/indicators/CD-01', {
      group: 'ha-tang-so',
      version: i.body.version,
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ group: 'ha-tang-so' });
    const g = await send('GET', '/api/indicator-groups/ha-tang-so');
    expect(g.body).toMatchObject({ indicator_count: 1 });
    const refused = await send('POST', '/api/indicator-groups/ha-tang-so/archive', {
      version: g.body.version,
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'group.in_use', details: { indicators: ['CD-01'] } });
    expect(refused.body.vi).toContain('CD-01');
    expect(refused.body.en).toMatch(/Move them to another group/);
    expect((await send('GET', '/api/indicator-groups/ha-tang-so')).body.archived_at).toBeNull();

    // moved back, the group is empty and can be archived
    await send('PATCH', '/api/indicators/CD-01', { group: i.body.group, version: moved.body.version });
    const archived = await send('POST', '/api/indicator-groups/ha-tang-so/archive', {
      version: g.body.version,
    });
    expect(archived.status).toBe(200);
    expect(archived.body.archived_at).toEqual(expect.any(String));
    // gone from the active list, kept with include_archived
    expect(await codes()).not.toContain('ha-tang-so');
    expect(await codes('?include_archived=true')).toContain('ha-tang-so');
    // an archived group is offered to no indicator, and its code is not taken again
    const cd = await send('GET', '/api/indicators/CD-01');
    const assign = await send('PATCH', '/api/indicators/CD-01', {
      group: 'ha-tang-so',
      version: cd.body.version,
    });
    expect(assign.status).toBe(400);
    expect(assign.body).toMatchObject({ code: 'group.archived', field: 'group' });
    const reuse = await send('POST', '/api/indicator-groups', {
      code: 'ha-tang-so',
      name_vi: 'x',
      name_en: 'x',
    });
    expect(reuse.body).toMatchObject({ code: 'group.archived_exists', status: 409 });

    // restored, after the active groups
    const restored = await send('POST', '/api/indicator-groups/ha-tang-so/restore');
    expect(restored.body.archived_at).toBeNull();
    expect((await codes()).at(-1)).toBe('ha-tang-so');
    expect(await auditCount('indicator_group.archive')).toBe(1);
    expect(await auditCount('indicator_group.restore')).toBe(1);
  });

  it('is for programme-wide administrators only', async () => {
    const before = await codes('?include_archived=true');
    const payload = { code: 'phuong-rieng', name_vi: 'Riêng', name_en: 'Own' };
    expect((await send('POST', '/api/indicator-groups', payload, wardAdmin)).status).toBe(403);
    expect((await send('POST', '/api/indicator-groups', payload, null)).status).toBe(401);
    expect(
      (await send('PATCH', '/api/indicator-groups/chu-de', { name_vi: 'x', version: 1 }, wardAdmin)).status,
    ).toBe(403);
    expect((await send('PUT', '/api/indicator-groups/order', { codes: before }, wardAdmin)).status).toBe(403);
    expect(
      (await send('POST', '/api/indicator-groups/chu-de/archive', { version: 1 }, wardAdmin)).status,
    ).toBe(403);
    expect(await codes('?include_archived=true')).toEqual(before);
  });
});
