import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { testDbKind } from '../../../test/db.ts';
import { openDemoStore } from '../../../test/fixtures.ts';
import { isChisoError } from '../../core/errors.ts';
import { rows, type Store } from '../../store/db.ts';
import { exportValuesText } from './export-values.ts';
import { importValues } from './import-values.ts';

const stores: Store[] = [];
async function demo(): Promise<Store> {
  const s = await openDemoStore();
  stores.push(s);
  return s;
}
afterEach(async () => {
  while (stores.length) await stores.pop()!.close();
});

const HEADER = 'indicator_code,period,org_unit_code,disagg,value,comment\n';

async function currentValue(store: Store, ind: string, unit: string, period: string) {
  const [r] = await rows<{
    value: number | null;
    version: number;
    provenance: string;
    comment: string | null;
  }>(
    store.db,
    sql`select v.value, v.version, v.provenance, v.comment from data_value v join indicator i on i.id = v.indicator_id
        join org_unit u on u.id = v.org_unit_id where i.code = ${ind} and u.code = ${unit} and v.period = ${period} and v.disagg = ''`,
  );
  return r;
}

async function rejectionOf(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    if (isChisoError(e)) return e;
    throw e;
  }
  throw new Error('expected the import to be rejected');
}

const count = async (store: Store, table: string) =>
  (await rows<{ n: number }>(store.db, sql`select count(*)::int as n from ${sql.raw(table)}`))[0]!.n;

