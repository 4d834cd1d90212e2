/**
 * Changing the shape of an index methodology through the API, as the methodology editor does: a
 * new version with an added pillar holding a new component and without a removed node is stored,
 * computed (the new pillar has scores) and leaves the old version as it was; a graph the engine
 * refuses (an aggregate without children, a node nothing feeds into, a cycle) is refused with the
 * fault at the node's field and nothing stored — on PGlite and PostgreSQL.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoStore, principalFor, type TestApp, testApp } from '../../../../test/fixtures.ts';
import { rows } from '../../../store/db.ts';

interface Node {
  code: string;
  name_vi: string;
  name_en: string;
  indicator?: string;
  children?: Array<{ code: string; weight?: number }>;
  [k: string]: unknown;
}
interface Definition {
  code: string;
  version: string;
  valid_from: number;
  valid_to: number | null;
  root: string;
  nodes: Node[];
  [k: string]: unknown;
}

let t: TestApp;
let base: { id: number; definition: Definition };
beforeAll(async () => {
  t = await testApp(await openDemoStore());
  t.as(await principalFor(t.store, [['admin', '/']], 'methodology.nodes'));
  const list = (await call('GET', '/api/index/methodologies')).body.items as Array<{
    id: number;
    code: string;
  }>;
  const m = list.find((x) => x.code === 'DTI-QUAN-HUYEN')!;
  base = (await call('GET', `/api/index/methodologies/${m.id}`)).body as typeof base;
});
afterAll(() => t.close());

async function call(method: 'GET' | 'POST', url: string, payload?: unknown) {
  const r = await t.app.inject({
    method,
    url,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  return { status: r.statusCode, body: r.json() as Record<string, unknown> };
}
const stored = async (version: string) =>
  (
    await rows<{ n: number }>(
      t.store.db,
      sql`select count(*)::int as n from index_methodology where code = 'DTI-QUAN-HUYEN' and version = ${version}`,
    )
  )[0]!.n;
const fieldsOf = (body: Record<string, unknown>) =>
  ((body.errors as Array<{ field?: string }> | undefined) ?? [body as { field?: string }]).map(
    (e) => e.field,
  );

const PILLAR: Node = {
  code: 'E2E-HT',
  name_vi: 'Hạ tầng số thử nghiệm',
  name_en: 'Trial digital infrastructure',
  children: [{ code: 'E2E-HT1', weight: 2 }],
  aggregation: { kind: 'arithmetic' },
};
const COMPONENT: Node = {
  code: 'E2E-HT1',
  name_vi: 'Hạ tầng CNTT được rà soát',
  name_en: 'ICT infrastructure reviewed',
  indicator: 'CD-01',
  normalisation: { kind: 'minmax' },
};

describe('the shape of a methodology', () => {
  it('a version with a pillar and a component added and a node removed is stored and computed; the old one stays', async () => {
    const root = base.definition.root;
    const removed = base.definition.nodes.find((n) => n.code === root)!.children!.at(-1)!.code;
    const nodes = [
      ...base.definition.nodes
        .filter((n) => n.code !== removed)
        .map((n) =>
          n.code === root
            ? {
                ...n,
                children: [...n.children!.filter((c) => c.code !== removed), { code: 'E2E-HT', weight: 1 }],
              }
            : n,
        ),
      PILLAR,
      COMPONENT,
    ];
    const created = await call('POST', '/api/index/methodologies', {
      definition: {
        ...base.definition,
        version: '79-2023-shape',
        valid_from: 2024,
        nodes,
        levels: ['district'],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ version: '79-2023-shape', years: [2024] });
    const id = created.body.id as number;
    const again = (await call('GET', `/api/index/methodologies/${id}`)).body as { definition: Definition };
    const codes = again.definition.nodes.map((n) => n.code);
    expect(codes).toEqual(expect.arrayContaining(['E2E-HT', 'E2E-HT1']));
    expect(codes).not.toContain(removed);
    // computed at once: the new pillar has a row per district for 2024, the removed node none
    const [r] = await rows<{ pillar: number; gone: number }>(
      t.store.db,
      sql`select count(*) filter (where node = 'E2E-HT')::int as pillar, count(*) filter (where node = ${removed})::int as gone
          from index_result where methodology_id = ${id} and period = '2024'`,
    );
    expect(r!.pillar).toBeGreaterThan(0);
    expect(r!.gone).toBe(0);
    // the version it came from is as it was
    const old = (await call('GET', `/api/index/methodologies/${base.id}`)).body as { definition: Definition };
    expect(old.definition.nodes.map((n) => n.code)).toContain(removed);
    expect(old.definition.nodes.map((n) => n.code)).not.toContain('E2E-HT');
  });

  it('refuses an aggregate without children, a node nothing feeds into and a cycle, at their nodes, storing nothing', async () => {
    const root = base.definition.root;
    const n = base.definition.nodes.length;
    const hollow = { ...PILLAR, children: [] };
    const withHollow = base.definition.nodes.map((x) =>
      x.code === root ? { ...x, children: [...x.children!, { code: 'E2E-HT' }] } : x,
    );
    const a = await call('POST', '/api/index/methodologies', {
      definition: { ...base.definition, version: 'bad-hollow', nodes: [...withHollow, hollow] },
    });
    expect(a.status).toBe(400);
    expect(fieldsOf(a.body)).toContain(`definition.nodes[${n}](E2E-HT).children`);

    // a component left behind when its parent's edge was dropped by hand
    const orphan = await call('POST', '/api/index/methodologies', {
      definition: { ...base.definition, version: 'bad-orphan', nodes: [...base.definition.nodes, COMPONENT] },
    });
    expect(orphan.status).toBe(400);
    expect(fieldsOf(orphan.body)).toContain(`definition.nodes[${n}](E2E-HT1)`);
    expect(JSON.stringify(orphan.body)).toMatch(/không nối tới gốc/);

    // a pillar that feeds itself through its child
    const loop = await call('POST', '/api/index/methodologies', {
      definition: {
        ...base.definition,
        version: 'bad-cycle',
        nodes: [
          ...withHollow,
          { ...PILLAR, children: [{ code: 'E2E-HT2' }] },
          { ...PILLAR, code: 'E2E-HT2', children: [{ code: 'E2E-HT' }] },
        ],
      },
    });
    expect(loop.status).toBe(400);
    expect(JSON.stringify(loop.body)).toMatch(/E2E-HT → E2E-HT2 → E2E-HT|E2E-HT2 → E2E-HT → E2E-HT2/);
    for (const v of ['bad-hollow', 'bad-orphan', 'bad-cycle']) expect(await stored(v)).toBe(0);
  });
});
