import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoStore, principalFor, type TestApp, testApp } from '../../../../test/fixtures.ts';
import { rows } from '../../../store/db.ts';
import { sql } from 'drizzle-orm';

let t: TestApp;
beforeAll(async () => {
  t = await testApp(await openDemoStore());
});
afterAll(() => t.close());

const get = async (url: string) => {
  const r = await t.app.inject({ method: 'GET', url });
  return {
    status: r.statusCode,
    body: String(r.headers['content-type'] ?? '').includes('json') ? r.json() : r.body,
    headers: r.headers,
  };
};
const send = async (method: 'POST' | 'PUT' | 'PATCH', url: string, payload: unknown) => {
  const r = await t.app.inject({ method, url, payload: payload as object });
  return { status: r.statusCode, body: r.json() };
};
/** Counts of every table a failed write could have touched. */
const counts = async () =>
  (
    await rows<Record<string, number>>(
      t.store.db,
      sql`select (select count(*)::int from data_value) as v, (select count(*)::int from target) as t,
                 (select count(*)::int from indicator) as i, (select count(*)::int from org_unit) as u,
                 (select count(*)::int from audit_log) as a, (select count(*)::int from data_value_history) as h`,
    )
  )[0];

describe('system', () => {
  it('answers health and an OpenAPI 3.1 document listing the catalogue', async () => {
    expect((await get('/api/health')).body).toMatchObject({ status: 'ok', db_ok: true });
    const doc = (await get('/api/openapi.json')).body as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    for (const p of [
      '/api/targets',
      '/api/targets.csv',
      '/api/values',
      '/api/values.csv',
      '/api/indicators',
      '/api/org-units',
    ])
      expect(doc.paths).toHaveProperty([p]);
  });

  it('answers unknown paths with a problem document', async () => {
    const r = await get('/api/nothing-here');
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(r.body).toMatchObject({ status: 404, code: 'not_found' });
  });
  it('refuses a NUL character in the URL with 400 before any download starts (found by fuzzing)', async () => {
    for (const url of ['/api/open-data/values.csv?indicator=%00', '/api/org-units.csv?group=a%00b']) {
      const r = await get(url);
      expect(r.status).toBe(400);
      expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(r.body).toMatchObject({ code: 'request.nul_character' });
    }
  });
});

describe('text PostgreSQL cannot store', () => {
  it('refuses a lone surrogate or a NUL in a JSON body with 400 at the field, and changes nothing', async () => {
    t.as(await principalFor(t.store, [['admin', '/']]));
    const before = await counts();
    for (const [raw, code] of [
      ['{"code":"DOC-X","number":"1/X","title_vi":"a\\ud800"}', 'input.lone_surrogate'],
      ['{"code":"DOC-X","number":"1/X","title_vi":"a\\u0000"}', 'input.nul_character'],
    ] as const) {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/documents',
        headers: { 'content-type': 'application/json' },
        payload: raw,
      });
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ code, field: 'title_vi' });
    }
    expect(await counts()).toEqual(before);
    t.as(null);
  });
});

