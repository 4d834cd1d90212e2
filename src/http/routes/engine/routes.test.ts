/**
 * The engine API on the HCMC demo: progress (status, attainment, projection, latest actual,
 * target, method profile), the overview, series with lineage, roll-ups with contributions,
 * composite-index results (scores, ranks, rank change, median rank and 5–95 % interval,
 * strengths and weaknesses, drill-down), CSV twins, adding a methodology version, drafts within
 * the caller's scope, and freshness after an approval through the API.
 */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoStore, principalFor, type TestApp, testApp } from '../../../../test/fixtures.ts';
import { setValue } from '../../../app/catalogue/values.ts';
import { negotiate } from '../../compress.ts';
import { rows } from '../../../store/db.ts';

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
const send = async (method: 'POST' | 'PUT', url: string, payload: unknown) => {
  const r = await t.app.inject({ method, url, payload: payload as object });
  return { status: r.statusCode, body: r.json() };
};

/** A unit whose value is rolled up (mean) from children, one of which reported its own figure. */
async function rolledUp(): Promise<{ ind: string; parent: string; child: string; period: string }> {
  const [r] = await rows<{ ind: string; parent: string; child: string; period: string }>(
    t.store.db,
    sql`select i.code as ind, p.code as parent, u.code as child, c.period from computed_value c
          join indicator i on i.id = c.indicator_id and i.rollup = 'mean'
          join org_unit p on p.id = c.org_unit_id join org_unit u on u.parent_id = p.id
          join data_value v on v.org_unit_id = u.id and v.indicator_id = i.id and v.period = c.period and v.status = 'approved'
        where c.method = 'rollup' and c.value is not null
        order by i.code, p.code, u.code limit 1`,
  );
  return r!;
}

interface Item {
  indicator: { code: string };
  org_unit: { code: string };
  period: string;
  status: string;
  attainment: number | null;
  projection: { period: string; value: number } | null;
  latest: { period: string; value: number } | null;
  target: {
    value: number;
    comparator: string;
    primary: boolean;
    conflicts: number;
    source_document: { code: string } | null;
  };
  method_profile: { id: string };
}

describe('progress', () => {
  it('returns status, attainment, projection, latest actual and target for a city indicator', async () => {
    const r = await get('/api/progress?indicator=KTXH-01&unit=79');
    expect(r.status).toBe(200);
    const items = r.body.items as Item[];
    expect(items.map((i) => i.period)).toEqual(['2022', '2024', '2025', '2030']);
    const y2030 = items.find((i) => i.period === '2030')!;
    expect(y2030.target).toMatchObject({ comparator: '>=', value: 40, primary: true });
    expect(y2030.latest?.period).toBe('2025');
    expect(y2030.attainment).toBeCloseTo(y2030.latest!.value / 40, 10);
    expect(y2030.projection?.period).toBe('2030');
    expect(y2030.projection!.value).toBeGreaterThan(y2030.latest!.value);
    expect(y2030.method_profile.id).toBe('open-sdg');
    expect(y2030.status).toMatch(/progress|achieved|deterioration/);
    // 2024: two documents set different targets; the primary is reported with the conflict count.
    expect(items.find((i) => i.period === '2024')!.target.conflicts).toBe(1);
    const all = (await get('/api/progress?indicator=KTXH-01&org_unit=79&period=2024&all_targets=true')).body;
    expect((all.items as Item[]).map((i) => i.target.value).sort()).toEqual([22, 25]);
  });

  it('assesses a decreasing rank target as achieved at rank 5 (≤ 5)', async () => {
    const [i] = (await get('/api/progress?indicator=DTI-RANK&org_unit=79')).body.items as Item[];
    expect(i).toMatchObject({ period: '2024', status: 'target_achieved', attainment: 1 });
    expect(i!.latest).toEqual({ period: '2024', value: 5 });
  });

  it('reads the stored statuses and the in-memory ones alike, and assesses with another profile on request', async () => {
    const fromTable = (await get('/api/progress?level=city&limit=1000')).body;
    const fromMemory = (await get('/api/progress?level=city&limit=1000&profile=open-sdg')).body;
    expect(fromTable.total).toBeGreaterThan(20);
    expect(fromTable.items).toEqual(fromMemory.items);
    const un = (await get('/api/progress?level=city&limit=1000&profile=un-2023')).body.items as Item[];
    expect(un.every((i) => i.method_profile.id === 'un-2023')).toBe(true);
    const filtered = (await get('/api/progress?level=city&status=target_achieved')).body.items as Item[];
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.every((i) => i.status === 'target_achieved')).toBe(true);
  });

  it('has a CSV twin', async () => {
    const r = await get('/api/progress.csv?org_unit=79');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/csv/);
    const lines = String(r.body)
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toMatch(/^indicator,indicator_name_vi,org_unit,/);
    expect(lines.length).toBe((await get('/api/progress?org_unit=79&limit=1000')).body.total + 1);
  });

  it('rejects bad filters precisely', async () => {
    const r = await get('/api/progress?org_unit=NOPE');
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 'org_unit.unknown' });
    expect((await get('/api/progress?status=great')).status).toBe(400);
  });
});

