/**
 * A large ADX file through the whole import (streamed reader → staging in batches → one upsert):
 * generated chunk by chunk, never whole in memory, imported atomically, and imported again without
 * change. The reader's constant memory is measured in src/formats/xml-stream.test.ts.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRoundsStore, testWard } from '../../../test/rounds-fixture.ts';
import { rows, type Store } from '../../store/db.ts';
import { importDhis2 } from './dhis2.ts';

const INDICATORS = ['HS_TONG', 'HS_TRUC_TUYEN', 'CB_TAP_HUAN'];
const WARDS = 40;
const YEARS = 40; // quarters of 1985–2024
let store: Store;

beforeAll(async () => {
  store = await openRoundsStore({ testWards: WARDS });
});
afterAll(() => store?.close());

/** ADX of every indicator × ward × quarter, one group per ward and quarter; counts bytes pulled. */
function* adx(counter: { bytes: number; chunks: number }, bump = 0): Generator<Uint8Array> {
  const enc = new TextEncoder();
  const out = (s: string) => {
    const b = enc.encode(s);
    counter.bytes += b.length;
    counter.chunks++;
    return b;
  };
  yield out('<?xml version="1.0" encoding="UTF-8"?>\n<adx xmlns="urn:ihe:qrph:adx:2015">\n');
  for (let w = 1; w <= WARDS; w++) {
    let s = '';
    for (let y = 2024 - YEARS + 1; y <= 2024; y++)
      for (let q = 1; q <= 4; q++) {
        s += `  <group dataSet="QT-CCHC" orgUnit="${testWard(w)}" period="${y}-${String(q * 3 - 2).padStart(2, '0')}-01/P3M">\n`;
        for (const [k, ind] of INDICATORS.entries()) {
          const base = w * 1000 + (y - 1900) * 4 + q + bump;
          // online dossiers are a part of all dossiers (numerator ≤ denominator)
          const v = ind === 'HS_TRUC_TUYEN' ? Math.floor(base / 2) : base + k;
          s += `    <dataValue dataElement="${ind}" value="${v}"/>\n`;
        }
        s += '  </group>\n';
      }
    yield out(s);
  }
  yield out('</adx>\n');
}

describe('a large ADX import', () => {
  it('imports every value of a generated file streamed in chunks; re-importing it changes nothing', async () => {
    const n = INDICATORS.length * WARDS * YEARS * 4;
    const c1 = { bytes: 0, chunks: 0 };
    const first = await importDhis2(store, 'test', adx(c1), 'adx', { file: 'large.adx.xml' });
    expect(first).toMatchObject({ rows: n, created: n, updated: 0, unchanged: 0, rejected_count: 0 });
    expect(first.bytes).toBe(c1.bytes);
    expect(c1.chunks).toBe(WARDS + 2);
    const [count] = await rows<{ n: number }>(
      store.db,
      sql`select count(*)::int as n from data_value v join org_unit u on u.id = v.org_unit_id
          where u.code like '79.760.9%' and v.archived_at is null`,
    );
    expect(count!.n).toBe(n);
    const [one] = await rows<{ value: number }>(
      store.db,
      sql`select v.value from data_value v join org_unit u on u.id = v.org_unit_id join indicator i on i.id = v.indicator_id
          where u.code = ${testWard(7)} and i.code = 'CB_TAP_HUAN' and v.period = '2001Q3'`,
    );
    expect(one!.value).toBe(7 * 1000 + 101 * 4 + 3 + 2);
    const again = await importDhis2(store, 'test', adx({ bytes: 0, chunks: 0 }), 'adx', {
      file: 'large.adx.xml',
    });
    expect(again).toMatchObject({ rows: n, created: 0, updated: 0, unchanged: n });
    // one bad value at the very end: the whole file is refused, nothing of it written
    const bad = (function* () {
      const all = [...adx({ bytes: 0, chunks: 0 }, 1)];
      all[all.length - 1] = new TextEncoder().encode(
        '<group dataSet="QT-CCHC" orgUnit="79" period="2024-01-01/P3M"><dataValue dataElement="HS_TONG" value="abc"/></group></adx>\n',
      );
      yield* all;
    })();
    const e = await importDhis2(store, 'test', bad, 'adx', { file: 'bad.adx.xml' }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'import.rejected', status: 422 });
    const [still] = await rows<{ value: number }>(
      store.db,
      sql`select v.value from data_value v join org_unit u on u.id = v.org_unit_id join indicator i on i.id = v.indicator_id
          where u.code = ${testWard(7)} and i.code = 'CB_TAP_HUAN' and v.period = '2001Q3'`,
    );
    expect(still!.value).toBe(one!.value);
  }, 300_000);
});