describe('bulk import of values (CSV, JSON)', () => {
  it('creates, then changes nothing on a second import, then updates only what changed; one audit entry each', async () => {
    const store = await demo();
    const audit0 = await count(store, 'audit_log');
    const csv = `${HEADER}CD-01,2019,79,,41.5,first\nKQ-HOTICH,2019,79,,1200,\nCD-01,2019,79.760,,0,zero is a value\n`;
    const s1 = await importValues(store, 'tester', csv, 'csv', { file: 'a.csv' });
    expect(s1).toMatchObject({
      rows: 3,
      created: 3,
      updated: 0,
      unchanged: 0,
      rejected_count: 0,
      dry_run: false,
    });
    expect(s1.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await currentValue(store, 'CD-01', '79.760', '2019')).toMatchObject({
      value: 0,
      provenance: 'imported',
      version: 1,
    });
    expect(await currentValue(store, 'KQ-HOTICH', '79', '2019')).toMatchObject({
      value: 1200,
      comment: null,
    });

    const s2 = await importValues(store, 'tester', csv, 'csv', { file: 'a.csv' });
    expect(s2).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
    expect((await currentValue(store, 'CD-01', '79', '2019'))!.version).toBe(1);

    const s3 = await importValues(store, 'tester', csv.replace('41.5', '42'), 'csv');
    expect(s3).toMatchObject({ created: 0, updated: 1, unchanged: 2 });
    expect(await currentValue(store, 'CD-01', '79', '2019')).toMatchObject({ value: 42, version: 2 });
    const hist = await rows<{ value: number }>(
      store.db,
      sql`select h.value from data_value_history h join data_value v on v.id = h.data_value_id
          join indicator i on i.id = v.indicator_id where i.code = 'CD-01' and v.period = '2019' and v.org_unit_id = (select id from org_unit where code = '79')`,
    );
    expect(hist.map((h) => h.value)).toEqual([41.5]);

    const audits = await rows<{
      action: string;
      data: { sha256: string; created: number; unchanged: number };
    }>(store.db, sql`select action, data from audit_log order by seq desc limit 3`);
    expect(await count(store, 'audit_log')).toBe(audit0 + 3);
    expect(audits[2]).toMatchObject({ action: 'values.import', data: { sha256: s1.sha256, created: 3 } });
    expect(audits[1]!.data).toMatchObject({ unchanged: 3 });
  });

  it('fields the file does not give keep their current value; an archived value comes back', async () => {
    const store = await demo();
    await importValues(store, 't', `${HEADER}CD-01,2019,79,,41.5,kept\n`, 'csv');
    // No comment column: the comment stays. The figure changes: provenance becomes 'imported' again.
    const noComment = 'indicator_code,period,org_unit_code,disagg,value,provenance\n';
    const s1 = await importValues(store, 't', `${noComment}CD-01,2019,79,,41.5,estimated\n`, 'csv');
    expect(s1).toMatchObject({ updated: 1, unchanged: 0 });
    expect(await currentValue(store, 'CD-01', '79', '2019')).toMatchObject({
      value: 41.5,
      provenance: 'estimated',
      comment: 'kept',
      version: 2,
    });
    // Same figure, no provenance column: provenance and comment are kept, nothing changes.
    const s2 = await importValues(
      store,
      't',
      `${HEADER.replace(',comment', '')}CD-01,2019,79,,41.5\n`,
      'csv',
    );
    expect(s2).toMatchObject({ updated: 0, unchanged: 1 });
    // A changed figure without provenance: it becomes the import's provenance; the comment stays.
    const s3 = await importValues(store, 't', `${HEADER.replace(',comment', '')}CD-01,2019,79,,43\n`, 'csv');
    expect(s3).toMatchObject({ updated: 1 });
    expect(await currentValue(store, 'CD-01', '79', '2019')).toMatchObject({
      value: 43,
      provenance: 'imported',
      comment: 'kept',
      version: 3,
    });
    // An archived value imported again with the same figure is restored (an update, never a second row).
    await store.db.execute(
      sql`update data_value set archived_at = now() where period = '2019' and disagg = ''
          and indicator_id = (select id from indicator where code = 'CD-01')
          and org_unit_id = (select id from org_unit where code = '79')`,
    );
    const s4 = await importValues(store, 't', `${HEADER.replace(',comment', '')}CD-01,2019,79,,43\n`, 'csv');
    expect(s4).toMatchObject({ created: 0, updated: 1, unchanged: 0 });
    const [v] = await rows<{ n: number; archived: number }>(
      store.db,
      sql`select count(*)::int as n, count(archived_at)::int as archived from data_value where period = '2019'
          and indicator_id = (select id from indicator where code = 'CD-01')
          and org_unit_id = (select id from org_unit where code = '79')`,
    );
    expect(v).toEqual({ n: 1, archived: 0 });
    const hist = await rows<{ version: number }>(
      store.db,
      sql`select h.version from data_value_history h join data_value d on d.id = h.data_value_id
          where d.period = '2019' and d.indicator_id = (select id from indicator where code = 'CD-01')
          and d.org_unit_id = (select id from org_unit where code = '79') order by h.id`,
    );
    expect(hist.map((h) => h.version)).toEqual([1, 2, 3, 3]);
  });

  it('a dry run reports what would happen and writes nothing', async () => {
    const store = await demo();
    const before = await count(store, 'data_value');
    const audit0 = await count(store, 'audit_log');
    const s = await importValues(
      store,
      't',
      `${HEADER}CD-01,2019,79,,50,\nCD-01,2019,79.760,,101,\n`,
      'csv',
      {
        dryRun: true,
      },
    );
    expect(s).toMatchObject({ dry_run: true, created: 1, rejected_count: 1 });
    expect(s.rejected[0]).toMatchObject({ line: 3, column: 'value', code: 'value.percent_range' });
    expect(await count(store, 'data_value')).toBe(before);
    expect(await count(store, 'audit_log')).toBe(audit0);
  });

  it('imports the same rows from JSON (array or {format, values}); a number as text is a wrong type', async () => {
    const store = await demo();
    const json = JSON.stringify([
      { indicator_code: 'CD-01', period: '2019', org_unit_code: '79', value: 41.5, comment: 'first' },
      { indicator: 'KQ-HOTICH', period: '2019', org_unit: '79', value: 1200 },
    ]);
    expect(await importValues(store, 't', json, 'json')).toMatchObject({ created: 2 });
    const wrapped = `{"format":"chiso-values/1","values":[\n{"indicator_code":"CD-01","period":"2019","org_unit_code":"79","value":41.5,"comment":"first"}\n]}`;
    expect(await importValues(store, 't', wrapped, 'json')).toMatchObject({ unchanged: 1 });
    const e = await rejectionOf(
      importValues(
        store,
        't',
        '[\n{"indicator_code":"CD-01","period":"2019","org_unit_code":"79","value":"41"}\n]',
        'json',
      ),
    );
    expect(e.errors[0]).toMatchObject({ code: 'value.type', row: 2, column: 'value' });
  });

  it('streams many rows in batches and detects duplicates across batches naming both lines', async () => {
    const store = await demo();
    // 5 years × every commune and district of 2024 that CD-01 applies to: thousands of rows, batches of 500.
    const units = await rows<{ code: string }>(
      store.db,
      sql`select code from org_unit where level in ('district','commune') and (valid_to is null or valid_to >= '2024-01-01') and (valid_from is null or valid_from <= '2024-12-31') order by code`,
    );
    async function* gen(extra: string) {
      yield HEADER;
      for (const y of [2020, 2021, 2022, 2023, 2024])
        for (const u of units) yield `CD-01,${y},${u.code},,${(y - 2000) * 3},\n`;
      yield extra;
    }
    const n = units.length * 5;
    expect(n).toBeGreaterThan(1000);
    const s = await importValues(store, 't', gen(''), 'csv', { batchSize: 500 });
    expect(s).toMatchObject({ rows: n, created: n, rejected_count: 0 });
    const e = await rejectionOf(
      importValues(store, 't', gen(`CD-01,2020,${units[0]!.code},,1,\n`), 'csv', { batchSize: 500 }),
    );
    expect(e.code).toBe('import.rejected');
    expect(e.errors[0]).toMatchObject({ code: 'import.duplicate_row', row: n + 2 });
    expect(e.errors[0]!.en).toContain(`Line ${n + 2} repeats line 2`);
  });

  // PostgreSQL only: PGlite has one connection, so no other transaction can hold a key meanwhile.
  it.runIf(testDbKind === 'postgres')(
    'a new value another transaction commits while the import waits for its key is updated, not refused or doubled',
    async () => {
      const store = await demo();
      const other = await store.pool!.connect();
      try {
        // Another writer holds CD-01 / 79 / 2019 uncommitted: the import's plan does not see it.
        await other.query('begin');
        await other.query(
          `insert into data_value (indicator_id, org_unit_id, period, period_start, disagg, value, provenance, changed_by)
           select i.id, u.id, '2019', '2019-01-01', '', 7, 'entered', 'other' from indicator i, org_unit u
           where i.code = 'CD-01' and u.code = '79'`,
        );
        const importing = importValues(
          store,
          'tester',
          `${HEADER}KQ-HOTICH,2019,79,,1200,\nCD-01,2019,79,,41.5,from the file\n`,
          'csv',
        );
        // The import's INSERT waits on the other writer's key (up to 30 s on a busy machine): then that writer commits.
        let waiting = 0;
        for (let k = 0; k < 1200 && waiting === 0; k++) {
          await new Promise((r) => setTimeout(r, 25));
          const [w] = await store.query<{ n: number }>(
            `select count(*)::int as n from pg_stat_activity
             where datname = current_database() and wait_event_type = 'Lock' and query ilike 'insert into data_value%'`,
          );
          waiting = w!.n;
        }
        expect(waiting).toBe(1);
        await other.query('commit');
        const summary = await importing;
        expect(summary).toMatchObject({ rows: 2, created: 2, rejected_count: 0 });
      } finally {
        other.release();
      }
      expect(await currentValue(store, 'CD-01', '79', '2019')).toMatchObject({
        value: 41.5,
        version: 2,
        provenance: 'imported',
        comment: 'from the file',
      });
      expect(await currentValue(store, 'KQ-HOTICH', '79', '2019')).toMatchObject({ value: 1200, version: 1 });
      const [h] = await rows<{ value: number; changed_by: string }>(
        store.db,
        sql`select h.value, h.changed_by from data_value_history h join data_value v on v.id = h.data_value_id
            join indicator i on i.id = v.indicator_id join org_unit u on u.id = v.org_unit_id
            where i.code = 'CD-01' and u.code = '79' and v.period = '2019'`,
      );
      expect(h).toEqual({ value: 7, changed_by: 'other' });
    },
  );

  it('round-trips: export → import into another database → identical export', async () => {
    const a = await demo();
    await importValues(
      a,
      't',
      `${HEADER}CD-01,2019,79,,41.5,"a, ""quoted"" comment\nsecond line"\nKQ-HOTICH,2019,79,,,'=escaped\n`,
      'csv',
    );
    const b = await demo();
    for (const format of ['csv', 'json'] as const) {
      const text = await exportValuesText(a, format);
      const s = await importValues(b, 't', text, format);
      expect(s.rejected_count).toBe(0);
      expect(await exportValuesText(b, format)).toBe(text);
      expect((await importValues(b, 't', text, format)).updated).toBe(0);
    }
    expect(await currentValue(b, 'KQ-HOTICH', '79', '2019')).toMatchObject({
      value: null,
      comment: '=escaped',
    });
  });
});

