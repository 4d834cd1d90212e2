import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoStore, principalFor, type TestApp, testApp } from '../../../../test/fixtures.ts';
import type { Principal } from '../../policies/index.ts';

let t: TestApp;
let admin: Principal;
let viewer: Principal;
beforeAll(async () => {
  const store = await openDemoStore();
  t = await testApp(store);
  admin = await principalFor(store, [['admin', '79']]);
  viewer = await principalFor(store, [['viewer', '79']]);
});
afterAll(async () => {
  await t?.close();
});

const CSV = 'indicator_code,period,org_unit_code,value\nCD-01,2019,79,41.5\n';

describe('exchange routes', () => {
  it('imports a values CSV as a programme admin; viewers and anonymous callers are refused', async () => {
    t.as(null);
    const anon = await t.app.inject({
      method: 'POST',
      url: '/api/exchange/values/import',
      payload: CSV,
      headers: { 'content-type': 'text/csv' },
    });
    expect(anon.statusCode).toBe(401);
    t.as(viewer);
    const v = await t.app.inject({
      method: 'POST',
      url: '/api/exchange/values/import',
      payload: CSV,
      headers: { 'content-type': 'text/csv' },
    });
    expect(v.statusCode).toBe(403);
    t.as(admin);
    const dry = await t.app.inject({
      method: 'POST',
      url: '/api/exchange/values/import?dry_run=true',
      payload: CSV,
      headers: { 'content-type': 'text/csv' },
    });
    expect(dry.json()).toMatchObject({ dry_run: true, created: 1 });
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/exchange/values/import',
      payload: CSV,
      headers: { 'content-type': 'text/csv' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ created: 1, format: 'chiso-values-csv' });
    const json = await t.app.inject({
      method: 'POST',
      url: '/api/exchange/values/import',
      payload: JSON.stringify([
        { indicator_code: 'CD-01', period: '2019', org_unit_code: '79', value: 41.5 },
      ]),
      headers: { 'content-type': 'application/json' },
    });
    expect(json.json()).toMatchObject({ unchanged: 1, format: 'chiso-values-json' });
  });

  it('answers a rejected file with 422 problem details listing each fault', async () => {
    t.as(admin);
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/exchange/values/import',
      payload: 'indicator_code,period,org_unit_code,value\nCD-01,2019,79,101\n',
      headers: { 'content-type': 'text/csv', 'accept-language': 'en' },
    });
    expect(r.statusCode).toBe(422);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(r.json()).toMatchObject({
      code: 'import.rejected',
      errors: [{ code: 'value.percent_range', row: 2, column: 'value' }],
    });
  });

  it('imports ADX by content type and exports DHIS2 CSV', async () => {
    t.as(admin);
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/dhis2/mappings',
      payload: { items: [{ kind: 'dataElement', dhis2_id: 'abcDE123456', chiso_code: 'DTI-RANK' }] },
    });
    expect(put.json()).toEqual({ created: 1, unchanged: 0 });
    const adx = await t.app.inject({
      method: 'POST',
      url: '/api/dhis2/dataValueSets',
      payload:
        '<adx xmlns="urn:ihe:qrph:adx:2015"><group dataSet="X" period="2019-01-01/P1Y" orgUnit="79"><dataValue dataElement="abcDE123456" value="4"/></group></adx>',
      headers: { 'content-type': 'application/adx+xml' },
    });
    expect(adx.json()).toMatchObject({ created: 1, format: 'dhis2-adx' });
    t.as(viewer);
    const csv = await t.app.inject({ method: 'GET', url: '/api/dhis2/dataValueSets.csv?indicator=DTI-RANK' });
    expect(csv.headers['content-type']).toContain('application/csv');
    expect(csv.body.split('\r\n')[0]).toBe(
      'dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup,deleted',
    );
    expect(csv.body).toContain('abcDE123456,2019,79,,,4,');
  });

  it('serves the quarterly report, its annex and the template to viewers', async () => {
    t.as(viewer);
    const docx = await t.app.inject({
      method: 'GET',
      url: '/api/reports/quarterly?period=2024Q4&date=2025-01-05',
    });
    expect(docx.statusCode).toBe(200);
    expect(docx.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
    expect(docx.rawPayload.subarray(0, 2).toString()).toBe('PK');
    const xlsx = await t.app.inject({
      method: 'GET',
      url: '/api/reports/quarterly?period=2024Q4&format=xlsx',
    });
    expect(xlsx.headers['content-disposition']).toContain('bao-cao-2024Q4-phu-luc.xlsx');
    const bad = await t.app.inject({ method: 'GET', url: '/api/reports/quarterly?period=2024' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'report.period_not_quarter' });
    const tpl = await t.app.inject({
      method: 'GET',
      url: '/api/exchange/templates/values.xlsx?period=2024&indicators=CD-01',
    });
    expect(tpl.statusCode).toBe(200);
    t.as(admin);
    const back = await t.app.inject({
      method: 'POST',
      url: '/api/exchange/templates/import',
      payload: tpl.rawPayload,
      headers: { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
    });
    expect(back.json()).toMatchObject({ format: 'xlsx-template', rejected_count: 0, created: 0, updated: 0 });
  });

  it('open data is public, licensed, at stable addresses', async () => {
    t.as(null);
    const cat = await t.app.inject({ method: 'GET', url: '/api/open-data/catalog.jsonld' });
    expect(cat.statusCode).toBe(200);
    expect(cat.headers['content-type']).toContain('application/ld+json');
    expect(cat.headers.link).toContain('creativecommons.org/licenses/by/4.0');
    expect(cat.json()['@type']).toBe('dcat:Catalog');
    for (const url of [
      '/api/open-data/indicators.csv',
      '/api/open-data/indicators.json',
      '/api/open-data/targets.sdmx.csv',
      '/api/open-data/values.json?indicator=DTI-RANK',
      '/api/open-data/values.sdmx.csv',
      '/api/open-data/opensdg/indicator_DTI-RANK.csv',
      '/api/open-data/opensdg/meta/DTI-RANK.md',
      '/api/open-data/LICENSE',
    ]) {
      const r = await t.app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(200);
    }
    const sdg = await t.app.inject({ method: 'GET', url: '/api/open-data/opensdg/indicator_DTI-RANK.csv' });
    expect(sdg.body.startsWith('Year,Value\r\n')).toBe(true);
    const none = await t.app.inject({ method: 'GET', url: '/api/open-data/opensdg/indicator_NOPE.csv' });
    expect(none.statusCode).toBe(404);
  });

  it('answers a bad filter of a download with a clean 400 problem before any byte of the file', async () => {
    t.as(viewer);
    for (const url of [
      '/api/exchange/values.json?period=2024Q5',
      '/api/exchange/values.csv?period_from=nope',
      '/api/exchange/values.xlsx?period_to=2024-13',
      '/api/dhis2/dataValueSets.json?period=20245',
      '/api/dhis2/dataValueSets.csv?period=x',
      '/api/dhis2/dataValueSets.adx?period_from=2024W99',
    ]) {
      const r = await t.app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(400);
      expect(r.headers['content-type'], url).toContain('application/problem+json');
      expect(r.headers['content-disposition'], url).toBeUndefined();
      const p = r.json() as { code: string; vi: string; en: string };
      expect(p.code, url).toMatch(/^period\./);
      expect(p.vi.length * p.en.length, url).toBeGreaterThan(0);
    }
    const good = await t.app.inject({ method: 'GET', url: '/api/dhis2/dataValueSets.adx?period=2019' });
    expect(good.statusCode).toBe(200);
    expect(good.body.trimEnd().endsWith('</adx>')).toBe(true);
  });
});