describe('the demo through the API', () => {
  it('has the per-level 2024 digitisation targets 70 / 60 / 55', async () => {
    const { body } = await get('/api/targets?indicator=CQS-09&period=2024');
    const byLevel = Object.fromEntries(
      body.items.map((x: { org_level: string; value: number }) => [x.org_level, x.value]),
    );
    expect(byLevel).toEqual({ department: 70, district: 60, commune: 55 });
    expect(
      body.items.every(
        (x: { source_document: string; comparator: string }) =>
          x.source_document === 'KH-CDS-2024' && x.comparator === '>=',
      ),
    ).toBe(true);
  });

  it('keeps both 2024 digital-economy targets, 22% and 25%, and lists them as a conflict', async () => {
    const { body } = await get('/api/targets?indicator=KTXH-01&period=2024');
    expect(body.items.map((x: { value: number }) => x.value).sort()).toEqual([22, 25]);
    const conflicts = (await get('/api/targets/conflicts')).body.items as Array<{
      indicator_code: string;
      period: string;
      targets: Array<{ value: number }>;
    }>;
    const c = conflicts.find((x) => x.indicator_code === 'KTXH-01' && x.period === '2024');
    expect(c?.targets.map((x) => x.value).sort()).toEqual([22, 25]);
  });

  it('has the 2025 and 2030 targets of decision 2393 for city, district and ward levels', async () => {
    const pick = async (period: string) =>
      Object.fromEntries(
        (await get(`/api/targets?indicator=CQS-11&period=${period}`)).body.items.map(
          (x: { org_level: string; value: number }) => [x.org_level, x.value],
        ),
      );
    expect(await pick('2025')).toEqual({ city: 90, district: 80, commune: 60 });
    expect(await pick('2030')).toEqual({ city: 100, district: 100, commune: 95 });
  });

  it('has the reported actuals: 15.38% of GRDP in 2022 and DTI ranks 5, 3, 2', async () => {
    const gdp = (await get('/api/values?indicator=KTXH-01&org_unit=79&period=2022')).body.items;
    expect(gdp).toHaveLength(1);
    expect(gdp[0]).toMatchObject({ value: 15.38, provenance: 'imported', source_document: 'SEED-003' });
    const ranks = (await get('/api/values?indicator=DTI-RANK&org_unit=79&period_from=2020&period_to=2022'))
      .body.items;
    expect(ranks.map((v: { period: string; value: number }) => [v.period, v.value])).toEqual([
      ['2020', 5],
      ['2021', 3],
      ['2022', 2],
    ]);
  });

  it('lists several indicators at once with indicators= (one request for what took one per indicator)', async () => {
    const q = 'org_unit=79&period_from=2020&period_to=2024&limit=1000';
    const a = (await get(`/api/values?indicator=DTI-RANK&${q}`)).body;
    const b = (await get(`/api/values?indicator=KTXH-01&${q}`)).body;
    expect(a.total).toBeGreaterThan(0);
    expect(b.total).toBeGreaterThan(0);
    const both = (await get(`/api/values?indicators=DTI-RANK,%20KTXH-01,&${q}`)).body;
    expect(both.total).toBe(a.total + b.total);
    const key = (v: { indicator_code?: string; indicator?: string; period: string }) =>
      `${v.indicator_code ?? v.indicator}|${v.period}`;
    expect(both.items.map(key).sort()).toEqual([...a.items, ...b.items].map(key).sort());
    const csv = await get(`/api/values.csv?indicators=DTI-RANK,KTXH-01&${q}`);
    expect((csv.body as string).trim().split('\r\n').length).toBe(both.total + 1);
    const tooMany = Array.from({ length: 101 }, (_, k) => `X${k}`).join(',');
    expect((await get(`/api/values?indicators=${tooMany}`)).status).toBe(400);
  });

  it('marks generated values as synthetic', async () => {
    const { body } = await get('/api/values?provenance=synthetic&limit=5');
    expect(body.total).toBeGreaterThan(0);
    for (const v of body.items) expect(v.comment).toMatch(/synthetic/);
  });

  it('serves targets.csv and values.csv with the promised columns', async () => {
    const targets = await get('/api/targets.csv?indicator=CQS-09');
    expect(targets.headers['content-type']).toMatch(/text\/csv/);
    const [head, ...lines] = (targets.body as string)
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    for (const c of [
      'indicator_code',
      'indicator_name_vi',
      'period',
      'org_unit_code',
      'org_level',
      'comparator',
      'value',
      'unit_of_measure',
      'source_document',
    ])
      expect(head!.split(',')).toContain(c);
    expect(lines).toHaveLength(3);
    const values = await get('/api/values.csv?indicator=DTI-RANK&provenance=imported');
    const vhead = (values.body as string)
      .replace(/^\uFEFF/, '')
      .split('\r\n')[0]!
      .split(',');
    for (const c of [
      'indicator_code',
      'indicator_name_vi',
      'period',
      'org_unit_code',
      'value',
      'provenance',
      'source_document',
    ])
      expect(vhead).toContain(c);
    expect((values.body as string).split('\r\n').filter(Boolean)).toHaveLength(4);
  });

  it('finds Vietnamese text without diacritics', async () => {
    const { body } = await get(`/api/indicators?q=${encodeURIComponent('kinh te so')}`);
    expect(body.items.map((i: { code: string }) => i.code)).toContain('KTXH-01');
    const units = (await get(`/api/org-units?q=${encodeURIComponent('phuong sai gon')}`)).body.items;
    expect(units.map((u: { name_vi: string }) => u.name_vi)).toContain('Phường Sài Gòn');
  });

  it('filters org units by subtree and level and pages them', async () => {
    const q1 = (await get('/api/org-units?subtree=79.760&level=commune&limit=3')).body;
    expect(q1.total).toBe(10);
    expect(q1.items).toHaveLength(3);
    expect(q1.items.every((u: { parent: string }) => u.parent === '79.760')).toBe(true);
    const newWards = (await get('/api/org-units?parent=79&level=commune&valid_on=2025-07-01&limit=1')).body;
    expect(newWards.total).toBe(168);
  });
});