describe('overview', () => {
  it('groups every primary target by indicator group with counts, and caches until something changes', async () => {
    const a = await get('/api/progress/overview?year=2024');
    expect(a.status).toBe(200);
    const body = a.body as {
      total: number;
      counts: Record<string, number>;
      groups: Array<{
        code: string;
        total: number;
        items: Array<{ status: string; attainment: number | null; trend: string | null }>;
      }>;
    };
    expect(body.total).toBeGreaterThan(30);
    expect(body.groups.reduce((s, g) => s + g.total, 0)).toBe(body.total);
    expect(Object.values(body.counts).reduce((s, n) => s + n, 0)).toBe(body.total);
    expect(body.groups.map((g) => g.code)).toContain('chinh-quyen-so');
    const b = await get('/api/progress/overview?year=2024');
    expect(b.headers['x-engine-version']).toBe(a.headers['x-engine-version']);
    expect(b.body).toEqual(a.body);
  });

  it('answers 304 to a matching If-None-Match, and the full body to another', async () => {
    const a = await get('/api/progress/overview?year=2024');
    const etag = String(a.headers.etag);
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await t.app.inject({
      method: 'GET',
      url: '/api/progress/overview?year=2024',
      headers: { 'if-none-match': etag },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const other = await t.app.inject({
      method: 'GET',
      url: '/api/progress/overview?year=2024',
      headers: { 'if-none-match': '"x"' },
    });
    expect(other.statusCode).toBe(200);
    expect(other.json()).toEqual(a.body);
    // Another query has another body and ETag.
    const all = await get('/api/progress/overview');
    expect(all.headers.etag).not.toBe(etag);
    const series = await get('/api/indicators/KTXH-01/series?org_unit=79');
    const s304 = await t.app.inject({
      method: 'GET',
      url: '/api/indicators/KTXH-01/series?org_unit=79',
      headers: { 'if-none-match': String(series.headers.etag) },
    });
    expect(s304.statusCode).toBe(304);
    expect((await get('/api/indicators/NOPE-404/series')).status).toBe(404);
  });

  it('sends the cached body compressed as the browser accepts (brotli, else gzip), same JSON, own ETag', async () => {
    const url = '/api/progress/overview?summary=true';
    const plain = await t.app.inject({ method: 'GET', url });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toMatch(/accept-encoding/i);
    const inject = (enc: string, inm?: string) =>
      t.app.inject({
        method: 'GET',
        url,
        headers: { 'accept-encoding': enc, ...(inm ? { 'if-none-match': inm } : {}) },
      });
    const br = await inject('gzip, deflate, br, zstd');
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length / 3);
    expect(JSON.parse(brotliDecompressSync(br.rawPayload).toString('utf8'))).toEqual(plain.json());
    const gz = await inject('gzip, br;q=0');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(gz.rawPayload).toString('utf8'))).toEqual(plain.json());
    const none = await inject('identity');
    expect(none.headers['content-encoding']).toBeUndefined();
    expect(none.json()).toEqual(plain.json());
    // each coding is its own representation; any of them is still current (304)
    const tags = new Set([plain, br, gz].map((r) => String(r.headers.etag)));
    expect(tags.size).toBe(3);
    for (const tag of tags) {
      const r = await inject('gzip, deflate, br', tag);
      expect(r.statusCode).toBe(304);
      expect(r.rawPayload.length).toBe(0);
    }
    // negotiation: brotli first, q=0 refuses, a small body (below 1 KB) is sent as it is
    expect(negotiate('gzip, deflate, br', 5000)).toBe('br');
    expect(negotiate('br;q=0, gzip;q=0.5', 5000)).toBe('gzip');
    expect(negotiate('deflate', 5000)).toBe('identity');
    expect(negotiate('gzip, deflate, br', 500)).toBe('identity');
    expect(negotiate(undefined, 5000)).toBe('identity');
  });

  it('compresses a large body (over 128 KB) off the event loop: concurrent requests each get the whole body', async () => {
    const url = '/api/progress/overview';
    const plain = await t.app.inject({ method: 'GET', url });
    expect(plain.rawPayload.length).toBeGreaterThan(128 * 1024);
    const inject = (enc: string) => t.app.inject({ method: 'GET', url, headers: { 'accept-encoding': enc } });
    for (const [enc, decode] of [
      ['gzip', gunzipSync],
      ['br', brotliDecompressSync],
    ] as const) {
      const [a, b, c] = await Promise.all([inject(enc), inject(enc), inject(enc)]);
      for (const r of [a!, b!, c!]) {
        expect(r.statusCode).toBe(200);
        expect(r.headers['content-encoding']).toBe(enc);
        expect(r.headers.etag).toBe(a!.headers.etag);
        expect(r.rawPayload.length).toBeLessThan(plain.rawPayload.length / 3);
        expect(Buffer.compare(decode(r.rawPayload), plain.rawPayload)).toBe(0);
      }
    }
  });

  it('summary: level targets folded into one row with the units’ statuses, the first level by default', async () => {
    const full = (await get('/api/progress/overview')).body as {
      total: number;
      counts: Record<string, number>;
      groups: Array<{
        code: string;
        items: Array<{ indicator: string; level: string; period: string; status: string }>;
      }>;
    };
    type Row =
      | {
          kind: 'unit';
          key: string;
          item: { indicator: string; org_unit: string };
          recent: Array<{ period: string; value: number }>;
        }
      | {
          kind: 'level';
          key: string;
          first: { indicator: string };
          units: number;
          counts: Array<[string, number]>;
        };
    const all = (await get('/api/progress/overview?summary=true&level=all')).body as {
      level: string;
      levels: Array<{ code: string }>;
      years: number[];
      total: number;
      counts: Record<string, number>;
      groups: Array<{ code: string; total: number; rows: Row[] }>;
    };
    expect(all.level).toBe('');
    expect(all.total).toBe(full.total);
    expect(all.counts).toEqual(full.counts);
    expect(all.years.length).toBeGreaterThan(0);
    expect(all.years).toEqual([...all.years].sort((a, b) => a - b));
    // Every item of the full overview is in exactly one row: its own, or a level row counting it.
    for (const g of full.groups) {
      const rowsOf = all.groups.find((x) => x.code === g.code)!.rows;
      const covered = rowsOf.reduce((n, r) => n + (r.kind === 'unit' ? 1 : r.units), 0);
      expect(covered).toBe(g.items.length);
      for (const r of rowsOf) {
        if (r.kind !== 'level') continue;
        const [ind, level, period] = r.key.split('|');
        const members = g.items.filter(
          (i) => i.indicator === ind && i.level === level && i.period === period,
        );
        expect(members.length).toBe(r.units);
        expect(r.counts.reduce((n, [, c]) => n + c, 0)).toBe(r.units);
        for (const [status, c] of r.counts) expect(members.filter((i) => i.status === status).length).toBe(c);
      }
    }
    const units = all.groups.flatMap((g) => g.rows).filter((r) => r.kind === 'unit');
    expect(units.some((r) => r.kind === 'unit' && r.recent.length > 1)).toBe(true);
    const bytesFull = JSON.stringify(full).length;
    expect(JSON.stringify(all).length).toBeLessThan(bytesFull);
    // Without level=: the programme's own level (the first of the ordered levels).
    const first = (await get('/api/progress/overview?summary=true')).body as typeof all;
    expect(first.level).toBe(first.levels[0]!.code);
    const own = (await get(`/api/progress/overview?level=${first.level}`)).body as typeof full;
    expect(first.total).toBe(own.total);
  });
});

