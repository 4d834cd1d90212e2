/**
 * The engine's persisted results as files: progress statuses and index results / rankings as CSV
 * and .xlsx exports, and index results as public open data (CSV, JSON, SDMX-CSV) listed in the
 * DCAT-AP catalogue. Every file is read back and compared with the result tables.
 */
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoStore, principalFor, type TestApp, testApp } from '../../../test/fixtures.ts';
import type { Principal } from '../../http/policies/index.ts';
import { rows } from '../../store/db.ts';
import { engineOf } from '../engine/engine.ts';
import { INDEX_DATAFLOW } from './results.ts';

let t: TestApp;
let viewer: Principal;
let districtViewer: Principal;

beforeAll(async () => {
  const store = await openDemoStore();
  t = await testApp(store);
  await (await engineOf(store)).ensureCurrent();
  viewer = await principalFor(store, [['viewer', '79']]);
  districtViewer = await principalFor(store, [['viewer', '79.760']]);
});
afterAll(() => t?.close());

async function get(url: string, who: Principal | null = viewer) {
  t.as(who);
  return t.app.inject({ method: 'GET', url });
}
const csv = (body: string) =>
  parse(body.replace(/^\uFEFF/, ''), { columns: true, skip_empty_lines: true }) as Array<
    Record<string, string>
  >;
const num = (s: string | undefined) => (s === undefined || s === '' ? null : Number(s));
async function workbook(body: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(body as unknown as ArrayBuffer);
  return wb;
}

describe('progress statuses as files', () => {
  it('CSV and .xlsx hold every primary status with target, actual, attainment and status', async () => {
    const table = await rows<{
      indicator: string;
      unit: string;
      period: string;
      target_value: number;
      latest_value: number | null;
      attainment: number | null;
      status: string;
    }>(
      t.store.db,
      sql`select i.code as indicator, u.code as unit, ps.period, ps.target_value, ps.latest_value, ps.attainment, ps.status
          from progress_status ps join indicator i on i.id = ps.indicator_id join org_unit u on u.id = ps.org_unit_id
          where ps.is_primary and ps.archived_at is null and i.archived_at is null`,
    );
    expect(table.length).toBeGreaterThan(10);
    const key = (r: { indicator: string; unit: string; period: string }) =>
      `${r.indicator}|${r.unit}|${r.period}`;
    const want = new Map(table.map((r) => [key(r), r]));

    const c = await get('/api/exchange/statuses.csv');
    expect(c.statusCode).toBe(200);
    expect(c.headers['content-type']).toContain('text/csv');
    const lines = csv(c.body);
    expect(lines.length).toBe(table.length);
    for (const l of lines) {
      const w = want.get(`${l.indicator_code}|${l.org_unit_code}|${l.period}`);
      expect(w, JSON.stringify(l)).toBeDefined();
      expect(num(l.target_value)).toBe(w!.target_value);
      expect(num(l.latest_value)).toBe(w!.latest_value);
      expect(num(l.attainment)).toBe(w!.attainment);
      expect(l.status).toBe(w!.status);
      expect(l.status_vi?.length).toBeGreaterThan(0);
    }

    const x = await get('/api/exchange/statuses.xlsx');
    expect(x.statusCode).toBe(200);
    const ws = (await workbook(x.rawPayload)).getWorksheet('Tiến độ')!;
    expect(ws.getCell('A4').value).toBe('Mã chỉ tiêu');
    expect(ws.getCell('A5').value).toBe('Indicator code');
    const first = 6;
    expect(ws.rowCount - first + 1).toBe(table.length);
    for (let r = first; r <= ws.rowCount; r++) {
      const row = ws.getRow(r);
      const w = want.get(`${row.getCell(1).value}|${row.getCell(3).value}|${row.getCell(5).value}`)!;
      expect(w).toBeDefined();
      expect(row.getCell(7).value).toBe(w.target_value);
      expect(row.getCell(13).value).toBe(
        w.attainment === null ? null : Math.round(w.attainment * 10000) / 10000,
      );
      expect(row.getCell(16).value).toBe(w.status);
    }
  });

  it('filters, refuses a bad filter with a clean 400, and needs a viewer of every unit', async () => {
    const [one] = await rows<{ indicator: string; n: number }>(
      t.store.db,
      sql`select i.code as indicator, count(*)::int as n from progress_status ps join indicator i on i.id = ps.indicator_id
          where ps.is_primary and ps.archived_at is null group by i.code order by n desc, i.code limit 1`,
    );
    const f = csv((await get(`/api/exchange/statuses.csv?indicator=${one!.indicator}`)).body);
    expect(f.length).toBe(one!.n);
    expect(new Set(f.map((l) => l.indicator_code))).toEqual(new Set([one!.indicator]));
    for (const url of [
      '/api/exchange/statuses.csv?period=2024Q5',
      '/api/exchange/statuses.xlsx?status=tot',
      '/api/exchange/index-results.csv?period=2024Q1',
      '/api/exchange/index-results.xlsx?period=x',
      '/api/open-data/index-results.json?period=2024-01',
    ]) {
      const r = await get(url);
      expect(r.statusCode, url).toBe(400);
      expect(r.headers['content-type'], url).toContain('application/problem+json');
    }
    expect((await get('/api/exchange/statuses.csv', districtViewer)).statusCode).toBe(403);
    expect((await get('/api/exchange/statuses.csv', null)).statusCode).toBe(401);
  });
});

