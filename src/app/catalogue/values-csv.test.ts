/**
 * The values CSV's fast writer (`valueCsvLines`: only the CSV's columns, no cell array per row, the
 * subtree by its path) must be byte for byte what `csvLine` writes for the full rows: numbers,
 * the formula guard, quoting, batches, order.
 */
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoStore } from '../../../test/fixtures.ts';
import { csvLine } from '../../formats/csv.ts';
import { rows, type Store } from '../../store/db.ts';
import {
  VALUE_COLUMNS,
  VALUE_CSV,
  VALUE_FROM,
  type ValueFilter,
  type ValueOut,
  valueCsvLines,
} from './values.ts';

let store: Store;
let ids: { indicator: number; unit: number; unitCode: string; documents: number[] };
beforeAll(async () => {
  store = await openDemoStore();
  const [i] = await rows<{ id: number }>(store.db, sql`select id from indicator where code = 'KTXH-01'`);
  const [u] = await rows<{ id: number; code: string }>(
    store.db,
    sql`select id, code from org_unit where parent_id is not null order by code limit 1`,
  );
  const docs = await rows<{ id: number }>(store.db, sql`select id from document order by id limit 3`);
  ids = { indicator: i!.id, unit: u!.id, unitCode: u!.code, documents: docs.map((d) => d.id) };
});
afterAll(() => store.close());

const collect = async (it: AsyncIterable<string>) => {
  let s = '';
  for await (const c of it) s += c;
  return s;
};

/** The reference: every matching row read as columns, in id order, written by `csvLine`. */
const reference = async (where: ReturnType<typeof sql>) =>
  (
    await rows<ValueOut>(
      store.db,
      sql`select ${VALUE_COLUMNS} from ${VALUE_FROM} where ${where} and v.status = 'approved' and v.archived_at is null order by v.id`,
    )
  )
    .map((r) => csvLine(VALUE_CSV.map((k) => r[k])))
    .join('');

const tricky = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.constantFrom(
    '=SUM(A1)',
    '+84 28',
    '-5',
    '-abc',
    '@x',
    '\tx',
    '\r',
    '+',
    '-1e3',
    ' 1',
    'a,b',
    'say "hi"',
    'a\r\nb',
  ),
  fc
    .tuple(
      fc.constantFrom('=', '+', '-', '@', '\t', '\r', '"', ',', '\n', 'ư', ''),
      fc.string({ maxLength: 6 }),
    )
    .map(([a, b]) => a + b),
);
const number = fc.oneof(
  fc.double(),
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.constantFrom(
    0,
    -0,
    1e-7,
    1.5e-5,
    0.0001,
    123.456,
    1e15,
    1e21,
    2 ** 53,
    0.1 + 0.2,
    5e-324,
    Number.MAX_VALUE,
  ),
);
/** A double as text PostgreSQL reads back exactly (a bound number would lose -0). */
const floatText = (v: number | null) => (v === null ? null : Object.is(v, -0) ? '-0' : String(v));
const pgText = (s: string) => s.replace(/\0/g, '').replace(/[\uD800-\uDFFF]/g, '?');

describe('valueCsvLines', () => {
  it('writes every row exactly as csvLine does, in id order, across batches', async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ value: fc.option(number), comment: fc.option(tricky), disagg: tricky, doc: fc.nat(4) }),
          {
            minLength: 1,
            maxLength: 25,
          },
        ),
        fc.integer({ min: 1, max: 9 }),
        async (items, batch) => {
          round++;
          const tag = `r${round}`;
          let k = 0;
          for (const it of items)
            await store.db.execute(
              sql`insert into data_value (indicator_id, org_unit_id, period, period_start, disagg, value, provenance, status, comment, source_document_id, changed_by)
                  values (${ids.indicator}, ${ids.unit}, '2031', '2031-01-01', ${`${pgText(it.disagg)}|${tag}|${k++}`},
                          ${floatText(it.value)}::float8, 'synthetic', 'approved',
                          ${it.comment === null ? null : pgText(it.comment)}, ${ids.documents[it.doc] ?? null}, 'test')`,
            );
          const f: ValueFilter = { org_unit: ids.unitCode, period: '2031' };
          const mine = sql`u.code = ${ids.unitCode} and v.period = '2031'`;
          expect(await collect(valueCsvLines(store.db, f, batch))).toBe(await reference(mine));
          await store.db.execute(sql`update data_value set archived_at = now() where period = '2031'`);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('writes non-finite numbers as empty cells and -0 as 0, like csvLine', async () => {
    for (const [k, v] of ['NaN', 'Infinity', '-Infinity', '-0'].entries())
      await store.db.execute(
        sql`insert into data_value (indicator_id, org_unit_id, period, period_start, disagg, value, provenance, status, changed_by)
            values (${ids.indicator}, ${ids.unit}, '2032', '2032-01-01', ${`nf${k}`}, ${v}::float8, 'synthetic', 'approved', 'test')`,
      );
    const out = await collect(valueCsvLines(store.db, { org_unit: ids.unitCode, period: '2032' }));
    const lines = out.split('\r\n').filter(Boolean);
    expect(lines.map((l) => l.split(',')[7])).toEqual(['', '', '', '0']);
    expect(out).toBe(await reference(sql`u.code = ${ids.unitCode} and v.period = '2032'`));
  });

  it('selects a subtree by its path, and nothing for an unknown unit', async () => {
    const [hcm] = await rows<{ code: string; path: string }>(
      store.db,
      sql`select code, path from org_unit where parent_id is null order by id limit 1`,
    );
    const f: ValueFilter = { subtree: hcm!.code, indicator: 'KTXH-01' };
    const out = await collect(valueCsvLines(store.db, f));
    expect(out.length).toBeGreaterThan(0);
    expect(out).toBe(await reference(sql`i.code = 'KTXH-01' and u.path like ${`${hcm!.path}%`}`));
    expect(await collect(valueCsvLines(store.db, { subtree: 'NO-SUCH-UNIT' }))).toBe('');
  });
});