describe('series and roll-ups', () => {
  it('gives a city series with its own actuals, targets and the projection', async () => {
    const r = (await get('/api/indicators/KTXH-01/series?org_unit=79')).body;
    expect(r.period_type).toBe('year');
    expect(r.actuals.length).toBeGreaterThanOrEqual(4);
    expect(r.actuals.every((a: { source: string }) => a.source === 'own')).toBe(true);
    expect(r.targets.map((x: { period: string }) => x.period)).toContain('2030');
    expect(r.projection.period).toBe('2030');
  });

  it('carries the predecessors’ values onto a new ward (mean of the merged wards)', async () => {
    // A new ward whose predecessors reported CQS-09 for 2023.
    const [link] = await rows<{ to: string }>(
      t.store.db,
      sql`select t.code as to from org_lineage l join org_unit t on t.id = l.to_unit_id join org_unit f on f.id = l.from_unit_id
          join data_value v on v.org_unit_id = f.id and v.period = '2023' and v.status = 'approved'
          join indicator i on i.id = v.indicator_id and i.code = 'CQS-09'
          where t.level = 'commune' and not l.partial order by t.code limit 1`,
    );
    const preds = await rows<{ value: number; n: number }>(
      t.store.db,
      sql`select v.value, (select count(*)::int from org_lineage l2 where l2.from_unit_id = f.id) as n
          from org_lineage l join org_unit t on t.id = l.to_unit_id join org_unit f on f.id = l.from_unit_id
          join data_value v on v.org_unit_id = f.id and v.period = '2023' and v.status = 'approved'
          join indicator i on i.id = v.indicator_id and i.code = 'CQS-09' where t.code = ${link!.to}`,
    );
    const r = (await get(`/api/indicators/CQS-09/series?org_unit=${link!.to}`)).body;
    const a2023 = r.actuals.find((a: { period: string }) => a.period === '2023');
    expect(a2023.source).toBe('lineage');
    expect(a2023.value).toBeCloseTo(preds.reduce((s, p) => s + p.value, 0) / preds.length, 10);
    expect(r.lineage.length).toBeGreaterThan(0);
    const roll = (await get(`/api/rollups?indicator=CQS-09&org_unit=${link!.to}&period=2023`)).body;
    expect(roll.source).toBe('lineage');
    expect(roll.lineage.length).toBe(r.lineage.length);
  });

  it('explains a rolled-up value by the children’s contributions (mean)', async () => {
    const c = await rolledUp();
    const r = (await get(`/api/rollups?indicator=${c.ind}&org_unit=${c.parent}&period=${c.period}`)).body;
    expect(r).toMatchObject({ rule: 'mean', source: 'rollup' });
    const present = (r.children as Array<{ value: number | null; org_unit: { code: string } }>).filter(
      (x) => x.value !== null,
    );
    expect(present.map((x) => x.org_unit.code)).toContain(c.child);
    expect(r.value).toBeCloseTo(present.reduce((s, x) => s + x.value!, 0) / present.length, 10);
    expect((await get(`/api/rollups?indicator=${c.ind}&org_unit=79&period=2023Q9`)).status).toBe(400);
  });
});

