import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { openDemoStore } from '../../../test/fixtures.ts';
import { isChisoError } from '../../core/errors.ts';
import { parsePeriod } from '../../core/period.ts';
import { fromAdxPeriod, periodFromDhis2, toAdxPeriod } from '../../formats/dhis2.ts';
import { rows, type Store } from '../../store/db.ts';
import { createIndicator } from '../catalogue/indicators.ts';
import { exportDhis2, importDhis2, listDhis2Mappings, setDhis2Mappings } from './dhis2.ts';

const stores: Store[] = [];
afterEach(async () => {
  while (stores.length) await stores.pop()!.close();
});

/** The demo plus monthly indicators and the mappings the reference examples need. */
async function setup(): Promise<Store> {
  const store = await openDemoStore();
  stores.push(store);
  await store.db.transaction(async (tx) => {
    for (const code of ['TEST-M', 'MAL-NUM', 'MAL-TXT'])
      await createIndicator(tx, 'test', {
        code,
        name_vi: `Chỉ tiêu thử ${code}`,
        value_type: 'number',
        direction: 'increase',
        rollup: 'sum',
        period_type: 'month',
      });
  });
  await setDhis2Mappings(store, 'test', [
    { kind: 'dataElement', dhis2_id: 'f7n9E0hX8qk', chiso_code: 'TEST-M' },
    { kind: 'orgUnit', dhis2_id: 'DiszpKrYNg8', chiso_code: '79' },
    { kind: 'dataElement', dhis2_id: 'Malaria numeric', chiso_code: 'MAL-NUM' },
    { kind: 'dataElement', dhis2_id: 'Malaria text', chiso_code: 'MAL-TXT' },
    { kind: 'orgUnit', dhis2_id: '123', chiso_code: '79.760' },
    { kind: 'categoryOptionCombo', dhis2_id: 'FOver555555', chiso_code: 'sex=female;age=over5' },
  ]);
  return store;
}

async function values(store: Store, indicator: string) {
  return rows<{
    org_unit: string;
    period: string;
    disagg: string;
    value: number | null;
    comment: string | null;
  }>(
    store.db,
    sql`select u.code as org_unit, v.period, v.disagg, v.value, v.comment from data_value v
        join indicator i on i.id = v.indicator_id join org_unit u on u.id = v.org_unit_id
        where i.code = ${indicator} order by v.period, v.disagg`,
  );
}

const text = async (g: AsyncIterable<string>) => {
  let s = '';
  for await (const c of g) s += c;
  return s;
};

describe('DHIS2 periods', () => {
  it('converts DHIS2 and ADX periods both ways', () => {
    expect(periodFromDhis2('201201')).toEqual(parsePeriod('2012-01'));
    expect(periodFromDhis2('2012-01')).toEqual(parsePeriod('2012-01'));
    expect(periodFromDhis2('2024Q4')).toEqual(parsePeriod('2024Q4'));
    expect(fromAdxPeriod('2020-01-01/P1M')).toEqual(parsePeriod('2020-01'));
    expect(fromAdxPeriod('2024-01-01/P1Y')).toEqual(parsePeriod('2024'));
    expect(fromAdxPeriod('2024-07-01/P6M')).toEqual(parsePeriod('2024S2'));
    expect(fromAdxPeriod('2024-10-01/P3M')).toEqual(parsePeriod('2024Q4'));
    for (const c of ['2024', '2024S1', '2024Q3', '2024-11'])
      expect(fromAdxPeriod(toAdxPeriod(parsePeriod(c)))).toEqual(parsePeriod(c));
    expect(toAdxPeriod(parsePeriod('2024Q2'))).toBe('2024-04-01/P3M');
    for (const bad of ['2024-02-01/P3M', '2024-01-15/P1M', '2024-01-01/P7D', '2024-W05', '2024-01-01/P2Y'])
      expect(() => fromAdxPeriod(bad)).toThrow(/ADX/);
  });
});