describe('index results and rankings as files', () => {
  it('CSV holds every stored result; rankings are the root nodes in rank order; .xlsx has both', async () => {
    const stored = await rows<{
      code: string;
      period: string;
      unit: string;
      node: string;
      score: number | null;
      rank: number | null;
      root: boolean;
    }>(
      t.store.db,
      sql`select m.code, r.period, u.code as unit, r.node, r.score, r.rank, r.node = m.definition->>'root' as root
          from index_result r join index_methodology m on m.id = r.methodology_id join org_unit u on u.id = r.org_unit_id
          where r.archived_at is null and m.archived_at is null`,
    );
    expect(stored.length).toBeGreaterThan(50);
    const byKey = new Map(stored.map((s) => [`${s.code}|${s.period}|${s.unit}|${s.node}`, s]));
    const all = csv((await get('/api/exchange/index-results.csv')).body);
    expect(all.length).toBe(stored.length);
    for (const l of all) {
      const s = byKey.get(`${l.index_code}|${l.period}|${l.org_unit_code}|${l.node}`)!;
      expect(s, JSON.stringify(l)).toBeDefined();
      expect(num(l.score)).toBe(s.score);
      expect(num(l.rank)).toBe(s.rank);
      expect(l.is_root).toBe(String(s.root));
    }
    const rank = csv((await get('/api/exchange/index-results.csv?ranking=true')).body);
    expect(rank.length).toBe(stored.filter((s) => s.root).length);
    expect(rank.every((l) => l.is_root === 'true')).toBe(true);
    for (let i = 1; i < rank.length; i++) {
      const [a, b] = [rank[i - 1]!, rank[i]!];
      if (
        a.index_code === b.index_code &&
        a.index_version === b.index_version &&
        a.period === b.period &&
        b.rank !== ''
      )
        expect(Number(b.rank)).toBeGreaterThanOrEqual(Number(a.rank));
    }
    const x = await get('/api/exchange/index-results.xlsx');
    expect(x.statusCode).toBe(200);
    const wb = await workbook(x.rawPayload);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Xếp hạng', 'Kết quả chi tiết']);
    const r = wb.getWorksheet('Xếp hạng')!;
    expect(r.rowCount - 6 + 1).toBe(rank.length);
    expect(r.getCell('D6').value).toBe(num(rank[0]!.rank));
    expect(r.getCell('E6').value).toBe(rank[0]!.org_unit_code);
    const d = wb.getWorksheet('Kết quả chi tiết')!;
    expect(d.rowCount - 5 + 1).toBe(stored.length);
  });

  it('open data: public CSV, JSON and SDMX-CSV of the same results, listed in the DCAT-AP catalogue', async () => {
    const c = await get('/api/open-data/index-results.csv', null);
    expect(c.statusCode).toBe(200);
    expect(c.headers.link).toContain('creativecommons.org/licenses/by/4.0');
    const lines = csv(c.body);
    const j = await get('/api/open-data/index-results.json', null);
    const doc = j.json() as { license: { id: string }; items: Array<Record<string, unknown>> };
    expect(doc.license.id).toBe('CC-BY-4.0');
    expect(doc.items.length).toBe(lines.length);
    expect(doc.items[0]).toMatchObject({
      index_code: lines[0]!.index_code,
      org_unit_code: lines[0]!.org_unit_code,
      node: lines[0]!.node,
      score: num(lines[0]!.score),
    });
    const s = await get('/api/open-data/index-results.sdmx.csv', null);
    const sdmx = csv(s.body);
    expect(sdmx.length).toBe(lines.length);
    expect(Object.keys(sdmx[0]!)).toEqual([
      'DATAFLOW',
      'INDEX',
      'INDEX_VERSION',
      'NODE',
      'REF_AREA',
      'TIME_PERIOD',
      'OBS_VALUE',
      'RANK',
      'RANK_CHANGE',
      'RAW_VALUE',
      'BAND',
    ]);
    expect(sdmx[0]).toMatchObject({
      DATAFLOW: INDEX_DATAFLOW,
      INDEX: lines[0]!.index_code,
      REF_AREA: lines[0]!.org_unit_code,
      TIME_PERIOD: lines[0]!.period,
      OBS_VALUE: lines[0]!.score,
      RANK: lines[0]!.rank,
    });
    const one = lines[0]!;
    const filtered = csv(
      (
        await get(
          `/api/open-data/index-results.csv?index=${one.index_code}&period=${one.period}&ranking=true`,
          null,
        )
      ).body,
    );
    expect(filtered.length).toBeGreaterThan(0);
    expect(
      filtered.every(
        (l) => l.index_code === one.index_code && l.period === one.period && l.is_root === 'true',
      ),
    ).toBe(true);

    const cat = (await get('/api/open-data/catalog.jsonld', null)).json() as {
      'dcat:dataset': Array<{
        'dct:identifier': string;
        'dcat:distribution': Array<{ '@id': string; 'dct:format': string }>;
      }>;
    };
    const ds = cat['dcat:dataset'].find((d) => d['dct:identifier'] === 'chiso-index-results')!;
    expect(ds).toBeDefined();
    const urls = ds['dcat:distribution'].map((x) => [x['dct:format'], new URL(x['@id']).pathname]);
    expect(urls).toEqual([
      ['CSV', '/api/open-data/index-results.csv'],
      ['JSON', '/api/open-data/index-results.json'],
      ['SDMX-CSV', '/api/open-data/index-results.sdmx.csv'],
    ]);
    for (const [, path] of urls) expect((await get(path!, null)).statusCode, path).toBe(200);
  });
});