describe('composite index', () => {
  it('lists the three demo methodologies with the years that have results', async () => {
    const items = (await get('/api/index/methodologies')).body.items as Array<{
      code: string;
      years: number[];
    }>;
    const byCode = Object.fromEntries(items.map((m) => [m.code, m.years]));
    expect(byCode['DTI-TINH']).toEqual([2021, 2022, 2023]);
    expect(byCode['DTI-SO-NGANH']).toEqual([2023, 2024]);
    expect(byCode['DTI-QUAN-HUYEN']).toEqual([2023, 2024]);
  });

  it('index results written in pieces and compressed as they come are, in every coding, the JSON of the result objects', async () => {
    const { engineOf } = await import('../../../app/engine/engine.ts');
    const { indexResultsFor } = await import('../../../app/engine/queries.ts');
    const engine = await engineOf(t.store);
    const codings = [
      ['br', brotliDecompressSync],
      ['gzip', gunzipSync],
      ['identity', (b: Buffer) => b],
    ] as const;
    // The first request of a body builds it in pieces, compressed in its coding: brotli for one, gzip for the other.
    for (const [url, order] of [
      ['/api/index/DTI-SO-NGANH/results', codings],
      ['/api/index/DTI-QUAN-HUYEN/results?period=2023', [codings[1], codings[0], codings[2]]],
    ] as const) {
      const q = url.includes('period') ? { period: '2023' } : {};
      const code = url.split('/')[3]!;
      const expected = JSON.stringify(await indexResultsFor(t.store.db, engine.model, code, q));
      for (const [enc, decode] of order) {
        const r = await t.app.inject({ method: 'GET', url, headers: { 'accept-encoding': enc } });
        expect(r.statusCode).toBe(200);
        expect(r.headers['content-encoding']).toBe(enc === 'identity' ? undefined : enc);
        expect(decode(r.rawPayload).toString('utf8')).toBe(expected);
      }
    }
  });

  it('gives scores, ranks (ties share the best), rank changes and rank intervals for the provinces', async () => {
    const r = (await get('/api/index/DTI-TINH/results?period=2023')).body;
    expect(r.methodology).toMatchObject({ code: 'DTI-TINH', version: '922-2022', root: 'DTI' });
    const units = r.units as Array<{
      org_unit: { code: string };
      score: number;
      rank: number;
      previous_rank: number | null;
      rank_change: number | null;
      sensitivity: { median_rank: number; q5: number; q95: number };
      strengths: Array<{ node: string }>;
      nodes: Record<string, { score: number; rank: number }>;
    }>;
    expect(units.map((u) => u.org_unit.code).sort()).toEqual(['74', '77', '79']);
    for (const u of units) {
      expect(u.score).toBeGreaterThanOrEqual(0);
      expect(u.score).toBeLessThanOrEqual(1);
      // Rank = 1 + the number of units with a strictly higher score (4 decimals): ties share the best.
      const better = units.filter((v) => Math.round(v.score * 1e4) > Math.round(u.score * 1e4)).length;
      expect(u.rank).toBe(better + 1);
      expect(u.rank_change).toBe(u.previous_rank! - u.rank);
      expect(u.sensitivity.q5).toBeLessThanOrEqual(u.sensitivity.median_rank);
      expect(u.sensitivity.median_rank).toBeLessThanOrEqual(u.sensitivity.q95);
      // Drill-down: the pillars and the main indicators.
      for (const n of ['CQS', 'KTS', 'XHS', 'NTS', 'HD-CQS']) expect(u.nodes[n]).toHaveProperty('rank');
    }
    const prev = (await get('/api/index/DTI-TINH/results?period=2022')).body.units as typeof units;
    for (const u of units)
      expect(u.previous_rank).toBe(prev.find((p) => p.org_unit.code === u.org_unit.code)!.rank);
    expect(r.sensitivity).toMatchObject({ runs: 200, seed: 20240101, weight_noise: 0.25 });
    // Departments: the bands of the 330-point scale.
    const dep = (await get('/api/index/DTI-SO-NGANH/results')).body;
    expect(dep.period).toBe('2024');
    expect(dep.units.length).toBeGreaterThan(10);
    expect(
      dep.units.every((u: { band: string | null }) =>
        ['bat-dau', 'hinh-thanh', 'nang-cao'].includes(u.band!),
      ),
    ).toBe(true);
  });

  it('has a CSV twin with one row per unit and node', async () => {
    const r = await get('/api/index/DTI-TINH/results.csv?period=2023');
    expect(r.headers['content-type']).toMatch(/text\/csv/);
    const lines = String(r.body)
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe(
      'methodology,version,period,org_unit,org_unit_name_vi,node,raw,score,rank,previous_rank,rank_change,band,median_rank,rank_q5,rank_q95',
    );
    expect(lines.length).toBe(1 + 3 * 15);
  });

  it('adds a methodology version for administrators only, validated, and computes it before answering', async () => {
    const definition = {
      code: 'DTI-QH-TEST',
      version: '1',
      name_vi: 'Thử nghiệm',
      name_en: 'Trial',
      valid_from: 2023,
      valid_to: 2024,
      root: 'I',
      nodes: [
        {
          code: 'I',
          name_vi: 'Chỉ số',
          name_en: 'Index',
          aggregation: { kind: 'geometric' },
          children: [{ code: 'A' }, { code: 'B' }],
        },
        {
          code: 'A',
          name_vi: 'Nhận thức số',
          name_en: 'Awareness',
          indicator: 'DTI-QH-NTS',
          normalisation: { kind: 'minmax', lower: 1, upper: 100 },
        },
        {
          code: 'B',
          name_vi: 'Thể chế số',
          name_en: 'Institutions',
          indicator: 'DTI-QH-TCS',
          normalisation: { kind: 'minmax', lower: 1, upper: 100 },
        },
      ],
    };
    t.as(null);
    expect((await send('POST', '/api/index/methodologies', { definition })).status).toBe(401);
    t.as(await principalFor(t.store, [['viewer', '79']]));
    expect((await send('POST', '/api/index/methodologies', { definition })).status).toBe(403);
    t.as(await principalFor(t.store, [['admin', '/']]));
    const bad = await send('POST', '/api/index/methodologies', {
      definition: {
        ...definition,
        nodes: [{ ...definition.nodes[0], aggregation: { kind: 'median' } }, ...definition.nodes.slice(1)],
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.field ?? bad.body.errors?.[0]?.field).toMatch(/^definition\.nodes\[0\]/);
    const ok = await send('POST', '/api/index/methodologies', { definition, sensitivity: { runs: 40 } });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ code: 'DTI-QH-TEST', version: '1', years: [2023, 2024] });
    const dup = await send('POST', '/api/index/methodologies', { definition });
    expect(dup.status).toBe(409);
    t.as(null);
    const res = (await get('/api/index/DTI-QH-TEST/results?period=2024')).body;
    expect(res.units.length).toBeGreaterThan(10);
    expect(res.units[0].rank).toBe(1);
    const [stored] = await rows<{ n: number }>(
      t.store.db,
      sql`select count(*)::int as n from index_result r join index_methodology m on m.id = r.methodology_id where m.code = 'DTI-QH-TEST'`,
    );
    expect(stored!.n).toBe(2 * 3 * res.units.length);
  });
});