describe('DHIS2 dataValueSets: the examples of the reference import', () => {
  it('JSON (dataValueSetJ.json)', async () => {
    const store = await setup();
    const s = await importDhis2(
      store,
      't',
      `{ "dataValues": [ { "period": "201201", "orgUnit": "DiszpKrYNg8",
    "dataElement": "f7n9E0hX8qk", "value": "10" } ] }`,
      'json',
    );
    expect(s).toMatchObject({ created: 1, rejected_count: 0, format: 'dhis2-json' });
    expect(await values(store, 'TEST-M')).toEqual([
      { org_unit: '79', period: '2012-01', disagg: '', value: 10, comment: null },
    ]);
  });

  it('XML (dataValueSetA.xml)', async () => {
    const store = await setup();
    const s = await importDhis2(
      store,
      't',
      `<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataSet="pBOMPrpg1QX">
  <dataValue dataElement="f7n9E0hX8qk" period="201201" orgUnit="DiszpKrYNg8" value="10001"
     storedBy="john" timestamp="2012-01-01" comment="comment" followup="false"/>
</dataValueSet>`,
      'xml',
    );
    expect(s).toMatchObject({ created: 1, rejected_count: 0 });
    expect(await values(store, 'TEST-M')).toEqual([
      { org_unit: '79', period: '2012-01', disagg: '', value: 10001, comment: 'comment' },
    ]);
  });

  it('CSV (dataValueSetB.csv)', async () => {
    const store = await setup();
    const s = await importDhis2(
      store,
      't',
      `"dataelement","period","orgunit","categoryoptioncombo","attributeoptioncombo","value","storedby","timestamp","comment","followup"
"f7n9E0hX8qk","201201","DiszpKrYNg8","","","10001","john","2012-01-01","comment","false"
`,
      'csv',
    );
    expect(s).toMatchObject({ created: 1, rejected_count: 0 });
    expect(await values(store, 'TEST-M')).toEqual([
      { org_unit: '79', period: '2012-01', disagg: '', value: 10001, comment: 'comment' },
    ]);
    // The same row without a header (DHIS2 ≤ 2.42 reads by position) changes nothing.
    const positional =
      '"f7n9E0hX8qk","201201","DiszpKrYNg8","","","10001","john","2012-01-01","comment","false"\n';
    expect(await importDhis2(store, 't', positional, 'csv')).toMatchObject({ unchanged: 1 });
  });

  it('ADX (importA.adx.xml): category attributes, an explicit combo, an annotation', async () => {
    const store = await setup();
    const s = await importDhis2(
      store,
      't',
      `<adx xmlns="urn:ihe:qrph:adx:2015">
  <group dataSet="MalariaDS" period="2020-01-01/P1M" orgUnit="123">
    <dataValue dataElement="Malaria numeric" Sex_category="FFFFFFFFFFF" Age_category="under555555" value="1"/>
    <dataValue dataElement="Malaria numeric" categoryOptionCombo="FOver555555" value="3"/>
    <dataValue dataElement="Malaria text" value="0"><annotation>Text data value</annotation></dataValue>
  </group>
</adx>`,
      'adx',
    );
    expect(s).toMatchObject({ created: 3, rejected_count: 0, format: 'dhis2-adx' });
    expect(await values(store, 'MAL-NUM')).toEqual([
      {
        org_unit: '79.760',
        period: '2020-01',
        disagg: 'Age_category=under555555;Sex_category=FFFFFFFFFFF',
        value: 1,
        comment: null,
      },
      { org_unit: '79.760', period: '2020-01', disagg: 'sex=female;age=over5', value: 3, comment: null },
    ]);
    expect(await values(store, 'MAL-TXT')).toEqual([
      { org_unit: '79.760', period: '2020-01', disagg: '', value: 0, comment: 'Text data value' },
    ]);
  });
});