describe('history across the 1 July 2025 reorganisation', () => {
  it('reaches a predecessor ward’s values from the new ward through the lineage', async () => {
    const unit = (await get('/api/org-units/79.26740')).body;
    expect(unit.name_vi).toBe('Phường Sài Gòn');
    const froms = unit.predecessors.map((p: { from: string }) => p.from);
    expect(froms).toContain('79.760.26740'); // Phường Bến Nghé
    t.as(await principalFor(t.store, [['admin', '79']]));
    const put = await send('PUT', '/api/values', {
      indicator: 'CQS-09',
      org_unit: '79.760.26740',
      period: '2020',
      value: 57.5,
      provenance: 'entered',
    });
    expect(put.status).toBe(201);
    t.as(null);
    const direct = (await get('/api/values?indicator=CQS-09&org_unit=79.26740&period=2020')).body;
    expect(direct.total).toBe(0);
    const via = (await get('/api/values?indicator=CQS-09&org_unit=79.26740&period=2020&follow_lineage=true'))
      .body;
    expect(
      via.items.map((v: { org_unit_code: string; value: number }) => [v.org_unit_code, v.value]),
    ).toContainEqual(['79.760.26740', 57.5]);
  });

  it('refuses a value for a unit in a period when it did not exist', async () => {
    t.as(await principalFor(t.store, [['admin', '/']]));
    const before = await counts();
    const r = await send('PUT', '/api/values', {
      indicator: 'CQS-09',
      org_unit: '79.26740',
      period: '2024',
      value: 50,
    });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 'value.unit_not_valid', field: 'org_unit' });
    expect(await counts()).toEqual(before);
    t.as(null);
  });
});

describe('invalid input gets a precise error and changes nothing', () => {
  beforeAll(async () => t.as(await principalFor(t.store, [['admin', '/']])));
  afterAll(() => t.as(null));

  const cases: Array<[string, 'POST' | 'PUT', string, unknown, Record<string, unknown>]> = [
    [
      'unknown indicator code',
      'PUT',
      '/api/values',
      { indicator: 'NOPE-1', org_unit: '79', period: '2024', value: 1 },
      { code: 'indicator.unknown', field: 'indicator' },
    ],
    [
      'unknown unit code',
      'PUT',
      '/api/values',
      { indicator: 'KTXH-01', org_unit: '79.999', period: '2024', value: 1 },
      { code: 'org_unit.unknown', field: 'org_unit' },
    ],
    [
      'malformed period',
      'PUT',
      '/api/values',
      { indicator: 'KTXH-01', org_unit: '79', period: '2024Q5', value: 1 },
      { code: 'period.malformed', field: 'period', position: 5 },
    ],
    [
      'quarter for a yearly indicator',
      'PUT',
      '/api/values',
      { indicator: 'KTXH-01', org_unit: '79', period: '2024Q1', value: 1 },
      { code: 'value.period_type' },
    ],
    [
      'value of the wrong type',
      'PUT',
      '/api/values',
      { indicator: 'KTXH-01', org_unit: '79', period: '2024', value: 'many' },
      { code: 'request.invalid', field: 'body.value' },
    ],
    [
      'percentage above 100',
      'PUT',
      '/api/values',
      { indicator: 'KTXH-01', org_unit: '79', period: '2024', value: 120 },
      { code: 'value.percent_range', field: 'value' },
    ],
    [
      'rank that is not a whole number',
      'PUT',
      '/api/values',
      { indicator: 'DTI-RANK', org_unit: '79', period: '2024', value: 2.5 },
      { code: 'value.rank' },
    ],
    [
      'target for a level the indicator does not have',
      'POST',
      '/api/targets',
      { indicator: 'CQS-11', org_level: 'department', period: '2025', comparator: '>=', value: 50 },
      { code: 'target.level_not_allowed', field: 'org_level' },
    ],
    [
      'target for both a unit and a level',
      'POST',
      '/api/targets',
      {
        indicator: 'KTXH-01',
        org_unit: '79',
        org_level: 'city',
        period: '2025',
        comparator: '>=',
        value: 50,
      },
      { code: 'target.scope' },
    ],
    [
      'range target without an upper bound',
      'POST',
      '/api/targets',
      { indicator: 'KTXH-01', org_unit: '79', period: '2025', comparator: 'range', value: 50 },
      { code: 'target.range', field: 'value_max' },
    ],
    [
      'indicator with a formula that does not parse',
      'POST',
      '/api/indicators',
      {
        code: 'F-1',
        name_vi: 'Thử',
        value_type: 'number',
        direction: 'increase',
        rollup: 'sum',
        period_type: 'year',
        formula: '[KTXH-01] * (2',
      },
      { code: 'formula.syntax', field: 'formula' },
    ],
    [
      'indicator with an unknown group',
      'POST',
      '/api/indicators',
      {
        code: 'G-1',
        name_vi: 'Thử',
        value_type: 'number',
        direction: 'increase',
        rollup: 'sum',
        period_type: 'year',
        group: 'khong-co',
      },
      { code: 'group.unknown', field: 'group' },
    ],
    [
      'duplicate indicator code',
      'POST',
      '/api/indicators',
      {
        code: 'KTXH-01',
        name_vi: 'Trùng',
        value_type: 'number',
        direction: 'increase',
        rollup: 'sum',
        period_type: 'year',
      },
      { code: 'indicator.duplicate', status: 409 },
    ],
    [
      'org unit under an unknown parent',
      'POST',
      '/api/org-units',
      { code: '79.X1', name_vi: 'Thử', level: 'commune', parent: '79.nope' },
      { code: 'parent.unknown' },
    ],
    [
      'indicator group sort beyond a 32-bit integer (found by fuzzing: was a 500)',
      'POST',
      '/api/indicator-groups',
      { code: 'G-SORT', name_vi: 'Thử', sort: 2147483648 },
      { code: 'request.invalid' },
    ],
  ];
  it.each(cases)('%s', async (_name, method, url, payload, expected) => {
    const before = await counts();
    const r = await send(method, url, payload);
    expect(r.status).toBe((expected.status as number | undefined) ?? 400);
    expect(r.body).toMatchObject(expected);
    expect(typeof r.body.vi).toBe('string');
    expect(typeof r.body.en).toBe('string');
    expect(r.body.vi).not.toBe(r.body.en);
    expect(await counts()).toEqual(before);
  });

  it('answers in English when asked', async () => {
    const r = await t.app.inject({
      method: 'PUT',
      url: '/api/values',
      headers: { 'accept-language': 'en' },
      payload: { indicator: 'KTXH-01', org_unit: '79', period: '2024', value: 120 },
    });
    expect(r.json().detail).toMatch(/percentage/);
  });
});