describe('malformed files are rejected precisely and change nothing', () => {
  const cases: Array<[string, string | Uint8Array, 'csv' | 'json', Record<string, unknown>]> = [
    [
      'invalid UTF-8 (Windows-1258) names the line',
      Buffer.concat([
        Buffer.from(`${HEADER}CD-01,2019,79,,1,ok\nCD-01,2019,79.760,,2,`),
        Buffer.from([0x54, 0xe0, 0x69]),
        Buffer.from('\n'),
      ]),
      'csv',
      { code: 'file.encoding', location: { row: 3 } },
    ],
    ['UTF-16 is named', Buffer.from([0xff, 0xfe, 0x69, 0x00]), 'csv', { code: 'file.encoding' }],
    [
      'a truncated file: unclosed quote',
      `${HEADER}CD-01,2019,79,,1,"cut here`,
      'csv',
      { code: 'csv.truncated', location: { row: 2 } },
    ],
    [
      'a truncated file: a row cut short',
      `${HEADER}CD-01,2019,79,,1,a\nCD-01,2019`,
      'csv',
      { code: 'csv.column_count', location: { row: 3 } },
    ],
    [
      'a truncated UTF-8 character at the end',
      Buffer.concat([Buffer.from(`${HEADER}CD-01,2019,79,,1,Vi`), Buffer.from([0xe1, 0xbb])]),
      'csv',
      { code: 'file.truncated', location: { row: 2 } },
    ],
    [
      'wrong column order',
      'indicator_code,org_unit_code,period,value\nCD-01,79,2019,1\n',
      'csv',
      { code: 'import.column_order', location: { column: 'period' } },
    ],
    [
      'a missing column',
      'indicator_code,period,value\nCD-01,2019,1\n',
      'csv',
      { code: 'import.missing_column' },
    ],
    [
      'an unknown column',
      'indicator_code,period,org_unit_code,valeu\nCD-01,2019,79,1\n',
      'csv',
      { code: 'import.unknown_column' },
    ],
    ['an empty file', '', 'csv', { code: 'file.empty' }],
    ['truncated JSON', '[{"indicator_code":"CD-01","period":"2019",', 'json', { code: 'json.truncated' }],
    [
      'broken JSON names the line',
      '[\n{"indicator_code":"CD-01",\n"period":2019x}]',
      'json',
      { code: 'json.syntax', location: { row: 3 } },
    ],
  ];
  for (const [name, input, format, expected] of cases) {
    it(name, async () => {
      const store = await demo();
      const before = await count(store, 'data_value');
      const e = await rejectionOf(importValues(store, 't', input, format));
      expect(e).toMatchObject(expected);
      expect(e.vi).not.toBe(e.en);
      expect(await count(store, 'data_value')).toBe(before);
    });
  }

  it('rejects every bad row with line, column and rule; nothing is written', async () => {
    const store = await demo();
    const before = await count(store, 'data_value');
    const csv = [
      HEADER.trim(),
      'CD-01,2019,79,,=SUM(A1:A3),', // 2 formula
      'CD-01,2019,79.760,,1e16,', // 3 huge
      'CD-01,2019,79.761,,NaN,', // 4 not finite
      'NOPE,2019,79,,1,', // 5 unknown indicator
      'CD-01,2019,NOWHERE,,1,', // 6 unknown unit
      'CD-01,2019Q5,79,,1,', // 7 malformed period
      'CD-01,2019Q1,79,,1,', // 8 wrong period type
      'CD-01,2020,79.764,,100.5,', // 9 percent range
      'KQ-HOTICH,2020,79,,1.5,', // 10 integer
      'CD-01,2021,79.764,,12,5', // 11 fine (comment "5")
      'CD-01,2021,79.765,,"12,5",', // 12 decimal comma
      'KQ-HOTICH,2021,79.760,,3,', // 13 level not allowed
      'CD-01,2026,79.760,,3,', // 14 unit no longer exists
      'CD-01,2021,79.764,,13,@cmd', // 15 formula in a text cell (not staged, so no duplicate of 11)
    ].join('\n');
    const e = await rejectionOf(importValues(store, 't', csv, 'csv', { file: 'bad.csv' }));
    expect(e).toMatchObject({ code: 'import.rejected', status: 422 });
    const got = e.errors.map((x) => [x.row, x.column, x.code]);
    expect(got).toEqual([
      [2, 'value', 'cell.formula'],
      [3, 'value', 'value.too_large'],
      [4, 'value', 'value.not_finite'],
      [5, 'indicator_code', 'indicator.unknown'],
      [6, 'org_unit_code', 'org_unit.unknown'],
      [7, 'period', 'period.malformed'],
      [8, 'period', 'value.period_type'],
      [9, 'value', 'value.percent_range'],
      [10, 'value', 'value.integer'],
      [12, 'value', 'value.not_a_number'],
      [13, 'org_unit_code', 'value.level_not_allowed'],
      [14, 'org_unit_code', 'value.unit_not_valid'],
      [15, 'comment', 'cell.formula'],
    ]);
    expect(e.errors.find((x) => x.row === 12)!.en).toContain('decimal separator');
    expect(await count(store, 'data_value')).toBe(before);
  });

  it('a duplicate key names both lines', async () => {
    const store = await demo();
    const e = await rejectionOf(
      importValues(
        store,
        't',
        `${HEADER}CD-01,2019,79,,1,\nCD-01,2019,79.760,,1,\nCD-01,2019,79,,2,\n`,
        'csv',
      ),
    );
    expect(e.errors).toHaveLength(1);
    expect(e.errors[0]).toMatchObject({ code: 'import.duplicate_row', row: 4 });
    expect(e.errors[0]!.vi).toContain('Dòng 4 trùng với dòng 2');
  });

  it('a UTF-8 BOM is fine', async () => {
    const store = await demo();
    expect(await importValues(store, 't', `\uFEFF${HEADER}CD-01,2019,79,,1,Việt\n`, 'csv')).toMatchObject({
      created: 1,
    });
    expect((await currentValue(store, 'CD-01', '79', '2019'))!.comment).toBe('Việt');
  });
});
