import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { openDemoStore } from '../../../test/fixtures.ts';
import { isChisoError } from '../../core/errors.ts';
import { rows, type Store } from '../../store/db.ts';
import { getIndicator } from '../catalogue/indicators.ts';
import {
  importOpenSdgData,
  importOpenSdgMetadata,
  importSdmxValues,
  openDataCatalog,
  openDataChunks,
  openSdgData,
  openSdgMetadata,
} from './open-data.ts';

const stores: Store[] = [];
async function demo() {
  const s = await openDemoStore();
  stores.push(s);
  return s;
}
afterEach(async () => {
  while (stores.length) await stores.pop()!.close();
});
const text = async (g: AsyncIterable<string>) => {
  let s = '';
  for await (const c of g) s += c;
  return s;
};
const approved = (store: Store, ind: string) =>
  rows(
    store.db,
    sql`select u.code, v.period, v.disagg, v.value from data_value v join indicator i on i.id = v.indicator_id
        join org_unit u on u.id = v.org_unit_id where i.code = ${ind} and v.status = 'approved' and v.archived_at is null
        order by u.code, v.period, v.disagg`,
  );

describe('Open SDG', () => {
  it('imports Year, Units, categories, Value (blank = total), exports it back, and round-trips', async () => {
    const a = await demo();
    const csv = 'Year,Units,Sex,Value\n2019,,,41.5\n2019,,female,40\n2019,79.760,,30\n2019,79.760,male,\n';
    const s = await importOpenSdgData(a, 't', 'CD-01', csv);
    expect(s).toMatchObject({ created: 4, rejected_count: 0 });
    expect(await approved(a, 'CD-01')).toEqual(
      expect.arrayContaining([
        { code: '79', period: '2019', disagg: '', value: 41.5 },
        { code: '79', period: '2019', disagg: 'Sex=female', value: 40 },
        { code: '79.760', period: '2019', disagg: 'Sex=male', value: null },
      ]),
    );
    const exported = await openSdgData(a, 'CD-01');
    const lines = exported.split('\r\n');
    expect(lines[0]).toBe('Year,Units,Sex,Value');
    expect(lines).toContain('2019,,,41.5');
    expect(lines).toContain('2019,,female,40');
    expect(lines).toContain('2019,79.760,male,');
    const b = await demo();
    expect((await importOpenSdgData(b, 't', 'CD-01', exported)).rejected_count).toBe(0);
    expect(await approved(b, 'CD-01')).toEqual(await approved(a, 'CD-01'));
    expect(await openSdgData(b, 'CD-01')).toBe(exported);
  });

  it('rejects a file whose first column is not Year, and cells with surrounding whitespace', async () => {
    const store = await demo();
    await expect(importOpenSdgData(store, 't', 'CD-01', 'Value,Year\n1,2019\n')).rejects.toMatchObject({
      code: 'opensdg.first_column',
    });
    const e = await importOpenSdgData(store, 't', 'CD-01', 'Year,Sex,Value\n2019, female,1\n').catch(
      (x: unknown) => x,
    );
    expect(isChisoError(e) && e.errors[0]).toMatchObject({
      code: 'opensdg.whitespace',
      row: 2,
      column: 'Sex',
    });
  });

  it('writes metadata as YAML front matter and reads it back into the catalogue', async () => {
    const store = await demo();
    const md = await openSdgMetadata(store, 'CD-01');
    expect(md.startsWith('---\nindicator_number: CD-01\n')).toBe(true);
    expect(md).toContain('reporting_status: complete');
    expect(md).toContain('DATA_LICENSE: CC BY 4.0');
    expect(await importOpenSdgMetadata(store, 't', md)).toEqual({ indicator: 'CD-01', changed: [] });
    const renamed = md.replace(/^indicator_name: .*$/m, 'indicator_name: Tỷ lệ hạ tầng được rà soát');
    expect(await importOpenSdgMetadata(store, 't', renamed)).toEqual({
      indicator: 'CD-01',
      changed: ['name_vi'],
    });
    expect((await getIndicator(store.db, 'CD-01'))!.name_vi).toBe('Tỷ lệ hạ tầng được rà soát');
    await expect(importOpenSdgMetadata(store, 't', '---\nindicator_number: [\n---\n')).rejects.toMatchObject({
      code: 'opensdg.yaml',
    });
  });
});

describe('open data downloads', () => {
  it('SDMX-CSV of values round-trips', async () => {
    const a = await demo();
    const sdmx = await text(await openDataChunks(a, 'values', 'sdmx.csv', 'http://x'));
    expect(sdmx.split('\r\n')[0]).toBe(
      'DATAFLOW,INDICATOR,REF_AREA,DISAGGREGATION,TIME_PERIOD,OBS_VALUE,UNIT_MEASURE,OBS_STATUS,COMMENT',
    );
    expect(sdmx).toContain('CHISO:DF_VALUES(1.0),DTI-RANK,79,_T,2022,2,rank,A,');
    const b = await demo();
    const s = await importSdmxValues(b, 't', sdmx);
    expect(s).toMatchObject({ rejected_count: 0, created: 0, updated: 0 });
    expect(s.unchanged).toBe(s.rows);
    expect(await text(await openDataChunks(b, 'values', 'sdmx.csv', 'http://x'))).toBe(sdmx);
  });

  it('JSON and CSV downloads carry only published indicators and approved values, with the licence', async () => {
    const store = await demo();
    await store.db.execute(sql`update indicator set published = false where code = 'CD-01'`);
    const json = JSON.parse(await text(await openDataChunks(store, 'values', 'json', 'http://x'))) as {
      license: { id: string };
      items: Array<{ indicator_code: string }>;
    };
    expect(json.license.id).toBe('CC-BY-4.0');
    expect(json.items.length).toBeGreaterThan(0);
    expect(json.items.some((i) => i.indicator_code === 'CD-01')).toBe(false);
    const inds = await text(await openDataChunks(store, 'indicators', 'csv', 'http://x'));
    expect(inds).not.toContain('\r\nCD-01,');
    expect(inds).toContain('\r\nDTI-RANK,');
    const targets = await text(await openDataChunks(store, 'targets', 'sdmx.csv', 'http://x'));
    expect(targets).toContain('CHISO:DF_TARGETS(1.0),DTI-RANK,79,2024,5,<=,,rank');
  });

  it('the DCAT-AP catalogue lists a dataset per published indicator with CC BY 4.0 distributions', async () => {
    const store = await demo();
    const c = (await openDataCatalog(store, 'https://data.example.vn')) as Record<string, unknown> & {
      'dcat:dataset': Array<
        Record<string, unknown> & { 'dcat:distribution': Array<Record<string, unknown>> }
      >;
    };
    expect(c['@type']).toBe('dcat:Catalog');
    expect(c['@id']).toBe('https://data.example.vn/api/open-data/catalog.jsonld');
    expect(c['dct:license']).toEqual({ '@id': 'http://creativecommons.org/licenses/by/4.0/' });
    const dti = c['dcat:dataset'].find((d) => d['dct:identifier'] === 'DTI-RANK')!;
    expect(dti['@type']).toBe('dcat:Dataset');
    const urls = dti['dcat:distribution'].map((d) => (d['dcat:downloadURL'] as { '@id': string })['@id']);
    expect(urls).toContain('https://data.example.vn/api/open-data/values.csv?indicator=DTI-RANK');
    expect(urls).toContain('https://data.example.vn/api/open-data/opensdg/indicator_DTI-RANK.csv');
    for (const d of dti['dcat:distribution']) expect(d['dct:license']).toEqual(c['dct:license']);
  });
});