describe('writes: access and concurrency', () => {
  const value = { indicator: 'CQS-09', org_unit: '79.761', period: '2020', value: 61 };

  it('refuses anonymous writers with 401, viewers and out-of-scope admins with 403', async () => {
    t.as(null);
    expect((await send('PUT', '/api/values', value)).status).toBe(401);
    expect((await send('POST', '/api/indicators', {})).status).toBe(401);
    t.as(await principalFor(t.store, [['viewer', '79']]));
    expect((await send('PUT', '/api/values', value)).status).toBe(403);
    t.as(await principalFor(t.store, [['admin', '79.760']]));
    expect((await send('PUT', '/api/values', value)).status).toBe(403);
    expect((await send('POST', '/api/indicators', { code: 'Z' })).status).toBe(403);
    t.as(null);
  });

  it('gives one success and one 409 with the current state to two writers of the same version', async () => {
    t.as(await principalFor(t.store, [['admin', '79.761']]));
    const created = await send('PUT', '/api/values', value);
    expect(created.status).toBe(201);
    const v1 = created.body.value.version;
    const a = await send('PUT', '/api/values', { ...value, value: 62, version: v1 });
    const b = await send('PUT', '/api/values', { ...value, value: 63, version: v1 });
    expect(a.status).toBe(200);
    expect(b.status).toBe(409);
    expect(b.body).toMatchObject({
      code: 'conflict.stale_version',
      details: { current: { value: 62, version: v1 + 1 } },
    });
    const hist = (await get(`/api/values/${created.body.value.id}/history`)).body.history;
    expect(hist.map((h: { value: number }) => h.value)).toEqual([61, 62]);
    t.as(null);
  });

  it('records every write in the audit log', async () => {
    const [a] = await rows<{ n: number }>(
      t.store.db,
      sql`select count(*)::int as n from audit_log where action like 'value.%'`,
    );
    expect(a!.n).toBeGreaterThanOrEqual(3);
  });
});
