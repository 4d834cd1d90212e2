/**
 * Administering index methodologies (bộ chỉ số) through the API: one version with its whole
 * definition; a changed methodology is a new version (the published results of the old one stay
 * with it), checked against the catalogue (indicators, levels), audited, and computed at once.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoStore, principalFor, type TestApp, testApp } from '../../../../test/fixtures.ts';
import { rows } from '../../../store/db.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp(await openDemoStore());
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

interface Version {
  id: number;
  code: string;
  version: string;
  years: number[];
  levels: string[];
  indicators: string[];
  definition: {
    code: string;
    version: string;
    valid_from: number;
    valid_to: number | null;
    nodes: Array<{ code: string; indicator?: string; children?: Array<{ code: string; weight?: number }> }>;
  };
}

async function districtIndex(): Promise<Version> {
  const list = (await call('GET', '/api/index/methodologies')).body.items as Array<{
    id: number;
    code: string;
  }>;
  const m = list.find((x) => x.code === 'DTI-QUAN-HUYEN')!;
  return (await call('GET', `/api/index/methodologies/${m.id}`)).body as Version;
}

const auditCount = async () =>
  (
    await rows<{ n: number }>(
      t.store.db,
      sql`select count(*)::int as n from audit_log where entity = 'index_methodology'`,
    )
  )[0]!.n;

describe('index methodology administration', () => {
  it('reads one version with its definition, the indicators and levels it ranks and its years', async () => {
    t.as(null);
    const m = await districtIndex();
    expect(m.definition.code).toBe('DTI-QUAN-HUYEN');
    expect(m.definition.nodes.length).toBeGreaterThan(9);
    expect(m.indicators.length).toBe(m.definition.nodes.filter((n) => n.indicator).length);
    expect(m.levels).toEqual(['district']);
    expect(m.years).toEqual([2023, 2024]);
    expect((await call('GET', '/api/index/methodologies/999999')).status).toBe(404);
  });

  it('refuses a version whose indicators or levels are not in the catalogue, at their fields, and stores nothing', async () => {
    t.as(await principalFor(t.store, [['admin', '/']]));
    const m = await districtIndex();
    const leaf = m.definition.nodes.findIndex((n) => n.indicator);
    const nodes = m.definition.nodes.map((n, i) => (i === leaf ? { ...n, indicator: 'KHONG-CO' } : n));
    const before = await auditCount();
    const bad = await call('POST', '/api/index/methodologies', {
      definition: { ...m.definition, version: 'bad-1', nodes, levels: ['district', 'galaxy'] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('index_methodology.unknown_indicator');
    const fields = (bad.body.errors as Array<{ field: string; vi: string; en: string }>).map((e) => e.field);
    expect(fields).toEqual([
      `definition.nodes[${leaf}](${m.definition.nodes[leaf]!.code}).indicator`,
      'definition.levels[1]',
    ]);
    expect(bad.body.vi).toContain('KHONG-CO');
    const [n] = await rows<{ n: number }>(
      t.store.db,
      sql`select count(*)::int as n from index_methodology where version = 'bad-1'`,
    );
    expect(n!.n).toBe(0);
    expect(await auditCount()).toBe(before);
  });

  it('an edit is a new version: audited, computed, and the old version keeps its published results', async () => {
    const viewer = await principalFor(t.store, [['viewer', '79']]);
    const admin = await principalFor(t.store, [['admin', '/']], 'admin.chi.so');
    t.as(admin);
    const old = await districtIndex();
    const oldResults = async () =>
      (
        await rows<{ n: number; s: number }>(
          t.store.db,
          sql`select count(*)::int as n, coalesce(sum(score), 0)::float8 as s from index_result where methodology_id = ${old.id}`,
        )
      )[0]!;
    const kept = await oldResults();
    expect(kept.n).toBeGreaterThan(0);
    // double the weight of the first main indicator of the root
    const rootAt = old.definition.nodes.findIndex((n) => n.children);
    const nodes = old.definition.nodes.map((n, i) =>
      i === rootAt ? { ...n, children: n.children!.map((c, k) => (k === 0 ? { ...c, weight: 2 } : c)) } : n,
    );
    const definition = {
      ...old.definition,
      version: '79-2023-r2',
      valid_from: 2024,
      nodes,
      levels: ['district'],
    };

    t.as(viewer);
    expect((await call('POST', '/api/index/methodologies', { definition })).status).toBe(403);
    t.as(admin);
    const before = await auditCount();
    const created = await call('POST', '/api/index/methodologies', { definition });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ code: 'DTI-QUAN-HUYEN', version: '79-2023-r2', years: [2024] });
    expect(await auditCount()).toBe(before + 1);
    const [entry] = await rows<{ actor: string; action: string; entity_id: string }>(
      t.store.db,
      sql`select actor, action, entity_id from audit_log where entity = 'index_methodology' order by seq desc limit 1`,
    );
    expect(entry).toEqual({
      actor: 'admin.chi.so',
      action: 'index_methodology.create',
      entity_id: String(created.body.id),
    });
    // the old version's results are untouched; the new one has its own for 2024 and is chosen for it
    expect(await oldResults()).toEqual(kept);
    t.as(null);
    const r2024 = (await call('GET', '/api/index/DTI-QUAN-HUYEN/results?period=2024')).body;
    expect(r2024.methodology.version).toBe('79-2023-r2');
    const r2023 = (await call('GET', '/api/index/DTI-QUAN-HUYEN/results?period=2023')).body;
    expect(r2023.methodology.version).toBe(old.version);
    const old2024 = (
      await call('GET', `/api/index/DTI-QUAN-HUYEN/results?period=2024&version=${old.version}`)
    ).body;
    expect(old2024.methodology.version).toBe(old.version);
    expect(old2024.units.length).toBe(r2024.units.length);
  });
});