describe('DHIS2 round trips and faults', () => {
  for (const format of ['json', 'csv', 'adx'] as const) {
    it(`${format}: export → import into another database → identical values and identical export`, async () => {
      const a = await setup();
      await importDhis2(
        a,
        't',
        `<adx xmlns="urn:ihe:qrph:adx:2015"><group dataSet="X" period="2020-02-01/P1M" orgUnit="123">
          <dataValue dataElement="Malaria numeric" Sex_category="M" value="7.25"/>
          <dataValue dataElement="Malaria numeric" categoryOptionCombo="FOver555555" value="0"/>
          <dataValue dataElement="Malaria text" value="12"><annotation>a &amp; b &lt;c&gt; "q"</annotation></dataValue>
        </group></adx>`,
        'adx',
      );
      const exported = await text(await exportDhis2(a, format));
      const b = await setup();
      const s = await importDhis2(b, 't', exported, format);
      expect(s.rejected_count).toBe(0);
      expect(s.created).toBe(3);
      for (const ind of ['MAL-NUM', 'MAL-TXT', 'DTI-RANK', 'CD-01'])
        expect(await values(b, ind)).toEqual(await values(a, ind));
      const again = await text(await exportDhis2(b, format));
      const strip = (t: string) =>
        t.replace(/"?\d{4}-\d\d-\d\dT[\d:.]+Z"?/g, 'T').replace(/"storedBy":"[^"]*"|,t,|,test,/g, '');
      expect(strip(again)).toBe(strip(exported));
      expect((await importDhis2(b, 't', exported, format)).updated).toBe(0);
    });
  }

  it('CSV export has DHIS2 column order', async () => {
    const a = await setup();
    const csv = await text(await exportDhis2(a, 'csv'));
    expect(csv.split('\r\n')[0]).toBe(
      'dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup,deleted',
    );
  });

  it('rejects unmapped identifiers, other combos, deletions and broken XML precisely', async () => {
    const store = await setup();
    const e = await importDhis2(
      store,
      't',
      `{"dataValues":[
{"dataElement":"unknownDE01","period":"201201","orgUnit":"DiszpKrYNg8","value":"1"},
{"dataElement":"f7n9E0hX8qk","period":"2012W05","orgUnit":"DiszpKrYNg8","value":"1"},
{"dataElement":"f7n9E0hX8qk","period":"201202","orgUnit":"DiszpKrYNg8","attributeOptionCombo":"partnerAOC1","value":"1"},
{"dataElement":"f7n9E0hX8qk","period":"201203","orgUnit":"DiszpKrYNg8","value":"1","deleted":true},
{"dataElement":"f7n9E0hX8qk","period":"201204","orgUnit":"DiszpKrYNg8","categoryOptionCombo":"zzzzzzzzzzz","value":"1"}
]}`,
      'json',
    ).catch((x: unknown) => x);
    expect(isChisoError(e)).toBe(true);
    if (!isChisoError(e)) return;
    expect(e.errors.map((x) => [x.row, x.code])).toEqual([
      [2, 'dhis2.unmapped'],
      [3, 'period.dhis2_unsupported'],
      [4, 'dhis2.attribute_option_combo'],
      [5, 'dhis2.deleted'],
      [6, 'dhis2.unmapped'],
    ]);
    const x = await importDhis2(
      store,
      't',
      '<adx xmlns="urn:ihe:qrph:adx:2015">\n<group dataSet="a" period="2020-01-01/P1M" orgUnit="123">\n<dataValue dataElement="Malaria text" value="1"/>',
      'adx',
    ).catch((err: unknown) => err);
    expect(x).toMatchObject({ code: 'xml.truncated' });
    expect(await values(store, 'TEST-M')).toEqual([]);
  });

  it('mappings replace older ones by archiving them', async () => {
    const store = await setup();
    await setDhis2Mappings(store, 't', [{ kind: 'orgUnit', dhis2_id: 'DiszpKrYNg8', chiso_code: '79.760' }]);
    const ou = (await listDhis2Mappings(store.db, 'orgUnit')).map((m) => [m.dhis2_id, m.chiso_code]);
    // '123' pointed at 79.760 too: it is archived, as one chiso code maps to one DHIS2 identifier.
    expect(ou).toEqual([['DiszpKrYNg8', '79.760']]);
    await expect(
      setDhis2Mappings(store, 't', [{ kind: 'dataElement', dhis2_id: 'abc', chiso_code: 'NO-SUCH' }]),
    ).rejects.toMatchObject({ code: 'indicator.unknown', location: { row: 1 } });
  });

  it('mappings are never hard-deleted: the table refuses DELETE (archived rows too)', async () => {
    const store = await setup();
    const before = await rows<{ n: number }>(store.db, sql`select count(*)::int as n from dhis2_mapping`);
    await setDhis2Mappings(store, 't', [{ kind: 'orgUnit', dhis2_id: 'DiszpKrYNg8', chiso_code: '79.760' }]);
    const archived = await rows<{ n: number }>(
      store.db,
      sql`select count(*)::int as n from dhis2_mapping where archived_at is not null`,
    );
    expect(archived[0]!.n).toBeGreaterThan(0);
    const refusal = (q: ReturnType<typeof sql>) =>
      store.db.execute(q).then(
        () => 'deleted',
        (e: Error & { cause?: Error }) => `${e.message} ${e.cause?.message ?? ''}`,
      );
    expect(await refusal(sql`delete from dhis2_mapping where archived_at is not null`)).toMatch(
      /rows of dhis2_mapping are never deleted/,
    );
    expect(await refusal(sql`delete from dhis2_mapping`)).toMatch(/rows of dhis2_mapping are never deleted/);
    const after = await rows<{ n: number }>(store.db, sql`select count(*)::int as n from dhis2_mapping`);
    expect(after[0]!.n).toBe(before[0]!.n + 1);
  });
});