describe('drafts and freshness', () => {
  it('shows draft figures only to a caller who asks and has the unit in scope', async () => {
    const c = await rolledUp();
    const url = `/api/rollups?indicator=${c.ind}&org_unit=${c.parent}&period=${c.period}&include_drafts=true`;
    t.as(null);
    const before = (await get(url)).body;
    const [v] = await rows<{ version: number; value: number }>(
      t.store.db,
      sql`select v.version, v.value from data_value v join indicator i on i.id = v.indicator_id join org_unit u on u.id = v.org_unit_id
          where i.code = ${c.ind} and u.code = ${c.child} and v.period = ${c.period}`,
    );
    const draft = v!.value + 13;
    await t.store.db.transaction((tx) =>
      setValue(
        tx,
        'test',
        {
          indicator: c.ind,
          org_unit: c.child,
          period: c.period,
          value: draft,
          provenance: 'entered',
          version: v!.version,
        },
        { status: 'draft' },
      ),
    );
    const childOf = (body: { children: Array<{ org_unit: { code: string }; value: number | null }> }) =>
      body.children.find((x) => x.org_unit.code === c.child)!.value;
    expect(childOf(before)).toBe(v!.value);
    // Anonymous, even asking: drafts are not shown, and the approved figure is gone (the row is a draft now).
    const anon = (await get(url)).body;
    expect(childOf(anon)).toBeNull();
    // A viewer of another subtree does not see it either.
    const [other] = await rows<{ code: string }>(
      t.store.db,
      sql`select code from org_unit where level = 'department' order by code limit 1`,
    );
    t.as(await principalFor(t.store, [['viewer', other!.code]]));
    expect(childOf((await get(url)).body)).toBeNull();
    // A viewer of the unit's subtree who asks sees the draft, and the roll-up with it.
    t.as(await principalFor(t.store, [['viewer', c.parent]]));
    const mine = (await get(url)).body;
    expect(childOf(mine)).toBe(draft);
    const present = (mine.children as Array<{ value: number | null }>).filter((x) => x.value !== null);
    expect(mine.value).toBeCloseTo(present.reduce((s, x) => s + x.value!, 0) / present.length, 10);
    expect(mine.value).not.toBe(anon.value);
    expect(childOf((await get(url.replace('&include_drafts=true', ''))).body)).toBeNull();
    t.as(null);
  });

  it('answers with the new status right after an approval through the API', async () => {
    t.as(await principalFor(t.store, [['admin', '/']]));
    const before = ((await get('/api/progress?indicator=KTXH-02&org_unit=79')).body.items as Item[])[0]!;
    const overviewBefore = await get('/api/progress/overview?year=2024');
    const [v] = await rows<{ version: number }>(
      t.store.db,
      sql`select v.version from data_value v join indicator i on i.id = v.indicator_id join org_unit u on u.id = v.org_unit_id
          where i.code = 'KTXH-02' and u.code = '79' and v.period = '2024'`,
    );
    const put = await send('PUT', '/api/values', {
      indicator: 'KTXH-02',
      org_unit: '79',
      period: '2024',
      value: 12,
      provenance: 'entered',
      version: v!.version,
    });
    expect(put.status).toBe(200);
    const after = ((await get('/api/progress?indicator=KTXH-02&org_unit=79')).body.items as Item[])[0]!;
    expect(before.status).not.toBe('target_achieved');
    expect(after).toMatchObject({ status: 'target_achieved', latest: { period: '2024', value: 12 } });
    const overviewAfter = await get('/api/progress/overview?year=2024');
    expect(overviewAfter.headers['x-engine-version']).not.toBe(overviewBefore.headers['x-engine-version']);
    // The cached body was rebuilt: another ETag, and the old one no longer gets a 304.
    expect(overviewAfter.headers.etag).not.toBe(overviewBefore.headers.etag);
    const stale = await t.app.inject({
      method: 'GET',
      url: '/api/progress/overview?year=2024',
      headers: { 'if-none-match': String(overviewBefore.headers.etag) },
    });
    expect(stale.statusCode).toBe(200);
    const status = (await get('/api/engine/status')).body;
    expect(status.stats.last).toMatchObject({ source: 'approval' });
    expect(status.stats.last.cells).toBeGreaterThanOrEqual(1);
    expect(status.stats.last.statuses).toBeGreaterThanOrEqual(1);
    t.as(null);
  });
});
